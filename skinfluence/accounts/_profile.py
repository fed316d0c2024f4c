"""ProfileFeatures: numeric features from the scalar profile columns of an account table."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import ID_COLUMN, _account_labels, _check_count_values, _numeric_column, _show
from ..registry import register
from ..utils._param_validation import StrOptions, fit_context
from ..utils.validation import check_account_frame, check_reference_time

__all__ = ["ProfileFeatures", "PROFILE_COUNTS", "PROFILE_RATIOS"]

#: Count columns ``count_columns="auto"`` uses when present, in output order.
PROFILE_COUNTS = (
    "followers",
    "following",
    "n_posts",
    "total_likes",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "new_post_avg_like",
)

#: Ratio features: name -> (numerator column, denominator column).
PROFILE_RATIOS = {
    "followers_per_following": ("followers", "following"),
    "likes_per_post": ("total_likes", "n_posts"),
}

_AGE_NAME = "account_age_days"
_IMPUTE = ("mean", "median")


def _utc(value):
    """``reference_time`` as a tz-aware UTC Timestamp; naive values are read as UTC."""
    return check_reference_time(value, "ProfileFeatures").tz_convert("UTC")


@register("extractor")
class ProfileFeatures(ComponentMixin, TransformerMixin, BaseEstimator):
    """Numeric features from an account's profile counts: log counts, ratios, account age.

    Reads the scalar profile columns of an account frame or of any profile
    table (one row per account, e.g. the output of
    :func:`skinfluence.datasets.load_top_instagram`, which has no posts):
    the nested ``posts`` column is not needed and never read.

    Parameters
    ----------
    count_columns : "auto" or list of str, default="auto"
        Count columns to use, in this order. ``"auto"``: those of
        ``PROFILE_COUNTS`` (followers, following, n_posts, total_likes,
        avg_likes, avg_comments, avg_views, new_post_avg_like) present in the
        table given to ``fit``. Each must be numeric, finite or missing (NaN),
        and non-negative.
    log : bool, default=True
        Output ``log1p`` of every count and ratio (they are heavy tailed: a few
        accounts have millions of times the followers of the median one).
        Output names then carry a ``log1p_`` prefix.
    ratios : bool, default=True
        Add ``followers_per_following`` (followers / following) and
        ``likes_per_post`` (total_likes / n_posts) when both of their columns
        are among the count columns. A ratio is only formed from selected
        count columns, so removing a column from ``count_columns`` removes
        every feature computed from it.
    age_column : str or None, default=None
        Column holding each account's creation time (datetime64, any time
        zone; naive times are read as UTC). When given, the output has
        ``account_age_days``: days from creation to ``reference_time``.
    reference_time : str, datetime-like or None, default=None
        The "now" for the account age. None: the latest creation time in the
        table given to ``fit`` (stored in ``reference_time_``), so ages count
        days before the newest training account was created; pass the crawl
        date to get true ages. Ignored without ``age_column``.
    impute : {"mean", "median"} or None, default="mean"
        How undefined values are filled (see Notes): with the mean (as in the
        UCLA DataRes TikTok study) or the median of the feature over the
        accounts given to ``fit`` (on the output scale, i.e. after ``log1p``);
        None keeps NaN, for models that handle it (``HistGradientBoosting*``).
    add_indicator : bool, default=False
        Append a 0/1 ``missing_<feature>`` column for every feature that had an
        undefined value in ``fit`` (as ``SimpleImputer(add_indicator=True)``).

    Attributes
    ----------
    count_columns_ : list of str
        The count columns used.
    feature_names_out_ : ndarray of str
        Names of the output features, in output order.
    statistics_ : ndarray of shape (n_features,) or None
        Fill value of each feature before the indicators (mean or median over
        ``fit``); None when ``impute=None``.
    indicator_features_ : ndarray of str
        Features that get a missing indicator (empty without ``add_indicator``).
    reference_time_ : pandas.Timestamp or None
        The reference time of the account age (None without ``age_column``).
    n_features_in_ : int
        Number of columns of the table seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the table seen in ``fit``.

    See Also
    --------
    EngagementAggregator : Per-account engagement features from the nested posts.
    skinfluence.datasets.parse_count : Parse abbreviated counts such as "3.3k".

    Notes
    -----
    A value is undefined (NaN before imputation) when:

    - a count is missing (NaN) in the table;
    - a ratio's numerator or denominator is missing, or its denominator is 0
      (``followers_per_following`` of an account following nobody,
      ``likes_per_post`` of an account without posts): never an infinity;
      a ratio that overflows float64 (only possible with non-integer counts
      below 1 as denominator) is also undefined;
    - the creation time is missing.

    Imputation statistics are learned in ``fit`` and applied unchanged in
    ``transform``, so test accounts are filled with training values. A
    feature with no defined value at all in ``fit`` is filled with 0, with a
    warning naming it.

    Count columns must hold numbers: strings such as ``"3.3k"`` raise an
    :class:`~skinfluence.exceptions.AccountFrameError` naming the column, the
    accounts and :func:`~skinfluence.datasets.parse_count`. The loaders of
    :mod:`skinfluence.datasets` already parse them.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import ProfileFeatures
    >>> table = pd.DataFrame({"account_id": ["a", "b", "c"],
    ...                       "followers": [999.0, 99.0, 9.0],
    ...                       "following": [9.0, 0.0, 9.0]})
    >>> pf = ProfileFeatures(log=False).fit(table)
    >>> pf.get_feature_names_out().tolist()
    ['followers', 'following', 'followers_per_following']
    >>> pf.transform(table)  # b follows nobody: its ratio is the mean of a and c
    array([[999.,   9., 111.],
           [ 99.,   0.,  56.],
           [  9.,   9.,   1.]])
    """

    # reads scalar profile columns only: a profile table without posts is valid input

    _parameter_constraints: dict = {
        "count_columns": [StrOptions({"auto"}), "array-like"],  # names checked in fit
        "log": ["boolean"],
        "ratios": ["boolean"],
        "age_column": [str, None],
        "reference_time": [None, str, datetime, np.datetime64],
        "impute": [StrOptions(set(_IMPUTE)), None],
        "add_indicator": ["boolean"],
    }

    def __init__(
        self,
        count_columns: str | Sequence[str] = "auto",
        *,
        log: bool = True,
        ratios: bool = True,
        age_column: str | None = None,
        reference_time: str | datetime | np.datetime64 | None = None,
        impute: str | None = "mean",
        add_indicator: bool = False,
    ) -> None:
        self.count_columns = count_columns
        self.log = log
        self.ratios = ratios
        self.age_column = age_column
        self.reference_time = reference_time
        self.impute = impute
        self.add_indicator = add_indicator

    # ------------------------------------------------------------------ params

    def _check_count_columns(self):
        """The names in a ``count_columns`` list: the declared constraints check its type only."""
        cc = self.count_columns
        if isinstance(cc, str):  # "auto"
            return
        names = list(cc)
        if not all(isinstance(c, str) for c in names) or len(set(names)) != len(names):
            raise ValueError(
                "The 'count_columns' parameter of ProfileFeatures must be 'auto' or a list of "
                f"distinct column names (str). Got {cc!r} instead."
            )

    def _resolve_counts(self, X) -> list[str]:
        if isinstance(self.count_columns, str):  # "auto"
            return [c for c in PROFILE_COUNTS if c in X.columns]
        return list(self.count_columns)

    def _plan(self, counts):
        """Output feature names (before indicators) and the ratios formed."""
        ratios = []
        if self.ratios:
            ratios = [name for name, (num, den) in PROFILE_RATIOS.items()
                      if num in counts and den in counts]
        prefix = "log1p_" if self.log else ""
        names = [prefix + c for c in counts] + [prefix + r for r in ratios]
        if self.age_column is not None:
            names.append(_AGE_NAME)
        return names, ratios

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X: pd.DataFrame, y: None = None) -> ProfileFeatures:
        """Resolve the columns, and learn the imputation statistics and the reference time.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame or profile table (one row per account).
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : ProfileFeatures
        """
        self._check_extras()
        self._check_count_columns()
        _check_table(X)
        counts = self._resolve_counts(X)
        self._validate(X, counts, reset=True)
        if not counts and self.age_column is None:
            if isinstance(self.count_columns, str):
                raise AccountFrameError(
                    "ProfileFeatures found no count column: with count_columns='auto' it uses the "
                    f"columns among {list(PROFILE_COUNTS)} that the table has, and it has none "
                    f"(its columns are {list(X.columns)}). Pass count_columns=[...] or age_column=..."
                )
            raise ValueError(
                "ProfileFeatures has nothing to compute: count_columns is empty and age_column is "
                "None. Name at least one count column or an age column."
            )
        names, ratios = self._plan(counts)
        if self.age_column is not None:
            if self.reference_time is not None:
                self.reference_time_ = _utc(self.reference_time)
            else:
                created = self._created(X)
                latest = created.max()
                if pd.isna(latest):
                    raise AccountFrameError(
                        f"column {self.age_column!r} has no creation time: the reference time for "
                        "the account age cannot be taken from it; pass reference_time=..."
                    )
                self.reference_time_ = latest
        else:
            self.reference_time_ = None
        self.count_columns_ = counts
        self._ratios = ratios
        values = self._compute(X, counts, ratios)
        undefined = np.isnan(values)

        if self.impute is None:
            self.statistics_ = None
        else:
            stats = np.empty(values.shape[1])
            empty = []
            for j, name in enumerate(names):
                col = values[~undefined[:, j], j]
                if col.size == 0:
                    stats[j] = 0.0
                    empty.append(name)
                elif self.impute == "median":
                    stats[j] = np.median(col)
                else:
                    # scaled mean: the plain sum of huge (log=False) counts can overflow
                    scale = np.max(np.abs(col))
                    stats[j] = np.mean(col / scale) * scale if scale > 0 else 0.0
            if empty:
                warnings.warn(
                    f"ProfileFeatures: feature(s) {empty} have no defined value in the {len(X)} "
                    "account(s) given to fit; they are filled with 0.",
                    UserWarning,
                    stacklevel=2,
                )
            self.statistics_ = stats
        if self.add_indicator:
            self.indicator_features_ = np.asarray(
                [n for j, n in enumerate(names) if undefined[:, j].any()], dtype=object
            )
        else:
            self.indicator_features_ = np.asarray([], dtype=object)
        self._n_base = len(names)
        self.feature_names_out_ = np.asarray(
            names + [f"missing_{n}" for n in self.indicator_features_], dtype=object
        )
        return self

    # ---------------------------------------------------------------- validate

    def _validate(self, X, counts, reset):
        _check_table(X)
        required = list(counts) + ([self.age_column] if self.age_column is not None else [])
        check_account_frame(self, X, reset=reset, required_columns=required, require_posts=False)
        for column in counts:
            # the data contract checks followers/following/n_posts; the others are checked here
            values = _numeric_column(X, column, ID_COLUMN)
            _check_count_values(
                values, f"column {column!r}",
                lambda idx: f"account(s) {_show(_account_labels(X, idx, ID_COLUMN))}",
            )

    def _created(self, X) -> pd.Series:
        s = X[self.age_column]
        dtype = s.dtype
        is_time = pd.api.types.is_datetime64_any_dtype(dtype) or (
            isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M"
        )
        if not is_time:
            raise AccountFrameError(
                f"column {self.age_column!r} must hold creation times (datetime64), got dtype "
                f"{dtype} with values such as {_show(list(s.iloc[:3]))}; convert it with "
                "pandas.to_datetime (for unix seconds: pandas.to_datetime(values, unit='s', utc=True))"
            )
        return pd.to_datetime(s, utc=True)  # naive times are read as UTC

    # --------------------------------------------------------------- transform

    def _compute(self, X, counts, ratios) -> np.ndarray:
        cols = {c: X[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in counts}
        out = [cols[c] for c in counts]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for name in ratios:
                num, den = (cols[c] for c in PROFILE_RATIOS[name])
                ratio = np.full(len(X), np.nan)
                np.divide(num, den, out=ratio, where=den > 0)
                ratio[np.isinf(ratio)] = np.nan  # overflow: undefined, never inf
                out.append(ratio)
            if self.log:
                out = [np.log1p(v) for v in out]
        if self.age_column is not None:
            age = (self.reference_time_ - self._created(X)).dt.total_seconds() / 86_400.0
            out.append(age.to_numpy(dtype=np.float64, na_value=np.nan))
        if not out:
            return np.empty((len(X), 0))
        return np.column_stack(out).astype(np.float64, copy=False)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Compute the features.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame or profile table with the columns used in ``fit``
            (extra columns are ignored).

        Returns
        -------
        features : ndarray of shape (n_accounts, n_features)
            Columns as in ``get_feature_names_out()``.
        """
        check_is_fitted(self, "feature_names_out_")
        self._validate(X, self.count_columns_, reset=False)
        values = self._compute(X, self.count_columns_, self._ratios)
        undefined = np.isnan(values)
        if self.statistics_ is not None:
            values = np.where(undefined, self.statistics_, values)
        if len(self.indicator_features_):
            names = list(self.feature_names_out_[: self._n_base])
            idx = [names.index(n) for n in self.indicator_features_]
            values = np.hstack([values, undefined[:, idx].astype(np.float64)])
        return values

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
        tags.input_tags.requires_posts = False
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = True
        return tags

    @classmethod
    def get_test_params(cls):
        return [
            {},
            {"log": False, "impute": "median", "add_indicator": True},
            {"count_columns": ["followers", "n_posts"], "impute": None, "ratios": False},
        ]


def _check_table(X) -> None:
    """ProfileFeatures reads named profile columns: X must be a DataFrame (posts not needed)."""
    if isinstance(X, pd.DataFrame):
        return
    shape = getattr(X, "shape", None)
    got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
    raise AccountFrameError(
        "ProfileFeatures expects a profile table or an account frame: a pandas DataFrame with one "
        "row per account and named count columns (those of count_columns, by default any of "
        f"{list(PROFILE_COUNTS)}); it reads no posts. Got {got}. Wrap an array in "
        "pandas.DataFrame(X, columns=[...]) to name its columns."
    )
