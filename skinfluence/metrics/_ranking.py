"""Per-query ranking metrics over ragged queries in any row order.

Every metric takes one row per (query, candidate) pair: ``y_true`` (relevance),
``y_score`` (the model's score) and ``qid`` (the query each row belongs to, e.g. the
brand). Rows may come in any order and queries may have any number of candidates. A
metric is computed per query and then averaged over queries (``per_query=True``
returns the per-query values instead). Everything is vectorised: one sort of all
rows, then ``np.bincount`` / ``reduceat`` over query segments; no Python loop over
queries.

Policies, the same for every metric:

- **Positives** are the rows with ``y_true > 0`` (graded relevance counts as relevant
  when positive). NDCG uses the grades themselves.
- **Ties** in ``y_score``: the rank-based metrics (recall, precision, reciprocal rank,
  median rank) break ties by row order within a query, the first row ranking higher,
  as the scripts of Gan et al. (MM 2019) do; with continuous scores ties do not
  occur. NDCG averages the gain over tied rows, as ``sklearn.metrics.ndcg_score``
  does, so it does not depend on row order. AUC counts a tied (positive, negative)
  pair as half a win, as ``sklearn.metrics.roc_auc_score`` does.
- **Queries where a metric is undefined** (no positive; for AUC also no negative;
  for NDCG all relevances zero) are left out of the average, and ``per_query=True``
  gives them ``nan``. If no query defines the metric the result is ``nan`` with a
  :class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

__all__ = [
    "category_auc",
    "mean_reciprocal_rank",
    "median_rank",
    "ndcg_at_k",
    "precision_at_k",
    "query_auc",
    "recall_at_k",
]


class _Queries:
    """Rows grouped by query and sorted by descending score (stable within ties)."""

    def __init__(self, y_true, y_score, qid, caller):
        y_true = _as_1d(y_true, "y_true", caller)
        y_score = _as_1d(y_score, "y_score", caller)
        if qid is None:
            raise ValueError(
                f"{caller} needs qid, one query id per row (e.g. the brand of each "
                "(brand, creator) row): ranking metrics are computed per query and "
                "averaged; pooling all rows into one list would rank candidates of "
                "different queries against each other. In GridSearchCV/cross_validate, "
                "enable metadata routing (sklearn.set_config(enable_metadata_routing=True)) "
                "and pass qid to fit; skinfluence's scorers request it."
            )
        qid = np.asarray(qid)
        if qid.ndim != 1:
            raise ValueError(f"{caller}: qid must be 1-D, one id per row; got shape {qid.shape}")
        n = len(y_true)
        for name, arr in (("y_score", y_score), ("qid", qid)):
            if len(arr) != n:
                raise ValueError(
                    f"{caller}: y_true has {n} rows but {name} has {len(arr)}; "
                    "give one value per (query, candidate) row"
                )
        if n == 0:
            raise ValueError(f"{caller}: no rows to score")
        if not np.isfinite(y_score).all():
            bad = int(np.flatnonzero(~np.isfinite(y_score))[0])
            raise ValueError(f"{caller}: y_score has a non-finite value at row {bad}")
        if np.isnan(y_true).any():
            bad = int(np.flatnonzero(np.isnan(y_true))[0])
            raise ValueError(f"{caller}: y_true is missing (NaN) at row {bad}")
        if (y_true < 0).any():
            bad = int(np.flatnonzero(y_true < 0)[0])
            raise ValueError(
                f"{caller}: y_true must be a non-negative relevance; row {bad} has {y_true[bad]}"
            )
        self.ids, codes = _query_codes(qid)
        self.n_queries = len(self.ids)
        # descending score (stable: tied scores keep their row order, the first row
        # ranking higher), then a stable regroup by query
        by_score = np.argsort(-y_score, kind="stable")
        self.order = by_score[_stable_group(codes[by_score], self.n_queries)]
        self.codes = codes[self.order]
        self.y = y_true[self.order]
        self.score = y_score[self.order]
        sizes = np.bincount(codes, minlength=self.n_queries)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.sizes = sizes
        self.rank = np.arange(n) - self.offsets[self.codes] + 1  # 1-based within query
        self.pos = self.y > 0
        self.n_pos = np.bincount(self.codes, weights=self.pos, minlength=self.n_queries)

    def per_query_sum(self, values):
        return np.bincount(self.codes, weights=values, minlength=self.n_queries)

    def first_positive_rank(self):
        """Rank of each query's best-ranked positive (inf without a positive)."""
        ranks = np.where(self.pos, self.rank, np.inf)
        return np.minimum.reduceat(ranks, self.offsets[:-1])


