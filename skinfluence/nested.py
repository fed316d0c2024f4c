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

import difflib
from collections.abc import Iterable, Mapping, Sequence
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
    "rename_post_fields",
    "concat_accounts",
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
    table = _one_string_type(table)
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


def _one_string_type(table: pa.Table) -> pa.Table:
    """Text post fields as ``large_string``, whatever built them.

    pandas 3 stores its ``str`` columns as ``large_string`` and pandas 2's object
    strings, or ``ArrowDtype(pa.string())``, arrive as ``string``. Two account frames
    whose posts differ only in that way cannot be concatenated by pandas without
    turning the posts column into Python objects, so every account frame built here
    holds its text as ``large_string``.
    """
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.large_string()))
    return table


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


def _require_account_frame(frame, posts_column: str, expected: str) -> None:
    """Raise ``AccountFrameError(expected + '; got ...')`` unless ``frame`` has the column."""
    if not isinstance(frame, pd.DataFrame) or posts_column not in frame.columns:
        got = (f"a DataFrame with columns {list(frame.columns)}" if isinstance(frame, pd.DataFrame)
               else type(frame).__name__)
        raise AccountFrameError(f"{expected}; got {got}")


def rename_post_fields(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    posts_column: str = POSTS_COLUMN,
) -> pd.DataFrame:
    """Rename post fields of an account frame: the field map, named once.

    Components read post fields by their conventional names (``likes``,
    ``comments``, ``views``, ``shares``, ``text``, ``timestamp``, see
    ``docs/data.md``). Posts from a source that names them otherwise (e.g.
    Instagram's Graph API: ``like_count``, ``comments_count``, ``caption``)
    are renamed here once, for every component that reads them. Renaming
    rebuilds the nested type only: the post values are not copied.

    Parameters
    ----------
    frame : DataFrame
        An account frame.
    mapping : dict of str to str
        Your field name -> the name components read, as in
        ``DataFrame.rename(columns=...)``, e.g. ``{"like_count": "likes"}``.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    frame : DataFrame
        A copy of ``frame`` whose posts carry the new field names (same index,
        same columns, same post values).

    Raises
    ------
    AccountFrameError
        When a field to rename is not in the posts (the message lists the fields
        and the closest names), or when two fields would get the same name.

    See Also
    --------
    nest_posts : Build an account frame (rename the flat post columns before, with
        ``posts.rename(columns=...)``, to the same effect).

    Notes
    -----
    To name the fields once for a whole pipeline, put the renaming first in it
    with scikit-learn's :class:`~sklearn.preprocessing.FunctionTransformer`
    (stateless; it clones, pickles and cross-validates like any step)::

        FunctionTransformer(rename_post_fields, kw_args={"mapping": {"like_count": "likes"}})

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import EngagementAggregator, nest_posts, rename_post_fields
    >>> frame = nest_posts(pd.DataFrame({"account_id": ["a", "b"]}),
    ...                    pd.DataFrame({"account_id": ["a", "a", "b"], "like_count": [4, 6, 9],
    ...                                  "comments_count": [1, 1, 0]}))
    >>> renamed = rename_post_fields(frame, {"like_count": "likes", "comments_count": "comments"})
    >>> EngagementAggregator(features=["likes_mean", "engagement_mean"]).fit_transform(renamed)
    array([[5., 6.],
           [9., 9.]])
    """
    _require_account_frame(frame, posts_column,
                           "rename_post_fields expects an account frame with a nested "
                           f"{posts_column!r} column (see skinfluence.nest_posts)")
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise TypeError(
            "The 'mapping' parameter of rename_post_fields must be a dict of str to str (your field "
            f"name -> the name components read, e.g. {{'like_count': 'likes'}}). Got {mapping!r} instead."
        )
    arr = _posts_array(frame, posts_column)
    value_type = arr.type.value_type
    fields = [f.name for f in value_type] if pa.types.is_struct(value_type) else []
    unknown = [k for k in mapping if k not in fields]
    if unknown:
        guesses = {k: _closest(k, fields, contract=False) for k in unknown}
        dym = "; ".join(f"did you mean {g!r} for {k!r}?" for k, g in guesses.items() if g)
        raise AccountFrameError(
            f"rename_post_fields: post field(s) {unknown} to rename are not in the posts; posts have "
            f"fields {sorted(fields)}" + (f"; {dym}" if dym else "")
        )
    new_names = [mapping.get(name, name) for name in fields]
    clash = sorted({n for n in new_names if new_names.count(n) > 1})
    if clash:
        raise AccountFrameError(
            f"rename_post_fields: the mapping {dict(mapping)!r} would give two post fields the name(s) "
            f"{clash}; posts have fields {sorted(fields)}. Drop or rename the field already there."
        )
    out = frame.copy()
    if new_names == fields:
        return out
    struct = arr.values  # the child of all posts; arr.offsets index into it (slices included)
    renamed = pa.StructArray.from_arrays(
        struct.flatten(),  # honours the struct's own offset
        fields=[f.with_name(n) for f, n in zip(value_type, new_names, strict=True)],
        mask=struct.is_null() if struct.null_count else None,
    )
    nested = type(arr).from_arrays(arr.offsets, renamed)
    out[posts_column] = pd.Series(
        pd.arrays.ArrowExtensionArray(nested), index=frame.index, name=posts_column
    )
    return out


