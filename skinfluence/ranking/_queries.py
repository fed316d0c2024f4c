"""The data contract of query rankers: (query, candidate) rows over shared account tables.

A brand-to-creator ranking task has few accounts and many pairs: 287 brands x 3,079
creators is 883,673 rows, but only 3,366 accounts. :class:`QueryCandidates` stores
each account's features once (pooled vectors, or ragged per-post features for
models that pool histories themselves) and each row as two integers (the query's and
the candidate's position in those tables), so memory grows with the number of
accounts, not with pairs x features.

The container is what scikit-learn's splitters expect of ``X``: ``len``, ``shape``
and integer-array indexing select rows and share the account tables, so
``GroupKFold`` (split by ``qid``) and ``GridSearchCV`` split it by query without
copying features.

:func:`make_queries` builds ``X``, ``y`` and ``qid`` from the account tables and a
table of (query, candidate, relevance) rows, or the full grid of every query
against every candidate.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

__all__ = ["QueryCandidates", "make_queries", "pool_store"]


def _is_ragged(store) -> bool:
    return hasattr(store, "offsets") and hasattr(store, "values") and hasattr(store, "mask")


def _n_accounts(store) -> int:
    return len(store.offsets) - 1 if _is_ragged(store) else len(store)


def pool_store(store, how="mean", *, weight=None):
    """One vector per account from a store: pooled vectors pass through unchanged.

    Parameters
    ----------
    store : ndarray of shape (n_accounts, n_features) or PostFeatures
        Pooled vectors, or per-post features (``values``, ``offsets``, ``mask``).
    how : {"mean", "weighted"}, default="mean"
        Mean over the account's valid posts, or a mean weighted by the per-post
        extra named ``weight`` (e.g. ``log1p`` engagement).
    weight : str or None, default=None
        The per-post extra used by ``how="weighted"``.

    Returns
    -------
    pooled : ndarray of shape (n_accounts, n_features), float32
        Accounts without a valid post get zeros.
    """
    if not _is_ragged(store):
        return np.asarray(store, dtype=np.float32)
    values, offsets, mask = store.values, store.offsets, store.mask
    w = mask.astype(np.float64)
    if how == "weighted":
        if weight is None or weight not in store.extras:
            raise ValueError(
                f"weighted pooling needs the per-post extra {weight!r}; the posts carry "
                f"{sorted(store.extras)}"
            )
        extra = np.asarray(store.extras[weight], dtype=np.float64)
        if not np.isfinite(extra).all() or (extra < 0).any():
            bad = int(np.flatnonzero(~np.isfinite(extra) | (extra < 0))[0])
            raise ValueError(
                f"weighted pooling: the per-post weight {weight!r} must be finite and >= 0; "
                f"post {bad} has {extra[bad]}"
            )
        w = w * extra
    elif how != "mean":
        raise ValueError(f"pooling must be 'mean' or 'weighted'; got {how!r}")
    n = len(offsets) - 1
    sizes = np.diff(offsets)
    total = np.zeros(n)
    out = np.zeros((n, values.shape[1]), dtype=np.float64)
    # reduceat over the starts of non-empty accounts only: an empty account's start
    # equals the next start, so each segment still ends where its account ends
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty):
        total[nonempty] = np.add.reduceat(w, offsets[nonempty])
        weighted = values.astype(np.float64) * w[:, None]
        out[nonempty] = np.add.reduceat(weighted, offsets[nonempty], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total[:, None] > 0, out / total[:, None], 0.0)
    return out.astype(np.float32)


def _check_finite(store, side, modality):
    """Raise a ValueError naming the side, modality and account of a non-finite feature."""
    values = np.asarray(store.values if _is_ragged(store) else store)
    if values.ndim != 2:
        raise ValueError(f"{side}[{modality!r}] must be 2-D (accounts or posts x features); got "
                         f"shape {values.shape}")
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{side}[{modality!r}] must be numeric; got dtype {values.dtype}")
    finite = np.isfinite(values).all(axis=1)
    if _is_ragged(store):
        finite |= ~np.asarray(store.mask, dtype=bool)  # masked-out posts are not read
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        where = f"account {row}"
        if _is_ragged(store):
            account = int(np.searchsorted(np.asarray(store.offsets), row, side="right") - 1)
            where = f"post {row} (account {account})"
        raise ValueError(
            f"{side}[{modality!r}] has a NaN or infinite feature at {where} "
            f"({int((~finite).sum())} row(s) in all); features must be finite. Fill them, or "
            "for per-post features mask the post out"
        )


class QueryCandidates:
    """Rows of (query, candidate) pairs that point into shared account tables.

    Parameters
    ----------
    queries : dict of str -> ndarray or PostFeatures
        Features of the query accounts (e.g. brands), one entry per modality
        (``{"text": ..., "image": ...}``): an ``(n_queries, d)`` array of pooled
        vectors or a ragged :class:`~skinfluence.PostFeatures` of their posts.
    candidates : dict of str -> ndarray or PostFeatures
        Features of the candidate accounts (e.g. creators), the same modalities.
    query_index : array-like of int, shape (n_rows,)
        Row -> position of its query in ``queries``.
    candidate_index : array-like of int, shape (n_rows,)
        Row -> position of its candidate in ``candidates``.
    query_ids : array-like of shape (n_query_accounts,), default=None
        Ids of the query accounts (default: positions).
    candidate_ids : array-like of shape (n_candidate_accounts,), default=None
        Ids of the candidate accounts (default: positions).

    Attributes
    ----------
    qid : ndarray of shape (n_rows,)
        The query id of each row (``query_ids[query_index]``).
    shape : tuple of int
        ``(n_rows,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence.ranking import QueryCandidates
    >>> X = QueryCandidates({"text": np.eye(2)}, {"text": np.ones((3, 2))},
    ...                     query_index=[0, 0, 1], candidate_index=[0, 2, 1],
    ...                     query_ids=["nike", "lego"])
    >>> len(X), X.qid.tolist(), X[[2]].candidate_index.tolist()
    (3, ['nike', 'nike', 'lego'], [1])
    """

    def __init__(self, queries, candidates, query_index, candidate_index, *, query_ids=None,
                 candidate_ids=None):
        if not isinstance(queries, dict) or not queries:
            raise TypeError("queries must be a non-empty dict: modality name -> features")
        if not isinstance(candidates, dict) or set(candidates) != set(queries):
            raise ValueError(
                f"candidates must be a dict with the same modalities as queries {sorted(queries)}; "
                f"got {sorted(candidates) if isinstance(candidates, dict) else type(candidates)}"
            )
        self.queries = queries
        self.candidates = candidates
        n_q = {m: _n_accounts(s) for m, s in queries.items()}
        n_c = {m: _n_accounts(s) for m, s in candidates.items()}
        if len(set(n_q.values())) != 1 or len(set(n_c.values())) != 1:
            raise ValueError(
                "every modality must hold the same accounts: query accounts per modality "
                f"{n_q}, candidate accounts per modality {n_c}"
            )
        self.n_query_accounts = next(iter(n_q.values()))
        self.n_candidate_accounts = next(iter(n_c.values()))
        for side, stores in (("queries", queries), ("candidates", candidates)):
            for modality, store in stores.items():
                _check_finite(store, side, modality)
        self.query_index = self._check_index(query_index, self.n_query_accounts, "query_index")
        self.candidate_index = self._check_index(candidate_index, self.n_candidate_accounts,
                                                 "candidate_index")
        if len(self.query_index) != len(self.candidate_index):
            raise ValueError(
                f"query_index has {len(self.query_index)} rows but candidate_index has "
                f"{len(self.candidate_index)}"
            )
        self.query_ids = self._check_ids(query_ids, self.n_query_accounts, "query_ids")
        self.candidate_ids = self._check_ids(candidate_ids, self.n_candidate_accounts,
                                             "candidate_ids")

    @staticmethod
    def _check_index(index, n, name):
        index = np.asarray(index)
        if index.ndim != 1 or (index.size and index.dtype.kind not in "iu"):
            raise ValueError(f"{name} must be a 1-D integer array; got {index.dtype} {index.shape}")
        index = index.astype(np.int64, copy=False)
        if index.size and (index.min() < 0 or index.max() >= n):
            bad = int(np.flatnonzero((index < 0) | (index >= n))[0])
            raise ValueError(f"{name}[{bad}] = {index[bad]} is not an account position in 0..{n - 1}")
        return index

    @staticmethod
    def _check_ids(ids, n, name):
        if ids is None:
            return np.arange(n)
        ids = np.asarray(ids)
        if ids.shape != (n,):
            raise ValueError(f"{name} must have one id per account ({n}); got shape {ids.shape}")
        return ids

    # ---------------------------------------------------------------- rows
    def __len__(self) -> int:
        return len(self.query_index)

    @property
    def shape(self) -> tuple[int]:
        return (len(self),)

    @property
    def qid(self) -> np.ndarray:
        return self.query_ids[self.query_index]

    @property
    def modalities(self) -> list[str]:
        return list(self.queries)

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            key = [key]
        rows = np.arange(len(self))[key]
        # a row subset shares the checked account tables and ids: nothing to validate again
        subset = copy.copy(self)
        subset.query_index = self.query_index[rows]
        subset.candidate_index = self.candidate_index[rows]
        return subset

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "QueryCandidates has no array form: its rows point into account tables. "
            "Use a skinfluence query ranker, or QueryCandidates.pair_features() for an "
            "explicit (n_rows, n_features) matrix"
        )

    def pooled(self, how="mean", *, weight=None):
        """Pooled account vectors of both sides, modalities concatenated.

        Parameters
        ----------
        how : {"mean", "weighted"}, default="mean"
            How ragged histories are pooled (see :func:`pool_store`).
        weight : str or None, default=None
            Per-post extra for ``how="weighted"``.

        Returns
        -------
        queries : ndarray of shape (n_query_accounts, n_features)
        candidates : ndarray of shape (n_candidate_accounts, n_features)
        """
        q = np.hstack([pool_store(self.queries[m], how, weight=weight) for m in self.modalities])
        c = np.hstack([pool_store(self.candidates[m], how, weight=weight)
                       for m in self.modalities])
        return q, c

    def cosine(self, how="mean", *, weight=None):
        """Cosine similarity of each row's pooled query and candidate vectors.

        The untrained baseline of a query ranker (SBR-style in Gan et al.): no
        model, the modalities concatenated after pooling.

        Parameters
        ----------
        how : {"mean", "weighted"}, default="mean"
            How ragged histories are pooled (see :func:`pool_store`).
        weight : str or None, default=None
            Per-post extra for ``how="weighted"``.

        Returns
        -------
        similarity : ndarray of shape (n_rows,)
            In [-1, 1]; 0 for a row whose query or candidate has no valid post.

        Examples
        --------
        >>> import numpy as np
        >>> from skinfluence.ranking import QueryCandidates
        >>> X = QueryCandidates({"text": np.array([[1.0, 0.0]])},
        ...                     {"text": np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])},
        ...                     query_index=[0, 0, 0], candidate_index=[0, 1, 2])
        >>> X.cosine().round(3).tolist()
        [1.0, 0.0, 0.0]
        """
        q, c = self.pooled(how, weight=weight)
        q_norm = np.linalg.norm(q, axis=1)
        c_norm = np.linalg.norm(c, axis=1)
        q = q / np.where(q_norm > 0, q_norm, 1.0)[:, None]
        c = c / np.where(c_norm > 0, c_norm, 1.0)[:, None]
        out = np.empty(len(self), dtype=np.float64)
        for start in range(0, len(self), 65536):  # memory bounded by a chunk, not by rows
            rows = slice(start, start + 65536)
            out[rows] = np.einsum("ij,ij->i", q[self.query_index[rows]],
                                  c[self.candidate_index[rows]], dtype=np.float64)
        return out

    def pair_features(self, how="mean", *, weight=None, rows=None):
        """The explicit pair matrix ``[query vector, candidate vector]`` of each row.

        This is the only operation whose memory grows with rows x features; models
        that need it (gradient boosting) call it per fit.

        Parameters
        ----------
        how : {"mean", "weighted"}, default="mean"
            How ragged histories are pooled.
        weight : str or None, default=None
            Per-post extra for ``how="weighted"``.
        rows : array-like of int or None, default=None
            Only these rows.

        Returns
        -------
        features : ndarray of shape (n_rows, 2 * n_features), float32
        """
        q, c = self.pooled(how, weight=weight)
        qi, ci = self.query_index, self.candidate_index
        if rows is not None:
            qi, ci = qi[rows], ci[rows]
        return np.hstack([q[qi], c[ci]])

    def __repr__(self) -> str:
        kinds = {m: ("ragged" if _is_ragged(s) else "pooled") for m, s in self.queries.items()}
        return (f"QueryCandidates(n_rows={len(self)}, n_queries={len(np.unique(self.query_index))}, "
                f"query_accounts={self.n_query_accounts}, "
                f"candidate_accounts={self.n_candidate_accounts}, modalities={kinds})")


def _positions(ids, table_ids, what, column):
    lookup = pd.Index(table_ids)
    if not lookup.is_unique:
        dup = lookup[lookup.duplicated()][0]
        raise ValueError(f"{what} ids must be unique; {dup!r} appears more than once")
    pos = lookup.get_indexer(ids)
    if (pos < 0).any():
        bad = int(np.flatnonzero(pos < 0)[0])
        raise ValueError(
            f"pairs row {bad}: {column} = {ids[bad]!r} is not among the {what} ids "
            f"({len(lookup)} accounts)"
        )
    return pos


def make_queries(queries, query_ids, candidates, candidate_ids, pairs=None, *, query="brand_id",
                 candidate="account_id", relevance="relevance"):
    """Build ``X, y, qid`` for a query ranker from account tables and labelled pairs.

    Parameters
    ----------
    queries : dict of str -> ndarray or PostFeatures
        Features of the query accounts (e.g. brands), per modality.
    query_ids : array-like of shape (n_query_accounts,)
        Their ids, unique.
    candidates : dict of str -> ndarray or PostFeatures
        Features of the candidate accounts (e.g. creators), the same modalities.
    candidate_ids : array-like of shape (n_candidate_accounts,)
        Their ids, unique.
    pairs : DataFrame or None, default=None
        One row per (query, candidate) pair with columns ``query``, ``candidate``
        and ``relevance``. ``None`` builds the full grid (every query against every
        candidate) with ``y`` all zero, for scoring unseen candidates.
    query : str, default="brand_id"
        Column of ``pairs`` holding the query id.
    candidate : str, default="account_id"
        Column of ``pairs`` holding the candidate id.
    relevance : str, default="relevance"
        Column of ``pairs`` holding the graded relevance or competence score (>= 0).

    Returns
    -------
    X : QueryCandidates
        The rows.
    y : ndarray of shape (n_rows,)
        Relevance of each row.
    qid : ndarray of shape (n_rows,)
        Query id of each row (route it to ``fit`` and to the scorers, and use it
        as ``groups`` for ``GroupKFold``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skinfluence.ranking import make_queries
    >>> pairs = pd.DataFrame({"brand_id": ["a", "a", "b"], "account_id": [10, 11, 10],
    ...                       "relevance": [1, 0, 2]})
    >>> X, y, qid = make_queries({"text": np.eye(2)}, ["a", "b"],
    ...                          {"text": np.ones((2, 2))}, [10, 11], pairs)
    >>> X.shape, y.tolist(), qid.tolist()
    ((3,), [1.0, 0.0, 2.0], ['a', 'a', 'b'])
    """
    query_ids = np.asarray(query_ids)
    candidate_ids = np.asarray(candidate_ids)
    if pairs is None:
        qi = np.repeat(np.arange(len(query_ids)), len(candidate_ids))
        ci = np.tile(np.arange(len(candidate_ids)), len(query_ids))
        y = np.zeros(len(qi))
    else:
        if not isinstance(pairs, pd.DataFrame):
            raise TypeError(f"pairs must be a DataFrame; got {type(pairs).__name__}")
        missing = [c for c in (query, candidate, relevance) if c not in pairs.columns]
        if missing:
            raise ValueError(
                f"pairs is missing column(s) {missing}; it has {list(pairs.columns)} "
                "(set query=, candidate=, relevance= to name yours)"
            )
        qi = _positions(pairs[query].to_numpy(), query_ids, "query", query)
        ci = _positions(pairs[candidate].to_numpy(), candidate_ids, "candidate", candidate)
        y = pd.to_numeric(pairs[relevance], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(y) | (y < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"pairs row {row}: {relevance} must be a finite number >= 0; got "
                f"{pairs[relevance].iloc[row]!r}"
            )
        dup = pd.DataFrame({"q": qi, "c": ci}).duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise ValueError(
                f"pairs row {row}: the pair ({pairs[query].iloc[row]!r}, "
                f"{pairs[candidate].iloc[row]!r}) appears more than once"
            )
    X = QueryCandidates(queries, candidates, qi, ci, query_ids=query_ids,
                        candidate_ids=candidate_ids)
    return X, y, X.qid
