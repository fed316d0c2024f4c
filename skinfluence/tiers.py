"""Influencer tiers by follower count (the industry's nano ... mega bands)."""

from __future__ import annotations

import numpy as np

__all__ = ["TIER_NAMES", "TIER_BOUNDS", "follower_tier"]

#: Tier names, smallest first.
TIER_NAMES = ("nano", "micro", "mid", "macro", "mega")
#: Lower follower bound of each tier but the first (a tier includes its lower bound).
#: Accounts under 1,000 followers (and zero-follower accounts) are counted as nano.
TIER_BOUNDS = (10_000, 100_000, 500_000, 1_000_000)


def follower_tier(followers) -> np.ndarray:
    """Tier name of each follower count: nano < 10k <= micro < 100k <= mid < 500k <= macro < 1M <= mega.

    Parameters
    ----------
    followers : array-like of shape (n_accounts,)
        Follower counts (NaN allowed).

    Returns
    -------
    tiers : ndarray of shape (n_accounts,), dtype=object
        Tier names; ``None`` where the count is missing (NaN).

    Examples
    --------
    >>> from skinfluence.tiers import follower_tier
    >>> follower_tier([0, 9_999, 10_000, 250_000, 999_999, 5e6]).tolist()
    ['nano', 'nano', 'micro', 'mid', 'macro', 'mega']
    """
    f = np.asarray(followers, dtype=np.float64)
    idx = np.searchsorted(np.asarray(TIER_BOUNDS, dtype=np.float64), f, side="right")
    out = np.asarray(TIER_NAMES, dtype=object)[np.minimum(idx, len(TIER_NAMES) - 1)]
    out[np.isnan(f)] = None
    return out
