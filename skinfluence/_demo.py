"""The ``skinfluence demo`` walk-through, as a list of named steps.

Each step is a :class:`Step`: a progress title, a function that does the work
(reading and writing the shared :class:`Demo` state, returning the detail shown
after "done") and, optionally, a function that writes the step's section of the
final report. :func:`run_demo` runs :data:`STEPS` in order, then writes the
sections in the same order. A new step (say, top creators for a brand) is one
more pair of functions and one more entry in :data:`STEPS`.

Heavy modules (numpy, scikit-learn, the components) are imported inside the
steps, so that importing the command line stays cheap.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["Demo", "MAX_ACCOUNTS", "MIN_ACCOUNTS", "STEPS", "Step", "accounts_range", "run_demo"]

#: The number of creators the demo accepts: its steps need at least MIN_ACCOUNTS (the topic
#: classifier splits 8 topics into a held-out quarter and 5 folds), and it is a walk-through,
#: not a benchmark (MAX_ACCOUNTS keeps it within minutes and a few GB).
MIN_ACCOUNTS, MAX_ACCOUNTS = 100, 10_000

#: What ``quick`` changes: less data, fewer grid points, folds, pairs, trees and epochs.
_SETTINGS = {
    # word bigrams (an earlier grid) never won here and made the multinomial fits 6x
    # slower: the grid search took 98 % of the demo on a loaded machine
    False: dict(n_accounts=600, grid={"clf__C": [0.1, 0.3, 1.0, 3.0],
                                      "tfidf__sublinear_tf": [True, False]},
                n_folds=5, n_pairs=4000, n_train_pairs=3000, n_trees=200, n_brands=40,
                n_epochs=40),
    True: dict(n_accounts=200, grid={"clf__C": [0.3, 3.0]},
               n_folds=3, n_pairs=1500, n_train_pairs=1000, n_trees=60, n_brands=20,
               n_epochs=15),
}


@dataclass
class Demo:
    """What the steps share: the settings, the data, the fitted models and the report."""

    n_accounts: int
    random_state: int
    out: TextIO
    #: the quick mode: less data and fewer grid points, folds, pairs, trees and epochs
    quick: bool = False
    #: the figures returned by :func:`run_demo` (and printed in the report)
    report: dict = field(default_factory=dict)
    #: intermediate results the later steps and the report sections read
    state: dict[str, Any] = field(default_factory=dict)
    #: where the HTML report is written (``skinfluence demo --report``); None: no HTML report
    html_path: str | None = None

    def write(self, text: str) -> None:
        self.out.write(text)

    @property
    def settings(self) -> dict:
        """The sizes of the work (grid, folds, pairs, trees, epochs) for this mode."""
        return _SETTINGS[bool(self.quick)]

    def title_fields(self) -> dict:
        """The fields a step title may name."""
        return {**self.settings, "n_accounts": self.n_accounts,
                "random_state": self.random_state, "quick": self.quick}


@dataclass(frozen=True)
class Step:
    """One named step of the demo.

    Parameters
    ----------
    title : str
        The progress line, formatted with :meth:`Demo.title_fields`
        (``{n_accounts}``, ``{random_state}``, ``{n_pairs}``, ...).
    run : callable
        ``run(demo) -> str``: does the work, returns the detail after "done".
    section : callable, default=None
        ``section(demo)``: writes the step's part of the final report.
    min_accounts : int, default=1
        The fewest creators the step works with; :func:`run_demo` refuses fewer.
    report_only : bool, default=False
        The step runs only when an HTML report is asked for (``report=``).
    """

    title: str
    run: Callable[[Demo], str]
    section: Callable[[Demo], None] | None = None
    min_accounts: int = 1
    report_only: bool = False


class _Progress:
    """Numbered steps with their wall time, printed as they finish."""

    def __init__(self, n_steps: int, stream):
        self.n_steps, self.step, self.stream = n_steps, 0, stream
        self.t0 = time.perf_counter()

    def start(self, title: str):
        self.step += 1
        self._t = time.perf_counter()
        print(f"[{self.step}/{self.n_steps}] {title} ...", file=self.stream, flush=True)

    def done(self, detail: str = ""):
        took = time.perf_counter() - self._t
        print(f"      done in {took:.1f} s{'  ' + detail if detail else ''}", file=self.stream,
              flush=True)

    @property
    def total(self) -> float:
        return time.perf_counter() - self.t0


# ------------------------------------------------------------------------- 1. data


def make_data(demo: Demo) -> str:
    """Synthetic creators with nested posts and their ground truth."""
    from .datasets import make_creators
    from .nested import flatten_posts

    data = make_creators(demo.n_accounts, n_topics=8, off_topic=0.2,
                         random_state=demo.random_state)
    frame = data.accounts
    flat = flatten_posts(frame)
    demo.state.update(data=data, frame=frame, topic=data.topic, flat=flat)
    demo.report["n_accounts"], demo.report["n_posts"] = len(frame), flat.n_posts
    return f"{len(frame)} accounts, {flat.n_posts} posts"


def write_data(demo: Demo) -> None:
    r = demo.report
    demo.write(f"Data: {r['n_accounts']} creators, {r['n_posts']} posts "
               f"({r['n_posts'] / max(r['n_accounts'], 1):.1f} per creator), 8 topics, "
               "20% off-topic posts\n")


# -------------------------------------------------------------- 2. contract, tiers


def check_contract(demo: Demo) -> str:
    """The data-contract check, follower tiers and per-post likes per follower."""
    import numpy as np

    from .nested import segment_reduce, validate_account_frame
    from .tiers import TIER_NAMES, follower_tier

    frame, flat = demo.state["frame"], demo.state["flat"]
    validate_account_frame(frame)
    followers = frame["followers"].to_numpy()
    tiers = follower_tier(followers)
    likes = segment_reduce(flat.numeric("likes"), flat.offsets, "mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(followers > 0, likes / followers, np.nan)
    demo.state.update(tiers=tiers, rate=rate)
    demo.report["tiers"] = {t: int((tiers == t).sum()) for t in TIER_NAMES}
    return "posts nested columnar: " + str(frame["posts"].dtype)[:40] + "..."


def write_tiers(demo: Demo) -> None:
    import numpy as np

    from .tiers import TIER_NAMES

    tiers, rate, counts = demo.state["tiers"], demo.state["rate"], demo.report["tiers"]
    demo.write("Tiers by followers:\n")
    for t in TIER_NAMES:
        sel = tiers == t
        med = (np.nanmedian(rate[sel]) if sel.any() and np.isfinite(rate[sel]).any()
               else float("nan"))
        demo.write(f"  {t:<6} {counts[t]:>5} creators   median likes/follower per post "
                   f"{med:8.4f}\n")


# --------------------------------------------------------------- 3. topic classifier


def classify_topics(demo: Demo) -> str:
    """Topic from captions: a grid-searched Pipeline, cross-validation splitting accounts."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
    from sklearn.pipeline import Pipeline

    from .features import PostsText

    frame, topic, seed = demo.state["frame"], demo.state["topic"], demo.random_state
    X_train, X_test, y_train, y_test = train_test_split(
        frame, topic, test_size=0.25, stratify=topic, random_state=seed
    )
    pipe = Pipeline([
        ("text", PostsText()),
        ("tfidf", TfidfVectorizer(sublinear_tf=True, min_df=2)),
        ("clf", LogisticRegression(max_iter=2000)),
    ])
    search = GridSearchCV(
        pipe,
        demo.settings["grid"],
        cv=StratifiedKFold(demo.settings["n_folds"], shuffle=True, random_state=seed),
        n_jobs=1,
    )
    search.fit(X_train, y_train)
    pred = search.predict(X_test)
    majority = max(np.mean(y_test == t) for t in np.unique(y_train))
    demo.state.update(y_test=y_test, topic_pred=pred)
    demo.report.update(
        best_params=search.best_params_,
        cv_accuracy=float(search.best_score_),
        test_accuracy=float(accuracy_score(y_test, pred)),
        majority_accuracy=float(majority),
    )
    return f"test accuracy {demo.report['test_accuracy']:.3f}"


