"""PairwiseRanker and make_pairs: contract, antisymmetry, strengths, global score, real data."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import kendalltau
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skinfluence.exceptions import AccountFrameError
from skinfluence.ranking import PAIR_FEATURES, PairwiseRanker, make_pairs

FAST = {"n_estimators": 20, "n_jobs": 1, "random_state": 0}


def swap_array(X):
    k = X.shape[1] // 2
    return np.hstack([X[:, k:], X[:, :k]])


def swap_frame(X, prefixes=("A_", "B_")):
    pa, pb = prefixes

    def rename(c):
        if c.startswith(pa):
            return pb + c[len(pa):]
        return pa + c[len(pb):]

    return X.rename(columns=rename)[list(X.columns)]


def make_bt_pairs(n_accounts=120, n_pairs=1500, n_features=3, latent=1.0, seed=0):
    """Pairs of accounts with a Bradley-Terry outcome: strength = features + a latent part."""
    rng = np.random.default_rng(seed)
    feats = rng.lognormal(3, 1.5, (n_accounts, n_features))
    hidden = latent * rng.normal(size=n_accounts)
    strength = np.log1p(feats) @ np.linspace(1, 0.2, n_features) / 2 + hidden
    a = rng.integers(0, n_accounts, n_pairs)
    b = (a + rng.integers(1, n_accounts, n_pairs)) % n_accounts
    y = (rng.random(n_pairs) < 1 / (1 + np.exp(-(strength[a] - strength[b])))).astype(int)
    names = [f"f{i}" for i in range(n_features)]
    items = pd.DataFrame(feats, columns=names)
    items.insert(0, "account_id", [f"acc{i:03d}" for i in range(n_accounts)])
    pairs = np.column_stack([items["account_id"].to_numpy()[a], items["account_id"].to_numpy()[b]])
    return items, pairs, y, strength


@pytest.fixture(scope="module")
def bt_data():
    items, pairs, y, strength = make_bt_pairs()
    return items, make_pairs(items, pairs), y, strength


# ------------------------------------------------------------------- registration
# (the shared scikit-learn and skinfluence checks run for every component in test_common.py)

INSTANCES = [PairwiseRanker(**p) for p in PairwiseRanker.get_test_params()]


@pytest.mark.parametrize("estimator", INSTANCES, ids=repr)
def test_expected_check_failures_give_reasons(estimator):
    for check, reason in estimator._expected_failed_checks().items():
        assert check.startswith("check_") and len(reason) > 40


def test_registered_as_ranker_and_lazy():
    code = textwrap.dedent("""
        import sys
        import skinfluence.ranking
        from skinfluence.ranking import PairwiseRanker
        from skinfluence.registry import get_component
        PairwiseRanker(); PairwiseRanker.get_test_params()
        print("lightgbm" in sys.modules, get_component("PairwiseRanker").kind)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "ranker"]


# ------------------------------------------------- what the odd-width xfails skip


def random_pairs(n=80, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.lognormal(2, 2, (n, 2 * k))
    X[rng.random(X.shape) < 0.15] = 0.0
    y = (np.log1p(X[:, 0]) - np.log1p(X[:, k]) + rng.normal(0, 1, n) > 0).astype(int)
    return X, y


@pytest.mark.parametrize("params", [FAST, {"estimator": LogisticRegression(), "features": "logdiff"},
                                    {**FAST, "features": ["ratio", "raw"], "strengths": True}])
def test_pair_array_properties(params):
    X, y = random_pairs()
    est = PairwiseRanker(**params)
    before = est.get_params()
    est.fit(X, y)
    assert est.get_params() == before  # fit leaves the parameters alone
    proba = est.predict_proba(X)
    # pickle, float32 and int input, subset and order invariance
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), proba)
    np.testing.assert_allclose(est.predict_proba(X.astype(np.float32)),
                               est.predict_proba(X.astype(np.float32).astype(np.float64)))
    est.fit(np.round(X).astype(np.int64), y).predict(np.round(X).astype(np.int64))
    est.fit(X, y)
    rows = np.array([7, 3, 50, 0, 12])
    np.testing.assert_array_equal(est.predict_proba(X[rows]), proba[rows])
    order = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_array_equal(est.predict_proba(X[order]), proba[order])
    np.testing.assert_array_equal(est.predict(X), est.classes_[(proba[:, 1] > 0.5).astype(int)])
    # errors: NaN / inf, 1-D input, odd width, wrong width at predict
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(est).fit(bad, y)
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.predict(bad)
    with pytest.raises(ValueError, match="2D array"):
        est.predict(X[0])
    with pytest.raises(ValueError, match="even number"):
        clone(est).fit(X[:, :5], y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :4])


