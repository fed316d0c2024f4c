"""Query rankers: the (query, candidate) data contract, BoostedRanker and ListwiseRanker."""

import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing

from skinfluence.metrics import make_ranking_scorer, query_auc
from skinfluence.ranking import (
    BoostedRanker,
    ListwiseRanker,
    QueryCandidates,
    make_queries,
    split_pairs,
    unseen_split,
)
from skinfluence.ranking._queries import pool_store

torch = pytest.importorskip("torch")


class _Ragged:
    """A minimal ragged store (the PostFeatures protocol: values, offsets, mask, extras)."""

    def __init__(self, values, offsets, mask=None, extras=None):
        self.values = np.asarray(values, dtype=np.float32)
        self.offsets = np.asarray(offsets)
        self.mask = np.ones(len(self.values), bool) if mask is None else np.asarray(mask)
        self.extras = extras or {}


def bilinear_task(n_brands=40, n_creators=120, d=12, seed=0, threshold=1.2):
    """Brands and creators with latent vectors; relevant when their dot product is high."""
    rng = np.random.default_rng(seed)
    B, C = rng.normal(size=(n_brands, d)), rng.normal(size=(n_creators, d))
    fit = B @ C.T / np.sqrt(d)
    rel = (fit > threshold).astype(float) + (fit > 2 * threshold)
    pairs = pd.DataFrame({
        "brand_id": np.repeat([f"b{i}" for i in range(n_brands)], n_creators),
        "account_id": np.tile(np.arange(n_creators), n_brands),
        "relevance": rel.ravel(),
    }).sample(frac=1.0, random_state=seed)  # any row order
    X, y, qid = make_queries({"text": B}, [f"b{i}" for i in range(n_brands)], {"text": C},
                             np.arange(n_creators), pairs)
    return X, y, qid


# -------------------------------------------------------------------- data contract


def test_query_candidates_rows_share_the_account_tables():
    X, y, qid = bilinear_task(6, 10)
    sub = X[np.array([5, 1, 3])]
    assert sub.queries is X.queries and sub.candidates is X.candidates  # no copy of features
    assert sub.qid.tolist() == qid[[5, 1, 3]].tolist()
    assert _safe_indexing(X, np.array([2, 0])).candidate_index.tolist() == \
        X.candidate_index[[2, 0]].tolist()
    assert len(X) == X.shape[0] == 60
    with pytest.raises(TypeError, match="no array form"):
        np.asarray(X)


def test_memory_grows_with_accounts_not_pairs_times_features():
    # the paper's training grid: 287 brands x 3,079 creators with 4,096-D pooled features
    d = 256
    X, _, _ = make_queries({"image": np.zeros((287, d), np.float32)}, np.arange(287),
                           {"image": np.zeros((3079, d), np.float32)}, np.arange(3079))
    row_bytes = X.query_index.nbytes + X.candidate_index.nbytes
    table_bytes = (287 + 3079) * d * 4
    assert len(X) == 287 * 3079
    assert row_bytes == 16 * len(X)  # two int64 per row, whatever the feature width
    assert row_bytes + table_bytes < 20 * 2**20


def test_group_kfold_splits_queries_not_rows():
    X, y, qid = bilinear_task(9, 15)
    for train, test in GroupKFold(3).split(X, y, groups=qid):
        assert not set(qid[train]) & set(qid[test])
        assert len(X[train]) == len(train)