def write_topics(demo: Demo) -> None:
    from sklearn.metrics import classification_report

    r = demo.report
    demo.write("\nTopic classifier (PostsText -> TF-IDF -> logistic regression)\n")
    demo.write(f"  best parameters      {r['best_params']}\n")
    demo.write(f"  CV accuracy (train)  {r['cv_accuracy']:.3f}\n")
    demo.write(f"  held-out accuracy    {r['test_accuracy']:.3f}   "
               f"(majority class: {r['majority_accuracy']:.3f})\n")
    demo.write("  per-topic scores on held-out creators:\n")
    scores = classification_report(demo.state["y_test"], demo.state["topic_pred"], digits=3)
    for line in scores.splitlines():
        demo.write(f"    {line}\n")


# ----------------------------------------------------------------------- 4. segments


def segment(demo: Demo) -> str:
    """Segments of creators from their engagement, k chosen by silhouette."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    from .accounts import EngagementAggregator
    from .segmentation import KMeansSegmenter

    features = ColumnTransformer([
        ("profile", "passthrough", ["followers"]),
        ("posts", EngagementAggregator(features=["engagement_rate", "likes_median",
                                                 "posts_per_week"]), ["followers", "posts"]),
    ], verbose_feature_names_out=False)
    segmenter = make_pipeline(features, SimpleImputer(strategy="median"),
                              KMeansSegmenter(random_state=demo.random_state))
    segmenter.set_output(transform="pandas").fit(demo.state["frame"])
    demo.state["segmenter"] = segmenter
    seg = segmenter[-1]
    demo.report.update(n_segments=int(seg.n_clusters_), silhouette=float(seg.silhouette_),
                       segments=seg.segment_profiles_)
    return f"{seg.n_clusters_} segments, silhouette {seg.silhouette_:.3f}"


def write_segments(demo: Demo) -> None:
    r = demo.report
    demo.write(f"\nSegments (EngagementAggregator -> KMeansSegmenter, k chosen by silhouette: "
               f"{r['n_segments']}, silhouette {r['silhouette']:.3f})\n")
    cols = [c for c in ("name", "size", "followers", "engagement_rate", "likes_median")
            if c in r["segments"].columns]
    table = r["segments"][cols].to_string(float_format=lambda v: f"{v:,.4g}")
    for line in table.splitlines():
        demo.write(f"    {line}\n")


# ------------------------------------------------------------------ 5. pair ranking

def _judged_pairs(demo: Demo, rng):
    """Random creator pairs, judged by a noisy oracle that knows the true influence."""
    import numpy as np

    n, n_pairs = len(demo.state["frame"]), demo.settings["n_pairs"]
    a = rng.integers(0, n, n_pairs)
    b = (a + rng.integers(1, n, n_pairs)) % n
    # the judge: the truly more influential creator wins, with logistic noise
    # (influence is log10 of expected likes per post: a 10x gap wins 95 % of the time)
    influence = demo.state["data"].influence
    gap = influence[a] - influence[b]
    judged = (rng.random(n_pairs) < 1 / (1 + np.exp(-3 * gap))).astype(int)
    return a, b, judged


def rank_pairs(demo: Demo) -> str:
    """Learn "who is more influential" from pairwise judgements, and rank every creator."""
    import numpy as np
    import pandas as pd
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    from .ranking import PairwiseRanker, make_pairs
    from .report import influence_items

    frame, seed = demo.state["frame"], demo.random_state
    rng = np.random.default_rng(seed)
    items = influence_items(frame)
    a, b, judged = _judged_pairs(demo, rng)
    ids = frame["account_id"].to_numpy()
    pairs = make_pairs(items, np.column_stack([ids[a], ids[b]]), keep_ids=False)
    held_out = np.zeros(len(judged), bool)
    held_out[demo.settings["n_train_pairs"]:] = True
    ranker = PairwiseRanker(n_estimators=demo.settings["n_trees"], n_jobs=1, random_state=seed)
    ranker.fit(pairs[~held_out], judged[~held_out])
    demo.state.update(pair_ranker=ranker, items=items, pairs=pairs[~held_out],
                      judged=judged[~held_out])
    auc = roc_auc_score(judged[held_out], ranker.predict_proba(pairs[held_out])[:, 1])
    ranking = ranker.rank(items.set_index("account_id"))
    truth = pd.Series(demo.state["data"].influence, index=ids)[ranking.index]
    rho = spearmanr(ranking["score"], truth).statistic
    demo.report.update(pair_auc=float(auc), rank_spearman=float(rho), top=list(ranking.index[:5]))
    return f"held-out pair AUC {auc:.3f}, Spearman with true influence {rho:.3f}"


def write_ranking(demo: Demo) -> None:
    r = demo.report
    n_pairs, n_train = demo.settings["n_pairs"], demo.settings["n_train_pairs"]
    demo.write(f"\nPairwise ranking (PairwiseRanker, LightGBM; {n_train:,} judged pairs to learn, "
               f"{n_pairs - n_train:,} held out)\n")
    demo.write(f"  held-out pair AUC             {r['pair_auc']:.3f}\n")
    demo.write(f"  Spearman(global score, true influence) over all creators "
               f"{r['rank_spearman']:.3f}\n")
    demo.write(f"  top 5 creators: {', '.join(map(str, r['top']))}\n")


# ------------------------------------------------------------- 6. creators for a brand


def brand_creators(demo: Demo) -> str:
    """Rank unseen creators for unseen brands from both sides' captions (ListwiseRanker)."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .datasets import make_creators
    from .features import PostsText
    from .metrics import query_auc, recall_at_k
    from .ranking import ListwiseRanker, make_queries, split_pairs, unseen_split

    seed = demo.random_state
    data = make_creators(demo.n_accounts, n_topics=8, n_brands=demo.settings["n_brands"],
                         n_posts=(4, 8),
                         brand_posts=(6, 10), random_state=seed)
    split = unseen_split(data.positives, test_size=0.25, random_state=seed)
    pool = np.union1d(split.train_candidates, split.test_candidates)
    # captions of each account -> TF-IDF -> 48 SVD dimensions (no model download)
    texts = np.concatenate([PostsText().fit_transform(data.brand_accounts),
                            PostsText().fit_transform(data.accounts.iloc[pool])])
    z = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    z = TruncatedSVD(48, random_state=seed).fit_transform(z).astype(np.float32)
    brands, creators = {"text": z[:len(data.brands)]}, {"text": z[len(data.brands):]}
    brand_ids = data.brands["brand_id"].to_numpy()
    pairs = split_pairs(data.positives.assign(relevance=1.0 + data.positives.competence),
                        split, negatives=20, relevance="relevance", random_state=seed)
    X, y, _ = make_queries(brands, brand_ids, creators, pool, pairs.train)
    ranker = ListwiseRanker(hidden_size=64, embedding_size=32, residual_similarity=True,
                            max_epochs=demo.settings["n_epochs"], lr=3e-3, device="cpu", random_state=seed).fit(X, y)
    X_test, y_test, q_test = make_queries(brands, brand_ids, creators, pool, pairs.test)
    scores = ranker.predict(X_test)
    auc = query_auc(y_test, scores, qid=q_test)
    r10 = recall_at_k(y_test, scores, qid=q_test, k=10)
    cosine = X_test.cosine()  # the untrained baseline: cosine of the caption vectors
    brand = split.test_queries[0]
    top = ranker.top_k(X_test[np.flatnonzero(q_test == brand)], k=3)
    info = data.brands.set_index("brand_id").loc[brand]
    works_with = set(data.positives.account_id[data.positives.brand_id == brand])
    usernames = data.accounts["username"].to_numpy(dtype=object)
    demo.state.update(brand_ranker=ranker, brand_X=X_test, brand_y=y_test, brand_cosine=cosine,
                      brand=brand, brand_name=str(info["name"]),
                      brand_labels=usernames[X_test.candidate_ids[X_test.candidate_index]])
    demo.report.update(brand_auc=float(auc), brand_r10=float(r10),
                       brand_cosine_auc=float(query_auc(y_test, cosine, qid=q_test)),
                       brand_cosine_r10=float(recall_at_k(y_test, cosine, qid=q_test, k=10)),
                       brand_example=(str(info["name"]), str(info["category"])),
                       brand_top=[(int(c), str(data.topic[c]), c in works_with)
                                  for c in top["candidate"]],
                       brand_sizes=(len(split.test_queries), len(split.test_candidates)))
    return f"unseen brands: AUC {auc:.3f}, R@10 {r10:.3f}"


