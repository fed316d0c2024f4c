"""Influencer labels and leakage detection: the TikTok study's leak is caught, honest features are not."""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skinfluence import ProfileFeatures
from skinfluence.datasets import load_tiktok_videos, make_creators
from skinfluence.exceptions import AccountFrameError, LeakageWarning
from skinfluence.labels import (
    LeakageGuard,
    check_label_leakage,
    leakage_scores,
    make_influencer_labels,
)
from skinfluence.tiers import follower_tier


def leakage_warnings(caught):
    return [w for w in caught if issubclass(w.category, LeakageWarning)]


@pytest.fixture(scope="module")
def creators():
    data = make_creators(400, random_state=7)
    return data.accounts, data


# -------------------------------------------------------------------- make_influencer_labels


def test_labels_are_the_top_share_by_followers(creators):
    X, _ = creators
    y, threshold = make_influencer_labels(X, return_threshold=True)
    f = X["followers"].to_numpy(dtype=float)
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert threshold == pytest.approx(np.quantile(f, 0.95))
    np.testing.assert_array_equal(y, (f >= threshold).astype(int))
    assert y.sum() == 20  # 5 % of 400, no ties at the threshold here
    assert f[y == 1].min() > f[y == 0].max()


def test_ties_are_never_split_and_inputs_can_be_values():
    values = [1, 2, 3, 5, 5, 5, 5, 5, 9, 9]  # the 0.7-quantile is 5: every 5 is in
    y, threshold = make_influencer_labels(values, quantile=0.7, return_threshold=True)
    assert threshold == 5.0
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(make_influencer_labels(pd.Series(values, index=list("abcdefghij")),
                                                         quantile=0.7), y)
    frame = pd.DataFrame({"likes": values})
    np.testing.assert_array_equal(make_influencer_labels(frame, by="likes", quantile=0.7), y)


def test_label_errors_name_what_is_wrong():
    frame = pd.DataFrame({"account_id": ["a", "b", "c"], "followers": [10.0, np.nan, 3.0]})
    with pytest.raises(AccountFrameError, match=r"missing \(NaN\) for 1 account\(s\) \['b'\]"):
        make_influencer_labels(frame)
    with pytest.raises(AccountFrameError, match=r"row\(s\) \[1\]"):
        make_influencer_labels(np.array([1.0, np.nan]))
    with pytest.raises(AccountFrameError, match="infinite"):
        make_influencer_labels([1.0, np.inf])
    with pytest.raises(AccountFrameError, match="parse_count"):
        make_influencer_labels(frame.assign(followers=["1.2m", "3k", "10"]))
    with pytest.raises(AccountFrameError, match="no column 'fans'"):
        make_influencer_labels(frame, by="fans")
    with pytest.raises(AccountFrameError, match="empty"):
        make_influencer_labels(np.array([]))
    for q in (0, 1, 1.5, "0.9", True):
        with pytest.raises(ValueError, match="The 'quantile' parameter"):
            make_influencer_labels([1, 2, 3], quantile=q)


@pytest.mark.shared_data
def test_tiktok_study_target_and_its_leak(shared_data):
    frame = load_tiktok_videos(shared_data("tiktok_creator_videos"))
    y, threshold = make_influencer_labels(frame, by="followers", quantile=0.95, return_threshold=True)
    assert len(y) == 1794 and y.sum() == 91 and threshold == 17_200_000
    with pytest.warns(LeakageWarning, match=r"'followers' \(1\.000\)"):
        leaks = check_label_leakage(frame, y)  # the raw profile columns; ids and posts skipped
    assert leaks == [("followers", 1.0)]


# ------------------------------------------------------------------------- leakage scores


def test_top_quantile_label_on_followers_warns_with_name_and_score(creators):
    X, data = creators
    y = make_influencer_labels(X)
    features = ProfileFeatures().set_output(transform="pandas").fit_transform(X)
    with pytest.warns(LeakageWarning) as record:
        leaks = check_label_leakage(features, y)
    assert leaks[0] == ("log1p_followers", 1.0)
    # followers / following is near-deterministic too here (following varies little)
    assert [name for name, _ in leaks[1:]] in ([], ["log1p_followers_per_following"])
    assert len(record) == 1
    message = str(record[0].message)
    assert "'log1p_followers' (1.000)" in message and "threshold 0.98" in message