def test_make_queries_grid_and_errors():
    X, y, qid = make_queries({"t": np.eye(3)}, ["a", "b", "c"], {"t": np.ones((2, 3))}, [7, 8])
    assert len(X) == 6 and (y == 0).all() and qid.tolist() == list("aabbcc")
    pairs = pd.DataFrame({"brand_id": ["a", "z"], "account_id": [7, 8], "relevance": [1, 0]})
    with pytest.raises(ValueError, match=r"pairs row 1: brand_id = 'z' is not among the query ids"):
        make_queries({"t": np.eye(3)}, ["a", "b", "c"], {"t": np.ones((2, 3))}, [7, 8], pairs)
    pairs = pd.DataFrame({"brand_id": ["a", "a"], "account_id": [7, 7], "relevance": [1, 0]})
    with pytest.raises(ValueError, match="appears more than once"):
        make_queries({"t": np.eye(3)}, ["a", "b", "c"], {"t": np.ones((2, 3))}, [7, 8], pairs)
    pairs = pd.DataFrame({"brand_id": ["a"], "account_id": [7], "relevance": [-1]})
    with pytest.raises(ValueError, match="relevance must be a finite number >= 0"):
        make_queries({"t": np.eye(3)}, ["a", "b", "c"], {"t": np.ones((2, 3))}, [7, 8], pairs)
    with pytest.raises(ValueError, match="missing column"):
        make_queries({"t": np.eye(3)}, ["a", "b", "c"], {"t": np.ones((2, 3))}, [7, 8],
                     pairs.rename(columns={"relevance": "score"}))
    with pytest.raises(ValueError, match="query ids must be unique"):
        make_queries({"t": np.eye(2)}, ["a", "a"], {"t": np.ones((2, 2))}, [7, 8], pairs)
    with pytest.raises(ValueError, match="same modalities"):
        QueryCandidates({"t": np.eye(2)}, {"u": np.eye(2)}, [0], [0])
    with pytest.raises(ValueError, match=r"candidate_index\[0\] = 5"):
        QueryCandidates({"t": np.eye(2)}, {"t": np.eye(2)}, [0], [5])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=8), st.integers(1, 3),
       st.sampled_from(["mean", "weighted"]))
