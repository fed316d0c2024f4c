"""The sections of the creator report, each from fitted models and an account frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plotting._base import shorten
from ._html import HTMLReport

__all__ = [
    "INFLUENCE_FEATURES",
    "add_attention_section",
    "add_audience_section",
    "add_brand_section",
    "add_checks_section",
    "add_influence_section",
    "add_segments_section",
    "build_report",
    "contract_checks",
    "default_segmenter",
    "influence_items",
]

#: Per-creator features a pair ranker of the report (and of the demo) reads, beside followers.
INFLUENCE_FEATURES = ["likes_mean", "comments_mean", "engagement_rate", "posts_per_week"]

LEADS = {
    "segments": "Creators grouped by size and engagement, so that a campaign can be planned per "
                "group; each bar shows the typical creator of a group.",
    "influence": "Who to contact first: creators ordered by how much attention their posts get.",
    "brand": "Creators the model suggests for one brand, best fit first, and how often such a "
             "list finds the creators the brand already works with.",
    "audience": "How many of each creator's followers look fake, and how many real people they "
                "reach.",
    "attention": "For a few creators, the posts that counted most when the model decided what "
                 "they post about.",
    "checks": "The checks the data passed before any of the above was computed.",
}


def _labels(frame: pd.DataFrame) -> np.ndarray:
    """Readable creator names: ``username`` when there is one, else ``account_id``, else rows."""
    for column in ("username", "account_id"):
        if column in frame.columns:
            return frame[column].astype(str).to_numpy(dtype=object)
    return np.asarray([f"creator {i}" for i in range(len(frame))], dtype=object)


def _pct(v) -> str:
    return "–" if not np.isfinite(v) else f"{v:.1%}"


# ---------------------------------------------------------------------------- checks


def contract_checks(frame, *, id_column="account_id", posts_column="posts") -> pd.DataFrame:
    """Run the data-contract checks on an account frame; one row per check.

    Parameters
    ----------
    frame : DataFrame
        The account frame.
    id_column : str, default="account_id"
        The account id column.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    checks : DataFrame
        Columns ``check`` (what was checked, in plain words), ``result``
        ("passed", "failed" or "note") and ``detail``.

    Examples
    --------
    >>> from skinfluence.datasets import make_creators
    >>> from skinfluence.report import contract_checks
    >>> checks = contract_checks(make_creators(20, random_state=0).accounts)
    >>> sorted(set(checks["result"]))
    ['note', 'passed']
    >>> frame = make_creators(20, random_state=0).accounts
    >>> frame.loc[3, "followers"] = -5
    >>> contract_checks(frame).query("result == 'failed'")["check"].tolist()
    ["the table follows skinfluence's data contract", 'follower counts are known and not negative']
    """
    from ..exceptions import AccountFrameError
    from ..nested import flatten_posts, validate_account_frame

    rows = []

    def add(check, ok, detail):
        rows.append((check, "passed" if ok is True else "failed" if ok is False else "note",
                     detail))

    try:
        validate_account_frame(frame, id_column=id_column, posts_column=posts_column)
        add("the table follows skinfluence's data contract (one row per creator, posts nested)",
            True, f"{len(frame):,} creators, {frame.shape[1]} columns")
    except (AccountFrameError, ValueError, TypeError) as exc:
        add("the table follows skinfluence's data contract", False, str(exc)[:300])
    if id_column in frame.columns:
        dup = int(frame[id_column].duplicated().sum())
        add(f"every creator appears once ({id_column!r} unique)", dup == 0,
            "no duplicates" if dup == 0 else f"{dup:,} duplicated ids")
    if "followers" in frame.columns:
        f = pd.to_numeric(frame["followers"], errors="coerce")
        missing, negative = int(f.isna().sum()), int((f < 0).sum())
        add("follower counts are known and not negative", missing == 0 and negative == 0,
            f"{missing:,} missing, {negative:,} negative; median {f.median():,.0f} followers")
    if posts_column in frame.columns:
        try:
            flat = flatten_posts(frame, posts_column=posts_column)
            lengths = np.diff(flat.offsets)
            empty = int((lengths == 0).sum())
            add("posts are attached to their creator", True,
                f"{flat.n_posts:,} posts, {np.median(lengths):.0f} per creator (median)")
            add("creators without posts", None,
                f"{empty:,} creator(s) without posts (kept: they count as no engagement)")
            if "text" in flat.fields:
                texts = flat.column("text")
                blank = int(sum(1 for t in texts.to_pylist() if not t))
                add("post captions", None, f"{blank:,} post(s) without a caption")
        except (AccountFrameError, ValueError, TypeError) as exc:
            add("posts are attached to their creator", False, str(exc)[:300])
    else:
        add("posts are attached to their creator", None,
            f"no {posts_column!r} column: engagement sections need one")
    return pd.DataFrame(rows, columns=["check", "result", "detail"])


def add_checks_section(report: HTMLReport, checks: pd.DataFrame):
    """Add the data checks that ran, as a table (and its CSV).

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    checks : DataFrame
        The output of :func:`contract_checks`.

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    section = report.section("checks", "Data checks", LEADS["checks"])
    failed = int((checks["result"] == "failed").sum())
    section.add_text(("All checks passed." if failed == 0 else
                      f"{failed} check(s) failed: read the numbers above with care.")
                     + " Notes are facts about the data, not failures.")
    section.add_table(checks, name="data_checks.csv", title="the checks", shown=len(checks))
    return section


