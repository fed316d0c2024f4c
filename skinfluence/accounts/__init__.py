"""Account-level features: engagement from nested posts, profile features, growth over snapshots."""

from ._engagement import ENGAGEMENT_FEATURES, EngagementAggregator
from ._growth import GROWTH_FEATURES, GrowthFeatures
from ._growth_task import RollingCutoffSplit, growth_dataset
from ._profile import PROFILE_COUNTS, PROFILE_RATIOS, ProfileFeatures

__all__ = ["ENGAGEMENT_FEATURES", "EngagementAggregator", "GROWTH_FEATURES", "GrowthFeatures",
           "PROFILE_COUNTS", "PROFILE_RATIOS", "ProfileFeatures", "RollingCutoffSplit",
           "growth_dataset"]
