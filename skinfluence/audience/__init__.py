"""Audience quality: fake-follower detection and per-influencer audience estimates.

- :class:`FakeFollowerDetector`: classify follower accounts (the
  ``FAKE_ACCOUNT_COLUMNS`` schema of the real fake-account sets) as fake or genuine;
- :class:`AudienceQuality`: from a nested sample of each influencer's followers,
  the fake share with a confidence interval, the inactive share and the real reach.

See ``docs/audience.md``.
"""

from ._fake import DERIVED_FEATURES, FakeFollowerDetector, default_fake_estimator
from ._quality import AUDIENCE_FEATURES, AudienceQuality, share_interval

__all__ = [
    "AUDIENCE_FEATURES",
    "DERIVED_FEATURES",
    "AudienceQuality",
    "FakeFollowerDetector",
    "default_fake_estimator",
    "share_interval",
]
