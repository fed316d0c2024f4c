"""Account-level features: engagement from nested posts, profile features."""

from ._engagement import ENGAGEMENT_FEATURES, EngagementAggregator

__all__ = ["ENGAGEMENT_FEATURES", "EngagementAggregator"]
