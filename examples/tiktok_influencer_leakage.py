"""The leaked and the honest score of "who is a TikTok influencer?"
==================================================================

The UCLA DataRes "Demystifying TikTok" study (Nov 2020) labelled a creator an
influencer when its follower count was in the top 5 % of its data set, then
trained models on features that included the follower count, and reported
perfect accuracy. The label is a function of one input: the model only has to
find the follower threshold.

This script rebuilds that target on the study's own data, and prints, side by
side, 5-fold stratified cross-validation scores (one row per creator, so the
folds split accounts) for three feature sets:

1. **leaked** (as in the study): profile counts including ``followers``, plus
   engagement features;
2. **followers removed**: the obvious fix, which still leaves two features
   computed with followers: ``engagement_rate`` (engagement / followers) and
   ``n_posts_seen`` (the number of videos crawled: the ~250 most-followed
   creators were crawled 50 videos deep, the others 25);
3. **honest**: every feature computed from followers removed.

Each model is wrapped in :class:`skinfluence.labels.LeakageGuard`, which
warns (``LeakageWarning``) at every fit when the label is (near-)deterministic
in one of the model's input features.

Usage::

    python examples/tiktok_influencer_leakage.py [DATA_DIR] [--json OUT.json]

``DATA_DIR`` defaults to ``../shared/data/tiktok_creator_videos`` (relative
to the repository root). Runs in about 30 s on 2 CPU cores. When the data set is absent,
the example says so and uses 1,000 synthetic creators from ``make_creators`` instead.
The documentation build (``SKINFLUENCE_DOCS_QUICK=1``) grows 100 trees per forest
instead of 300.
"""

# %%
# Feature sets, models, and the pipeline around them
# --------------------------------------------------

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skinfluence import ProfileFeatures, make_creators
from skinfluence.accounts import EngagementAggregator
from skinfluence.datasets import load_tiktok_videos
from skinfluence.exceptions import LeakageWarning
from skinfluence.labels import LeakageGuard, leakage_scores, make_influencer_labels

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "tiktok_creator_videos"
QUICK = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build

ENGAGEMENT = [
    "likes_mean", "comments_mean", "shares_mean", "views_mean", "engagement_rate",
    "engagement_rate_per_view", "engagement_cv", "n_posts_seen", "posts_per_week",
]
FROM_FOLLOWERS = ["engagement_rate", "n_posts_seen"]  # computed with followers (see above)

FEATURE_SETS = {
    "leaked (as in the study)": (["followers", "total_likes", "n_posts"], ENGAGEMENT),
    "followers removed": (["total_likes", "n_posts"], ENGAGEMENT),
    "honest": (["total_likes", "n_posts"], [f for f in ENGAGEMENT if f not in FROM_FOLLOWERS]),
}
MODELS = {
    "logistic regression": lambda: LogisticRegression(max_iter=2000),
    "random forest": lambda: RandomForestClassifier(n_estimators=100 if QUICK else 300,
                                                    random_state=0, n_jobs=2),
}
SCORING = {"accuracy": "accuracy", "balanced accuracy": "balanced_accuracy", "ROC AUC": "roc_auc"}


def features(profile_columns, engagement):
    """Profile features (log1p counts, likes per post) + engagement, imputed and scaled."""
    return [
        make_union(
            ProfileFeatures(count_columns=profile_columns, impute="mean"),
            EngagementAggregator(features=engagement),  # NaN where undefined ...
        ),
        SimpleImputer(strategy="mean"),  # ... filled with the training mean, as in the study
        StandardScaler(),
    ]


def load_creators(path):
    """The TikTok creators, or synthetic ones (saying so) when the data set is absent."""
    if Path(path).is_dir():
        return load_tiktok_videos(path)
    print(f"{path} is absent: using 1,000 synthetic creators from make_creators instead\n")
    frame = make_creators(1000, random_state=0).accounts
    # the TikTok profile has the creator's total likes; here: the likes of the posts seen
    return frame.assign(total_likes=[float(sum(p["likes"] for p in posts))
                                     for posts in frame["posts"]])


