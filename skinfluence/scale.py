"""Account frames at scale: Parquet storage and partition-wise work on Dask.

An account frame keeps its posts as one nested Arrow ``list<struct>`` column
(:mod:`skinfluence.nested`). pandas writes such a frame to Parquet, but cannot
read it back: ``pd.read_parquet`` fails on the pyarrow type it recorded for the
posts (``timestamp[ns, tz=UTC]`` inside the structs), and with
``dtype_backend="pyarrow"`` it turns every other column into Arrow and renames
the list's child field. :func:`write_accounts` and :func:`read_accounts` give
back exactly the frame that was written (values, dtypes, index), from one file
or from a directory of partition files.

On Dask (``pip install "skinfluence[scale]"``, imported only when called):
:func:`read_accounts_dask` reads the same partition files as a
``dask.dataframe``, one partition per file; :func:`transform_partitions` applies
a fitted estimator partition by partition on the workers; and
:func:`write_accounts_dask` writes an account frame partition by partition.
See ``docs/scaling.md``.
"""

from __future__ import annotations

import base64
import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .exceptions import AccountFrameError
from .nested import POSTS_COLUMN, concat_accounts
from .utils._optional import import_optional

__all__ = [
    "read_accounts",
    "read_accounts_dask",
    "transform_partitions",
    "write_accounts",
    "write_accounts_dask",
]

# Parquet key-value metadata: the exact Arrow type of every ArrowDtype column, as an
# Arrow IPC schema (base64). Parquet renames a list's child field and cannot carry
# every pandas detail; this records what to cast back to.
_META_KEY = b"skinfluence"
_FORMAT = 1


def _arrow_columns(frame: pd.DataFrame) -> pa.Schema:
    """The columns of ``frame`` stored as :class:`pandas.ArrowDtype`, with their exact types."""
    return pa.schema([
        pa.field(str(name), dtype.pyarrow_dtype)
        for name, dtype in frame.dtypes.items()
        if isinstance(dtype, pd.ArrowDtype)
    ])


def _to_table(frame: pd.DataFrame, arrow_schema: pa.Schema) -> pa.Table:
    part = frame.copy(deep=False)
    try:  # pandas stores attrs as JSON; some hold objects JSON cannot store (Arrow types)
        json.dumps(part.attrs)
    except (TypeError, ValueError):
        part.attrs = {}
    table = pa.Table.from_pandas(part, preserve_index=None)
    meta = dict(table.schema.metadata or {})
    pandas_meta = json.loads(meta[b"pandas"])
    for column in pandas_meta["columns"]:
        if column["name"] in arrow_schema.names:
            # what pandas writes here ("list<...timestamp[ns, tz=UTC]...>[pyarrow]") is a
            # string pd.read_parquet cannot parse back; "object" reads, and our own key
            # holds the exact type
            column["numpy_type"] = "object"
    meta[b"pandas"] = json.dumps(pandas_meta).encode()
    meta[_META_KEY] = json.dumps({
        "format": _FORMAT,
        "arrow_types": base64.b64encode(arrow_schema.serialize().to_pybytes()).decode("ascii"),
    }).encode()
    return table.replace_schema_metadata(meta)


