"""Segment 1,794 TikTok creators with KMeansSegmenter
===================================================

The 1,794 TikTok creators of ``../shared/data/tiktok_creator_videos``, segmented.

Features per creator: followers (profile), and from the nested videos with
EngagementAggregator: engagement rate (mean likes + comments + shares per
video / followers), median likes, median views and posts per week. A
ColumnTransformer puts the profile column beside the aggregated ones, a
median imputer fills the few undefined values (2 creators with 0 followers
have no engagement rate, 3 with a single video no posting cadence) and the
segmenter picks k by silhouette.

Usage::

    python examples/segment_tiktok_creators.py [path/to/tiktok_creator_videos] [--out DIR]

Prints the segment table and the silhouette per k, and saves a scatter plot
(followers vs engagement rate, coloured by segment, log axes) with the
silhouette curve to ``DIR/tiktok_segments.png`` (default DIR: a
``skinfluence-examples`` folder in the system's temporary directory, never the
repository).

When the data set is absent, the example says so and segments 1,000 synthetic creators
from ``make_creators`` instead (same features: followers and the nested posts' likes,
comments, shares, views and timestamps).
"""

# %%
# The model: the profile column beside the aggregated post features, then the segmenter
# --------------------------------------------------------------------------------------

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline

from skinfluence import EngagementAggregator, load_tiktok_videos, make_creators
from skinfluence.segmentation import KMeansSegmenter

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
DEFAULT = REPO.parent / "shared" / "data" / "tiktok_creator_videos"
OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"
POST_FEATURES = ["engagement_rate", "likes_median", "views_median", "posts_per_week"]


def build_model(random_state=0):
    """Account frame -> features -> imputer -> segmenter, one Pipeline (pandas output keeps names)."""
    features = ColumnTransformer(
        [
            ("profile", "passthrough", ["followers"]),
            ("posts", EngagementAggregator(features=POST_FEATURES), ["followers", "posts"]),
        ],
        verbose_feature_names_out=False,
    )
    return make_pipeline(
        features,
        SimpleImputer(strategy="median"),
        KMeansSegmenter(random_state=random_state),
    ).set_output(transform="pandas")


def load_creators(path):
    """The TikTok creators, or synthetic ones (saying so) when the data set is absent."""
    if Path(path).is_dir():
        return load_tiktok_videos(path)
    print(f"{path} is absent: segmenting 1,000 synthetic creators from make_creators instead")
    return make_creators(1000, random_state=0).accounts


def main(path, out=OUT):
    t0 = time.perf_counter()
    creators = load_creators(path)
    t1 = time.perf_counter()
    model = build_model()
    labels = model.fit_predict(creators)
    t2 = time.perf_counter()
    seg = model[-1]
    print(f"{len(creators):,} creators, {sum(map(len, creators['posts'])):,} videos "
          f"(loaded in {t1 - t0:.1f} s, segmented in {t2 - t1:.2f} s)")
    print(f"log-transformed: {list(seg.feature_names_in_[seg.log_features_])}")
    print("\nsilhouette per k (sample of "
          f"{seg.silhouette_sample_size_:,} creators):")
    for k, s in seg.silhouette_scores_.items():
        print(f"  k={k:2d}  {s:.3f}{'  <- kept' if k == seg.n_clusters_ else ''}")
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:,.4g}".format):
        print(f"\n{seg.n_clusters_} segments, silhouette {seg.silhouette_:.3f}:")
        print(seg.segment_profiles_)

    X = model[:-1].transform(creators)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [2, 1]})
    cmap = plt.get_cmap("tab10")
    for j, name in enumerate(seg.segment_names_):
        m = labels == j
        ax.scatter(np.maximum(X["followers"][m], 1), X["engagement_rate"][m], s=8, alpha=0.6,
                   color=cmap(j % 10), label=f"{name} ({m.sum():,})")
        prof = seg.segment_profiles_.loc[j]
        ax.scatter(max(prof["followers"], 1), prof["engagement_rate"], s=160, marker="X",
                   color=cmap(j % 10), edgecolor="black", linewidth=1)
    ax.set(xscale="log", yscale="log", xlabel="followers", ylabel="engagement rate (per video / followers)",
           title=f"TikTok creators: {seg.n_clusters_} segments (X = profile centroid)")
    ax.legend(fontsize=8, loc="lower left")
    ks = list(seg.silhouette_scores_)
    ax2.plot(ks, list(seg.silhouette_scores_.values()), marker="o")
    ax2.axvline(seg.n_clusters_, color="grey", linestyle="--")
    ax2.set(xlabel="k", ylabel="silhouette", title="silhouette per k")
    fig.tight_layout()
    output = Path(out) / "tiktok_segments.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=110)
    print(f"\nplot saved to {output}")
    return seg


# %%
# Fit, print the segments and draw them
# -------------------------------------
# Run as a script, ``DATA`` and ``--out`` come from the command line; in the gallery the
# defaults are used and the figure below is the one saved to ``--out``.

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path, default=OUT,
                        help=f"folder for the plot (default {OUT})")
    args = parser.parse_args()
    main(args.data, args.out)
