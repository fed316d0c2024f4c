"""The ``skinfluence`` command line: ``components``, ``demo``, ``versions``.

A thin front end: heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["main"]


def _cmd_components(args) -> int:
    from .registry import all_components
    from .utils._optional import ALL_ONLY, EXTRAS, is_installed

    infos = all_components(kind=args.kind)
    rows = [("component", "kind", "extras", "available", "source")]
    for info in infos:
        missing = info.missing
        status = "yes" if not missing else "no: missing " + ", ".join(missing)
        rows.append((info.name, info.kind, ",".join(info.extras) or "-", status, info.source))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("optional dependencies (the extras of pyproject.toml):")
    for extra, modules in (*EXTRAS.items(), ("all", ALL_ONLY)):
        present = [f"{dist} {'yes' if is_installed(mod) else 'no'}" for mod, dist in modules]
        print(f"  [{extra}] " + ", ".join(present) + (" (and every extra above)" if extra == "all" else ""))
    return 0


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
        print(f"      done in {took:.1f} s{'  ' + detail if detail else ''}", file=self.stream, flush=True)

    @property
    def total(self) -> float:
        return time.perf_counter() - self.t0


def run_demo(n_accounts: int = 600, random_state: int = 0, stream=None) -> dict:
    """Run the end-to-end demo and return its figures (used by the CLI and the tests).

    Steps: generate synthetic creators; check the data contract; find each
    creator's topic from their captions with a grid-searched Pipeline
    (cross-validation splits accounts); segment the creators from their
    engagement (automatic k); learn "who is more influential" from pairwise
    judgements and rank every creator; list the components available.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, classification_report
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
    from sklearn.pipeline import Pipeline

    from .datasets import make_creators
    from .features import PostsText
    from .nested import flatten_posts, segment_reduce, validate_account_frame
    from .registry import all_components
    from .tiers import TIER_NAMES, follower_tier

    out = stream or sys.stdout
    progress = _Progress(6, out)
    report: dict = {}

    progress.start(f"Generating {n_accounts} synthetic creators (make_creators, random_state={random_state})")
    data = make_creators(n_accounts, n_topics=8, off_topic=0.2, random_state=random_state)
    frame, topic = data.accounts, data.topic
    flat = flatten_posts(frame)
    report["n_accounts"], report["n_posts"] = len(frame), flat.n_posts
    progress.done(f"{len(frame)} accounts, {flat.n_posts} posts")

    progress.start("Checking the account-frame data contract")
    validate_account_frame(frame)
    tiers = follower_tier(frame["followers"].to_numpy())
    counts = {t: int((tiers == t).sum()) for t in TIER_NAMES}
    likes = segment_reduce(flat.numeric("likes"), flat.offsets, "mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(frame["followers"].to_numpy() > 0, likes / frame["followers"].to_numpy(), np.nan)
    report["tiers"] = counts
    progress.done("posts nested columnar: " + str(frame["posts"].dtype)[:40] + "...")

    progress.start("Topic from captions: GridSearchCV over a Pipeline, accounts split 5-fold")
    X_train, X_test, y_train, y_test = train_test_split(
        frame, topic, test_size=0.25, stratify=topic, random_state=random_state
    )
    pipe = Pipeline([
        ("text", PostsText()),
        ("tfidf", TfidfVectorizer(sublinear_tf=True, min_df=2)),
        ("clf", LogisticRegression(max_iter=2000)),
    ])
    search = GridSearchCV(
        pipe,
        {"clf__C": [0.3, 3.0, 30.0], "tfidf__ngram_range": [(1, 1), (1, 2)]},
        cv=StratifiedKFold(5, shuffle=True, random_state=random_state),
        n_jobs=1,
    )
    search.fit(X_train, y_train)
    pred = search.predict(X_test)
    majority = max(np.mean(y_test == t) for t in np.unique(y_train))
    report.update(
        best_params=search.best_params_,
        cv_accuracy=float(search.best_score_),
        test_accuracy=float(accuracy_score(y_test, pred)),
        majority_accuracy=float(majority),
    )
    progress.done(f"test accuracy {report['test_accuracy']:.3f}")

    progress.start("Segments: EngagementAggregator -> KMeansSegmenter(n_clusters='auto')")
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
                              KMeansSegmenter(random_state=random_state)).set_output(transform="pandas")
    segmenter.fit(frame)
    seg = segmenter[-1]
    report.update(n_segments=int(seg.n_clusters_), silhouette=float(seg.silhouette_),
                  segments=seg.segment_profiles_)
    progress.done(f"{seg.n_clusters_} segments, silhouette {seg.silhouette_:.3f}")

    progress.start("Who is more influential: PairwiseRanker on 4,000 pairwise judgements")
    import pandas as pd
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    from .ranking import PairwiseRanker, make_pairs

    rng = np.random.default_rng(random_state)
    items = EngagementAggregator(features=["likes_mean", "comments_mean", "engagement_rate",
                                           "posts_per_week"]).set_output(transform="pandas")
    items = items.fit_transform(frame).fillna(0.0)
    items.insert(0, "followers", frame["followers"].to_numpy())
    items.insert(0, "account_id", frame["account_id"].to_numpy())
    a = rng.integers(0, len(frame), 4000)
    b = (a + rng.integers(1, len(frame), 4000)) % len(frame)
    # the judge: the truly more influential creator wins, with logistic noise
    # (influence is log10 of expected likes per post: a 10x gap wins 95 % of the time)
    gap = data.influence[a] - data.influence[b]
    judged = (rng.random(4000) < 1 / (1 + np.exp(-3 * gap))).astype(int)
    ids = frame["account_id"].to_numpy()
    pairs = make_pairs(items, np.column_stack([ids[a], ids[b]]), keep_ids=False)
    held_out = np.zeros(4000, bool)
    held_out[3000:] = True
    ranker = PairwiseRanker(n_estimators=200, n_jobs=1, random_state=random_state)
    ranker.fit(pairs[~held_out], judged[~held_out])
    auc = roc_auc_score(judged[held_out], ranker.predict_proba(pairs[held_out])[:, 1])
    ranking = ranker.rank(items.set_index("account_id"))
    rho = spearmanr(ranking["score"], pd.Series(data.influence, index=ids)[ranking.index]).statistic
    report.update(pair_auc=float(auc), rank_spearman=float(rho), top=list(ranking.index[:5]))
    progress.done(f"held-out pair AUC {auc:.3f}, Spearman with true influence {rho:.3f}")

    progress.start("Listing registered components")
    comps = all_components()
    report["components"] = [(c.name, c.kind, c.available) for c in comps]
    progress.done(f"{len(comps)} component(s)")

    w = out.write
    w("\n" + "=" * 72 + "\n skinfluence demo report\n" + "=" * 72 + "\n")
    w(f"Data: {report['n_accounts']} creators, {report['n_posts']} posts "
      f"({report['n_posts'] / max(report['n_accounts'], 1):.1f} per creator), 8 topics, "
      "20% off-topic posts\n")
    w("Tiers by followers:\n")
    for t in TIER_NAMES:
        sel = tiers == t
        med = np.nanmedian(rate[sel]) if sel.any() and np.isfinite(rate[sel]).any() else float("nan")
        w(f"  {t:<6} {counts[t]:>5} creators   median likes/follower per post {med:8.4f}\n")
    w("\nTopic classifier (PostsText -> TF-IDF -> logistic regression)\n")
    w(f"  best parameters      {report['best_params']}\n")
    w(f"  CV accuracy (train)  {report['cv_accuracy']:.3f}\n")
    w(f"  held-out accuracy    {report['test_accuracy']:.3f}   "
      f"(majority class: {report['majority_accuracy']:.3f})\n")
    w("  per-topic scores on held-out creators:\n")
    for line in classification_report(y_test, pred, digits=3).splitlines():
        w(f"    {line}\n")
    w(f"\nSegments (EngagementAggregator -> KMeansSegmenter, k chosen by silhouette: "
      f"{report['n_segments']}, silhouette {report['silhouette']:.3f})\n")
    cols = [c for c in ("name", "size", "followers", "engagement_rate", "likes_median")
            if c in report["segments"].columns]
    for line in report["segments"][cols].to_string(float_format=lambda v: f"{v:,.4g}").splitlines():
        w(f"    {line}\n")
    w("\nPairwise ranking (PairwiseRanker, LightGBM; 3,000 judged pairs to learn, 1,000 held out)\n")
    w(f"  held-out pair AUC             {report['pair_auc']:.3f}\n")
    w(f"  Spearman(global score, true influence) over all creators {report['rank_spearman']:.3f}\n")
    w(f"  top 5 creators: {', '.join(map(str, report['top']))}\n")
    w("\nComponents in the registry:\n")
    for name, kind, available in report["components"]:
        w(f"  {name:<24} {kind:<11} {'available' if available else 'missing optional dependency'}\n")
    report["seconds"] = progress.total
    w(f"\nTotal time: {report['seconds']:.1f} s\n")
    return report


def _cmd_demo(args) -> int:
    run_demo(n_accounts=args.accounts, random_state=args.random_state)
    return 0


def _cmd_versions(args) -> int:
    from ._show_versions import show_versions

    show_versions()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinfluence",
        description="Influencer analytics as scikit-learn estimators.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("components", help="list components, their kinds and optional dependencies")
    p.add_argument("--kind", choices=None, default=None,
                   help="only this kind (extractor, aggregator, segmenter, ranker, profiler, detector)")
    p.set_defaults(func=_cmd_components)

    p = sub.add_parser("demo", help="run an end-to-end pipeline on synthetic creators")
    p.add_argument("--accounts", type=int, default=600, help="number of synthetic creators (default 600)")
    p.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("versions", help="print versions of Python and the dependencies")
    p.set_defaults(func=_cmd_versions)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``skinfluence`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "kind", None) is not None:
        from .registry import KINDS

        if args.kind not in KINDS:
            parser.error(f"--kind must be one of {', '.join(KINDS)}; got {args.kind!r}")
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