def write_accounts(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    partition_size: int | None = None,
    posts_column: str = POSTS_COLUMN,
) -> list[Path]:
    """Write an account frame to Parquet, so that :func:`read_accounts` gives it back exactly.

    Parameters
    ----------
    frame : DataFrame
        An account frame (see :func:`~skinfluence.nest_posts`), or any DataFrame
        with :class:`pandas.ArrowDtype` columns.
    path : str or path-like
        With ``partition_size=None``, the Parquet file to write. Otherwise a
        directory (created if needed, and holding no ``.parquet`` file yet) that
        receives ``part.00000.parquet``, ``part.00001.parquet``, ... in row order.
    partition_size : int, default=None
        Accounts per partition file. ``None`` writes a single file.
    posts_column : str, default="posts"
        The nested posts column; it must hold Arrow data.

    Returns
    -------
    paths : list of Path
        The files written, in row order.

    Raises
    ------
    AccountFrameError
        When the posts column is not columnar (Python objects), or its posts have
        no field at all (Parquet cannot store a struct without fields).
    FileExistsError
        When the directory already holds Parquet files (they would mix with the
        new partitions).

    See Also
    --------
    read_accounts : Read it back.

    Notes
    -----
    ``DataFrame.attrs`` are written when JSON can store them (the loaders'
    counts and file names), and dropped otherwise. Every file carries the frame's exact
    Arrow types in its metadata (key ``skinfluence``); plain
    ``pd.read_parquet`` also reads these files, but returns the posts as Python
    objects.

    Examples
    --------
    >>> import tempfile, os
    >>> import pandas as pd
    >>> from skinfluence import make_creators, read_accounts, write_accounts
    >>> X, y = make_creators(30, random_state=0, return_X_y=True)
    >>> folder = tempfile.mkdtemp()
    >>> len(write_accounts(X, os.path.join(folder, "accounts"), partition_size=8))
    4
    >>> pd.testing.assert_frame_equal(read_accounts(os.path.join(folder, "accounts")), X)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"write_accounts expects a pandas DataFrame, got {type(frame).__name__}")
    if partition_size is not None and (
        isinstance(partition_size, bool) or not isinstance(partition_size, int) or partition_size < 1
    ):
        raise ValueError(
            "The 'partition_size' parameter of write_accounts must be an int >= 1 or None. "
            f"Got {partition_size!r} instead."
        )
    if posts_column in frame.columns:
        dtype = frame[posts_column].dtype
        if not isinstance(dtype, pd.ArrowDtype):
            raise AccountFrameError(
                f"write_accounts: column {posts_column!r} holds {dtype} values, not columnar Arrow "
                "posts; build the frame with skinfluence.nest_posts (or concat_accounts) first"
            )
        value_type = dtype.pyarrow_dtype
        if (pa.types.is_list(value_type) or pa.types.is_large_list(value_type)) and (
            pa.types.is_struct(value_type.value_type) and value_type.value_type.num_fields == 0
        ):
            raise AccountFrameError(
                f"write_accounts: the posts in {posts_column!r} have no field, and Parquet cannot "
                "store a struct without fields; keep at least one post field (e.g. post_id)"
            )
    arrow_schema = _arrow_columns(frame)
    path = Path(path)
    if partition_size is None:
        pq.write_table(_to_table(frame, arrow_schema), path)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    if any(path.glob("*.parquet")):
        raise FileExistsError(
            f"write_accounts: {str(path)!r} already holds Parquet files; write the partitions to "
            "an empty directory (or remove the old ones first)"
        )
    written = []
    starts = range(0, len(frame), partition_size) if len(frame) else [0]
    for k, start in enumerate(starts):
        file = path / f"part.{k:05d}.parquet"
        pq.write_table(_to_table(frame.iloc[start:start + partition_size], arrow_schema), file)
        written.append(file)
    return written


def _default_list_names(typ: pa.DataType) -> pa.DataType:
    """``typ`` with every list child field named as pyarrow names it (``item``)."""
    if pa.types.is_list(typ):
        return pa.list_(_default_list_names(typ.value_type))
    if pa.types.is_large_list(typ):
        return pa.large_list(_default_list_names(typ.value_type))
    if pa.types.is_struct(typ):
        return pa.struct([f.with_type(_default_list_names(f.type)) for f in typ])
    return typ


def _recorded_types(table: pa.Table, pandas_meta: dict | None) -> dict[str, pa.DataType]:
    """Column -> exact Arrow type, from our key, or guessed from pandas' own metadata."""
    meta = table.schema.metadata or {}
    if _META_KEY in meta:
        ours = json.loads(meta[_META_KEY])
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(ours["arrow_types"])))
        return {f.name: f.type for f in schema}
    if pandas_meta is None:  # not written by pandas: nested columns stay Arrow
        return {f.name: _default_list_names(f.type) for f in table.schema
                if pa.types.is_nested(f.type)}
    # written by DataFrame.to_parquet: pandas marks its ArrowDtype columns "...[pyarrow]"
    return {
        c["name"]: _default_list_names(table.schema.field(c["name"]).type)
        for c in pandas_meta["columns"]
        if str(c.get("numpy_type", "")).endswith("[pyarrow]") and c["name"] in table.column_names
    }


def _table_to_frame(table: pa.Table) -> pd.DataFrame:
    meta = dict(table.schema.metadata or {})
    pandas_meta = json.loads(meta[b"pandas"]) if b"pandas" in meta else None
    arrow_types = _recorded_types(table, pandas_meta)
    # pandas converts every other column (index, numpy and str dtypes) from its metadata;
    # the Arrow columns are cast to their recorded type and wrapped, never made Python objects
    order = [name for name in table.column_names if not name.startswith("__index_level_")]
    rest = table.drop_columns([n for n in arrow_types if n in table.column_names])
    if pandas_meta is not None:
        pandas_meta["columns"] = [c for c in pandas_meta["columns"] if c["name"] not in arrow_types]
        meta[b"pandas"] = json.dumps(pandas_meta).encode()
        rest = rest.replace_schema_metadata(meta)
    frame = rest.to_pandas()
    for name in order:
        if name in arrow_types:
            column = table.column(name).cast(arrow_types[name]).combine_chunks()
            frame.insert(order.index(name), name,
                         pd.Series(pd.arrays.ArrowExtensionArray(column), index=frame.index))
    return frame


