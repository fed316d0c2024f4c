"""The ragged core: per-account runs of posts as one flat array plus offsets.

Every skinfluence structure that holds "a variable number of posts per account"
stores them the same way: all posts of all accounts in one flat array, accounts
contiguous, and an ``offsets`` array of length ``n_accounts + 1`` whose entries
``offsets[i]:offsets[i + 1]`` are the rows of account ``i``. This module is the
one place that knows that layout:

- :class:`RaggedIndex` gives sizes and the post-to-account index of any object
  with an ``offsets`` attribute (``n_accounts``, ``n_posts``, ``lengths``,
  ``counts()``, ``account_index()``, ``len()``);
- :func:`segment_sum` and :func:`segment_reduce` are the one segment-reduce
  engine: every per-account aggregate of the library (``EngagementAggregator``,
  :func:`~skinfluence.pool_posts`, :class:`~skinfluence.PostPooler`) goes
  through them, with no Python loop per account;
- :class:`PostFeatures` is THE ragged container of numeric per-post values
  (flat float32 values + offsets + validity mask + extra per-post arrays),
  sliceable by account for scikit-learn's splitters and skorch.

Design: ``skinfluence.nested.FlatPosts``, the Arrow view of an account frame's
raw post fields, is not a second container. It is a thin view that subclasses
:class:`RaggedIndex` (same offsets, same size and index API, no copy of that
code) and adds only what raw Arrow fields need (typed column access, numeric and
timestamp conversion). It is kept rather than replaced by :class:`PostFeatures`
because raw post fields are heterogeneous (strings, bytes, timestamps) and live
as zero-copy Arrow columns, while a :class:`PostFeatures` holds one dense
float32 matrix: forcing captions and images into it would copy and lose types.

This module depends on numpy, pandas and scipy.sparse only; it is the ground floor the
account frame (:mod:`skinfluence.nested`) and the components build on.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp

# The public API of the core (re-exported from ``skinfluence``); the building blocks
# below (RaggedIndex, offsets_from_lengths, check_offsets, gather_segments, segment_sum,
# segment_max, check_post_features) are imported from this module by the library.
__all__ = ["PostFeatures", "segment_reduce"]


# ============================================================================ offsets


def offsets_from_lengths(lengths) -> np.ndarray:
    """Offsets (length ``n + 1``, int64, starting at 0) of segments with these lengths.

    Parameters
    ----------
    lengths : array-like of int of shape (n,)

    Returns
    -------
    offsets : ndarray of shape (n + 1,), dtype=int64

    Examples
    --------
    >>> from skinfluence.ragged import offsets_from_lengths
    >>> offsets_from_lengths([2, 0, 3]).tolist()
    [0, 2, 2, 5]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def check_offsets(offsets, n_rows: int, owner: str = "offsets") -> np.ndarray:
    """Validate segment offsets against ``n_rows`` flat rows; return them as int64.

    Parameters
    ----------
    offsets : array-like of shape (n_accounts + 1,)
        Must be integers, start at 0, be non-decreasing and end at ``n_rows``.
    n_rows : int
        Number of flat rows (posts).
    owner : str, default="offsets"
        Named in the error message.

    Returns
    -------
    offsets : ndarray of shape (n_accounts + 1,), dtype=int64
    """
    offsets = np.asarray(offsets)
    if offsets.ndim != 1 or len(offsets) < 1 or (offsets.size and offsets.dtype.kind not in "iu"):
        raise ValueError(
            f"{owner} offsets must be a 1-D integer array of length n_accounts + 1; "
            f"got {offsets!r}"
        )
    offsets = offsets.astype(np.int64, copy=False)
    if offsets[0] != 0 or offsets[-1] != n_rows or np.any(np.diff(offsets) < 0):
        raise ValueError(
            f"{owner} offsets must start at 0, be non-decreasing and end at n_posts "
            f"({n_rows}); got first={offsets[0]}, last={offsets[-1]}"
        )
    return offsets


