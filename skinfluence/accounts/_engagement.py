"""EngagementAggregator: per-account engagement, cadence and growth from nested posts."""

from __future__ import annotations

import numbers

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, FlatPosts, flatten_posts, segment_reduce
from ..patterns import HASHTAG
from ..registry import register
from ..utils.validation import check_account_frame

__all__ = ["EngagementAggregator", "ENGAGEMENT_FEATURES"]

_SECONDS_PER_DAY = 86_400.0
_SECONDS_PER_WEEK = 7 * _SECONDS_PER_DAY

#: Every feature the aggregator can compute, with what it needs and what it means.
ENGAGEMENT_FEATURES: dict[str, str] = {
    "likes_mean": "mean likes per post",
    "likes_median": "median likes per post",
    "comments_mean": "mean comments per post",
    "comments_median": "median comments per post",
    "shares_mean": "mean shares per post",
    "shares_median": "median shares per post",
    "views_mean": "mean views per post (posts with views)",
    "views_median": "median views per post (posts with views)",
    "engagement_mean": "mean engagement per post (likes + comments [+ shares])",
    "total_engagement": "sum of engagement over the account's posts",
    "engagement_rate": "mean engagement per post / followers",
    "engagement_rate_per_view": "sum of engagement / sum of views, over posts with views",
    "engagement_cv": "coefficient of variation of engagement per post (consistency; lower is steadier)",
    "n_posts_seen": "number of posts in the frame for the account",
    "posts_per_week": "posts per week between the first and the last post",
    "gap_cv": "coefficient of variation of the gaps between consecutive posts (regularity)",
    "recency_days": "days from the last post to the reference time",
    "growth_slope": "slope of log1p(engagement) per week, least squares over the posts",
    "growth_acceleration": "curvature of log1p(engagement) per week^2 (2 x the quadratic term)",
    "hashtag_rate": "hashtags per post",
    "mention_rate": "@mentions per post",
}

_COUNTS = ("likes", "comments", "shares", "views")