def test_string_labels_and_classes():
    X, y = random_pairs()
    labels = np.where(y == 1, "A", "B")  # classes_ sorted: ["A", "B"]: "B" = A wins here
    est = PairwiseRanker(**FAST).fit(X, labels)
    assert est.classes_.tolist() == ["A", "B"]
    np.testing.assert_array_equal(est.predict(X) == "B", est.decision_function(X) > 0)
    with pytest.raises(ValueError, match="Only binary"):
        PairwiseRanker(**FAST).fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="one class"):
        PairwiseRanker(**FAST).fit(X, np.ones(len(X)))
    with pytest.raises(ValueError, match="non-zero sample_weight"):
        PairwiseRanker(**FAST).fit(X, y, sample_weight=(y == 1).astype(float))


@pytest.mark.parametrize("param, value", [
    ("features", "log"), ("features", []), ("features", ["raw", "raw"]),
    ("prefixes", ("A_", "A_x")), ("prefixes", "AB"), ("strengths", "yes"),
    ("strength_alpha", 0.0), ("strength_cv", 1), ("n_estimators", 0), ("learning_rate", -1.0),
    ("subsample", 1.5), ("num_leaves", 1), ("estimator", "lgbm"), ("id_column", ""),
    ("max_depth", 2.5), ("n_jobs", "all"), ("reg_lambda", -1.0), ("colsample_bytree", 0.0),
    ("random_state", "seed"), ("features", ["item", "nope"]),
])
def test_parameter_errors(param, value):
    X, y = random_pairs(20)
    with pytest.raises(ValueError, match=f"The '{param}' parameter of PairwiseRanker must be"):
        PairwiseRanker(**{param: value}).fit(X, y)


# ------------------------------------------------------------------- antisymmetry

pair_data = st.integers(1, 4).flatmap(lambda k: st.integers(6, 40).flatmap(lambda n: st.tuples(
    arrays(np.float64, (n, 2 * k), elements=st.one_of(
        st.just(0.0), st.floats(-1e3, 1e3), st.floats(0, 1e7, allow_subnormal=False))),
    arrays(np.int64, n, elements=st.integers(0, 1)),
)))


def _assert_antisymmetric(est, X, y):
    if len(np.unique(y)) < 2:
        y = np.r_[0, 1, y[2:]]
    est.fit(X, y)
    X_swapped = swap_array(X)
    p, q = est.predict_proba(X)[:, 1], est.predict_proba(X_swapped)[:, 1]
    assert (p == 1.0 - q).all(), np.max(np.abs(p - (1.0 - q)))
    assert (est.decision_function(X) == -est.decision_function(X_swapped)).all()
    assert (est.predict_proba(X)[:, 0] == est.predict_proba(X_swapped)[:, 1]).all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=pair_data, features=st.sampled_from(["item", "logdiff", "ratio", "raw",
                                                 ["item", "logdiff"]]),
       strengths=st.booleans())
def test_antisymmetric_lightgbm(data, features, strengths):
    X, y = data
    est = PairwiseRanker(n_estimators=8, min_child_samples=2, features=features,
                         strengths=strengths, strength_cv=2, n_jobs=1, random_state=0)
    _assert_antisymmetric(est, X, y)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=pair_data, features=st.sampled_from(list(PAIR_FEATURES)), strengths=st.booleans())
