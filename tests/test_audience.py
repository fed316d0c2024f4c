"""FakeFollowerDetector, AudienceQuality, share_interval and make_audiences.

The statistical tests are deterministic (fixed seeds); their tolerances are
chosen so that they would also hold for other seeds with high probability, as
explained next to each.
"""


import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skinfluence import nest_posts, validate_account_frame
from skinfluence.audience import (
    AUDIENCE_FEATURES,
    DERIVED_FEATURES,
    AudienceQuality,
    FakeFollowerDetector,
    share_interval,
)
from skinfluence.datasets import FAKE_ACCOUNT_COLUMNS, load_fake_accounts, make_creators
from skinfluence.datasets._audiences import (
    _inactive_rates,
    make_audiences,
    make_follower_accounts,
)
from skinfluence.exceptions import AccountFrameError
from skinfluence.utils import estimator_checks


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # Small HistGradientBoosting fits are several times faster on one OpenMP thread
    # than on two busy cores (no spin-waiting); results are identical.
    with threadpool_limits(limits=1):
        yield


def small_hgb(max_iter=30):
    return HistGradientBoostingClassifier(max_iter=max_iter, max_depth=3)


def schema_frame(n=400, share=0.5, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < share).astype(int)
    return make_follower_accounts(y.astype(bool), random_state=seed), y


def coverage(out, truth):
    return float(((out["fake_share_low"] <= truth) & (truth <= out["fake_share_high"])).mean())


# =========================================================== FakeFollowerDetector


# The shared checks (scikit-learn's and skinfluence's) run on every test instance of
# FakeFollowerDetector in tests/test_common.py.


def test_detector_derived_features_from_names():
    X, y = schema_frame()
    det = FakeFollowerDetector(small_hgb(), random_state=0).fit(X, y)
    assert det.derived_features_ == list(DERIVED_FEATURES)
    assert list(det.feature_names_in_) == list(FAKE_ACCOUNT_COLUMNS)
    names = list(det.model_feature_names_)
    assert names[:11] == [f"log1p_{c}" if c in ("n_posts", "n_followers", "n_following") else c
                          for c in FAKE_ACCOUNT_COLUMNS]
    assert names[11:] == list(DERIVED_FEATURES)
    Z = det._transform_input(X.iloc[:3])
    expected = np.log1p(X["n_followers"].to_numpy()[:3]) - np.log1p(X["n_following"].to_numpy()[:3])
    np.testing.assert_allclose(Z[:, 11], expected)
    np.testing.assert_allclose(Z[:, FAKE_ACCOUNT_COLUMNS.index("n_posts")],
                               np.log1p(X["n_posts"].to_numpy()[:3]))


def test_detector_derived_only_from_present_counts():
    X, y = schema_frame()
    det = FakeFollowerDetector(small_hgb(), random_state=0).fit(X[["n_posts", "n_followers"]], y)
    assert det.derived_features_ == ["log_posts_per_follower"]
    det = FakeFollowerDetector(small_hgb()).fit(X[["has_profile_pic", "bio_length"]], y)
    assert det.derived_features_ == []
    with pytest.raises(ValueError, match=r"needs the count columns .*n_following"):
        FakeFollowerDetector(derived_features=True).fit(X[["n_posts", "n_followers"]], y)


def test_detector_arrays():
    X, y = schema_frame()
    # "auto": a numpy array has no names, so it is used as given
    det = FakeFollowerDetector(small_hgb(), random_state=0).fit(X.to_numpy(), y)
    assert det.derived_features_ == [] and not hasattr(det, "feature_names_in_")
    # True: an 11-column array is read in FAKE_ACCOUNT_COLUMNS order
    det_arr = FakeFollowerDetector(small_hgb(), derived_features=True, random_state=0).fit(X.to_numpy(), y)
    det_df = FakeFollowerDetector(small_hgb(), random_state=0).fit(X, y)
    np.testing.assert_allclose(det_arr.predict_proba(X.to_numpy()), det_df.predict_proba(X))
    with pytest.raises(ValueError, match="needs the 11 columns of FAKE_ACCOUNT_COLUMNS"):
        FakeFollowerDetector(derived_features=True).fit(X.to_numpy()[:, :5], y)