def test_pool_store_equals_the_per_account_loop(lengths, d, how):
    rng = np.random.default_rng(sum(lengths) + d)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    values = rng.normal(size=(offsets[-1], d))
    mask = rng.random(offsets[-1]) > 0.2
    weight = rng.uniform(0, 3, offsets[-1])
    store = _Ragged(values, offsets, mask, {"engagement": weight})
    got = pool_store(store, how, weight="engagement")
    for i in range(len(lengths)):
        a, b = offsets[i], offsets[i + 1]
        w = mask[a:b] * (weight[a:b] if how == "weighted" else 1.0)
        expected = (values[a:b] * w[:, None]).sum(0) / w.sum() if w.sum() > 0 else np.zeros(d)
        np.testing.assert_allclose(got[i], expected, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------- BoostedRanker


def test_boosted_equals_raw_lgbm_ranker_on_grouped_rows_and_ignores_row_order():
    import lightgbm as lgb

    from skinfluence.ranking._boosted import _query_order

    X, y, qid = bilinear_task()
    Z = X.pair_features()
    ours = BoostedRanker(n_estimators=30, random_state=0).fit(X, y)
    # the peer on the same rows, grouped by query in the ranker's own order
    _, codes = np.unique(qid, return_inverse=True)
    order = _query_order(X, Z, codes)
    raw = lgb.LGBMRanker(n_estimators=30, learning_rate=0.05, num_leaves=31,
                         min_child_samples=20, deterministic=True, force_row_wise=True,
                         n_jobs=1, verbose=-1, random_state=0,
                         label_gain=list(2.0 ** np.arange(31) - 1))
    raw.fit(Z[order], y[order].astype(int), group=np.bincount(codes[order]))
    np.testing.assert_allclose(ours.predict(X), raw.predict(Z), rtol=1e-6, atol=1e-9)
    # rows in another order: the same model (LGBMRanker itself would change)
    perm = np.random.default_rng(3).permutation(len(y))
    again = BoostedRanker(n_estimators=30, random_state=0).fit(X[perm], y[perm])
    np.testing.assert_allclose(again.predict(X), ours.predict(X), rtol=1e-6, atol=1e-9)


def test_boosted_in_grid_search_with_group_kfold_and_routing():
    X, y, qid = bilinear_task(30, 60)
    with sklearn.config_context(enable_metadata_routing=True):
        ranker = BoostedRanker(random_state=0).set_fit_request(qid=True).set_score_request(qid=True)
        search = GridSearchCV(ranker, {"num_leaves": [3, 15], "n_estimators": [10, 40]},
                              cv=GroupKFold(3), scoring=make_ranking_scorer("ndcg", k=10))
        search.fit(X, y, qid=qid, groups=qid)
        res = cross_validate(ranker, X, y, cv=GroupKFold(3),
                             params={"qid": qid, "groups": qid})  # the estimator's own score
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert 0 < res["test_score"].mean() <= 1


def test_score_refuses_arrays_without_qid():
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    ranker = BoostedRanker(n_estimators=3, min_child_samples=2).fit(Z, y, qid=np.arange(40) // 10)
    with pytest.raises(ValueError, match="needs qid"):
        ranker.score(Z, y)
    assert 0 <= ranker.score(Z, y, qid=np.arange(40) // 10) <= 1


def test_competence_scores_become_grades_per_query():
    from skinfluence.ranking._query_ranker import grades

    qid = np.array([0, 0, 0, 0, 1, 1])
    g = grades(np.array([0.1, 0.9, 0.5, 0.2, 3.0, -1.0]), qid, 4)
    assert g.tolist() == [0, 3, 2, 1, 3, 1]
    assert grades(np.array([0, 2, 1]), np.zeros(3), 4).tolist() == [0, 2, 1]


# ------------------------------------------------------------------ ListwiseRanker

SMALL = dict(hidden_size=16, embedding_size=8, max_epochs=3, device="cpu", random_state=0)


@pytest.fixture(scope="module")
def fitted_listwise():
    X, y, qid = bilinear_task(20, 40)
    return ListwiseRanker(**SMALL).fit(X, y), X, y, qid


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_listwise_rows_are_scored_independently(fitted_listwise, data):
    ranker, X, _, _ = fitted_listwise
    rows = np.array(data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=30)))
    full = ranker.predict(X)
    # a query's scores do not depend on the other rows or queries, nor on the row order
    np.testing.assert_allclose(ranker.predict(X[rows]), full[rows], rtol=1e-5, atol=1e-6)


def test_listwise_learns_unseen_brands_better_than_chance():
    X, y, qid = bilinear_task(60, 150, seed=1)
    train = np.flatnonzero(pd.Series(qid).str[1:].astype(int).to_numpy() < 45)
    test = np.setdiff1d(np.arange(len(X)), train)
    ranker = ListwiseRanker(hidden_size=32, embedding_size=16, max_epochs=25, lr=3e-3,
                            device="cpu", random_state=0).fit(X[train], y[train])
    auc = query_auc(y[test], ranker.predict(X[test]), qid=qid[test])
    assert auc > 0.75


@pytest.mark.parametrize("params", [
    {"fusion": "concat"}, {"loss": "listmle"}, {"sampling": "full"}, {"k": 2},
    {"lists_per_positive": 2}, {"shared_towers": True}, {"residual_similarity": True},
])
def test_listwise_variants_fit_and_predict(params):
    X, y, _ = bilinear_task(10, 20)
    out = ListwiseRanker(**SMALL, **params).fit(X, y).predict(X)
    assert out.shape == (len(X),) and np.isfinite(out).all()


def test_listwise_bilinear_fusion_and_attention_over_posts():
    rng = np.random.default_rng(0)
    n_b, n_c, d = 8, 20, 4

    def ragged(n, seed):
        r = np.random.default_rng(seed)
        lengths = r.integers(0, 5, n)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        vals = r.normal(size=(offsets[-1], d))
        return _Ragged(vals, offsets, extras={"engagement": r.uniform(0, 2, offsets[-1])})

    queries = {"text": ragged(n_b, 1), "image": ragged(n_b, 2)}
    cands = {"text": ragged(n_c, 3), "image": ragged(n_c, 4)}
    pairs = pd.DataFrame({"brand_id": np.repeat(np.arange(n_b), n_c),
                          "account_id": np.tile(np.arange(n_c), n_b),
                          "relevance": rng.integers(0, 2, n_b * n_c)})
    X, y, qid = make_queries(queries, np.arange(n_b), cands, np.arange(n_c), pairs)
    for pooling in ("mean", "weighted", "attention"):
        ranker = ListwiseRanker(**SMALL, pooling=pooling, max_posts=3).fit(X, y)
        assert np.isfinite(ranker.predict(X)).all()
    weights = ranker.attention_weights(X)
    lengths = np.minimum(np.diff(cands["text"].offsets), 3)
    assert [len(w) for w in weights["text"]] == lengths.tolist()
    for w in weights["text"]:
        if len(w):
            assert w.sum() == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="needs per-post features"):
        X2, y2, _ = bilinear_task(4, 5)
        ListwiseRanker(**SMALL, pooling="attention").fit(X2, y2)