# -------------------------------------------------------------------------- segments


def default_segmenter(random_state=0):
    """The segmentation pipeline of the demo: followers and engagement -> KMeansSegmenter.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the k-means.

    Returns
    -------
    pipeline : Pipeline
        Not fitted; ``set_output(transform="pandas")`` is set so that the
        segment names use the feature names.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    from ..accounts import EngagementAggregator
    from ..segmentation import KMeansSegmenter

    features = ColumnTransformer([
        ("profile", "passthrough", ["followers"]),
        ("posts", EngagementAggregator(features=["engagement_rate", "likes_median",
                                                 "posts_per_week"]), ["followers", "posts"]),
    ], verbose_feature_names_out=False)
    return make_pipeline(features, SimpleImputer(strategy="median"),
                         KMeansSegmenter(random_state=random_state)).set_output(transform="pandas")


_PLAIN = {"followers": "followers", "engagement_rate": "engagement rate (likes+comments per "
          "follower)", "likes_median": "typical likes per post", "posts_per_week": "posts per week",
          "likes_mean": "likes per post", "comments_mean": "comments per post"}


_PANELS = {"engagement_rate": "engagement rate", "likes_median": "typical likes per post",
           "posts_per_week": "posts per week", "likes_mean": "likes per post",
           "comments_mean": "comments per post", "views_median": "typical views per post"}


def add_segments_section(report: HTMLReport, segmenter, frame, *, note=None):
    """Add the segments with their profiles: the chart, the profiles, every creator's segment.

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    segmenter : Pipeline
        Fitted pipeline that reads the account frame and ends with a
        :class:`KMeansSegmenter` (e.g. :func:`default_segmenter`).
    frame : DataFrame
        The account frame; each of its creators is given a segment.
    note : str, default=None
        A sentence shown first (e.g. how the segments were made).

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    from ..plotting import SegmentProfileDisplay

    section = report.section("segments", "Creator segments", LEADS["segments"])
    seg = segmenter[-1] if hasattr(segmenter, "steps") else segmenter
    if note:
        section.add_text(note)
    names = np.asarray(seg.segment_names_, dtype=object)[np.asarray(segmenter.predict(frame))]
    # panels titled in plain words ("typical likes per post", not likes_median)
    display = SegmentProfileDisplay(seg.segment_profiles_.rename(columns=_PANELS)).plot()
    section.add_figure(display.figure_, alt="segment profiles")
    profiles = seg.segment_profiles_.rename(columns={"name": "segment", "size": "creators",
                                                     "share": "share of creators"})
    profiles = profiles.rename(columns=_PLAIN).reset_index(drop=True)
    section.add_text(f"Segments found automatically ({seg.n_clusters_} groups fit these creators "
                     f"best). Numbers are the typical creator of each group.")
    section.add_table(profiles, name="segments.csv", title="the segment profiles",
                      shown=len(profiles), formats={"share of creators": _pct})
    each = pd.DataFrame({"creator": _labels(frame), "segment": names})
    section.add_table(each, name="creator_segments.csv", title="every creator's segment", shown=0)
    return section