def test_detector_rejects_source_and_text_columns():
    X, y = schema_frame(60)
    with pytest.raises(ValueError, match=r"'source' column .* X\.drop\(columns='source'\)"):
        FakeFollowerDetector().fit(X.assign(source="kaggle"), y)
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) \['handle'\]"):
        FakeFollowerDetector().fit(X.assign(handle="x"), y)
    det = FakeFollowerDetector(small_hgb()).fit(X, y)
    with pytest.raises(ValueError, match="'source' column"):
        det.predict(X.assign(source="srf"))


def test_detector_rejects_negative_counts_and_inf():
    X, y = schema_frame(60)
    bad = X.copy()
    bad.loc[7, "n_followers"] = -3
    with pytest.raises(ValueError, match=r"column 'n_followers' must hold non-negative counts; row 7"):
        FakeFollowerDetector().fit(bad, y)
    bad = X.copy()
    bad.loc[0, "bio_length"] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        FakeFollowerDetector().fit(bad, y)


def test_detector_nan_tolerant_and_calibrated():
    X, y = schema_frame(600, share=0.2)
    X.loc[:, ["fullname_words", "has_external_url"]] = np.nan  # features a set lacks
    X.loc[::7, "bio_length"] = np.nan
    det = FakeFollowerDetector(small_hgb(), calibration="isotonic", class_weight="balanced",
                               random_state=0)
    det.fit(X, y)
    assert type(det.estimator_).__name__ == "CalibratedClassifierCV"
    proba = det.predict_proba(X)
    assert proba.shape == (600, 2) and np.all((proba >= 0) & (proba <= 1))
    assert list(det.classes_) == [0, 1]
    assert det.score(X, y) > 0.85
    # columns NaN for every training account are left out of the model
    assert det.ignored_features_ == ["fullname_words", "has_external_url"]
    assert "fullname_words" not in det.model_feature_names_
    filled = X.fillna({"fullname_words": 2.0, "has_external_url": 1.0})
    np.testing.assert_allclose(det.predict_proba(filled), proba)


def test_detector_class_weight_needs_support():
    X, y = schema_frame(60)

    class NoWeights(LogisticRegression):
        def __init__(self, C=1.0):
            super().__init__(C=C)

        def get_params(self, deep=True):
            return {"C": self.C}

    with pytest.raises(ValueError, match="has no 'class_weight' parameter"):
        FakeFollowerDetector(NoWeights(), class_weight="balanced").fit(X.fillna(0), y)
    # an estimator that has it gets it
    det = FakeFollowerDetector(RandomForestClassifier(n_estimators=5), class_weight="balanced",
                               random_state=3).fit(X, y)
    assert det.estimator_.class_weight == "balanced" and det.estimator_.random_state == 3


@pytest.mark.parametrize("params, message", [
    ({"derived_features": "yes"}, "The 'derived_features' parameter of FakeFollowerDetector must be"),
    ({"calibration": "platt"}, "The 'calibration' parameter of FakeFollowerDetector must be"),
    ({"calibration_cv": 1}, "The 'calibration_cv' parameter of FakeFollowerDetector must be"),
    ({"class_weight": "even"}, "The 'class_weight' parameter of FakeFollowerDetector must be"),
    ({"estimator": "hgb"}, "The 'estimator' parameter of FakeFollowerDetector must be"),
])
def test_detector_param_errors(params, message):
    X, y = schema_frame(40)
    with pytest.raises(ValueError, match=message):
        FakeFollowerDetector(**params).fit(X, y)


def test_detector_feature_names_checked_at_predict():
    X, y = schema_frame(80)
    det = FakeFollowerDetector(small_hgb()).fit(X, y)
    with pytest.raises(ValueError, match="feature names"):
        det.predict(X[X.columns[::-1]])


@pytest.mark.shared_data
def test_detector_beats_random_forest_on_kaggle(shared_data):
    """5-fold stratified CV AUC on the Kaggle set: above 0.97 and above the RF baseline.

    With these folds: about 0.984 against 0.980 (the margin held on 6 of 6 fold
    seeds tried; the 10-fold benchmark gives 0.986 against 0.981).
    """
    X, y = load_fake_accounts(shared_data("instagram_fake_kaggle"))  # used as loaded
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(FakeFollowerDetector(random_state=0), X, y, cv=cv, scoring="roc_auc").mean()
    rf = cross_val_score(RandomForestClassifier(n_estimators=100, random_state=0), X, y, cv=cv,
                         scoring="roc_auc").mean()
    assert ours > 0.97
    assert ours > rf


