"""Per-post features: the ragged :class:`PostFeatures` container, PostEncoder and PostPooler.

Classical models want one row per account; neural profilers (attention over an
account's posts) want one row per *post*, grouped by account. Both come from
the same extractors (:class:`SentenceEmbedder`, :class:`ImageEmbedder`,
:class:`SentimentFeatures`, :class:`TextStats`):

- with ``pooling="mean"`` (or ``"max"``) an extractor returns an
  ``(n_accounts, n_features)`` array;
- with ``pooling=None``, or through :meth:`transform_posts`, it returns a
  :class:`PostFeatures`: all posts of all accounts in one flat float32 array
  plus offsets and a validity mask. The container has a length (the number of
  accounts) and can be indexed with integers, slices, boolean masks and index
  arrays, so scikit-learn's splitters, ``cross_val_score`` and skorch slice it
  by account, like skorch's ``SliceDict``.

:class:`PostEncoder` combines several extractors into one per-post matrix and
carries extra per-post arrays (post labels, engagement) with it;
:class:`PostPooler` turns a container back into one row per account (mean, max
or engagement-weighted mean).

This module also holds the shared machinery of the extractors: the base class,
masked segment pooling, output wrapping (``set_output``) and the torch device
and pickling helpers (torch is imported only inside functions).
"""

from __future__ import annotations

import io
import numbers
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import ID_COLUMN, POSTS_COLUMN, FlatPosts, flatten_posts, is_account_frame
from ..registry import register
from ..utils.validation import check_account_frame

__all__ = ["PostFeatures", "PostEncoder", "PostPooler", "pool_posts"]

_POOLINGS = ("mean", "max")
_POOLER_METHODS = ("mean", "max", "weighted")


# =============================================================================== container