def test_antisymmetric_logistic_regression(data, features, strengths):
    X, y = data
    est = PairwiseRanker(LogisticRegression(max_iter=200), features=features,
                         strengths=strengths, strength_cv=2, random_state=0)
    _assert_antisymmetric(est, X, y)


def test_antisymmetric_frame_and_custom_prefixes():
    X, y = random_pairs()
    frame = pd.DataFrame(X, columns=[f"{s}{f}" for s in ("left.", "right.") for f in "abc"])
    est = PairwiseRanker(prefixes=("left.", "right."), **FAST).fit(frame, y)
    assert est.side_feature_names_.tolist() == ["a", "b", "c"]
    swapped = swap_frame(frame, ("left.", "right."))
    assert (est.predict_proba(frame)[:, 1] == 1 - est.predict_proba(swapped)[:, 1]).all()
    # the sides are found by name: B's columns may come in another order than A's
    shuffled = frame[["right.c", "left.a", "right.a", "left.b", "right.b", "left.c"]]
    est2 = clone(est).fit(shuffled, y)
    np.testing.assert_array_equal(est2.predict_proba(shuffled), est.predict_proba(frame))
    # the default prefixes do not match these columns: a clear error naming them
    with pytest.raises(ValueError, match=r"none of its columns start with neither prefix 'A_' nor 'B_' "
                                          r"\(X has the columns \['left\.a', "):
        PairwiseRanker(**FAST).fit(frame, y)
    # ... also when the frame has account ids (before: "'left.account_id' ... not numeric")
    with_ids = frame.assign(**{"left.account_id": "a", "right.account_id": "b"})
    with pytest.raises(AccountFrameError, match=r"prefixes \('A_', 'B_'\) do not match the columns"):
        PairwiseRanker(**FAST).fit(with_ids, y)
    # predict selects the columns by name, as fit does: any order works for both
    # (before: predict raised scikit-learn's "Feature names must be in the same order")
    np.testing.assert_array_equal(est2.predict_proba(frame), est.predict_proba(frame))
    np.testing.assert_array_equal(est.predict_proba(shuffled), est.predict_proba(frame))
    with pytest.raises(AccountFrameError, match=r"missing: \['right\.c'\]"):
        est.predict(frame.drop(columns="right.c"))


def test_frame_errors():
    X, y = random_pairs()
    frame = pd.DataFrame(X, columns=[f"{s}_{f}" for s in "AB" for f in "abc"])
    with pytest.raises(ValueError, match="'A_c' has no counterpart 'B_c'"):
        PairwiseRanker(**FAST).fit(frame.drop(columns="B_c"), y)
    with pytest.raises(ValueError, match=r"\['A_name', 'B_name'\] are not numeric"):
        PairwiseRanker(**FAST).fit(frame.assign(A_name="x", B_name="y"), y)
    with pytest.raises(ValueError, match="'A_account_id' but not 'B_account_id'"):
        PairwiseRanker(**FAST).fit(frame.assign(A_account_id="x"), y)


# ----------------------------------------------------------------------- make_pairs


def test_make_pairs():
    items = pd.DataFrame({"account_id": ["ann", "bob", "cy"], "followers": [10.0, 2e3, 300.0],
                          "posts": [1.0, 2.0, 3.0]})
    pairs = pd.DataFrame({"a": ["bob", "cy", "ann"], "b": ["ann", "bob", "cy"]}, index=[7, 8, 9])
    X = make_pairs(items, pairs)
    assert list(X.columns) == ["A_account_id", "B_account_id", "A_followers", "A_posts",
                               "B_followers", "B_posts"]
    assert list(X.index) == [7, 8, 9]
    assert X["A_followers"].tolist() == [2e3, 300.0, 10.0]
    assert X["B_posts"].tolist() == [1.0, 2.0, 3.0]
    # same result from the index, from an array of ids, and with other prefixes/features
    by_index = make_pairs(items.set_index("account_id"), pairs.to_numpy())
    np.testing.assert_array_equal(by_index.to_numpy(), X.to_numpy())
    X2 = make_pairs(items, pairs, prefixes=("p_", "q_"), features=["posts"], keep_ids=False)
    assert list(X2.columns) == ["p_posts", "q_posts"]