@pytest.mark.shared_data
def test_detector_transfers_between_real_sets(shared_data):
    """Trained on InstaFake, tested on Kaggle on the 7 shared features: far above chance."""
    Xi, yi = load_fake_accounts(shared_data("instafake"))
    Xk, yk = load_fake_accounts(shared_data("instagram_fake_kaggle"))
    shared = [c for c in FAKE_ACCOUNT_COLUMNS if Xi[c].notna().all() and Xk[c].notna().all()]
    assert shared == ["has_profile_pic", "username_digit_ratio", "bio_length", "is_private",
                      "n_posts", "n_followers", "n_following"]
    det = FakeFollowerDetector(random_state=0).fit(Xi[shared], yi)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(yk, det.predict_proba(Xk[shared])[:, 1]) > 0.85


# ================================================================ make_audiences


def test_make_audiences_structure_and_truth():
    data = make_audiences(40, followers_per_sample=(0, 60), labelled=0.3, random_state=1)
    frame = data.accounts
    validate_account_frame(frame, posts_column="audience")
    assert list(frame.columns) == ["account_id", "followers", "audience"]
    flat = frame["audience"].list.flatten().struct.explode()
    assert list(flat.columns) == [*FAKE_ACCOUNT_COLUMNS, "last_active_days", "is_fake"]
    n = data.n_sampled
    assert (frame["audience"].list.len().to_numpy() == n).all()
    assert (n <= frame["followers"].to_numpy()).all()
    owner = np.repeat(np.arange(40), n)
    fake_mean = np.bincount(owner, data.follower_is_fake, minlength=40) / np.maximum(n, 1)
    np.testing.assert_allclose(np.where(n > 0, fake_mean, np.nan), data.sample_fake_share)
    labels = flat["is_fake"]
    revealed = labels.notna().to_numpy()
    assert 0.2 < revealed.mean() < 0.4
    np.testing.assert_array_equal(labels[revealed].astype(int).to_numpy(),
                                  data.follower_is_fake[revealed].astype(int))
    inactive = flat["last_active_days"].to_numpy() > 90
    np.testing.assert_array_equal(inactive, data.follower_inactive)
    assert ((data.fake_share >= 0) & (data.fake_share <= 1)).all()


def test_make_audiences_reproducible_and_options():
    a = make_audiences(10, random_state=5)
    b = make_audiences(10, random_state=5)
    pd.testing.assert_frame_equal(a.accounts, b.accounts)
    data = make_audiences(4, followers_per_sample=3, fake_share=[0, 1, 0.5, 0.5], inactive_share=0.2,
                          activity=False, labelled=0.0, random_state=0)
    flat = data.accounts["audience"].list.flatten().struct.explode()
    assert "last_active_days" not in flat.columns and flat["is_fake"].isna().all()
    assert data.follower_is_fake[:3].sum() == 0 and data.follower_is_fake[3:6].all()
    np.testing.assert_allclose(data.inactive_share, 0.2)
    X, y = make_audiences(6, return_X_y=True, random_state=0)
    assert len(X) == 6 and y.shape == (6,)


def test_make_audiences_from_creators():
    creators = make_creators(30, n_posts=(0, 3), random_state=0)
    data = make_audiences(creators=creators, followers_per_sample=(5, 10), random_state=0)
    frame = data.accounts
    assert list(frame.columns) == [*creators.accounts.columns, "audience"]
    np.testing.assert_array_equal(data.fake_share, creators.fake_share)
    assert (data.n_sampled <= creators.accounts["followers"].to_numpy()).all()
    with pytest.raises(ValueError, match="The 'fake_share' parameter of make_audiences"):
        make_audiences(creators=creators, fake_share=0.1)
    with pytest.raises(ValueError, match="The 'n_influencers' parameter of make_audiences"):
        make_audiences(5, creators=creators)