def test_predictive_but_not_deterministic_feature_does_not_warn(creators):
    X, _ = creators
    y = make_influencer_labels(X)
    rng = np.random.default_rng(0)
    f = X["followers"].to_numpy(dtype=float)
    engagement = np.log1p(f) + rng.normal(0, 1.0, len(f))  # correlated with the label, noisy
    noise = rng.normal(size=len(f))
    names, scores = leakage_scores(np.c_[engagement, noise], y, feature_names=["engagement", "noise"])
    assert 0.75 < scores[0] < 0.97 and scores[1] < 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("error", LeakageWarning)
        assert check_label_leakage(np.c_[engagement, noise], y) == []


def test_auc_matches_sklearn_for_binary_targets():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    X = np.c_[y + rng.normal(0, 1.5, 300), rng.integers(0, 4, 300), -y + rng.normal(0, 1, 300)]
    _, scores = leakage_scores(X, y)
    for j in range(X.shape[1]):
        auc = roc_auc_score(y, X[:, j])
        assert scores[j] == pytest.approx(max(auc, 1 - auc))  # ties (column 1) count one half


def test_multiclass_tiers_and_regression_targets(creators):
    X, _ = creators
    f = X["followers"].to_numpy(dtype=float)
    tiers = follower_tier(f)  # five ordered bands of followers
    _, scores = leakage_scores(np.c_[f, np.sqrt(f)], tiers)
    np.testing.assert_allclose(scores, 1.0)
    rng = np.random.default_rng(0)
    # integer-valued with many values: a regression target (|Spearman|), not 400 classes
    _, scores = leakage_scores(np.c_[np.log1p(f), rng.normal(size=len(f))], 2 * f + 1.0)
    assert scores[0] == pytest.approx(1.0) and scores[1] < 0.2


def test_missing_values_and_non_numeric_columns():
    y = np.array([0, 0, 0, 1, 1, 1])
    frame = pd.DataFrame({
        "account_id": list("abcdef"),
        "followers": [1.0, 2.0, np.nan, 10.0, 20.0, np.nan],
        "flag": [True, False, True, False, True, False],
    })
    names, scores = leakage_scores(frame, y)
    assert names == ["account_id", "followers", "flag"]
    assert np.isnan(scores[0]) and scores[1] == 1.0
    assert scores[2] == pytest.approx(max(roc_auc_score(y, frame["flag"]), 1 - roc_auc_score(y, frame["flag"])))
    with pytest.raises(ValueError, match="feature_names has 1 name"):
        leakage_scores(frame, y, feature_names=["x"])
    with pytest.raises(ValueError, match="X has 6 sample"):
        leakage_scores(frame, y[:4])
    with pytest.raises(ValueError, match="'threshold' parameter of check_label_leakage"):
        check_label_leakage(frame, y, threshold=0.3)
    with pytest.raises(ValueError, match="The 'task' parameter of leakage_scores must be a str among"):
        leakage_scores(frame, y, task="ranking")


# ---------------------------------------------------------------------------- LeakageGuard


