"""Former home of the real-data loaders, kept as an import path.

Each data set now has its own module (``_peerindex``, ``_tiktok``,
``_top_instagram``, ``_fake_accounts``) and the reading code they share is in
``_readers``. Import the loaders from :mod:`skinfluence.datasets`.
"""

from ._fake_accounts import FAKE_ACCOUNT_COLUMNS, load_fake_accounts
from ._peerindex import PEERINDEX_FEATURES, load_peerindex
from ._readers import parse_count
from ._tiktok import load_tiktok_videos
from ._top_instagram import load_top_instagram

__all__ = [
    "FAKE_ACCOUNT_COLUMNS",
    "PEERINDEX_FEATURES",
    "load_fake_accounts",
    "load_peerindex",
    "load_tiktok_videos",
    "load_top_instagram",
    "parse_count",
]