@pytest.mark.parametrize("kwargs, name", [
    ({"n_influencers": 0}, "n_influencers"),
    ({"followers_per_sample": (5, 2)}, "followers_per_sample"),
    ({"fake_share": 1.5}, "fake_share"),
    ({"fake_share": [0.1, 0.2]}, "fake_share"),
    ({"inactive_share": -0.1}, "inactive_share"),
    ({"labelled": 2}, "labelled"),
    ({"activity": "yes"}, "activity"),
    ({"creators": {"a": 1}}, "creators"),
    ({"followers_per_sample": -3}, "followers_per_sample"),
    ({"followers_per_sample": (1, 2.5)}, "followers_per_sample"),
    ({"inactive_share": [0.1, 0.2, 1.5]}, "inactive_share"),
    ({"fake_share": "high"}, "fake_share"),
    ({"inactive_days": -1}, "inactive_days"),
    ({"return_X_y": "yes"}, "return_X_y"),
    ({"random_state": -1}, "random_state"),
])
def test_make_audiences_param_errors(kwargs, name):
    kwargs.setdefault("n_influencers", 3)
    with pytest.raises(ValueError, match=f"The '{name}' parameter of make_audiences must be"):
        make_audiences(**kwargs)


def test_make_follower_accounts_param_errors():
    with pytest.raises(ValueError, match="The 'random_state' parameter of make_follower_accounts"):
        make_follower_accounts([True, False], random_state="seed")
    with pytest.raises(ValueError, match="The 'is_fake' parameter of make_follower_accounts"):
        make_follower_accounts(True)


@given(pi=st.floats(0, 1), iota=st.floats(0, 1))
def test_inactive_rates_are_probabilities_with_the_right_total(pi, iota):
    a, r = _inactive_rates(np.array([pi]), np.array([iota]))
    assert 0 <= a[0] <= 1 and 0 <= r[0] <= 1
    assert pi * a[0] + (1 - pi) * r[0] == pytest.approx(iota, abs=1e-9)


def test_make_audiences_inactive_share_is_exact_in_expectation():
    data = make_audiences(3, followers_per_sample=20000, fake_share=[0.1, 0.6, 0.95],
                          inactive_share=[0.05, 0.9, 0.5], random_state=0)
    # binomial sd of a share over 20,000 followers is at most 0.0035
    np.testing.assert_allclose(data.sample_inactive_share, [0.05, 0.9, 0.5], atol=0.015)
    np.testing.assert_allclose(data.sample_fake_share, [0.1, 0.6, 0.95], atol=0.015)


# ================================================================ share_interval


def wilson(k, n, z):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_share_interval_is_wilson_when_every_follower_is_labelled():
    k, n = np.array([0, 3, 20, 50]), np.array([50, 50, 50, 50])
    share, low, high = share_interval(n, k, np.zeros(4), np.zeros(4), mean_fake=0.8, mean_real=0.1,
                                      var_fake=0.02, var_real=0.01, var_mean_fake=1e-4,
                                      var_mean_real=1e-4)
    lo, hi = wilson(k, n, 1.959963984540054)
    np.testing.assert_allclose(share, k / n)
    np.testing.assert_allclose(low, np.clip(lo, 0, 1), atol=1e-12)
    np.testing.assert_allclose(high, np.clip(hi, 0, 1), atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    n_lab=st.integers(0, 300), frac_fake=st.floats(0, 1), n_unlab=st.integers(0, 300),
    mean_score=st.floats(0, 1), mean_real=st.floats(0, 0.5), gap=st.floats(0.05, 0.5),
    var_real=st.floats(0, 0.25), var_fake=st.floats(0, 0.25), var_mean=st.floats(0, 0.01),
    confidence=st.floats(0.5, 0.999),
)
def test_share_interval_contains_the_estimate(n_lab, frac_fake, n_unlab, mean_score, mean_real, gap,
                                              var_real, var_fake, var_mean, confidence):
    k = np.floor(frac_fake * n_lab)
    share, low, high = share_interval([n_lab], [k], [n_unlab], [mean_score * n_unlab],
                                      mean_fake=mean_real + gap, mean_real=mean_real,
                                      var_fake=var_fake, var_real=var_real, var_mean_fake=var_mean,
                                      var_mean_real=var_mean, confidence=confidence)
    if n_lab + n_unlab == 0:
        assert np.isnan(share[0]) and np.isnan(low[0]) and np.isnan(high[0])
        return
    assert 0 <= low[0] <= share[0] + 1e-9 and share[0] <= high[0] + 1e-9 and high[0] <= 1


