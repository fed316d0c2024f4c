"""The Display objects, tested as scikit-learn tests its displays: through the artists' data."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skinfluence.metrics import ndcg_at_k, recall_at_k  # noqa: E402
from skinfluence.plotting import (  # noqa: E402
    FakeShareDisplay,
    PairRankingDisplay,
    RankingCurveDisplay,
    ReachDisplay,
    SegmentProfileDisplay,
    TopCreatorsDisplay,
)
from skinfluence.plotting._pairs import _ranks  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _interval_segments(container):
    """(low, high) ends of each line of an errorbar container, in drawing order."""
    segments = container.lines[2][0].get_segments()
    return np.array([[s[0][0], s[1][0]] for s in segments])


def test_importing_the_plots_does_not_import_matplotlib():
    code = ("import sys, skinfluence, skinfluence.plotting; "
            "from skinfluence import SegmentProfileDisplay, PairRankingDisplay; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_display_is_exported_from_the_top_level():
    import skinfluence
    import skinfluence.plotting as plotting

    for name in plotting.__all__:
        assert getattr(skinfluence, name) is getattr(plotting, name)


def test_no_estimator_keeps_a_plot_method():
    from skinfluence.registry import all_components

    infos = all_components()
    assert any(info.name == "AttentiveProfiler" for info in infos)
    for info in infos:  # plots belong in Display objects (skinfluence.plotting)
        assert not [m for m in dir(info.cls) if "plot" in m.lower()], info.name


# ------------------------------------------------------------------------ segments


@pytest.fixture(scope="module")
def segmenter():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skinfluence.segmentation import KMeansSegmenter

    rng = np.random.default_rng(0)
    followers = np.r_[rng.lognormal(np.log(3e3), .3, 40), rng.lognormal(np.log(4e4), .3, 30),
                      rng.lognormal(np.log(3e6), .3, 30)]
    rate = np.r_[rng.normal(.10, .01, 40), rng.normal(.05, .005, 30), rng.normal(.015, .002, 30)]
    X = pd.DataFrame({"followers": followers, "engagement_rate": rate})
    return make_pipeline(FunctionTransformer(), KMeansSegmenter(random_state=0)).fit(X)


def test_segment_profiles_are_drawn_in_input_units(segmenter):
    profiles = segmenter[-1].segment_profiles_
    display = SegmentProfileDisplay.from_estimator(segmenter)
    assert len(display.axes_) == 3
    assert [a.get_title() for a in display.axes_] == ["creators", "followers", "engagement rate"]
    # first segment on the top row: bars in profile order, labels read top-down
    np.testing.assert_allclose([b.get_width() for b in display.bars_["size"]], profiles["size"])
    for feature in ("followers", "engagement_rate"):
        np.testing.assert_allclose([b.get_width() for b in display.bars_[feature]],
                                   profiles[feature])
    ticks = [t.get_text() for t in display.axes_[0].get_yticklabels()]
    assert ticks == list(profiles["name"])
    assert display.axes_[1].get_xscale() == "log"      # followers span 1000x
    assert display.axes_[2].get_xscale() == "linear"   # rates span < 30x
    assert display.figure_ is display.axes_[0].figure


def test_segment_display_features_axes_and_errors(segmenter):
    profiles = segmenter[-1].segment_profiles_
    fig, axes = plt.subplots(1, 2)
    display = SegmentProfileDisplay(profiles, features=["engagement_rate"]).plot(
        ax=axes, log_scale=False)
    assert list(display.bars_) == ["size", "engagement_rate"]
    assert display.figure_ is fig
    with pytest.raises(ValueError, match="sequence of 2 Axes"):
        SegmentProfileDisplay(profiles, features=["engagement_rate"]).plot(ax=axes[:1])
    with pytest.raises(ValueError, match="'likes' .*not columns|not columns"):
        SegmentProfileDisplay(profiles, features=["likes"]).plot()
    with pytest.raises(ValueError, match="'name' column"):
        SegmentProfileDisplay(profiles.drop(columns="name")).plot()
    with pytest.raises(TypeError, match="segment_profiles_"):
        from sklearn.preprocessing import StandardScaler

        SegmentProfileDisplay.from_estimator(StandardScaler().fit([[0.0], [1.0]]))


# ------------------------------------------------------------------------- ranking


@st.composite
def ranked_queries(draw):
    n_q = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 8), min_size=n_q, max_size=n_q))
    n = sum(sizes)
    qid = np.repeat(np.arange(n_q), sizes)
    y = np.asarray(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=float)
    score = np.asarray(draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n)))
    return y, score, qid


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@settings(max_examples=25, deadline=None)
@given(ranked_queries(), st.integers(1, 6))
def test_ranking_curves_are_the_metrics_at_each_k(case, max_k):
    y, score, qid = case
    display = RankingCurveDisplay.from_predictions(y, score, qid=qid, max_k=max_k, name="m")
    k = np.arange(1, max_k + 1)
    np.testing.assert_array_equal(display.lines_["recall"].get_xdata(), k)
    expected_recall = [recall_at_k(y, score, qid=qid, k=int(i)) for i in k]
    expected_ndcg = [ndcg_at_k(y, score, qid=qid, k=int(i)) for i in k]
    np.testing.assert_allclose(display.lines_["recall"].get_ydata(), expected_recall)
    np.testing.assert_allclose(display.lines_["ndcg"].get_ydata(), expected_ndcg)
    assert display.lines_["recall"].get_label() == "m"
    plt.close("all")


@pytest.fixture(scope="module")
def listwise():
    from skinfluence.ranking import ListwiseRanker, make_queries

    rng = np.random.default_rng(0)
    B, C = rng.normal(size=(8, 6)), rng.normal(size=(30, 6))
    fit = B @ C.T / np.sqrt(6)
    pairs = pd.DataFrame({"brand_id": np.repeat([f"b{i}" for i in range(8)], 30),
                          "account_id": np.tile([f"c{j}" for j in range(30)], 8),
                          "relevance": (fit > 0.8).astype(float).ravel()})
    X, y, qid = make_queries({"text": B}, [f"b{i}" for i in range(8)], {"text": C},
                             np.array([f"c{j}" for j in range(30)]), pairs)
    ranker = ListwiseRanker(hidden_size=8, embedding_size=4, max_epochs=3, batch_size=4,
                            device="cpu", random_state=0).fit(X, y)
    return ranker, X, y, qid


def test_ranking_curves_from_estimator_overlay_two_models(listwise):
    ranker, X, y, qid = listwise
    display = RankingCurveDisplay.from_estimator(ranker, X, y, max_k=5)
    scores = ranker.predict(X)
    np.testing.assert_allclose(display.lines_["ndcg"].get_ydata(),
                               [ndcg_at_k(y, scores, qid=qid, k=k) for k in range(1, 6)])
    assert display.lines_["recall"].get_label() == "ListwiseRanker"
    cosine = RankingCurveDisplay.from_predictions(y, X.cosine(), qid=qid, max_k=5, name="cosine",
                                                  ax=display.axes_)
    assert list(cosine.axes_) == list(display.axes_)
    assert [line.get_label() for line in display.axes_[0].get_lines()] == ["ListwiseRanker",
                                                                            "cosine"]
    with pytest.raises(ValueError, match="qid"):
        RankingCurveDisplay.from_estimator(ranker, np.zeros((3, 2)), [0, 1, 0])
    with pytest.raises(ValueError, match="max_k"):
        RankingCurveDisplay.from_predictions(y, scores, qid=qid, max_k=0)


def test_top_creators_are_the_rankers_top_k(listwise):
    ranker, X, y, qid = listwise
    display = TopCreatorsDisplay.from_estimator(ranker, X, query="b3", y=y, k=4)
    top = ranker.top_k(X[np.flatnonzero(qid == "b3")], k=4)
    np.testing.assert_allclose([b.get_width() for b in display.bars_], top["score"], rtol=1e-6)
    ticks = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert ticks == [str(c) for c in top["candidate"]]
    assert display.ax_.get_title() == "b3: top 4 creators"
    rows = np.flatnonzero(qid == "b3")[top["row"].to_numpy()]
    known = y[rows] > 0
    colours = [tuple(b.get_facecolor()) for b in display.bars_]
    orange = matplotlib.colors.to_rgba("tab:orange")
    assert [c == orange for c in colours] == known.tolist()
    with pytest.raises(ValueError, match="query 'nobody' has no rows"):
        TopCreatorsDisplay.from_estimator(ranker, X, query="nobody")


# ------------------------------------------------------------------------ audience


@pytest.fixture(scope="module")
def audience():
    from skinfluence.audience import AudienceQuality
    from skinfluence.datasets import make_audiences

    data = make_audiences(30, followers_per_sample=(30, 80), labelled=0.3, random_state=0)
    params = AudienceQuality.get_test_params()[0]
    aq = AudienceQuality(**params).set_output(transform="pandas").fit(data.accounts)
    return aq, data


def test_fake_share_intervals_are_the_estimates(audience):
    aq, data = audience
    out = aq.transform(data.accounts)
    display = FakeShareDisplay.from_estimator(aq, data.accounts, true_share=data.fake_share, top=10)
    order = np.argsort(-out["fake_share"].to_numpy(), kind="stable")[:10]
    np.testing.assert_array_equal(display.shown_, order)
    np.testing.assert_allclose(display.errorbar_.lines[0].get_xdata(),
                               out["fake_share"].to_numpy()[order])
    ends = _interval_segments(display.errorbar_)
    np.testing.assert_allclose(ends[:, 0], out["fake_share_low"].to_numpy()[order])
    np.testing.assert_allclose(ends[:, 1], out["fake_share_high"].to_numpy()[order])
    np.testing.assert_allclose(display.truth_.get_offsets()[:, 0],
                               np.asarray(data.fake_share)[order])
    ticks = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert ticks == [str(v) for v in data.accounts["account_id"].to_numpy()[order]]
    assert "95% interval" in display.errorbar_.get_label()


def test_fake_share_from_predictions_array_and_errors(audience):
    aq, data = audience
    out = aq.transform(data.accounts)
    display = FakeShareDisplay.from_predictions(out.to_numpy(), sort=None, top=None)
    np.testing.assert_allclose(display.errorbar_.lines[0].get_xdata(), out["fake_share"])
    with pytest.raises(ValueError, match="6 columns"):
        FakeShareDisplay.from_predictions(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="sort must be"):
        FakeShareDisplay([0.1], [0], [0.2], labels=["a"]).plot(sort="name")


def test_reach_is_followers_times_genuine_share(audience):
    aq, data = audience
    out = aq.transform(data.accounts)
    display = ReachDisplay.from_estimator(aq, data.accounts)
    followers = data.accounts["followers"].to_numpy(dtype=float)
    keep = (followers > 0) & (out["real_reach"].to_numpy() > 0)
    np.testing.assert_allclose(display.errorbar_.lines[0].get_xdata(), followers[keep])
    np.testing.assert_allclose(display.errorbar_.lines[0].get_ydata(), out["real_reach"][keep])
    segments = display.errorbar_.lines[2][0].get_segments()
    low = np.array([s[0][1] for s in segments])
    high = np.array([s[1][1] for s in segments])
    np.testing.assert_allclose(low, followers[keep] * (1 - out["fake_share_high"][keep]))
    np.testing.assert_allclose(high, followers[keep] * (1 - out["fake_share_low"][keep]))
    x, y = display.diagonal_.get_data()
    np.testing.assert_allclose(x, y)
    assert display.ax_.get_xscale() == display.ax_.get_yscale() == "log"


# -------------------------------------------------------------------- pair ranking


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=12))
def test_ranks_match_scipy_min_ranks(values):
    from scipy.stats import rankdata

    s = np.asarray(values, dtype=float)
    np.testing.assert_array_equal(_ranks(s)[0], rankdata(-s, method="min"))


@pytest.fixture(scope="module")
def pair_ranker():
    from skinfluence.ranking import PairwiseRanker, make_pairs

    rng = np.random.default_rng(0)
    n = 40
    feats = rng.lognormal(3, 1.5, (n, 2))
    strength = np.log1p(feats) @ [1.0, 0.3]
    a = rng.integers(0, n, 600)
    b = (a + rng.integers(1, n, 600)) % n
    y = (rng.random(600) < 1 / (1 + np.exp(-(strength[a] - strength[b])))).astype(int)
    items = pd.DataFrame(feats, columns=["f0", "f1"])
    items.insert(0, "account_id", [f"acc{i:02d}" for i in range(n)])
    ids = items["account_id"].to_numpy()
    X = make_pairs(items, np.column_stack([ids[a], ids[b]]), keep_ids=False)
    ranker = PairwiseRanker(n_estimators=15, n_jobs=1, random_state=0).fit(X, y)
    return ranker, items, X, y


def test_pair_ranking_ranks_and_ranges(pair_ranker):
    ranker, items, X, y = pair_ranker
    ranking = ranker.rank(items)
    display = PairRankingDisplay.from_estimator(ranker, items, X=X, y=y, n_resamples=6, top=8,
                                                random_state=0)
    np.testing.assert_array_equal(display.ranks_, ranking.sort_index()["rank"])
    assert (display.rank_low_ <= display.ranks_).all()
    assert (display.ranks_ <= display.rank_high_).all()
    assert (display.rank_high_ > display.rank_low_).any()   # resampling moves some accounts
    # the range is the percentile range of the refits' ranks (widened to hold the rank)
    refits = _ranks(np.asarray(display.score_samples))
    np.testing.assert_array_equal(
        display.rank_low_, np.minimum(np.percentile(refits, 5, axis=0, method="lower"),
                                      display.ranks_))
    np.testing.assert_array_equal(
        display.rank_high_, np.maximum(np.percentile(refits, 95, axis=0, method="higher"),
                                       display.ranks_))
    shown = items["account_id"].to_numpy()[display.shown_]
    ticks = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert ticks == list(shown)
    assert list(shown) == list(ranking["account_id"][:8]) or set(
        display.ranks_[display.shown_]) <= set(ranking["rank"][:8])
    np.testing.assert_allclose(display.errorbar_.lines[0].get_xdata(),
                               display.ranks_[display.shown_])
    ends = _interval_segments(display.errorbar_)
    np.testing.assert_allclose(ends[:, 0], display.rank_low_[display.shown_])
    np.testing.assert_allclose(ends[:, 1], display.rank_high_[display.shown_])


def test_pair_ranking_without_resamples_and_errors(pair_ranker):
    ranker, items, X, y = pair_ranker
    display = PairRankingDisplay.from_estimator(ranker, items)
    np.testing.assert_array_equal(display.rank_low_, display.ranks_)
    np.testing.assert_array_equal(display.rank_high_, display.ranks_)
    with pytest.raises(ValueError, match="both X and y"):
        PairRankingDisplay.from_estimator(ranker, items, X=X)
    with pytest.raises(ValueError, match="score_samples must have shape"):
        PairRankingDisplay([1.0, 2.0], labels=["a", "b"], score_samples=[[1.0]]).plot()
