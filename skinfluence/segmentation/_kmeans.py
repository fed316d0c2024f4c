"""KMeansSegmenter: account segments with automatic k, readable names and profiles in original units."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    clone,
)
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import pairwise_distances_argmin
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from threadpoolctl import threadpool_info, threadpool_limits

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, is_account_frame
from ..registry import register
from ..tiers import follower_tier
from ..utils._param_validation import (
    HasMethods,
    Integral,
    Interval,
    StrOptions,
    fit_context,
    validate_parameter_constraints,
)

__all__ = [
    "KMeansSegmenter",
    "make_silhouette_scorer",
    "silhouette_scorer",
    "SKEW_THRESHOLD",
    "SPAN_THRESHOLD",
    "LOG_OFFSET_QUANTILE",
    "MINIBATCH_ABOVE",
]

#: ``log_features="auto"`` logs a non-negative column whose sample skewness exceeds this...
SKEW_THRESHOLD = 1.0
#: ... or whose positive values span this ratio (99 % quantile / 5 % quantile) or more.
SPAN_THRESHOLD = 100.0
#: A logged column ``x`` becomes ``log1p(x / c)``, ``c`` this quantile of its positive values.
LOG_OFFSET_QUANTILE = 0.05
#: ``algorithm="auto"`` switches from KMeans to MiniBatchKMeans above this many accounts.
MINIBATCH_ABOVE = 500_000
#: Batch size of MiniBatchKMeans.
MINIBATCH_SIZE = 4096
#: Below this many accounts the k values are fitted one after the other on one thread;
#: from this size on, in parallel (one single-threaded k-means per thread).
SINGLE_THREAD_BELOW = 10_000
#: Memory for one block of the pairwise distance matrix in the silhouette (bytes).
_WORKING_MEMORY = 64 * 2**20
#: Separator of tier and engagement level in segment names.
NAME_SEPARATOR = " · "


# --------------------------------------------------------------------------- silhouette


def _silhouettes(Z, labelings) -> list[float]:
    """Mean silhouette of several labelings of the same points, sharing one distance pass.

    Equal to ``sklearn.metrics.silhouette_score(Z, labels)`` for each labeling
    (Euclidean metric), but the pairwise distances are computed once, block by
    block, and reduced against the one-hot matrices of all labelings at once
    (one matrix product), instead of once per labeling. A labeling with fewer
    than 2 or more than ``n - 1`` distinct labels gets NaN (undefined).
    """
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    m = len(Z)
    rows = np.arange(m)
    encoded = []
    for labels in labelings:
        uniq, inv = np.unique(np.asarray(labels), return_inverse=True)
        encoded.append((inv.ravel(), len(uniq)))
    total = sum(k for _, k in encoded)
    onehot = np.zeros((m, total))
    col = 0
    for inv, k in encoded:
        onehot[rows, col + inv] = 1.0
        col += k
    sums = np.empty((m, total))  # sums[i, c]: sum of distances from point i to the members of c
    sq = np.einsum("ij,ij->i", Z, Z)
    step = max(1, _WORKING_MEMORY // (8 * max(m, 1)))
    for start in range(0, m, step):
        stop = min(start + step, m)
        block = Z[start:stop] @ Z.T
        block *= -2.0
        block += sq[start:stop, None]
        block += sq[None, :]
        np.maximum(block, 0.0, out=block)
        np.sqrt(block, out=block)
        block[np.arange(stop - start), np.arange(start, stop)] = 0.0
        sums[start:stop] = block @ onehot
    scores = []
    col = 0
    for inv, k in encoded:
        s_all = sums[:, col:col + k]
        col += k
        if not 2 <= k <= m - 1:
            scores.append(float("nan"))
            continue
        counts = np.bincount(inv, minlength=k).astype(np.float64)
        own = counts[inv]
        a = s_all[rows, inv] / np.maximum(own - 1.0, 1.0)
        mean_to = s_all / counts
        mean_to[rows, inv] = np.inf
        b = mean_to.min(axis=1)
        denom = np.maximum(a, b)
        s = np.zeros(m)
        np.divide(b - a, denom, out=s, where=denom > 0)
        s[own == 1] = 0.0
        scores.append(float(np.mean(s)))
    return scores


def _sample_rows(n, size, rng) -> np.ndarray:
    if size is None or n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


# ---------------------------------------------------------------------------- estimator


@register("segmenter")
class KMeansSegmenter(
    ComponentMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator
):
    """Segment accounts with k-means: scaling inside, automatic k, readable segment names.

    The account features (followers, engagement rate, posting cadence, ...) are
    log-transformed where heavy tailed, scaled, and clustered with k-means. With
    ``n_clusters="auto"`` every k of ``k_range`` is fitted and the one with the
    best silhouette (on a fixed random sample of accounts) is kept. The segments
    are described in the input's units (``segment_profiles_``) and named by
    follower tier and engagement level ("micro · high engagement").

    Parameters
    ----------
    n_clusters : "auto" or int, default="auto"
        Number of segments. "auto" picks k in ``k_range`` by silhouette.
    k_range : tuple of (int, int), default=(2, 10)
        Smallest and largest k tried by ``n_clusters="auto"`` (both included).
        The largest is capped at the number of accounts in the silhouette
        sample minus one (the silhouette is defined for 2 <= k <= n - 1).
    scaler : "standard", "robust", None or transformer, default="standard"
        Scaling applied (after the log) before k-means: ``StandardScaler``,
        ``RobustScaler`` (median / IQR; steadier with outliers), none, or a
        transformer with ``fit``, ``transform`` and ``inverse_transform``
        (cloned; e.g. ``make_pipeline(StandardScaler(), PCA(3))``). The inverse
        brings the centroids back to the input's units.
    log_features : "auto", None or list of str or int, default="auto"
        Columns mapped by ``x -> log1p(x / c)`` before scaling, where ``c`` is
        the 5 % quantile of the column's positive values in ``fit`` (1 when it
        has none). "auto": every column with no negative value whose sample
        skewness exceeds 1 (``SKEW_THRESHOLD``); None: no column; a list:
        these columns (names need DataFrame input), which must be non-negative.
        See Notes.
    silhouette_sample_size : int or None, default=10_000
        The silhouette is computed on this many accounts drawn at random
        (without replacement; the same accounts for every k). None, or at
        least as many accounts as there are: all accounts (exact silhouette).
    n_init : int or "auto", default=3
        Number of k-means++ restarts for each k (passed to ``KMeans``); the best
        inertia wins.
    max_iter : int, default=300
        Maximum Lloyd iterations per restart.
    algorithm : {"auto", "lloyd", "minibatch"}, default="auto"
        ``KMeans`` ("lloyd") or ``MiniBatchKMeans`` (batches of 4,096 accounts).
        "auto": MiniBatchKMeans above 500,000 accounts (``MINIBATCH_ABOVE``).
    followers_feature : "auto", str, int or None, default="auto"
        Column with the follower count, used to name segments by tier (and to
        order them). "auto": the column named ``followers`` (or ending in
        ``__followers``, as ``ColumnTransformer`` names it) if there is one.
        A name (DataFrame input) or a column index. None: not used.
    engagement_feature : "auto", str, int or None, default="auto"
        Column with the engagement measure, used to name segments by level.
        "auto": the column named ``engagement_rate`` (or ending in
        ``__engagement_rate``) if there is one.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means initialisation and the silhouette sample. An int
        makes ``fit`` deterministic.

    Attributes
    ----------
    n_clusters_ : int
        Number of segments kept.
    labels_ : ndarray of shape (n_samples,)
        Segment of each training account, ``0 .. n_clusters_ - 1``.
    cluster_centers_ : ndarray of shape (`n_clusters_`, n_components)
        Centroids in the scaled space (the space of ``transform``).
    inertia_ : float
        Sum of squared distances of the accounts to their centroid (scaled space).
    n_iter_ : int
        Iterations of the k-means run kept.
    silhouette_ : float
        Silhouette of the kept segmentation on the sample (NaN for one segment).
    silhouette_scores_ : dict of int to float
        Silhouette of every k tried (one entry when ``n_clusters`` is an int).
    silhouette_sample_size_ : int
        Number of accounts the silhouettes were computed on.
    segment_profiles_ : pandas.DataFrame
        One row per segment (index ``segment``): ``name``, ``size``, ``share``
        and the centroid of every input feature in the input's units.
    segment_names_ : ndarray of str of shape (`n_clusters_`,)
        Readable, unique segment names (see Notes).
    log_features_ : ndarray of int
        Indices of the log-transformed columns.
    log_offsets_ : ndarray of float
        The offset ``c`` of each log-transformed column.
    engagement_terciles_ : ndarray of shape (2,) or None
        The 1/3 and 2/3 quantiles of the engagement feature over the training
        accounts (the bounds of "low", "medium", "high").
    scaler_ : transformer or None
        The fitted scaler.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit`` (DataFrame input only).

    See Also
    --------
    sklearn.cluster.KMeans : The clustering underneath.
    skinfluence.segmentation.silhouette_scorer : Scorer for ``GridSearchCV``.
    skinfluence.tiers.follower_tier : The follower tiers of the segment names.

    Notes
    -----
    **Log.** Follower counts, likes and engagement rates span orders of
    magnitude; k-means on raw (or merely standardised) values spends its
    segments on the few largest accounts. Dividing by ``c`` before ``log1p``
    makes the transform unit-free: an engagement rate (0.01-0.2) is logged as
    a count is, where plain ``log1p`` would leave it almost unchanged.

    **Missing values** are rejected with an error naming the columns and rows;
    impute first (``make_pipeline(SimpleImputer(strategy="median"),
    KMeansSegmenter())``) or drop the accounts.

    **Profiles** are the centroids mapped back through the scaler and the
    log. For a logged column this is a geometric-type mean of the segment
    (close to its median when the segment is log-normal), not the arithmetic
    mean, which a few very large accounts would dominate; for the other
    columns it is the segment mean.

    **Names.** The tier of the centroid's follower count
    (:func:`skinfluence.tiers.follower_tier`: nano, micro, mid, macro, mega)
    and the engagement level of its engagement value: "low" below the 1/3
    quantile of the training accounts' values, "high" above the 2/3 quantile,
    "medium" otherwise; joined as "micro · high engagement". Without an
    engagement feature the name is the tier, without a followers feature the
    level, without both "segment <label>". A repeated name gets " (2)", " (3)",
    ... in segment order.

    **Order.** Segments are numbered by increasing follower centroid when a
    followers feature is known, else by decreasing size.

    **Threads.** From 10,000 accounts on, the k values of ``n_clusters="auto"``
    are fitted concurrently, one single-threaded k-means per thread (as many
    as OpenMP may use); results do not depend on the scheduling.

    ``transform`` returns the distances to the centroids in the scaled space,
    like ``KMeans``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skinfluence.segmentation import KMeansSegmenter
    >>> rng = np.random.default_rng(0)
    >>> followers = np.r_[rng.lognormal(np.log(3e3), .3, 40), rng.lognormal(np.log(4e4), .3, 30),
    ...                   rng.lognormal(np.log(3e6), .3, 30)]
    >>> rate = np.r_[rng.normal(.10, .01, 40), rng.normal(.05, .005, 30), rng.normal(.015, .002, 30)]
    >>> X = pd.DataFrame({"followers": followers, "engagement_rate": rate})
    >>> seg = KMeansSegmenter(random_state=0).fit(X)
    >>> seg.n_clusters_
    3
    >>> seg.segment_profiles_.round(3)
                                  name  size  share    followers  engagement_rate
    segment
    0           nano · high engagement    40    0.4     2982.832            0.100
    1        micro · medium engagement    30    0.3    43501.932            0.049
    2            mega · low engagement    30    0.3  3073917.607            0.015
    >>> seg.predict_names(pd.DataFrame({"followers": [2e6], "engagement_rate": [0.02]}))
    array(['mega · low engagement'], dtype=object)
    """

    _parameter_constraints: dict = {
        "n_clusters": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "k_range": [tuple, list],  # the pair itself is checked in fit (two bounds together)
        "scaler": [
            StrOptions({"standard", "robust"}),
            None,
            HasMethods(["fit", "transform", "inverse_transform"]),
        ],
        "log_features": [StrOptions({"auto"}), None, "array-like"],
        "silhouette_sample_size": [Interval(Integral, 3, None, closed="left"), None],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "algorithm": [StrOptions({"auto", "lloyd", "minibatch"})],
        "followers_feature": [str, Integral, None],
        "engagement_feature": [str, Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters: str | int = "auto",
        *,
        k_range: tuple[int, int] = (2, 10),
        scaler: str | TransformerMixin | None = "standard",
        log_features: str | Sequence[str | int] | None = "auto",
        silhouette_sample_size: int | None = 10_000,
        n_init: int | str = 3,
        max_iter: int = 300,
        algorithm: str = "auto",
        followers_feature: str | int | None = "auto",
        engagement_feature: str | int | None = "auto",
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.scaler = scaler
        self.log_features = log_features
        self.silhouette_sample_size = silhouette_sample_size
        self.n_init = n_init
        self.max_iter = max_iter
        self.algorithm = algorithm
        self.followers_feature = followers_feature
        self.engagement_feature = engagement_feature
        self.random_state = random_state

    # ------------------------------------------------------------------ params

    def _check_structured_params(self):
        """What the declared constraints cannot say: the two bounds of ``k_range`` together,
        and a transformer class passed where an instance is needed."""
        kr = self.k_range
        if not (
            len(kr) == 2 and all(isinstance(v, Integral) for v in kr) and 2 <= kr[0] <= kr[1]
        ):
            raise ValueError(
                f"The 'k_range' parameter of {type(self).__name__} must be a pair of ints "
                f"(low, high) with 2 <= low <= high. Got {kr!r} instead."
            )
        if isinstance(self.scaler, type):
            raise ValueError(
                f"The 'scaler' parameter of {type(self).__name__} must be a transformer instance, "
                f"not the class {self.scaler.__name__}: pass {self.scaler.__name__}()."
            )

    # ------------------------------------------------------------------- input

    def _feature_labels(self):
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(v) for v in names]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _reject_non_numeric(self, X):
        """Name the columns that are not numbers (a raw account frame, say) and the fix."""
        import pandas as pd

        name = type(self).__name__
        pipe = f"make_pipeline(EngagementAggregator(), {name}())"
        if is_account_frame(X):
            raise AccountFrameError(
                f"{name} clusters numeric per-account features, but X is an account frame with "
                f"nested posts (column {POSTS_COLUMN!r}). Put EngagementAggregator first, which "
                f"turns the posts into engagement features: {pipe}"
            )
        if isinstance(X, pd.DataFrame):
            types = pd.api.types
            bad = [c for c, dtype in X.dtypes.items()
                   if not (types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype))]
            if bad:
                raise AccountFrameError(
                    f"{name} needs numeric features; column(s) {bad} of X are not numeric "
                    f"(dtypes {[str(X[c].dtype) for c in bad]}). Drop them (an id or a handle is "
                    f"not a feature), or build numeric features first, e.g. {pipe} for the posts "
                    "of an account frame"
                )
            return
        arr = np.asarray(X) if isinstance(X, (list, tuple, np.ndarray)) else None
        if arr is not None and arr.ndim == 2 and arr.dtype.kind in "OUS":
            for j in range(arr.shape[1]):
                try:
                    arr[:, j].astype(np.float64)
                except ValueError:  # a string that is no number (other types: numpy's TypeError)
                    i, value = next((i, v) for i, v in enumerate(arr[:, j]) if not _is_number(v))
                    raise AccountFrameError(
                        f"{name} needs numeric features; column {j} of X holds values that are "
                        f"not numbers (row {i}: {value!r}). Drop it, or build numeric features "
                        f"first, e.g. {pipe} for the posts of an account frame"
                    ) from None

    def _validate(self, X, *, reset):
        self._reject_non_numeric(X)
        index = getattr(X, "index", None) if hasattr(X, "columns") else None
        X = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
        bad = ~np.isfinite(X)
        if bad.any():
            labels = self._feature_labels()
            parts = []
            for j in np.flatnonzero(bad.any(axis=0)):
                rows = np.flatnonzero(bad[:, j])
                shown = index[rows[:5]].tolist() if index is not None else rows[:5].tolist()
                n_nan = int(np.isnan(X[rows, j]).sum())
                kind = "NaN" if n_nan == len(rows) else "infinity" if n_nan == 0 else "NaN or infinity"
                where = "index labels" if index is not None else "row positions"
                more = f" (first 5 of {len(rows)})" if len(rows) > 5 else ""
                parts.append(f"column {labels[j]!r} has {kind} in {len(rows)} row(s), "
                             f"{where} {shown}{more}")
            raise ValueError(
                f"{type(self).__name__} does not accept missing or infinite values: "
                + "; ".join(parts)
                + ". Impute them first, e.g. make_pipeline(SimpleImputer(strategy='median'), "
                f"{type(self).__name__}()), or drop those accounts."
            )
        return X

    def _resolve_feature(self, param, default_name):
        value = getattr(self, param)
        names = getattr(self, "feature_names_in_", None)
        if value is None:
            return None
        if isinstance(value, str) and value == "auto":
            if names is None:
                return None
            names = [str(v) for v in names]
            if default_name in names:
                return names.index(default_name)
            hits = [j for j, v in enumerate(names) if v.endswith("__" + default_name)]
            return hits[0] if len(hits) == 1 else None
        if isinstance(value, Integral):
            if -self.n_features_in_ <= value < self.n_features_in_:
                return int(value) % self.n_features_in_
            raise ValueError(
                f"The {param!r} parameter of {type(self).__name__} is column index {value}, but X "
                f"has {self.n_features_in_} columns."
            )
        # a column name (the declared constraints allow nothing else here)
        if names is None:
            raise ValueError(
                f"The {param!r} parameter of {type(self).__name__} names the column {value!r}, "
                "but X has no column names (it was fitted on an array); pass a column index "
                "or a DataFrame."
            )
        names = [str(v) for v in names]
        if value not in names:
            raise ValueError(
                f"The {param!r} parameter of {type(self).__name__} names the column {value!r}, "
                f"which X does not have; its columns are {names}."
            )
        return names.index(value)

    def _resolve_log(self, X):
        value = self.log_features
        labels = self._feature_labels()
        if value is None:
            return np.empty(0, dtype=np.intp)
        if isinstance(value, str):  # "auto"
            picked = [j for j in range(X.shape[1]) if _heavy_tailed(X[:, j])]
            return np.asarray(picked, dtype=np.intp)
        items = list(value)
        names = getattr(self, "feature_names_in_", None)
        picked = []
        for item in items:
            if isinstance(item, Integral) and -X.shape[1] <= item < X.shape[1]:
                picked.append(int(item) % X.shape[1])
            elif isinstance(item, str) and names is not None and item in [str(v) for v in names]:
                picked.append([str(v) for v in names].index(item))
            else:
                raise ValueError(
                    f"The 'log_features' parameter of {type(self).__name__} lists {item!r}, which "
                    f"is not a column of X (columns: {labels}; names need DataFrame input)."
                )
        picked = sorted(set(picked))
        for j in picked:
            neg = np.flatnonzero(X[:, j] < 0)
            if len(neg):
                raise ValueError(
                    f"Column {labels[j]!r} is listed in log_features but has negative values in "
                    f"{len(neg)} row(s), row positions {neg[:5].tolist()}; log_features columns "
                    "must be non-negative."
                )
        return np.asarray(picked, dtype=np.intp)

    def _log(self, X, check=True):
        if not len(self.log_features_):
            return X
        X = X.copy()
        cols = X[:, self.log_features_]
        if check and (cols < 0).any():
            labels = self._feature_labels()
            j, rows = next(
                (j, np.flatnonzero(cols[:, i] < 0)) for i, j in enumerate(self.log_features_)
                if (cols[:, i] < 0).any()
            )
            raise ValueError(
                f"Column {labels[j]!r} is log-transformed by {type(self).__name__} (log_features_) "
                f"and must be non-negative, but {len(rows)} row(s) hold negative values, row "
                f"positions {rows[:5].tolist()}."
            )
        X[:, self.log_features_] = np.log1p(cols / self.log_offsets_)
        return X

    def _space(self, X):
        """Validated input -> the scaled space the centroids live in."""
        Xl = self._log(X)
        if self.scaler_ is None:
            return Xl
        return np.asarray(self.scaler_.transform(Xl), dtype=np.float64)

    def _to_input_units(self, Z):
        if self.scaler_ is not None:
            Z = np.asarray(self.scaler_.inverse_transform(Z), dtype=np.float64)
        else:
            Z = np.array(Z, dtype=np.float64)
        if len(self.log_features_):
            Z[:, self.log_features_] = np.expm1(Z[:, self.log_features_]) * self.log_offsets_
        return Z

    def _make_scaler(self):
        if self.scaler is None:
            return None
        if isinstance(self.scaler, str):
            scaler = StandardScaler() if self.scaler == "standard" else RobustScaler()
        else:
            scaler = clone(self.scaler)
        if hasattr(scaler, "set_output"):  # inner arrays, whatever the global transform_output
            scaler.set_output(transform="default")
        return scaler

    def _model(self, k, n_samples, seed):
        minibatch = self.algorithm == "minibatch" or (
            self.algorithm == "auto" and n_samples > MINIBATCH_ABOVE)
        if minibatch:
            return MiniBatchKMeans(k, n_init=self.n_init, max_iter=self.max_iter,
                                   batch_size=MINIBATCH_SIZE, random_state=seed)
        return KMeans(k, n_init=self.n_init, max_iter=self.max_iter, random_state=seed)

    def _fit_all(self, Z, ks, seed):
        """Fit one k-means per k; see "Threads" in docs/segmentation.md."""
        n = len(Z)

        def fit_one(k):
            with threadpool_limits(1, user_api="openmp"):
                return self._model(k, n, seed).fit(Z)

        if len(ks) == 1 and n >= SINGLE_THREAD_BELOW:  # one k: scikit-learn's own threading
            return [self._model(ks[0], n, seed).fit(Z)]
        workers = min(len(ks), _n_threads()) if n >= SINGLE_THREAD_BELOW else 1
        if workers <= 1:
            return [fit_one(k) for k in ks]
        # one single-threaded k-means per worker thread (the Cython loops release the GIL):
        # no per-iteration synchronisation between threads, and the results do not depend on
        # the scheduling. BLAS stays on one thread meanwhile (KMeans limits it itself; the
        # outer limit keeps the concurrent save/restore of that limit consistent).
        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
            return list(pool.map(fit_one, ks))

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X: ArrayLike, y: None = None) -> KMeansSegmenter:
        """Scale, cluster (choosing k when ``n_clusters="auto"``), profile and name the segments.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Account features, one row per account; no missing values.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : KMeansSegmenter
        """
        self._check_extras()
        self._check_structured_params()
        X = self._validate(X, reset=True)
        n = X.shape[0]
        sample_cap = n if self.silhouette_sample_size is None else min(n, self.silhouette_sample_size)
        if self.n_clusters == "auto":
            low, high = self.k_range
            high = min(high, sample_cap - 1)
            if low > high:
                raise ValueError(
                    f"n_samples={n} is too few for n_clusters='auto' with k_range={tuple(self.k_range)}"
                    f" and silhouette_sample_size={self.silhouette_sample_size}: the silhouette "
                    f"of k={low} segments needs at least {low + 1} accounts in the silhouette "
                    "sample. Pass more accounts or an int n_clusters."
                )
            ks = list(range(low, high + 1))
        else:
            if n < self.n_clusters:
                raise ValueError(f"n_samples={n} should be >= n_clusters={self.n_clusters}.")
            ks = [self.n_clusters]
        followers_idx = self._resolve_feature("followers_feature", "followers")
        engagement_idx = self._resolve_feature("engagement_feature", "engagement_rate")

        self.log_features_ = self._resolve_log(X)
        offsets = []
        for j in self.log_features_:
            pos = X[:, j][X[:, j] > 0]
            offsets.append(np.quantile(pos, LOG_OFFSET_QUANTILE) if len(pos) else 1.0)
        self.log_offsets_ = np.asarray(offsets, dtype=np.float64)
        Xl = self._log(X, check=False)
        self.scaler_ = self._make_scaler()
        Z = Xl if self.scaler_ is None else np.asarray(
            self.scaler_.fit_transform(Xl), dtype=np.float64)
        if Z.ndim != 2 or Z.shape[0] != n:
            raise ValueError(
                f"The scaler of {type(self).__name__} must return a 2-D array with one row per "
                f"account; got shape {getattr(Z, 'shape', None)}."
            )

        rng = check_random_state(self.random_state)
        seed = rng.randint(np.iinfo(np.int32).max)
        sample = _sample_rows(n, self.silhouette_sample_size, rng)
        models = self._fit_all(Z, ks, seed)
        scores = _silhouettes(Z[sample], [m.labels_[sample] for m in models])
        if self.n_clusters == "auto":
            finite = [i for i, s in enumerate(scores) if np.isfinite(s)]
            if not finite:
                raise ValueError(
                    f"The silhouette is undefined for every k in {ks}: the accounts form fewer than "
                    "two distinct groups (e.g. identical rows). Pass an int n_clusters."
                )
            best = max(finite, key=lambda i: (scores[i], -ks[i]))  # ties: the smaller k
        else:
            best = 0
        model = models[best]
        k = ks[best]

        # centroids in input units; segments ordered by followers, else by size
        centers = np.asarray(model.cluster_centers_, dtype=np.float64)
        sizes = np.bincount(model.labels_, minlength=k)
        original = self._to_input_units(centers)
        if followers_idx is not None:
            order = np.lexsort((-sizes, original[:, followers_idx]))
        else:
            order = np.lexsort((np.arange(k), -sizes))
        relabel = np.empty(k, dtype=np.int64)
        relabel[order] = np.arange(k)

        self.silhouette_scores_ = {int(kk): float(s) for kk, s in zip(ks, scores, strict=True)}
        self.silhouette_ = float(scores[best])
        self.silhouette_sample_size_ = len(sample)
        self.cluster_centers_ = centers[order]
        self.labels_ = relabel[model.labels_]
        self.inertia_ = float(model.inertia_)
        self.n_iter_ = int(model.n_iter_)
        self.n_clusters_ = int(k)
        self._n_features_out = int(k)
        if engagement_idx is not None:
            self.engagement_terciles_ = np.quantile(X[:, engagement_idx], [1 / 3, 2 / 3])
        else:
            self.engagement_terciles_ = None
        original = original[order]
        self.segment_names_ = self._names(original, followers_idx, engagement_idx)
        self.segment_profiles_ = self._profiles(original, sizes[order], n)
        return self

    def _names(self, original, followers_idx, engagement_idx):
        k = len(original)
        parts = [[] for _ in range(k)]
        if followers_idx is not None:
            for j, tier in enumerate(follower_tier(original[:, followers_idx])):
                parts[j].append(tier if tier is not None else "unknown tier")
        if engagement_idx is not None:
            q1, q2 = self.engagement_terciles_
            for j, value in enumerate(original[:, engagement_idx]):
                level = "low" if value < q1 else "high" if value > q2 else "medium"
                parts[j].append(f"{level} engagement")
        names, seen = [], {}
        for j, p in enumerate(parts):
            base = NAME_SEPARATOR.join(p) if p else f"segment {j}"
            seen[base] = seen.get(base, 0) + 1
            names.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
        return np.asarray(names, dtype=object)

    def _profiles(self, original, sizes, n):
        import pandas as pd

        frame = pd.DataFrame(original, columns=self._feature_labels())
        frame.insert(0, "share", sizes / n)
        frame.insert(0, "size", sizes.astype(np.int64))
        frame.insert(0, "name", self.segment_names_)
        frame.index = pd.RangeIndex(len(frame), name="segment")
        return frame

    # ----------------------------------------------------------------- predict

    def _checked_space(self, X):
        check_is_fitted(self, "cluster_centers_")
        return self._space(self._validate(X, reset=False))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Segment of each account: the nearest centroid in the scaled space.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Account features, with the columns seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Segment index, ``0 .. n_clusters_ - 1``.
        """
        Z = self._checked_space(X)
        return pairwise_distances_argmin(Z, self.cluster_centers_).astype(np.int64)

    def predict_names(self, X: ArrayLike) -> np.ndarray:
        """Segment name of each account (``segment_names_[predict(X)]``).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        names : ndarray of str of shape (n_samples,)
        """
        return self.segment_names_[self.predict(X)]

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Distances of each account to every centroid, in the scaled space.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        distances : ndarray of shape (n_samples, `n_clusters_`)
        """
        Z = self._checked_space(X)
        return euclidean_distances(Z, self.cluster_centers_)

    def score(self, X: ArrayLike, y: None = None) -> float:
        """Silhouette of the segments of ``X`` in the scaled space (on a sample).

        Computed like :data:`silhouette_scorer`: on at most
        ``silhouette_sample_size`` accounts drawn with a fixed seed (0), so the
        same accounts are scored for every candidate of a search.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean silhouette in [-1, 1]; NaN when ``X`` falls in a single segment.
        """
        Z = self._checked_space(X)
        labels = pairwise_distances_argmin(Z, self.cluster_centers_)
        sample = _sample_rows(len(Z), self.silhouette_sample_size, np.random.RandomState(0))
        return _silhouettes(Z[sample], [labels[sample]])[0]

    @classmethod
    def get_test_params(cls):
        return [
            {"k_range": (2, 4), "n_init": 1, "random_state": 0},
            {"n_clusters": 3, "scaler": "robust", "log_features": None, "n_init": 1},
        ]


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _n_threads() -> int:
    """Threads OpenMP would use here (honours OMP_NUM_THREADS and threadpoolctl limits)."""
    found = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "openmp"]
    return max(1, min(found)) if found else max(1, os.cpu_count() or 1)


def _heavy_tailed(x) -> bool:
    """The ``log_features="auto"`` rule: non-negative, and skewed or spanning orders of magnitude."""
    if x.min() < 0:
        return False
    if _skewness(x) > SKEW_THRESHOLD:
        return True
    pos = x[x > 0]
    if len(pos) < 2:
        return False
    low, high = np.quantile(pos, [LOG_OFFSET_QUANTILE, 0.99])
    return bool(high >= SPAN_THRESHOLD * low)


def _skewness(x) -> float:
    """Sample (biased) skewness; 0 for a constant column."""
    mu = x.mean()
    d = x - mu
    m2 = np.mean(d * d)
    if m2 <= 1e-24 * max(mu * mu, 1e-300):
        return 0.0
    return float(np.mean(d * d * d) / m2**1.5)


# ------------------------------------------------------------------------------ scorer


class _SilhouetteScorer:
    """Silhouette of a fitted clusterer (or pipeline ending in one) on X, for model selection.

    Called as ``scorer(estimator, X, y=None)``.

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`KMeansSegmenter`, another clusterer with ``predict``, or a
        pipeline ending in one.
    X : array-like of shape (n_samples, n_features)
        The data whose clustering is scored.
    y : None
        Ignored.

    Attributes
    ----------
    sample_size : int or None
        Rows drawn for the silhouette (None: all).
    random_state : int, RandomState or None
        Seed of the draw.
    """

    def __init__(self, sample_size, random_state):
        self.sample_size = sample_size
        self.random_state = random_state

    def __call__(self, estimator, X, y=None):
        final, Xt = estimator, X
        while hasattr(final, "steps"):  # Pipeline: run every step but the last
            Xt = final[:-1].transform(Xt) if len(final.steps) > 1 else Xt
            final = final.steps[-1][1]
        if isinstance(final, KMeansSegmenter):
            Z = final._checked_space(Xt)
            labels = pairwise_distances_argmin(Z, final.cluster_centers_)
        else:
            Z = check_array(Xt, dtype=np.float64)
            labels = np.asarray(final.predict(Xt))
        rng = check_random_state(self.random_state)
        sample = _sample_rows(len(Z), self.sample_size, rng)
        return _silhouettes(Z[sample], [labels[sample]])[0]

    def __repr__(self):
        return f"make_silhouette_scorer(sample_size={self.sample_size!r}, random_state={self.random_state!r})"


def make_silhouette_scorer(
    *, sample_size: int | None = 10_000, random_state: int | np.random.RandomState | None = 0
) -> Callable[..., float]:
    """A scorer ``scorer(estimator, X, y=None)`` -> silhouette, for ``GridSearchCV(scoring=...)``.

    For a :class:`KMeansSegmenter` (alone or as the last step of a
    ``Pipeline``) the silhouette is computed in the segmenter's scaled space
    (after its log and scaler), with the labels it predicts; for another
    clusterer, on the input of its ``predict``. Higher is better.

    Parameters
    ----------
    sample_size : int or None, default=10_000
        Score at most this many rows, drawn without replacement with
        ``random_state``; None scores every row (quadratic cost).
    random_state : int, RandomState instance or None, default=0
        Seed of the sample: a fixed seed scores the same rows for every
        candidate of a search (test folds of equal size).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)`` returning the mean silhouette in
        [-1, 1], or NaN when ``X`` falls in a single segment (``GridSearchCV``
        ranks NaN last, with a warning).

    Notes
    -----
    Silhouettes in different spaces are different measures: comparing them
    across ``scaler`` or ``log_features`` values compares geometries as much
    as segmentations. Search over ``n_clusters`` (or k-means settings) with a
    fixed space for a like-for-like comparison.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skinfluence.segmentation import KMeansSegmenter, silhouette_scorer
    >>> X, _ = make_blobs(300, centers=4, random_state=0)
    >>> search = GridSearchCV(KMeansSegmenter(random_state=0), {"n_clusters": [2, 3, 4, 5]},
    ...                       scoring=silhouette_scorer, cv=3).fit(X)
    >>> search.best_params_
    {'n_clusters': 4}
    """
    validate_parameter_constraints(
        {
            "sample_size": [Interval(Integral, 3, None, closed="left"), None],
            "random_state": ["random_state"],
        },
        {"sample_size": sample_size, "random_state": random_state},
        caller_name="make_silhouette_scorer",
    )
    return _SilhouetteScorer(sample_size, random_state)


#: The default silhouette scorer (10,000-row sample, seed 0); see :func:`make_silhouette_scorer`.
silhouette_scorer = make_silhouette_scorer()