def test_share_interval_holds_the_clipped_estimate():
    # found by hypothesis: a score below a zero-variance mean_real clips the estimate to 0,
    # while the accepted shares lay in [0.27, ...]: the interval excluded its own estimate
    share, low, high = share_interval([0], [0], [1], [0.0], mean_fake=1.0, mean_real=0.5,
                                      var_fake=0.25, var_real=0.0)
    assert share[0] == 0.0 and low[0] == 0.0 and high[0] > 0


def test_share_interval_narrows_with_more_followers():
    widths = []
    for n in (50, 200, 800):
        _, low, high = share_interval([0], [0], [n], [0.3 * n], mean_fake=0.85, mean_real=0.05,
                                      var_fake=0.04, var_real=0.02)
        widths.append(high[0] - low[0])
    assert widths[0] > widths[1] > widths[2]
    with pytest.raises(ValueError, match="must be larger than mean_real"):
        share_interval([0], [0], [5], [1.0], mean_fake=0.2, mean_real=0.2, var_fake=0, var_real=0)


# ================================================================= AudienceQuality


# The shared checks run once, for every registered component, in tests/test_common.py.


def test_quality_check_frame_edge_cases():
    X, _ = estimator_checks._check_frame(AudienceQuality())
    sizes = X["audience"].list.len().to_numpy()
    assert (sizes[[1, 2, 4, 7]] == 0).all() and (sizes[[0, 3, 5]] > 0).all()
    out = AudienceQuality(**AudienceQuality.get_test_params()[0]).set_output(transform="pandas")
    out = out.fit_transform(X)
    assert out.loc[[1, 4, 7], ["fake_share", "fake_share_low", "fake_share_high", "inactive_share",
                               "real_reach"]].isna().all().all()
    assert out.loc[2, "real_reach"] == 0 and out.loc[2, "n_sampled"] == 0


def test_quality_coverage_matches_the_nominal_level():
    """The true share lies inside the 95 % interval for about 95 % of influencers.

    400 influencers, 50-300 sampled followers each, 10 % labelled. If coverage
    were exactly 0.95 the empirical rate would have a binomial sd of 0.011; the
    intervals of one fit also share the error of the estimated error rates, but
    over 15 seeds the empirical coverage had mean 0.954 and sd 0.009 (0.952 and
    0.012 with method="acc"). The band 0.95 +- 0.035 is 3.2 binomial sd wide
    on each side; below it the intervals are too narrow, above it too wide.
    """
    data = make_audiences(400, labelled=0.1, random_state=0)
    aq = AudienceQuality(random_state=0).set_output(transform="pandas")
    out = aq.fit_transform(data.accounts)
    cov = coverage(out, data.fake_share)
    assert 0.915 <= cov <= 0.985, cov
    # an interval at 80 % is narrower and covers less, about 0.80 (confidence only enters
    # transform, so the fitted detector and error rates are reused)
    out80 = aq.set_params(confidence=0.8).transform(data.accounts)
    cov80 = coverage(out80, data.fake_share)
    assert 0.75 <= cov80 <= 0.87, cov80
    assert ((out80.fake_share_high - out80.fake_share_low)
            <= (out.fake_share_high - out.fake_share_low) + 1e-12).all()


def test_quality_adjusted_estimate_less_biased_than_naive_mean():
    """With a clean audience the naive mean sees the false positives; with a bought one
    it misses the false negatives. The adjusted estimate (PACC) removes both biases."""
    share = np.r_[np.full(100, 0.02), np.full(100, 0.6)]
    data = make_audiences(200, fake_share=share, followers_per_sample=200, labelled=0.1, random_state=2)
    low_, high_ = slice(0, 100), slice(100, 200)
    # one detector, trained on other labelled followers; error rates from the audiences' labels
    rng = np.random.default_rng(1)
    y = rng.random(2000) < 0.3
    detector = FrozenEstimator(FakeFollowerDetector(small_hgb(60), random_state=0).fit(
        make_follower_accounts(y, random_state=2), y))
    est = {}
    for method in ("pacc", "pcc", "acc", "cc"):
        out = AudienceQuality(detector, method=method).fit_transform(data.accounts)
        est[method] = out[:, 0]
    for adjusted, naive in (("pacc", "pcc"), ("acc", "cc")):
        for part, true in ((low_, 0.02), (high_, 0.6)):
            bias_adj = abs(est[adjusted][part].mean() - true)
            bias_naive = abs(est[naive][part].mean() - true)
            assert bias_adj < bias_naive, (adjusted, true, bias_adj, bias_naive)
            assert bias_adj < 0.02
    # the naive mean of probabilities overestimates clean audiences, underestimates bought ones
    assert est["pcc"][low_].mean() > 0.04 and est["pcc"][high_].mean() < 0.56