@register("aggregator")
class EngagementAggregator(ComponentMixin, TransformerMixin, BaseEstimator):
    """Per-account engagement, cadence, consistency and growth features from nested posts.

    Every feature is computed over the flat post arrays of the account frame with
    vectorised segment reductions: no Python loop per account.

    Parameters
    ----------
    features : "all" or list of str, default="all"
        Which features to compute, in this order; see ``ENGAGEMENT_FEATURES``
        for the list and meanings.
    include_shares : bool, default=True
        Whether engagement is likes + comments + shares (True) or likes +
        comments (False). A post whose shares are missing counts its likes and
        comments only.
    reference_time : str, datetime-like or None, default=None
        The "now" for ``recency_days``. None: the latest post timestamp seen
        in ``fit`` (stored in ``reference_time_``), so test accounts are
        measured against the training period's end.
    fill_value : float or None, default=None
        Value for undefined features (see Notes). None keeps NaN, which
        scikit-learn's ``HistGradientBoosting*`` models and ``SimpleImputer``
        handle; a number (e.g. 0.0) replaces it.
    followers_column : str, default="followers"
        Profile column with the follower count (needed by ``engagement_rate``).
    text_field, timestamp_field : str, default="text", "timestamp"
        Post fields with the caption and the time of posting.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        Names of the computed features, in output order.
    reference_time_ : pandas.Timestamp or None
        The reference time used for ``recency_days``.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Columns of the account frame seen in ``fit``.

    Notes
    -----
    Undefined values are NaN (or ``fill_value``), never an error or an infinity:

    - ``engagement_rate`` for an account with zero (or unknown) followers;
    - means, medians and rates of an account without posts, or whose posts all
      miss that count (e.g. ``views_*`` on a platform without views);
      ``total_engagement`` and ``n_posts_seen`` are 0 for an account without posts;
    - ``engagement_cv`` with mean engagement 0; ``posts_per_week`` and ``gap_cv``
      with fewer than two (distinct) posting times; ``growth_slope`` with fewer
      than two, ``growth_acceleration`` with fewer than three;
    - a post with missing likes or comments has missing engagement (NaN counts
      are skipped, not read as 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import EngagementAggregator, nest_posts
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b"], "followers": [1000, 0]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"], "likes": [40, 60, 5],
    ...                   "comments": [10, 10, 1]}))
    >>> agg = EngagementAggregator(features=["engagement_mean", "engagement_rate"])
    >>> agg.fit_transform(frame)
    array([[60.  ,  0.06],
           [ 6.  ,   nan]])
    """


    def __init__(
        self,
        features="all",
        *,
        include_shares=True,
        reference_time=None,
        fill_value=None,
        followers_column="followers",
        text_field="text",
        timestamp_field="timestamp",
        posts_column=POSTS_COLUMN,
    ):
        self.features = features
        self.include_shares = include_shares
        self.reference_time = reference_time
        self.fill_value = fill_value
        self.followers_column = followers_column
        self.text_field = text_field
        self.timestamp_field = timestamp_field
        self.posts_column = posts_column

    # ------------------------------------------------------------------ params

    def _selected(self) -> list[str]:
        if isinstance(self.features, str):
            if self.features != "all":
                raise ValueError(
                    "The 'features' parameter of EngagementAggregator must be 'all' or a list of "
                    f"feature names. Got {self.features!r} instead."
                )
            return list(ENGAGEMENT_FEATURES)
        selected = list(self.features)
        unknown = [f for f in selected if f not in ENGAGEMENT_FEATURES]
        if unknown or not selected or len(set(selected)) != len(selected):
            raise ValueError(
                "The 'features' parameter of EngagementAggregator must be 'all' or a non-empty list "
                f"of distinct names among {list(ENGAGEMENT_FEATURES)}. Got {self.features!r} instead."
            )
        return selected

    def _check_params(self):
        if self.fill_value is not None and not (
            isinstance(self.fill_value, numbers.Real) and np.isfinite(self.fill_value)
        ):
            raise ValueError(
                "The 'fill_value' parameter of EngagementAggregator must be None or a finite number. "
                f"Got {self.fill_value!r} instead."
            )
        if not isinstance(self.include_shares, (bool, np.bool_)):
            raise ValueError(
                "The 'include_shares' parameter of EngagementAggregator must be a bool. "
                f"Got {self.include_shares!r} instead."
            )

    def _needs(self, selected):
        needs_time = any(f in selected for f in (
            "posts_per_week", "gap_cv", "recency_days", "growth_slope", "growth_acceleration"))
        needs_text = any(f in selected for f in ("hashtag_rate", "mention_rate"))
        needs_followers = "engagement_rate" in selected
        return needs_time, needs_text, needs_followers

    # --------------------------------------------------------------------- fit

    def fit(self, X, y=None):
        """Check the account frame, resolve the feature list and the reference time.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.
        y : Ignored

        Returns
        -------
        self : EngagementAggregator
        """
        self._check_extras()
        self._check_params()
        selected = self._selected()
        self._validate(X, selected, reset=True)
        needs_time = self._needs(selected)[0]
        if self.reference_time is not None:
            import pandas as pd

            ref = pd.Timestamp(self.reference_time)
            self.reference_time_ = ref.tz_localize("UTC") if ref.tzinfo is None else ref
        elif needs_time:
            self.reference_time_ = self._latest_post_time(X)
        else:
            self.reference_time_ = None
        self.feature_names_out_ = np.asarray(selected, dtype=object)
        return self

    def _validate(self, X, selected, reset):
        needs_time, needs_text, needs_followers = self._needs(selected)
        fields = [self.timestamp_field] if needs_time else []
        if needs_text:
            fields.append(self.text_field)
        return check_account_frame(
            self, X, reset=reset, posts_column=self.posts_column,
            required_columns=[self.followers_column] if needs_followers else [],
            required_post_fields=fields,
        )

    def _seconds(self, flat: FlatPosts) -> np.ndarray:
        return flat.seconds(self.timestamp_field)

    def _latest_post_time(self, X):
        import pandas as pd

        flat = flatten_posts(X, posts_column=self.posts_column)
        seconds = self._seconds(flat)
        if not np.isfinite(seconds).any():
            return None
        return pd.Timestamp(np.nanmax(seconds), unit="s", tz="UTC")

    # --------------------------------------------------------------- transform

    def transform(self, X):
        """Compute the features.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        features : ndarray of shape (n_accounts, n_features)
            One row per account, columns as in ``get_feature_names_out()``.
        """
        check_is_fitted(self, "feature_names_out_")
        selected = list(self.feature_names_out_)
        self._validate(X, selected, reset=False)
        flat = flatten_posts(X, posts_column=self.posts_column)
        off = flat.offsets
        cols: dict[str, np.ndarray] = {}
        cache: dict[str, np.ndarray] = {}

        def count(name):
            if name not in cache:
                cache[name] = flat.numeric(name, missing="nan")
            return cache[name]

        def engagement():
            if "engagement" not in cache:
                eng = count("likes") + count("comments")
                if self.include_shares:
                    shares = count("shares")
                    eng = eng + np.where(np.isnan(shares), 0.0, shares)
                cache["engagement"] = eng
            return cache["engagement"]

        n_seen = np.diff(off).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            for name in selected:
                if name == "n_posts_seen":
                    cols[name] = n_seen
                elif name.endswith(("_mean", "_median")) and name.split("_")[0] in _COUNTS:
                    field, how = name.rsplit("_", 1)
                    cols[name] = segment_reduce(count(field), off, how)
                elif name == "engagement_mean":
                    cols[name] = segment_reduce(engagement(), off, "mean")
                elif name == "total_engagement":
                    cols[name] = segment_reduce(engagement(), off, "sum")
                elif name == "engagement_rate":
                    followers = X[self.followers_column].to_numpy(dtype=np.float64, na_value=np.nan)
                    mean = segment_reduce(engagement(), off, "mean")
                    rate = np.full(len(mean), np.nan)
                    np.divide(mean, followers, out=rate, where=followers > 0)
                    cols[name] = rate
                elif name == "engagement_rate_per_view":
                    views = count("views")
                    ok = ~np.isnan(views) & ~np.isnan(engagement())
                    eng_sum = segment_reduce(np.where(ok, engagement(), np.nan), off, "sum")
                    view_sum = segment_reduce(np.where(ok, views, np.nan), off, "sum")
                    rate = np.full(len(eng_sum), np.nan)
                    np.divide(eng_sum, view_sum, out=rate, where=view_sum > 0)
                    cols[name] = rate
                elif name == "engagement_cv":
                    mean = segment_reduce(engagement(), off, "mean")
                    std = segment_reduce(engagement(), off, "std")
                    cv = np.full(len(mean), np.nan)
                    np.divide(std, mean, out=cv, where=mean > 0)
                    cols[name] = cv
                elif name in ("posts_per_week", "gap_cv", "recency_days"):
                    cols[name] = self._cadence(name, flat, cache)
                elif name in ("growth_slope", "growth_acceleration"):
                    cols[name] = self._growth(name, flat, cache, engagement())
                elif name in ("hashtag_rate", "mention_rate"):
                    cols[name] = self._text_rate(name, flat)
        out = np.column_stack([cols[name] for name in selected]) if selected else np.empty((len(X), 0))
        if self.fill_value is not None:
            out = np.where(np.isnan(out), float(self.fill_value), out)
        return out

    def _times(self, flat, cache):
        if "t" not in cache:
            cache["t"] = self._seconds(flat)
        return cache["t"]

    def _cadence(self, name, flat, cache):
        t = self._times(flat, cache)
        off = flat.offsets
        if name == "recency_days":
            last = segment_reduce(t, off, "max")
            if self.reference_time_ is None:
                return np.full(flat.n_accounts, np.nan)
            ref = self.reference_time_.timestamp()
            return (ref - last) / _SECONDS_PER_DAY
        first, last = segment_reduce(t, off, "min"), segment_reduce(t, off, "max")
        n = segment_reduce(t, off, "count")
        span = last - first
        if name == "posts_per_week":
            out = np.full(flat.n_accounts, np.nan)
            np.divide((n - 1) * _SECONDS_PER_WEEK, span, out=out, where=span > 0)
            return out
        # gap_cv: gaps between consecutive posts in time order within each account
        owner = flat.account_index()
        order = np.lexsort((t, owner))
        ts, own = t[order], owner[order]
        gaps = np.diff(ts)
        same = own[1:] == own[:-1]
        gaps = np.where(same & ~np.isnan(gaps), gaps, np.nan)
        # gap k belongs to the account of post k+1; build per-account segments of gaps
        gap_owner = own[1:]
        gap_counts = np.bincount(gap_owner[same], minlength=flat.n_accounts)
        gap_off = np.concatenate([[0], np.cumsum(gap_counts)])
        g = gaps[same]
        mean = segment_reduce(g, gap_off, "mean")
        std = segment_reduce(g, gap_off, "std")
        out = np.full(flat.n_accounts, np.nan)
        np.divide(std, mean, out=out, where=mean > 0)
        return out

    def _growth(self, name, flat, cache, engagement):
        """Least-squares fit of log1p(engagement) on time (weeks), per account, batched."""
        t = self._times(flat, cache)
        off = flat.offsets
        y = np.log1p(engagement)
        ok = ~np.isnan(t) & ~np.isnan(y)
        # centre time per account (numerical stability), in weeks
        t_mean = segment_reduce(np.where(ok, t, np.nan), off, "mean")
        owner = flat.account_index()
        tc = np.where(ok, (t - t_mean[owner]) / _SECONDS_PER_WEEK, np.nan)
        yv = np.where(ok, y, np.nan)
        n = segment_reduce(tc, off, "count")
        # mask every power explicitly: NaN**0 is 1.0, which would count unusable posts
        s = [segment_reduce(np.where(ok, tc**k, np.nan), off, "sum") for k in range(5)]
        sy = [segment_reduce(yv * tc**k, off, "sum") for k in range(3)]
        out = np.full(flat.n_accounts, np.nan)
        if name == "growth_slope":
            den = n * s[2] - s[1] ** 2
            good = (n >= 2) & (den > 1e-12 * np.maximum(n * s[2], 1e-300))
            np.divide(n * sy[1] - s[1] * sy[0], den, out=out, where=good)
            return out
        # quadratic: solve the 3x3 normal equations of [1, t, t^2] for every account at once
        good = n >= 3
        if not good.any():
            return out
        A = np.stack([
            np.stack([s[0], s[1], s[2]], -1),
            np.stack([s[1], s[2], s[3]], -1),
            np.stack([s[2], s[3], s[4]], -1),
        ], -2)[good]
        b = np.stack([sy[0], sy[1], sy[2]], -1)[good]
        det = np.linalg.det(A)
        scale = np.maximum(np.abs(A).max(axis=(1, 2)) ** 3, 1e-300)
        solvable = np.abs(det) > 1e-10 * scale
        coef = np.full((len(A), 3), np.nan)
        if solvable.any():
            coef[solvable] = np.linalg.solve(A[solvable], b[solvable][..., None])[..., 0]
        out[good] = 2.0 * coef[:, 2]
        return out

    def _text_rate(self, name, flat):
        text = flat.column(self.text_field)
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
            raise AccountFrameError(f"post field {self.text_field!r} must hold strings, got {text.type}")
        # hashtags: the shared definition of skinfluence.patterns (Unicode, no all-digit tags)
        pattern = HASHTAG if name == "hashtag_rate" else r"(?:^|[^\w@])@\w"
        hits = pc.fill_null(pc.count_substring_regex(text, pattern), 0)
        hits = hits.to_numpy(zero_copy_only=False).astype(np.float64)
        return segment_reduce(hits, flat.offsets, "mean")

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = True
        return tags

    @classmethod
    def get_test_params(cls):
        return [{}, {"features": ["engagement_rate", "growth_slope", "hashtag_rate"], "fill_value": 0.0,
                     "include_shares": False}]
