"""Metrics of a growth ranking (who grows fastest next), and paired bootstrap intervals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import spearmanr
from sklearn.utils import check_random_state

from ._ranking import ndcg_at_k, precision_at_k

__all__ = ["bootstrap_interval", "emerging_hit_rate", "growth_ranking_scores"]


def _arrays(y_true, y_score, caller):
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_score = np.asarray(y_score, dtype=np.float64).ravel()
    if len(y_true) != len(y_score):
        raise ValueError(f"{caller}: y_true has {len(y_true)} rows but y_score has {len(y_score)}")
    if len(y_true) == 0:
        raise ValueError(f"{caller}: no rows to score")
    if not (np.isfinite(y_true).all() and np.isfinite(y_score).all()):
        raise ValueError(f"{caller}: y_true and y_score must be finite (drop or impute NaN first)")
    return y_true, y_score


def emerging_hit_rate(y_true, y_score, size, *, top=0.1):
    """Share of the predicted risers among the small accounts that are true top risers.

    Among the accounts below the median ``size`` (the list's smaller half), the
    positives are the ``top`` share with the highest realised growth
    (``ceil(top * n_small)`` of them); the score picks as many accounts of that
    half, those it ranks highest, and the hit rate is the share of them that
    are positives (R-precision). A random ranking scores ``top`` on average.

    Parameters
    ----------
    y_true : array-like of shape (n_accounts,)
        Realised growth.
    y_score : array-like of shape (n_accounts,)
        Predicted growth (any monotone score).
    size : array-like of shape (n_accounts,)
        Size at prediction time (e.g. followers at the cutoff).
    top : float in (0, 1), default=0.1
        Share of the small accounts that are "emerging".

    Returns
    -------
    hit_rate : float in [0, 1]

    Examples
    --------
    >>> from skinfluence.metrics import emerging_hit_rate
    >>> growth = [0.9, 0.1, 0.5, 0.0, 0.3, 0.2]
    >>> size = [1, 2, 3, 10, 20, 30]
    >>> emerging_hit_rate(growth, growth, size, top=0.3)
    1.0
    >>> emerging_hit_rate(growth, [0, 1, 0, 0, 0, 0], size, top=0.3)
    0.0
    """
    caller = "emerging_hit_rate"
    y_true, y_score = _arrays(y_true, y_score, caller)
    size = np.asarray(size, dtype=np.float64).ravel()
    if len(size) != len(y_true):
        raise ValueError(f"{caller}: size has {len(size)} rows but y_true has {len(y_true)}")
    if not 0 < top < 1:
        raise ValueError(f"{caller}: top must be in (0, 1); got {top!r}")
    small = np.flatnonzero(size < np.median(size))
    if len(small) == 0:
        raise ValueError(f"{caller}: no account is below the median size")
    m = int(np.ceil(top * len(small)))
    truth = small[np.argsort(-y_true[small], kind="stable")[:m]]
    picked = small[np.argsort(-y_score[small], kind="stable")[:m]]
    return float(len(np.intersect1d(truth, picked)) / m)


def growth_ranking_scores(y_true, y_score, size, *, k=50, top=0.1) -> dict[str, float]:
    """The scores of a growth ranking: Spearman, precision@k, NDCG@k, emerging hit rate.

    Parameters
    ----------
    y_true : array-like of shape (n_accounts,)
        Realised growth.
    y_score : array-like of shape (n_accounts,)
        Predicted growth.
    size : array-like of shape (n_accounts,)
        Size at prediction time, for :func:`emerging_hit_rate`.
    k : int, default=50
        Cut-off of precision@k (positives: the ``k`` accounts with the highest
        realised growth) and NDCG@k (gain: the realised growth's percentile
        rank in (0, 1]).
    top : float, default=0.1
        Share of small accounts that are emerging, for the hit rate.

    Returns
    -------
    scores : dict
        ``spearman``, ``precision_at_k``, ``ndcg_at_k`` and ``emerging_hit_rate``.

    Examples
    --------
    >>> from skinfluence.metrics import growth_ranking_scores
    >>> scores = growth_ranking_scores([0.3, 0.1, 0.2, 0.0], [3, 1, 2, 0], [1, 2, 3, 4], k=2, top=0.5)
    >>> {name: round(value, 3) for name, value in scores.items()}
    {'spearman': 1.0, 'precision_at_k': 1.0, 'ndcg_at_k': 1.0, 'emerging_hit_rate': 1.0}
    """
    y_true, y_score = _arrays(y_true, y_score, "growth_ranking_scores")
    n = len(y_true)
    order = np.argsort(-y_true, kind="stable")
    positive = np.zeros(n)
    positive[order[:k]] = 1.0
    qid = np.zeros(n)
    percentile = (np.argsort(np.argsort(y_true, kind="stable"), kind="stable") + 1.0) / n
    return {
        "spearman": float(spearmanr(y_true, y_score)[0]),
        "precision_at_k": float(precision_at_k(positive, y_score, qid=qid, k=k)),
        "ndcg_at_k": float(ndcg_at_k(percentile, y_score, qid=qid, k=k, gain="linear")),
        "emerging_hit_rate": emerging_hit_rate(y_true, y_score, size, top=top),
    }


def bootstrap_interval(
    metric: Callable[..., float],
    *arrays,
    baseline: np.ndarray | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state=None,
) -> tuple[float, float, float]:
    """A percentile bootstrap interval of a metric, or of its gain over a baseline score.

    Rows are resampled with replacement. With ``baseline``, each resample
    scores both the score (``arrays[1]``) and the baseline on the *same* rows
    and the interval is that of the difference (paired bootstrap): the score
    is ahead of the baseline beyond the interval when its lower end is > 0.

    Parameters
    ----------
    metric : callable
        ``metric(*arrays) -> float``, e.g. ``lambda y, s, size:
        growth_ranking_scores(y, s, size)["spearman"]``.
    *arrays : array-like of shape (n_rows,)
        The metric's arguments, ``y_true`` first and the score second.
    baseline : array-like of shape (n_rows,) or None, default=None
        A second score to compare with.
    n_resamples : int, default=1000
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : int, RandomState instance or None, default=None
        Seed of the resampling.

    Returns
    -------
    estimate, low, high : float
        The metric (or difference) on all rows and the interval's ends.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence.metrics import bootstrap_interval
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=300)
    >>> good, bad = y + rng.normal(size=300), rng.normal(size=300)
    >>> corr = lambda y, s: np.corrcoef(y, s)[0, 1]
    >>> estimate, low, high = bootstrap_interval(corr, y, good, baseline=bad, random_state=0)
    >>> bool(low > 0)
    True
    """
    arrays = [np.asarray(a) for a in arrays]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays) or (baseline is not None and len(baseline) != n):
        raise ValueError("bootstrap_interval: every array must have one value per row")
    rng = check_random_state(random_state)

    def value(idx):
        out = metric(*(a[idx] for a in arrays))
        if baseline is not None:
            swapped = [arrays[0][idx], np.asarray(baseline)[idx], *(a[idx] for a in arrays[2:])]
            out -= metric(*swapped)
        return out

    everything = np.arange(n)
    estimate = value(everything)
    draws = np.array([value(rng.randint(0, n, n)) for _ in range(n_resamples)])
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(draws, [alpha, 1 - alpha])
    return float(estimate), float(low), float(high)