def write_brand_creators(demo: Demo) -> None:
    r = demo.report
    n_brands, n_creators = r["brand_sizes"]
    demo.write("\nTop creators for a brand (ListwiseRanker: MIR two towers plus a residual "
               "similarity, on caption "
               f"features; {n_brands} unseen brands x {n_creators} unseen creators)\n")
    demo.write(f"  AUC {r['brand_auc']:.3f}, recall@10 {r['brand_r10']:.3f}; cosine of the "
               f"caption vectors, untrained: AUC {r['brand_cosine_auc']:.3f}, recall@10 "
               f"{r['brand_cosine_r10']:.3f}; random: AUC 0.5\n")
    name, category = r["brand_example"]
    demo.write(f"  {name} ({category}): ")
    demo.write(", ".join(f"creator {c} ({topic}{', works with it' if hit else ''})"
                         for c, topic, hit in r["brand_top"]) + "\n")


# ------------------------------------------------- report only: audience, attention


def audience_quality(demo: Demo) -> str:
    """Fake-follower shares with intervals, from a sample of each creator's followers."""
    from threadpoolctl import threadpool_limits

    from .audience import AudienceQuality
    from .datasets import make_audiences

    # a follower sample for the demo's own creators (their followers and true fake shares)
    aud = make_audiences(creators=demo.state["data"], followers_per_sample=(30, 100),
                         labelled=0.15, random_state=demo.random_state)
    quality = AudienceQuality(cv=3, random_state=demo.random_state).set_output(transform="pandas")
    # one OpenMP thread: on a loaded 2-core machine the detector's gradient boosting spun
    # its threads for 476 s instead of fitting in 3 s (as tests/conftest.py notes)
    with threadpool_limits(1, user_api="openmp"):
        quality.fit(aud.accounts)
        out = quality.transform(aud.accounts)
    inside = ((out["fake_share_low"] <= aud.fake_share)
              & (aud.fake_share <= out["fake_share_high"])).mean()
    demo.state.update(audience_frame=aud.accounts, audience=quality,
                      true_fake_share=aud.fake_share)
    return f"true share inside the 95% interval for {inside:.0%} of the creators"


