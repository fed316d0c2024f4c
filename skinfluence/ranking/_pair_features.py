"""What a pair model sees of a pair (A, B): the feature modes, the signed log, and the
antisymmetric link from log-odds to probability."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit

__all__ = ["PAIR_FEATURES", "logistic", "pair_feature_names", "pair_features", "slog"]

#: Pair feature modes of :class:`PairwiseRanker` (the ``features`` parameter) and what
#: each builds from the features ``a`` of the first account and ``b`` of the second.
PAIR_FEATURES: dict[str, str] = {
    "item": "slog(a): each account's own features; the model is a difference u(A) - u(B)",
    "logdiff": "slog(a) - slog(b): log-differences",
    "ratio": "(a - b) / (|a| + |b|) (0 where both are 0): relative differences, 2a/(a+b) - 1",
    "raw": "a and b: the raw values of both sides",
}


def slog(x):
    """Signed log: ``sign(x) * log1p(|x|)``; ``log1p(x)`` for the usual non-negative counts."""
    return np.sign(x) * np.log1p(np.abs(x))


def logistic(margin):
    """P(A beats B) from the log-odds margin, exactly antisymmetric in floating point.

    ``p(-m) == 1 - p(m)`` holds bit for bit: the favourite's probability is computed
    (it lies in [0.5, 1], where ``1 - p`` is exact) and the underdog gets ``1 - p``.
    """
    favourite = expit(np.abs(margin))
    return np.where(margin >= 0, favourite, 1.0 - favourite)


def pair_features(first: np.ndarray, second: np.ndarray, modes: Sequence[str]) -> np.ndarray:
    """The blocks of ``modes`` (keys of :data:`PAIR_FEATURES`) side by side, for (first, second)."""
    blocks = []
    for mode in modes:
        if mode == "item":
            blocks.append(slog(first))
        elif mode == "logdiff":
            blocks.append(slog(first) - slog(second))
        elif mode == "ratio":
            scale = np.abs(first) + np.abs(second)
            with np.errstate(invalid="ignore", divide="ignore"):
                blocks.append(np.where(scale > 0, (first - second) / scale, 0.0))
        else:  # raw
            blocks.extend([first, second])
    return np.hstack(blocks)


def pair_feature_names(modes: Sequence[str], side_names, prefixes) -> np.ndarray:
    """Names of the columns :func:`pair_features` builds from per-account ``side_names``."""
    pa, pb = prefixes
    names = []
    for mode in modes:
        if mode == "raw":
            names += [pa + f for f in side_names]
            names += [pb + f for f in side_names]
        else:
            names += [f"{mode}({f})" for f in side_names]
    return np.asarray(names, dtype=object)
