"""Per-query ranking metrics against independent references, and their scorers."""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import ndcg_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from skinfluence.metrics import (
    category_auc,
    make_ranking_scorer,
    mean_reciprocal_rank,
    median_rank,
    ndcg_at_k,
    precision_at_k,
    query_auc,
    recall_at_k,
)

# ---------------------------------------------------------------- references (loops)


def _queries(y, s, qid):
    for q in np.unique(qid):
        m = qid == q
        yield np.asarray(y)[m], np.asarray(s)[m]


def _ranked(y, s):
    order = np.argsort(-s, kind="stable")  # ties: the first row ranks higher
    return y[order]


def ref_recall(y, s, qid, k):
    vals = [(_ranked(yq, sq)[:k] > 0).sum() / (yq > 0).sum() for yq, sq in _queries(y, s, qid)
            if (yq > 0).any()]
    return np.mean(vals)


def ref_precision(y, s, qid, k):
    vals = [(_ranked(yq, sq)[:k] > 0).sum() / k for yq, sq in _queries(y, s, qid) if (yq > 0).any()]
    return np.mean(vals)


def ref_first_rank(y, s, qid):
    return [int(np.flatnonzero(_ranked(yq, sq) > 0)[0]) + 1 for yq, sq in _queries(y, s, qid)
            if (yq > 0).any()]


def ref_ndcg_linear(y, s, qid, k):
    # sklearn refuses one-candidate lists; their NDCG is 1 when the candidate is relevant
    vals = [ndcg_score([yq], [sq], k=k) if len(yq) > 1 else 1.0
            for yq, sq in _queries(y, s, qid) if (yq > 0).any()]
    return np.mean(vals)


def ref_auc(y, s, qid):
    vals = [roc_auc_score(yq > 0, sq) for yq, sq in _queries(y, s, qid)
            if 0 < (yq > 0).sum() < len(yq)]
    return np.mean(vals)


# ------------------------------------------------------------------- data strategies


@st.composite
def ranking_data(draw, graded=False, ties=False):
    n_queries = draw(st.integers(1, 6))
    sizes = draw(st.lists(st.integers(1, 12), min_size=n_queries, max_size=n_queries))
    n = sum(sizes)
    qid = np.repeat(np.arange(n_queries) * 7 + 3, sizes)
    rel = st.integers(0, 3) if graded else st.integers(0, 1)
    y = np.array(draw(st.lists(rel, min_size=n, max_size=n)), dtype=float)
    score = st.integers(0, 4).map(float) if ties else st.floats(-1e3, 1e3, allow_nan=False)
    s = np.array(draw(st.lists(score, min_size=n, max_size=n, unique=not ties)), dtype=float)
    perm = np.array(draw(st.permutations(range(n))))
    return y[perm], s[perm], qid[perm]


def _has_positive(y, qid):
    return any((yq > 0).any() for yq, _ in _queries(y, y, qid))


@settings(max_examples=60, deadline=None)
@given(ranking_data(), st.integers(1, 15))
def test_recall_precision_mrr_medr_equal_the_loop_reference(data, k):
    y, s, qid = data
    if not _has_positive(y, qid):
        return
    assert recall_at_k(y, s, qid=qid, k=k) == pytest.approx(ref_recall(y, s, qid, k))
    assert precision_at_k(y, s, qid=qid, k=k) == pytest.approx(ref_precision(y, s, qid, k))
    first = ref_first_rank(y, s, qid)
    assert mean_reciprocal_rank(y, s, qid=qid) == pytest.approx(np.mean(1 / np.array(first)))
    assert median_rank(y, s, qid=qid) == pytest.approx(np.median(first))


@settings(max_examples=60, deadline=None)
@given(ranking_data(graded=True, ties=True), st.one_of(st.none(), st.integers(1, 15)))
def test_ndcg_linear_equals_sklearn_per_query_with_ties(data, k):
    y, s, qid = data
    if not _has_positive(y, qid):
        return
    got = ndcg_at_k(y, s, qid=qid, k=k, gain="linear")
    assert got == pytest.approx(ref_ndcg_linear(y, s, qid, k))