def _query_codes(qid):
    """Sorted distinct query ids and each row's code (its position among them).

    Integer ids in a compact range are coded by a lookup table instead of a sort.
    """
    if qid.dtype.kind in "iu" and len(qid):
        lo, hi = int(qid.min()), int(qid.max())
        if hi - lo <= 4 * len(qid):
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[qid - lo] = True
            lookup = np.cumsum(present) - 1
            return np.flatnonzero(present) + lo, lookup[qid - lo]
    return np.unique(qid, return_inverse=True)


def _stable_group(codes, n_codes):
    """Stable order that groups rows by code; small codes take numpy's radix sort."""
    code_type = np.uint16 if n_codes <= 2**16 else np.int64
    return np.argsort(codes.astype(code_type, copy=False), kind="stable")


def _as_1d(values, name, caller):
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{caller}: {name} must be 1-D, one value per row; got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{caller}: {name} must be numeric; got dtype {arr.dtype}")
    return arr.astype(float, copy=False)


def _check_k(k, caller):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{caller}: k must be a positive integer; got {k!r}")
    return int(k)


def _finish(values, per_query, caller, reduce=np.mean):
    values = np.asarray(values, dtype=float)
    if per_query:
        return values
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        warnings.warn(
            f"{caller}: no query defines this metric (e.g. none has a positive row); "
            "returning nan",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    return float(reduce(defined))


def _undefined_without_positive(q, values):
    return np.where(q.n_pos > 0, values, np.nan)


def recall_at_k(y_true, y_score, *, qid, k=10, per_query=False):
    """Share of each query's positives ranked in its top ``k``, averaged over queries.

    MIR's R@k (Gan et al., MM 2019).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each (query, candidate) row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row; higher ranks first.
    qid : array-like of shape (n_rows,)
        Query id of each row. Rows may come in any order.
    k : int, default=10
        Cut-off rank.
    per_query : bool, default=False
        Return one value per query (sorted by query id; ``nan`` for a query without
        positives) instead of the mean.

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        The mean over queries with at least one positive, or the per-query values.

    Examples
    --------
    >>> from skinfluence.metrics import recall_at_k
    >>> recall_at_k([1, 0, 1, 0, 1], [0.9, 0.8, 0.1, 0.5, 0.3], qid=[0, 0, 0, 1, 1], k=1)
    0.25
    """
    caller = "recall_at_k"
    k = _check_k(k, caller)
    q = _Queries(y_true, y_score, qid, caller)
    hits = q.per_query_sum(q.pos & (q.rank <= k))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = _undefined_without_positive(q, hits / q.n_pos)
    return _finish(values, per_query, caller)


def precision_at_k(y_true, y_score, *, qid, k=10, per_query=False):
    """Share of positives among each query's top ``k`` rows, averaged over queries.

    The denominator is ``k`` even when a query has fewer than ``k`` candidates.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    k : int, default=10
        Cut-off rank.
    per_query : bool, default=False
        Return one value per query instead of the mean.

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Mean precision@k over queries with at least one positive.

    Examples
    --------
    >>> from skinfluence.metrics import precision_at_k
    >>> precision_at_k([1, 0, 1, 0, 1], [0.9, 0.8, 0.1, 0.5, 0.3], qid=[0, 0, 0, 1, 1], k=2)
    0.5
    """
    caller = "precision_at_k"
    k = _check_k(k, caller)
    q = _Queries(y_true, y_score, qid, caller)
    hits = q.per_query_sum(q.pos & (q.rank <= k))
    values = _undefined_without_positive(q, hits / k)
    return _finish(values, per_query, caller)


def mean_reciprocal_rank(y_true, y_score, *, qid, per_query=False):
    """Mean over queries of 1 / (rank of the query's best-ranked positive).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    per_query : bool, default=False
        Return the reciprocal rank of each query instead of the mean.

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Mean reciprocal rank over queries with at least one positive.

    Examples
    --------
    >>> from skinfluence.metrics import mean_reciprocal_rank
    >>> mean_reciprocal_rank([0, 1, 0, 1], [0.9, 0.8, 0.1, 0.5], qid=[0, 0, 1, 1])
    0.75
    """
    caller = "mean_reciprocal_rank"
    q = _Queries(y_true, y_score, qid, caller)
    with np.errstate(divide="ignore"):
        values = _undefined_without_positive(q, 1.0 / q.first_positive_rank())
    return _finish(values, per_query, caller)


def median_rank(y_true, y_score, *, qid, per_query=False):
    """MIR's MedR: the median over queries of the rank of each query's best positive.

    Ranks are 1-based. This is the median over *queries*, not over all positives,
    as Gan et al.'s scripts compute it. Lower is better.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    per_query : bool, default=False
        Return each query's best positive rank instead of the median.

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Median rank over queries with at least one positive.

    Examples
    --------
    >>> from skinfluence.metrics import median_rank
    >>> median_rank([0, 1, 0, 1, 1, 0], [0.9, 0.8, 0.1, 0.5, 0.3, 0.4], qid=[0, 0, 1, 1, 2, 2])
    2.0
    """
    caller = "median_rank"
    q = _Queries(y_true, y_score, qid, caller)
    values = _undefined_without_positive(q, q.first_positive_rank())
    return _finish(values, per_query, caller, reduce=np.median)


def ndcg_at_k(y_true, y_score, *, qid, k=10, gain="exponential", per_query=False):
    """Normalised discounted cumulative gain of each query's top ``k``, averaged.

    DCG@k = sum over the top ``k`` positions p (1-based) of gain(rel) / log2(p + 1);
    NDCG divides it by the DCG of the ideal order. Tied scores share their gain
    evenly (as ``sklearn.metrics.ndcg_score`` does), so the value does not depend on
    row order. With ``gain="linear"`` each query's value equals
    ``sklearn.metrics.ndcg_score([rel], [score], k=k)``.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Non-negative graded relevance of each row.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    k : int or None, default=10
        Cut-off rank; ``None`` uses every candidate of the query.
    gain : {"exponential", "linear"}, default="exponential"
        ``2**rel - 1`` (the usual learning-to-rank gain) or ``rel``.
    per_query : bool, default=False
        Return one value per query (``nan`` when its relevances are all zero).

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Mean NDCG@k over queries with a positive relevance.

    Examples
    --------
    >>> from skinfluence.metrics import ndcg_at_k
    >>> round(ndcg_at_k([3, 2, 0, 1], [0.1, 0.9, 0.3, 0.5], qid=[7, 7, 7, 7], k=2), 4)
    0.4083
    """
    caller = "ndcg_at_k"
    if k is not None:
        k = _check_k(k, caller)
    if gain not in ("exponential", "linear"):
        raise ValueError(f"{caller}: gain must be 'exponential' or 'linear'; got {gain!r}")
    q = _Queries(y_true, y_score, qid, caller)
    g = np.expm1(q.y * np.log(2.0)) if gain == "exponential" else q.y
    cutoff = np.inf if k is None else k
    discount = np.where(q.rank <= cutoff, 1.0 / np.log2(q.rank + 1.0), 0.0)
    # tie runs: consecutive rows of one query with the same score share their gain
    new_run = np.ones(len(q.y), dtype=bool)
    new_run[1:] = (q.codes[1:] != q.codes[:-1]) | (q.score[1:] != q.score[:-1])
    run = np.cumsum(new_run) - 1
    run_size = np.bincount(run)
    run_gain = np.bincount(run, weights=g) / run_size
    run_discount = np.bincount(run, weights=discount)
    run_query = q.codes[new_run]
    dcg = np.bincount(run_query, weights=run_gain * run_discount, minlength=q.n_queries)
    # ideal order: by descending relevance within each query
    by_rel = np.argsort(-q.y, kind="stable")
    ideal = by_rel[_stable_group(q.codes[by_rel], q.n_queries)]
    idcg = q.per_query_sum(g[ideal] * discount)  # rank/discount of a sorted position
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(idcg > 0, dcg / idcg, np.nan)
    return _finish(values, per_query, caller)


def _auc_per_query(q, keep):
    """Mann-Whitney AUC per query over the rows in ``keep`` (a mask on sorted rows).

    The rows are already sorted by descending score within each query, so a row's
    ascending position among its query's kept rows is ``kept - (kept rank) + 1``;
    tied scores share their mid-position. No further sort is needed.
    """
    n_q = q.n_queries
    codes, score, pos = q.codes[keep], q.score[keep], q.pos[keep]
    sizes = np.bincount(codes, minlength=n_q)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    desc_rank = np.arange(len(codes)) - offsets[codes] + 1
    position = sizes[codes] - desc_rank + 1.0
    new_run = np.ones(len(codes), dtype=bool)
    new_run[1:] = (codes[1:] != codes[:-1]) | (score[1:] != score[:-1])
    run = np.cumsum(new_run) - 1
    mid = (np.bincount(run, weights=position) / np.bincount(run))[run]
    n_pos = np.bincount(codes, weights=pos, minlength=n_q)
    n_neg = sizes - n_pos
    rank_sum = np.bincount(codes, weights=mid * pos, minlength=n_q)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def query_auc(y_true, y_score, *, qid, per_query=False):
    """Area under the ROC curve of each query's candidates, averaged over queries.

    The probability that a positive row of a query scores above a negative row of
    the same query (ties count one half). Gan et al. report an AUC over sampled
    pairs of (brand, creator) comparisons; their pair list is not public, and the
    per-query AUC averaged over queries is the usual reading of it.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    per_query : bool, default=False
        Return one AUC per query (``nan`` without both a positive and a negative).

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Mean AUC over queries that have both positives and negatives.

    Examples
    --------
    >>> from skinfluence.metrics import query_auc
    >>> query_auc([1, 0, 0, 0, 1, 0], [0.9, 0.8, 0.1, 0.5, 0.3, 0.4], qid=[0, 0, 0, 1, 1, 1])
    0.5
    """
    caller = "query_auc"
    q = _Queries(y_true, y_score, qid, caller)
    values = _auc_per_query(q, slice(None))
    return _finish(values, per_query, caller)


def category_auc(y_true, y_score, *, qid, same_category, per_query=False):
    """MIR's cAUC: per-query AUC with negatives restricted to the query's category.

    Positives are kept whatever their category; a negative counts only when its
    candidate belongs to the query's category (e.g. a clothing brand's negatives are
    other creators of clothing), which makes the task harder than :func:`query_auc`.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each row; rows with ``y_true > 0`` are positives.
    y_score : array-like of shape (n_rows,)
        Predicted score of each row.
    qid : array-like of shape (n_rows,)
        Query id of each row.
    same_category : array-like of bool, shape (n_rows,)
        Whether the row's candidate is of the query's category.
    per_query : bool, default=False
        Return one value per query instead of the mean.

    Returns
    -------
    score : float or ndarray of shape (n_queries,)
        Mean category AUC over queries with a positive and an in-category negative.

    Examples
    --------
    >>> from skinfluence.metrics import category_auc
    >>> category_auc([1, 0, 0], [0.5, 0.9, 0.1], qid=[0, 0, 0],
    ...              same_category=[True, False, True])
    1.0
    """
    caller = "category_auc"
    q = _Queries(y_true, y_score, qid, caller)
    same = np.asarray(same_category)
    if same.shape != (len(q.order),) or same.dtype.kind != "b":
        raise ValueError(
            f"{caller}: same_category must be a boolean array with one value per row "
            f"({len(q.order)}); got dtype {same.dtype} and shape {same.shape}"
        )
    same = same[q.order]
    values = _auc_per_query(q, q.pos | same)
    return _finish(values, per_query, caller)
