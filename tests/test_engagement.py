"""EngagementAggregator: values against a per-account reference, properties, edge cases."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skinfluence import EngagementAggregator, nest_posts, unnest_posts
from skinfluence.accounts import ENGAGEMENT_FEATURES
from skinfluence.utils.estimator_checks import make_check_frame


def reference(frame, ref_time, include_shares=True):
    """The features written the obvious way: a Python loop over accounts (slow, clear)."""
    rows = []
    for _, acc in frame.iterrows():
        posts = pd.DataFrame(list(acc["posts"]))
        r = {}
        n = len(posts)
        r["n_posts_seen"] = n
        for c in ("likes", "comments", "shares", "views"):
            v = posts[c].astype(float) if n else pd.Series(dtype=float)
            r[f"{c}_mean"], r[f"{c}_median"] = v.mean(), v.median()
        if n:
            eng = posts["likes"].astype(float) + posts["comments"].astype(float)
            if include_shares:
                eng = eng + posts["shares"].astype(float).fillna(0)
        else:
            eng = pd.Series(dtype=float)
        r["engagement_mean"] = eng.mean()
        r["total_engagement"] = eng.sum(min_count=1) if n else 0.0  # unknown is never 0
        f = acc["followers"]
        r["engagement_rate"] = eng.mean() / f if f > 0 else np.nan
        ok = eng.notna() & posts["views"].notna() if n else pd.Series(dtype=bool)
        vs = posts["views"][ok].sum() if n else 0
        r["engagement_rate_per_view"] = eng[ok].sum() / vs if vs > 0 else np.nan
        m, s = eng.mean(), eng.std(ddof=0)
        r["engagement_cv"] = s / m if m > 0 else np.nan
        seconds = (pd.to_datetime(posts["timestamp"], utc=True) - pd.Timestamp(0, tz="UTC")).dt.total_seconds() if n else None
        t = seconds.sort_values().to_numpy() if n else np.array([])
        span = t[-1] - t[0] if n else 0
        r["posts_per_week"] = (n - 1) * 7 * 86400 / span if n >= 2 and span > 0 else np.nan
        gaps = np.diff(t)
        r["gap_cv"] = gaps.std() / gaps.mean() if len(gaps) and gaps.mean() > 0 else np.nan
        r["recency_days"] = (ref_time - t[-1]) / 86400 if n else np.nan
        tt = seconds.to_numpy() if n else np.array([])
        yy = np.log1p(eng.to_numpy())
        good = ~np.isnan(yy)
        tw = (tt[good] - tt[good].mean()) / (7 * 86400) if good.any() else tt[good]
        r["growth_slope"] = np.polyfit(tw, yy[good], 1)[0] if good.sum() >= 2 and np.ptp(tw) > 0 else np.nan
        r["growth_acceleration"] = (
            2 * np.polyfit(tw, yy[good], 2)[0] if good.sum() >= 3 and len(np.unique(tw)) >= 3 else np.nan
        )
        texts = posts["text"].fillna("") if n else pd.Series(dtype=str)
        r["hashtag_rate"] = texts.str.count(r"(?:^|[^\w#])#\w").mean()
        r["mention_rate"] = texts.str.count(r"(?:^|[^\w@])@\w").mean()
        rows.append(r)
    return pd.DataFrame(rows)[list(ENGAGEMENT_FEATURES)]


@pytest.fixture
def frame():
    f, _ = make_check_frame(n_accounts=30, random_state=3)
    return f


def test_matches_the_per_account_reference(frame):
    agg = EngagementAggregator().set_output(transform="pandas")
    got = agg.fit_transform(frame)
    ref_time = agg.reference_time_.timestamp()
    expected = reference(frame, ref_time)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected, check_dtype=False, rtol=1e-6, atol=1e-9
    )


def test_without_shares(frame):
    got = EngagementAggregator(features=["engagement_mean"], include_shares=False).fit_transform(frame)
    expected = reference(frame, 0, include_shares=False)["engagement_mean"].to_numpy()
    np.testing.assert_allclose(got[:, 0], expected, equal_nan=True)


def test_feature_selection_order_and_names(frame):
    agg = EngagementAggregator(features=["recency_days", "likes_mean"]).fit(frame)
    assert agg.get_feature_names_out().tolist() == ["recency_days", "likes_mean"]
    assert agg.transform(frame).shape == (len(frame), 2)


@pytest.mark.parametrize("features", ["most", "likes_mean", [], ["likes_mean", "likes_mean"],
                                      ["nope"], 3])
def test_bad_feature_lists(frame, features):
    with pytest.raises(ValueError, match="The 'features' parameter of EngagementAggregator must be "
                                         "'all' or a non-empty list of distinct options"):
        EngagementAggregator(features=features).fit(frame)


@pytest.mark.parametrize("params", [{"include_shares": "yes"}, {"fill_value": "zero"},
                                    {"reference_time": 3.5}, {"followers_column": None}])
def test_parameter_errors(frame, params):
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"The '{name}' parameter of EngagementAggregator must be"):
        EngagementAggregator(**params).fit(frame)
    with pytest.raises(ValueError, match="'reference_time' parameter .* datetime-like"):
        EngagementAggregator(reference_time="soon").fit(frame)


def test_every_feature_has_a_function_in_order():
    from skinfluence.accounts._engagement import _FEATURE_FUNCTIONS

    assert list(_FEATURE_FUNCTIONS) == list(ENGAGEMENT_FEATURES)


def test_fill_value_policy(frame):
    raw = EngagementAggregator().fit_transform(frame)
    assert np.isnan(raw).any() and not np.isinf(raw).any()
    filled = EngagementAggregator(fill_value=-1.0).fit_transform(frame)
    np.testing.assert_array_equal(filled, np.where(np.isnan(raw), -1.0, raw))
    with pytest.raises(ValueError, match="'fill_value' parameter"):
        EngagementAggregator(fill_value=np.inf).fit(frame)


def test_zero_followers_zero_posts_missing_views_nan_likes():
    profiles = pd.DataFrame({"account_id": ["zero", "empty", "noviews"], "followers": [0, 100, 50]})
    posts = pd.DataFrame({
        "account_id": ["zero", "noviews", "noviews"],
        "likes": [3.0, np.nan, 4.0], "comments": [1.0, 2.0, 1.0], "shares": [0.0, 0.0, np.nan],
        "views": [np.nan, np.nan, np.nan],
        "text": ["#a", None, "@b hi"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09"], utc=True),
    })
    agg = EngagementAggregator().set_output(transform="pandas")
    out = agg.fit_transform(nest_posts(profiles, posts))
    assert np.isfinite(out.to_numpy()[~np.isnan(out.to_numpy())]).all()
    assert np.isnan(out.loc[0, "engagement_rate"])  # zero followers: undefined, not inf
    assert out.loc[1, "n_posts_seen"] == 0 and out.loc[1, "total_engagement"] == 0
    assert np.isnan(out.loc[1, "likes_mean"])
    assert np.isnan(out.loc[2, "views_mean"]) and np.isnan(out.loc[2, "engagement_rate_per_view"])
    assert out.loc[2, "likes_mean"] == 4.0  # NaN likes skipped, not read as 0
    assert out.loc[2, "engagement_mean"] == 5.0  # the NaN-likes post has no engagement; NaN shares count 0
    assert out.loc[2, "mention_rate"] == 0.5


def test_reference_time_parameter_and_learned_default(frame):
    agg = EngagementAggregator(features=["recency_days"]).fit(frame)
    latest = unnest_posts(frame)["timestamp"].max()
    assert agg.reference_time_ == latest
    fixed = EngagementAggregator(features=["recency_days"], reference_time="2030-01-01").fit(frame)
    assert (fixed.transform(frame) > agg.transform(frame))[~np.isnan(agg.transform(frame))].all()
    # test accounts are measured against the training period's end, not their own
    part = frame.iloc[:5]
    np.testing.assert_allclose(agg.transform(part), agg.transform(frame)[:5], equal_nan=True)


def test_growth_sign_follows_the_trend():
    t = pd.date_range("2024-01-01", periods=10, freq="7D", tz="UTC")
    posts = pd.DataFrame({
        "account_id": ["up"] * 10 + ["down"] * 10,
        "likes": np.r_[np.geomspace(10, 1000, 10), np.geomspace(1000, 10, 10)],
        "comments": 0.0, "shares": 0.0, "timestamp": np.r_[t, t],
    })
    frame = nest_posts(pd.DataFrame({"account_id": ["up", "down"], "followers": [1e4, 1e4]}), posts)
    slope = EngagementAggregator(features=["growth_slope"]).fit_transform(frame)[:, 0]
    assert slope[0] > 0.4 and slope[1] < -0.4
    np.testing.assert_allclose(slope[0], -slope[1], rtol=1e-3)


# ----------------------------------------------------------------- property tests
# hypothesis draws the accounts and posts themselves (not a seed), so a failing case
# shrinks to a minimal frame: few accounts, few posts, small counts.

_COUNT = st.one_of(st.none(), st.integers(0, 10**6))
_POST = st.fixed_dictionaries({
    "likes": _COUNT, "comments": _COUNT, "shares": _COUNT, "views": _COUNT,
    # posting times in whole minutes over two years: repeated times are possible
    "minute": st.integers(0, 2 * 365 * 24 * 60),
    "text": st.one_of(st.none(), st.text(alphabet="#@ab_1é ", max_size=12)),
})
_ACCOUNT = st.tuples(st.integers(0, 10**7), st.lists(_POST, max_size=6))


@st.composite
def account_frames(draw, max_accounts=6):
    """(profiles, flat posts): accounts with 0-6 posts each, missing counts and texts."""
    accounts = draw(st.lists(_ACCOUNT, min_size=1, max_size=max_accounts))
    ids = [f"acc{i}" for i in range(len(accounts))]
    profiles = pd.DataFrame({"account_id": ids,
                             "followers": [float(f) for f, _ in accounts]})
    rows = [{"account_id": ids[i], **post} for i, (_, posts) in enumerate(accounts)
            for post in posts]
    posts = pd.DataFrame(rows, columns=["account_id", "likes", "comments", "shares", "views",
                                        "minute", "text"])
    for c in ("likes", "comments", "shares", "views"):
        posts[c] = posts[c].astype("float64")  # None -> NaN: a missing count
    posts["text"] = posts["text"].astype("str")  # a string field even when every text is missing
    posts["timestamp"] = pd.to_datetime(posts.pop("minute").astype("int64") * 60, unit="s", utc=True)
    return profiles, posts


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_invariant_to_post_order(data):
    profiles, posts = data.draw(account_frames())
    order = data.draw(st.permutations(range(len(posts))))
    frame = nest_posts(profiles, posts)
    shuffled = nest_posts(profiles, posts.iloc[list(order)].reset_index(drop=True))
    agg = EngagementAggregator().fit(frame)
    np.testing.assert_allclose(agg.transform(shuffled), agg.transform(frame), rtol=1e-6,
                               atol=1e-9, equal_nan=True)


# every feature but the growth fits (whose degenerate-fit rules differ from np.polyfit's near
# singular designs) and the text rates (whose patterns the shared pattern table defines)
_CLOSED_FORM = [f for f in ENGAGEMENT_FEATURES
                if not f.startswith("growth_") and f not in ("hashtag_rate", "mention_rate")]


@settings(max_examples=40, deadline=None)
@given(account_frames())
def test_matches_the_reference_on_drawn_frames(tables):
    profiles, posts = tables
    frame = nest_posts(profiles, posts)
    agg = EngagementAggregator(features=_CLOSED_FORM).set_output(transform="pandas")
    got = agg.fit_transform(frame).reset_index(drop=True)
    ref_time = agg.reference_time_.timestamp() if agg.reference_time_ is not None else np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty means in the reference
        expected = reference(frame, ref_time)[_CLOSED_FORM]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(account_frames())
def test_finite_or_nan_and_counts_for_valid_input(tables):
    profiles, posts = tables
    agg = EngagementAggregator().set_output(transform="pandas")
    out = agg.fit_transform(nest_posts(profiles, posts))
    assert not np.isinf(out.to_numpy()).any()
    per_account = posts.groupby("account_id").size().reindex(profiles["account_id"], fill_value=0)
    np.testing.assert_array_equal(out["n_posts_seen"], per_account.to_numpy())
    assert (out["total_engagement"].dropna() >= 0).all()
    # unknown is never 0: the total is NaN exactly where posts exist but no engagement is known
    known = out["engagement_mean"].notna().to_numpy() | (per_account.to_numpy() == 0)
    np.testing.assert_array_equal(out["total_engagement"].isna().to_numpy(), ~known)
    # a rate is undefined exactly where the account has no followers or no engagement mean
    undefined = (profiles["followers"].to_numpy() == 0) | out["engagement_mean"].isna().to_numpy()
    np.testing.assert_array_equal(out["engagement_rate"].isna().to_numpy(), undefined)


def test_in_a_grid_search(frame):
    from sklearn.linear_model import LogisticRegression

    _, y = make_check_frame(n_accounts=30, random_state=3)
    pipe = make_pipeline(EngagementAggregator(fill_value=0.0), StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipe, {"engagementaggregator__include_shares": [True, False]}, cv=3)
    search.fit(frame, y)
    assert search.predict(frame).shape == (30,)


def test_errors_name_what_is_missing(frame):
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['followers'\]"):
        EngagementAggregator(features=["engagement_rate"]).fit(frame.drop(columns="followers"))
    no_time = nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns="timestamp"))
    with pytest.raises(ValueError, match=r"post field 'timestamp' needed by features "
                                         r"\['recency_days'\] is missing"):
        EngagementAggregator(features=["recency_days"]).fit(no_time)
    # features that need no timestamp work without one
    EngagementAggregator(features=["likes_mean"]).fit_transform(no_time)


# ------------------------------------------------- no silent wrong results (issue 13)


def _graph_api_frame():
    """Posts named as Instagram's Graph API names them (like_count, comments_count, ...)."""
    profiles = pd.DataFrame({"account_id": ["a", "b"], "followers": [100, 200]})
    posts = pd.DataFrame({
        "account_id": ["a", "a", "b"], "like_count": [10, 20, 30], "comments_count": [1, 2, 3],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-03"], utc=True),
    })
    return nest_posts(profiles, posts)


