"""Account identities and Bradley-Terry strengths for :class:`PairwiseRanker`.

Private helpers: turning the two sides of a pair table into account codes
(explicit ids, or identical feature vectors), looking accounts up in a fitted
model, and the ridge-regularised Bradley-Terry fit of per-account strengths
around an offset (the feature model's out-of-fold margins).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..utils._safe_state import portable_state, restore_state

__all__ = ["AccountIndex", "distinct_rows", "fit_strengths"]

# odd 64-bit multipliers of the row hash (fixed: the order of distinct rows must not vary)
_HASH_MULTIPLIERS = np.random.default_rng(20130401).integers(
    1, 2**63 - 1, size=4096, dtype=np.uint64) | np.uint64(1)


def _canonical(rows: np.ndarray) -> np.ndarray:
    # +0.0 turns -0.0 into 0.0, so that equal values compare (and sort) equal
    return np.ascontiguousarray(rows, dtype=np.float64) + 0.0


def distinct_rows(rows):
    """The distinct rows of a finite float matrix, in a canonical order, and the inverse.

    Rows are hashed (their float64 bits, mixed by fixed odd multipliers) and sorted by
    hash, so the same set of rows always comes back in the same order wherever the rows
    sit in the input. This is much faster than ``np.unique(axis=0)``, which it falls back
    to if two different rows share a hash.

    Returns
    -------
    distinct : ndarray of shape (n_distinct, n_columns)
    inverse : ndarray of shape (n_rows,)
        ``distinct[inverse]`` equals ``rows``.
    """
    rows = _canonical(rows)
    if rows.shape[1] > len(_HASH_MULTIPLIERS) or len(rows) == 0:
        distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
        return distinct, inverse.reshape(-1)
    bits = rows.view(np.uint64)
    with np.errstate(over="ignore"):
        mixed = bits * _HASH_MULTIPLIERS[: rows.shape[1]]
        mixed ^= mixed >> np.uint64(29)
        hashes = np.bitwise_xor.reduce(mixed * _HASH_MULTIPLIERS[-rows.shape[1]:], axis=1)
    keys, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    distinct = rows[first]
    if not np.array_equal(distinct[inverse], rows):  # a hash collision: exact fallback
        distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    return distinct, inverse.reshape(-1)


class AccountIndex:
    """The distinct accounts of a training pair table, and look-ups into them.

    Accounts are identified either by explicit ids (any hashable values) or,
    when none are given, by their feature vectors: two sides with identical
    values on every feature are the same account.

    Parameters
    ----------
    sides : ndarray of shape (n_appearances, n_side_features)
        The raw per-side features of every appearance (A rows then B rows).
    ids : array-like of shape (n_appearances,) or None
        Explicit account ids of the appearances, or None to derive them.
    """

    def __init__(self, sides, ids=None):
        if ids is None:
            self.by_id = False
            self.keys, codes = distinct_rows(sides)
        else:
            import pandas as pd

            self.by_id = True
            codes, uniques = pd.factorize(np.asarray(ids, dtype=object))
            self.keys = pd.Index(uniques)
        self.codes = np.asarray(codes, dtype=np.intp).reshape(-1)

    def __len__(self) -> int:
        return len(self.keys)

    def __getstate__(self):
        # plain data for a safe (skops) file: the keys' pandas Index as numpy
        return portable_state(dict(self.__dict__))

    def __setstate__(self, state):
        self.__dict__.update(restore_state(dict(state)))

    def lookup(self, sides=None, ids=None) -> np.ndarray:
        """Index of each queried account among the fitted ones, -1 for an unseen account."""
        if self.by_id:
            import pandas as pd

            return np.asarray(self.keys.get_indexer(pd.Index(np.asarray(ids, dtype=object))),
                              dtype=np.intp)
        n = len(self.keys)
        _, inverse = distinct_rows(np.vstack([self.keys, sides]))
        position = np.full(inverse.max() + 1, -1, dtype=np.intp)
        position[inverse[:n]] = np.arange(n)
        return position[inverse[n:]]


def fit_strengths(code_a, code_b, y, offset, sample_weight, alpha, n_accounts):
    """Ridge Bradley-Terry: per-account strengths around an offset.

    Minimises ``sum_k w_k * logloss(y_k, offset_k + s[a_k] - s[b_k]) + alpha / 2 * |s|^2``,
    i.e. the MAP estimate under a Gaussian prior ``s ~ N(0, 1 / alpha)`` centred on
    the feature model (the offset). Accounts without pairs keep strength 0.

    Returns
    -------
    strengths : ndarray of shape (n_accounts,)
    """
    from scipy import sparse
    from scipy.optimize import minimize

    n = len(y)
    rows = np.arange(n)
    design = sparse.csr_matrix(
        (np.r_[np.ones(n), -np.ones(n)], (np.r_[rows, rows], np.r_[code_a, code_b])),
        shape=(n, n_accounts),
    )
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    def loss_and_grad(s):
        margin = offset + design @ s
        loss = np.sum(weight * (np.logaddexp(0.0, margin) - y * margin)) + 0.5 * alpha * (s @ s)
        grad = design.T @ (weight * (expit(margin) - y)) + alpha * s
        return loss, grad

    result = minimize(loss_and_grad, np.zeros(n_accounts), jac=True, method="L-BFGS-B",
                      options={"maxiter": 2000, "gtol": 1e-8})
    return result.x
