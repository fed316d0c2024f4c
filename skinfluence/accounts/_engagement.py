"""EngagementAggregator: per-account engagement, cadence and growth from nested posts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import (
    POSTS_COLUMN,
    FlatPosts,
    _missing_fields_message,
    _validate_and_flatten,
    segment_reduce,
)
from ..patterns import HASHTAG, MENTION
from ..registry import register
from ..utils._param_validation import Interval, OptionList, Real, fit_context
from ..utils.validation import check_not_empty, check_post_fields_seen, check_reference_time

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


# features by the post fields they read (besides the count named in their own name)
_USE_ENGAGEMENT = ("engagement_mean", "total_engagement", "engagement_rate",
                   "engagement_rate_per_view", "engagement_cv", "growth_slope", "growth_acceleration")
_USE_TIME = ("posts_per_week", "gap_cv", "recency_days", "growth_slope", "growth_acceleration")
_USE_TEXT = ("hashtag_rate", "mention_rate")


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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    Notes
    -----
    Undefined values are NaN (or ``fill_value``), never an error or an infinity:

    - ``engagement_rate`` for an account with zero (or unknown) followers;
    - means, medians and rates of an account without posts, or whose posts all
      miss that count (e.g. ``views_*`` where no post reports views);
      ``total_engagement`` and ``n_posts_seen`` are 0 for an account without posts,
      and ``total_engagement`` is NaN for an account whose posts all have unknown
      engagement (unknown is never read as 0);
    - ``engagement_cv`` with mean engagement 0; ``posts_per_week`` and ``gap_cv``
      with fewer than two (distinct) posting times; ``growth_slope`` with fewer
      than two, ``growth_acceleration`` with fewer than three;
    - a post with missing likes or comments has missing engagement (NaN counts
      are skipped, not read as 0).

    Post fields are read by their names in the data contract (``likes``,
    ``comments``, ``views``, ``shares``, ``text_field``, ``timestamp_field``).
    A field that a selected feature needs must be in the posts (its values may
    be null): otherwise ``fit`` and ``transform`` raise an
    :class:`~skinfluence.exceptions.AccountFrameError` naming the field, the
    features that need it, the fields the posts have and the closest of them;
    posts whose fields are named otherwise are renamed once with
    :func:`~skinfluence.rename_post_fields`. ``shares`` is added to the
    engagement when the posts have it. A field read in ``fit`` (``shares``
    included) must still be there in ``transform``.

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


    _parameter_constraints: dict = {
        "features": [OptionList(ENGAGEMENT_FEATURES, allow_single=False, extra=("all",))],
        "include_shares": ["boolean"],
        "reference_time": [None, str, datetime, np.datetime64],
        "fill_value": [None, Interval(Real, None, None, closed="neither")],
        "followers_column": [str],
        "text_field": [str],
        "timestamp_field": [str],
        "posts_column": [str],
    }

    def __init__(
        self,
        features: str | Sequence[str] = "all",
        *,
        include_shares: bool = True,
        reference_time: str | datetime | np.datetime64 | None = None,
        fill_value: float | None = None,
        followers_column: str = "followers",
        text_field: str = "text",
        timestamp_field: str = "timestamp",
        posts_column: str = POSTS_COLUMN,
    ) -> None:
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
        return list(ENGAGEMENT_FEATURES) if isinstance(self.features, str) else list(self.features)

    def _needed_fields(self, selected) -> dict[str, list[str]]:
        """Post field -> the selected features that cannot be computed without it."""
        needed: dict[str, list[str]] = {}
        for name in selected:
            fields = [c for c in _COUNTS if name.startswith(f"{c}_")]
            if name in _USE_ENGAGEMENT:
                fields += ["likes", "comments"]
            if name == "engagement_rate_per_view":
                fields.append("views")
            if name in _USE_TIME:
                fields.append(self.timestamp_field)
            if name in _USE_TEXT:
                fields.append(self.text_field)
            for field in fields:
                needed.setdefault(field, []).append(name)
        return needed

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X: pd.DataFrame, y: None = None) -> EngagementAggregator:
        """Check the account frame, resolve the feature list and the reference time.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : EngagementAggregator
        """
        self._check_extras()
        selected = self._selected()
        flat = self._validate(X, selected, reset=True)
        if self.reference_time is not None:
            self.reference_time_ = check_reference_time(self.reference_time, "EngagementAggregator")
        elif any(f in selected for f in _USE_TIME):
            self.reference_time_ = self._latest_post_time(flat)
        else:
            self.reference_time_ = None
        self.feature_names_out_ = np.asarray(selected, dtype=object)
        return self

    def _validate(self, X, selected, reset) -> FlatPosts:
        """Validate and flatten the frame once; every field a selected feature needs must be there."""
        needed = self._needed_fields(selected)
        followers = [self.followers_column] if "engagement_rate" in selected else []
        flat = _validate_and_flatten(X, posts_column=self.posts_column, required_columns=followers,
                                     require_posts=True)
        missing = [f for f in needed if f not in flat.fields]
        if missing:
            raise AccountFrameError(_missing_fields_message(
                missing, flat.fields, caller="EngagementAggregator", needed_by=needed,
                field_params={self.text_field: "text_field", self.timestamp_field: "timestamp_field"},
                advice="or select features that do not need "
                       + ("it" if len(missing) == 1 else "them") + " with features=[...]"))
        # shares are added to engagement when the posts have them: read, so checked too
        read = list(needed)
        if self.include_shares and any(f in selected for f in _USE_ENGAGEMENT):
            read.append("shares")
        check_post_fields_seen(self, read, flat.fields, reset=reset)
        if reset:
            check_not_empty(self, X)
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = X.shape[1]
        return flat

    def _seconds(self, flat: FlatPosts) -> np.ndarray:
        return flat.seconds(self.timestamp_field)

    def _latest_post_time(self, flat: FlatPosts):
        seconds = self._seconds(flat)
        if not np.isfinite(seconds).any():
            return None
        return pd.Timestamp(np.nanmax(seconds), unit="s", tz="UTC")

    # --------------------------------------------------------------- transform

    def transform(self, X: pd.DataFrame) -> np.ndarray:
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
        posts = _PostArrays(self, X, self._validate(X, selected, reset=False))
        with np.errstate(divide="ignore", invalid="ignore"):
            cols = [_FEATURE_FUNCTIONS[name](posts) for name in selected]
        out = np.column_stack(cols) if cols else np.empty((len(X), 0))
        if self.fill_value is not None:
            out = np.where(np.isnan(out), float(self.fill_value), out)
        return out

    def _text_rate(self, name, flat):
        text = flat.column(self.text_field)
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
            raise AccountFrameError(f"post field {self.text_field!r} must hold strings, got {text.type}")
        # the shared definitions of skinfluence.patterns, as TextStats uses them: Unicode
        # hashtags without all-digit tags; mentions not inside a word or an e-mail address
        pattern = HASHTAG if name == "hashtag_rate" else MENTION
        hits = pc.fill_null(pc.count_substring_regex(text, pattern), 0)
        hits = hits.to_numpy(zero_copy_only=False).astype(np.float64)
        return segment_reduce(hits, flat.offsets, "mean")

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : Ignored
            Not used, present for API consistency by convention.

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
        try:  # the post fields the selected features need (none while params are invalid)
            fields = self._needed_fields(self._selected())
        except (TypeError, ValueError):
            fields = {}
        tags.input_tags.post_fields = tuple(f for f in fields if isinstance(f, str))
        return tags

    @classmethod
    def get_test_params(cls):
        return [{}, {"features": ["engagement_rate", "growth_slope", "hashtag_rate"], "fill_value": 0.0,
                     "include_shares": False}]


# ----------------------------------------------------------------- feature functions
# One small function per feature: it takes the post arrays of one ``transform`` call and
# returns one column (one value per account). ``_PostArrays`` computes every shared array
# (a count column, the engagement, the times, their per-account reductions) once per call.


class _PostArrays:
    """The flat post arrays of one account frame, each derived array computed once."""

    def __init__(self, aggregator: EngagementAggregator, X: pd.DataFrame, flat: FlatPosts):
        self.aggregator = aggregator
        self.X = X
        self.flat = flat
        self.offsets = flat.offsets
        self.n_accounts = flat.n_accounts
        self._cache: dict = {}

    def _once(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def count(self, field: str) -> np.ndarray:
        """A count field per post, NaN where missing."""
        return self._once(field, lambda: self.flat.numeric(field, missing="nan"))

    def engagement(self) -> np.ndarray:
        """Likes + comments (+ shares, a missing share counting 0) per post."""

        def compute():
            eng = self.count("likes") + self.count("comments")
            if self.aggregator.include_shares:
                shares = self.count("shares")
                eng = eng + np.where(np.isnan(shares), 0.0, shares)
            return eng

        return self._once("engagement", compute)

    def times(self) -> np.ndarray:
        """Posting times in seconds since the epoch (float, NaN where missing)."""
        return self._once("t", lambda: self.aggregator._seconds(self.flat))

    def reduce(self, what: str, how: str) -> np.ndarray:
        """Per-account ``how`` of a count field, ``"engagement"`` or ``"t"`` (the times)."""
        values = {"engagement": self.engagement, "t": self.times}.get(what)

        def compute():
            return segment_reduce(values() if values else self.count(what), self.offsets, how)

        return self._once((what, how), compute)

    def growth_sums(self):
        """Per-account power sums of centred time (weeks) and of log1p(engagement) x time."""

        def compute():
            t = self.times()
            off = self.offsets
            y = np.log1p(self.engagement())
            ok = ~np.isnan(t) & ~np.isnan(y)
            # centre time per account (numerical stability), in weeks
            t_mean = segment_reduce(np.where(ok, t, np.nan), off, "mean")
            owner = self.flat.account_index()
            tc = np.where(ok, (t - t_mean[owner]) / _SECONDS_PER_WEEK, np.nan)
            yv = np.where(ok, y, np.nan)
            n = segment_reduce(tc, off, "count")
            # mask every power explicitly: NaN**0 is 1.0, which would count unusable posts
            s = [segment_reduce(np.where(ok, tc**k, np.nan), off, "sum") for k in range(5)]
            sy = [segment_reduce(yv * tc**k, off, "sum") for k in range(3)]
            return n, s, sy

        return self._once("growth", compute)


def _count_statistic(field: str, how: str):
    def feature(posts: _PostArrays) -> np.ndarray:
        return posts.reduce(field, how)

    feature.__name__ = f"_{field}_{how}"
    feature.__doc__ = f"Per-account {how} of {field} per post."
    return feature


def _n_posts_seen(posts):
    return np.diff(posts.offsets).astype(np.float64)


def _engagement_mean(posts):
    return posts.reduce("engagement", "mean")


def _total_engagement(posts):
    """Sum of the known engagement: 0 without posts, NaN when no post's engagement is known."""
    total = posts.reduce("engagement", "sum")
    unknown = (posts.reduce("engagement", "count") == 0) & (np.diff(posts.offsets) > 0)
    return np.where(unknown, np.nan, total)


