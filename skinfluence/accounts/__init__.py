"""Account-level features: engagement from nested posts, profile features."""

from ._engagement import ENGAGEMENT_FEATURES, EngagementAggregator
from ._profile import PROFILE_COUNTS, PROFILE_RATIOS, ProfileFeatures

__all__ = ["ENGAGEMENT_FEATURES", "EngagementAggregator", "PROFILE_COUNTS", "PROFILE_RATIOS",
           "ProfileFeatures"]