class _CaptionTopics:
    """Per-post caption features for the demo's attentive profiler: TF-IDF -> 32 SVD dimensions.

    A :class:`PostEncoder` extractor (``fit`` and ``transform_posts``) that needs no
    model download and fits in seconds; posts without a caption are masked out.
    """

    def __init__(self, n_components=32, random_state=0):
        self.n_components = n_components
        self.random_state = random_state

    def get_params(self, deep=True):
        return {"n_components": self.n_components, "random_state": self.random_state}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    @staticmethod
    def _captions(X):
        from .nested import flatten_posts

        flat = flatten_posts(X)
        return flat, ["" if t is None else str(t) for t in flat.column("text").to_pylist()]

    def fit(self, X, y=None):
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        _, texts = self._captions(X)
        # standardised: the raw SVD coordinates are small, and the profiler then learned
        # nothing in the demo's epochs (held-out topic accuracy 0.44 unscaled, 0.74 scaled)
        self.model_ = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
                                    TruncatedSVD(self.n_components, random_state=self.random_state),
                                    StandardScaler()).fit(texts)
        return self

    def transform_posts(self, X):
        import numpy as np

        from .ragged import PostFeatures

        flat, texts = self._captions(X)
        mask = np.array([bool(t.strip()) for t in texts], dtype=bool)
        values = self.model_.transform(texts).astype(np.float32) if texts else np.zeros(
            (0, self.n_components), np.float32)
        values[~mask] = 0.0
        return PostFeatures(values, flat.offsets, mask=mask,
                            feature_names=[f"svd{i}" for i in range(values.shape[1])])


