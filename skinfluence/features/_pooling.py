"""Pooling: per-post rows to one row per account (:func:`pool_posts`, :class:`PostPooler`)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..ragged import check_post_features, segment_max, segment_sum
from ..registry import register
from ..utils._param_validation import OptionList, Real, StrOptions, fit_context

__all__ = ["PostPooler", "pool_posts", "pool_sparse"]

_POOLER_METHODS = ("mean", "max", "weighted")


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
    >>> from skinfluence import pool_posts
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
    count = segment_sum(valid.astype(np.float64), offsets)
    has = count > 0
    n, d = len(offsets) - 1, values.shape[1]
    out = np.full((n, d), fill_value, dtype=values.dtype)
    if how == "max":
        if has.any():
            mx = segment_max(np.where(valid[:, None], values, -np.inf), offsets, -np.inf)
            out[has] = mx[has]
        return out
    if how not in ("mean", "weighted"):
        raise ValueError(f"how must be one of ('mean', 'max', 'weighted'); got {how!r}")
    vz = np.where(valid[:, None], values, 0)
    mean = segment_sum(vz, offsets)
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
        wsum = segment_sum(w, offsets)
        weighted = segment_sum(vz * w[:, None].astype(values.dtype), offsets)
        use = wsum > 0
        out[use] = (weighted[use] / wsum[use, None]).astype(values.dtype)
    return out


def pool_sparse(matrix, offsets, mask=None, how="mean", *, weights=None):
    """Pool sparse per-post rows to one sparse row per account, without densifying them.

    Parameters
    ----------
    matrix : sparse matrix of shape (n_posts, n_columns)
        One row per post (e.g. a :class:`~skinfluence.PostFeatures` sparse channel).
    offsets : ndarray of shape (n_accounts + 1,)
    mask : ndarray of shape (n_posts,), dtype=bool, default=None
        Valid posts (None: all).
    how : {"mean", "max", "weighted"}, default="mean"
        As :func:`pool_posts`; an entry absent from a row counts as 0 (so the
        ``"max"`` of a column some valid post lacks is at least 0).
    weights : ndarray of shape (n_posts,), default=None
        Needed for ``"weighted"``.

    Returns
    -------
    pooled : csr_matrix of shape (n_accounts, n_columns), dtype=float32
        All-zero rows for accounts without a valid post.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from skinfluence.features import pool_sparse
    >>> m = sp.csr_matrix([[1.0, 0.0], [3.0, -2.0], [0.0, 5.0]])
    >>> pool_sparse(m, [0, 2, 2, 3]).toarray().tolist()
    [[2.0, -1.0], [0.0, 0.0], [0.0, 5.0]]
    >>> pool_sparse(m, [0, 2, 2, 3], how="max").toarray().tolist()
    [[3.0, 0.0], [0.0, 0.0], [0.0, 5.0]]
    """
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    offsets = np.asarray(offsets, dtype=np.int64)
    n_posts, n_cols = matrix.shape
    n = len(offsets) - 1
    valid = np.ones(n_posts, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    account = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    count = segment_sum(valid.astype(np.float64), offsets)
    if how == "max":
        coo = matrix[valid].tocoo()
        acc = account[valid][coo.row]
        if not len(acc):
            return sp.csr_matrix((n, n_cols), dtype=np.float32)
        order = np.lexsort((coo.col, acc))
        acc, col, data = acc[order], coo.col[order], coo.data[order]
        start = np.flatnonzero(np.r_[True, (acc[1:] != acc[:-1]) | (col[1:] != col[:-1])])
        top = np.maximum.reduceat(data, start)
        seen = np.diff(np.r_[start, len(acc)])
        # a column that some valid post of the account lacks has an implicit 0 among them
        top = np.where(seen < count[acc[start]], np.maximum(top, 0), top)
        out = sp.csr_matrix((top, (acc[start], col[start])), shape=(n, n_cols), dtype=np.float32)
        out.eliminate_zeros()
        return out
    if how not in ("mean", "weighted"):
        raise ValueError(f"how must be one of ('mean', 'max', 'weighted'); got {how!r}")
    w = np.where(valid, 1.0 / np.maximum(count, 1.0)[account], 0.0)
    if how == "weighted":
        if weights is None:
            raise ValueError("how='weighted' needs per-post weights")
        ww = np.asarray(weights, dtype=np.float64)
        if ww.shape != (n_posts,):
            raise ValueError(f"weights must have shape ({n_posts},); got {ww.shape}")
        if np.any(ww < 0):
            raise ValueError("weights must be non-negative (NaN counts as 0)")
        ww = np.where(valid & np.isfinite(ww), ww, 0.0)
        wsum = segment_sum(ww, offsets)
        use = (wsum > 0)[account]
        w = np.where(use, ww / np.where(wsum > 0, wsum, 1.0)[account], w)
    A = sp.csr_matrix((w, (account, np.arange(n_posts))), shape=(n, n_posts))
    out = sp.csr_matrix(A @ matrix, dtype=np.float32)
    out.eliminate_zeros()
    return out


@register("aggregator")
class PostPooler(ComponentMixin, TransformerMixin, BaseEstimator):
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
        Output for accounts without any valid post (NaN allowed). Sparse
        channels give all-zero rows for them whatever this is.

    Attributes
    ----------
    n_features_in_ : int
        Number of per-post features seen in ``fit``.
    post_feature_names_ : ndarray of str objects
        Their names (``x0, x1, ...`` when the container has none).
    sparse_widths_ : dict of str -> int
        Sparse channels of the container seen in ``fit`` (e.g. from
        :class:`HashedTfidf`) and their numbers of columns.

    See Also
    --------
    PostEncoder : Builds the container.

    Notes
    -----
    Masked-out posts are ignored. With ``"weighted"``, a missing (NaN)
    engagement counts as weight 0; an account whose valid posts all weigh 0
    gets the plain mean.

    A container with sparse channels (:class:`HashedTfidf` inside a
    :class:`PostEncoder`) is pooled to a scipy CSR matrix: for each method,
    the dense features, then each sparse channel's columns (pooled with
    :func:`pool_sparse`, never densified). Pandas output is not available
    then (scikit-learn's ``set_output`` does not take sparse data).

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence import PostFeatures, PostPooler
    >>> pf = PostFeatures([[1.0], [3.0], [5.0]], [0, 2, 3],
    ...                   extras={"engagement": np.array([0.0, np.e - 1, 7.0])})
    >>> PostPooler(["mean", "weighted"]).fit_transform(pf).tolist()
    [[2.0, 3.0], [5.0, 5.0]]
    """

    _parameter_constraints: dict = {
        "method": [OptionList(_POOLER_METHODS)],
        "weight": [str],
        "weight_transform": [StrOptions({"log1p", "identity"})],
        "fill_value": [Real],
    }

    def __init__(self, method="mean", *, weight="engagement", weight_transform="log1p",
                 fill_value=0.0):
        self.method = method
        self.weight = weight
        self.weight_transform = weight_transform
        self.fill_value = fill_value

    def _methods(self):
        return [self.method] if isinstance(self.method, str) else list(self.method)

    @fit_context
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
        X = check_post_features(X, "PostPooler", fit=True)
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
        self.sparse_widths_ = {k: m.shape[1] for k, m in sorted(X._sparse().items())}
        return self

    def transform(self, X):
        """Pool each account's valid posts.

        Parameters
        ----------
        X : PostFeatures

        Returns
        -------
        pooled : ndarray of shape (n_accounts, `n_features_in_` * n_methods), dtype=float32
            Follows ``set_output`` (scikit-learn's wrapping; a pandas output has a
            fresh RangeIndex, as the container is not a DataFrame). A CSR matrix
            with the sparse channels' columns added when the container has
            sparse channels.
        """
        check_is_fitted(self)
        X = check_post_features(X, "PostPooler")
        if X.n_features != self.n_features_in_:
            raise ValueError(
                f"X has {X.n_features} per-post features, but PostPooler was fitted with "
                f"{self.n_features_in_}"
            )
        widths = {k: m.shape[1] for k, m in sorted(X._sparse().items())}
        fitted_widths = getattr(self, "sparse_widths_", {})
        if widths != fitted_widths:
            raise ValueError(
                f"X has the sparse channels {widths} (name: columns), but PostPooler was fitted "
                f"with {fitted_widths}"
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
            blocks.extend(pool_sparse(X.sparse[k], X.offsets, X.mask, method, weights=weights)
                          for k in widths)
        if widths:
            return sp.hstack([sp.csr_matrix(b) for b in blocks], format="csr", dtype=np.float32)
        return np.concatenate(blocks, axis=1) if len(blocks) > 1 else blocks[0]

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
        names = []
        for m in self._methods():
            names.extend(f"{m}__{n}" for n in self.post_feature_names_)
            for k, width in getattr(self, "sparse_widths_", {}).items():
                names.extend(f"{m}__{k}__{j}" for j in range(width))
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.posts = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags

    @classmethod
    def get_test_params(cls):
        return [{}, {"method": ["max", "weighted"], "weight_transform": "identity"}]
