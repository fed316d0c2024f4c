"""ProfileFeatures: values against hand computations, imputation learned in fit, real tables."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skinfluence import ProfileFeatures
from skinfluence.accounts import PROFILE_COUNTS
from skinfluence.datasets import load_top_instagram, make_creators
from skinfluence.exceptions import AccountFrameError
from skinfluence.utils.estimator_checks import make_check_frame


@pytest.fixture
def table():
    # c follows nobody (ratio undefined), d has no posts (likes per post undefined),
    # e misses its following count
    return pd.DataFrame({
        "account_id": ["a", "b", "c", "d", "e"],
        "followers": [1000.0, 50.0, 7.0, 0.0, 300.0],
        "following": [10.0, 100.0, 0.0, 5.0, np.nan],
        "n_posts": [20.0, 5.0, 1.0, 0.0, 3.0],
        "total_likes": [4000.0, 25.0, 2.0, 0.0, 90.0],
        "bio": ["x", "y", "z", "w", "v"],
    }, index=[10, 11, 12, 13, 14])


def test_names_and_raw_values_by_hand(table):
    pf = ProfileFeatures(log=False, impute=None).fit(table)
    assert pf.count_columns_ == ["followers", "following", "n_posts", "total_likes"]
    assert pf.get_feature_names_out().tolist() == [
        "followers", "following", "n_posts", "total_likes", "followers_per_following", "likes_per_post",
    ]
    out = pf.transform(table)
    expected = np.array([
        [1000, 10, 20, 4000, 100.0, 200.0],
        [50, 100, 5, 25, 0.5, 5.0],
        [7, 0, 1, 2, np.nan, 2.0],      # following == 0: no ratio, never inf
        [0, 5, 0, 0, 0.0, np.nan],      # no posts: no likes per post
        [300, np.nan, 3, 90, np.nan, 30.0],
    ])
    np.testing.assert_allclose(out, expected, equal_nan=True)
    assert not np.isinf(out).any()


def test_log_values_and_mean_imputation_by_hand(table):
    pf = ProfileFeatures().fit(table)
    assert pf.get_feature_names_out()[0] == "log1p_followers"
    out = pf.transform(table)
    np.testing.assert_allclose(out[:, 0], np.log1p([1000, 50, 7, 0, 300]))
    ratio = np.log1p([100.0, 0.5, 0.0])  # followers / following of a, b and d
    assert pf.statistics_[4] == pytest.approx(ratio.mean())
    np.testing.assert_allclose(out[[0, 1, 3], 4], ratio)
    np.testing.assert_allclose(out[[2, 4], 4], ratio.mean())  # c (following 0) and e (missing)
    following = np.log1p([10.0, 100.0, 0.0, 5.0])
    assert out[4, 1] == pytest.approx(following.mean())
    assert np.isfinite(out).all()


def test_median_imputation_learned_in_fit_applied_in_transform(table):
    test = pd.DataFrame({"followers": [np.nan, 1e9], "following": [np.nan, 2.0],
                         "n_posts": [np.nan, 0.0], "total_likes": [np.nan, 5.0]})
    for impute, reduce in (("mean", np.mean), ("median", np.median)):
        pf = ProfileFeatures(log=False, impute=impute).fit(table)
        out = pf.transform(test)
        # the missing row gets the training statistics, not statistics of the test rows
        assert out[0, 0] == pytest.approx(reduce([1000.0, 50.0, 7.0, 0.0, 300.0]))
        assert out[0, 1] == pytest.approx(reduce([10.0, 100.0, 0.0, 5.0]))
        assert out[0, 4] == pytest.approx(reduce([100.0, 0.5, 0.0]))
        assert out[1, 5] == pytest.approx(reduce([200.0, 5.0, 2.0, 30.0]))  # n_posts 0 in test
        np.testing.assert_allclose(pf.statistics_[:2], [out[0, 0], out[0, 1]])
    assert ProfileFeatures(impute="mean").fit(table).statistics_[0] != pytest.approx(
        ProfileFeatures(impute="median").fit(table).statistics_[0])


def test_impute_none_keeps_nan_and_indicators(table):
    pf = ProfileFeatures(impute=None, add_indicator=True).fit(table)
    assert pf.statistics_ is None
    names = pf.get_feature_names_out().tolist()
    assert pf.indicator_features_.tolist() == [
        "log1p_following", "log1p_followers_per_following", "log1p_likes_per_post"]
    assert names[-3:] == ["missing_log1p_following", "missing_log1p_followers_per_following",
                          "missing_log1p_likes_per_post"]
    out = pf.transform(table)
    assert np.isnan(out[2, 4]) and np.isnan(out[3, 5])
    np.testing.assert_array_equal(out[:, -3:], [[0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    filled = ProfileFeatures(add_indicator=True).fit(table).transform(table)
    assert np.isfinite(filled).all()
    np.testing.assert_array_equal(filled[:, -3:], out[:, -3:])


def test_set_output_pandas_keeps_the_account_index(table):
    out = ProfileFeatures().set_output(transform="pandas").fit_transform(table)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert list(out.columns)[:2] == ["log1p_followers", "log1p_following"]


def test_ratios_only_from_selected_columns(table):
    pf = ProfileFeatures(count_columns=["following", "total_likes", "n_posts"]).fit(table)
    # followers left out: nothing computed from it may come back through a ratio
    assert pf.get_feature_names_out().tolist() == [
        "log1p_following", "log1p_total_likes", "log1p_n_posts", "log1p_likes_per_post"]
    assert ProfileFeatures(ratios=False).fit(table).get_feature_names_out().tolist() == [
        "log1p_followers", "log1p_following", "log1p_n_posts", "log1p_total_likes"]


def test_auto_uses_every_known_count_present():
    frame = pd.DataFrame({c: [1.0, 2.0] for c in reversed(PROFILE_COUNTS)})
    pf = ProfileFeatures(ratios=False, log=False).fit(frame)
    assert pf.count_columns_ == list(PROFILE_COUNTS)


def test_account_age():
    created = pd.to_datetime(["2020-01-01", "2020-01-11", None, "2020-01-31"])
    frame = pd.DataFrame({"followers": [1.0, 2.0, 3.0, 4.0], "created_at": created})
    pf = ProfileFeatures(age_column="created_at", log=False, impute="median").fit(frame)
    assert pf.get_feature_names_out()[-1] == "account_age_days"
    assert pf.reference_time_ == pd.Timestamp("2020-01-31", tz="UTC")  # latest creation
    np.testing.assert_allclose(pf.transform(frame)[:, -1], [30, 20, 20, 0])  # NaT -> median
    aware = frame.assign(created_at=created.tz_localize("Europe/Zurich"))
    pf = ProfileFeatures(age_column="created_at", log=False,
                         reference_time="2020-02-01T00:00:00+01:00").fit(aware)
    np.testing.assert_allclose(pf.transform(aware)[[0, 1, 3], -1], [31, 21, 1])
    with pytest.raises(AccountFrameError, match="created_at.*pandas.to_datetime"):
        ProfileFeatures(age_column="created_at").fit(frame.assign(created_at=["2020"] * 4))
    with pytest.raises(ValueError, match="'reference_time' parameter"):
        ProfileFeatures(age_column="created_at", reference_time="soon").fit(frame)


def test_abbreviated_strings_are_a_clear_error():
    frame = pd.DataFrame({"account_id": ["a", "b"], "followers": [10.0, 20.0],
                          "total_likes": ["3.3k", "1.2m"]})
    with pytest.raises(AccountFrameError, match=r"'total_likes'.*'a'.*parse_count"):
        ProfileFeatures().fit(frame)
    with pytest.raises(AccountFrameError, match=r"'followers'.*parse_count"):
        ProfileFeatures().fit(frame.assign(followers=["8.7m", "1k"]))


def test_bad_input_errors(table):
    with pytest.raises(AccountFrameError, match=r"'total_likes' must be non-negative.*'b'"):
        ProfileFeatures().fit(table.assign(total_likes=[1.0, -2.0, 0, 0, 0]))
    with pytest.raises(AccountFrameError, match="no count column"):
        ProfileFeatures().fit(table[["account_id", "bio"]])
    with pytest.raises(AccountFrameError, match=r"missing required column\(s\) \['avg_likes'\]"):
        ProfileFeatures(count_columns=["followers", "avg_likes"]).fit(table)
    pf = ProfileFeatures().fit(table)
    with pytest.raises(AccountFrameError, match=r"missing required column\(s\) \['following'\]"):
        pf.transform(table.drop(columns=["following"]))
    with pytest.raises(AccountFrameError, match="account frame"):
        ProfileFeatures().fit(table[["followers"]].to_numpy())
    for params, name in [({"impute": "mode"}, "impute"), ({"log": "yes"}, "log"),
                         ({"count_columns": "all"}, "count_columns"),
                         ({"count_columns": ["followers", "followers"]}, "count_columns"),
                         ({"age_column": 3}, "age_column")]:
        with pytest.raises(ValueError, match=f"The '{name}' parameter of ProfileFeatures must be"):
            ProfileFeatures(**params).fit(table)


def test_feature_without_any_value_in_fit_warns_and_is_zero(table):
    frame = table.assign(following=0.0)  # no account follows anyone: the ratio is never defined
    with pytest.warns(UserWarning, match="log1p_followers_per_following.*filled with 0"):
        pf = ProfileFeatures().fit(frame)
    assert (pf.transform(frame)[:, 4] == 0).all()


def test_make_creators_frame_in_a_grid_search():
    data = make_creators(120, random_state=1)
    X, y = data.accounts, (data.tier == "nano").astype(int)
    out = ProfileFeatures().fit_transform(X)
    assert out.shape == (120, 4) and np.isfinite(out).all()  # followers, following, n_posts, ratio
    f = X["followers"].to_numpy(dtype=float)
    np.testing.assert_allclose(out[:, 0], np.log1p(f))
    search = GridSearchCV(make_pipeline(ProfileFeatures(), LogisticRegression()),
                          {"profilefeatures__impute": ["mean", "median"]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.9  # tier is a function of followers


@pytest.mark.shared_data
def test_real_top_instagram_table(shared_data):
    table = load_top_instagram(shared_data("top_instagram_influencers"))
    assert "posts" not in table.columns
    pf = ProfileFeatures(log=False).set_output(transform="pandas")
    out = pf.fit_transform(table)
    assert pf.count_columns_ == ["followers", "n_posts", "total_likes", "avg_likes", "new_post_avg_like"]
    assert list(out.columns)[-1] == "likes_per_post"  # no following count in this table
    row = table.iloc[0]  # the file's first account, as loaded (abbreviated numbers parsed)
    assert out.iloc[0]["followers"] == row["followers"]
    assert out.iloc[0]["likes_per_post"] == pytest.approx(row["total_likes"] / row["n_posts"])
    logged = ProfileFeatures().fit_transform(table)
    assert np.isfinite(logged).all()
    np.testing.assert_allclose(logged[:, 0], np.log1p(table["followers"].to_numpy()))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(*[st.one_of(st.none(), st.integers(0, 10**12)) for _ in range(4)]),
        min_size=1, max_size=15,
    ),
    impute=st.sampled_from(["mean", "median"]),
    log=st.booleans(),
    add_indicator=st.booleans(),
)
def test_output_is_finite_for_valid_input_when_imputing(data, impute, log, add_indicator):
    frame = pd.DataFrame(
        [[np.nan if v is None else float(v) for v in row] for row in data],
        columns=["followers", "following", "n_posts", "total_likes"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # columns without any value are filled with 0
        pf = ProfileFeatures(impute=impute, log=log, add_indicator=add_indicator).fit(frame)
    out = pf.transform(frame)
    assert out.shape == (len(frame), len(pf.get_feature_names_out()))
    assert np.isfinite(out).all()
    rows = pf.transform(frame.iloc[::-1])  # rows are independent of each other
    np.testing.assert_allclose(rows, out[::-1], rtol=1e-12, atol=0)  # summation order may differ by 1 ulp


# ------------------------------------------------------------------ input without posts
# (the shared scikit-learn and skinfluence checks run for every component in test_common.py)


@pytest.mark.parametrize("params", ProfileFeatures.get_test_params(), ids=repr)
def test_rejects_bad_input_but_needs_no_posts(params):
    """Arrays and frames without the used columns are rejected; a profile table is not."""
    X, y = make_check_frame()
    est = ProfileFeatures(**params)
    with pytest.raises((AccountFrameError, ValueError), match="account frame|DataFrame"):
        est.fit(np.zeros((len(X), 3)))
    est.fit(X)
    est.transform(X.drop(columns=["posts"]))  # a profile table: posts are never read
    with pytest.raises(AccountFrameError, match="missing required column"):
        est.transform(X[["account_id"]])



# ------------------------------------------------- no silent wrong results (issue 13)


def test_an_array_gets_told_what_is_needed(table):
    # before: "expected an account frame (... and a nested 'posts' column), got ndarray"
    for X in (np.zeros((3, 2)), [[1.0, 2.0]]):
        with pytest.raises(AccountFrameError) as info:
            ProfileFeatures().fit(X)
        msg = str(info.value)
        assert msg.startswith("ProfileFeatures expects a profile table or an account frame: a "
                              "pandas DataFrame with one row per account and named count columns")
        assert "'followers'" in msg and "it reads no posts" in msg and "posts' column" not in msg
    assert "ndarray of shape (3, 2)" in str(pytest.raises(
        AccountFrameError, ProfileFeatures().fit(table).transform, np.zeros((3, 2))).value)


def test_numeric_strings_name_the_column_values_and_the_fix(table):
    # before: "must be numeric, got dtype str with values such as [] for account(s) []"
    text = table.assign(followers=table["followers"].astype(int).astype(str))
    with pytest.raises(AccountFrameError, match=r"column 'followers' must be numeric, got dtype \w+ "
                                                r"with values such as \['1000', '50', '7', '0', '300'\] "
                                                r"for account\(s\) \['a', 'b', 'c', 'd', 'e'\]\. Convert "
                                                r"the column with pandas.to_numeric"):
        ProfileFeatures().fit(text)


def test_reference_time_garbage_names_the_accepted_forms():
    frame = pd.DataFrame({"followers": [1.0, 2.0],
                          "created_at": pd.to_datetime(["2020-01-01", "2020-01-11"])})
    with pytest.raises(ValueError, match=r"The 'reference_time' parameter of ProfileFeatures must be "
                                         r"None or a datetime-like value: .*'2024-05-01'.*Got 'garbage'"):
        ProfileFeatures(age_column="created_at", reference_time="garbage").fit(frame)