def attention(demo: Demo) -> str:
    """An attentive profiler: each creator's topic from all their posts, each post weighed."""
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from .features import PostEncoder
    from .profiling import AttentiveProfiler

    frame, topic = demo.state["frame"], demo.state["topic"]
    n_train = len(frame) * 3 // 4
    model = make_pipeline(
        PostEncoder([("caption", _CaptionTopics(random_state=demo.random_state))],
                    label_field="label"),
        AttentiveProfiler(hidden_size=32, attention_size=16, head_hidden_size=16, lr=1e-2,
                          max_epochs=demo.settings["n_epochs"], batch_size=16, device="cpu",
                          random_state=demo.random_state),
    )
    model.fit(frame.iloc[:n_train], topic[:n_train])
    accuracy = float(np.mean(model.predict(frame.iloc[n_train:]) == topic[n_train:]))
    demo.state.update(profiler=model, profiler_frame=frame.iloc[n_train:])
    return f"topic accuracy on {len(frame) - n_train} held-out creators {accuracy:.3f}"


def write_html(demo: Demo) -> str:
    """The report a marketer reads: one HTML file with pictures and downloadable numbers."""
    import os

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="openmp"):  # see audience_quality
        path = _write_html(demo)
    demo.report["html"] = path
    return f"{path} ({os.path.getsize(path) / 1e6:.2f} MB)"