def gather_segments(offsets, indices) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and flat row positions of the segments ``indices`` (in that order).

    Parameters
    ----------
    offsets : ndarray of shape (n_accounts + 1,)
    indices : ndarray of int of shape (n_selected,)
        Non-negative segment positions; repeats allowed.

    Returns
    -------
    offsets : ndarray of shape (n_selected + 1,)
        Offsets of the selection.
    rows : ndarray of shape (n_selected_posts,)
        Flat rows to take, segment after segment: ``values[rows]``.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    idx = np.asarray(indices, dtype=np.int64)
    lengths = np.diff(offsets)[idx]
    new = offsets_from_lengths(lengths)
    starts = offsets[:-1][idx]
    rows = np.repeat(starts - new[:-1], lengths) + np.arange(new[-1], dtype=np.int64)
    return new, rows


class RaggedIndex:
    """Sizes and post-to-account index of a ragged structure with an ``offsets`` attribute.

    Shared by :class:`PostFeatures` and :class:`~skinfluence.nested.FlatPosts`:
    a subclass only has to set ``offsets`` (int64, length ``n_accounts + 1``).
    """

    offsets: np.ndarray

    @property
    def n_accounts(self) -> int:
        """Number of accounts."""
        return len(self.offsets) - 1

    @property
    def n_posts(self) -> int:
        """Number of posts, all accounts together."""
        return int(self.offsets[-1])

    @property
    def lengths(self) -> np.ndarray:
        """Number of posts per account, shape (n_accounts,)."""
        return np.diff(self.offsets)

    def counts(self) -> np.ndarray:
        """Number of posts per account, shape (n_accounts,) (the same as ``lengths``)."""
        return np.diff(self.offsets)

    def account_index(self) -> np.ndarray:
        """Position of each post's account, shape (n_posts,)."""
        return np.repeat(np.arange(self.n_accounts, dtype=np.int64), self.lengths)

    def __len__(self) -> int:
        return self.n_accounts


# ===================================================================== segment engine


def segment_sum(values, offsets) -> np.ndarray:
    """Per-segment sums along axis 0, keeping the dtype of ``values`` (empty segments give 0).

    Parameters
    ----------
    values : ndarray of shape (n_posts, ...)
    offsets : array-like of shape (n_accounts + 1,)

    Returns
    -------
    sums : ndarray of shape (n_accounts, ...)
    """
    values = np.asarray(values)
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    out = np.zeros((n,) + values.shape[1:], dtype=values.dtype)
    nonempty = np.diff(offsets) > 0
    if nonempty.any():
        # reduceat over non-empty segments only: each one then ends where the next starts
        # (reduceat's own treatment of empty segments is not a sum)
        out[nonempty] = np.add.reduceat(values, offsets[:-1][nonempty], axis=0)
    return out


def _segment_extreme(values, offsets, ufunc, empty) -> np.ndarray:
    """Per-segment ``ufunc.reduceat`` (fmin, fmax, maximum) along axis 0; ``empty`` where none."""
    n = len(offsets) - 1
    out = np.full((n,) + values.shape[1:], empty, dtype=values.dtype)
    nonempty = np.diff(offsets) > 0
    if nonempty.any():
        out[nonempty] = ufunc.reduceat(values, offsets[:-1][nonempty], axis=0)
    return out


def segment_max(values, offsets, empty) -> np.ndarray:
    """Per-segment maxima along axis 0, keeping the dtype of ``values``; ``empty`` for empty segments.

    NaN propagates (``np.maximum``); mask values out beforehand (e.g. as ``-inf``).

    Parameters
    ----------
    values : ndarray of shape (n_posts, ...)
    offsets : array-like of shape (n_accounts + 1,)
    empty : scalar
        Value of segments without any row.

    Returns
    -------
    maxima : ndarray of shape (n_accounts, ...)
    """
    return _segment_extreme(np.asarray(values), np.asarray(offsets, dtype=np.int64), np.maximum,
                            empty)