def test_quality_outputs_match_their_definitions():
    data = make_audiences(30, labelled=0.2, random_state=3)
    frame = data.accounts.copy()
    frame.loc[0, "followers"] = np.nan
    aq = AudienceQuality(random_state=0).set_output(transform="pandas")
    out = aq.fit_transform(frame)
    assert list(out.columns) == list(AUDIENCE_FEATURES) == list(aq.get_feature_names_out())
    np.testing.assert_allclose(out["n_sampled"], data.n_sampled)
    np.testing.assert_allclose(out["inactive_share"], data.sample_inactive_share)
    np.testing.assert_allclose(out["real_reach"][1:],
                               frame["followers"][1:] * (1 - out["fake_share"][1:]))
    assert np.isnan(out.loc[0, "real_reach"])
    assert ((out.fake_share_low <= out.fake_share) & (out.fake_share <= out.fake_share_high)).all()


def test_quality_labelled_followers_count_as_known():
    data = make_audiences(40, labelled=0.2, random_state=4)
    aq = AudienceQuality(random_state=0).fit(data.accounts)
    # label every follower: the estimate is the sample share and the interval Wilson's
    flat = data.accounts["audience"].list.flatten().struct.explode()
    flat["is_fake"] = data.follower_is_fake.astype(int)
    owner = np.repeat(data.accounts["account_id"].to_numpy(), data.n_sampled)
    full = nest_posts(data.accounts.drop(columns="audience"), flat.assign(account_id=owner),
                      posts_column="audience")
    out = aq.transform(full)
    np.testing.assert_allclose(out[:, 0], data.sample_fake_share)
    lo, hi = wilson(data.sample_fake_share * data.n_sampled, data.n_sampled, 1.959963984540054)
    np.testing.assert_allclose(out[:, 1], lo, atol=1e-9)
    np.testing.assert_allclose(out[:, 2], hi, atol=1e-9)


def test_quality_frozen_detector_trained_elsewhere():
    rng = np.random.default_rng(0)
    y = rng.random(3000) < 0.3
    det = FakeFollowerDetector(random_state=0).fit(make_follower_accounts(y, random_state=1), y)
    data = make_audiences(200, labelled=0.05, activity=False, random_state=5)
    aq = AudienceQuality(FrozenEstimator(det)).set_output(transform="pandas")
    out = aq.fit_transform(data.accounts)
    assert aq.detector_.estimator is det  # not refitted
    assert out["inactive_share"].isna().all()  # no activity field
    # error rates come from the labelled followers (held out for this detector)
    assert aq.n_labelled_fake_ + aq.n_labelled_real_ == int(
        data.accounts["audience"].list.flatten().struct.field("is_fake").notna().sum())
    assert 0.9 <= coverage(out, data.fake_share) <= 0.99
    # naive methods need no labels with a frozen detector
    unlabelled = make_audiences(20, labelled=0.0, random_state=6)
    out = AudienceQuality(FrozenEstimator(det), method="pcc").fit_transform(unlabelled.accounts)
    assert np.isfinite(out[:, 0]).all()


def test_quality_in_pipeline_and_grid_search():
    data = make_audiences(80, followers_per_sample=(30, 80), labelled=0.3, random_state=7)
    model = make_pipeline(AudienceQuality(FakeFollowerDetector(small_hgb(20)), cv=3, random_state=0),
                          StandardScaler(), Ridge(alpha=1.0))
    search = GridSearchCV(model, {"audiencequality__method": ["pacc", "pcc"]}, cv=2)
    search.fit(data.accounts, data.fake_share)
    # everything the component needs travels in X: each fold refits the detector on the
    # labelled followers of its training influencers only
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2 and (scores > 0.8).all(), scores