def _write_html(demo: Demo) -> str:
    from .report import (
        HTMLReport,
        add_attention_section,
        add_audience_section,
        add_brand_section,
        add_checks_section,
        add_influence_section,
        add_segments_section,
        contract_checks,
    )

    st = demo.state
    frame = st["frame"]
    report = HTMLReport("Creator report",
                        subtitle=f"{len(frame):,} made-up creators generated for this demo "
                                 f"(seed {demo.random_state})")
    add_segments_section(report, st["segmenter"], frame)
    add_influence_section(report, frame, ranker=st["pair_ranker"], items=st["items"],
                          pairs=st["pairs"], judgements=st["judged"],
                          n_resamples=5 if demo.quick else 10, random_state=demo.random_state)
    add_brand_section(report, st["brand_ranker"], st["brand_X"], st["brand_y"],
                      brand=st["brand"], brand_name=st["brand_name"],
                      candidate_labels=st["brand_labels"], baseline=st["brand_cosine"])
    add_audience_section(report, st["audience_frame"], audience=st["audience"],
                         true_share=st["true_fake_share"])
    add_attention_section(report, st["profiler_frame"], profiler=st["profiler"])
    add_checks_section(report, contract_checks(frame))
    return report.write(demo.html_path)


# --------------------------------------------------------------------- 7. components


def list_components(demo: Demo) -> str:
    """The registered components and whether their optional dependencies are installed."""
    from .registry import all_components

    comps = all_components()
    demo.report["components"] = [(c.name, c.kind, c.available) for c in comps]
    return f"{len(comps)} component(s)"


def write_components(demo: Demo) -> None:
    demo.write("\nComponents in the registry:\n")
    for name, kind, available in demo.report["components"]:
        status = "available" if available else "missing optional dependency"
        demo.write(f"  {name:<24} {kind:<11} {status}\n")


#: The demo, in order. Each title is formatted with the Demo's fields.
STEPS: tuple[Step, ...] = (
    Step("Generating {n_accounts} synthetic creators (make_creators, "
         "random_state={random_state})", make_data, write_data),
    Step("Checking the account-frame data contract", check_contract, write_tiers),
    Step("Topic from captions: GridSearchCV over a Pipeline, accounts split {n_folds}-fold",
         classify_topics, write_topics, min_accounts=MIN_ACCOUNTS),
    Step("Segments: EngagementAggregator -> KMeansSegmenter(n_clusters='auto')",
         segment, write_segments),
    Step("Who is more influential: PairwiseRanker on {n_pairs:,} pairwise judgements",
         rank_pairs, write_ranking),
    Step("Top creators for a brand: ListwiseRanker on unseen brands and creators",
         brand_creators, write_brand_creators, min_accounts=MIN_ACCOUNTS),
    Step("Audience quality: AudienceQuality on a sample of each creator's followers",
         audience_quality, report_only=True),
    Step("Which posts count: AttentiveProfiler on each post's caption", attention,
         min_accounts=MIN_ACCOUNTS, report_only=True),
    Step("Listing registered components", list_components, write_components),
    Step("Writing the HTML report", write_html, report_only=True),
)