def test_listwise_in_grid_search_by_brand():
    X, y, qid = bilinear_task(12, 20)
    with sklearn.config_context(enable_metadata_routing=True):
        ranker = ListwiseRanker(**SMALL).set_fit_request(qid=True)
        search = GridSearchCV(ranker, {"fusion": ["bilinear", "concat"], "k": [2, 4]},
                              cv=GroupKFold(2), scoring=make_ranking_scorer("recall", k=5))
        search.fit(X, y, qid=qid, groups=qid)
    assert len(search.cv_results_["params"]) == 4


def test_listwise_pickle_round_trip(fitted_listwise):
    ranker, X, _, _ = fitted_listwise
    again = pickle.loads(pickle.dumps(ranker))
    np.testing.assert_allclose(again.predict(X), ranker.predict(X))
    assert again.device_ == "cpu" and len(again.history_) == ranker.n_iter_


def test_listwise_top_k_lists_each_brands_best_candidates(fitted_listwise):
    ranker, X, _, qid = fitted_listwise
    top = ranker.top_k(X, k=3)
    assert (top.groupby("query").size() == 3).all()
    scores = ranker.predict(X)
    for query, rows in top.groupby("query"):
        best = np.sort(scores[qid == query])[::-1][:3]
        np.testing.assert_allclose(rows["score"].to_numpy(), best, rtol=1e-6)
        assert rows["candidate"].tolist() == X.candidate_ids[
            X.candidate_index[rows["row"].to_numpy()]].tolist()


def test_listwise_errors_are_clear():
    X, y, _ = bilinear_task(4, 5)
    with pytest.raises(TypeError, match="takes X as a QueryCandidates"):
        ListwiseRanker(**SMALL).fit(np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match="row 2 has -1.0"):
        bad = y.copy()
        bad[2] = -1
        ListwiseRanker(**SMALL).fit(X, bad)
    with pytest.raises(ValueError, match="The 'fusion' parameter of ListwiseRanker"):
        ListwiseRanker(fusion="sum").fit(X, y)
    with pytest.raises(ValueError, match="has none"):
        ListwiseRanker(**SMALL).fit(X, np.zeros(len(X)))


# --------------------------------------------------------------- losses and lists


def test_listnet_and_listmle_equal_their_definitions():
    from skinfluence.ranking._mir_module import listmle_loss, listnet_loss

    scores = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.3, 0.1, 0.0, 0.0]])
    target = torch.tensor([[1.0, 0.0, 1.0, 0.0], [2.0, 0.0, 1.0, 0.0]])
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    s, t, m = scores.numpy(), target.numpy(), mask.numpy()
    expected = []
    for i in range(2):
        si, ti = s[i][m[i]], t[i][m[i]]
        logp = si - np.log(np.exp(si).sum())
        expected.append(-(ti / ti.sum() * logp).sum())
    assert float(listnet_loss(scores, target, mask)) == pytest.approx(np.mean(expected), rel=1e-5)
    # ListMLE with distinct relevances: the order is fixed (row 0: 2, 1, then ties 1/0 broken)
    scores = torch.tensor([[0.2, 1.0, -0.5]])
    target = torch.tensor([[2.0, 1.0, 0.0]])
    mask = torch.ones(1, 3, dtype=torch.bool)
    s = scores.numpy()[0]
    ll = sum(s[i] - np.log(np.exp(s[i:]).sum()) for i in range(3))
    assert float(listmle_loss(scores, target, mask)) == pytest.approx(-ll, rel=1e-5)