# ------------------------------------------------------------------------- influence


def influence_items(frame) -> pd.DataFrame:
    """Per-creator features a pair ranker scores: ``account_id``, ``followers`` and engagement.

    Parameters
    ----------
    frame : DataFrame
        Account frame with ``account_id``, ``followers`` and ``posts``.

    Returns
    -------
    items : DataFrame
        One row per creator: ``account_id``, ``followers`` and
        :data:`INFLUENCE_FEATURES` (missing values as 0).
    """
    from ..accounts import EngagementAggregator

    items = EngagementAggregator(features=INFLUENCE_FEATURES).set_output(transform="pandas")
    items = items.fit_transform(frame).fillna(0.0)
    items.index = frame.index
    items.insert(0, "followers", frame["followers"].to_numpy())
    items.insert(0, "account_id", frame["account_id"].to_numpy())
    return items


def add_influence_section(report: HTMLReport, frame, *, ranker=None, items=None, pairs=None,
                          judgements=None, n_resamples=10, random_state=0, top=20):
    """Add the top creators by global influence: a pair ranker's ranks with ranges, or likes.

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    frame : DataFrame
        The account frame.
    ranker : PairwiseRanker, default=None
        Fitted on pairs of :func:`influence_items`; None: creators are ranked
        by their median likes per post, and the page says so.
    items : DataFrame, default=None
        The ranker's per-creator rows; None: ``influence_items(frame)``.
    pairs : DataFrame, default=None
        The judged pairs the ranker learned from; with ``judgements``, the
        ranker is refitted on resamples of them for each creator's range of ranks.
    judgements : array-like, default=None
        The judgements of ``pairs``.
    n_resamples : int, default=10
        Refits for the ranges.
    random_state : int, default=0
        Seed of the resampling.
    top : int, default=20
        Creators in the picture (the table holds all).

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    from ..plotting import PairRankingDisplay, TopCreatorsDisplay

    section = report.section("influence", "Top creators", LEADS["influence"])
    labels = _labels(frame)
    if ranker is not None:
        items = influence_items(frame) if items is None else items
        scored = items.set_index("account_id") if "account_id" in items.columns else items
        display = PairRankingDisplay.from_estimator(
            ranker, scored, X=pairs, y=judgements, n_resamples=n_resamples,
            random_state=random_state, labels=labels, top=top)
        how = ("a model that learned from judgements of which of two creators is more "
               "influential")
        if display.score_samples is not None:
            how += (f"; the line is the range of ranks a creator takes when the model is "
                    f"retrained {len(display.score_samples)} times on resampled judgements")
        section.add_text(f"Ranked by {how}.")
        section.add_figure(display.figure_, alt="global ranking with ranges")
        table = pd.DataFrame({"creator": labels, "rank": display.ranks_,
                              "best plausible rank": display.rank_low_.astype(int),
                              "worst plausible rank": display.rank_high_.astype(int),
                              "score": display.scores,
                              "followers": frame["followers"].to_numpy()})
    else:
        from ..accounts import EngagementAggregator

        likes = EngagementAggregator(features=["likes_median"]).fit_transform(frame)[:, 0]
        likes = np.nan_to_num(likes, nan=0.0)
        section.add_text("No influence model was given: creators are ranked by their typical "
                         "(median) likes per post.")
        display = TopCreatorsDisplay.from_predictions(likes, candidate_labels=labels, k=top,
                                                      xlabel="typical likes per post")
        section.add_figure(display.figure_, alt="top creators by likes")
        order = np.argsort(-likes, kind="stable")
        table = pd.DataFrame({"creator": labels, "rank": np.empty(len(likes), int),
                              "typical likes per post": likes,
                              "followers": frame["followers"].to_numpy()})
        table.loc[order, "rank"] = np.arange(1, len(likes) + 1)
    table = table.sort_values("rank", kind="stable")
    section.add_table(table, name="top_creators.csv", title="the full ranking")
    return section


# ----------------------------------------------------------------------------- brand


def add_brand_section(report: HTMLReport, ranker, X, y, *, brand, brand_name=None,
                      candidate_labels=None, baseline=None, baseline_name="caption similarity",
                      k=10, max_k=20):
    """Add a brand's top creators and the recall@k / NDCG@k curves of a query ranker.

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    ranker : ranker
        Fitted query ranker (``ListwiseRanker``, ``BoostedRanker``).
    X : QueryCandidates
        (brand, creator) rows of the brands judged (unseen ones, ideally).
    y : array-like of shape (n_rows,)
        Known relevance of each row.
    brand : object
        The query id of the brand shown.
    brand_name : str, default=None
        Its name on the page; default: ``brand``.
    candidate_labels : array-like of shape (n_rows,), default=None
        Name of each row's creator; default: the candidate ids.
    baseline : array-like of shape (n_rows,), default=None
        Scores of a baseline, drawn beside the ranker's curves.
    baseline_name : str, default="caption similarity"
        Its name in the legend and the table.
    k : int, default=10
        Creators in the brand's picture.
    max_k : int, default=20
        Largest cut-off of the curves.

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    from ..plotting import RankingCurveDisplay, TopCreatorsDisplay

    section = report.section("brand", "Creators for a brand", LEADS["brand"])
    name = brand if brand_name is None else brand_name
    top = TopCreatorsDisplay.from_estimator(ranker, X, query=brand, y=y, k=k,
                                            candidate_labels=candidate_labels, brand=name)
    section.add_text(f"The {k} creators the model puts first for {name}, among creators and "
                     "brands it never saw while learning. Orange: the creator already works "
                     "with the brand.")
    section.add_figure(top.figure_, alt=f"top creators for {name}")
    rows = np.flatnonzero(X.qid == brand)
    scores = np.asarray(ranker.predict(X[rows]), dtype=float)
    labels = (X.candidate_ids[X.candidate_index[rows]] if candidate_labels is None
              else np.asarray(candidate_labels, dtype=object)[rows])
    order = np.argsort(-scores, kind="stable")
    table = pd.DataFrame({"rank": np.arange(1, len(rows) + 1), "creator": labels[order],
                          "match score": scores[order],
                          "works with the brand": np.where(np.asarray(y)[rows][order] > 0,
                                                           "yes", "")})
    section.add_table(table, name="brand_top_creators.csv", title=f"every candidate for {name}",
                      shown=k)
    curves = RankingCurveDisplay.from_estimator(ranker, X, y, max_k=max_k, name="model")
    frame = pd.DataFrame({"k": curves.k, "model recall@k": curves.recall,
                          "model NDCG@k": curves.ndcg})
    if baseline is not None:
        base = RankingCurveDisplay.from_predictions(y, baseline, qid=X.qid, max_k=max_k,
                                                    name=baseline_name, ax=curves.axes_,
                                                    linestyle="--")
        frame[f"{baseline_name} recall@k"] = base.recall
        frame[f"{baseline_name} NDCG@k"] = base.ndcg
    section.add_text(f"Over all {len(np.unique(X.qid))} test brands: recall@k is the share of a "
                     "brand's known creators found in its first k suggestions; NDCG@k also "
                     "rewards finding them near the top (1 is perfect).")
    section.add_figure(curves.figure_, alt="recall and NDCG curves")
    section.add_table(frame, name="ranking_curves.csv", title="the curves", shown=0)
    return section