@settings(max_examples=60, deadline=None)
@given(ranking_data(graded=True, ties=True))
def test_ndcg_exponential_equals_sklearn_on_exponential_gains(data):
    # NDCG with gain 2**rel - 1 is linear NDCG of the transformed relevances
    y, s, qid = data
    if not _has_positive(y, qid):
        return
    got = ndcg_at_k(y, s, qid=qid, k=5)
    assert got == pytest.approx(ref_ndcg_linear(2.0**y - 1, s, qid, 5))


@settings(max_examples=60, deadline=None)
@given(ranking_data(ties=True))
def test_auc_equals_roc_auc_score_per_query_with_ties(data):
    y, s, qid = data
    if not any(0 < (yq > 0).sum() < len(yq) for yq, _ in _queries(y, s, qid)):
        return
    assert query_auc(y, s, qid=qid) == pytest.approx(ref_auc(y, s, qid))


@settings(max_examples=40, deadline=None)
@given(ranking_data(graded=True, ties=True), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_for_order_free_metrics(data, rnd):
    y, s, qid = data
    perm = np.array(rnd.sample(range(len(y)), len(y)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for metric in (ndcg_at_k, query_auc):
            a = metric(y, s, qid=qid, per_query=True)
            b = metric(y[perm], s[perm], qid=qid[perm], per_query=True)
            np.testing.assert_allclose(a, b, equal_nan=True)


def test_category_auc_restricts_negatives_to_the_category():
    y = np.array([1, 0, 0, 0, 1, 0, 0])
    s = np.array([0.5, 0.9, 0.1, 0.4, 0.2, 0.3, 0.1])
    qid = np.array([0, 0, 0, 0, 1, 1, 1])
    same = np.array([False, False, True, True, True, True, False])
    # query 0: positive 0.5 vs in-category negatives 0.1, 0.4 -> 1.0 (0.9 is out of category)
    # query 1: positive 0.2 vs in-category negative 0.3 -> 0.0
    np.testing.assert_allclose(category_auc(y, s, qid=qid, same_category=same, per_query=True),
                               [1.0, 0.0])
    np.testing.assert_allclose(query_auc(y, s, qid=qid, per_query=True), [2 / 3, 0.5])


def test_undefined_queries_are_skipped_and_reported():
    y = np.array([0, 0, 1, 0])
    s = np.array([0.1, 0.2, 0.3, 0.4])
    qid = np.array(["a", "a", "b", "b"])
    per = recall_at_k(y, s, qid=qid, k=1, per_query=True)
    assert np.isnan(per[0]) and per[1] == 0.0
    assert recall_at_k(y, s, qid=qid, k=1) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="no query defines"):
        assert np.isnan(median_rank(np.zeros(3), [1, 2, 3], qid=[0, 0, 1]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"qid": None}, "needs qid"),
        ({"qid": [0, 0]}, "y_true has 3 rows but qid has 2"),
        ({"qid": [0, 0, 0], "k": 0}, "k must be a positive integer"),
    ],
)
def test_errors_say_what_is_wrong(kwargs, match):
    with pytest.raises(ValueError, match=match):
        recall_at_k([1, 0, 0], [0.1, 0.2, 0.3], **kwargs)


def test_errors_name_the_bad_row():
    with pytest.raises(ValueError, match="row 1 has -1"):
        ndcg_at_k([1, -1], [0.1, 0.2], qid=[0, 0])
    with pytest.raises(ValueError, match="non-finite value at row 0"):
        query_auc([1, 0], [np.nan, 0.2], qid=[0, 0])


# ---------------------------------------------------------------- the real test grid


