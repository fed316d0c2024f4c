"""Issue 17's new profiler inputs: sparse per-post channels in the ragged container,
HashedTfidf (the lexical channel), pool_sparse / PostPooler on sparse channels, account
extras carried by PostEncoder, and AttentiveProfiler's channels, fusion and account inputs.
"""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from skinfluence import PostEncoder, PostFeatures, PostPooler, TextStats, nest_posts
from skinfluence.features import HashedTfidf, pool_posts, pool_sparse

# ------------------------------------------------------------------------- container


@st.composite
def sparse_containers(draw, max_accounts=8):
    lengths = draw(st.lists(st.integers(0, 4), min_size=1, max_size=max_accounts))
    n = int(sum(lengths))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(n, 6)) * (rng.random((n, 6)) < 0.4)
    values = rng.normal(size=(n, 2)).astype(np.float32)
    mask = rng.random(n) < 0.8
    pf = PostFeatures(values, np.r_[0, np.cumsum(lengths)], mask=mask,
                      extras={"w": rng.random(n)}, sparse={"words": sp.csr_matrix(dense)},
                      account_extras={"followers": rng.integers(0, 1000, len(lengths))},
                      index=pd.Index([f"a{i}" for i in range(len(lengths))]))
    return pf, dense.astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_selecting_accounts_selects_their_sparse_rows_and_account_extras(data):
    pf, dense = data.draw(sparse_containers())
    idx = np.asarray(data.draw(st.lists(st.integers(0, len(pf) - 1), max_size=10)), dtype=int)
    sub = pf[idx]
    rows = np.concatenate([np.arange(pf.offsets[i], pf.offsets[i + 1]) for i in idx] or
                          [np.zeros(0, int)])
    assert sp.isspmatrix_csr(sub.sparse["words"])
    np.testing.assert_array_equal(sub.sparse["words"].toarray(), dense[rows])
    np.testing.assert_array_equal(sub.account_extras["followers"],
                                  pf.account_extras["followers"][idx])
    a, b = sorted(data.draw(st.tuples(st.integers(0, len(pf)), st.integers(0, len(pf)))))
    part = pf[a:b]
    np.testing.assert_array_equal(part.sparse["words"].toarray(),
                                  dense[pf.offsets[a]:pf.offsets[b]])
    back = PostFeatures.concat([pf[:a], pf[a:]])
    np.testing.assert_array_equal(back.sparse["words"].toarray(), dense)
    np.testing.assert_array_equal(back.account_extras["followers"],
                                  pf.account_extras["followers"])


@settings(max_examples=40, deadline=None)
@given(data=st.data(), how=st.sampled_from(["mean", "max", "weighted"]))
def test_pool_sparse_equals_dense_pooling(data, how):
    pf, dense = data.draw(sparse_containers())
    weights = pf.extras["w"] if how == "weighted" else None
    got = pool_sparse(pf.sparse["words"], pf.offsets, pf.mask, how, weights=weights)
    assert sp.isspmatrix_csr(got) and got.dtype == np.float32
    expected = pool_posts(dense, pf.offsets, pf.mask, how, weights=weights)
    np.testing.assert_allclose(got.toarray(), expected, rtol=1e-5, atol=1e-6)


def test_container_checks_and_pickle():
    with pytest.raises(ValueError, match="sparse channel 'w'.*one row per post"):
        PostFeatures(np.zeros((3, 1)), [0, 3], sparse={"w": sp.csr_matrix((2, 4))})
    with pytest.raises(ValueError, match="scipy sparse matrix"):
        PostFeatures(np.zeros((3, 1)), [0, 3], sparse={"w": np.zeros((3, 4))})
    with pytest.raises(ValueError, match="account extra 'f'.*one entry per account"):
        PostFeatures(np.zeros((3, 1)), [0, 3], account_extras={"f": [1, 2]})
    pf = PostFeatures(np.zeros((3, 1)), [0, 1, 3], sparse={"w": sp.eye(3, 5, format="csr")},
                      account_extras={"f": [1.0, 2.0]})
    assert repr(pf).endswith("sparse={'w': 5}, account_extras=['f'])")
    back = pickle.loads(pickle.dumps(pf))
    np.testing.assert_array_equal(back.sparse["w"].toarray(), pf.sparse["w"].toarray())
    # a container pickled before the sparse channels existed has none
    old = copy.copy(pf)
    del old.__dict__["sparse"], old.__dict__["account_extras"]
    assert old[[1]]._sparse() == {} and old[[1]]._account_extras() == {}


# ------------------------------------------------------------------------ HashedTfidf