def accounts_range(steps=None) -> tuple[int, int]:
    """The fewest and the most creators the demo's steps accept."""
    steps = STEPS if steps is None else steps
    return max((step.min_accounts for step in steps), default=1), MAX_ACCOUNTS


def check_demo_params(n_accounts, random_state) -> None:
    """Raise a ValueError naming the parameter and the allowed range (before any work)."""
    import numbers

    low, high = accounts_range()
    if (not isinstance(n_accounts, numbers.Integral) or isinstance(n_accounts, bool)
            or not low <= n_accounts <= high):
        raise ValueError(
            f"The 'n_accounts' parameter of run_demo must be an int in the range [{low}, {high}]. "
            f"Got {n_accounts!r} instead. (Below {low}, the topic classifier's held-out quarter "
            "and cross-validation folds of 8 topics would be nearly empty.)"
        )
    if (not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool)
            or not 0 <= random_state < 2**32):
        raise ValueError(
            "The 'random_state' parameter of run_demo must be an int in the range [0, 2**32 - 1]. "
            f"Got {random_state!r} instead."
        )


def run_demo(n_accounts: int | None = None, random_state: int = 0, stream: TextIO | None = None,
             *, quick: bool = False, html: str | None = None) -> dict:
    """Run the end-to-end demo and return its figures (used by the CLI and the tests).

    Steps (:data:`STEPS`): generate synthetic creators; check the data contract;
    find each creator's topic from their captions with a grid-searched Pipeline
    (cross-validation splits accounts); segment the creators from their
    engagement (automatic k); learn "who is more influential" from pairwise
    judgements and rank every creator; rank unseen creators for unseen brands;
    list the components available.

    Parameters
    ----------
    n_accounts : int, default=None
        Number of synthetic creators, in [:data:`MIN_ACCOUNTS`,
        :data:`MAX_ACCOUNTS`]; None: 600, or 200 with ``quick``.
    random_state : int, default=0
        Seed of the data and of every model, in [0, 2**32 - 1].
    stream : file-like, default=None
        Where the progress and the report are written; ``sys.stdout`` when None.
    quick : bool, default=False
        A smaller, faster run: 200 creators unless ``n_accounts`` says otherwise,
        2 grid points and 3 folds for the topic classifier, 1,500 pairs and 60
        trees for the pair ranker, 20 brands and 15 epochs for the brand ranker.
    html : str or path-like, default=None
        Also write the HTML report there (``skinfluence demo --report``): two
        more steps run (audience quality, an attentive profiler) and the report
        is written last. Needs matplotlib.

    Returns
    -------
    report : dict
        The demo's figures (accuracies, segments, ranking scores, components),
        ``"seconds"``, the total wall time, and ``"html"``, the report's path,
        when one was written.
    """
    if n_accounts is None:
        n_accounts = _SETTINGS[bool(quick)]["n_accounts"]
    check_demo_params(n_accounts, random_state)
    if html is not None:
        import os

        from .plotting._matplotlib import import_pyplot

        import_pyplot("skinfluence demo --report")  # before the work, not after it
        html = os.fspath(html)
    demo = Demo(n_accounts=n_accounts, random_state=random_state, out=stream or sys.stdout,
                quick=bool(quick), html_path=html)
    steps = [step for step in STEPS if html is not None or not step.report_only]
    progress = _Progress(len(steps), demo.out)
    for step in steps:
        progress.start(step.title.format(**demo.title_fields()))
        progress.done(step.run(demo))
    demo.write("\n" + "=" * 72 + "\n skinfluence demo report\n" + "=" * 72 + "\n")
    for step in steps:
        if step.section is not None:
            step.section(demo)
    demo.report["seconds"] = progress.total
    demo.write(f"\nTotal time: {demo.report['seconds']:.1f} s\n")
    return demo.report