def test_k_bucket_lists_contrast_levels_of_fit():
    from skinfluence.ranking._mir_module import ListDataset

    # one query, 13 rows: 1 positive and 12 others of relevance 0.12 .. 0.01 (competence)
    y = np.array([1.0] + [0.01 * (12 - i) for i in range(12)])
    rows_seen = []
    ds = ListDataset(np.zeros(13, dtype=int), np.arange(13), y * (y >= 1), np.zeros(13, int),
                     gather_query=lambda i: {"t": torch.zeros(len(i), 1)},
                     gather_candidates=lambda i: (rows_seen.append(i), {"t": torch.zeros(len(i), 1)})[1],
                     sampling="k-buckets", k=4, lists_per_positive=1, seed=0)
    assert len(ds) == 1  # one list per positive
    ds.y = y.astype(np.float32)  # graded competence for the buckets
    for _ in range(20):
        rows_seen.clear()
        X, target = ds.__getitems__([0])
        chosen = rows_seen[0]
        assert chosen[0] == 0 and len(chosen) == 4  # the positive first, then k - 1 others
        # one from each third of the others ranked by competence: (1-4), (5-8), (9-12)
        assert 1 <= chosen[1] <= 4 and 5 <= chosen[2] <= 8 and 9 <= chosen[3] <= 12
        np.testing.assert_allclose(target.numpy()[0], y[chosen], rtol=1e-6)


def test_pipeline_passes_qid_to_the_ranker():
    X, y, qid = bilinear_task(10, 20)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(BoostedRanker(n_estimators=5, random_state=0)
                             .set_fit_request(qid=True).set_score_request(qid=True))
        pipe.fit(X, y, qid=qid)
        assert 0 <= pipe.score(X, y, qid=qid) <= 1


# ------------------------------------------------------------------------- split


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30)), min_size=3, max_size=60,
                unique=True), st.integers(0, 1000))
def test_unseen_split_keeps_test_brands_and_candidates_unseen(pairs, seed):
    pos = pd.DataFrame(pairs, columns=["brand_id", "account_id"])
    if pos["brand_id"].nunique() < 2:
        return
    s = unseen_split(pos, test_size=1, random_state=seed)
    assert not set(s.train_queries) & set(s.test_queries)
    assert not set(s.train_candidates) & set(s.test_candidates)
    # every positive of a test brand is a test candidate
    assert set(pos.loc[pos.brand_id.isin(s.test_queries), "account_id"]) == set(s.test_candidates)
    kept = pos[pos.brand_id.isin(s.train_queries) & pos.account_id.isin(s.train_candidates)]
    assert len(kept) + s.n_dropped_pairs == pos.brand_id.isin(s.train_queries).sum()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30)), min_size=3, max_size=60,
                unique=True), st.integers(0, 1000), st.integers(0, 6))
def test_split_pairs_trains_on_seen_pairs_and_tests_the_full_unseen_grid(pairs, seed, n_neg):
    pos = pd.DataFrame(pairs, columns=["brand_id", "account_id"])
    pos["grade"] = 1.0 + np.arange(len(pos)) % 3
    assume_two = pos["brand_id"].nunique() >= 2
    if not assume_two:
        with pytest.raises(ValueError, match="test_size"):
            unseen_split(pos, test_size=1, random_state=seed)
        return
    s = unseen_split(pos, test_size=1, random_state=seed)
    out = split_pairs(pos, s, negatives=n_neg, relevance="grade", random_state=seed)
    train, test = out.train, out.test
    assert set(train.brand_id) <= set(s.train_queries)
    assert set(train.account_id) <= set(s.train_candidates)
    assert not train.duplicated(["brand_id", "account_id"]).any()
    truth = dict(zip(zip(pos.brand_id, pos.account_id, strict=True), pos.grade, strict=True))
    for b, c, r in train.itertuples(index=False):
        assert r == truth.get((b, c), 0.0)  # positives keep their grade; negatives are not
    for b in s.train_queries:  # each training query gets its negatives when there are enough
        mine = train[train.brand_id == b]
        free = len(set(s.train_candidates) - {c for q, c in truth if q == b})
        assert (mine.relevance == 0).sum() == min(n_neg, free)
    # the test grid: every test query x every test candidate, positives marked
    assert len(test) == len(s.test_queries) * len(s.test_candidates)
    assert not test.duplicated(["brand_id", "account_id"]).any()
    marked = {(b, c) for b, c, r in test.itertuples(index=False) if r == 1.0}
    assert marked == {(b, c) for b, c in truth if b in set(s.test_queries)}


