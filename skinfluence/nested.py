"""The account frame: one row per account, its posts nested in a columnar column.

An *account frame* is a :class:`pandas.DataFrame` with one row per account,
scalar profile columns (``followers``, ``following``, ``n_posts``, ...) and a
``posts`` column whose cells hold that account's posts. The ``posts`` column is
stored columnar, as a pyarrow ``list<struct<...>>`` array behind pandas'
:class:`pandas.ArrowDtype`: all posts of all accounts live in one flat Arrow
table plus an offsets array, never as a Python object per cell. Components read
the flat arrays through :func:`flatten_posts` (a :class:`FlatPosts` view, whose
offsets and index machinery is the ragged core's, :mod:`skinfluence.ragged`) and
aggregate them with the core's vectorised :func:`~skinfluence.segment_reduce`,
without a Python loop per account.

See ``docs/data.md`` for the full contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .exceptions import AccountFrameError
from .ragged import RaggedIndex, offsets_from_lengths, segment_reduce

__all__ = [
    "ID_COLUMN",
    "POSTS_COLUMN",
    "PROFILE_COUNT_COLUMNS",
    "POST_COUNT_FIELDS",
    "FlatPosts",
    "nest_posts",
    "unnest_posts",
    "validate_account_frame",
    "flatten_posts",
    "segment_reduce",  # defined in skinfluence.ragged, re-exported for the data contract
    "is_account_frame",
]

#: Default name of the account id column.
ID_COLUMN = "account_id"
#: Default name of the nested posts column.
POSTS_COLUMN = "posts"
#: Profile columns that, when present, must be numeric and non-negative.
PROFILE_COUNT_COLUMNS = ("followers", "following", "n_posts")
#: Post fields that, when present, must be numeric and non-negative.
POST_COUNT_FIELDS = ("likes", "comments", "views", "shares")

_MAX_SHOWN = 5
# DataFrame.attrs key under which unnest_posts records the Arrow type of each post field
_TYPES_ATTR = "skinfluence_post_types"


def _show(values: Sequence, limit: int = _MAX_SHOWN) -> str:
    """A short, readable list of offending values for an error message."""
    values = list(values)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"[{shown}]{more}"


def _account_labels(frame: pd.DataFrame, positions, id_column: str) -> list:
    """Account ids at the given row positions (row positions if there is no id column)."""
    positions = np.asarray(positions, dtype=np.int64)
    if id_column in frame.columns:
        return list(frame[id_column].iloc[positions])
    return [f"row {p}" for p in positions]


def is_account_frame(X, posts_column: str = POSTS_COLUMN) -> bool:
    """Whether ``X`` is a DataFrame with a nested posts column.

    Parameters
    ----------
    X : object
        Anything.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    bool
    """
    return isinstance(X, pd.DataFrame) and posts_column in X.columns


# --------------------------------------------------------------------------- nesting


def _posts_to_arrow(posts: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(posts, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        # Find the column that does not convert, to name it.
        for col in posts.columns:
            try:
                pa.array(posts[col], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as col_exc:
                raise AccountFrameError(
                    f"post column {col!r} cannot be stored columnar: its values must share one "
                    f"type (numbers, strings, bytes, timestamps, ...). Arrow said: {col_exc}"
                ) from exc
        raise AccountFrameError(f"the post table cannot be stored columnar: {exc}") from exc


def nest_posts(
    profiles: pd.DataFrame,
    posts: pd.DataFrame,
    on: str = ID_COLUMN,
    *,
    posts_column: str = POSTS_COLUMN,
    validate: bool = True,
) -> pd.DataFrame:
    """Build an account frame: nest a flat post table into its accounts' rows.

    Parameters
    ----------
    profiles : DataFrame of shape (n_accounts, n_profile_columns)
        One row per account, with a unique, non-null ``on`` column.
    posts : DataFrame of shape (n_posts, n_post_columns)
        One row per post, with an ``on`` column naming its account. Every other
        column becomes a field of the nested post structs. Posts keep their
        order within each account.
    on : str, default="account_id"
        The account id column, present in both tables.
    posts_column : str, default="posts"
        Name of the nested column to create; must not exist in ``profiles``.
    validate : bool, default=True
        Run :func:`validate_account_frame` on the result (counts numeric and
        non-negative, ...).

    Returns
    -------
    frame : DataFrame of shape (n_accounts, n_profile_columns + 1)
        ``profiles`` (same index and row order) plus ``posts_column``, a
        ``list<struct>`` :class:`pandas.ArrowDtype` column. Accounts without
        posts get an empty list.

    Raises
    ------
    AccountFrameError
        When ``on`` is missing from either table, account ids are duplicated or
        null, or posts name accounts that are not in ``profiles``.

    See Also
    --------
    unnest_posts : The inverse: the flat post table of an account frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts, unnest_posts
    >>> profiles = pd.DataFrame({"account_id": ["a", "b", "c"], "followers": [10, 2000, 0]})
    >>> posts = pd.DataFrame({"account_id": ["b", "a", "b"], "likes": [5, 1, 7]})
    >>> frame = nest_posts(profiles, posts)
    >>> frame["posts"].list.len().tolist()
    [1, 2, 0]
    >>> unnest_posts(frame)
      account_id  likes
    0          a      1
    1          b      5
    2          b      7
    """
    if not isinstance(profiles, pd.DataFrame):
        raise AccountFrameError(
            f"profiles must be a pandas DataFrame with one row per account, got {type(profiles).__name__}"
        )
    if not isinstance(posts, pd.DataFrame):
        raise AccountFrameError(
            f"posts must be a pandas DataFrame with one row per post, got {type(posts).__name__}"
        )
    for name, table in (("profiles", profiles), ("posts", posts)):
        if on not in table.columns:
            raise AccountFrameError(
                f"{name} has no account id column {on!r}; its columns are {list(table.columns)}. "
                f"Pass on=<column> to name the id column."
            )
    if posts_column in profiles.columns:
        raise AccountFrameError(
            f"profiles already has a column {posts_column!r}; nest_posts would overwrite it. "
            "Drop or rename it, or pass another posts_column."
        )
    _check_ids(profiles, on)

    ids = pd.Index(profiles[on])
    post_ids = posts[on]
    if post_ids.isna().any():
        rows = np.flatnonzero(post_ids.isna().to_numpy())
        raise AccountFrameError(
            f"posts[{on!r}] is missing (null) in {len(rows)} post row(s): rows {_show(rows)}; "
            "every post must name its account"
        )
    position = ids.get_indexer(post_ids)
    unknown = position < 0
    if unknown.any():
        rows = np.flatnonzero(unknown)
        bad = pd.unique(post_ids.to_numpy()[rows])
        raise AccountFrameError(
            f"{len(bad)} account id(s) in posts[{on!r}] are not in profiles[{on!r}]: {_show(bad)} "
            f"(post rows {_show(rows)}); every post must belong to a known account"
        )

    n_accounts = len(profiles)
    position = position.astype(np.int64, copy=False)
    order = np.argsort(position, kind="stable")
    counts = np.bincount(position, minlength=n_accounts)
    offsets = np.zeros(n_accounts + 1, dtype=np.int32 if len(posts) < 2**31 else np.int64)
    np.cumsum(counts, out=offsets[1:])

    recorded = posts.attrs.get(_TYPES_ATTR) or {}
    flat_posts = posts.drop(columns=[on])
    flat_posts.attrs = {}  # from_pandas would try to store attrs as JSON metadata
    table = _posts_to_arrow(flat_posts)
    # A column with no value at all carries no type in pandas (object dtype of Nones):
    # restore the type unnest_posts recorded, so nest(unnest(frame)) keeps the schema.
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type) and field.name in recorded:
            table = table.set_column(i, field.name, table.column(i).cast(recorded[field.name]))
    if not np.array_equal(order, np.arange(len(order))):
        table = table.take(pa.array(order))
    if table.num_columns:
        struct = pa.StructArray.from_arrays(
            [table.column(i).combine_chunks() for i in range(table.num_columns)],
            fields=list(table.schema),
        )
    else:  # posts carry no field but their account: structs without fields
        struct = pa.array([{}] * len(posts), type=pa.struct([]))
    list_cls = pa.ListArray if offsets.dtype == np.int32 else pa.LargeListArray
    nested = list_cls.from_arrays(pa.array(offsets), struct)

    frame = profiles.copy()
    frame[posts_column] = pd.Series(
        pd.arrays.ArrowExtensionArray(nested), index=profiles.index, name=posts_column
    )
    if validate:
        validate_account_frame(frame, id_column=on, posts_column=posts_column)
    return frame


def _check_ids(frame: pd.DataFrame, id_column: str) -> None:
    ids = frame[id_column]
    if ids.isna().any():
        rows = np.flatnonzero(ids.isna().to_numpy())
        raise AccountFrameError(
            f"column {id_column!r} is missing (null) in {len(rows)} row(s): rows {_show(rows)}; "
            "every account needs an id"
        )
    dup = ids.duplicated(keep=False)
    if dup.any():
        bad = pd.unique(ids[dup].to_numpy())
        raise AccountFrameError(
            f"column {id_column!r} has {len(bad)} duplicated account id(s): {_show(bad)}; "
            "an account frame holds one row per account (nest its posts instead of repeating the account)"
        )


def _flat_to_pandas(array: pa.Array) -> pd.Series:
    """One flat post field back to pandas, keeping integers and booleans with nulls exact."""
    if array.null_count and pa.types.is_integer(array.type):
        return pd.Series(array.to_pandas(types_mapper=pd.ArrowDtype)).astype("Int64")
    if array.null_count and pa.types.is_boolean(array.type):
        return pd.Series(array.to_pandas(types_mapper=pd.ArrowDtype)).astype("boolean")
    return pd.Series(array.to_pandas())


def unnest_posts(
    frame: pd.DataFrame,
    *,
    id_column: str = ID_COLUMN,
    posts_column: str = POSTS_COLUMN,
) -> pd.DataFrame:
    """The flat post table of an account frame (the inverse of :func:`nest_posts`).

    Parameters
    ----------
    frame : DataFrame
        An account frame.
    id_column : str, default="account_id"
        Column of ``frame`` whose value is repeated on each post row. When the
        frame has no such column, the account's row position is used.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    posts : DataFrame of shape (n_posts, 1 + n_post_fields)
        ``id_column`` first, then one column per post field, accounts in frame
        order and posts in their nested order, with a fresh RangeIndex.
        ``unnest_posts(nest_posts(profiles, posts))`` equals ``posts`` stably
        sorted by account, and ``nest_posts(profiles, unnest_posts(frame))``
        equals ``frame``.
    """
    flat = _validate_and_flatten(frame, id_column=id_column, posts_column=posts_column,
                                 check_counts=False)
    if flat is None:  # no posts column: flatten_posts says so
        flat = flatten_posts(frame, posts_column=posts_column)
    if id_column in frame.columns:
        ids = frame[id_column].iloc[flat.account_index()].reset_index(drop=True)
    else:
        ids = pd.Series(flat.account_index(), name=id_column)
    columns = {id_column: ids}
    for name in flat.fields:
        columns[name] = _flat_to_pandas(flat.table.column(name).combine_chunks())
    out = pd.DataFrame(columns)
    out.attrs[_TYPES_ATTR] = {f.name: f.type for f in flat.table.schema}
    return out


# ----------------------------------------------------------------------- flat access


@dataclass(frozen=True)
class FlatPosts(RaggedIndex):
    """All posts of an account frame as one flat Arrow table plus offsets.

    Posts of account ``i`` are rows ``offsets[i]:offsets[i + 1]`` of ``table``.
    Obtain it with :func:`flatten_posts`. A thin view: its sizes and index
    (``n_accounts``, ``n_posts``, ``lengths``, ``counts()``, ``account_index()``)
    are those of the ragged core, :class:`skinfluence.ragged.RaggedIndex`,
    shared with :class:`~skinfluence.PostFeatures`; it adds typed access to the
    raw post fields.

    Parameters
    ----------
    table : pyarrow.Table
        One row per post, one column per post field.
    offsets : ndarray of shape (n_accounts + 1,), dtype=int64
        Start of each account's posts in ``table``; the last entry is ``n_posts``.
    """

    table: pa.Table
    offsets: np.ndarray

    @property
    def fields(self) -> list[str]:
        return list(self.table.column_names)

    def numeric(self, field: str, *, missing: str = "raise") -> np.ndarray:
        """A numeric post field as float64, nulls as NaN.

        Parameters
        ----------
        field : str
            Post field name.
        missing : {"raise", "nan"}, default="raise"
            What to do when no post has this field: raise an
            :class:`AccountFrameError`, or return all-NaN.
        """
        if field not in self.table.column_names:
            if missing == "nan":
                return np.full(self.n_posts, np.nan)
            raise AccountFrameError(
                f"posts have no field {field!r}; their fields are {self.fields}"
            )
        col = self.table.column(field)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                or pa.types.is_boolean(col.type) or pa.types.is_null(col.type)):
            raise AccountFrameError(
                f"post field {field!r} must be numeric, got Arrow type {col.type}"
            )
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)

    def column(self, field: str) -> pa.ChunkedArray:
        """A post field as an Arrow array (any type).

        Parameters
        ----------
        field : str
            Post field name.

        Returns
        -------
        column : pyarrow.ChunkedArray
        """
        if field not in self.table.column_names:
            raise AccountFrameError(f"posts have no field {field!r}; their fields are {self.fields}")
        return self.table.column(field)

    def seconds(self, field: str) -> np.ndarray:
        """A timestamp post field as float64 seconds since the Unix epoch (UTC), nulls as NaN.

        The one timestamp conversion of the library (microsecond precision, time
        zones honoured).

        Parameters
        ----------
        field : str
            Post field of Arrow type ``timestamp``.

        Returns
        -------
        seconds : ndarray of shape (n_posts,), dtype=float64
        """
        col = self.column(field)
        if not pa.types.is_timestamp(col.type):
            raise AccountFrameError(
                f"post field {field!r} must hold timestamps, got Arrow type {col.type}"
            )
        micros = pc.cast(pc.cast(col, pa.timestamp("us", tz=col.type.tz)), pa.int64())
        return micros.to_numpy(zero_copy_only=False).astype(np.float64) / 1e6


def _posts_array(frame: pd.DataFrame, posts_column: str):
    """The posts column as one (Large)ListArray, converting Python lists when needed."""
    col = frame[posts_column]
    if isinstance(col.dtype, pd.ArrowDtype):
        arr = pa.array(col.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    else:
        arr = _python_posts_to_arrow(frame, col, posts_column)
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)) or not (
        pa.types.is_struct(arr.type.value_type) or pa.types.is_null(arr.type.value_type)
    ):
        raise AccountFrameError(
            f"column {posts_column!r} must hold a list of post records per account "
            f"(Arrow list<struct>), got {arr.type}; build it with skinfluence.nest_posts"
        )
    return arr


def _python_posts_to_arrow(frame, col, posts_column):
    values = []
    for i, cell in enumerate(col.to_numpy()):
        if isinstance(cell, pd.DataFrame):
            cell = cell.to_dict("records")
        elif cell is not None and not isinstance(cell, (list, tuple, np.ndarray)):
            acc = _account_labels(frame, [i], ID_COLUMN)[0]
            raise AccountFrameError(
                f"column {posts_column!r} of account {acc!r} holds a {type(cell).__name__}; "
                "expected a list of post records (dicts) per account"
            )
        values.append(None if cell is None else list(cell))
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise AccountFrameError(
            f"column {posts_column!r} cannot be stored columnar: each cell must be a list of post "
            f"records (dicts with the same fields and types). Arrow said: {exc}"
        ) from exc


def flatten_posts(frame: pd.DataFrame, *, posts_column: str = POSTS_COLUMN) -> FlatPosts:
    """The posts of an account frame as one flat table plus offsets (no copy per account).

    Parameters
    ----------
    frame : DataFrame
        An account frame.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    flat : FlatPosts

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.nested import flatten_posts, segment_reduce
    >>> frame = nest_posts(pd.DataFrame({"account_id": [1, 2, 3]}),
    ...                    pd.DataFrame({"account_id": [1, 1, 3], "likes": [4, 6, 9]}))
    >>> flat = flatten_posts(frame)
    >>> flat.offsets.tolist()
    [0, 2, 2, 3]
    >>> segment_reduce(flat.numeric("likes"), flat.offsets, "mean").tolist()
    [5.0, nan, 9.0]
    """
    if posts_column not in frame.columns:
        raise AccountFrameError(
            f"the account frame has no posts column {posts_column!r}; its columns are "
            f"{list(frame.columns)}"
        )
    return _flatten_array(_posts_array(frame, posts_column))


def _flatten_array(arr) -> FlatPosts:
    """The FlatPosts view of a posts column already converted to a (Large)ListArray."""
    lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    offsets = offsets_from_lengths(lengths)
    values = arr.flatten()
    if pa.types.is_null(values.type):  # list<null>: only possible when every list is empty
        table = pa.table({})
    else:
        # StructArray.flatten honours the array's offset and length (a sliced frame, as
        # frame.iloc[a:b] gives); RecordBatch.from_struct_array does not on pyarrow < 15.
        table = pa.Table.from_arrays(values.flatten(), names=[f.name for f in values.type])
    if table.num_columns and table.num_rows != offsets[-1]:  # pragma: no cover - invariant
        raise AssertionError(
            f"flattened {table.num_rows} posts but the offsets say {offsets[-1]}: please report this"
        )
    return FlatPosts(table=table, offsets=offsets)


# ----------------------------------------------------------------------- validation


def _check_count_values(values: np.ndarray, where: str, labels_of) -> None:
    neg = values < 0
    if np.any(neg):
        idx = np.flatnonzero(neg)
        raise AccountFrameError(
            f"{where} must be non-negative counts; {len(idx)} negative value(s) "
            f"{_show(values[idx])} for {labels_of(idx)}"
        )
    inf = np.isinf(values)
    if np.any(inf):
        idx = np.flatnonzero(inf)
        raise AccountFrameError(
            f"{where} must be finite counts (NaN marks a missing value); infinite for {labels_of(idx)}"
        )


def _numeric_column(frame, column, id_column):
    s = frame[column]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        # Find the first values that are not numbers, to show them.
        converted = pd.to_numeric(s, errors="coerce")
        bad = np.flatnonzero(converted.isna().to_numpy() & s.notna().to_numpy())
        if pd.api.types.is_bool_dtype(s.dtype):
            bad = np.arange(len(s))
        examples = list(s.iloc[bad[:_MAX_SHOWN]]) if len(bad) else []
        accounts = _account_labels(frame, bad[:_MAX_SHOWN], id_column)
        hint = ""
        if any(isinstance(v, str) and v.strip()[-1:].lower() in {"k", "m", "b"} for v in examples):
            hint = " Abbreviated counts such as '3.3k' can be parsed with skinfluence.datasets.parse_count."
        raise AccountFrameError(
            f"column {column!r} must be numeric, got dtype {s.dtype} with values such as "
            f"{_show(examples)} for account(s) {_show(accounts)}.{hint}"
        )
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def validate_account_frame(
    frame,
    *,
    id_column: str = ID_COLUMN,
    posts_column: str = POSTS_COLUMN,
    required_columns: Iterable[str] = (),
    required_post_fields: Iterable[str] = (),
    count_columns: Iterable[str] = PROFILE_COUNT_COLUMNS,
    post_count_fields: Iterable[str] = POST_COUNT_FIELDS,
    require_posts: bool = False,
    check_counts: bool = True,
) -> pd.DataFrame:
    """Check an account frame against the data contract and return it.

    Errors name the column or post field, the account id(s) and what was
    expected. Empty post lists and accounts with zero followers are valid.

    Parameters
    ----------
    frame : DataFrame
        The account frame to check.
    id_column : str, default="account_id"
        Account id column: when present, it must be unique and non-null.
    posts_column : str, default="posts"
        The nested posts column: when present, every cell must be a list
        (possibly empty) of post records.
    required_columns : iterable of str, default=()
        Profile columns that must be present.
    required_post_fields : iterable of str, default=()
        Post fields that must be present (implies ``require_posts``).
    count_columns : iterable of str, default=("followers", "following", "n_posts")
        Profile columns that, when present, must be numeric, finite or NaN,
        and non-negative.
    post_count_fields : iterable of str, default=("likes", "comments", "views", "shares")
        Post fields that, when present, must be numeric and non-negative.
    require_posts : bool, default=False
        Whether ``posts_column`` must be present.
    check_counts : bool, default=True
        Whether to check count columns and fields.

    Returns
    -------
    frame : DataFrame
        The same frame (unchanged).

    Raises
    ------
    AccountFrameError
    """
    _validate_and_flatten(
        frame, id_column=id_column, posts_column=posts_column, required_columns=required_columns,
        required_post_fields=required_post_fields, count_columns=count_columns,
        post_count_fields=post_count_fields, require_posts=require_posts, check_counts=check_counts,
    )
    return frame


def _validate_and_flatten(
    frame,
    *,
    id_column: str = ID_COLUMN,
    posts_column: str = POSTS_COLUMN,
    required_columns: Iterable[str] = (),
    required_post_fields: Iterable[str] = (),
    count_columns: Iterable[str] = PROFILE_COUNT_COLUMNS,
    post_count_fields: Iterable[str] = POST_COUNT_FIELDS,
    require_posts: bool = False,
    check_counts: bool = True,
) -> FlatPosts | None:
    """:func:`validate_account_frame`, returning the flat posts it built (None without posts).

    Components call this once per public call and pass the :class:`FlatPosts` down,
    so a frame is converted to Arrow and flattened once.
    """
    if not isinstance(frame, pd.DataFrame):
        raise AccountFrameError(
            "expected an account frame (a pandas DataFrame with one row per account and a nested "
            f"{posts_column!r} column), got {type(frame).__name__}"
        )
    required_post_fields = list(required_post_fields)
    missing = [c for c in required_columns if c not in frame.columns]
    if (require_posts or required_post_fields) and posts_column not in frame.columns:
        missing.append(posts_column)
    if missing:
        raise AccountFrameError(
            f"the account frame is missing required column(s) {missing}; its columns are "
            f"{list(frame.columns)}"
        )
    if id_column in frame.columns:
        _check_ids(frame, id_column)
    if check_counts:
        for column in count_columns:
            if column in frame.columns:
                values = _numeric_column(frame, column, id_column)
                _check_count_values(
                    values, f"column {column!r}",
                    lambda idx, c=column: f"account(s) {_show(_account_labels(frame, idx, id_column))}",
                )
    if posts_column not in frame.columns:
        return None

    arr = _posts_array(frame, posts_column)
    if arr.null_count:
        rows = np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))
        raise AccountFrameError(
            f"column {posts_column!r} is missing (null) for account(s) "
            f"{_show(_account_labels(frame, rows, id_column))}; an account with no posts must hold an "
            "empty list"
        )
    flat = _flatten_array(arr)
    absent = [f for f in required_post_fields if f not in flat.fields]
    if absent:
        raise AccountFrameError(
            f"posts are missing required field(s) {absent}; their fields are {flat.fields}"
        )
    if check_counts:
        for field in post_count_fields:
            if field not in flat.fields:
                continue
            col = flat.table.column(field)
            if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                    or pa.types.is_null(col.type)):
                raise AccountFrameError(
                    f"post field {field!r} must be numeric, got Arrow type {col.type} (values such as "
                    f"{_show(col.slice(0, _MAX_SHOWN).to_pylist())})"
                )
            values = flat.numeric(field)

            def labels_of(idx, flat=flat):
                acc = flat.account_index()[idx]
                within = idx - flat.offsets[acc]
                ids = _account_labels(frame, acc, id_column)
                return "post(s) " + ", ".join(
                    f"#{w} of account {a!r}" for a, w in list(zip(ids, within, strict=True))[:_MAX_SHOWN]
                ) + (f" and {len(idx) - _MAX_SHOWN} more" if len(idx) > _MAX_SHOWN else "")

            _check_count_values(values, f"post field {field!r}", labels_of)
    return flat
