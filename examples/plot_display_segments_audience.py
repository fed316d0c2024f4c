"""
Segment profiles and audience quality as Display plots
======================================================

Two questions a campaign planner asks first: *what kinds of creators are there?* and
*how many of their followers are real?* This example answers both with
scikit-learn-style ``Display`` objects, which are built from a fitted estimator with
``from_estimator`` and keep their matplotlib artists (``axes_``, ``bars_``,
``errorbar_``) for restyling:

- :class:`~skinfluence.plotting.SegmentProfileDisplay`: the segments of a
  ``KMeansSegmenter`` in the input's own units (followers, engagement rate, ...), with
  their sizes and readable names;
- :class:`~skinfluence.plotting.FakeShareDisplay`: each influencer's estimated share of
  fake followers with its confidence interval (``AudienceQuality``);
- :class:`~skinfluence.plotting.ReachDisplay`: real reach against the follower count.

The creators are the 1,794 TikTok creators of ``../shared/data/tiktok_creator_videos``
when that data set is there; otherwise the example says so and uses 1,000 synthetic
creators from ``make_creators``. The follower samples behind the audience quality are
synthetic (``make_audiences``): their true fake shares are known, so the plot can show
them beside the estimates.
"""

# %%
# Creators and their segments
# ---------------------------
import os
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline

from skinfluence import EngagementAggregator, load_tiktok_videos, make_creators
from skinfluence.plotting import FakeShareDisplay, ReachDisplay, SegmentProfileDisplay
from skinfluence.segmentation import KMeansSegmenter

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
SHARED = Path(os.environ.get("SKINFLUENCE_SHARED_DATA", HERE.resolve().parent.parent / "shared"
                             / "data"))
TIKTOK = SHARED / "tiktok_creator_videos"

if TIKTOK.is_dir():
    creators = load_tiktok_videos(TIKTOK)
    print(f"{len(creators):,} TikTok creators from {TIKTOK}")
else:
    print(f"{TIKTOK} is absent: using 1,000 synthetic creators from make_creators instead")
    creators = make_creators(1000, random_state=0).accounts

features = ColumnTransformer([
    ("profile", "passthrough", ["followers"]),
    ("posts", EngagementAggregator(features=["engagement_rate", "likes_median",
                                             "posts_per_week"]), ["followers", "posts"]),
], verbose_feature_names_out=False)
segmenter = make_pipeline(features, SimpleImputer(strategy="median"),
                          KMeansSegmenter(random_state=0)).set_output(transform="pandas")
segmenter.fit(creators)
print(segmenter[-1].segment_profiles_.round(3).to_string())

# %%
# One panel for the sizes, one per feature, in the input's units; a feature spanning
# orders of magnitude (followers, likes) gets a log axis.
display = SegmentProfileDisplay.from_estimator(segmenter)
display.figure_.suptitle("What each segment's typical creator looks like", y=1.03)

# %%
# The artists stay on the display: the bars of each panel, in segment order.
print({name: [round(float(b.get_width()), 3) for b in bars] for name, bars in display.bars_.items()
       if name in ("size", "engagement_rate")})

# %%
# Fake followers, with their uncertainty
# --------------------------------------
# ``make_audiences`` gives 80 influencers a sample of their followers, 15 % of them
# labelled; ``AudienceQuality`` learns a detector from those labels and estimates each
# influencer's share of fakes, corrected for the detector's errors, with an interval.
from skinfluence.audience import AudienceQuality  # noqa: E402
from skinfluence.datasets import make_audiences  # noqa: E402

data = make_audiences(80, followers_per_sample=(40, 150), labelled=0.15, random_state=0)
quality = AudienceQuality(cv=3, random_state=0).set_output(transform="pandas")
quality.fit(data.accounts)

share = FakeShareDisplay.from_estimator(quality, data.accounts, true_share=data.fake_share,
                                        top=20)

# %%
# The crosses are the true shares: they fall inside most intervals. Sorting by the upper
# end instead lists the influencers who *may* have the most fakes.
FakeShareDisplay.from_estimator(quality, data.accounts, sort="high", top=10, color="tab:orange")

# %%
# Real against nominal reach
# --------------------------
# The dashed diagonal is an audience with no fakes; the further below it, the more of
# the follower count is fake. The vertical lines carry the interval of the fake share
# over to the reach.
reach = ReachDisplay.from_estimator(quality, data.accounts, annotate=4)

# %%
# Both displays draw into any Axes, e.g. side by side in one figure:
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
out = quality.transform(data.accounts)
FakeShareDisplay.from_predictions(out, labels=data.accounts["account_id"], top=15, ax=left)
ReachDisplay.from_predictions(data.accounts["followers"], out, ax=right)
fig.tight_layout()
plt.show()