_REDUCTIONS = ("sum", "mean", "count", "min", "max", "std", "var", "median", "first", "last")


def segment_reduce(values, offsets, how: str, *, ddof: int = 0) -> np.ndarray:
    """Reduce a flat per-post array per account, ignoring NaN, with no Python loop.

    Parameters
    ----------
    values : array-like of shape (n_posts,)
        Flat values, accounts' posts contiguous (as in
        :class:`~skinfluence.nested.FlatPosts` and :class:`PostFeatures`).
    offsets : array-like of shape (n_accounts + 1,)
        Segment boundaries.
    how : {"sum", "mean", "count", "min", "max", "std", "var", "median", "first", "last"}
        The reduction. ``count`` counts non-NaN values; ``first``/``last`` take
        the first/last non-NaN value in post order.
    ddof : int, default=0
        Delta degrees of freedom for ``std`` and ``var``.

    Returns
    -------
    out : ndarray of shape (n_accounts,), dtype=float64
        NaN where an account has no non-NaN value (``sum`` and ``count`` give 0).

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence import segment_reduce
    >>> segment_reduce([4.0, 6.0, np.nan, 9.0], [0, 2, 3, 4], "mean").tolist()
    [5.0, nan, 9.0]
    """
    if how not in _REDUCTIONS:
        raise ValueError(f"how must be one of {_REDUCTIONS}, got {how!r}")
    values = np.asarray(values, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    valid = ~np.isnan(values)
    count = segment_sum(valid.astype(np.float64), offsets)
    if how == "count":
        return count
    out = np.full(n, np.nan)
    has = count > 0
    if how in ("min", "max"):
        out = _segment_extreme(values, offsets, np.fmin if how == "min" else np.fmax, np.nan)
        out[~has] = np.nan  # fmin/fmax of an all-NaN segment is NaN already; keep it explicit
        return out
    if how == "median":
        # pandas' cython group median (a quickselect per group) on integer codes that
        # are already sorted: no hashing of account ids, no Python loop per account.
        if len(values):
            owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
            med = pd.Series(values).groupby(owner, sort=True).median()
            out[med.index.to_numpy()] = med.to_numpy()
        return out
    if how in ("first", "last"):
        idx = np.flatnonzero(valid)
        seg = np.repeat(np.arange(n, dtype=np.int64), lengths)[idx]
        take = np.ones(len(idx), dtype=bool)
        if how == "first":
            take[1:] = seg[1:] != seg[:-1]
        else:
            take[:-1] = seg[1:] != seg[:-1]
        out[seg[take]] = values[idx[take]]
        return out
    filled = np.where(valid, values, 0.0)
    total = segment_sum(filled, offsets)
    if how == "sum":
        return total
    np.divide(total, count, out=out, where=has)
    if how == "mean":
        return out
    # var / std: two-pass, deviations from each segment's mean (numerically stable)
    dev = np.where(valid, values - np.repeat(out, lengths), 0.0)
    ss = segment_sum(dev * dev, offsets)
    denom = count - ddof
    var = np.full(n, np.nan)
    np.divide(ss, denom, out=var, where=denom > 0)
    return np.sqrt(var) if how == "std" else var


# ========================================================================== container


class PostFeatures(RaggedIndex):
    """Per-post features of a set of accounts: one flat array plus offsets (ragged, columnar).

    The posts of account ``i`` are rows ``offsets[i]:offsets[i + 1]`` of
    ``values``. The container behaves as a sequence of accounts: ``len()`` is
    the number of accounts and indexing selects accounts, keeping everything
    that travels with their posts (mask, extra arrays, index). scikit-learn's
    splitters and ``cross_val_score`` (through ``_safe_indexing``) and skorch
    (like its ``SliceDict``) can therefore split it by account.

    Parameters
    ----------
    values : array-like of shape (n_posts, n_features)
        Features of every post, accounts contiguous; stored as C-contiguous
        float32. Rows of masked-out posts should be zero.
    offsets : array-like of shape (n_accounts + 1,)
        Start of each account's posts in ``values``; non-decreasing, from 0 to
        ``n_posts``.
    mask : array-like of shape (n_posts,), dtype=bool, default=None
        True where the post's features are valid (None: all valid). Invalid
        posts (an image that could not be read, an empty caption) are ignored
        by pooling and by the padded mask of :meth:`to_padded`.
    extras : dict of str -> array-like of shape (n_posts, ...), default=None
        Further per-post arrays that travel with the posts, e.g. post labels
        (``"label"``) for an auxiliary task, or ``"engagement"`` for weighted
        pooling.
    feature_names : array-like of str of shape (n_features,), default=None
        Names of the feature columns.
    index : array-like of shape (n_accounts,), default=None
        Row labels of the accounts (the account frame's index); used for
        pandas output after pooling.
    sparse : dict of str -> sparse matrix of shape (n_posts, n_columns), default=None
        Sparse per-post channels (e.g. a post's hashed TF-IDF row from
        :class:`HashedTfidf`), one row per post like ``values``. They are kept
        as CSR float32 matrices with the same row order as ``values`` (so the
        container's ``offsets`` are their row offsets too) and are never
        densified: selecting accounts selects their CSR rows.
    account_extras : dict of str -> array-like of shape (n_accounts,), default=None
        Per-account values (profile columns such as followers) that travel
        with the accounts, e.g. the account-level inputs of
        :class:`~skinfluence.profiling.AttentiveProfiler`.

    Attributes
    ----------
    values, offsets, mask, extras, feature_names, index, sparse, account_extras
        As given (converted).

    See Also
    --------
    PostEncoder : Builds a container from an account frame.
    PostPooler : Pools a container to one row per account.

    Notes
    -----
    Indexing always keeps the account axis: ``pf[3]`` is a container holding
    account 3 only (like ``frame.iloc[[3]]``); ``pf.posts_of(3)`` gives its
    ``(n_posts_3, n_features)`` values. Selecting a contiguous range of accounts
    (a slice with step 1) returns views; other selections copy the selected
    posts with one vectorised gather.

    ``np.asarray(pf)`` raises a :class:`TypeError`: a ragged container has no
    rectangular form. Use :meth:`to_padded`, or pool it with
    :class:`PostPooler`.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence import PostFeatures
    >>> pf = PostFeatures(np.arange(10.0).reshape(5, 2), [0, 2, 2, 5],
    ...                   extras={"label": np.array(list("aabbb"))})
    >>> len(pf), pf.n_posts, pf.lengths.tolist()
    (3, 5, [2, 0, 3])
    >>> sub = pf[[2, 0]]
    >>> sub.offsets.tolist(), sub.extras["label"].tolist()
    ([0, 3, 5], ['b', 'b', 'b', 'a', 'a'])
    >>> values, mask = pf.to_padded()
    >>> values.shape, mask.sum(axis=1).tolist()
    ((3, 3, 2), [2, 0, 3])
    """

    def __init__(self, values, offsets, *, mask=None, extras=None, feature_names=None,
                 index=None, sparse=None, account_extras=None):
        values = np.asarray(values, dtype=np.float32)
        if values.ndim == 1 and values.size == 0:
            values = values.reshape(0, 0)
        if values.ndim != 2:
            raise ValueError(
                f"PostFeatures values must be 2-D (n_posts, n_features); got shape {values.shape}"
            )
        self.values = np.ascontiguousarray(values)
        offsets = check_offsets(offsets, len(values), "PostFeatures")
        self.offsets = offsets
        if mask is None:
            mask = np.ones(len(values), dtype=bool)
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(values),):
            raise ValueError(
                f"PostFeatures mask must have shape ({len(values)},); got {mask.shape}"
            )
        self.mask = mask
        checked = {}
        for name, arr in dict(extras or {}).items():
            arr = np.asarray(arr)
            if arr.ndim == 0 or len(arr) != len(values):
                raise ValueError(
                    f"PostFeatures extra {name!r} must have one entry per post ({len(values)}); "
                    f"got shape {arr.shape}"
                )
            checked[str(name)] = arr
        self.extras = checked
        if feature_names is not None:
            feature_names = np.asarray(feature_names, dtype=object)
            if feature_names.shape != (values.shape[1],):
                raise ValueError(
                    f"PostFeatures feature_names must have {values.shape[1]} entries; "
                    f"got {feature_names.shape[0] if feature_names.ndim else 0}"
                )
        self.feature_names = feature_names
        if index is not None:
            index = pd.Index(index)
            if len(index) != len(offsets) - 1:
                raise ValueError(
                    f"PostFeatures index must have one entry per account ({len(offsets) - 1}); "
                    f"got {len(index)}"
                )
        self.index = index
        self.sparse = _check_sparse(sparse, len(values))
        self.account_extras = _check_account_extras(account_extras, len(offsets) - 1)

    # ----------------------------------------------------------------- sizes
    # n_accounts, n_posts, lengths, counts(), account_index() and len() come from
    # RaggedIndex, shared with FlatPosts.

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return self.values.shape[1]

    @property
    def shape(self) -> tuple[int]:
        """``(n_accounts,)``: the container is a sequence of accounts (as sklearn sees it)."""
        return (self.n_accounts,)

    def posts_of(self, i: int) -> np.ndarray:
        """The ``(n_posts_i, n_features)`` values of account ``i`` (a view).

        Parameters
        ----------
        i : int
            Account position; negative values count from the end.

        Returns
        -------
        values : ndarray of shape (n_posts_i, n_features)
        """
        i = self._normalize_position(i)
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    # --------------------------------------------------------------- indexing

    def _normalize_position(self, i) -> int:
        n = self.n_accounts
        if not -n <= i < n:
            raise IndexError(f"account index {i} is out of range for {n} accounts")
        return int(i) % n if n else 0

    def __getitem__(self, key):
        # sklearn's _safe_indexing calls X[key, ...]; skorch may pass a 1-tuple of indices
        if isinstance(key, tuple):
            rest = key[1:]
            if not all(k is Ellipsis or (isinstance(k, slice) and k == slice(None)) for k in rest):
                raise IndexError(
                    "PostFeatures is indexed by account only (one axis); got a multi-axis key"
                )
            key = key[0]
        if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, (bool, np.bool_)):
            i = self._normalize_position(key)
            return self._take_contiguous(i, i + 1)
        if isinstance(key, slice):
            start, stop, step = key.indices(self.n_accounts)
            if step == 1:
                return self._take_contiguous(start, max(start, stop))
            return self.take(np.arange(start, stop, step))
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (self.n_accounts,):
                raise IndexError(
                    f"boolean index of shape {key.shape} does not match {self.n_accounts} accounts"
                )
            return self.take(np.flatnonzero(key))
        if key.size == 0:
            return self.take(np.zeros(0, dtype=np.int64))
        if key.dtype.kind not in "iu":
            raise IndexError(
                f"PostFeatures accepts integer, slice, boolean or integer-array keys; got {key.dtype}"
            )
        return self.take(key)

    def __iter__(self):
        for i in range(self.n_accounts):
            yield self._take_contiguous(i, i + 1)

    def _replace(self, values, offsets, mask, extras, index, sparse=None, account_extras=None):
        new = object.__new__(PostFeatures)
        new.values, new.offsets, new.mask, new.extras = values, offsets, mask, extras
        new.feature_names, new.index = self.feature_names, index
        new.sparse = {} if sparse is None else sparse
        new.account_extras = {} if account_extras is None else account_extras
        return new

    def _take_contiguous(self, start: int, stop: int) -> PostFeatures:
        a, b = self.offsets[start], self.offsets[stop]
        return self._replace(
            self.values[a:b],
            self.offsets[start:stop + 1] - a,
            self.mask[a:b],
            {k: v[a:b] for k, v in self.extras.items()},
            None if self.index is None else self.index[start:stop],
            {k: m[a:b] for k, m in self._sparse().items()},
            {k: v[start:stop] for k, v in self._account_extras().items()},
        )

    # containers pickled before the sparse channels and account extras existed have none
    def _sparse(self) -> dict:
        return self.__dict__.get("sparse") or {}

    def _account_extras(self) -> dict:
        return self.__dict__.get("account_extras") or {}

    def take(self, indices) -> PostFeatures:
        """The accounts at positions ``indices`` (in that order; repeats allowed).

        Parameters
        ----------
        indices : array-like of int
            Account positions; negative values count from the end.

        Returns
        -------
        PostFeatures
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = self.n_accounts
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(
                f"account index {int(idx[bad][0])} is out of range for {n} accounts"
            )
        idx = np.where(idx < 0, idx + n, idx)
        offsets, rows = gather_segments(self.offsets, idx)
        return self._replace(
            self.values[rows],
            offsets,
            self.mask[rows],
            {k: v[rows] for k, v in self.extras.items()},
            None if self.index is None else self.index[idx],
            {k: m[rows] for k, m in self._sparse().items()},
            {k: v[idx] for k, v in self._account_extras().items()},
        )

    @classmethod
    def concat(cls, items) -> PostFeatures:
        """Stack containers account-wise (e.g. the items of a mini-batch).

        Parameters
        ----------
        items : sequence of PostFeatures
            With the same number of features, the same extra arrays, the same
            sparse channels (of the same widths) and the same account extras.

        Returns
        -------
        PostFeatures
        """
        items = list(items)
        if not items:
            raise ValueError("PostFeatures.concat needs at least one container")
        first = items[0]
        for other in items[1:]:
            if (other.n_features != first.n_features or set(other.extras) != set(first.extras)
                    or _channel_widths(other) != _channel_widths(first)
                    or set(other._account_extras()) != set(first._account_extras())):
                raise ValueError(
                    "PostFeatures.concat: containers differ in n_features, extra arrays, sparse "
                    "channels or account extras "
                    f"({first.n_features}, {sorted(first.extras)}, {_channel_widths(first)}, "
                    f"{sorted(first._account_extras())}) vs ({other.n_features}, "
                    f"{sorted(other.extras)}, {_channel_widths(other)}, "
                    f"{sorted(other._account_extras())})"
                )
        offsets = offsets_from_lengths(np.concatenate([it.lengths for it in items]))
        index = None
        if all(it.index is not None for it in items):
            index = items[0].index.append([it.index for it in items[1:]])
        return first._replace(
            np.concatenate([it.values for it in items]),
            offsets,
            np.concatenate([it.mask for it in items]),
            {k: np.concatenate([it.extras[k] for it in items]) for k in first.extras},
            index,
            {k: sp.vstack([it._sparse()[k] for it in items], format="csr")
             for k in first._sparse()},
            {k: np.concatenate([it._account_extras()[k] for it in items])
             for k in first._account_extras()},
        )

    # ---------------------------------------------------------------- padding

    def _slots(self, max_len, keep):
        if keep not in ("first", "last"):
            raise ValueError(f"keep must be 'first' or 'last'; got {keep!r}")
        lengths = self.lengths
        longest = int(lengths.max()) if len(lengths) else 0
        if max_len is None:
            max_len = longest
        elif not isinstance(max_len, numbers.Integral) or max_len < 0:
            raise ValueError(f"max_len must be None or a non-negative int; got {max_len!r}")
        acc = self.account_index()
        pos = np.arange(self.n_posts, dtype=np.int64) - np.repeat(self.offsets[:-1], lengths)
        if keep == "first":
            slot = pos
        else:  # the last max_len posts, still in post order
            slot = pos - np.repeat(np.maximum(lengths - max_len, 0), lengths)
        sel = (slot >= 0) & (slot < max_len)
        return int(max_len), acc[sel], slot[sel], sel

    def to_padded(self, max_len=None, *, keep="first", fill_value=0.0):
        """Dense ``(n_accounts, max_len, n_features)`` values and ``(n_accounts, max_len)`` mask.

        Parameters
        ----------
        max_len : int, default=None
            Posts per account in the output; None: the largest number of
            posts of an account in this container. Accounts with more posts
            are truncated (see ``keep``), shorter ones padded.
        keep : {"first", "last"}, default="first"
            Which posts to keep when truncating (post order is kept).
        fill_value : float, default=0.0
            Value of padded slots.

        Returns
        -------
        values : ndarray of shape (n_accounts, max_len, n_features), dtype=float32
        mask : ndarray of shape (n_accounts, max_len), dtype=bool
            True for real, valid posts (False for padding and masked-out posts).
        """
        max_len, acc, slot, sel = self._slots(max_len, keep)
        out = np.full((self.n_accounts, max_len, self.n_features), fill_value, dtype=np.float32)
        mask = np.zeros((self.n_accounts, max_len), dtype=bool)
        out[acc, slot] = self.values[sel]
        mask[acc, slot] = self.mask[sel]
        return out, mask

    def pad(self, name, max_len=None, *, keep="first", fill_value=None):
        """An extra per-post array padded like :meth:`to_padded`.

        Parameters
        ----------
        name : str
            Key of ``extras``.
        max_len, keep : see :meth:`to_padded`.
        fill_value : scalar, default=None
            Value of padded slots; None: NaN for float arrays, -1 for integer
            arrays, None for object arrays, False for booleans.

        Returns
        -------
        padded : ndarray of shape (n_accounts, max_len, ...)
        """
        if name not in self.extras:
            raise KeyError(f"no extra per-post array {name!r}; extras are {sorted(self.extras)}")
        arr = self.extras[name]
        max_len, acc, slot, sel = self._slots(max_len, keep)
        if fill_value is None:
            fill_value = {"f": np.nan, "c": np.nan, "i": -1, "u": 0, "b": False}.get(arr.dtype.kind)
        dtype = arr.dtype
        if arr.dtype.kind in "iu" and fill_value is not None and not float(fill_value).is_integer():
            dtype = np.float64
        if arr.dtype.kind in "US":
            dtype = object
        out = np.full((self.n_accounts, max_len) + arr.shape[1:], fill_value, dtype=dtype)
        out[acc, slot] = arr[sel]
        return out

    # -------------------------------------------------------------- protocols

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "PostFeatures is ragged (a variable number of posts per account) and has no "
            "rectangular array form: pool it to one row per account with "
            "skinfluence.PostPooler (or an extractor's pooling='mean'), or use .to_padded() "
            "for a dense (n_accounts, max_len, n_features) array"
        )

    def __repr__(self) -> str:
        extras = f", extras={sorted(self.extras)}" if self.extras else ""
        if self._sparse():
            extras += ", sparse={" + ", ".join(
                f"{k!r}: {m.shape[1]}" for k, m in sorted(self._sparse().items())) + "}"
        if self._account_extras():
            extras += f", account_extras={sorted(self._account_extras())}"
        masked = int((~self.mask).sum())
        return (
            f"PostFeatures(n_accounts={self.n_accounts}, n_posts={self.n_posts}, "
            f"n_features={self.n_features}, masked={masked}{extras})"
        )


def _channel_widths(X) -> dict:
    """Sparse channel name -> number of columns."""
    return {k: m.shape[1] for k, m in X._sparse().items()}


def _check_sparse(sparse, n_posts: int) -> dict:
    """Sparse per-post channels as CSR float32 with sorted indices, one row per post."""
    checked = {}
    for name, mat in dict(sparse or {}).items():
        if not sp.issparse(mat):
            raise ValueError(
                f"PostFeatures sparse channel {name!r} must be a scipy sparse matrix of shape "
                f"(n_posts, n_columns); got {type(mat).__name__}. Dense per-post features belong "
                "in values"
            )
        if mat.ndim != 2 or mat.shape[0] != n_posts:
            raise ValueError(
                f"PostFeatures sparse channel {name!r} must have one row per post ({n_posts}); "
                f"got shape {mat.shape}"
            )
        mat = sp.csr_matrix(mat, dtype=np.float32)
        mat.sum_duplicates()
        mat.sort_indices()
        checked[str(name)] = mat
    return checked


def _check_account_extras(account_extras, n_accounts: int) -> dict:
    """Per-account arrays, one entry per account."""
    checked = {}
    for name, arr in dict(account_extras or {}).items():
        arr = np.asarray(arr)
        if arr.ndim != 1 or len(arr) != n_accounts:
            raise ValueError(
                f"PostFeatures account extra {name!r} must be 1-D with one entry per account "
                f"({n_accounts}); got shape {arr.shape}"
            )
        checked[str(name)] = arr
    return checked


def check_post_features(X, caller: str, *, fit: bool = False) -> PostFeatures:
    """Return ``X`` if it is a :class:`PostFeatures`, else raise a ``TypeError`` naming ``caller``.

    A container whose valid posts hold a non-finite feature value raises a
    ``ValueError`` naming the feature, the post and the account; so does one without
    accounts when ``fit=True``.

    Parameters
    ----------
    X : object
        The input of a component that reads per-post features.
    caller : str
        The component's name, for the error message.
    fit : bool, default=False
        Whether ``X`` is training input (which must hold at least one account).

    Returns
    -------
    X : PostFeatures
    """
    if not isinstance(X, PostFeatures):
        shape = getattr(X, "shape", None)
        got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
        raise TypeError(
            f"{caller} expects a PostFeatures container (the per-post output of PostEncoder, or "
            f"of an extractor's transform_posts); got {got}. For an account frame, put a "
            "PostEncoder before it."
        )
    if fit and X.n_accounts == 0:
        raise ValueError(f"{caller}: the PostFeatures container holds no accounts; fit needs "
                         "at least one")
    values = np.asarray(X.values)
    if values.dtype.kind in "fc":
        bad_rows = ~np.isfinite(values).all(axis=1) & np.asarray(X.mask, dtype=bool)
        if bad_rows.any():
            post = int(np.flatnonzero(bad_rows)[0])
            column = int(np.flatnonzero(~np.isfinite(values[post]))[0])
            names = X.feature_names
            feature = names[column] if names is not None else f"x{column}"
            acc = int(np.searchsorted(np.asarray(X.offsets), post, side="right") - 1)
            who = f"account {X.index[acc]!r}" if X.index is not None else f"account #{acc}"
            raise ValueError(
                f"{caller}: {int(bad_rows.sum())} valid post(s) have NaN or infinite features; "
                f"the first is post #{post - X.offsets[acc]} of {who}, whose feature "
                f"{feature!r} is {values[post, column]}. Fill them, or mark them invalid in "
                "the container's mask (masked-out posts are ignored)"
            )
    for name, mat in X._sparse().items():
        if not np.isfinite(mat.data).all():
            post = int(np.searchsorted(mat.indptr, np.flatnonzero(~np.isfinite(mat.data))[0],
                                       side="right") - 1)
            acc = int(np.searchsorted(np.asarray(X.offsets), post, side="right") - 1)
            raise ValueError(
                f"{caller}: sparse channel {name!r} holds NaN or infinite values; the first is in "
                f"post #{post - X.offsets[acc]} of account #{acc}. Fill them before building the "
                "container"
            )
    return X