class PostFeatures:
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

    Attributes
    ----------
    values, offsets, mask, extras, feature_names, index
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
    >>> from skinfluence.features._ragged import PostFeatures
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
                 index=None):
        values = np.asarray(values, dtype=np.float32)
        if values.ndim == 1 and values.size == 0:
            values = values.reshape(0, 0)
        if values.ndim != 2:
            raise ValueError(
                f"PostFeatures values must be 2-D (n_posts, n_features); got shape {values.shape}"
            )
        self.values = np.ascontiguousarray(values)
        offsets = np.asarray(offsets)
        if offsets.ndim != 1 or len(offsets) < 1 or (offsets.size and offsets.dtype.kind not in "iu"):
            raise ValueError(
                "PostFeatures offsets must be a 1-D integer array of length n_accounts + 1; "
                f"got {offsets!r}"
            )
        offsets = offsets.astype(np.int64, copy=False)
        if offsets[0] != 0 or offsets[-1] != len(values) or np.any(np.diff(offsets) < 0):
            raise ValueError(
                "PostFeatures offsets must start at 0, be non-decreasing and end at n_posts "
                f"({len(values)}); got first={offsets[0]}, last={offsets[-1]}"
            )
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

    # ----------------------------------------------------------------- sizes

    @property
    def n_accounts(self) -> int:
        """Number of accounts."""
        return len(self.offsets) - 1

    @property
    def n_posts(self) -> int:
        """Number of posts, all accounts together."""
        return int(self.offsets[-1])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return self.values.shape[1]

    @property
    def shape(self) -> tuple[int]:
        """``(n_accounts,)``: the container is a sequence of accounts (as sklearn sees it)."""
        return (self.n_accounts,)

    @property
    def lengths(self) -> np.ndarray:
        """Number of posts per account, shape (n_accounts,)."""
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return self.n_accounts

    def account_index(self) -> np.ndarray:
        """Position of each post's account, shape (n_posts,)."""
        return np.repeat(np.arange(self.n_accounts, dtype=np.int64), self.lengths)

    def posts_of(self, i: int) -> np.ndarray:
        """The ``(n_posts_i, n_features)`` values of account ``i`` (a view)."""
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

    def _replace(self, values, offsets, mask, extras, index):
        new = object.__new__(PostFeatures)
        new.values, new.offsets, new.mask, new.extras = values, offsets, mask, extras
        new.feature_names, new.index = self.feature_names, index
        return new

    def _take_contiguous(self, start: int, stop: int) -> PostFeatures:
        a, b = self.offsets[start], self.offsets[stop]
        return self._replace(
            self.values[a:b],
            self.offsets[start:stop + 1] - a,
            self.mask[a:b],
            {k: v[a:b] for k, v in self.extras.items()},
            None if self.index is None else self.index[start:stop],
        )

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
        lengths = self.lengths[idx]
        offsets = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        starts = self.offsets[:-1][idx]
        rows = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
        return self._replace(
            self.values[rows],
            offsets,
            self.mask[rows],
            {k: v[rows] for k, v in self.extras.items()},
            None if self.index is None else self.index[idx],
        )

    @classmethod
    def concat(cls, items) -> PostFeatures:
        """Stack containers account-wise (e.g. the items of a mini-batch).

        Parameters
        ----------
        items : sequence of PostFeatures
            With the same number of features and the same extra arrays.

        Returns
        -------
        PostFeatures
        """
        items = list(items)
        if not items:
            raise ValueError("PostFeatures.concat needs at least one container")
        first = items[0]
        for other in items[1:]:
            if other.n_features != first.n_features or set(other.extras) != set(first.extras):
                raise ValueError(
                    "PostFeatures.concat: containers differ in n_features or extra arrays "
                    f"({first.n_features}, {sorted(first.extras)}) vs "
                    f"({other.n_features}, {sorted(other.extras)})"
                )
        lengths = np.concatenate([it.lengths for it in items])
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        index = None
        if all(it.index is not None for it in items):
            index = items[0].index.append([it.index for it in items[1:]])
        return first._replace(
            np.concatenate([it.values for it in items]),
            offsets,
            np.concatenate([it.mask for it in items]),
            {k: np.concatenate([it.extras[k] for it in items]) for k in first.extras},
            index,
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
        masked = int((~self.mask).sum())
        return (
            f"PostFeatures(n_accounts={self.n_accounts}, n_posts={self.n_posts}, "
            f"n_features={self.n_features}, masked={masked}{extras})"
        )


def _as_post_features(X, caller: str) -> PostFeatures:
    if not isinstance(X, PostFeatures):
        shape = getattr(X, "shape", None)
        got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
        raise TypeError(
            f"{caller} expects a PostFeatures container (the per-post output of PostEncoder, or "
            f"of an extractor with pooling=None); got {got}. For an account frame, put a "
            "PostEncoder (or an extractor with pooling=None) before it."
        )
    return X


# ================================================================================ pooling


def _segment_sum(values, offsets):
    """Per-segment sums along axis 0 (empty segments give 0)."""
    n = len(offsets) - 1
    out = np.zeros((n,) + values.shape[1:], dtype=values.dtype)
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    if nonempty.any():
        # reduceat over non-empty segments only: each one then ends where the next starts
        out[nonempty] = np.add.reduceat(values, offsets[:-1][nonempty], axis=0)
    return out


def pool_posts(values, offsets, mask=None, how="mean", *, weights=None, fill_value=0.0):
    """Pool per-post rows to one row per account, ignoring masked-out posts.

    Parameters
    ----------
    values : ndarray of shape (n_posts, n_features)
    offsets : ndarray of shape (n_accounts + 1,)
    mask : ndarray of shape (n_posts,), dtype=bool, default=None
        Valid posts (None: all).
    how : {"mean", "max", "weighted"}, default="mean"
        ``"weighted"``: mean weighted by ``weights`` (non-negative; NaN counts
        as 0); an account whose valid posts all have weight 0 gets the plain
        mean.
    weights : ndarray of shape (n_posts,), default=None
        Needed for ``"weighted"``.
    fill_value : float, default=0.0
        Output for accounts without any valid post.

    Returns
    -------
    pooled : ndarray of shape (n_accounts, n_features)
        Same float dtype as ``values``.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence.features._ragged import pool_posts
    >>> v = np.array([[1.0], [3.0], [10.0]])
    >>> pool_posts(v, [0, 2, 2, 3], how="mean").ravel().tolist()
    [2.0, 0.0, 10.0]
    >>> pool_posts(v, [0, 2, 2, 3], how="weighted", weights=np.array([3.0, 1.0, 5.0])).ravel().tolist()
    [1.5, 0.0, 10.0]
    """
    values = np.asarray(values)
    if values.dtype.kind != "f":
        values = values.astype(np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n_posts = len(values)
    valid = np.ones(n_posts, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    count = _segment_sum(valid.astype(np.float64), offsets)
    has = count > 0
    n, d = len(offsets) - 1, values.shape[1]
    out = np.full((n, d), fill_value, dtype=values.dtype)
    if how == "max":
        if has.any():
            masked = np.where(valid[:, None], values, -np.inf)
            nonempty = np.diff(offsets) > 0
            mx = np.full((n, d), -np.inf, dtype=values.dtype)
            mx[nonempty] = np.maximum.reduceat(masked, offsets[:-1][nonempty], axis=0)
            out[has] = mx[has]
        return out
    if how not in ("mean", "weighted"):
        raise ValueError(f"how must be one of ('mean', 'max', 'weighted'); got {how!r}")
    vz = np.where(valid[:, None], values, 0)
    mean = _segment_sum(vz, offsets)
    out[has] = mean[has] / count[has, None].astype(values.dtype)
    if how == "weighted":
        if weights is None:
            raise ValueError("how='weighted' needs per-post weights")
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n_posts,):
            raise ValueError(f"weights must have shape ({n_posts},); got {w.shape}")
        if np.any(w < 0):
            raise ValueError("weights must be non-negative (NaN counts as 0)")
        w = np.where(valid & np.isfinite(w), w, 0.0)
        wsum = _segment_sum(w, offsets)
        weighted = _segment_sum(vz * w[:, None].astype(values.dtype), offsets)
        use = wsum > 0
        out[use] = (weighted[use] / wsum[use, None]).astype(values.dtype)
    return out


# ============================================================================ shared base


def _param_error(cls_name, name, expected, value):
    return ValueError(f"The {name!r} parameter of {cls_name} must be {expected}. Got {value!r} instead.")


class _OutputMixin:
    """``set_output`` handled here, not by sklearn's auto-wrapping.

    sklearn's wrapper would turn every ``transform`` result into a DataFrame,
    which a ragged :class:`PostFeatures` cannot be. Here pooled (2-D) outputs
    follow ``set_output``/``set_config(transform_output=...)`` and containers
    pass through unchanged. The configuration lives in ``_sklearn_output_config``
    (the attribute sklearn's ``clone`` copies).
    """

    def __init_subclass__(cls, **kwargs):
        kwargs["auto_wrap_output_keys"] = None  # no sklearn auto-wrapping, here or below
        super().__init_subclass__(**kwargs)

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Container of pooled (2-D) outputs; None leaves it unchanged.
            Per-post outputs are always a :class:`PostFeatures`.

        Returns
        -------
        self : estimator instance
        """
        if transform is None:
            return self
        if transform not in ("default", "pandas", "polars"):
            raise _param_error(type(self).__name__, "transform", "one of 'default', 'pandas', "
                               "'polars' or None", transform)
        config = dict(getattr(self, "_sklearn_output_config", {}))
        config["transform"] = transform
        self._sklearn_output_config = config
        return self

    def _wrap_output(self, out, index):
        from sklearn import get_config

        config = getattr(self, "_sklearn_output_config", {}).get("transform")
        config = config or get_config()["transform_output"]
        if config == "default" or not isinstance(out, np.ndarray) or out.ndim != 2:
            return out
        columns = list(self.get_feature_names_out())
        if config == "pandas":
            return pd.DataFrame(out, index=index, columns=columns)
        if config == "polars":
            import polars as pl

            return pl.DataFrame(out, schema=columns, orient="row")
        return out


class _PostExtractor(_OutputMixin, ComponentMixin, TransformerMixin, BaseEstimator):
    """Base of extractors that compute features per post of an account frame.

    Subclasses implement ``fit`` (which must call ``self._check_extras()``,
    validate parameters and the frame with ``self._validate_frame``), and
    ``_compute(flat, X, context)`` returning ``(values, mask)`` of shape
    ``(n_posts, n_features)`` and ``(n_posts,)``, plus ``_post_feature_names()``.
    """


    # parameters every subclass has: pooling, fill_value, posts_column

    def _required_post_fields(self) -> list[str]:
        return []

    def _validate_frame(self, X, *, reset):
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame(type(self).__name__, X, self.posts_column)
        return check_account_frame(
            self, X, reset=reset, posts_column=self.posts_column,
            required_post_fields=self._required_post_fields(),
        )

    def _check_pooling(self, allowed=_POOLINGS):
        if self.pooling is not None and self.pooling not in allowed:
            raise _param_error(
                type(self).__name__, "pooling",
                "one of " + ", ".join(repr(a) for a in allowed) + " or None", self.pooling,
            )
        fill = self.fill_value
        if fill is not None and not (isinstance(fill, numbers.Real) and not isinstance(fill, bool)
                                     and (np.isfinite(fill) or np.isnan(fill))):
            raise _param_error(type(self).__name__, "fill_value", "a float (NaN allowed) or None",
                               fill)
        if not isinstance(self.posts_column, str):
            raise _param_error(type(self).__name__, "posts_column", "a str", self.posts_column)

    def _fill(self) -> float:
        return np.nan if self.fill_value is None else float(self.fill_value)

    def transform_posts(self, X) -> PostFeatures:
        """Per-post features of an account frame, whatever ``pooling`` is.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        PostFeatures
            ``values`` of shape (n_posts, n_features); masked-out posts hold zeros.
        """
        flat, values, mask = self._post_arrays(X)
        return PostFeatures(values.astype(np.float32, copy=False), flat.offsets, mask=mask,
                            feature_names=self._post_feature_names(), index=X.index)

    def _post_arrays(self, X):
        check_is_fitted(self)
        self._validate_frame(X, reset=False)
        flat = flatten_posts(X, posts_column=self.posts_column)
        values, mask = self._compute(flat, X)
        values = np.where(mask[:, None], values, 0)
        return flat, values, mask

    def transform(self, X):
        """Features per account (pooled) or per post (``pooling=None``).

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        features : ndarray of shape (n_accounts, n_features) or PostFeatures
            Pooled features (accounts without a valid post get ``fill_value``),
            or the per-post container when ``pooling=None``.
        """
        if self.pooling is None:
            return self.transform_posts(X)
        flat, values, mask = self._post_arrays(X)
        pooled = pool_posts(values, flat.offsets, mask, self.pooling, fill_value=self._fill())
        return self._wrap_output(pooled, X.index)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns (pooled) or of the per-post features.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = self._post_feature_names()
        if self.pooling is None:
            return names
        return self._pooled_feature_names(names)

    def _pooled_feature_names(self, names):
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _raise_not_a_frame(name, X, posts_column):
    shape = getattr(X, "shape", None)
    got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
    if isinstance(X, pd.DataFrame):
        raise AccountFrameError(
            f"{name} expects an account frame with a nested {posts_column!r} column; the "
            f"DataFrame's columns are {list(X.columns)}"
        )
    raise AccountFrameError(
        f"{name} expects an account frame (a pandas DataFrame with one row per account and a "
        f"nested {posts_column!r} column, see skinfluence.nest_posts); got {got}"
    )


def _post_labels(frame: pd.DataFrame, flat: FlatPosts, post_positions):
    """'post 'p7' (#2 of account 'acc1')' labels for error messages."""
    acc = flat.account_index()[post_positions]
    within = np.asarray(post_positions) - flat.offsets[acc]
    if ID_COLUMN in frame.columns:
        ids = frame[ID_COLUMN].to_numpy()[acc].tolist()
    else:
        ids = [f"row {a}" for a in acc]
    post_ids = None
    if "post_id" in flat.fields:
        post_ids = flat.column("post_id").combine_chunks().take(
            np.asarray(post_positions, dtype=np.int64)).to_pylist()
    out = []
    for k, (a, w) in enumerate(zip(ids, within, strict=True)):
        pid = f"post {post_ids[k]!r} " if post_ids is not None else "post "
        out.append(f"{pid}(#{w} of account {a!r})")
    return out


# ======================================================================= torch helpers


def _resolve_device(device, caller: str) -> str:
    """'auto' -> 'cuda' when available else 'cpu'; validate explicit devices."""
    from ..utils._optional import import_optional

    torch = import_optional("torch", extra="torch", caller=caller)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not (
        device == "cpu" or device == "mps" or device.startswith("cuda")
    ):
        raise _param_error(caller, "device", "'auto', 'cpu', 'cuda', 'cuda:<n>', 'mps' or a "
                           "torch.device", device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"{caller}: device={device!r} but CUDA is not available on this machine; use "
            "device='auto' (CUDA when available, else CPU) or device='cpu'"
        )
    return device


class _TorchBlob:
    """A torch module serialised with ``torch.save``, restored with a CPU fallback."""

    def __init__(self, module):
        import torch

        buf = io.BytesIO()
        torch.save(module, buf)
        self.data = buf.getvalue()

    def load(self):
        import torch

        location = None if torch.cuda.is_available() else "cpu"
        return torch.load(io.BytesIO(self.data), map_location=location, weights_only=False)


def _is_torch_module(obj) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def _getstate_torch(state: dict, keys, drop=()) -> dict:
    """Pickle-safe state: torch modules as bytes (loadable without CUDA), ``drop`` keys removed."""
    state = dict(state)
    for key in drop:
        if key in state:
            state[key] = None
    blobs = {}
    for key in keys:
        value = state.get(key)
        if _is_torch_module(value):
            same = [k for k, blob_of in blobs.items() if blob_of[0] is value]
            if same:  # the same module under two names (param and fitted attribute)
                state[key] = ("__same_module_as__", same[0])
            else:
                blobs[key] = (value, _TorchBlob(value))
                state[key] = blobs[key][1]
    return state


def _setstate_torch(state: dict, keys, caller: str) -> dict:
    for key in keys:
        value = state.get(key)
        if isinstance(value, _TorchBlob):
            state[key] = value.load()
    for key in keys:
        value = state.get(key)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "__same_module_as__":
            state[key] = state[value[1]]
    device = state.get("device_")
    if isinstance(device, str) and device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            if state.get("device") not in ("auto", None):
                warnings.warn(
                    f"{caller} was fitted on {device!r}, which is not available here; it runs on "
                    "the CPU instead",
                    UserWarning,
                    stacklevel=3,
                )
            state["device_"] = "cpu"
            for key in keys:
                if _is_torch_module(state.get(key)):
                    state[key] = state[key].to("cpu")
    return state


# ============================================================================ PostEncoder


@register("extractor")
class PostEncoder(_OutputMixin, ComponentMixin, TransformerMixin, BaseEstimator):
    """Per-post features from several extractors, one ragged matrix per account, for neural models.

    Runs each extractor's :meth:`transform_posts` on the account frame and
    puts the results side by side: one :class:`PostFeatures` whose rows are
    posts and whose columns are all extractors' features. Post labels,
    engagement and other post fields travel with it as extra per-post arrays,
    so they stay aligned with their account through cross-validation.

    Parameters
    ----------
    extractors : list of (str, estimator) tuples
        Named extractors with a ``transform_posts`` method
        (:class:`SentenceEmbedder`, :class:`ImageEmbedder`,
        :class:`SentimentFeatures`, :class:`TextStats`, or your own). They are
        cloned and fitted in ``fit``; their ``pooling`` is ignored. Nested
        parameters are reachable as ``<name>__<param>``.
    label_field : str, default=None
        Post field with the post's label (e.g. its category, for an auxiliary
        post-level task); carried as ``extras["label"]``.
    engagement_fields : list of str, default=None
        Numeric post fields summed into ``extras["engagement"]`` (missing
        values skipped; NaN when all are missing), the weights of
        ``PostPooler(method="weighted")``. Example: ``["likes", "comments"]``.
    extra_fields : list of str, default=()
        Further post fields carried as ``extras[field]`` (timestamps become
        seconds since the epoch, float).
    mask_mode : {"all", "any"}, default="all"
        A post is valid when all its extractors' features are valid
        (``"all"``), or when at least one is (``"any"``; the invalid parts
        are zeros). Per-extractor validity is kept in ``extras["<name>_mask"]``
        when there is more than one extractor.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    extractors_ : list of (str, estimator) tuples
        The fitted clones.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    PostFeatures : The container returned by ``transform``.
    PostPooler : Pool the container back to one row per account.

    Notes
    -----
    ``transform`` always returns a :class:`PostFeatures`; ``set_output`` is
    accepted (so ``Pipeline.set_output`` works) but does not change it.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.features._ragged import PostEncoder, PostPooler
    >>> from skinfluence.features._textstats import TextStats
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"], "text": ["#ad new serum", "gym", "hi @bo"],
    ...                   "likes": [10, 30, 5], "label": ["beauty", "fitness", "daily"]}))
    >>> enc = PostEncoder([("stats", TextStats(features=["hashtags", "mentions"]))],
    ...                   label_field="label", engagement_fields=["likes"])
    >>> posts = enc.fit_transform(frame)
    >>> posts
    PostFeatures(n_accounts=2, n_posts=3, n_features=2, masked=0, extras=['engagement', 'label'])
    >>> posts[[1]].extras["label"].tolist()
    ['daily']
    >>> PostPooler("weighted").fit_transform(posts).round(2).tolist()
    [[0.41, 0.0], [0.0, 1.0]]
    """


    def __init__(self, extractors, *, label_field=None, engagement_fields=None, extra_fields=(),
                 mask_mode="all", posts_column=POSTS_COLUMN):
        self.extractors = extractors
        self.label_field = label_field
        self.engagement_fields = engagement_fields
        self.extra_fields = extra_fields
        self.mask_mode = mask_mode
        self.posts_column = posts_column

    # ------------------------------------------------------------ params (nested)

    def get_params(self, deep=True):
        """Parameters of this encoder and, with ``deep=True``, of its extractors.

        Parameters
        ----------
        deep : bool, default=True
            Include ``<name>`` and ``<name>__<param>`` entries.

        Returns
        -------
        params : dict
        """
        out = super().get_params(deep=False)
        if not deep:
            return out
        try:
            pairs = list(self.extractors)
        except TypeError:
            return out
        for item in pairs:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                name, est = item
                out[name] = est
                if hasattr(est, "get_params"):
                    for key, value in est.get_params(deep=True).items():
                        out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params):
        """Set parameters, including ``<name>`` (replace an extractor) and ``<name>__<param>``.

        Returns
        -------
        self : PostEncoder
        """
        if "extractors" in params:
            self.extractors = params.pop("extractors")
        names = [n for n, _ in self.extractors]
        replace = {k: params.pop(k) for k in list(params) if k in names}
        if replace:
            self.extractors = [(n, replace.get(n, e)) for n, e in self.extractors]
        nested: dict[str, dict] = {}
        own = {}
        for key, value in params.items():
            head, sep, rest = key.partition("__")
            if sep and head in names:
                nested.setdefault(head, {})[rest] = value
            else:
                own[key] = value
        if own:
            super().set_params(**own)
        for name, sub in nested.items():
            dict(self.extractors)[name].set_params(**sub)
        return self

    def _check_params(self):
        name = "PostEncoder"
        pairs = self.extractors
        ok = isinstance(pairs, (list, tuple)) and len(pairs) > 0 and all(
            isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in pairs)
        if not ok:
            raise _param_error(name, "extractors", "a non-empty list of (name, extractor) tuples",
                               pairs)
        names = [n for n, _ in pairs]
        if len(set(names)) != len(names) or any("__" in n or not n for n in names):
            raise _param_error(name, "extractors", "a list with distinct, non-empty names "
                               "without '__'", names)
        for n, est in pairs:
            if not hasattr(est, "transform_posts") or not hasattr(est, "fit"):
                raise TypeError(
                    f"PostEncoder: extractor {n!r} ({type(est).__name__}) has no transform_posts "
                    "method; use SentenceEmbedder, ImageEmbedder, SentimentFeatures, TextStats or "
                    "an extractor that returns per-post features as a PostFeatures"
                )
        if self.mask_mode not in ("all", "any"):
            raise _param_error(name, "mask_mode", "'all' or 'any'", self.mask_mode)
        for pname in ("label_field",):
            v = getattr(self, pname)
            if v is not None and not isinstance(v, str):
                raise _param_error(name, pname, "a str or None", v)
        for pname in ("engagement_fields", "extra_fields"):
            v = getattr(self, pname)
            if v is None and pname == "engagement_fields":
                continue
            if isinstance(v, str) or not all(isinstance(f, str) for f in v):
                raise _param_error(name, pname, "a list of str" + (
                    " or None" if pname == "engagement_fields" else ""), v)
        reserved = {"label", "engagement"} | {f"{n}_mask" for n in names}
        clash = [f for f in self.extra_fields if f in reserved]
        if clash:
            raise _param_error(name, "extra_fields", f"fields whose names are not reserved "
                               f"({sorted(reserved)})", list(self.extra_fields))

    def _fields(self):
        fields = []
        if self.label_field is not None:
            fields.append(self.label_field)
        fields.extend(self.engagement_fields or ())
        fields.extend(self.extra_fields)
        return fields

    # --------------------------------------------------------------------- fit

    def fit(self, X, y=None):
        """Fit (clones of) the extractors on the account frame.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.
        y : array-like of shape (n_accounts,), default=None
            Passed to the extractors' ``fit``.

        Returns
        -------
        self : PostEncoder
        """
        self._check_extras()
        self._check_params()
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame("PostEncoder", X, self.posts_column)
        check_account_frame(self, X, reset=True, posts_column=self.posts_column,
                            required_post_fields=self._fields())
        fitted = []
        for name, est in self.extractors:
            fitted.append((name, clone(est).fit(X, y)))
        self.extractors_ = fitted
        return self

    def transform(self, X):
        """Per-post features of every extractor, side by side.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        PostFeatures
            ``n_accounts`` long; ``values`` of shape (n_posts, n_features), the
            extractors' per-post features side by side, named
            ``<extractor name>__<feature>``.
        """
        check_is_fitted(self)
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame("PostEncoder", X, self.posts_column)
        check_account_frame(self, X, reset=False, posts_column=self.posts_column,
                            required_post_fields=self._fields())
        parts = [(name, est.transform_posts(X)) for name, est in self.extractors_]
        offsets = parts[0][1].offsets
        for name, part in parts[1:]:
            if not np.array_equal(part.offsets, offsets):
                raise ValueError(
                    f"PostEncoder: extractor {name!r} returned a different number of posts per "
                    "account than the first extractor; every extractor must return one row per post"
                )
        masks = np.stack([p.mask for _, p in parts])
        mask = masks.all(axis=0) if self.mask_mode == "all" else masks.any(axis=0)
        values = np.concatenate([p.values for _, p in parts], axis=1)
        extras = {}
        if len(parts) > 1:
            extras.update({f"{name}_mask": p.mask for name, p in parts})
        flat = flatten_posts(X, posts_column=self.posts_column)
        if self.label_field is not None:
            extras["label"] = _field_array(flat, self.label_field)
        if self.engagement_fields:
            stacked = np.stack([flat.numeric(f) for f in self.engagement_fields])
            total = np.nansum(stacked, axis=0)
            total[np.isnan(stacked).all(axis=0)] = np.nan
            extras["engagement"] = total
        for field in self.extra_fields:
            extras[field] = _field_array(flat, field)
        names = []
        for name, part in parts:
            own = part.feature_names
            if own is None:
                own = [f"x{i}" for i in range(part.n_features)]
            names.extend(f"{name}__{f}" for f in own)
        return PostFeatures(values, offsets, mask=mask, extras=extras, feature_names=names,
                            index=X.index)

    def get_feature_names_out(self, input_features=None):
        """Per-post feature names, ``<extractor name>__<feature>``.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self, "extractors_")
        names = []
        for name, est in self.extractors_:
            if not hasattr(est, "_post_feature_names"):
                raise AttributeError(
                    f"PostEncoder: extractor {name!r} ({type(est).__name__}) does not name its "
                    "per-post features; read them from the container's feature_names instead"
                )
            names.extend(f"{name}__{f}" for f in est._post_feature_names())
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags

    @classmethod
    def get_test_params(cls):
        from ._textstats import TextStats

        return [
            {"extractors": [("stats", TextStats(features=["hashtags", "words"], pooling=None))]},
            {"extractors": [("stats", TextStats(features=["chars"]))],
             "label_field": "label", "engagement_fields": ["likes", "comments"]},
        ]