GRAPH_API_MAP = {"like_count": "likes", "comments_count": "comments"}


def test_fields_named_otherwise_raise_with_the_closest_names():
    # before: all-NaN engagement features, no warning
    frame = _graph_api_frame()
    agg = EngagementAggregator(features=["likes_mean", "engagement_rate", "n_posts_seen"])
    with pytest.raises(ValueError) as info:
        agg.fit(frame)
    msg = str(info.value)
    assert msg.startswith("EngagementAggregator: post field 'likes' needed by features "
                          "['likes_mean', 'engagement_rate'] is missing")
    assert "post field 'comments' needed by features ['engagement_rate'] is missing" in msg
    assert "posts have fields ['comments_count', 'like_count', 'timestamp']" in msg
    assert "did you mean 'like_count' for 'likes', 'comments_count' for 'comments'?" in msg
    assert "rename_post_fields(frame, {'like_count': 'likes', 'comments_count': 'comments'})" in msg
    # fields no selected feature needs may be absent
    assert agg.set_params(features=["n_posts_seen"]).fit_transform(frame).tolist() == [[2.0], [1.0]]


def test_the_field_map_renames_once_for_the_whole_pipeline():
    import pickle

    from sklearn.base import clone
    from sklearn.preprocessing import FunctionTransformer

    from skinfluence import rename_post_fields

    frame = _graph_api_frame()
    canonical = nest_posts(frame.drop(columns="posts"),
                           unnest_posts(frame).rename(columns=GRAPH_API_MAP))
    expected = EngagementAggregator().set_params(
        features=["likes_mean", "engagement_rate", "growth_slope"]).fit_transform(canonical)
    pipe = make_pipeline(
        FunctionTransformer(rename_post_fields, kw_args={"mapping": GRAPH_API_MAP}),
        EngagementAggregator(features=["likes_mean", "engagement_rate", "growth_slope"]),
    )
    np.testing.assert_array_equal(pipe.fit_transform(frame), expected)
    np.testing.assert_array_equal(clone(pipe).fit(frame).transform(frame), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).transform(frame), expected)