def _partition_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.parquet"))
        if not files:
            raise FileNotFoundError(f"read_accounts: {str(path)!r} holds no .parquet file")
        return files
    if not path.exists():
        raise FileNotFoundError(f"read_accounts: no such file or directory: {str(path)!r}")
    return [path]


def read_accounts(path: str | os.PathLike) -> pd.DataFrame:
    """Read an account frame from Parquet: one file, or a directory of partition files.

    Parameters
    ----------
    path : str or path-like
        A Parquet file, or a directory whose ``*.parquet`` files are read in
        name order (as :func:`write_accounts` and ``dask`` name them).

    Returns
    -------
    frame : DataFrame
        The frame :func:`write_accounts` wrote, equal to it in values, dtypes and
        index. Files written by ``DataFrame.to_parquet`` are read too: their
        Arrow columns come back as :class:`pandas.ArrowDtype` with the list
        child field named ``item``, as :func:`~skinfluence.nest_posts` builds it.

    See Also
    --------
    write_accounts : Write an account frame.
    read_accounts_dask : The same files as a ``dask.dataframe``, one partition per file.
    """
    frames = [_table_to_frame(pq.read_table(file)) for file in _partition_files(Path(path))]
    if len(frames) == 1:
        return frames[0]
    if all(f.dtypes.equals(frames[0].dtypes) for f in frames[1:]):
        return pd.concat(frames)  # equal Arrow types: pandas keeps the posts columnar
    return concat_accounts(frames)


# ------------------------------------------------------------------------------ Dask


def _dask_dataframe(caller: str):
    return import_optional("dask.dataframe", extra="scale", caller=caller)


def _read_partition(file: str) -> pd.DataFrame:
    return _table_to_frame(pq.read_table(file))


def read_accounts_dask(path: str | os.PathLike):
    """Read a directory of account-frame partition files as a ``dask.dataframe``.

    Parameters
    ----------
    path : str or path-like
        A directory written by :func:`write_accounts` with ``partition_size``
        (or :func:`write_accounts_dask`), or a single file. It must be readable
        by every worker (a shared disk or object store mount).

    Returns
    -------
    accounts : dask.dataframe.DataFrame
        One partition per file, in name order; each partition is exactly the
        pandas frame :func:`read_accounts` gives for its file, the posts a nested
        :class:`pandas.ArrowDtype` column.

    See Also
    --------
    read_accounts : The same files as one pandas frame.
    transform_partitions : Apply a fitted estimator partition by partition.
    """
    dd = _dask_dataframe("read_accounts_dask")
    import dask

    files = [str(f) for f in _partition_files(Path(path))]
    meta = _read_partition(files[0]).iloc[:0]
    # dask would turn text columns into its own string dtype: partitions stay as written
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(_read_partition, files, meta=meta, enforce_metadata=False)


def _output_columns(estimator, method: str, n_columns: int) -> list[str]:
    if method == "transform" and hasattr(estimator, "get_feature_names_out"):
        try:
            names = [str(n) for n in estimator.get_feature_names_out()]
        except (AttributeError, ValueError, TypeError):  # some steps cannot name their output
            names = []
        if len(names) == n_columns:
            return names
    if method in ("predict_proba", "predict_log_proba") and hasattr(estimator, "classes_"):
        return [f"{method}_{c}" for c in estimator.classes_]
    if n_columns == 1:
        return [method]
    return [f"{method}{i}" for i in range(n_columns)]


def _apply(part: pd.DataFrame, estimator, method: str, keep: list[str]) -> pd.DataFrame:
    out = getattr(estimator, method)(part)
    if hasattr(out, "toarray"):  # sparse output (a text vectorizer): dense per partition
        out = out.toarray()
    if isinstance(out, pd.DataFrame):
        result = out.set_axis(part.index, axis=0)
    else:
        values = pd.DataFrame(out).to_numpy() if not hasattr(out, "ndim") else out
        values = values.reshape(len(part), -1) if values.ndim == 1 else values
        result = pd.DataFrame(values, index=part.index,
                              columns=_output_columns(estimator, method, values.shape[1]))
    if keep:
        result = pd.concat([part[keep], result], axis=1)
    return result