def test_split_pairs_errors_name_the_problem():
    pos = pd.DataFrame({"brand_id": [0, 0, 1, 2], "account_id": [1, 2, 3, 4],
                        "grade": [1.0, 0.0, 2.0, 1.0]})
    s = unseen_split(pos, test_size=1, random_state=0)
    with pytest.raises(ValueError, match=r"row 1 \(column 'grade'\) has 0.0"):
        split_pairs(pos, s, relevance="grade")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['score'\]"):
        split_pairs(pos, s, relevance="score")
    with pytest.raises(TypeError, match="Bunch returned by unseen_split"):
        split_pairs(pos, {"test_queries": [0]})
    with pytest.raises(ValueError, match="negatives"):
        split_pairs(pos, s, negatives=-1)


def test_cosine_equals_sklearn_per_row_in_any_row_order():
    from sklearn.metrics.pairwise import cosine_similarity

    rng = np.random.default_rng(0)
    brands = {"text": rng.normal(size=(5, 4)), "image": rng.normal(size=(5, 3))}
    creators = {"text": rng.normal(size=(9, 4)), "image": rng.normal(size=(9, 3))}
    creators["text"][2] = 0.0
    creators["image"][2] = 0.0  # an account without features: similarity 0, not NaN
    qi, ci = rng.integers(0, 5, 40), rng.integers(0, 9, 40)
    X = QueryCandidates(brands, creators, qi, ci)
    full = cosine_similarity(np.hstack([brands["text"], brands["image"]]),
                             np.hstack([creators["text"], creators["image"]]))
    np.testing.assert_allclose(X.cosine(), full[qi, ci], atol=1e-6)
    assert (X.cosine()[ci == 2] == 0).all()
    perm = rng.permutation(40)
    np.testing.assert_allclose(X[perm].cosine(), X.cosine()[perm], atol=1e-12)


def test_unseen_split_on_the_real_mir_pairs(shared_data):
    pos = pd.read_csv(shared_data("brand_micro_influencer") / "pre_dataset.csv")
    s = unseen_split(pos, query="brand", candidate="micro_influencer", test_size=74,
                     random_state=0)
    assert len(s.test_queries) == 74 and len(s.train_queries) == 286
    assert 600 < len(s.test_candidates) < 1000  # the paper's split has 790


def test_shared_towers_share_weights_and_residual_starts_from_cosine():
    X, y, _ = bilinear_task(10, 20)
    shared = ListwiseRanker(**SMALL, shared_towers=True).fit(X, y).net_.module_
    assert shared.query_tower is shared.candidate_tower
    two = ListwiseRanker(**SMALL).fit(X, y).net_.module_
    assert two.query_tower is not two.candidate_tower
    # with the towers' output zeroed, the residual model scores by cosine similarity
    ranker = ListwiseRanker(**SMALL, residual_similarity=True).fit(X, y)
    for tower in (ranker.net_.module_.query_tower, ranker.net_.module_.candidate_tower):
        for proj in tower.proj.values():
            torch.nn.init.zeros_(proj[-1].weight)
            torch.nn.init.zeros_(proj[-1].bias)
    q, c = X.pooled()
    cos = (q[X.query_index] * c[X.candidate_index]).sum(1) / (
        np.linalg.norm(q[X.query_index], axis=1) * np.linalg.norm(c[X.candidate_index], axis=1))
    scale = float(ranker.net_.module_.residual_scale.detach())
    np.testing.assert_allclose(ranker.predict(X), scale * cos, rtol=1e-4, atol=1e-5)


def test_boosted_lightgbm_errors_name_the_ranker(monkeypatch):
    # before: LightGBM's own error (a C++ check and a source line) came through as it was
    lgb = pytest.importorskip("lightgbm")
    X, y, _ = bilinear_task()
    with pytest.raises(ValueError, match=r"'num_leaves' parameter of BoostedRanker must be an int "
                                         r"in the range \[2, 131072\]"):
        BoostedRanker(num_leaves=200_000).fit(X, y)
    cause = lgb.basic.LightGBMError("Check failed: (something)")

    def fail(*args, **kwargs):
        raise cause

    monkeypatch.setattr(lgb, "train", fail)
    with pytest.raises(ValueError, match=r"LightGBM could not train BoostedRanker's model") as info:
        BoostedRanker(n_estimators=3).fit(X, y)
    assert info.value.__cause__ is cause