# -------------------------------------------------------------------------- audience


def add_audience_section(report: HTMLReport, frame, *, audience=None, true_share=None,
                         random_state=0, top=25):
    """Add fake-follower shares with their intervals, and real against nominal reach.

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    frame : DataFrame
        Account frame with a nested ``audience`` column (a follower sample per
        creator); without it the section says it is not available.
    audience : AudienceQuality, default=None
        Fitted; None: fitted on ``frame`` (on the followers labelled there).
    true_share : array-like of shape (n_creators,), default=None
        The true shares, when known (synthetic data), drawn beside the estimates.
    random_state : int, default=0
        Seed of an ``AudienceQuality`` fitted here.
    top : int, default=25
        Creators in the fake-share picture (the table holds all).

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    from ..plotting import FakeShareDisplay, ReachDisplay

    section = report.section("audience", "Audience quality", LEADS["audience"])
    column = getattr(audience, "audience_column", "audience")
    if column not in frame.columns:
        section.add_text(f"Not available: the data has no {column!r} column (a sample of each "
                         "creator's followers), which this section needs.", kind="missing")
        return section
    if audience is None:
        from ..audience import AudienceQuality

        audience = AudienceQuality(random_state=random_state).set_output(transform="pandas")
        audience.fit(frame)
        section.add_text("The fake-account detector was trained on the followers labelled in "
                         "the data.")
    out = audience.transform(frame)
    out = out if isinstance(out, pd.DataFrame) else pd.DataFrame(
        out, columns=audience.get_feature_names_out())
    labels = _labels(frame)
    share = FakeShareDisplay.from_predictions(out, labels=labels, true_share=true_share,
                                              confidence=getattr(audience, "confidence", None),
                                              top=top)
    conf = getattr(audience, "confidence", 0.95)
    section.add_text(f"Each dot is our estimate; the line is the range the true share lies in "
                     f"with {conf:.0%} confidence. A long line means few followers could be "
                     "checked.")
    section.add_figure(share.figure_, alt="fake follower shares")
    reach = ReachDisplay.from_predictions(frame["followers"], out, labels=labels)
    section.add_text("Below the dashed line, part of the audience is fake: the real reach is "
                     "smaller than the follower count.")
    section.add_figure(reach.figure_, alt="real against nominal reach")
    table = pd.DataFrame({
        "creator": labels, "followers": frame["followers"].to_numpy(),
        "fake followers": out["fake_share"].to_numpy(),
        "at least": out["fake_share_low"].to_numpy(),
        "at most": out["fake_share_high"].to_numpy(),
        "real reach": out["real_reach"].to_numpy(),
        "followers checked": out["n_sampled"].to_numpy().astype(int),
    }).sort_values("fake followers", ascending=False, kind="stable")
    section.add_table(table, name="audience_quality.csv", title="every creator's audience",
                      formats={c: _pct for c in ("fake followers", "at least", "at most")})
    return section


# ------------------------------------------------------------------------- attention


def add_attention_section(report: HTMLReport, frame, *, profiler=None, n_creators=3, top=8):
    """Add a few creators' posts with the attention a fitted profiler pipeline gives them.

    Parameters
    ----------
    report : HTMLReport
        The report to add the section to.
    frame : DataFrame
        The account frame.
    profiler : Pipeline, default=None
        Fitted ``PostEncoder -> AttentiveProfiler`` pipeline; None: the section
        says it is not available.
    n_creators : int, default=3
        Creators shown: those the profiler is surest about.
    top : int, default=8
        Posts per creator in the pictures (the table holds all).

    Returns
    -------
    section : Section
        The section added to ``report``.
    """
    from ..plotting import AttentionDisplay

    section = report.section("attention", "Why a creator got their topic", LEADS["attention"])
    if profiler is None:
        section.add_text("Not available: no attentive profiler (a model that reads every post "
                         "of a creator) was given.", kind="missing")
        return section
    from ..nested import flatten_posts

    encoder, model = profiler[:-1], profiler[-1]
    X = encoder.transform(frame)
    proba = model.predict_proba(X)
    picks = np.argsort(-proba.max(axis=1), kind="stable")[:n_creators]
    texts = np.asarray(flatten_posts(frame).column("text").to_pylist(), dtype=object)
    labels = _labels(frame)
    rows = []
    for i in picks:
        i = int(i)
        one = X[i]
        w = np.asarray(model.attention_weights(one), dtype=float)
        a = X.offsets[i]
        captions = ["(no caption)" if texts[a + k] is None or not str(texts[a + k]).strip()
                    else str(texts[a + k]) for k in range(len(w))]
        best = int(np.argmax(proba[i]))
        # the bars are labelled with the captions only: what a reader recognises
        display = AttentionDisplay(w, post_labels=[shorten(c, 60) for c in captions],
                                   n_valid=int(one.mask.sum()), account_name=str(labels[i]),
                                   predicted_class=model.classes_[best],
                                   predicted_proba=float(proba[i, best])).plot(top=top)
        display.ax_.set_title(f"{labels[i]}: posts about {model.classes_[best]} "
                              f"({proba[i, best]:.0%} sure); top {min(top, len(w))} of "
                              f"{len(w)} posts", loc="right", fontsize=10)
        section.add_figure(display.figure_, alt=f"attention of {labels[i]}")
        for k in range(len(w)):
            rows.append((labels[i], model.classes_[best], k, w[k], captions[k][:200]))
    section.add_text("Longer bars: posts that weighed more in the decision; the dashed line is "
                     "what every post would get if all counted the same.")
    table = pd.DataFrame(rows, columns=["creator", "topic", "post", "attention", "caption"])
    # creators in the order of the pictures, each one's posts by attention
    order = {c: k for k, c in enumerate(dict.fromkeys(table["creator"]))}
    table = table.assign(_c=table["creator"].map(order)).sort_values(
        ["_c", "attention"], ascending=[True, False], kind="stable").drop(columns="_c")
    on_page = table.groupby("creator", sort=False).head(3)  # the 3 most attended of each
    section.add_table(table, name="attention.csv", title="every post's attention",
                      shown=len(on_page), on_page=on_page)
    return section


# ----------------------------------------------------------------------------- build


def build_report(frame, *, segmenter=None, ranker=None, audience=None, profiler=None,
                 title="Creator report", subtitle=None, random_state=0) -> HTMLReport:
    """A report on an account frame with fitted models; missing models are explained or replaced.

    Parameters
    ----------
    frame : DataFrame
        Account frame (one row per creator, ``posts`` nested).
    segmenter : Pipeline, default=None
        Fitted pipeline ending with a :class:`KMeansSegmenter`, reading the
        account frame; None: :func:`default_segmenter` is fitted on ``frame``.
    ranker : PairwiseRanker, default=None
        Fitted on pairs of :func:`influence_items`; None: creators are ranked
        by their median likes per post.
    audience : AudienceQuality, default=None
        Fitted; None: fitted on ``frame`` when it has an ``audience`` column.
    profiler : Pipeline, default=None
        Fitted ``PostEncoder -> AttentiveProfiler`` pipeline; None: the
        attention section says it is not available.
    title : str, default="Creator report"
        Title of the page.
    subtitle : str, default=None
        Line under the title; default: the number of creators.
    random_state : int, default=0
        Seed of the models fitted here.

    Returns
    -------
    report : HTMLReport
        Call ``report.write(path)``.
    """
    checks = contract_checks(frame)
    report = HTMLReport(title, subtitle=subtitle or f"{len(frame):,} creators")
    note = None
    if segmenter is None:
        segmenter = default_segmenter(random_state).fit(frame)
        note = ("Segments were computed for this report from followers, engagement rate, "
                "typical likes and posting frequency.")
    add_segments_section(report, segmenter, frame, note=note)
    add_influence_section(report, frame, ranker=ranker)
    add_audience_section(report, frame, audience=audience, random_state=random_state)
    add_attention_section(report, frame, profiler=profiler)
    add_checks_section(report, checks)
    return report