def test_quality_errors():
    data = make_audiences(20, labelled=0.3, random_state=8)
    X = data.accounts
    with pytest.raises(AccountFrameError, match="'followers'"):
        AudienceQuality().fit(X.drop(columns="followers"))
    with pytest.raises(ValueError, match="0 labelled fake and 0 labelled genuine"):
        AudienceQuality().fit(make_audiences(5, labelled=0.0, random_state=0).accounts)
    flat = X["audience"].list.flatten().struct.explode().reset_index(drop=True)
    owner = np.repeat(X["account_id"].to_numpy(), data.n_sampled)

    def rebuild(table):
        return nest_posts(X.drop(columns="audience"), table.assign(account_id=owner),
                          posts_column="audience")

    bad = flat.copy()
    bad["is_fake"] = bad["is_fake"].astype("float").fillna(2.0)
    with pytest.raises(AccountFrameError, match=r"'is_fake' .* must be 1 \(fake\), 0 \(genuine\) or null"):
        AudienceQuality().fit(rebuild(bad))
    bad = flat.copy()
    bad.loc[3, "n_following"] = -1.0
    with pytest.raises(AccountFrameError, match=r"'n_following' must be finite and non-negative.*"
                                                r"follower #3 of influencer 0"):
        AudienceQuality().fit(rebuild(bad))
    aq = AudienceQuality(FakeFollowerDetector(small_hgb(10)), cv=3).fit(X)
    with pytest.raises(AccountFrameError, match=r"lack the field\(s\) \['bio_length'\]"):
        aq.transform(rebuild(flat.drop(columns="bio_length")))
    with pytest.raises(AccountFrameError, match="none of the follower fields"):
        AudienceQuality().fit(rebuild(flat[["is_fake"]]))


@pytest.mark.parametrize("params, name", [
    ({"method": "mean"}, "method"),
    ({"confidence": 1.0}, "confidence"),
    ({"cv": 1}, "cv"),
    ({"inactive_days": -1}, "inactive_days"),
    ({"feature_fields": "n_posts"}, "feature_fields"),
    ({"audience_column": 3}, "audience_column"),
    ({"detector": "hgb"}, "detector"),
])
def test_quality_param_errors(params, name):
    X = make_audiences(5, random_state=0).accounts
    with pytest.raises(ValueError, match=f"The '{name}' parameter of AudienceQuality must be"):
        AudienceQuality(**params).fit(X)


def test_detector_refuses_a_single_class():
    # before: fit accepted it, classes_ was [1] while predict_proba had two columns
    X, y = schema_frame(60)
    with pytest.raises(ValueError, match=r"both classes .* one class only: \[1\]"):
        FakeFollowerDetector(small_hgb()).fit(X, np.ones(len(X), dtype=int))
    weight = (y == 0).astype(float)
    with pytest.raises(ValueError, match=r"non-zero sample_weight; got one class only: \[0\]"):
        FakeFollowerDetector(small_hgb()).fit(X, y, sample_weight=weight)


def test_loader_output_goes_straight_into_the_detector(tmp_path):
    # before: load_fake_accounts returned a 'source' column that the detector refused
    header = ("rating,Number.of.posts,Number.of.people.they.follow,Number.of.followers,"
              "has_profile_picture,Private.account")
    rows = [f"{'TRUE' if i % 2 else 'FALSE'},{i},{100 + 7 * i},{50 + 3 * i},TRUE,FALSE"
            for i in range(40)]
    (tmp_path / "followers.csv").write_text("\n".join([header, *rows]) + "\n")
    X, y = load_fake_accounts(tmp_path)
    det = FakeFollowerDetector(small_hgb(10), random_state=0).fit(X, y)
    assert det.predict_proba(X).shape == (40, 2)
    assert X.attrs["source"] == "srf"


def test_quality_activity_field_seen_at_fit_must_stay():
    """Fitted with the activity field, transform without it raises instead of NaN shares."""
    from skinfluence.exceptions import AccountFrameError
    from skinfluence.nested import nest_posts, unnest_posts

    X, _ = estimator_checks._check_frame(AudienceQuality())
    aq = AudienceQuality(**AudienceQuality.get_test_params()[0]).fit(X)
    followers = unnest_posts(X, posts_column="audience").drop(columns=["last_active_days"])
    without = nest_posts(X.drop(columns=["audience"]), followers, posts_column="audience")
    with pytest.raises(AccountFrameError, match="last_active_days"):
        aq.transform(without)