def concat_accounts(
    frames: Iterable[pd.DataFrame],
    *,
    ignore_index: bool = False,
    id_column: str = ID_COLUMN,
    posts_column: str = POSTS_COLUMN,
) -> pd.DataFrame:
    """Concatenate account frames, keeping their posts columnar.

    ``pandas.concat`` keeps the posts column columnar only when every frame's
    posts have exactly the same Arrow type; otherwise (a field more or less, text
    stored as ``string`` in one and ``large_string`` in another, integer and
    float counts) it turns the column into Python objects and the field types
    are lost. This joins the posts in Arrow instead: fields missing from a frame
    are null for its posts, and types are promoted (``string`` to
    ``large_string``, ``int64`` to ``double``, ...).

    Parameters
    ----------
    frames : iterable of DataFrame
        Account frames, each with ``posts_column``.
    ignore_index : bool, default=False
        As in :func:`pandas.concat`: number the rows 0, ..., n - 1.
    id_column : str, default="account_id"
        Account id column: ids must stay unique across the frames.
    posts_column : str, default="posts"
        The nested posts column.

    Returns
    -------
    frame : DataFrame
        The accounts of every frame, in order, profile columns joined by
        :func:`pandas.concat`, and one ``list<struct>`` posts column.

    Raises
    ------
    AccountFrameError
        When a frame has no posts column, a post field has types that cannot be
        joined, or an account id appears twice.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import concat_accounts, nest_posts
    >>> a = nest_posts(pd.DataFrame({"account_id": [1]}), pd.DataFrame({"account_id": [1], "likes": [3]}))
    >>> b = nest_posts(pd.DataFrame({"account_id": [2]}), pd.DataFrame({"account_id": [2], "likes": [1.5],
    ...                                                                 "views": [10.0]}))
    >>> both = concat_accounts([a, b], ignore_index=True)
    >>> str(both["posts"].dtype.pyarrow_dtype)
    'list<item: struct<likes: double, views: double>>'
    """
    frames = list(frames)
    if not frames:
        raise ValueError("concat_accounts needs at least one account frame; got none")
    for k, frame in enumerate(frames):
        _require_account_frame(frame, posts_column,
                               f"concat_accounts: frame {k} must be an account frame with a "
                               f"nested {posts_column!r} column")
    flats = [_flatten_array(_posts_array(frame, posts_column)) for frame in frames]
    try:
        table = pa.concat_tables([_one_string_type(f.table) for f in flats],
                                 promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise AccountFrameError(
            f"concat_accounts: the posts of the frames cannot be joined, a post field has types that "
            f"do not convert into one another ({[str(f.table.schema) for f in flats]}). "
            f"Arrow said: {exc}"
        ) from exc
    shift = 0
    parts = [np.zeros(1, dtype=np.int64)]
    for flat in flats:
        parts.append(np.asarray(flat.offsets[1:], dtype=np.int64) + shift)
        shift += int(flat.offsets[-1])
    offsets = np.concatenate(parts)
    if table.num_columns:
        struct = pa.StructArray.from_arrays(
            [table.column(i).combine_chunks() for i in range(table.num_columns)],
            fields=list(table.schema),
        )
    else:
        struct = pa.array([{}] * shift, type=pa.struct([]))
    if shift < 2**31:
        nested = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), struct)
    else:
        nested = pa.LargeListArray.from_arrays(pa.array(offsets), struct)
    out = pd.concat([frame.drop(columns=[posts_column]) for frame in frames],
                    ignore_index=ignore_index)
    loc = min(list(frames[0].columns).index(posts_column), out.shape[1])
    out.insert(loc, posts_column, pd.Series(pd.arrays.ArrowExtensionArray(nested), index=out.index))
    validate_account_frame(out, id_column=id_column, posts_column=posts_column)
    return out


# the post fields of the data contract (docs/data.md), and names other sources give some
_CONTRACT_FIELDS = ("post_id", "text", "image", "likes", "comments", "views", "shares",
                    "timestamp", "label")
_SYNONYMS = {
    "text": ("caption", "description", "message", "body"),
    "timestamp": ("taken_at", "created_at", "create_time", "created_time", "published_at", "date",
                  "time"),
    "views": ("plays", "play_count", "n_plays", "video_views"),
}


