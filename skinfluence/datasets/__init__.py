"""Data sets: a synthetic generator with ground truth, and loaders for real public data.

- :func:`make_creators`: synthetic creators with nested posts and ground truth for
  every task of the library (``docs/synthetic.md``);
- ``load_*``: read the real data sets from a path the user gives (never shipped
  in the package; ``docs/real_data.md``).
"""

from ._audiences import make_audiences, make_follower_accounts
from ._fake_accounts import FAKE_ACCOUNT_COLUMNS, load_fake_accounts
from ._peerindex import PEERINDEX_FEATURES, load_peerindex
from ._readers import parse_count
from ._snapshots import SNAPSHOT_FIELDS, UNDATED_RELEASE_DATE, load_influencer_snapshots
from ._synthetic import make_creators
from ._tiktok import load_tiktok_videos
from ._top_instagram import load_top_instagram

__all__ = [
    "FAKE_ACCOUNT_COLUMNS",
    "PEERINDEX_FEATURES",
    "SNAPSHOT_FIELDS",
    "UNDATED_RELEASE_DATE",
    "load_fake_accounts",
    "load_influencer_snapshots",
    "load_peerindex",
    "load_tiktok_videos",
    "load_top_instagram",
    "make_audiences",
    "make_creators",
    "make_follower_accounts",
    "parse_count",
]