def _engagement_rate(posts):
    column = posts.aggregator.followers_column
    followers = posts.X[column].to_numpy(dtype=np.float64, na_value=np.nan)
    mean = posts.reduce("engagement", "mean")
    rate = np.full(len(mean), np.nan)
    np.divide(mean, followers, out=rate, where=followers > 0)
    return rate


def _engagement_rate_per_view(posts):
    views, engagement = posts.count("views"), posts.engagement()
    ok = ~np.isnan(views) & ~np.isnan(engagement)
    eng_sum = segment_reduce(np.where(ok, engagement, np.nan), posts.offsets, "sum")
    view_sum = segment_reduce(np.where(ok, views, np.nan), posts.offsets, "sum")
    rate = np.full(len(eng_sum), np.nan)
    np.divide(eng_sum, view_sum, out=rate, where=view_sum > 0)
    return rate


def _engagement_cv(posts):
    mean = posts.reduce("engagement", "mean")
    std = posts.reduce("engagement", "std")
    cv = np.full(len(mean), np.nan)
    np.divide(std, mean, out=cv, where=mean > 0)
    return cv


def _posts_per_week(posts):
    span = posts.reduce("t", "max") - posts.reduce("t", "min")
    n = posts.reduce("t", "count")
    out = np.full(posts.n_accounts, np.nan)
    np.divide((n - 1) * _SECONDS_PER_WEEK, span, out=out, where=span > 0)
    return out