def test_make_pairs_errors():
    items = pd.DataFrame({"account_id": ["ann", "bob"], "followers": [10.0, 2e3]})
    with pytest.raises(ValueError, match=r"2 id\(s\) not in items\['account_id'\]: 'zed' \(rows A1\); 'yan' \(rows B0, B1\)"):
        make_pairs(items, [["ann", "yan"], ["zed", "yan"]])
    with pytest.raises(ValueError, match="itself at rows \\[1\\]"):
        make_pairs(items, [["ann", "bob"], ["bob", "bob"]])
    with pytest.raises(ValueError, match="duplicated ids in 'account_id': \\['ann'\\]"):
        make_pairs(pd.concat([items, items.iloc[:1]]), [["ann", "bob"]])
    with pytest.raises(ValueError, match="no column \\(or index\\) named 'user'"):
        make_pairs(items, [["ann", "bob"]], id_column="user")
    with pytest.raises(ValueError, match="exactly 2 columns"):
        make_pairs(items, pd.DataFrame({"a": ["ann"], "b": ["bob"], "y": [1]}))
    with pytest.raises(ValueError, match="shape \\(n_pairs, 2\\)"):
        make_pairs(items, ["ann", "bob"])
    with pytest.raises(ValueError, match="features \\['likes'\\] are not columns"):
        make_pairs(items, [["ann", "bob"]], features=["likes"])


# ------------------------------------------------------------ sklearn model selection


def test_pipeline_cv_and_searches(bt_data):
    _, X, y, _ = bt_data
    X = X.drop(columns=["A_account_id", "B_account_id"])
    pipe = make_pipeline(FunctionTransformer(lambda Z: Z * 2.0, feature_names_out="one-to-one"),
                         PairwiseRanker(**FAST))
    pipe.set_output(transform="pandas")
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    assert scores.min() > 0.75
    grid = GridSearchCV(PairwiseRanker(**FAST), {"num_leaves": [4, 15], "features": ["item", "raw"]},
                        cv=3, scoring="roc_auc").fit(X, y)
    assert set(grid.best_params_) == {"num_leaves", "features"} and grid.best_score_ > 0.75
    rand = RandomizedSearchCV(
        PairwiseRanker(LogisticRegression()),
        {"estimator__C": [0.1, 1.0, 10.0], "features": ["logdiff", "ratio"], "strengths": [False, True]},
        n_iter=3, cv=3, scoring="roc_auc", random_state=0).fit(X, y)
    assert rand.best_score_ > 0.75


@pytest.mark.filterwarnings("ignore:OptunaSearchCV is experimental")
@pytest.mark.filterwarnings("ignore:`optuna.terminator` module has been deprecated")
def test_bayesian_search_with_optuna(bt_data):
    """The tuned ranker of the benchmark: optuna-integration's OptunaSearchCV (extra "tune")."""
    optuna = pytest.importorskip("optuna", reason="the 'tune' extra (optuna) is not installed")
    oi = pytest.importorskip("optuna_integration", reason="optuna-integration is not installed")
    from optuna.distributions import FloatDistribution, IntDistribution

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _, X, y, _ = bt_data
    space = {"num_leaves": IntDistribution(4, 31, log=True),
             "learning_rate": FloatDistribution(0.02, 0.3, log=True)}
    search = oi.OptunaSearchCV(PairwiseRanker(**FAST), space, n_trials=4, cv=3, scoring="roc_auc",
                               random_state=0).fit(X, y)
    assert len(search.trials_) == 4
    assert 4 <= search.best_params_["num_leaves"] <= 31 and search.best_score_ > 0.75
    proba = search.predict_proba(swap_frame(X))[:, 1]
    np.testing.assert_allclose(proba, 1 - search.predict_proba(X)[:, 1], atol=1e-12)


# ------------------------------------------------------------------------ strengths


