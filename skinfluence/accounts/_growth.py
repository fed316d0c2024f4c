"""GrowthFeatures: growth, acceleration, rank change and list presence from nested timelines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import FlatPosts, _missing_fields_message, _validate_and_flatten
from ..registry import register
from ..utils._param_validation import OptionList, fit_context
from ..utils.validation import check_not_empty, check_post_fields_seen

__all__ = ["GrowthFeatures", "GROWTH_FEATURES"]

_SECONDS_PER_MONTH = 86_400.0 * 365.25 / 12

#: Every feature GrowthFeatures can compute, with its meaning. "Value" is
#: ``log1p(value_field)``; times are in months (365.25 / 12 days).
GROWTH_FEATURES: dict[str, str] = {
    "log_size": "log1p of the last observed value (e.g. followers)",
    "growth_last": "log growth per month over the last interval (between the last two observations)",
    "growth_mean": "log growth per month from the first to the last observation",
    "growth_slope": "least-squares slope of the log value per month over all observations",
    "acceleration": "change of the monthly log growth between the last two intervals, per month",
    "volatility": "standard deviation of the monthly log growth of the intervals (ddof=1)",
    "rank_last": "last observed rank (rank_field)",
    "rank_change": "rank places climbed per month over the last interval (previous - last rank)",
    "engagement_trend": "least-squares slope of log1p(engagement_field) per month",
    "engagement_growth_last": "log growth per month of engagement_field over the last interval",
    "engagement_rate": "last engagement / last value",
    "n_observed": "number of observations up to the reference time",
    "span_months": "months from the first to the last observation",
    "entered": "1 if in the latest list but not the one before (entered the list), else 0",
    "months_since_entry": "months in the list since the account's latest entry (censored at the first list)",
    "n_missed": "lists since the account's first appearance that it is missing from",
}

# features that read the list calendar (the dates of every snapshot)
_CALENDAR = ("entered", "months_since_entry", "n_missed")
_RANK = ("rank_last", "rank_change")
_ENGAGEMENT = ("engagement_trend", "engagement_growth_last", "engagement_rate")


@register("aggregator")
class GrowthFeatures(ComponentMixin, TransformerMixin, BaseEstimator):
    """Growth features from a nested timeline: monthly snapshots of a list, or posts.

    Each account's records (snapshots of a "top 1000" list, or posts) carry a
    time and a value (followers, or likes); the features describe how the
    value grew up to a reference time: log growth per month over the last
    interval and overall, acceleration, volatility, rank change, engagement
    trend, and, for lists, presence: entering the list, time since entering,
    lists missed. Spacing may be irregular (rates are per month of the actual
    gaps) and records may be missing.

    A list account missing from a snapshot was not observed there (it was
    outside the top 1000): no value is read as zero. Features that cannot be
    computed (a growth with one observation, a volatility with fewer than two
    intervals) are NaN, which scikit-learn's ``HistGradientBoosting*`` models
    handle.

    Parameters
    ----------
    features : "all" or list of str, default="all"
        Which features to compute, in this order (``GROWTH_FEATURES``). "all"
        leaves out those whose field parameter is None, and the list
        features when ``calendar=False``.
    value_field : str, default="followers"
        Record field whose growth is measured.
    time_field : str, default="date"
        Record field with the time (Arrow timestamp).
    rank_field : str or None, default="followers_rank"
        Record field with the rank in the list (1 = top), for ``rank_*``.
    engagement_field : str or None, default="engagement"
        Record field with the engagement, for ``engagement_*``.
    calendar : bool, default=True
        Whether the records are snapshots of a list. Then the dates seen in
        ``fit`` (and in the frame transformed) are the list's calendar, and
        the presence features (``entered``, ``months_since_entry``,
        ``n_missed``) are computed from it. False for post timelines.
    cutoff_column : str, default="cutoff"
        Profile column with each account's reference time, when the frame has
        it (:func:`~skinfluence.accounts.growth_dataset` writes it): records
        after it are ignored and the presence features are counted up to it.
        Without the column the reference time is the latest date of the
        calendar (or of the account's records, with ``calendar=False``).
    snapshots_column : str, default="snapshots"
        The nested column (``"posts"`` for post timelines).

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        Names of the computed features, in output order.
    calendar_ : ndarray of datetime64[ns]
        The snapshot dates seen in ``fit`` (empty with ``calendar=False``).
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    EngagementAggregator : engagement, cadence and growth slope of post engagement.
    growth_dataset : features up to a cutoff, targets after it.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import GrowthFeatures, nest_posts
    >>> snaps = pd.DataFrame({
    ...     "account_id": ["a", "a", "a", "b", "b"],
    ...     "date": pd.to_datetime(["2022-06-15", "2022-09-15", "2022-12-15",
    ...                             "2022-09-15", "2022-12-15"], utc=True),
    ...     "followers": [100.0, 200.0, 400.0, 50.0, 50.0]})
    >>> frame = nest_posts(pd.DataFrame({"account_id": ["a", "b"]}), snaps,
    ...                    posts_column="snapshots")
    >>> growth = GrowthFeatures(["growth_last", "n_observed", "entered"],
    ...                         rank_field=None, engagement_field=None)
    >>> growth.fit_transform(frame).round(3)
    array([[0.231, 3.   , 0.   ],
           [0.   , 2.   , 0.   ]])

    ``b`` is in the September and December lists: it entered in September, not
    in the latest list, so ``entered`` is 0; its growth is measured only
    between the lists it is in.
    """

    _parameter_constraints: dict = {
        "features": [OptionList(GROWTH_FEATURES, allow_single=False, extra=("all",))],
        "value_field": [str],
        "time_field": [str],
        "rank_field": [str, None],
        "engagement_field": [str, None],
        "calendar": ["boolean"],
        "cutoff_column": [str],
        "snapshots_column": [str],
    }

    def __init__(
        self,
        features: str | Sequence[str] = "all",
        *,
        value_field: str = "followers",
        time_field: str = "date",
        rank_field: str | None = "followers_rank",
        engagement_field: str | None = "engagement",
        calendar: bool = True,
        cutoff_column: str = "cutoff",
        snapshots_column: str = "snapshots",
    ) -> None:
        self.features = features
        self.value_field = value_field
        self.time_field = time_field
        self.rank_field = rank_field
        self.engagement_field = engagement_field
        self.calendar = calendar
        self.cutoff_column = cutoff_column
        self.snapshots_column = snapshots_column

    # ------------------------------------------------------------------ params

    def _selected(self) -> list[str]:
        if not isinstance(self.features, str):
            return list(self.features)
        return [f for f in GROWTH_FEATURES
                if not (f in _RANK and self.rank_field is None)
                and not (f in _ENGAGEMENT and self.engagement_field is None)
                and not (f in _CALENDAR and not self.calendar)]

    def _needed_fields(self, selected) -> dict[str, list[str]]:
        needed: dict[str, list[str]] = {}
        for name in selected:
            fields = [self.time_field]
            if name not in _CALENDAR and name not in _RANK and name not in _ENGAGEMENT \
                    and name not in ("n_observed", "span_months"):
                fields.append(self.value_field)
            if name in _RANK:
                fields.append(self.rank_field)
            if name in _ENGAGEMENT:
                fields.append(self.engagement_field)
                if name == "engagement_rate":
                    fields.append(self.value_field)
            for field in fields:
                needed.setdefault(field, []).append(name)
        return needed

    def _check_selection(self, selected) -> None:
        owner = "GrowthFeatures"
        for names, param, ok in ((_RANK, "rank_field", self.rank_field is not None),
                                 (_ENGAGEMENT, "engagement_field", self.engagement_field is not None),
                                 (_CALENDAR, "calendar", self.calendar)):
            asked = [f for f in selected if f in names]
            if asked and not ok:
                raise ValueError(
                    f"{owner}: the feature(s) {asked} need {param}"
                    + (" (the records must be snapshots of a list), set calendar=True"
                       if param == "calendar" else f", a record field; got {param}=None")
                    + " or leave them out of features"
                )

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X: pd.DataFrame, y: None = None) -> GrowthFeatures:
        """Check the account frame and learn the list calendar.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame with the nested timeline column.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : GrowthFeatures
        """
        self._check_extras()
        selected = self._selected()
        self._check_selection(selected)
        flat = self._validate(X, selected, reset=True)
        if self.calendar:
            t = flat.seconds(self.time_field)
            self.calendar_ = np.unique(t[np.isfinite(t)])
        else:
            self.calendar_ = np.empty(0)
        self.feature_names_out_ = np.asarray(selected, dtype=object)
        return self

    def _validate(self, X, selected, reset) -> FlatPosts:
        needed = self._needed_fields(selected)
        flat = _validate_and_flatten(X, posts_column=self.snapshots_column, require_posts=True)
        missing = [f for f in needed if f not in flat.fields]
        if missing:
            raise AccountFrameError(_missing_fields_message(
                missing, flat.fields, caller="GrowthFeatures", needed_by=needed,
                field_params={self.value_field: "value_field", self.time_field: "time_field",
                              self.rank_field: "rank_field", self.engagement_field: "engagement_field"},
                advice="or select features that do not need "
                       + ("it" if len(missing) == 1 else "them") + " with features=[...]"))
        check_post_fields_seen(self, list(needed), flat.fields, reset=reset)
        if reset:
            check_not_empty(self, X)
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = X.shape[1]
        return flat

    # --------------------------------------------------------------- transform

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Compute the growth features.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame with the nested timeline column.

        Returns
        -------
        features : ndarray of shape (n_accounts, n_features)
            One row per account, columns as in ``get_feature_names_out()``;
            NaN where a feature is undefined.
        """
        check_is_fitted(self, "feature_names_out_")
        selected = list(self.feature_names_out_)
        flat = self._validate(X, selected, reset=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            timeline = _Timeline(self, X, flat)
            cols = [timeline.feature(name) for name in selected]
        return np.column_stack(cols) if cols else np.empty((len(X), 0))

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
        try:
            fields = self._needed_fields(self._selected())
        except (TypeError, ValueError):
            fields = {}
        tags.input_tags.post_fields = tuple(f for f in fields if isinstance(f, str))
        return tags

    @classmethod
    def get_test_params(cls):
        # the shared checks build account frames with posts: the post timeline form
        return [
            {"snapshots_column": "posts", "time_field": "timestamp", "value_field": "likes",
             "rank_field": None, "engagement_field": "comments", "calendar": False},
            {"snapshots_column": "posts", "time_field": "timestamp", "value_field": "likes",
             "rank_field": None, "engagement_field": None, "calendar": True,
             "features": ["growth_last", "volatility", "entered", "n_missed"]},
        ]


class _Timeline:
    """The valid records of one frame, sorted by account and time, with per-account positions."""

    def __init__(self, est: GrowthFeatures, X: pd.DataFrame, flat: FlatPosts):
        self.est = est
        n = flat.n_accounts
        self.n = n
        owner = flat.account_index()
        t = flat.seconds(est.time_field) / _SECONDS_PER_MONTH
        # the reference time of each account
        if est.calendar:
            cal = np.union1d(est.calendar_, flat.seconds(est.time_field)[np.isfinite(t)])
            self.cal = cal / _SECONDS_PER_MONTH
        else:
            self.cal = np.empty(0)
        if est.cutoff_column in X.columns:
            cut = pd.to_datetime(X[est.cutoff_column], utc=True)
            ref = (cut.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9) / _SECONDS_PER_MONTH
            ref = np.where(cut.isna().to_numpy(), np.inf, ref)
        elif est.calendar and len(self.cal):
            ref = np.full(n, self.cal[-1])
        else:
            ref = np.full(n, np.inf)
        self.ref = ref
        keep = np.isfinite(t) & (t <= ref[owner] + 1e-9)
        order = np.lexsort((t, owner))
        order = order[keep[order]]
        self.flat, self.order = flat, order
        self.owner = owner[order]
        self.t = t[order]
        self.count = np.bincount(self.owner, minlength=n)
        self.ends = np.cumsum(self.count)
        self.starts = self.ends - self.count
        self._cache: dict = {}

    def field(self, name):
        if name not in self._cache:
            self._cache[name] = self.flat.numeric(name)[self.order]
        return self._cache[name]

    def log_of(self, name):
        return np.log1p(self.field(name))

    def _valid(self, values):
        """Positions (in the sorted records) of each account's non-NaN values, per account index."""
        ok = ~np.isnan(values)
        owner = self.owner[ok]
        count = np.bincount(owner, minlength=self.n)
        ends = np.cumsum(count)
        return np.flatnonzero(ok), count, ends

    def at(self, values, k):
        """Each account's k-th last non-NaN value (k=1: last) and its time; NaN when fewer."""
        pos, count, ends = self._valid(values)
        out_v = np.full(self.n, np.nan)
        out_t = np.full(self.n, np.nan)
        has = count >= k
        idx = pos[ends[has] - k]
        out_v[has] = values[idx]
        out_t[has] = self.t[idx]
        return out_v, out_t

    def interval_rate(self, values, k):
        """Log growth per month of the k-th last interval (k=1: the last)."""
        v1, t1 = self.at(values, k)
        v0, t0 = self.at(values, k + 1)
        dt = t1 - t0
        return np.where(dt > 0, (v1 - v0) / dt, np.nan), (t1 + t0) / 2

    def rates(self, values):
        """The monthly growth of every interval between consecutive non-NaN values, with its owner."""
        pos, _, _ = self._valid(values)
        own = self.owner[pos]
        v, t = values[pos], self.t[pos]
        same = own[1:] == own[:-1]
        dt = np.diff(t)
        ok = same & (dt > 0)
        return np.diff(v)[ok] / dt[ok], own[1:][ok]

    def slope(self, values):
        ok = ~np.isnan(values)
        own, t, v = self.owner[ok], self.t[ok], values[ok]
        n = np.bincount(own, minlength=self.n).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            tm = np.bincount(own, t, minlength=self.n) / n
            vm = np.bincount(own, v, minlength=self.n) / n
            tc = t - tm[own]
            sxx = np.bincount(own, tc * tc, minlength=self.n)
            sxy = np.bincount(own, tc * (v - vm[own]), minlength=self.n)
            return np.where((n >= 2) & (sxx > 1e-12), sxy / sxx, np.nan)

    def presence(self):
        """(n_accounts, n_calendar) boolean matrix: observed in each list (up to the reference time)."""
        if "presence" not in self._cache:
            cal = self.cal
            idx = np.searchsorted(cal, self.t)
            idx = np.clip(idx, 0, max(len(cal) - 1, 0))
            exact = np.abs(cal[idx] - self.t) < 1e-6 if len(cal) else np.zeros(len(self.t), bool)
            mat = np.zeros((self.n, len(cal)), dtype=bool)
            mat[self.owner[exact], idx[exact]] = True
            # lists after an account's reference time are not its lists
            upto = cal[None, :] <= self.ref[:, None] + 1e-9
            self._cache["presence"] = (mat & upto, upto)
        return self._cache["presence"]

    def feature(self, name):
        est = self.est
        if name == "log_size":
            return self.at(self.log_of(est.value_field), 1)[0]
        if name == "growth_last":
            return self.interval_rate(self.log_of(est.value_field), 1)[0]
        if name == "growth_mean":
            v1, t1 = self.at(self.log_of(est.value_field), 1)
            pos, count, ends = self._valid(self.log_of(est.value_field))
            v0, t0 = np.full(self.n, np.nan), np.full(self.n, np.nan)
            has = count >= 1
            first = pos[ends[has] - count[has]]
            v0[has], t0[has] = self.log_of(est.value_field)[first], self.t[first]
            dt = t1 - t0
            return np.where(dt > 0, (v1 - v0) / dt, np.nan)
        if name == "growth_slope":
            return self.slope(self.log_of(est.value_field))
        if name == "acceleration":
            values = self.log_of(est.value_field)
            r1, m1 = self.interval_rate(values, 1)
            r2, m2 = self.interval_rate(values, 2)
            gap = m1 - m2
            return np.where(gap > 0, (r1 - r2) / gap, np.nan)
        if name == "volatility":
            r, own = self.rates(self.log_of(est.value_field))
            n = np.bincount(own, minlength=self.n).astype(float)
            s1 = np.bincount(own, r, minlength=self.n)
            s2 = np.bincount(own, r * r, minlength=self.n)
            var = (s2 - s1 * s1 / np.maximum(n, 1)) / (n - 1)
            return np.where(n >= 2, np.sqrt(np.maximum(var, 0.0)), np.nan)
        if name == "rank_last":
            return self.at(self.field(est.rank_field), 1)[0]
        if name == "rank_change":
            rank = self.field(est.rank_field)
            r1, t1 = self.at(rank, 1)
            r0, t0 = self.at(rank, 2)
            dt = t1 - t0
            return np.where(dt > 0, (r0 - r1) / dt, np.nan)
        if name == "engagement_trend":
            return self.slope(self.log_of(est.engagement_field))
        if name == "engagement_growth_last":
            return self.interval_rate(self.log_of(est.engagement_field), 1)[0]
        if name == "engagement_rate":
            value = self.field(est.value_field)
            both = np.where(np.isnan(value), np.nan, self.field(est.engagement_field))
            e, _ = self.at(both, 1)
            v, _ = self.at(np.where(np.isnan(both), np.nan, value), 1)
            return np.where(v > 0, e / v, np.nan)
        if name == "n_observed":
            return self.count.astype(np.float64)
        if name == "span_months":
            has = self.count > 0
            out = np.full(self.n, np.nan)
            out[has] = self.t[self.ends[has] - 1] - self.t[self.starts[has]]
            return out
        present, upto = self.presence()
        n_lists = upto.sum(axis=1)  # lists up to each account's reference time
        latest = n_lists - 1
        rows = np.arange(self.n)
        in_latest = np.zeros(self.n, dtype=bool)
        has_list = n_lists > 0
        in_latest[has_list] = present[rows[has_list], latest[has_list]]
        if name == "entered":
            before = np.zeros(self.n, dtype=bool)
            two = n_lists >= 2
            before[two] = present[rows[two], latest[two] - 1]
            return np.where(two, (in_latest & ~before).astype(float), np.nan)
        if name == "months_since_entry":
            # the run of consecutive lists ending at the latest one starts after the last miss
            columns = np.arange(present.shape[1])
            last_miss = np.where(~present & upto, columns[None, :], -1).max(axis=1, initial=-1)
            start = self.cal[np.clip(last_miss + 1, 0, max(len(self.cal) - 1, 0))] if len(self.cal) \
                else np.full(self.n, np.nan)
            end = np.where(np.isfinite(self.ref), self.ref, self.cal[-1] if len(self.cal) else np.nan)
            return np.where(in_latest, end - start, np.nan)
        if name == "n_missed":
            seen = present.any(axis=1)
            first = np.where(seen, present.argmax(axis=1), -1)
            span = np.where(seen, n_lists - first, 0)
            return np.where(seen, span - present.sum(axis=1), np.nan).astype(float)
        raise KeyError(name)  # pragma: no cover - names are validated in fit