def transform_partitions(estimator, accounts, *, method: str = "transform", keep=None, meta=None):
    """Apply a fitted estimator to a ``dask.dataframe`` of accounts, partition by partition.

    Each partition is an ordinary account frame (the posts a nested Arrow
    column, as :func:`read_accounts_dask` gives them), so the estimator sees
    exactly what it sees on one machine, and the result of a partition equals
    the single-machine result on its rows.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        Anything with ``method``, fitted. It is pickled into the task graph once
        per partition: keep it small (a fitted SentenceEmbedder loaded by name,
        or an ImageEmbedder with pretrained weights, pickles without its model;
        see ``docs/scaling.md``).
    accounts : dask.dataframe.DataFrame or str or path-like
        Account frames, one per partition; a path is read with
        :func:`read_accounts_dask`.
    method : str, default="transform"
        The method to call: ``"transform"``, ``"predict"``, ``"predict_proba"``,
        ``"decision_function"``, ``"score_samples"``, ...
    keep : list of str, default=None
        Columns of ``accounts`` to carry into the result, in front (e.g.
        ``["account_id"]``, to write results with their ids).
    meta : DataFrame, default=None
        An empty frame with the result's columns and dtypes. By default the
        method is run on the first few accounts of the first partition (which is
        read once more for it) to find them.

    Returns
    -------
    result : dask.dataframe.DataFrame
        Lazy: one row per account, same index and partitions as ``accounts``;
        the ``keep`` columns, then the output columns (the estimator's
        ``get_feature_names_out()`` for transform, ``predict_proba_<class>``,
        ``predict``, ...). A method returning a DataFrame (an account frame,
        say) keeps its own columns. Write it with ``result.to_parquet(path)``,
        or :func:`write_accounts_dask` when it holds a posts column.

    See Also
    --------
    read_accounts_dask : Read partitioned account frames.
    write_accounts_dask : Write an account frame, partition by partition.
    """
    if isinstance(accounts, (str, os.PathLike)):
        accounts = read_accounts_dask(accounts)
    else:
        _dask_dataframe("transform_partitions")
    if not hasattr(estimator, method):
        raise AttributeError(
            f"transform_partitions: {type(estimator).__name__} has no method {method!r}; "
            "pass method='predict', 'predict_proba', ... one it has"
        )
    keep = [] if keep is None else list(keep)
    missing = [c for c in keep if c not in accounts.columns]
    if missing:
        raise KeyError(f"transform_partitions: keep names columns {missing} that are not in "
                       f"accounts; its columns are {list(accounts.columns)}")
    if meta is None:  # from a few accounts of the first partition (reads that partition only)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "insufficient elements" when small
            sample = accounts.partitions[0].head(8, npartitions=1)
        meta = _apply(sample, estimator, method, keep).iloc[:0]
    import dask

    # one task holds the estimator: each worker unpickles it once and reuses it (with its
    # lazily built state, e.g. a loaded model) for every partition, instead of once per task
    shared = dask.delayed(estimator, pure=True, traverse=False)
    return accounts.map_partitions(_apply, shared, method, keep, meta=meta,
                                   enforce_metadata=False)


def write_accounts_dask(accounts, path: str | os.PathLike) -> list[Path]:
    """Write a ``dask.dataframe`` of account frames, one Parquet file per partition.

    Each partition is written by the worker that holds it, with
    :func:`write_accounts`, so :func:`read_accounts` and
    :func:`read_accounts_dask` give the frames back exactly.

    Parameters
    ----------
    accounts : dask.dataframe.DataFrame
        Account frames (the result of :func:`transform_partitions` on a method
        that returns frames, or of :func:`read_accounts_dask`).
    path : str or path-like
        A directory, created if needed and holding no ``.parquet`` file yet,
        readable and writable by every worker.

    Returns
    -------
    paths : list of Path
        The files written, ``part.00000.parquet``, ... in partition order.
    """
    import_optional("dask", extra="scale", caller="write_accounts_dask")
    import dask

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if any(path.glob("*.parquet")):
        raise FileExistsError(
            f"write_accounts_dask: {str(path)!r} already holds Parquet files; write the "
            "partitions to an empty directory (or remove the old ones first)"
        )
    files = [path / f"part.{k:05d}.parquet" for k in range(accounts.npartitions)]
    tasks = [dask.delayed(write_accounts)(part, file)
             for part, file in zip(accounts.to_delayed(), files, strict=True)]
    dask.compute(*tasks)
    return files