def test_account_identity_derived_and_given(bt_data):
    items, X, y, _ = bt_data
    numeric = X.drop(columns=["A_account_id", "B_account_id"])
    derived = PairwiseRanker(strengths=True, **FAST).fit(numeric, y)
    given = PairwiseRanker(strengths=True, **FAST).fit(X, y)
    n_seen = len(np.unique(X[["A_account_id", "B_account_id"]].to_numpy()))
    assert derived.n_accounts_ == given.n_accounts_ == n_seen
    # identical feature vectors are the same account: strengths agree either way
    np.testing.assert_allclose(np.sort(derived.strengths_), np.sort(given.strengths_), atol=1e-9)
    # a fitted-with-ids model needs the ids to look strengths up
    with pytest.raises(ValueError, match="fitted with account ids"):
        given.predict(numeric)
    with pytest.raises(ValueError, match="'account_id'"):
        given.score_items(items.drop(columns="account_id"))
    assert PairwiseRanker(**FAST).fit(X, y).n_accounts_ is None


def test_strengths_fit_on_training_pairs_only(bt_data):
    items, X, y, _ = bt_data
    ids = X[["A_account_id", "B_account_id"]].to_numpy()
    held_out = set(items["account_id"][:20])  # these accounts never appear in training
    train = ~(np.isin(ids[:, 0], list(held_out)) | np.isin(ids[:, 1], list(held_out)))
    with_s = PairwiseRanker(strengths=True, **FAST).fit(X[train], y[train])
    without = PairwiseRanker(**FAST).fit(X[train], y[train])
    assert with_s.n_accounts_ == len(items) - 20
    u_with, u_without = with_s.score_items(items), without.score_items(items)
    # unseen accounts fall back to the feature model exactly; seen ones get a strength
    np.testing.assert_array_equal(u_with[:20], u_without[:20])
    assert np.abs(u_with[20:] - u_without[20:]).max() > 0.05
    # strengths do not look at the labels of pairs outside fit
    y_flipped = y.copy()
    y_flipped[~train] = 1 - y_flipped[~train]
    again = PairwiseRanker(strengths=True, **FAST).fit(X[train], y_flipped[train])
    np.testing.assert_array_equal(again.strengths_, with_s.strengths_)


def test_strengths_help_when_features_miss_a_latent_part():
    items, pairs, y, _ = make_bt_pairs(n_accounts=100, n_pairs=2000, latent=1.5, seed=3)
    X = make_pairs(items, pairs)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    base = LogisticRegression()
    plain = cross_val_score(PairwiseRanker(base, features="logdiff"), X, y, cv=cv,
                            scoring="roc_auc")
    strong = cross_val_score(PairwiseRanker(base, features="logdiff", strengths=True,
                                            random_state=0), X, y, cv=cv, scoring="roc_auc")
    assert strong.mean() > plain.mean() + 0.03


# ---------------------------------------------------------------------- global score


def test_score_items_exact_for_difference_model(bt_data):
    items, X, y, strength = bt_data
    for est in (PairwiseRanker(strengths=True, **FAST),
                PairwiseRanker(LogisticRegression(), features="item", strengths=True)):
        est.fit(X, y)
        assert est.difference_model_
        u = pd.Series(est.score_items(items), index=items["account_id"])
        expected = u[X["A_account_id"]].to_numpy() - u[X["B_account_id"]].to_numpy()
        np.testing.assert_allclose(est.decision_function(X), expected, rtol=0, atol=1e-12)
        # the global ranking recovers the true strengths (the features alone give tau 0.48)
        assert kendalltau(u.to_numpy(), strength).statistic > 0.7
    # LightGBM: bit for bit
    est = PairwiseRanker(**FAST).fit(X, y)
    u = pd.Series(est.score_items(items), index=items["account_id"])
    assert (est.decision_function(X)
            == u[X["A_account_id"]].to_numpy() - u[X["B_account_id"]].to_numpy()).all()