def test_views_and_shares_need_their_field_when_selected():
    frame, _ = make_check_frame(n_accounts=8)
    no_views = nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns="views"))
    # before: views_* and engagement_rate_per_view all NaN with features="all"
    with pytest.raises(ValueError, match=r"post field 'views' needed by features \['views_mean', "
                                         r"'views_median', 'engagement_rate_per_view'\] is missing"):
        EngagementAggregator().fit(no_views)
    # missing share counts still add 0 to the engagement (documented), field or value
    no_shares = nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns="shares"))
    got = EngagementAggregator(features=["engagement_mean"]).fit_transform(no_shares)
    expected = EngagementAggregator(features=["engagement_mean"], include_shares=False).fit_transform(frame)
    np.testing.assert_array_equal(got, expected)


def test_unknown_is_never_zero_in_an_aggregate():
    # before: total_engagement of an account whose likes are all unknown was 0.0
    profiles = pd.DataFrame({"account_id": ["unknown", "known", "none"], "followers": [10, 10, 10]})
    posts = pd.DataFrame({"account_id": ["unknown", "unknown", "known"],
                          "likes": [np.nan, np.nan, 4.0], "comments": [1.0, 2.0, 1.0],
                          "shares": [0.0, 1.0, np.nan], "views": [5.0, 6.0, 7.0]})
    out = (EngagementAggregator(features=[f for f in ENGAGEMENT_FEATURES
                                          if f not in ("posts_per_week", "gap_cv", "recency_days",
                                                       "growth_slope", "growth_acceleration",
                                                       "hashtag_rate", "mention_rate")])
           .set_output(transform="pandas").fit_transform(nest_posts(profiles, posts)))
    unknown = out.iloc[0].drop(["comments_mean", "comments_median", "shares_mean", "shares_median",
                                "views_mean", "views_median", "n_posts_seen"])
    assert unknown.isna().all(), unknown[unknown.notna()]
    assert out.loc[1, "total_engagement"] == 5.0
    assert out.loc[2, "total_engagement"] == 0.0 and out.loc[2, "n_posts_seen"] == 0  # no posts: 0


