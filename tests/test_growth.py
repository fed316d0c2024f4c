"""Emerging creators: the snapshot loader, GrowthFeatures, the no-look-ahead task and its metrics."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import make_scorer, roc_auc_score
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline

from skinfluence import nest_posts, validate_account_frame
from skinfluence.accounts import GROWTH_FEATURES, GrowthFeatures, RollingCutoffSplit, growth_dataset
from skinfluence.datasets import load_influencer_snapshots, make_creators
from skinfluence.exceptions import AccountFrameError, DataLoadError
from skinfluence.metrics import bootstrap_interval, emerging_hit_rate, growth_ranking_scores

MONTH = 365.25 / 12  # days

TIKTOK_DEC = ("Rank,Tiktoker name,Tiktok name,followers,views(avg),views(avg),likes(avg.),likes(avg.),"
              "comments(avg.),comments(avg.),shares(avg.),shares(avg.)\n")
TIKTOK_NOV = "row-cell,Tiktoker name,Tiktok name,\"\nFollowers\",Views (Avg.),Likes (Avg.),Comments (Avg.),Shares (Avg.)\n"
TIKTOK_UNDATED = ("Tiktoker name,Tiktok name,Subscribers count,Subscribers count,Views avg.,Views avg.,"
                  "Likes avg,Likes avg,Comments avg.,Comments avg.,Shares avg,Shares avg\n")


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _snapshots_by_label(frame):
    out = {}
    for aid, snaps in zip(frame["account_id"], frame["snapshots"], strict=True):
        for s in snaps:
            out.setdefault(s["snapshot"], {})[aid] = s
    return out


# ------------------------------------------------------------------------------ loader


def test_loader_rules_on_a_small_folder(tmp_path):
    _write(tmp_path, "social media influencers-TIKTOK - ---DEC 2022.csv", TIKTOK_DEC
           + "1,MrBeast,MrBeast,60.3M,29.2M,29200000,3.5M,3500000,30.8K,30800,7.2K,7200\n"
           + "2,karolg,Karol G,42.4M,23.7M,,3.4M,3400000,21.7K,21700,25.7K,25700\n"    # numeric twin empty
           + "3,karolg,Karol G,42.4M,23.7M,,3.4M,3400000,21.7K,21700,25.7K,25700\n"    # exact repeat
           + "4, Karolg ,Karol G,41M,1M,1000000,1M,1000000,1K,1000,1K,1000\n")        # same handle, worse rank
    _write(tmp_path, "social media influencers-tiktok - ---nov 2022.csv", TIKTOK_NOV
           + ",,,,,,,\n" + "1,mrbeast,MrBeast,58.1M,26.8M,2.2M,30.1K,7.2K\n")
    _write(tmp_path, "social media influencers - tiktok.csv", TIKTOK_UNDATED
           + "newbie,New,221.7K,221700,26M,26000000,2.8M,2800000,29.4K,29400,116.4K,116400\n")
    _write(tmp_path, "social media influencers - youtube.csv", "not,a,tiktok,file\n")
    frame = load_influencer_snapshots(tmp_path, "tiktok", undated_date="2022-03-01")
    validate_account_frame(frame, posts_column="snapshots")
    assert frame["account_id"].tolist() == ["newbie", "mrbeast", "karolg"]
    by = _snapshots_by_label(frame)
    assert set(by) == {"undated", "nov", "dec"}
    # handles matched across snapshots whatever their case and spaces
    assert [s["snapshot"] for s in frame["snapshots"][1]] == ["nov", "dec"]
    # numeric twin preferred, abbreviated one fills its gap
    assert by["dec"]["karolg"]["avg_views"] == 23_700_000.0
    assert by["dec"]["mrbeast"]["followers"] == 60_300_000.0
    # the best-ranked line of a repeated handle is kept
    assert by["dec"]["karolg"]["rank"] == 2.0 and by["dec"]["karolg"]["followers"] == 42_400_000.0
    assert by["dec"]["karolg"]["engagement"] == 3_400_000 + 21_700 + 25_700
    assert by["undated"]["newbie"]["rank"] is None  # the undated list has no rank (null)
    assert by["undated"]["newbie"]["followers_rank"] == 1.0
    assert by["undated"]["newbie"]["date"] == pd.Timestamp("2022-03-01", tz="UTC")
    files = {f["snapshot"]: f for f in frame.attrs["files"]}
    assert files["dec"]["n_duplicate_lines_dropped"] == 1
    assert files["dec"]["n_conflicting_duplicates_dropped"] == 1
    assert files["nov"]["n_blank_lines_dropped"] == 1
    # the undated release left out
    without = load_influencer_snapshots(tmp_path, "tiktok", undated_date=None)
    assert "newbie" not in without["account_id"].tolist()


def test_loader_errors_name_file_column_and_line(tmp_path):
    bad = _write(tmp_path, "social media influencers-TIKTOK - ---DEC 2022.csv", TIKTOK_DEC
                 + "1,mrbeast,MrBeast,60.3M,29.2M,29200000,3.5M,3500000,30.8K,30800,7.2K,7200\n"
                 + "2,karolg,Karol G,lots,23.7M,23700000,3.4M,3400000,21.7K,21700,25.7K,25700\n")
    with pytest.raises(DataLoadError, match=r"DEC 2022\.csv: column 4 \('followers'\), line 3: cannot parse 'lots'"):
        load_influencer_snapshots(tmp_path, "tiktok")
    bad.write_text(TIKTOK_DEC.replace("Tiktok name", "Display"), encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"line 1, column 3: header 'Display'"):
        load_influencer_snapshots(tmp_path, "tiktok")
    bad.write_text(TIKTOK_DEC + "1,,MrBeast,60.3M,29.2M,29200000,3.5M,3500000,30.8K,30800,7.2K,7200\n")
    with pytest.raises(DataLoadError, match=r"line 2: the handle is empty"):
        load_influencer_snapshots(tmp_path, "tiktok")
    _write(tmp_path, "tiktok dec 2022 copy.csv", TIKTOK_DEC)
    with pytest.raises(DataLoadError, match="two files of the 'dec' tiktok snapshot"):
        load_influencer_snapshots(tmp_path, "tiktok")
    with pytest.raises(DataLoadError, match="platform must be one of"):
        load_influencer_snapshots(tmp_path, "myspace")
    with pytest.raises(DataLoadError, match="no instagram snapshot file"):
        load_influencer_snapshots(tmp_path, "instagram")


@pytest.mark.shared_data
@pytest.mark.parametrize("platform", ["instagram", "tiktok", "youtube"])
def test_real_snapshots(shared_data, platform):
    frame = load_influencer_snapshots(shared_data("social_media_influencers_2022"), platform)
    validate_account_frame(frame, posts_column="snapshots")
    assert [f["snapshot"] for f in frame.attrs["files"]] == ["undated", "june", "sep", "nov", "dec"]
    for info in frame.attrs["files"]:
        assert 950 <= info["n_accounts"] <= 1000, info
        assert info["n_twin_disagreements"] == 0
    by = _snapshots_by_label(frame)
    for label, snaps in by.items():
        followers = np.array([s["followers"] for s in snaps.values()])
        assert (followers > 0).all() and np.isfinite(followers).all(), label
    if platform == "instagram":
        # the figures: 628 handles in June, September and December; momentum 0.71
        common = sorted(set(by["june"]) & set(by["sep"]) & set(by["dec"]))
        assert len(common) == 628
        f = {lab: np.array([by[lab][a]["followers"] for a in common]) for lab in ("june", "sep", "dec")}
        rho = spearmanr(np.log(f["sep"] / f["june"]), np.log(f["dec"] / f["sep"]))[0]
        assert rho == pytest.approx(0.71, abs=0.005)
        # June's mislabelled columns: the country and the engagement, not views
        assert by["june"]["433"]["country"] == "Spain"
        assert by["june"]["433"]["authentic_engagement"] == 274_900.0


# --------------------------------------------------------------------------- features


def _frame(records, profiles=None):
    snaps = pd.DataFrame(records, columns=["account_id", "date", "followers"])
    snaps["date"] = pd.to_datetime(snaps["date"], utc=True)
    ids = profiles if profiles is not None else pd.unique(snaps["account_id"])
    return nest_posts(pd.DataFrame({"account_id": list(ids)}), snaps, posts_column="snapshots")


def _growth(features, **kw):
    return GrowthFeatures(features, rank_field=None, engagement_field=None, **kw)


def test_growth_values_by_hand():
    frame = _frame([
        ("a", "2022-01-01", 100), ("a", "2022-03-01", 200), ("a", "2022-09-01", 200),
        ("b", "2022-03-01", 1000), ("b", "2022-09-01", 4000),
        ("c", "2022-09-01", 50),
        ("d", "2022-01-01", 10), ("d", "2022-09-01", 40),    # missing in March: not zero
    ])
    names = ["growth_last", "growth_mean", "acceleration", "volatility", "n_observed", "entered",
             "months_since_entry", "n_missed", "span_months"]
    out = pd.DataFrame(_growth(names).fit_transform(frame), columns=names, index=list("abcd"))
    months = lambda a, b: (pd.Timestamp(b) - pd.Timestamp(a)).days / MONTH  # noqa: E731
    L = np.log1p
    g1 = (L(200) - L(100)) / months("2022-01-01", "2022-03-01")
    assert out.loc["a", "growth_last"] == pytest.approx(0.0)
    assert out.loc["a", "growth_mean"] == pytest.approx((L(200) - L(100)) / months("2022-01-01", "2022-09-01"))
    mid = (months("2022-01-01", "2022-03-01") + months("2022-01-01", "2022-09-01")) / 2 \
        - months("2022-01-01", "2022-03-01") / 2
    assert out.loc["a", "acceleration"] == pytest.approx((0.0 - g1) / mid)
    assert out.loc["a", "volatility"] == pytest.approx(np.std([g1, 0.0], ddof=1))
    # d: the growth is measured over the real gap, January to September
    assert out.loc["d", "growth_last"] == pytest.approx((L(40) - L(10)) / months("2022-01-01", "2022-09-01"))
    assert out.loc["d", "n_missed"] == 1 and out.loc["a", "n_missed"] == 0
    # entering: c is new in the latest list, d is back in it after missing March
    assert out["entered"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert out.loc["c", "months_since_entry"] == 0.0
    assert out.loc["b", "months_since_entry"] == pytest.approx(months("2022-03-01", "2022-09-01"))
    assert out.loc["d", "months_since_entry"] == 0.0  # back in the list after a miss
    assert np.isnan(out.loc["c", "growth_last"]) and np.isnan(out.loc["b", "volatility"])
    assert out["n_observed"].tolist() == [3, 2, 1, 2]


def test_growth_ranks_and_engagement():
    snaps = pd.DataFrame({
        "account_id": ["a", "a"], "date": pd.to_datetime(["2022-06-15", "2022-09-15"], utc=True),
        "followers": [100.0, 200.0], "followers_rank": [30.0, 10.0], "engagement": [10.0, 40.0]})
    frame = nest_posts(pd.DataFrame({"account_id": ["a"]}), snaps, posts_column="snapshots")
    g = GrowthFeatures(["rank_last", "rank_change", "engagement_growth_last", "engagement_rate"])
    dt = 92 / MONTH
    np.testing.assert_allclose(g.fit_transform(frame)[0],
                               [10.0, 20.0 / dt, (np.log1p(40) - np.log1p(10)) / dt, 0.2])


def test_presence_needs_the_calendar_and_fields_are_checked():
    frame = _frame([("a", "2022-01-01", 1)])
    with pytest.raises(ValueError, match=r"need calendar"):
        _growth(["entered"], calendar=False).fit(frame)
    with pytest.raises(ValueError, match=r"need rank_field"):
        GrowthFeatures(["rank_last"], rank_field=None).fit(frame)
    with pytest.raises(AccountFrameError, match="followers_rank"):
        GrowthFeatures(["rank_last"]).fit(frame)
    assert "rank_last" not in _growth("all").fit(frame).get_feature_names_out()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 11), st.floats(1, 1e6)), min_size=1, max_size=25),
       st.integers(1, 10))
def test_records_after_the_cutoff_change_nothing(records, cut_month):
    """No look-ahead: with a cutoff column, adding records after it leaves every feature as it was."""
    rows = {(a, m): v for a, m, v in records}
    dates = {m: f"2022-{m + 1:02d}-15" for m in range(12)}
    early = [(f"u{a}", dates[m], v) for (a, m), v in rows.items() if m <= cut_month]
    ids = sorted({f"u{a}" for a, _ in rows})
    if not early:
        return
    full = _frame([(f"u{a}", dates[m], v) for (a, m), v in rows.items()], profiles=ids)
    truncated = _frame(early, profiles=ids)
    cutoff = pd.Timestamp(dates[cut_month], tz="UTC")
    full["cutoff"] = cutoff
    truncated["cutoff"] = cutoff
    g = _growth("all")
    calendar_frame = _frame([("z", dates[m], 1.0) for m in range(cut_month + 1)])
    a = g.fit(calendar_frame).transform(full)
    b = g.transform(truncated)
    np.testing.assert_allclose(a, b, equal_nan=True)
    # and the cutoff is read as the date it is: every record up to it counts
    n_observed = b[:, list(g.get_feature_names_out()).index("n_observed")]
    expected = [sum(1 for (acc, m) in rows if f"u{acc}" == i and m <= cut_month) for i in ids]
    np.testing.assert_array_equal(n_observed, expected)


def test_post_timelines_recover_synthetic_emerging():
    data = make_creators(400, n_posts=(10, 30), emerging=0.15, random_state=3)
    g = GrowthFeatures(["growth_slope"], snapshots_column="posts", time_field="timestamp",
                       value_field="likes", rank_field=None, engagement_field=None, calendar=False)
    slope = g.fit_transform(data.accounts)[:, 0]
    ok = ~np.isnan(slope)
    assert roc_auc_score(data.emerging[ok], slope[ok]) > 0.75


# ------------------------------------------------------------------------------ task


def test_growth_dataset_truncates_and_targets():
    frame = _frame([
        ("a", "2022-06-15", 100), ("a", "2022-09-15", 200), ("a", "2022-12-15", 300),
        ("b", "2022-06-15", 10), ("b", "2022-09-15", 20),
        ("c", "2022-09-15", 5), ("c", "2022-12-15", 50),
    ])
    X, y = growth_dataset(frame)
    assert X["account"].tolist() == ["a", "b", "a", "c"]
    assert X["account_id"].is_unique
    for snaps, cutoff in zip(X["snapshots"], X["cutoff"], strict=True):
        assert max(s["date"] for s in snaps) == cutoff
    dt = [(pd.Timestamp(t) - pd.Timestamp(c)).days / MONTH for c, t in zip(X["cutoff"], X["target_date"], strict=True)]
    np.testing.assert_allclose(y, np.log([2.0, 2.0, 1.5, 10.0]) / dt)
    with pytest.raises(AccountFrameError, match="already has a '(account|cutoff)' column"):
        growth_dataset(X)


def test_rolling_splits_never_train_on_unrealised_targets():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2022-01-15", periods=5, freq="MS", tz="UTC") + pd.Timedelta(days=14)
    rows = [(f"u{i}", d, float(rng.integers(10, 1000))) for i in range(40) for d in dates if rng.random() < 0.8]
    X, y = growth_dataset(_frame(rows))
    splits = list(RollingCutoffSplit().split(X))
    assert len(splits) == RollingCutoffSplit().get_n_splits(X) >= 2
    for train, test in splits:
        assert (X["cutoff"].iloc[test].nunique()) == 1
        assert (X["target_date"].iloc[train] <= X["cutoff"].iloc[test[0]]).all()
    model = make_pipeline(GrowthFeatures(rank_field=None, engagement_field=None), VarianceThreshold(),
                          SimpleImputer(), Ridge())
    spearman = make_scorer(lambda a, b: spearmanr(a, b)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = cross_validate(model, X, y, cv=RollingCutoffSplit(min_train_periods=2), scoring=spearman)
    assert len(result["test_score"]) == len(list(RollingCutoffSplit(min_train_periods=2).split(X)))
    assert np.isfinite(result["test_score"]).all()


# ---------------------------------------------------------------------------- metrics


def test_emerging_hit_rate_random_is_its_share():
    rng = np.random.default_rng(0)
    y, size = rng.normal(size=2000), rng.lognormal(size=2000)
    hits = [emerging_hit_rate(y, rng.normal(size=2000), size, top=0.1) for _ in range(200)]
    assert np.mean(hits) == pytest.approx(0.1, abs=0.02)
    assert emerging_hit_rate(y, y, size) == 1.0


def test_growth_scores_and_paired_bootstrap():
    rng = np.random.default_rng(1)
    y = rng.normal(size=400)
    size = rng.lognormal(size=400)
    perfect = growth_ranking_scores(y, y, size)
    assert perfect == pytest.approx(
        {"spearman": 1.0, "precision_at_k": 1.0, "ndcg_at_k": 1.0, "emerging_hit_rate": 1.0})
    good, noise = y + rng.normal(size=400), rng.normal(size=400)

    def rho(a, b):
        return spearmanr(a, b)[0]

    est, low, high = bootstrap_interval(rho, y, good, baseline=noise, n_resamples=200, random_state=0)
    assert low > 0 and low <= est <= high
    est, low, high = bootstrap_interval(rho, y, noise, n_resamples=200, random_state=0)
    assert low < 0 < high


def test_growth_feature_table_is_complete():
    assert set(GROWTH_FEATURES) >= {"growth_last", "acceleration", "rank_change", "volatility",
                                     "months_since_entry", "engagement_trend"}


def test_emerging_doc_snippet_runs():
    # the post-timeline snippet of docs/emerging.md, as written
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "emerging.md").read_text()
    snippet = [b for b in re.findall(r"```python\n(.*?)```", page, re.S) if "make_creators" in b][0]
    namespace = {}
    exec(compile(snippet, "docs/emerging.md", "exec"), namespace)  # noqa: S102
    assert namespace["features"].shape == (200, 2)