def test_score_items_approximate_for_pair_features(bt_data):
    items, X, y, _ = bt_data
    est = PairwiseRanker(features=["logdiff", "raw"], n_reference=50, **FAST).fit(X, y)
    assert not est.difference_model_ and len(est.reference_) == 50
    u = est.score_items(items)
    # every pair of accounts: the score order agrees with the pair model's prediction
    a, b = np.triu_indices(len(items), 1)
    feats = items.drop(columns="account_id").to_numpy()
    margin = est.decision_function(pd.DataFrame(np.hstack([feats[a], feats[b]]),
                                                columns=est.feature_names_in_))
    agree = np.mean(np.sign(u[a] - u[b]) == np.sign(margin))
    assert agree > 0.85
    assert kendalltau(u[a] - u[b], margin).statistic > 0.6


def test_rank(bt_data):
    items, X, y, _ = bt_data
    est = PairwiseRanker(**FAST).fit(X, y)
    shuffled = items.sample(frac=1.0, random_state=0)
    ranking = est.rank(shuffled)
    assert list(ranking.columns) == ["account_id", "score", "rank"]
    assert ranking["rank"].tolist() == sorted(ranking["rank"])
    assert ranking["rank"].iloc[0] == 1 and ranking["score"].is_monotonic_decreasing
    assert set(ranking.index) == set(items.index)
    scores = est.score_items(items)
    assert ranking["account_id"].iloc[0] == items["account_id"].iloc[np.argmax(scores)]
    # arrays work too: positions as index, no id column
    arr = est.rank(items.drop(columns="account_id").to_numpy())
    assert list(arr.columns) == ["score", "rank"] and arr.index[0] == np.argmax(scores)
    with pytest.raises(ValueError, match=r"lack the feature column\(s\) \['f2'\]"):
        est.score_items(items.drop(columns="f2"))


def test_rows_independent_and_cv_folds(bt_data):
    _, X, y, _ = bt_data
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    train, test = splits[0]
    est = PairwiseRanker(strengths=True, **FAST).fit(X.iloc[train], y[train])
    full = est.predict_proba(X.iloc[test])
    np.testing.assert_array_equal(est.predict_proba(X.iloc[test[:7]]), full[:7])


# ------------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_peerindex_cv_auc(shared_data):
    from skinfluence.datasets import load_peerindex

    X, y = load_peerindex(shared_data("peerindex"), return_X_y=True)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    auc = cross_val_score(PairwiseRanker(n_jobs=1, random_state=0), X, y, cv=cv, scoring="roc_auc")
    assert auc.mean() > 0.85, auc
    # about 1,000 distinct accounts in the 4,400 pairs (identical feature vectors)
    est = PairwiseRanker(strengths=True, n_jobs=1, random_state=0, strength_cv=2).fit(X, y)
    assert 900 < est.n_accounts_ < 1100
    items = np.vstack([X.filter(like="A_").to_numpy(), X.filter(like="B_").to_numpy()])
    u = est.score_items(items)
    margin = est.decision_function(X)
    np.testing.assert_allclose(margin, u[: len(X)] - u[len(X):], atol=1e-12, rtol=0)
    assert roc_auc_score(y, margin) > 0.9  # in-sample


def test_lightgbm_errors_name_the_ranker_and_what_to_do(monkeypatch):
    # before: num_leaves=200000 gave LightGBM's "Check failed: (num_leaves) <= (131072) at
    # .../config_auto.cpp"; other LightGBM errors came through as they were
    lgb = pytest.importorskip("lightgbm")
    X, y = random_pairs()
    with pytest.raises(ValueError, match=r"'num_leaves' parameter of PairwiseRanker must be an int "
                                         r"in the range \[2, 131072\]"):
        PairwiseRanker(num_leaves=200_000, **FAST).fit(X, y)
    cause = lgb.basic.LightGBMError("Check failed: (something) at config.cpp")

    def fail(*args, **kwargs):
        raise cause

    monkeypatch.setattr(lgb, "train", fail)
    with pytest.raises(ValueError, match=r"LightGBM could not train PairwiseRanker's model: Check "
                                         r"failed.*'num_leaves': 31.*Check them") as info:
        PairwiseRanker(**FAST).fit(X, y)
    assert info.value.__cause__ is cause