def _closest(name: str, candidates: Sequence[str], *, contract: bool = True) -> str | None:
    """The candidate most likely meant by ``name``, if any is close enough.

    With ``contract=True`` (``name`` is a field of the data contract that the posts
    lack), a field already named as the contract names one is not a candidate
    (``views`` is never proposed for ``likes``). Then, in order: a known synonym
    (``caption`` for ``text``), a name containing ``name``'s stem (``like_count``
    for ``likes``), the closest name by :mod:`difflib`.
    """
    pool = [c for c in candidates if not (contract and c in _CONTRACT_FIELDS)]
    for synonym in _SYNONYMS.get(name, ()):
        if synonym in pool:
            return synonym
    stem = name[:-1] if name.endswith("s") and len(name) > 3 else name
    containing = [c for c in pool if stem.lower() in c.lower()]
    if containing:
        return max(containing, key=lambda c: difflib.SequenceMatcher(None, name, c).ratio())
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return close[0] if close else None


def _missing_fields_message(missing, fields, *, caller=None, needed_by=None, advice="",
                            field_params=None) -> str:
    """The error for post fields a component reads that the posts lack.

    It lists the fields the posts have and, for each missing one, the closest name
    (difflib), and shows the field map that fixes it. ``field_params`` maps a field
    to the component's parameter that names it (``{"text": "text_field"}``): the
    message then offers that parameter too.
    """
    who = f"{caller}: " if caller else ""
    missing = list(missing)
    if needed_by:
        head = "; ".join(f"post field {f!r} needed by features {needed_by[f]} is missing"
                         for f in missing)
    else:
        head = f"posts are missing required field(s) {missing}"
    guesses = {f: _closest(f, [p for p in fields if p not in missing]) for f in missing}
    guesses = {f: g for f, g in guesses.items() if g}
    parts = [f"{who}{head}", f"posts have fields {sorted(fields)}"]
    if len(missing) == 1 and guesses:
        parts.append(f"did you mean {guesses[missing[0]]!r}?")
    elif guesses:
        parts.append("did you mean " + ", ".join(f"{g!r} for {f!r}" for f, g in guesses.items()) + "?")
    example = {g: f for f, g in guesses.items()} or {"<your field>": missing[0]}
    it = "it" if len(missing) == 1 else "them"
    fix = (f"Map {it} with skinfluence.rename_post_fields(frame, {example!r}), or first in the "
           f"pipeline with FunctionTransformer(rename_post_fields, kw_args={{'mapping': {example!r}}})")
    named = [(f, field_params[f]) for f in missing if field_params and f in field_params]
    if named:
        fix += ", or name " + (it if len(named) == len(missing) else "the field") + " with " + ", ".join(
            f"{param}={guesses.get(f, '<your field>')!r}" for f, param in named)
    text = "; ".join(parts)
    return text + (" " if text.endswith("?") else ". ") + fix + (f"; {advice}" if advice else "") + "."


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
        if isinstance(cell, np.ndarray):
            # Python lists (e.g. read from JSON) are fine; NumPy arrays of dicts are what
            # pandas leaves when it turns an Arrow posts column into Python objects, after
            # which timestamps are integers and the field types are lost.
            _raise_degraded(frame, col, posts_column, i)
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


def _raise_degraded(frame, col, posts_column, row):
    acc = _account_labels(frame, [row], ID_COLUMN)[0]
    raise AccountFrameError(
        f"column {posts_column!r} has dtype {col.dtype} and holds NumPy arrays (account {acc!r}): "
        "pandas has turned the columnar (Arrow) posts column into Python objects, which loses "
        "the field types (timestamps become integers). This happens when pandas.concat joins "
        "account frames whose posts have different Arrow types (e.g. string and large_string "
        "text, or different fields), or after .astype(object). Concatenate account frames with "
        "skinfluence.concat_accounts(frames), or rebuild the column from the flat post table "
        "with skinfluence.nest_posts(profiles, posts)."
    )


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
        if pd.api.types.is_bool_dtype(s.dtype):
            bad = np.arange(len(s))
            hint = f" Booleans are not counts: convert them with frame[{column!r}].astype(float)."
        else:
            converted = pd.to_numeric(s, errors="coerce")
            bad = np.flatnonzero(converted.isna().to_numpy() & s.notna().to_numpy())
            hint = f" Convert the column with pandas.to_numeric(frame[{column!r}])"
            if not len(bad):
                # every value reads as a number: numbers stored as text, e.g. "10"
                bad = np.flatnonzero(s.notna().to_numpy())
                hint += " (its values are numbers stored as text)."
            else:
                hint += " (errors='coerce' turns what is not a number into NaN, a missing count)."
        examples = list(s.iloc[bad[:_MAX_SHOWN]])
        accounts = _account_labels(frame, bad[:_MAX_SHOWN], id_column)
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
    caller: str | None = None,
    field_params: dict | None = None,
) -> FlatPosts | None:
    """:func:`validate_account_frame`, returning the flat posts it built (None without posts).

    Components call this once per public call and pass the :class:`FlatPosts` down,
    so a frame is converted to Arrow and flattened once. ``caller`` (the component's
    name) and ``field_params`` (field -> the parameter naming it) make the error for
    a missing required field say who needs it and how to name it.
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
        raise AccountFrameError(_missing_fields_message(absent, flat.fields, caller=caller,
                                                        field_params=field_params))
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