def _gap_cv(posts):
    """Coefficient of variation of the gaps between consecutive posts, in time order."""
    t = posts.times()
    n_accounts = posts.n_accounts
    owner = posts.flat.account_index()
    order = np.lexsort((t, owner))
    ts, own = t[order], owner[order]
    gaps = np.diff(ts)
    same = own[1:] == own[:-1]
    gaps = np.where(same & ~np.isnan(gaps), gaps, np.nan)
    # gap k belongs to the account of post k+1; build per-account segments of gaps
    gap_owner = own[1:]
    gap_counts = np.bincount(gap_owner[same], minlength=n_accounts)
    gap_off = np.concatenate([[0], np.cumsum(gap_counts)])
    g = gaps[same]
    mean = segment_reduce(g, gap_off, "mean")
    std = segment_reduce(g, gap_off, "std")
    out = np.full(n_accounts, np.nan)
    np.divide(std, mean, out=out, where=mean > 0)
    return out


def _recency_days(posts):
    reference = posts.aggregator.reference_time_
    if reference is None:
        return np.full(posts.n_accounts, np.nan)
    return (reference.timestamp() - posts.reduce("t", "max")) / _SECONDS_PER_DAY


def _growth_slope(posts):
    """Least-squares slope of log1p(engagement) on time (weeks), per account, batched."""
    n, s, sy = posts.growth_sums()
    out = np.full(posts.n_accounts, np.nan)
    den = n * s[2] - s[1] ** 2
    good = (n >= 2) & (den > 1e-12 * np.maximum(n * s[2], 1e-300))
    np.divide(n * sy[1] - s[1] * sy[0], den, out=out, where=good)
    return out