def frame_of(texts_by_account, **account_columns):
    ids = [f"a{i}" for i in range(len(texts_by_account))]
    posts = pd.DataFrame([(ids[i], t) for i, ts in enumerate(texts_by_account) for t in ts],
                         columns=["account_id", "text"])
    return nest_posts(pd.DataFrame({"account_id": ids, **account_columns}), posts)


def test_hashed_tfidf_is_fitted_on_training_posts_only_and_stays_sparse():
    train = frame_of([["red lipstick", "red serum"], ["leg day", "leg press"]])
    test = frame_of([["lipstick never seen words", ""], [None]])
    tfidf = HashedTfidf(min_df=2).fit(train)
    # only 'red' and 'leg' occur in two training posts
    assert tfidf.n_columns_ == 2
    posts = tfidf.transform_posts(test)
    assert posts.n_features == 0 and posts.mask.tolist() == [True, False, False]
    rows = posts.sparse["tfidf"]
    assert rows.shape == (3, 2) and rows.nnz == 0  # nothing of the test posts was kept
    train_rows = tfidf.transform_posts(train).sparse["tfidf"]
    np.testing.assert_allclose(np.asarray(sp.linalg.norm(train_rows, axis=1)), 1.0, rtol=1e-6)
    pooled = tfidf.transform(train)
    assert sp.isspmatrix_csr(pooled) and pooled.shape == (2, 2)
    assert len(tfidf.get_feature_names_out()) == 2
    with pytest.raises(ValueError, match="min_df=5"):
        HashedTfidf(min_df=5).fit(train)
    back = pickle.loads(pickle.dumps(tfidf))
    assert (back.transform(train) != pooled).nnz == 0


def test_encoder_carries_sparse_channels_and_account_fields_to_the_pooler():
    frame = frame_of([["red lipstick #ad", "red serum"], ["leg day", "leg press"], []],
                     followers=[10, 2000, 5], label=["x", "y", "z"])
    enc = PostEncoder([("stats", TextStats(features=["words"], pooling=None)),
                       ("words", HashedTfidf(min_df=1))], account_fields="numeric")
    X = enc.fit_transform(frame)
    assert enc.account_fields_ == ["followers"]
    assert set(X.sparse) == {"words"} and X.n_features == 1
    np.testing.assert_array_equal(X.account_extras["followers"], [10, 2000, 5])
    pooler = PostPooler(["mean", "max"]).fit(X)
    out = pooler.transform(X)
    width = X.sparse["words"].shape[1]
    assert sp.isspmatrix_csr(out) and out.shape == (3, 2 * (1 + width))
    names = pooler.get_feature_names_out()
    assert len(names) == out.shape[1] and names[1] == "mean__words__0"
    with pytest.raises(ValueError, match="sparse channels"):
        pooler.transform(PostEncoder([("stats", TextStats(features=["words"]))]).fit_transform(
            frame))
    with pytest.raises(ValueError, match="not columns of the account frame"):
        PostEncoder([("words", HashedTfidf(min_df=1))], account_fields=["likes"]).fit(frame)


# ------------------------------------------------------------------- the profiler

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from skinfluence.profiling import AttentiveProfiler  # noqa: E402

