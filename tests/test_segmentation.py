"""KMeansSegmenter: planted clusters, determinism, profiles, names, search, real data."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from skinfluence import EngagementAggregator, get_component, make_creators
from skinfluence.segmentation import KMeansSegmenter, make_silhouette_scorer, silhouette_scorer
from skinfluence.segmentation._kmeans import LOG_OFFSET_QUANTILE, _silhouettes
from skinfluence.tiers import follower_tier


def planted(seed, n=1500, n_features=4):
    """Blobs in log10 space, exponentiated: heavy-tailed positive columns with a planted k."""
    k = int(np.random.default_rng(seed).integers(3, 7))
    L, y = make_blobs(n, n_features=n_features, centers=k, cluster_std=0.25, center_box=(0, 5),
                      random_state=seed)
    return 10**L, y, k


def creators_frame(n=200, seed=0):
    """Followers, engagement rate and cadence of synthetic creators, as a DataFrame."""
    data = make_creators(n, n_posts=(5, 15), random_state=seed)
    agg = EngagementAggregator(features=["engagement_rate", "likes_median", "posts_per_week"],
                               fill_value=0.0).set_output(transform="pandas")
    feats = agg.fit_transform(data.accounts)
    feats.insert(0, "followers", data.accounts["followers"].to_numpy(dtype=float))
    return feats, data


# ------------------------------------------------------------------------- registration
# (the shared scikit-learn and skinfluence checks run for every component in test_common.py)


@pytest.mark.parametrize("params", KMeansSegmenter.get_test_params(), ids=repr)
def test_no_expected_shared_check_failure(params):
    assert KMeansSegmenter(**params)._expected_failed_checks() == {}  # every sklearn check passes


def test_registered_as_segmenter():
    assert get_component("KMeansSegmenter").kind == "segmenter"
    tags = get_tags(KMeansSegmenter())
    assert tags.input_tags.two_d_array and not tags.input_tags.account_frame


# ---------------------------------------------------------------------------- silhouette


def test_shared_pass_silhouette_equals_sklearn():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((400, 3))
    labelings = [
        rng.integers(0, 2, 400),
        rng.integers(0, 7, 400),
        np.r_[np.zeros(399, int), [5]],  # a singleton cluster (silhouette 0 for it)
        np.where(Z[:, 0] > 0, 10, 3),  # labels that are not 0..k-1
    ]
    got = _silhouettes(Z, labelings)
    expected = [silhouette_score(Z, lab) for lab in labelings]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    one, every = _silhouettes(Z[:5], [np.zeros(5), np.arange(5)])
    assert np.isnan(one) and np.isnan(every)  # undefined, not an error


def test_silhouette_is_computed_on_a_sample_for_large_n():
    X, _, _ = planted(1, n=600)
    seg = KMeansSegmenter(silhouette_sample_size=200, random_state=0).fit(X)
    assert seg.silhouette_sample_size_ == 200
    full = KMeansSegmenter(silhouette_sample_size=None, random_state=0).fit(X)
    assert full.silhouette_sample_size_ == 600
    Z = full._space(X)
    assert full.silhouette_ == pytest.approx(silhouette_score(Z, full.labels_), abs=1e-9)
    # the sample estimate is close to the exact value for every k
    for k, s in seg.silhouette_scores_.items():
        assert abs(s - full.silhouette_scores_[k]) < 0.08


# ----------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize("seed", [0, 1, 2, 4])
def test_auto_k_recovers_planted_clusters_in_log_space(seed):
    X, y, k = planted(seed)
    seg = KMeansSegmenter(random_state=0).fit(X)
    assert seg.n_clusters_ == k
    assert adjusted_rand_score(y, seg.labels_) > 0.95
    assert seg.log_features_.tolist() == list(range(X.shape[1]))
    assert seg.silhouette_ == max(seg.silhouette_scores_.values())
    assert sorted(seg.silhouette_scores_) == list(range(2, 11))
    # without the log, the largest accounts dominate and the planted segments are lost
    raw = KMeansSegmenter(log_features=None, random_state=0).fit(X)
    assert adjusted_rand_score(y, raw.labels_) < 0.8


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(12, 80),
    p=st.integers(1, 4),
    data_seed=st.integers(0, 2**16),
    random_state=st.integers(0, 2**16),
    n_clusters=st.sampled_from(["auto", 2, 3]),
    heavy=st.booleans(),
)
def test_deterministic_under_random_state(n, p, data_seed, random_state, n_clusters, heavy):
    rng = np.random.default_rng(data_seed)
    X = rng.lognormal(0, 2, (n, p)) if heavy else rng.standard_normal((n, p))
    params = dict(n_clusters=n_clusters, k_range=(2, 5), n_init=1, silhouette_sample_size=20,
                  random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on duplicate points
        a = KMeansSegmenter(**params).fit(X)
        b = KMeansSegmenter(**params).fit(X.copy())
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.silhouette_scores_.keys() == b.silhouette_scores_.keys()
    np.testing.assert_array_equal(list(a.silhouette_scores_.values()), list(b.silhouette_scores_.values()))
    pd.testing.assert_frame_equal(a.segment_profiles_, b.segment_profiles_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    # labels are 0..k-1, every segment non-empty, sizes add up
    assert set(np.unique(a.labels_)) == set(range(a.n_clusters_))
    assert a.segment_profiles_["size"].sum() == n


def test_parallel_fits_over_k_match_sequential_fits():
    from threadpoolctl import threadpool_limits

    X, _, _ = planted(5, n=12_000, n_features=2)  # from 10,000 accounts on, k values run in parallel
    params = dict(k_range=(2, 5), n_init=1, silhouette_sample_size=2_000, random_state=0)
    parallel = KMeansSegmenter(**params).fit(X)
    with threadpool_limits(1):  # one thread allowed: the k values run one after the other
        sequential = KMeansSegmenter(**params).fit(X)
    np.testing.assert_array_equal(parallel.labels_, sequential.labels_)
    assert parallel.silhouette_scores_ == sequential.silhouette_scores_


def test_profiles_are_centroids_in_original_units():
    X, _, _ = planted(0, n=900, n_features=3)
    X = np.column_stack([X, np.random.default_rng(0).normal(5, 1, len(X))])  # a column not logged
    seg = KMeansSegmenter(random_state=0).fit(X)
    assert seg.log_features_.tolist() == [0, 1, 2]
    prof = seg.segment_profiles_
    assert list(prof.columns) == ["name", "size", "share", "x0", "x1", "x2", "x3"]
    assert prof.index.name == "segment"
    np.testing.assert_array_equal(prof["size"], np.bincount(seg.labels_))
    np.testing.assert_allclose(prof["share"].sum(), 1.0)
    for j in range(seg.n_clusters_):
        members = X[seg.labels_ == j]
        # unlogged column: the segment mean
        assert prof.loc[j, "x3"] == pytest.approx(members[:, 3].mean(), rel=1e-3)
        # logged columns: the back-transformed mean of log1p(x / c)
        for i, c in zip(seg.log_features_, seg.log_offsets_, strict=True):
            log_mean = np.log1p(members[:, i] / c).mean()
            assert prof.loc[j, f"x{i}"] == pytest.approx(c * np.expm1(log_mean), rel=1e-3)
            # ... which lies inside the segment's range, near its median
            assert members[:, i].min() <= prof.loc[j, f"x{i}"] <= members[:, i].max()
    # the offset is the documented quantile of the positive values
    assert seg.log_offsets_[0] == pytest.approx(np.quantile(X[:, 0][X[:, 0] > 0], LOG_OFFSET_QUANTILE))


def test_log_rule_and_explicit_lists():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({
        "followers": rng.lognormal(9, 2, 300),  # heavy tailed
        "rate": rng.lognormal(-3, 1, 300),  # skewed rate: logged even though < 1
        "uniform": rng.uniform(0, 1, 300),  # not heavy tailed
        "signed": rng.standard_normal(300) ** 3,  # skewed but negative: never logged
    })
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    assert seg.feature_names_in_[seg.log_features_].tolist() == ["followers", "rate"]
    seg = KMeansSegmenter(n_clusters=3, log_features=["uniform", 0], random_state=0).fit(X)
    assert seg.log_features_.tolist() == [0, 2]
    assert KMeansSegmenter(n_clusters=3, log_features=None).fit(X).log_features_.tolist() == []
    with pytest.raises(ValueError, match="'signed' is listed in log_features but has negative"):
        KMeansSegmenter(n_clusters=3, log_features=["signed"]).fit(X)
    with pytest.raises(ValueError, match="lists 'nope', which is not a column"):
        KMeansSegmenter(n_clusters=3, log_features=["nope"]).fit(X)
    # a logged column must stay non-negative at predict time
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    bad = X.iloc[:4].copy()
    bad.loc[bad.index[2], "followers"] = -5.0
    with pytest.raises(ValueError, match=r"Column 'followers' is log-transformed .* row positions \[2\]"):
        seg.predict(bad)


def test_names_from_tiers_and_engagement_terciles():
    rng = np.random.default_rng(3)
    groups = [(3e3, 0.10, 50), (4e4, 0.05, 40), (3e5, 0.05, 40), (3e6, 0.012, 30)]
    X = pd.DataFrame({
        "followers": np.concatenate([rng.lognormal(np.log(f), 0.15, m) for f, _, m in groups]),
        "engagement_rate": np.concatenate([rng.normal(r, r / 10, m) for _, r, m in groups]),
    })
    seg = KMeansSegmenter(random_state=0).fit(X)
    assert seg.n_clusters_ == 4
    prof = seg.segment_profiles_
    # ordered by follower centroid, tier of the centroid, engagement level by terciles
    assert prof["followers"].is_monotonic_increasing
    assert prof["name"].tolist() == [
        "nano · high engagement", "micro · medium engagement", "mid · medium engagement",
        "mega · low engagement"]
    q1, q2 = np.quantile(X["engagement_rate"], [1 / 3, 2 / 3])
    np.testing.assert_allclose(seg.engagement_terciles_, [q1, q2])
    assert [n.split(" · ")[0] for n in prof["name"]] == follower_tier(prof["followers"]).tolist()
    np.testing.assert_array_equal(seg.predict_names(X), seg.segment_names_[seg.labels_])
    # duplicates are numbered; without engagement the name is the tier alone
    dup = KMeansSegmenter(n_clusters=6, engagement_feature=None, random_state=0).fit(X)
    names = dup.segment_names_.tolist()
    assert len(set(names)) == 6 and any(n.endswith(" (2)") for n in names)
    assert all(n.split(" (")[0] in follower_tier([1, 1e4, 1e5, 5e5, 1e6]).tolist() for n in names)
    # an array without column names: "segment k", unless the columns are given by index
    arr = X.to_numpy()
    assert KMeansSegmenter(n_clusters=2, random_state=0).fit(arr).segment_names_.tolist() == [
        "segment 0", "segment 1"]
    by_index = KMeansSegmenter(n_clusters=4, followers_feature=0, engagement_feature=1,
                               random_state=0).fit(arr)
    assert by_index.segment_names_.tolist() == prof["name"].tolist()
    only_rate = KMeansSegmenter(n_clusters=4, followers_feature=None, random_state=0).fit(X)
    assert all(n.split(" (")[0].endswith("engagement") for n in only_rate.segment_names_)
    # ColumnTransformer-style prefixed names are found by "auto"
    pref = X.rename(columns=lambda c: f"profile__{c}")
    assert KMeansSegmenter(n_clusters=4, random_state=0).fit(pref).segment_names_.tolist() == (
        prof["name"].tolist())


def test_transform_predict_score():
    X, _, k = planted(2, n=500)
    seg = KMeansSegmenter(n_clusters=k, random_state=0).fit(X)
    D = seg.transform(X)
    assert D.shape == (500, k)
    np.testing.assert_array_equal(D.argmin(axis=1), seg.predict(X))
    np.testing.assert_array_equal(seg.predict(X), seg.labels_)
    assert seg.get_feature_names_out().tolist() == [f"kmeanssegmenter{i}" for i in range(k)]
    out = seg.set_output(transform="pandas").transform(pd.DataFrame(X))
    assert list(out.columns) == seg.get_feature_names_out().tolist()
    assert seg.score(X) == pytest.approx(silhouette_scorer(seg, X))
    assert seg.score(X) == pytest.approx(seg.silhouette_)  # all rows are in the sample here


def test_missing_values_error_names_columns_and_rows():
    X = pd.DataFrame({"followers": [1e3, 2e4, np.nan, 5e5, 1e6, 3e3],
                      "engagement_rate": [0.1, np.inf, 0.02, np.nan, 0.01, 0.2]},
                     index=[f"acc{i}" for i in range(6)])
    with pytest.raises(ValueError) as err:
        KMeansSegmenter(n_clusters=2).fit(X)
    msg = str(err.value)
    assert "column 'followers' has NaN in 1 row(s), index labels ['acc2']" in msg
    assert "column 'engagement_rate' has NaN or infinity in 2 row(s), index labels ['acc1', 'acc3']" in msg
    assert "SimpleImputer" in msg
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X.fillna(1.0).replace(np.inf, 1.0))
    with pytest.raises(ValueError, match=r"column 'x1' has NaN in 1 row\(s\), row positions \[0\]"):
        KMeansSegmenter(n_clusters=2).fit(np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 1.0]]))
    with pytest.raises(ValueError, match="'followers' has NaN"):
        seg.predict(X)


@pytest.mark.parametrize("params, match", [
    ({"n_clusters": 0}, r"The 'n_clusters' parameter of KMeansSegmenter must be a str among "
                        r"\{'auto'\} or an int in the range \[1, inf\)\. Got 0 instead"),
    ({"n_clusters": "three"}, "The 'n_clusters' parameter"),
    ({"k_range": 5}, "The 'k_range' parameter of KMeansSegmenter must be an instance of 'tuple'"),
    ({"k_range": (1, 5)}, "The 'k_range' parameter of KMeansSegmenter must be a pair of ints"),
    ({"k_range": (5, 3)}, "The 'k_range' parameter"),
    ({"scaler": "minmax"}, "The 'scaler' parameter of KMeansSegmenter must be a str among"),
    ({"scaler": object()}, "an object implementing 'fit', 'transform' and 'inverse_transform'"),
    ({"scaler": PCA}, "The 'scaler' parameter .* not the class PCA: pass PCA()"),
    ({"silhouette_sample_size": 1}, "The 'silhouette_sample_size' parameter"),
    ({"algorithm": "elkan"}, "The 'algorithm' parameter"),
    ({"n_init": 0}, "The 'n_init' parameter"),
    ({"log_features": "all"}, "The 'log_features' parameter"),
    ({"max_iter": 0}, "The 'max_iter' parameter"),
    ({"followers_feature": 1.5}, "The 'followers_feature' parameter"),
    ({"random_state": "seed"}, "The 'random_state' parameter"),
    ({"followers_feature": "fans"}, "names the column 'fans', which X does not have"),
    ({"engagement_feature": 7}, "is column index 7, but X has 2 columns"),
])
def test_parameter_errors(params, match):
    X = pd.DataFrame({"followers": [1e3, 2e4, 3e5, 4e6], "engagement_rate": [0.1, 0.05, 0.02, 0.01]})
    with pytest.raises(ValueError, match=match):
        KMeansSegmenter(**params).fit(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_too_few_accounts_and_names_on_arrays():
    with pytest.raises(ValueError, match="n_samples=2 is too few for n_clusters='auto'"):
        KMeansSegmenter().fit([[1.0], [2.0]])
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        KMeansSegmenter(n_clusters=3).fit([[1.0], [2.0]])
    with pytest.raises(ValueError, match="X has no column names"):
        KMeansSegmenter(n_clusters=2, followers_feature="followers").fit([[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="undefined for every k"):
        KMeansSegmenter().fit(np.ones((20, 2)))
    # k_range is capped at the sample size minus one
    seg = KMeansSegmenter(k_range=(2, 10), random_state=0).fit(np.arange(12.0)[:, None] ** 2)
    assert max(seg.silhouette_scores_) == 10
    seg = KMeansSegmenter(silhouette_sample_size=5, random_state=0).fit(np.arange(30.0)[:, None])
    assert max(seg.silhouette_scores_) == 4


def test_scaler_options_minibatch_and_custom_transformer():
    X, y, k = planted(4, n=600)
    for scaler in ("standard", "robust", None, make_pipeline(StandardScaler(), PCA(2))):
        seg = KMeansSegmenter(n_clusters=k, scaler=scaler, random_state=0).fit(X)
        assert seg.segment_profiles_.shape == (k, 3 + X.shape[1])
        assert adjusted_rand_score(y, seg.labels_) > 0.9
    assert seg.cluster_centers_.shape == (k, 2) and seg.transform(X).shape == (600, k)
    mb = KMeansSegmenter(n_clusters=k, algorithm="minibatch", random_state=0).fit(X)
    assert adjusted_rand_score(y, mb.labels_) > 0.9


# ----------------------------------------------------------------- pipelines and search


def test_last_step_of_a_pipeline_and_grid_search_with_the_scorer():
    X, y, k = planted(0, n=600)
    X = X.copy()
    X[::50, 1] = np.nan  # the imputer in front handles the holes
    pipe = make_pipeline(SimpleImputer(strategy="median"), KMeansSegmenter(random_state=0))
    labels = pipe.fit_predict(X)
    assert pipe[-1].n_clusters_ == k and adjusted_rand_score(y, labels) > 0.9
    np.testing.assert_array_equal(pipe.predict(X), labels)
    assert pipe.transform(X).shape == (600, k)
    search = GridSearchCV(pipe, {"kmeanssegmenter__n_clusters": [2, 3, k, k + 2]},
                          scoring=silhouette_scorer, cv=3).fit(X)
    assert search.best_params_ == {"kmeanssegmenter__n_clusters": k}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # over the scaler (a different space per candidate: see the scorer's Notes)
    search = GridSearchCV(KMeansSegmenter(n_clusters=k, random_state=0),
                          {"scaler": ["standard", "robust"]}, scoring=silhouette_scorer, cv=3)
    search.fit(np.nan_to_num(X, nan=1.0))
    assert search.best_score_ > 0.5
    # the segmenter's own score is the same silhouette: GridSearchCV works without scoring too
    scores = cross_val_score(KMeansSegmenter(n_clusters=k, random_state=0), np.nan_to_num(X, nan=1.0),
                             cv=3)
    assert (scores > 0.5).all()


def test_scorer_on_other_clusterers_and_sample():
    from sklearn.cluster import KMeans

    X, _ = make_blobs(300, centers=3, random_state=0)
    km = KMeans(3, n_init=1, random_state=0).fit(X)
    assert silhouette_scorer(km, X) == pytest.approx(silhouette_score(X, km.labels_))
    small = make_silhouette_scorer(sample_size=100, random_state=1)
    assert abs(small(km, X) - silhouette_score(X, km.labels_)) < 0.1
    assert "sample_size=100" in repr(small)
    with pytest.raises(ValueError, match="The 'sample_size' parameter of make_silhouette_scorer"):
        make_silhouette_scorer(sample_size=0)


def test_end_to_end_on_synthetic_creators():
    feats, data = creators_frame(300)
    seg = KMeansSegmenter(random_state=0).fit(feats)
    assert len(seg.labels_) == 300 and 0 < seg.silhouette_ < 1
    assert seg.feature_names_in_[seg.log_features_].tolist()[:2] == ["followers", "engagement_rate"]
    prof = seg.segment_profiles_
    assert (prof["size"] > 0).all() and prof["followers"].is_monotonic_increasing
    assert [n.split(" · ")[0] for n in prof["name"]] == follower_tier(prof["followers"]).tolist()
    # segments separate the generator's follower tiers: median followers of the members rise
    # with the segment's centroid, and the centroid sits inside its members' range
    med = [np.median(feats["followers"][seg.labels_ == j]) for j in range(seg.n_clusters_)]
    assert np.all(np.diff(med) > 0)

    # the same from the account frame, as one Pipeline (ColumnTransformer keeps followers)
    features = ColumnTransformer([
        ("profile", "passthrough", ["followers"]),
        ("posts", EngagementAggregator(features=["engagement_rate", "likes_median", "posts_per_week"],
                                       fill_value=0.0), ["followers", "posts"]),
    ], verbose_feature_names_out=False)
    pipe = make_pipeline(features, KMeansSegmenter(random_state=0)).set_output(transform="pandas")
    labels = pipe.fit_predict(data.accounts)
    np.testing.assert_array_equal(labels, seg.labels_)
    assert pipe[-1].segment_names_.tolist() == seg.segment_names_.tolist()


@pytest.mark.shared_data
def test_tiktok_creators_end_to_end(shared_data):
    from skinfluence import load_tiktok_videos

    frame = load_tiktok_videos(shared_data("tiktok_creator_videos"))
    features = ColumnTransformer([
        ("profile", "passthrough", ["followers"]),
        ("posts", EngagementAggregator(
            features=["engagement_rate", "likes_median", "views_median", "posts_per_week"]),
         ["followers", "posts"]),
    ], verbose_feature_names_out=False)
    pipe = make_pipeline(features, SimpleImputer(strategy="median"),
                         KMeansSegmenter(random_state=0)).set_output(transform="pandas")
    labels = pipe.fit_predict(frame)
    seg = pipe[-1]
    assert len(labels) == 1794
    assert 0 < seg.silhouette_ < 1
    sizes = np.bincount(labels, minlength=seg.n_clusters_)
    assert (sizes > 0).all() and sizes.sum() == 1794
    assert seg.segment_profiles_["size"].tolist() == sizes.tolist()
    assert seg.segment_names_[0].startswith(("nano", "micro", "mid", "macro", "mega"))


def test_non_numeric_input_names_the_column_and_the_fix():
    # before: scikit-learn's "could not convert string to float: ..." naming nothing
    from skinfluence.exceptions import AccountFrameError

    frame = make_creators(12, n_posts=3, random_state=0).accounts
    with pytest.raises(AccountFrameError, match=r"nested posts \(column 'posts'\)\. Put "
                                                r"EngagementAggregator first.*make_pipeline"):
        KMeansSegmenter(n_clusters=2).fit(frame)
    X = pd.DataFrame({"followers": np.arange(12.0) + 1, "handle": [f"u{i}" for i in range(12)]})
    with pytest.raises(AccountFrameError, match=r"column\(s\) \['handle'\] of X are not numeric"):
        KMeansSegmenter(n_clusters=2).fit(X)
    fitted = KMeansSegmenter(n_clusters=2, random_state=0).fit(X[["followers"]])
    with pytest.raises(AccountFrameError, match=r"\['followers'\] of X are not numeric"):
        fitted.predict(pd.DataFrame({"followers": ["a", "b"]}))
    arr = np.column_stack([np.arange(12.0), ["x"] * 12]).astype(object)
    arr[:, 0] = np.arange(12.0)
    with pytest.raises(AccountFrameError, match=r"column 1 of X holds values that are not numbers "
                                                r"\(row 0: 'x'\)"):
        KMeansSegmenter(n_clusters=2).fit(arr)
    pipe = make_pipeline(EngagementAggregator(), KMeansSegmenter(n_clusters=2, random_state=0))
    assert len(pipe.fit_predict(frame)) == len(frame)