def _growth_acceleration(posts):
    """2 x the quadratic term: the 3x3 normal equations of [1, t, t^2] for every account at once."""
    n, s, sy = posts.growth_sums()
    out = np.full(posts.n_accounts, np.nan)
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


def _text_rate(name: str):
    def feature(posts: _PostArrays) -> np.ndarray:
        return posts.aggregator._text_rate(name, posts.flat)

    feature.__name__ = f"_{name}"
    return feature


#: Feature name -> the function computing its column; same keys, in the same order, as
#: ``ENGAGEMENT_FEATURES``.
_FEATURE_FUNCTIONS: dict[str, Callable[[_PostArrays], np.ndarray]] = {
    **{f"{field}_{how}": _count_statistic(field, how)
       for field in _COUNTS for how in ("mean", "median")},
    "engagement_mean": _engagement_mean,
    "total_engagement": _total_engagement,
    "engagement_rate": _engagement_rate,
    "engagement_rate_per_view": _engagement_rate_per_view,
    "engagement_cv": _engagement_cv,
    "n_posts_seen": _n_posts_seen,
    "posts_per_week": _posts_per_week,
    "gap_cv": _gap_cv,
    "recency_days": _recency_days,
    "growth_slope": _growth_slope,
    "growth_acceleration": _growth_acceleration,
    "hashtag_rate": _text_rate("hashtag_rate"),
    "mention_rate": _text_rate("mention_rate"),
}