@pytest.mark.shared_data
def test_real_mir_test_grid_random_and_oracle_scores(shared_data):
    grid = pd.read_csv(shared_data("brand_micro_influencer") / "test_set.csv")
    y, qid = grid["label"].to_numpy(), grid["brand"].to_numpy()
    assert grid["brand"].nunique() == 74 and grid["micro_influencer"].nunique() == 790
    assert y.sum() == 816
    # the labels as scores: perfect
    assert query_auc(y, y + 0.0, qid=qid) == 1.0
    assert median_rank(y, y + 0.0, qid=qid) == 1.0
    assert recall_at_k(y, y + 0.0, qid=qid, k=50) == 1.0
    # random scores: near chance (R@10 = 10/790, R@50 = 50/790, MedR about 50)
    rng = np.random.default_rng(0)
    draws = [rng.random(len(y)) for _ in range(20)]
    auc = np.mean([query_auc(y, s, qid=qid) for s in draws])
    r10 = np.mean([recall_at_k(y, s, qid=qid, k=10) for s in draws])
    r50 = np.mean([recall_at_k(y, s, qid=qid, k=50) for s in draws])
    medr = np.mean([median_rank(y, s, qid=qid) for s in draws])
    assert abs(auc - 0.5) < 0.01
    assert abs(r10 - 10 / 790) < 0.005 and abs(r50 - 50 / 790) < 0.01
    assert 40 < medr < 62


# ------------------------------------------------------------------------ scorers


class _ScoreFeature(RegressorMixin, BaseEstimator):
    """Predicts ``X[:, column] * sign``: a stand-in ranker with one hyper-parameter."""

    def __init__(self, column=0, sign=1.0):
        self.column = column
        self.sign = sign

    def fit(self, X, y, qid=None):
        self.qid_seen_ = None if qid is None else np.asarray(qid)
        return self

    def predict(self, X):
        return np.asarray(X)[:, self.column] * self.sign


def _toy(n_queries=12, size=15, seed=0):
    rng = np.random.default_rng(seed)
    qid = np.repeat(np.arange(n_queries), size)
    y = rng.integers(0, 3, len(qid)).astype(float)
    X = np.column_stack([y + rng.normal(0, 0.5, len(y)), rng.normal(size=len(y))])
    perm = rng.permutation(len(y))
    return X[perm], y[perm], qid[perm]


def test_scorer_in_grid_search_receives_the_fold_qids():
    X, y, qid = _toy()
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_ranking_scorer("ndcg", k=5)
        est = _ScoreFeature().set_fit_request(qid=True)
        search = GridSearchCV(est, {"column": [0, 1], "sign": [1.0, -1.0]}, cv=GroupKFold(3),
                              scoring=scorer)
        search.fit(X, y, qid=qid, groups=qid)
    assert search.best_params_ == {"column": 0, "sign": 1.0}
    # the search's score equals the metric computed by hand on each test fold
    folds = list(GroupKFold(3).split(X, y, groups=qid))
    by_hand = [ndcg_at_k(y[te], X[te, 0], qid=qid[te], k=5) for _, te in folds]
    assert search.cv_results_["mean_test_score"][search.best_index_] == pytest.approx(np.mean(by_hand))


def test_scorer_with_qid_aliased_to_groups_and_negated_medr():
    X, y, qid = _toy()
    with sklearn.config_context(enable_metadata_routing=True):
        res = cross_validate(_ScoreFeature(), X, y, params={"groups": qid}, cv=GroupKFold(3),
                             scoring={"medr": make_ranking_scorer("medr", qid="groups"),
                                      "r5": make_ranking_scorer("recall", k=5, qid="groups")})
    assert (res["test_medr"] <= -1).all()  # negated: greater is better
    assert ((0 <= res["test_r5"]) & (res["test_r5"] <= 1)).all()


def test_scorer_without_routing_refuses_to_pool_the_fold():
    X, y, qid = _toy()
    with pytest.raises(ValueError, match="received no qid"):
        cross_validate(_ScoreFeature(), X, y, groups=qid, cv=GroupKFold(3),
                       scoring=make_ranking_scorer("ndcg"), error_score="raise")


def test_make_ranking_scorer_errors():
    with pytest.raises(ValueError, match="metric must be one of"):
        make_ranking_scorer("map")
    with pytest.raises(ValueError, match="takes no k"):
        make_ranking_scorer("auc", k=3)
