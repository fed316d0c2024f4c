"""The growth task without look-ahead: features up to a cutoff, targets after it, rolling splits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator

from ..exceptions import AccountFrameError
from ..nested import ID_COLUMN, nest_posts, unnest_posts

__all__ = ["growth_dataset", "RollingCutoffSplit"]

_SECONDS_PER_MONTH = 86_400.0 * 365.25 / 12


def _as_utc(value) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _naive_utc(values) -> np.ndarray:
    """Times as datetime64[ns] in UTC (naive values are read as UTC)."""
    return pd.to_datetime(values, utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def growth_dataset(
    frame: pd.DataFrame,
    periods: Sequence[tuple] | None = None,
    *,
    snapshots_column: str = "snapshots",
    time_field: str = "date",
    value_field: str = "followers",
    id_column: str = ID_COLUMN,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Build the growth task: features from snapshots up to a cutoff, the target after it.

    For each period ``(cutoff, target_date)``, the rows are the accounts
    observed (with a value) both at ``cutoff`` and at ``target_date``; each
    row keeps only its records up to the cutoff, so nothing after it can leak
    into features; its target is the log growth per month of ``value_field``
    from the cutoff to the target date. Rows of several periods are stacked,
    which is what :class:`RollingCutoffSplit` splits.

    Parameters
    ----------
    frame : DataFrame
        Account frame with nested snapshots (e.g. from
        :func:`~skinfluence.datasets.load_influencer_snapshots`).
    periods : list of (cutoff, target_date) or None, default=None
        Periods (dates or strings). None: every pair of consecutive snapshot
        dates of the frame.
    snapshots_column : str, default="snapshots"
        The nested column.
    time_field, value_field : str, default="date", "followers"
        Record fields with the time and the value whose growth is the target.
    id_column : str, default="account_id"
        Account id column (kept on every row).

    Returns
    -------
    X : DataFrame of shape (n_rows, n_columns + 2)
        One row per (period, account): ``account`` (the account's id), the
        profile columns with ``id_column`` made unique per row
        (``"<id>@<cutoff date>"``, as an account frame needs), the truncated
        nested column, ``cutoff`` and ``target_date``. Periods in the given
        order, accounts in frame order, fresh RangeIndex.
    y : ndarray of shape (n_rows,)
        ``log(value at target_date / value at cutoff)`` per month.

    Notes
    -----
    Survivorship: an account that left the list by ``target_date`` has no
    value there and no row. Accounts that fall out of a "top 1000" list are
    mostly those that grew least, so the rows over-represent growers and the
    realised growth of a period is biased upwards; a model learns to order the
    accounts that stay listed, not to predict who drops out. See
    ``docs/emerging.md``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.accounts import growth_dataset
    >>> snaps = pd.DataFrame({
    ...     "account_id": ["a", "a", "a", "b", "b"],
    ...     "date": pd.to_datetime(["2022-06-15", "2022-09-15", "2022-12-15",
    ...                             "2022-06-15", "2022-12-15"], utc=True),
    ...     "followers": [100.0, 200.0, 400.0, 50.0, 60.0]})
    >>> frame = nest_posts(pd.DataFrame({"account_id": ["a", "b"]}), snaps,
    ...                    posts_column="snapshots")
    >>> X, y = growth_dataset(frame)
    >>> X[["account", "account_id", "cutoff"]]
      account    account_id                    cutoff
    0       a  a@2022-06-15 2022-06-15 00:00:00+00:00
    1       a  a@2022-09-15 2022-09-15 00:00:00+00:00
    >>> [len(s) for s in X["snapshots"]]
    [1, 2]
    >>> y.round(3)
    array([0.229, 0.232])

    ``b`` is missing from the September list: it has a row in neither period.
    """
    for column in (snapshots_column, id_column):
        if column not in frame.columns:
            raise AccountFrameError(
                f"growth_dataset: the account frame has no column {column!r}; its columns are "
                f"{list(frame.columns)}"
            )
    for column in ("account", "cutoff", "target_date"):
        if column in frame.columns:
            raise AccountFrameError(
                f"growth_dataset: the account frame already has a {column!r} column, which "
                "growth_dataset writes (was the frame built by it?); pass the frame of every snapshot, "
                f"with {column!r} renamed if it is a column of yours"
            )
    flat = unnest_posts(frame, id_column=id_column, posts_column=snapshots_column)
    for field in (time_field, value_field):
        if field not in flat.columns:
            raise AccountFrameError(
                f"growth_dataset: the records of {snapshots_column!r} have no field {field!r}; their "
                f"fields are {list(flat.columns[1:])}"
            )
    types = flat.attrs.get("skinfluence_post_types")
    times = pd.to_datetime(flat[time_field], utc=True)
    values = pd.to_numeric(flat[value_field], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if periods is None:
        dates = np.unique(times.dropna().to_numpy())
        periods = list(zip(dates[:-1], dates[1:], strict=True))
    periods = [(_as_utc(c), _as_utc(d)) for c, d in periods]
    for cutoff, target in periods:
        if not target > cutoff:
            raise ValueError(
                f"growth_dataset: each period must end after its cutoff; got cutoff {cutoff} and "
                f"target_date {target}"
            )
    profiles = frame.drop(columns=[snapshots_column]).reset_index(drop=True)
    position = pd.Series(np.arange(len(frame)), index=frame[id_column].to_numpy())
    owner = position.loc[flat[id_column].to_numpy()].to_numpy()
    ok = ~np.isnan(values) & (values > 0)
    parts, targets = [], []
    for cutoff, target in periods:
        at_cut = ok & (times == cutoff).to_numpy()
        at_target = ok & (times == target).to_numpy()
        v_cut = np.full(len(frame), np.nan)
        v_target = np.full(len(frame), np.nan)
        v_cut[owner[at_cut]] = values[at_cut]
        v_target[owner[at_target]] = values[at_target]
        rows = np.flatnonzero(~np.isnan(v_cut) & ~np.isnan(v_target))
        months = (target - cutoff).total_seconds() / _SECONDS_PER_MONTH
        keep = (times <= cutoff).to_numpy() & np.isin(owner, rows)
        records = flat[keep].reset_index(drop=True)
        if types is not None:
            records.attrs["skinfluence_post_types"] = types
        part = nest_posts(profiles.iloc[rows].reset_index(drop=True), records, on=id_column,
                          posts_column=snapshots_column)
        # one row per account in an account frame: the stacked rows get ids of their own
        part.insert(0, "account", part[id_column])
        part[id_column] = part[id_column].astype(str) + f"@{cutoff:%Y-%m-%d}"
        part["cutoff"] = cutoff
        part["target_date"] = target
        parts.append(part)
        targets.append(np.log(v_target[rows] / v_cut[rows]) / months)
    X = pd.concat(parts, ignore_index=True) if parts else profiles.iloc[:0]
    y = np.concatenate(targets) if targets else np.empty(0)
    return X, y


class RollingCutoffSplit(BaseCrossValidator):
    """Rolling-origin splits of a stacked growth task: train only on targets already realised.

    Each split tests on the rows of one cutoff and trains on every row whose
    target date is at or before that cutoff, so no training target reaches
    past the time the test features stop. Rows must carry the ``cutoff`` and
    ``target_date`` columns that :func:`growth_dataset` writes.

    Parameters
    ----------
    min_train_periods : int, default=1
        A cutoff is tested only when at least this many periods have ended by
        it (its training set).
    test_cutoffs : list of dates or None, default=None
        Test only these cutoffs (None: every cutoff with enough training periods).

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.accounts import RollingCutoffSplit
    >>> X = pd.DataFrame({
    ...     "cutoff": pd.to_datetime(["2022-03-15", "2022-06-15", "2022-06-15", "2022-09-15"]),
    ...     "target_date": pd.to_datetime(["2022-06-15", "2022-09-15", "2022-09-15", "2022-12-15"])})
    >>> [(train.tolist(), test.tolist()) for train, test in RollingCutoffSplit().split(X)]
    [([0], [1, 2]), ([0, 1, 2], [3])]
    """

    def __init__(self, min_train_periods: int = 1, *, test_cutoffs=None):
        self.min_train_periods = min_train_periods
        self.test_cutoffs = test_cutoffs

    def _columns(self, X):
        if not isinstance(X, pd.DataFrame) or not {"cutoff", "target_date"} <= set(X.columns):
            raise ValueError(
                "RollingCutoffSplit needs the rows of growth_dataset: a DataFrame with 'cutoff' and "
                "'target_date' columns"
            )
        return (_naive_utc(X["cutoff"]), _naive_utc(X["target_date"]))

    def _plan(self, X):
        cutoff, target = self._columns(X)
        chosen = None if self.test_cutoffs is None else \
            {np.datetime64(_as_utc(c).tz_localize(None), "ns") for c in self.test_cutoffs}
        plan = []
        for c in np.unique(cutoff):
            if chosen is not None and c not in chosen:
                continue
            train = target <= c
            if len(np.unique(cutoff[train])) >= self.min_train_periods and train.any():
                plan.append((np.flatnonzero(train), np.flatnonzero(cutoff == c)))
        return plan

    def split(self, X, y=None, groups=None):
        """Yield (train, test) row positions, one split per tested cutoff, in time order.

        Parameters
        ----------
        X : DataFrame
            Rows of :func:`growth_dataset`.
        y, groups : Ignored

        Yields
        ------
        train, test : ndarray of int
        """
        yield from self._plan(X)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits (needs ``X``: the cutoffs are read from it).

        Parameters
        ----------
        X : DataFrame
        y, groups : Ignored

        Returns
        -------
        n_splits : int
        """
        if X is None:
            raise ValueError("RollingCutoffSplit.get_n_splits needs X: the splits depend on its cutoffs")
        return len(self._plan(X))

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover - split is overridden
        for _, test in self._plan(X):
            yield test