def _field_array(flat: FlatPosts, field: str) -> np.ndarray:
    import pyarrow as pa

    col = flat.column(field).combine_chunks()
    if pa.types.is_timestamp(col.type):
        import pyarrow.compute as pc

        micros = pc.cast(pc.cast(col, pa.timestamp("us", tz=col.type.tz)), pa.int64())
        return micros.to_numpy(zero_copy_only=False).astype(np.float64) / 1e6
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        if col.null_count:
            return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return col.to_numpy(zero_copy_only=False)
    if pa.types.is_boolean(col.type) and not col.null_count:
        return col.to_numpy(zero_copy_only=False)
    return np.asarray(col.to_pylist(), dtype=object)


# ============================================================================= PostPooler


@register("aggregator")
class PostPooler(_OutputMixin, ComponentMixin, TransformerMixin, BaseEstimator):
    """Pool per-post features (:class:`PostFeatures`) to one row per account, for classical models.

    Parameters
    ----------
    method : {"mean", "max", "weighted"} or list of them, default="mean"
        ``"weighted"`` is an attention-free weighted mean: post ``p`` of an
        account weighs ``g(engagement_p)`` (``g`` = ``weight_transform``),
        normalised over the account's valid posts. A list concatenates the
        poolings, in order.
    weight : str, default="engagement"
        Extra per-post array of the container used by ``"weighted"``
        (``PostEncoder(engagement_fields=[...])`` puts it there).
    weight_transform : {"log1p", "identity"}, default="log1p"
        ``g`` above: ``log1p`` keeps one viral post from dominating the
        account's vector.
    fill_value : float, default=0.0
        Output for accounts without any valid post (NaN allowed).

    Attributes
    ----------
    n_features_in_ : int
        Number of per-post features seen in ``fit``.
    post_feature_names_ : ndarray of str objects
        Their names (``x0, x1, ...`` when the container has none).

    See Also
    --------
    PostEncoder : Builds the container.

    Notes
    -----
    Masked-out posts are ignored. With ``"weighted"``, a missing (NaN)
    engagement counts as weight 0; an account whose valid posts all weigh 0
    gets the plain mean.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence.features._ragged import PostFeatures, PostPooler
    >>> pf = PostFeatures([[1.0], [3.0], [5.0]], [0, 2, 3],
    ...                   extras={"engagement": np.array([0.0, np.e - 1, 7.0])})
    >>> PostPooler(["mean", "weighted"]).fit_transform(pf).tolist()
    [[2.0, 3.0], [5.0, 5.0]]
    """


    def __init__(self, method="mean", *, weight="engagement", weight_transform="log1p",
                 fill_value=0.0):
        self.method = method
        self.weight = weight
        self.weight_transform = weight_transform
        self.fill_value = fill_value

    def _methods(self):
        methods = [self.method] if isinstance(self.method, str) else self.method
        try:
            methods = list(methods)
        except TypeError:
            methods = None
        if not methods or any(m not in _POOLER_METHODS for m in methods) or len(set(methods)) != len(methods):
            raise _param_error("PostPooler", "method", "one of 'mean', 'max', 'weighted' or a "
                               "list of distinct ones", self.method)
        return methods

    def _check_params(self):
        self._methods()
        if self.weight_transform not in ("log1p", "identity"):
            raise _param_error("PostPooler", "weight_transform", "'log1p' or 'identity'",
                               self.weight_transform)
        fill = self.fill_value
        if not (isinstance(fill, numbers.Real) and not isinstance(fill, bool)
                and (np.isfinite(fill) or np.isnan(fill))):
            raise _param_error("PostPooler", "fill_value", "a float (NaN allowed)", fill)

    def fit(self, X, y=None):
        """Record the number and names of the per-post features.

        Parameters
        ----------
        X : PostFeatures
        y : Ignored

        Returns
        -------
        self : PostPooler
        """
        self._check_extras()
        self._check_params()
        X = _as_post_features(X, "PostPooler")
        if "weighted" in self._methods() and self.weight not in X.extras:
            raise ValueError(
                f"PostPooler(method='weighted') needs the per-post array {self.weight!r} in the "
                f"container; it has {sorted(X.extras)}. Build it with "
                "PostEncoder(..., engagement_fields=['likes', 'comments'])"
            )
        self.n_features_in_ = X.n_features
        names = X.feature_names
        if names is None:
            names = np.asarray([f"x{i}" for i in range(X.n_features)], dtype=object)
        self.post_feature_names_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X):
        """Pool each account's valid posts.

        Parameters
        ----------
        X : PostFeatures

        Returns
        -------
        pooled : ndarray of shape (n_accounts, n_features_in_ * n_methods), dtype=float32
        """
        check_is_fitted(self)
        X = _as_post_features(X, "PostPooler")
        if X.n_features != self.n_features_in_:
            raise ValueError(
                f"X has {X.n_features} per-post features, but PostPooler was fitted with "
                f"{self.n_features_in_}"
            )
        blocks = []
        for method in self._methods():
            weights = None
            if method == "weighted":
                if self.weight not in X.extras:
                    raise ValueError(
                        f"PostPooler(method='weighted') needs the per-post array {self.weight!r}; "
                        f"the container has {sorted(X.extras)}"
                    )
                weights = np.asarray(X.extras[self.weight], dtype=np.float64)
                if self.weight_transform == "log1p":
                    weights = np.log1p(np.clip(weights, 0, None))
            blocks.append(pool_posts(X.values, X.offsets, X.mask, method, weights=weights,
                                     fill_value=float(self.fill_value)))
        out = np.concatenate(blocks, axis=1) if len(blocks) > 1 else blocks[0]
        return self._wrap_output(out, X.index)

    def get_feature_names_out(self, input_features=None):
        """``<method>__<per-post feature>`` for each pooling.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray([f"{m}__{n}" for m in self._methods() for n in self.post_feature_names_],
                          dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.posts = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags

    @classmethod
    def get_test_params(cls):
        return [{}, {"method": ["max", "weighted"], "weight_transform": "identity"}]