def test_a_field_read_in_fit_must_be_there_in_transform(frame):
    no_shares = nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns="shares"))
    agg = EngagementAggregator(features=["engagement_mean", "likes_mean"]).fit(frame)
    # before: engagement silently computed without the shares
    with pytest.raises(ValueError, match=r"EngagementAggregator: post field\(s\) \['shares'\] were in "
                                         r"the posts given to fit but are missing now"):
        agg.transform(no_shares)
    # a field the aggregator does not read may come and go
    agg.transform(nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns="label")))
    # and a frame without shares at fit keeps working without them
    EngagementAggregator(features=["engagement_mean"]).fit(no_shares).transform(no_shares)
    # fields a selected feature needs are checked at every call
    likes = EngagementAggregator(features=["likes_mean"]).fit(frame)
    with pytest.raises(ValueError, match=r"post field 'likes' needed by features \['likes_mean'\]"):
        likes.transform(nest_posts(frame.drop(columns="posts"),
                                   unnest_posts(frame).rename(columns={"likes": "like_count"})))


def test_reference_time_garbage_names_the_parameter_and_the_accepted_forms(frame):
    with pytest.raises(ValueError) as info:
        EngagementAggregator(reference_time="garbage").fit(frame)
    msg = str(info.value)
    assert "The 'reference_time' parameter of EngagementAggregator must be None or a datetime-like" in msg
    assert "'2024-05-01'" in msg and "Got 'garbage' instead." in msg
    assert info.value.__cause__ is None and info.value.__suppress_context__  # not pandas' DateParseError
    aware = EngagementAggregator(features=["recency_days"], reference_time="2024-06-01T02:00+02:00")
    assert aware.fit(frame).reference_time_ == pd.Timestamp("2024-06-01", tz="UTC")