TINY = {"hidden_size": 16, "attention_size": 8, "head_hidden_size": 16, "max_epochs": 15,
        "batch_size": 8, "lr": 1e-2, "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def two_channels(n_accounts=60, *, seed=0, signal="words"):
    """Accounts of 3 classes; the class shows in the sparse 'words' channel (a class word),
    in the dense 'caption' columns, or only in the account extra 'followers'."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_accounts) % 3
    lengths = rng.integers(1, 4, n_accounts)
    n = int(lengths.sum())
    owner = np.repeat(y, lengths)
    width = 40
    words = rng.random((n, width)) * (rng.random((n, width)) < 0.1)
    if signal == "words":
        words[np.arange(n), owner] += 1.0
    dense = rng.normal(size=(n, 4)).astype(np.float32)
    if signal == "caption":
        dense[:, 0] += 2.0 * owner
    followers = 10.0 ** (2 + 2 * y + (rng.random(n_accounts) if signal == "account" else
                                        4 * rng.random(n_accounts)))
    X = PostFeatures(dense, np.r_[0, np.cumsum(lengths)],
                     feature_names=["caption__x0", "caption__x1", "image__x0", "image__x1"],
                     sparse={"words": sp.csr_matrix(words)},
                     account_extras={"followers": followers, "following": rng.random(n_accounts)},
                     extras={"label": np.array([f"c{k}" for k in owner], dtype=object)})
    return X, y


@pytest.mark.parametrize("fusion", ["concat", "gated", "bilinear"])
def test_sparse_channel_alone_and_fused_carries_the_class(fusion):
    X, y = two_channels(signal="words")
    Xt, yt = two_channels(seed=1, signal="words")
    clf = AttentiveProfiler(**TINY, channels=["words"]).fit(X, y)
    assert clf.channels_ == [("sparse", "words", 40)]
    assert clf.score(Xt, yt) > 0.8  # chance 1/3; the dense columns are noise
    fused = AttentiveProfiler(**TINY, channels=["caption", "image", "words"], fusion=fusion)
    fused.fit(X, y)
    assert [c[:2] for c in fused.channels_] == [("dense", "caption"), ("dense", "image"),
                                                ("sparse", "words")]
    assert fused.score(Xt, yt) > 0.7
    assert fused.predict_posts(Xt).shape == (Xt.n_posts,)


def test_account_features_classify_accounts_whose_posts_say_nothing():
    X, y = two_channels(signal="account")
    Xt, yt = two_channels(seed=1, signal="account")
    without = AttentiveProfiler(**TINY).fit(X, y)
    with_acc = AttentiveProfiler(**TINY, account_features=["followers"]).fit(X, y)
    assert with_acc.account_features_ == ["followers"] and with_acc._account_log_.all()
    assert with_acc.score(Xt, yt) > 0.8 > without.score(Xt, yt) + 0.2
    mixture = AttentiveProfiler(**TINY, attention="mixture", account_features="all").fit(X, y)
    assert mixture.account_features_ == ["followers", "following"]
    assert mixture.score(Xt, yt) > 0.8
    with pytest.raises(ValueError, match="account features.*lacks \\['followers'\\]"):
        with_acc.predict(PostFeatures(Xt.values, Xt.offsets, feature_names=Xt.feature_names,
                                      sparse=Xt.sparse))


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_channel_model_does_not_depend_on_batch_neighbours(data):
    X, y = _fitted_channels()[1:]
    clf = _fitted_channels()[0]
    full = clf.predict_proba(X)
    idx = np.asarray(data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=10)))
    small = copy.copy(clf).set_params(batch_size=data.draw(st.integers(1, 9)))
    np.testing.assert_allclose(small.predict_proba(X[idx]), full[idx], atol=1e-5)
    w = small.attention_weights(X[idx])
    sums = np.add.reduceat(w, X[idx].offsets[:-1]) if len(w) else w
    np.testing.assert_allclose(sums[X[idx].lengths > 0], 1.0, atol=1e-5)


_CACHE = {}


def _fitted_channels():
    if "clf" not in _CACHE:
        X, y = two_channels()
        clf = AttentiveProfiler(**TINY, channels=["caption", "words"], fusion="bilinear",
                                account_features="all").fit(X, y)
        _CACHE["clf"] = (clf, X, y)
    return _CACHE["clf"]


def test_channel_model_pickles_and_checks_its_input():
    clf, X, _ = _fitted_channels()
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    narrow = PostFeatures(X.values, X.offsets, feature_names=X.feature_names,
                          sparse={"words": X.sparse["words"][:, :10]},
                          account_extras=X.account_extras)
    with pytest.raises(ValueError, match="sparse channel 'words' of 40 columns; X has 10"):
        clf.predict(narrow)
    with pytest.raises(ValueError, match="channel 'text' is neither"):
        AttentiveProfiler(**TINY, channels=["text"]).fit(X, np.arange(len(X)) % 3)


def test_default_module_is_the_original():
    # no channel, no account input: the layers (and so the initial weights) of the
    # module before issue 17, in the same order
    from skinfluence.profiling._module import PostAttentionNet

    assert list(PostAttentionNet(5, 3, 2).state_dict()) == [
        "context", "no_posts", "encoder.0.weight", "encoder.0.bias", "attention_proj.weight",
        "attention_proj.bias", "head.0.weight", "head.0.bias", "head.3.weight", "head.3.bias",
        "post_head.weight", "post_head.bias"]


def test_one_grid_search_compares_channels_fusions_and_account_inputs():
    texts = {0: ["red lipstick", "serum glow", "makeup look"],
             1: ["leg day", "gym squat", "protein run"],
             2: ["pasta dinner", "sushi lunch", "cake recipe"]}
    rng = np.random.default_rng(0)
    rows, accounts = [], []
    for i in range(45):
        k = i % 3
        accounts.append((f"a{i}", 10 ** (2 + k) * (1 + rng.random())))
        for _ in range(rng.integers(1, 3)):
            words = rng.choice(texts[k], 2)
            rows.append((f"a{i}", " ".join(words), f"photo of {rng.choice(texts[k])}"))
    frame = nest_posts(pd.DataFrame(accounts, columns=["account_id", "followers"]),
                       pd.DataFrame(rows, columns=["account_id", "caption", "image"]))
    y = np.arange(45) % 3
    enc = PostEncoder([("caption", HashedTfidf(text_field="caption", min_df=1)),
                       ("image", HashedTfidf(text_field="image", min_df=1))],
                      account_fields=["followers"], mask_mode="any")
    pipe = make_pipeline(enc, AttentiveProfiler(**{**TINY, "max_epochs": 8}))
    grid = {"attentiveprofiler__channels": [["caption"], ["caption", "image"]],
            "attentiveprofiler__fusion": ["concat", "gated", "bilinear"],
            "attentiveprofiler__account_features": [None, "all"]}
    search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    search.fit(frame, y)
    assert len(search.cv_results_["params"]) == 12
    assert search.best_score_ > 0.8


# -------------------------------------------------------------- linear sparse head


def _reverse_posts(X):
    """``X`` with each account's posts in reverse order."""
    rev = np.concatenate([np.arange(X.offsets[i], X.offsets[i + 1])[::-1]
                          for i in range(len(X))])
    return PostFeatures(X.values[rev], X.offsets, feature_names=X.feature_names,
                        sparse={"words": X.sparse["words"][rev]})


@pytest.mark.parametrize("attention", [False, "mixture"])
def test_linear_sparse_head_reads_the_class_from_words_that_dense_features_lack(attention):
    X, y = two_channels(signal="words")
    Xt, yt = two_channels(seed=1, signal="words")
    dense_only = AttentiveProfiler(**TINY, attention=attention, channels=["caption"]).fit(X, y)
    wide = AttentiveProfiler(**TINY, attention=attention, sparse_head="linear").fit(X, y)
    assert wide.channels_ == [("dense", "posts", 4), ("sparse", "words", 40)]
    # the sparse channel is read by the linear head only, not as a post channel
    assert set(wide.module_.wide) == {"w0"} and not len(wide.module_.bags)
    assert wide.score(Xt, yt) > 0.8 > dense_only.score(Xt, yt) + 0.2  # chance 1/3
    # the head sees each account's mean row; mean pooling of the dense posts is
    # order-free too, so the whole model is
    if attention is False:
        np.testing.assert_allclose(wide.predict_proba(_reverse_posts(Xt)),
                                   wide.predict_proba(Xt), atol=1e-5)


def test_linear_sparse_head_starts_at_zero_and_its_decay_is_its_own():
    from skinfluence.profiling._module import PostAttentionNet, sparse_rows

    X, y = two_channels(signal="words")
    net = PostAttentionNet(4, 3, channels=[("dense", "posts", 4, [0, 1, 2, 3]),
                                           ("sparse", "words", 40, None)],
                           sparse_head="linear")
    assert float(net.wide["w0"].weight.detach().abs().max()) == 0.0
    mask = torch.ones(2, 1, dtype=torch.bool)
    bags = {"words": sparse_rows(X.sparse["words"], [0, 1], [0, 1], [0, 0], (2, 1))}
    assert float(net.wide_logits(mask, bags).detach().abs().max()) == 0.0

    clf = AttentiveProfiler(**TINY, sparse_head="linear", weight_decay=0.0,
                            sparse_weight_decay=0.05).fit(X, y)
    wide_ids = {id(p) for p in clf.module_.wide.parameters()}
    groups = clf.net_.optimizer_.param_groups
    decays = {g["weight_decay"] for g in groups if wide_ids & {id(p) for p in g["params"]}}
    others = {g["weight_decay"] for g in groups if not wide_ids & {id(p) for p in g["params"]}}
    assert decays == {0.05} and others == {0.0}
    # a stronger decay keeps the sparse weights smaller
    strong = AttentiveProfiler(**TINY, sparse_head="linear", sparse_weight_decay=5.0).fit(X, y)
    assert (float(strong.module_.wide["w0"].weight.detach().norm())
            < float(clf.module_.wide["w0"].weight.detach().norm()))
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


def test_linear_sparse_head_needs_a_dense_channel():
    X, y = two_channels(signal="words")
    with pytest.raises(ValueError, match="sparse_head='linear' needs a dense channel"):
        AttentiveProfiler(**TINY, channels=["words"], sparse_head="linear").fit(X, y)