def plot(names, scores, results):
    """Single-feature AUC of every feature, and the cross-validated AUC per feature set."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1, 1]})
    order = np.argsort(scores)
    ax1.barh(np.asarray(names)[order], np.asarray(scores)[order],
             color=["tab:red" if scores[i] >= 0.98 else "tab:blue" for i in order])
    ax1.axvline(0.5, color="grey", linestyle="--", linewidth=1)
    ax1.set(xlim=(0, 1), xlabel="ROC AUC of the feature alone",
            title="one feature is the label (red: AUC >= 0.98)")
    table = pd.Series({key: r["ROC AUC"] for key, r in results.items()}).unstack()
    table.plot.barh(ax=ax2)
    ax2.set(xlim=(0.5, 1), xlabel="cross-validated ROC AUC",
            title="leaked vs honest features, 5-fold CV")
    ax2.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA),
                        help="folder of the TikTok creator video CSV files")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    frame = load_creators(args.data)
    y, threshold = make_influencer_labels(frame, by="followers", quantile=0.95,
                                          return_threshold=True)
    print(f"{len(frame)} creators, {y.sum()} influencers ({y.mean():.1%}): followers >= "
          f"{threshold:,.0f} (top 5 %; ties at the threshold included)\n")

    # 1. single-feature scores of every candidate feature
    all_features = make_union(ProfileFeatures(count_columns=["followers", "total_likes", "n_posts"]),
                              EngagementAggregator(features=ENGAGEMENT)).fit(frame)
    names, scores = leakage_scores(all_features.transform(frame), y,
                                   feature_names=[n.split("__", 1)[1] for n in
                                                  all_features.get_feature_names_out()])
    print("How well each feature alone ranks influencers above the others (ROC AUC, 0.5 = not at all):")
    for name, score in sorted(zip(names, scores, strict=True), key=lambda t: -t[1]):
        flag = "  <- the label is a threshold on this feature" if score >= 0.98 else ""
        print(f"  {name:28s} {score:.3f}{flag}")
    print()

    # 2. cross-validated scores, leaked vs honest
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    results = {}
    first_warning = None
    for set_name, (profile_columns, engagement) in FEATURE_SETS.items():
        for model_name, make_model in MODELS.items():
            model = LeakageGuard(make_pipeline(*features(profile_columns, engagement), make_model()))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", LeakageWarning)
                cvres = cross_validate(model, frame, y, cv=cv, scoring=SCORING)
            leaks = [w for w in caught if issubclass(w.category, LeakageWarning)]
            if leaks and first_warning is None:
                first_warning = str(leaks[0].message)
            results[(set_name, model_name)] = {
                **{k: float(np.mean(cvres[f"test_{k}"])) for k in SCORING},
                "leakage_warnings": len(leaks),
            }

    print("5-fold stratified cross-validation (folds split creators), mean over folds:\n")
    header = f"{'features':26s} {'model':20s} " + " ".join(f"{k:>17s}" for k in SCORING) + \
        f" {'LeakageWarnings':>16s}"
    print(header)
    print("-" * len(header))
    for (set_name, model_name), r in results.items():
        print(f"{set_name:26s} {model_name:20s} " + " ".join(f"{r[k]:17.3f}" for k in SCORING)
              + f" {r['leakage_warnings']:>11d} / 5")
    print(f"{'(always predict 0)':26s} {'':20s} {1 - y.mean():17.3f} {0.5:17.3f} {0.5:17.3f}")
    print("\nRemoved for 'followers removed': followers (and so log1p_followers).")
    print("Removed for 'honest': also engagement_rate (engagement / followers) and n_posts_seen "
          "(crawl depth: 50 videos for the top-list creators, chosen by followers, 25 for the others).")
    if first_warning:
        print(f"\nThe LeakageWarning (one per fit of a leaked model):\n  {first_warning}")
    print(f"\n(ran in {time.perf_counter() - start:.0f} s)")
    plot(names, scores, results)

    if args.json:
        out = {
            "data": str(args.data),
            "n_creators": int(len(frame)),
            "n_influencers": int(y.sum()),
            "threshold_followers": threshold,
            "single_feature_auc": {n: float(s) for n, s in zip(names, scores, strict=True)},
            "cv": [{"features": s, "model": m, **r} for (s, m), r in results.items()],
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return results


# %%
# The single-feature scores, then leaked against honest cross-validation
# ----------------------------------------------------------------------
# Run as a script, ``DATA_DIR`` and ``--json`` come from the command line; in the gallery
# the defaults are used.

if __name__ == "__main__":
    ok = main()
    if not ok:
        sys.exit(1)