def test_guard_warns_once_per_fit_in_cross_val_score(creators):
    X, _ = creators
    y = make_influencer_labels(X)
    leaked = LeakageGuard(make_pipeline(ProfileFeatures(), StandardScaler(), LogisticRegression()))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = cross_val_score(leaked, X, y, cv=cv, scoring="roc_auc")
    assert len(leakage_warnings(caught)) == 5
    assert all("'log1p_followers'" in str(w.message) for w in leakage_warnings(caught))
    assert scores.mean() > 0.99

    # the same raw frame, with the label's feature left out of the model's features: no warning
    honest = LeakageGuard(make_pipeline(ProfileFeatures(count_columns=["following", "n_posts"]),
                                        StandardScaler(), LogisticRegression()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_val_score(honest, X, y, cv=cv, scoring="roc_auc")
    assert leakage_warnings(caught) == []


def test_guard_in_grid_search_delegates_and_records(creators):
    X, _ = creators
    y = make_influencer_labels(X)
    guard = LeakageGuard(make_pipeline(ProfileFeatures(), LogisticRegression()))
    search = GridSearchCV(guard, {"estimator__logisticregression__C": [0.1, 1.0]}, cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    assert len(leakage_warnings(caught)) == 2 * 3 + 1  # every candidate and fold, and the refit
    best = search.best_estimator_
    assert best.leaks_[0] == ("log1p_followers", 1.0)
    assert best.checked_features_.tolist() == list(best.estimator_[0].get_feature_names_out())
    assert best.leakage_scores_.shape == (4,)
    np.testing.assert_array_equal(best.classes_, [0, 1])
    proba = best.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_array_equal(best.predict(X), best.estimator_.predict(X))
    assert best.score(X, y) == best.estimator_.score(X, y)


def test_guard_on_plain_arrays_regressors_and_errors():
    rng = np.random.default_rng(0)
    x = rng.lognormal(5, 2, 200)
    X = np.c_[x, rng.normal(size=200)]
    with pytest.warns(LeakageWarning, match="Spearman"):
        reg = LeakageGuard(LinearRegression()).fit(X, np.log(x))
    assert reg.leaks_[0][0] == "x0" and reg.n_features_in_ == 2
    assert not hasattr(reg, "predict_proba")
    with pytest.raises(ValueError, match="requires y"):
        LeakageGuard(LogisticRegression()).fit(X, None)
    with pytest.raises(ValueError, match="'threshold' parameter of LeakageGuard"):
        LeakageGuard(LogisticRegression(), threshold=2).fit(X, x > 100)


# --------------------------------------------------------------------- metadata routing


def weighted_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
    w = rng.uniform(0.1, 3.0, size=120)
    return X, y, w


def test_guard_passes_fit_params_through_without_routing():
    X, y, w = weighted_data()
    guard = LeakageGuard(LogisticRegression()).fit(X, y, sample_weight=w)
    direct = LogisticRegression().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(guard.estimator_.coef_, direct.coef_)
    assert not np.allclose(guard.estimator_.coef_, LogisticRegression().fit(X, y).coef_)


def test_guard_routes_sample_weight_in_cross_validate():
    X, y, w = weighted_data()
    cv = KFold(3)
    with sklearn.config_context(enable_metadata_routing=True):
        model = LogisticRegression().set_fit_request(sample_weight=True).set_score_request(
            sample_weight=True)
        result = cross_validate(LeakageGuard(model), X, y, cv=cv, params={"sample_weight": w},
                                return_estimator=True)
        for (train, test), guard, score in zip(cv.split(X), result["estimator"],
                                               result["test_score"], strict=True):
            direct = LogisticRegression().fit(X[train], y[train], sample_weight=w[train])
            np.testing.assert_allclose(guard.estimator_.coef_, direct.coef_)
            assert score == pytest.approx(direct.score(X[test], y[test], sample_weight=w[test]))
        # metadata the estimator did not request is an error naming the fix
        with pytest.raises(UnsetMetadataPassedError, match="set_fit_request"):
            LeakageGuard(LogisticRegression()).fit(X, y, sample_weight=w)
        # declined by the estimator: consumed by nobody, an error (as in scikit-learn's routers)
        unweighted = LogisticRegression().set_fit_request(sample_weight=False)
        with pytest.raises(TypeError, match="not routed to any object"):
            LeakageGuard(unweighted).fit(X, y, sample_weight=w)
        guard = LeakageGuard(unweighted).fit(X, y)
        np.testing.assert_allclose(guard.estimator_.coef_, LogisticRegression().fit(X, y).coef_)
        routing = LeakageGuard(model).get_metadata_routing()
        assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}
        assert routing.consumes("score", ["sample_weight"]) == {"sample_weight"}
