"""What every query ranker shares: per-row ``qid``, per-query ``score``, top-k lists.

A query ranker scores (query, candidate) rows, e.g. (brand, creator). Its contract:

- ``fit(X, y, qid=None)`` takes one query id per row. Rows may come in any order;
  the ranker groups them itself. ``qid`` is a fit parameter of its own, so
  scikit-learn's metadata routing splits it with the folds
  (``ranker.set_fit_request(qid=True)``), and ``GroupKFold(groups=qid)`` keeps each
  query's rows in one fold. When ``X`` is a :class:`QueryCandidates`, ``qid`` defaults
  to the query ids it carries.
- ``predict(X)`` returns one score per row, in the rows' order.
- ``score(X, y, qid=None)`` is the mean NDCG@10 over queries. Without query ids it
  raises instead of ranking a whole fold as one list.
- ``top_k(X, k)`` gives each query's best candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import ndcg_at_k
from ._queries import QueryCandidates

__all__ = ["QueryRankerMixin"]


class QueryRankerMixin:
    """Mixin of the query rankers (goes left of ``BaseEstimator``)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.queries = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags

    def _qid(self, X, qid, caller, *, required):
        """The per-row query ids: given, carried by X, or (not required) one query."""
        n = len(X) if isinstance(X, QueryCandidates) else np.asarray(X).shape[0]
        if qid is None and isinstance(X, QueryCandidates):
            qid = X.qid
        if qid is None:
            if required:
                raise ValueError(
                    f"{type(self).__name__}.{caller} needs qid, the query id of each row: "
                    "scoring a ranking pools nothing across queries. Pass qid=..., or X as "
                    "a QueryCandidates (which carries them); in GridSearchCV/cross_validate, "
                    "enable metadata routing and call set_score_request(qid=True)"
                )
            return np.zeros(n, dtype=np.int64)
        qid = np.asarray(qid)
        if qid.shape != (n,):
            raise ValueError(
                f"{type(self).__name__}.{caller}: qid must have one id per row of X ({n}); "
                f"got shape {qid.shape}"
            )
        if qid.dtype.kind == "f" and np.isnan(qid).any():
            raise ValueError(
                f"{type(self).__name__}.{caller}: qid is missing (NaN) at row "
                f"{int(np.flatnonzero(np.isnan(qid))[0])}"
            )
        return qid

    def score(self, X, y, qid=None, sample_weight=None):
        """Mean NDCG@10 (exponential gain) over the queries of ``X``.

        Parameters
        ----------
        X : QueryCandidates or array-like of shape (n_rows, n_features)
            The rows to score.
        y : array-like of shape (n_rows,)
            Graded relevance (>= 0) of each row.
        qid : array-like of shape (n_rows,), default=None
            Query id of each row; defaults to the ids carried by a QueryCandidates
            ``X``. Required otherwise.
        sample_weight : array-like of shape (n_rows,), default=None
            Row weights; a query weighs the mean weight of its rows.

        Returns
        -------
        score : float
            Weighted mean NDCG@10 over queries with a positive relevance.
        """
        scores = self.predict(X)  # validates X first
        qid = self._qid(X, qid, "score", required=True)
        per_query = ndcg_at_k(np.asarray(y, dtype=float), scores, qid=qid, k=10, per_query=True)
        if sample_weight is None:
            weights = np.ones(len(per_query))
        else:
            _, codes = np.unique(qid, return_inverse=True)
            sw = np.asarray(sample_weight, dtype=float)
            weights = np.bincount(codes, weights=sw) / np.bincount(codes)
        defined = ~np.isnan(per_query)
        if not defined.any():
            return float("nan")
        return float(np.average(per_query[defined], weights=weights[defined]))

    def top_k(self, X, k=10, qid=None):
        """Each query's ``k`` best-scored rows.

        Parameters
        ----------
        X : QueryCandidates or array-like of shape (n_rows, n_features)
            Candidate rows of one or more queries.
        k : int, default=10
            How many candidates per query.
        qid : array-like of shape (n_rows,), default=None
            Query id of each row (default: carried by a QueryCandidates ``X``).

        Returns
        -------
        top : DataFrame
            Columns ``query``, ``rank`` (1-based), ``row`` (position in ``X``),
            ``score``, and ``candidate`` (its id) for a QueryCandidates ``X``; sorted
            by query and rank. Ties keep row order.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"top_k: k must be a positive integer; got {k!r}")
        qid = self._qid(X, qid, "top_k", required=True)
        scores = np.asarray(self.predict(X), dtype=float)
        frame = pd.DataFrame({"query": qid, "row": np.arange(len(qid)), "score": scores})
        frame = frame.sort_values(["query", "score", "row"], ascending=[True, False, True],
                                  kind="stable")
        frame["rank"] = frame.groupby("query", sort=False).cumcount() + 1
        frame = frame[frame["rank"] <= k]
        if isinstance(X, QueryCandidates):
            frame["candidate"] = X.candidate_ids[X.candidate_index[frame["row"].to_numpy()]]
        return frame[["query", "rank", "row", "score"]
                     + (["candidate"] if "candidate" in frame else [])].reset_index(drop=True)


def grades(y, qid, n_grades):
    """Integer relevance grades for learning-to-rank objectives.

    Non-negative integers up to 30 are kept; any other target (competence scores,
    negative values) becomes ``n_grades`` levels by its rank within its query: the
    best ``1/n_grades`` of a query's rows get ``n_grades - 1``, and so on.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        Relevance or competence.
    qid : ndarray of shape (n_rows,)
        Query ids.
    n_grades : int
        Levels for non-integer targets.

    Returns
    -------
    grades : ndarray of int32
    """
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"y must be finite; row {bad} has {y[bad]}")
    if (y >= 0).all() and (y == np.round(y)).all() and y.max(initial=0) <= 30:
        return y.astype(np.int32)
    frame = pd.DataFrame({"q": qid, "y": y})
    pct = frame.groupby("q")["y"].rank(method="average", pct=True).to_numpy()
    return np.clip(np.ceil(pct * n_grades - 1e-9) - 1, 0, n_grades - 1).astype(np.int32)
