"""Loaders for the public real-world data sets used to benchmark skinfluence.

None of these data sets is shipped with the package (their licences forbid
redistribution): every loader reads files the user already has, e.g. the
project's ``../shared/data`` folder. See ``docs/real_data.md`` for where each
set comes from, the columns returned and the rules applied to its quirks.

Reading is strict: a value that does not fit the documented schema raises a
:class:`~skinfluence.exceptions.DataLoadError` naming the file, the column, the
line and what was expected. Nothing is guessed and no row is dropped except by
the documented rules (a repeated header row inside a CSV file; TikTok videos
duplicated across files).

The results are the same with every supported pandas (2.2 and later): same
values, same numeric dtypes, missing values missing. Text columns (``str`` in
the docstrings) have the default string dtype of the installed pandas:
``str`` (``StringDtype(na_value=nan)``) on pandas 3, ``object`` holding Python
``str`` on pandas 2; a missing text value is NaN with both. Nested post fields
have the same Arrow types with both.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..exceptions import DataLoadError
from ..schemas import FAKE_ACCOUNT_COLUMNS

__all__ = [
    "FAKE_ACCOUNT_COLUMNS",
    "PEERINDEX_FEATURES",
    "load_fake_accounts",
    "load_peerindex",
    "load_tiktok_videos",
    "load_top_instagram",
    "parse_count",
]

#: The 11 per-user features of the PeerIndex pair data, in file order; the
#: frame has ``A_<feature>`` and ``B_<feature>`` for each.
PEERINDEX_FEATURES = (
    "follower_count",
    "following_count",
    "listed_count",
    "mentions_received",
    "retweets_received",
    "mentions_sent",
    "retweets_sent",
    "posts",
    "network_feature_1",
    "network_feature_2",
    "network_feature_3",
)

_MAX_SHOWN = 5

# ------------------------------------------------------------ text across pandas versions
#
# Text columns use the default string dtype of the installed pandas: ``str``
# (``StringDtype(na_value=nan)``) on pandas >= 3, ``object`` holding Python
# ``str`` on pandas 2. Missing values are NaN with both. pandas 2 turns NaN and
# None into the strings ``'nan'`` and ``'None'`` in ``astype(str)`` (and in
# ``Series(..., dtype="str")``), and its string methods return ``object``
# results holding NaN on missing cells, so every conversion to text goes
# through :func:`_as_text` and every string-method mask through :func:`_flags`.


def _as_text(values):
    """A Series or DataFrame as text in pandas' default string dtype; missing stays NaN.

    Non-missing values are converted with ``str``; the index is kept.
    """
    missing = values.isna().to_numpy(dtype=bool)
    text = values.astype(str)  # pandas 2: NaN -> 'nan', None -> 'None' (undone below)
    return text.where(~missing) if missing.any() else text


def _flags(mask: pd.Series) -> np.ndarray:
    """A boolean result of a string method as a bool ndarray, False where missing.

    (On pandas 2, string methods of ``object`` columns return ``object``
    results with NaN for missing cells; ``fillna(False)`` on those warns.)
    """
    return mask.to_numpy(dtype=bool, na_value=False)


# ------------------------------------------------------------------ number parsing

# A non-negative count: digits (optionally grouped by commas in threes), an
# optional fraction, then either a decimal exponent or a k/m/b suffix.
_COUNT_PATTERN = (
    r"^(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
    r"(?:(?P<exp>[eE][+-]?\d+)|\s*(?P<suf>[kKmMbB]))?$"
)
_SUFFIX_EXPONENT = {"k": "e3", "m": "e6", "b": "e9"}
_COUNT_EXPECTED = (
    "a non-negative count such as '12', '1,234', '3.3k', '8.7m' or '29.0b' "
    "(suffixes: k = thousand, m = million, b = billion), or an empty cell for missing"
)
# A plain decimal number (no thousands separator, no suffix, no inf/nan words).
_NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_PERCENT_PATTERN = r"^(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%$"


def _parse_count_strings(
    strings: pd.Series, bare_exponent: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a Series of strings (NaN allowed) as abbreviated counts, vectorised.

    A value without a k/m/b suffix is multiplied by ``10**bare_exponent``
    (exactly: the exponent is added to the decimal text). Returns
    ``(values, bad, suffixed)``: float64 values (NaN where missing or bad), a
    mask of unparseable cells and a mask of cells that had a k/m/b suffix.
    """
    strings = _as_text(pd.Series(strings).reset_index(drop=True))
    stripped = strings.str.strip()
    missing = stripped.isna().to_numpy(dtype=bool) | _flags(stripped == "")
    parts = stripped.str.extract(_COUNT_PATTERN)
    matched = parts["num"].notna().to_numpy()
    bad = ~missing & ~matched
    suffix = parts["suf"].str.lower()
    exponent = suffix.map(_SUFFIX_EXPONENT)
    if bare_exponent:
        bare = pd.to_numeric(parts["exp"].str.slice(1), errors="coerce").fillna(0) + bare_exponent
        exponent = exponent.fillna("e" + _as_text(bare.astype(np.int64)))
    else:
        exponent = parts["exp"].fillna("") + exponent.fillna("")
    text = parts["num"].str.replace(",", "", regex=False) + exponent
    values = pd.to_numeric(text.where(pd.Series(matched)), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return values, bad, suffix.notna().to_numpy()


def parse_count(values):
    """Parse abbreviated counts such as ``"3.3k"``, ``"8.7m"`` or ``"1,234"``.

    Social-media tables often abbreviate counts. Suffixes ``k``, ``m`` and
    ``b`` (any case, optionally after a space) multiply by one thousand,
    million and billion; commas group thousands; surrounding whitespace is
    ignored. Empty strings, ``None`` and NaN are missing values (NaN). The
    conversion is exact to float64 precision (``"3.3k"`` is read as the
    decimal ``3.3e3``) and vectorised.

    Parameters
    ----------
    values : str, number, None, list, tuple, ndarray or Series
        One value, or a one-dimensional collection of values (strings,
        numbers or missing values, possibly mixed).

    Returns
    -------
    counts : float, ndarray or Series
        A float for a scalar input; a Series of dtype float64 with the same
        index and name for a Series; otherwise a float64 ndarray.

    Raises
    ------
    DataLoadError
        When a value is not a non-negative count (e.g. ``"abc"``, ``"-5"``,
        ``"1.2x"``, ``"inf"``); the message names the value and its position.

    Examples
    --------
    >>> from skinfluence.datasets._loaders import parse_count
    >>> parse_count("3.3k")
    3300.0
    >>> parse_count(" 12 ")
    12.0
    >>> parse_count(["8.7m", "29.0b", "1,234", "", None, 7]).tolist()
    [8700000.0, 29000000000.0, 1234.0, nan, nan, 7.0]
    >>> import pandas as pd
    >>> parse_count(pd.Series(["0.89k", "475.8"], index=["a", "b"], name="followers"))
    a    890.0
    b    475.8
    Name: followers, dtype: float64
    >>> parse_count(["1k", "lots"])
    Traceback (most recent call last):
    ...
    skinfluence.exceptions.DataLoadError: parse_count: cannot parse 'lots' at position 1; expected a non-negative count ...
    """
    scalar = isinstance(values, (str, bytes)) or np.ndim(values) == 0
    if isinstance(values, bytes):
        values = values.decode()
    series_in = values if isinstance(values, pd.Series) else None
    if scalar:
        series = pd.Series([values], dtype=object)
    elif series_in is not None:
        series = series_in
    else:
        array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if array.ndim != 1:
            raise DataLoadError(
                f"parse_count: expected a scalar or a one-dimensional collection, got an array of "
                f"shape {array.shape}"
            )
        series = pd.Series(array)

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        parsed = series.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.isinf(parsed) | (parsed < 0)
    else:
        parsed, bad, _ = _parse_count_strings(_as_text(series.astype(object)))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = series.iloc[pos]
        where = f"position {pos}"
        if series_in is not None and not isinstance(series_in.index, pd.RangeIndex):
            where += f" (index {series_in.index[pos]!r})"
        more = int(bad.sum()) - 1
        extra = f" ({more} more unparseable value(s))" if more else ""
        raise DataLoadError(
            f"parse_count: cannot parse {value!r} at {where}; expected {_COUNT_EXPECTED}{extra}"
        )
    if scalar:
        return float(parsed[0])
    if series_in is not None:
        return pd.Series(parsed, index=series_in.index, name=series_in.name, dtype=np.float64)
    return parsed


# ------------------------------------------------------------------------ CSV reading


def _as_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected a file or folder path (str or os.PathLike), got {type(path).__name__}")
    return Path(path)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {str(path)!r}")
    return path


def _read_csv(path: Path, required: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV file as strings, indexed by the line number of each record.

    UTF-8 with or without BOM, LF or CRLF line endings, quoted fields. Blank
    lines are skipped; a record that repeats the header (e.g. left by
    concatenating files) is removed and counted in ``attrs``; a record with a
    number of fields other than the header's raises. Header names are
    stripped of surrounding whitespace. With ``required``, missing columns
    raise.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            records: list[list[str]] = []
            lines: list[int] = []
            previous = 0
            for row in reader:
                if row:
                    records.append(row)
                    lines.append(previous + 1)
                previous = reader.line_num
    except UnicodeDecodeError as exc:
        raise DataLoadError(
            f"{path}: not valid UTF-8 text (byte {exc.start}: {exc.reason}); expected a UTF-8 CSV file"
        ) from exc
    except csv.Error as exc:
        raise DataLoadError(f"{path}: CSV syntax error near line {previous + 1}: {exc}") from exc
    if not records:
        raise DataLoadError(f"{path}: the file is empty; expected a header line and data lines")
    header = [name.strip() for name in records[0]]
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise DataLoadError(f"{path}: line {lines[0]}: the header repeats column name(s) {dup}")
    if required is not None:
        missing = [c for c in required if c not in header]
        if missing:
            raise DataLoadError(
                f"{path}: line {lines[0]}: missing column(s) {missing}; the header has {header}, "
                f"expected the columns {list(required)}"
            )
    body = records[1:]
    body_lines = lines[1:]
    width = len(header)
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    wrong = np.flatnonzero(lengths != width)
    if len(wrong):
        i = int(wrong[0])
        raise DataLoadError(
            f"{path}: line {body_lines[i]}: found {lengths[i]} fields, expected {width} (as in the "
            f"header){f'; {len(wrong) - 1} more such line(s)' if len(wrong) > 1 else ''}"
        )
    frame = pd.DataFrame(body, columns=header, index=pd.Index(body_lines, name="line"), dtype="str")
    if len(frame):
        first = frame.iloc[:, 0].str.lstrip("\ufeff").str.strip()
        repeated = first == header[0]
        for name in header[1:]:
            repeated &= frame[name].str.strip() == name
        n_repeated = int(repeated.sum())
        if n_repeated:
            frame = frame[~repeated.to_numpy()]
    else:
        n_repeated = 0
    frame.attrs["n_repeated_header_rows_dropped"] = n_repeated
    return frame


def _fail(path, column: str, line, problem: str, expected: str, n_bad: int = 1) -> DataLoadError:
    more = f" ({n_bad - 1} more bad value(s) in this column)" if n_bad > 1 else ""
    return DataLoadError(f"{path}: column {column!r}, line {line}: {problem}; expected {expected}{more}")


def _missing_mask(strings: pd.Series) -> np.ndarray:
    return strings.isna().to_numpy(dtype=bool) | _flags(strings.str.strip() == "")


def _numbers(
    frame: pd.DataFrame,
    column: str,
    path,
    *,
    integer: bool = False,
    non_negative: bool = True,
    required: bool = False,
    expected: str | None = None,
) -> np.ndarray:
    """A column of plain numbers as float64 (NaN for empty cells), strictly checked."""
    strings = frame[column].str.strip()
    missing = _missing_mask(strings)
    pattern = r"^[+-]?\d+$" if integer else _NUMBER_PATTERN
    ok = _flags(strings.str.fullmatch(pattern))
    if expected is None:
        kind = "integer" if integer else "number"
        expected = f"a non-negative {kind}" if non_negative else f"an {kind}" if integer else "a number"
    if required and missing.any():
        rows = np.flatnonzero(missing)
        raise _fail(path, column, frame.index[rows[0]], "the value is empty", expected, len(rows))
    bad = ~missing & ~ok
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _fail(path, column, frame.index[rows[0]], f"cannot parse {strings.iloc[rows[0]]!r}",
                    expected, len(rows))
    values = pd.to_numeric(strings.where(~missing), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    if non_negative and (values < 0).any():
        rows = np.flatnonzero(values < 0)
        raise _fail(path, column, frame.index[rows[0]], f"negative value {strings.iloc[rows[0]]!r}",
                    expected, len(rows))
    return values


def _counts(frame: pd.DataFrame, column: str, path, bare_exponent: int = 0) -> np.ndarray:
    """An abbreviated-count column as float64 (bare values times 10**bare_exponent)."""
    values, bad, _ = _parse_count_strings(frame[column], bare_exponent)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _fail(path, column, frame.index[rows[0]], f"cannot parse {frame[column].iloc[rows[0]]!r}",
                    _COUNT_EXPECTED, len(rows))
    return values


def _booleans(frame: pd.DataFrame, column: str, path, *, required: bool = False) -> np.ndarray:
    """A 0/1 or TRUE/FALSE column as float64 0.0/1.0 (NaN for empty cells)."""
    strings = frame[column].str.strip().str.lower()
    missing = _missing_mask(strings)
    mapped = strings.map({"1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0, "true": 1.0, "false": 0.0})
    expected = "0/1 or TRUE/FALSE"
    if required and missing.any():
        rows = np.flatnonzero(missing)
        raise _fail(path, column, frame.index[rows[0]], "the value is empty", expected, len(rows))
    bad = ~missing & mapped.isna().to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _fail(path, column, frame.index[rows[0]], f"cannot parse {frame[column].iloc[rows[0]]!r}",
                    expected, len(rows))
    return mapped.to_numpy(dtype=np.float64, na_value=np.nan)


def _strings(frame: pd.DataFrame, column: str, path, *, required: bool = False) -> pd.Series:
    """A text column; empty cells become missing (or raise when ``required``)."""
    values = frame[column]
    missing = _missing_mask(values)
    if required and missing.any():
        rows = np.flatnonzero(missing)
        raise _fail(path, column, frame.index[rows[0]], "the value is empty", "a non-empty name",
                    len(rows))
    return _as_text(values.where(~missing).reset_index(drop=True))


def _single_file(path, default: str, what: str) -> Path:
    path = _existing(_as_path(path))
    if path.is_dir():
        candidate = path / default
        if not candidate.is_file():
            raise DataLoadError(
                f"{path}: folder has no {default!r}; pass the {what} file itself or a folder holding "
                f"{default!r}"
            )
        return candidate
    return path


# ------------------------------------------------------------------------- PeerIndex


def load_peerindex(path, *, return_X_y: bool = False):
    """Load the PeerIndex "who is more influential" pair data (Kaggle, 2013).

    Each row compares two Twitter users A and B by 11 pre-computed,
    non-negative activity and network features each; ``Choice`` says which
    one human judges found more influential.

    Parameters
    ----------
    path : str or path-like
        ``train.csv`` or ``test.csv`` of the competition, or a folder (then its
        ``train.csv`` is read).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of one frame. Needs the labelled file.

    Returns
    -------
    frame : DataFrame of shape (n_pairs, 22) or (n_pairs, 23)
        When ``return_X_y=False``: columns ``A_<feature>`` then
        ``B_<feature>`` for the features of :data:`PEERINDEX_FEATURES`
        (float64, NaN for an empty cell), then ``Choice`` (int64, 1 = A is
        more influential, 0 = B) when the file has it. Rows keep file order;
        duplicated rows are kept.
    (X, y) : tuple of DataFrame of shape (n_pairs, 22) and ndarray of shape (n_pairs,)
        When ``return_X_y=True``: the 22 feature columns and ``Choice`` as int64.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When the header does not hold the 11 features for both A and B (the
        message lists what is missing or unexpected), a value is not a
        non-negative number, ``Choice`` is not 0/1, or ``return_X_y=True`` is
        asked of a file without ``Choice`` (the unlabelled test file). Messages
        name the file, column and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets._loaders import PEERINDEX_FEATURES, load_peerindex
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = ["Choice"] + [f"{s}_{f}" for s in "AB" for f in PEERINDEX_FEATURES]
    >>> row = ["1"] + [str(v) for v in range(22)]
    >>> _ = (folder / "train.csv").write_text(",".join(header) + "\\n" + ",".join(row) + "\\n")
    >>> X, y = load_peerindex(folder, return_X_y=True)
    >>> X.shape, y.tolist(), X["B_follower_count"].tolist()
    ((1, 22), [1], [11.0])
    """
    path = _single_file(path, "train.csv", "PeerIndex train.csv or test.csv")
    raw = _read_csv(path)
    header_line = "line 1"
    expected_columns = [f"{side}_{f}" for side in "AB" for f in PEERINDEX_FEATURES]
    columns = list(raw.columns)
    sides = {side: [c[2:] for c in columns if c.startswith(f"{side}_")] for side in "AB"}
    others = [c for c in columns if c != "Choice" and c[:2] not in ("A_", "B_")]
    if sides["A"] != sides["B"] or others or set(sides["A"]) != set(PEERINDEX_FEATURES) \
            or len(sides["A"]) != len(PEERINDEX_FEATURES):
        problems = []
        for side in "AB":
            missing = [f"{side}_{f}" for f in PEERINDEX_FEATURES if f not in sides[side]]
            extra = [f"{side}_{f}" for f in sides[side] if f not in PEERINDEX_FEATURES]
            if missing:
                problems.append(f"missing {missing}")
            if extra:
                problems.append(f"unexpected {extra}")
        if others:
            problems.append(f"unexpected {others}")
        if not problems:
            problems.append("the A_ and B_ features are not in the same order")
        raise DataLoadError(
            f"{path}: {header_line}: the header must hold the {len(PEERINDEX_FEATURES)} features for "
            f"both users A and B with matching names (and optionally 'Choice'): "
            f"{'; '.join(problems)}; expected the columns {['Choice'] + expected_columns}"
        )
    data = {c: _numbers(raw, c, path) for c in expected_columns}
    frame = pd.DataFrame(data)
    labelled = "Choice" in raw.columns
    if labelled:
        choice = _numbers(raw, "Choice", path, integer=True, required=True, expected="0 or 1")
        if not np.isin(choice, (0, 1)).all():
            rows = np.flatnonzero(~np.isin(choice, (0, 1)))
            raise _fail(path, "Choice", raw.index[rows[0]],
                        f"label {raw['Choice'].iloc[rows[0]]!r}", "0 or 1", len(rows))
        frame["Choice"] = choice.astype(np.int64)
    frame.attrs["source_file"] = str(path)
    frame.attrs["n_repeated_header_rows_dropped"] = raw.attrs["n_repeated_header_rows_dropped"]
    if not return_X_y:
        return frame
    if not labelled:
        raise DataLoadError(
            f"{path}: return_X_y=True needs the label column 'Choice', which this file does not have "
            "(the competition's test.csv is unlabelled); load it with return_X_y=False"
        )
    return frame.drop(columns="Choice"), frame["Choice"].to_numpy()


# ---------------------------------------------------------------------------- TikTok

_TIKTOK_COLUMNS = (
    "id", "create_time", "user_name", "hashtags", "song", "video_length", "n_likes",
    "n_shares", "n_comments", "n_plays", "n_followers", "n_total_likes", "n_total_vids",
)
# one element of a Python list of strings, as repr() writes it
_QUOTED = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""
_LIST_PATTERN = rf"^\[\s*(?:(?:{_QUOTED})(?:\s*,\s*(?:{_QUOTED}))*\s*,?)?\s*\]$"
_ITEM_PATTERN = rf"(?P<item>{_QUOTED})"


def _hashtag_lists(frame: pd.DataFrame, path) -> pa.Array:
    """Parse the ``hashtags`` column (Python-list strings) into an Arrow list<string>.

    Never evaluates the text: the cell must match the grammar of a list of
    quoted strings; items are extracted by regular expression, and only items
    holding a backslash escape (e.g. ``\\xa0``) are decoded, as a single
    string literal by :func:`ast.literal_eval`. Empty cells become null.
    """
    strings = frame["hashtags"].str.strip().reset_index(drop=True)
    missing = _missing_mask(strings)
    ok = _flags(strings.str.fullmatch(_LIST_PATTERN))
    bad = ~missing & ~ok
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _fail(path, "hashtags", frame.index[rows[0]], f"cannot parse {strings.iloc[rows[0]]!r}",
                    "a Python-style list of quoted strings such as \"['fyp', 'dance']\" or '[]'",
                    len(rows))
    found = strings.where(~missing).str.extractall(_ITEM_PATTERN)["item"]
    owner = found.index.get_level_values(0).to_numpy(dtype=np.int64)
    items = found.str.slice(1, -1).tolist()
    escaped = np.flatnonzero(_flags(found.str.contains("\\", regex=False)))
    for i in escaped:  # a handful of items; each parsed as one string literal, safely
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                items[i] = ast.literal_eval(found.iloc[i])
        except (ValueError, SyntaxError) as exc:
            raise _fail(path, "hashtags", frame.index[owner[i]], f"bad escape in {found.iloc[i]!r} ({exc})",
                        "Python string escapes such as '\\xa0'") from None
    counts = np.bincount(owner, minlength=len(strings))
    offsets = np.zeros(len(strings) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    mask = pa.array(missing)
    return pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(items, type=pa.string()), mask=mask
    )


def _tiktok_files(path) -> list[Path]:
    if isinstance(path, (str, os.PathLike)):
        path = _existing(_as_path(path))
        if path.is_dir():
            files = sorted(p for p in path.glob("*.csv") if p.is_file())
            if not files:
                raise DataLoadError(f"{path}: folder holds no *.csv file; expected the TikTok video CSVs")
            return files
        return [path]
    if isinstance(path, Iterable):
        files = [_existing(_as_path(p)) for p in path]
        if not files:
            raise DataLoadError("load_tiktok_videos: got an empty list of files")
        for f in files:
            if f.is_dir():
                raise DataLoadError(f"{f}: is a folder; a list must hold CSV files")
        return files
    raise TypeError(f"expected a folder, a CSV file or a list of CSV files, got {type(path).__name__}")


def _read_tiktok_file(path: Path, order: int) -> pd.DataFrame:
    raw = _read_csv(path, required=_TIKTOK_COLUMNS)
    extra = [c for c in raw.columns if c not in _TIKTOK_COLUMNS]
    if extra:
        raise DataLoadError(
            f"{path}: line 1: unexpected column(s) {extra}; expected exactly {list(_TIKTOK_COLUMNS)}"
        )
    ids = raw["id"].str.strip()
    _numbers(raw, "id", path, integer=True, required=True, expected="a video id (digits)")
    seconds = _numbers(raw, "create_time", path, integer=True, expected="unix seconds (an integer)")
    out = pd.DataFrame({
        "account_id": _strings(raw, "user_name", path, required=True),
        "post_id": _as_text(ids.reset_index(drop=True)),
        # microseconds, as pandas 3 infers (pandas 2 would give nanoseconds)
        "timestamp": pd.to_datetime(pd.Series(seconds), unit="s", utc=True).astype("datetime64[us, UTC]"),
        "hashtags": pd.Series(pd.arrays.ArrowExtensionArray(_hashtag_lists(raw, path))),
        "song": _strings(raw, "song", path),
        "video_length": _numbers(raw, "video_length", path),
        "likes": _numbers(raw, "n_likes", path),
        "shares": _numbers(raw, "n_shares", path),
        "comments": _numbers(raw, "n_comments", path),
        "views": _numbers(raw, "n_plays", path),
        "followers": _numbers(raw, "n_followers", path),
        "total_likes": _numbers(raw, "n_total_likes", path),
        "n_posts": _numbers(raw, "n_total_vids", path),
    })
    out["_file"] = order
    out["_line"] = raw.index.to_numpy()
    out.attrs["n_repeated_header_rows_dropped"] = raw.attrs["n_repeated_header_rows_dropped"]
    return out


_PROFILE_FIELDS = ("followers", "total_likes", "n_posts")
_POST_FIELDS = ("post_id", "timestamp", "hashtags", "song", "video_length", "likes", "shares",
                "comments", "views")


def load_tiktok_videos(path) -> pd.DataFrame:
    """Load the TikTok creator/video data (UCLA DataRes, Nov 2020) as an account frame.

    Each CSV row is one video with its creator's profile counts repeated. The
    result has one row per creator and the creator's videos nested in a
    ``posts`` column (see :func:`skinfluence.nest_posts`).

    Rules applied (also reported in ``frame.attrs``):

    * **Duplicated videos.** A video id present on several rows (the files
      overlap: the same video crawled at different times) is kept once: the
      copy with the most views (``n_plays``), then the most likes, then the
      first read (files in the order read, then line order). Views only grow,
      so this is the latest crawl. Copies that disagree on the creator raise.
      ``attrs["n_duplicate_video_rows_dropped"]`` counts the dropped rows.
    * **Profile counts.** A creator's profile counts can differ between rows
      (crawled at different times). The row with the largest
      ``n_total_likes``, then ``n_total_vids``, then ``n_followers`` (missing
      values last) gives all three, so the three come from one observation,
      the latest one as these totals only grow.
      ``attrs["n_creators_with_conflicting_profiles"]`` counts the creators
      whose rows disagreed.
    * Empty cells stay missing (NaN, NaT or null); nothing is filled in.
    * A repeated header line inside a file is removed
      (``attrs["n_repeated_header_rows_dropped"]``).

    Parameters
    ----------
    path : str, path-like or list of them
        A folder (all its ``*.csv`` files are read, sorted by name), one CSV
        file, or a list of CSV files (read in the given order). Each file must
        have exactly the 13 columns ``id, create_time, user_name, hashtags,
        song, video_length, n_likes, n_shares, n_comments, n_plays,
        n_followers, n_total_likes, n_total_vids`` (in any order).

    Returns
    -------
    frame : DataFrame of shape (n_creators, 5)
        Rows sorted by ``account_id``, with a RangeIndex. Columns:

        - ``account_id`` (str: pandas' default string dtype, ``str`` on
          pandas 3, ``object`` on pandas 2): the creator's ``user_name``;
        - ``followers`` (float64): ``n_followers``;
        - ``total_likes`` (float64): ``n_total_likes``, likes over all the
          creator's videos;
        - ``n_posts`` (float64): ``n_total_vids``, the creator's number of
          videos on TikTok (not the number of videos in ``posts``);
        - ``posts``: the creator's videos, oldest first (by ``timestamp``, then
          ``post_id``), a pyarrow ``list<struct>`` column with the fields
          ``post_id`` (str, the video ``id``), ``timestamp`` (UTC, from
          ``create_time``), ``hashtags`` (list of str, from the Python-list
          string; ``[]`` when none, null when the cell is empty), ``song``
          (str), ``video_length`` (seconds), ``likes``, ``shares``,
          ``comments``, ``views`` (``n_plays``), all numbers float64. The
          Arrow types are the same with pandas 2 and 3: ``large_string``,
          ``timestamp[us, tz=UTC]``, ``list<string>``, ``large_string``,
          then ``double``.

        ``frame.attrs`` holds ``source_files``, ``n_video_rows``,
        ``n_duplicate_video_rows_dropped``,
        ``n_creators_with_conflicting_profiles`` and
        ``n_repeated_header_rows_dropped``.

    Raises
    ------
    FileNotFoundError
        When a path does not exist.
    DataLoadError
        When a folder holds no CSV file, a file lacks or adds columns, a
        record has the wrong number of fields, an id, time or count cannot be
        parsed or is negative, a hashtag cell is not a list of quoted strings,
        or one video id is attributed to two creators. Messages name the file,
        column and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets._loaders import load_tiktok_videos
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = ("id,create_time,user_name,hashtags,song,video_length,n_likes,n_shares,"
    ...           "n_comments,n_plays,n_followers,n_total_likes,n_total_vids")
    >>> rows = ['2,1604700000,ann,"[\\'fyp\\', \\'dance\\']",tune,15,10,1,2,100,50,900,3',
    ...         "1,1604600000,ann,[],,9,5,0,1,40,50,900,3"]
    >>> _ = (folder / "vids.csv").write_text("\\n".join([header, *rows]) + "\\n")
    >>> frame = load_tiktok_videos(folder)
    >>> frame[["account_id", "followers", "n_posts"]]
      account_id  followers  n_posts
    0        ann       50.0      3.0
    >>> [(p["post_id"], p["hashtags"], p["views"]) for p in frame.loc[0, "posts"]]
    [('1', [], 40.0), ('2', ['fyp', 'dance'], 100.0)]
    """
    from ..nested import nest_posts

    files = _tiktok_files(path)
    parts = [_read_tiktok_file(f, i) for i, f in enumerate(files)]
    rows = pd.concat(parts, ignore_index=True)
    n_rows = len(rows)

    # one creator per video id
    owners = rows.groupby("post_id", sort=False)["account_id"].nunique()
    if (owners > 1).any():
        vid = owners.index[owners.to_numpy() > 1][0]
        hits = rows[rows["post_id"] == vid]
        where = ", ".join(
            f"{files[f]} line {line} ({acc!r})"
            for f, line, acc in zip(hits["_file"], hits["_line"], hits["account_id"], strict=True)
        )
        raise DataLoadError(
            f"column 'id': video {vid!r} is attributed to different creators in column 'user_name': "
            f"{where}; expected one creator per video id"
        )

    # duplicated videos: keep the copy with the most views, then likes, then the first read
    videos = rows.sort_values(
        ["post_id", "views", "likes", "_file", "_line"],
        ascending=[True, False, False, True, True],
        na_position="last",
        kind="stable",
    ).drop_duplicates("post_id", keep="first")
    n_dropped = n_rows - len(videos)

    # profile counts: the row with the largest total likes, then total videos, then followers
    profile_rows = rows.sort_values(
        ["account_id", "total_likes", "n_posts", "followers", "_file", "_line"],
        ascending=[True, False, False, False, True, True],
        na_position="last",
        kind="stable",
    )
    distinct = profile_rows.drop_duplicates(["account_id", *_PROFILE_FIELDS])
    n_conflicts = int(distinct["account_id"].duplicated().groupby(distinct["account_id"]).any().sum())
    profiles = profile_rows.drop_duplicates("account_id", keep="first")[
        ["account_id", *_PROFILE_FIELDS]
    ].reset_index(drop=True)

    posts = videos.sort_values(["account_id", "timestamp", "post_id"], na_position="last",
                               kind="stable")
    posts = posts[["account_id", *_POST_FIELDS]].reset_index(drop=True)
    # the same Arrow types with pandas 2 (object text) and 3 ('str', stored as large_string)
    for col in ("post_id", "song"):
        posts[col] = posts[col].astype(pd.ArrowDtype(pa.large_string()))
    frame = nest_posts(profiles, posts, on="account_id")
    frame.attrs.update({
        "source_files": [str(f) for f in files],
        "n_video_rows": n_rows,
        "n_duplicate_video_rows_dropped": int(n_dropped),
        "n_creators_with_conflicting_profiles": n_conflicts,
        "n_repeated_header_rows_dropped": int(
            sum(p.attrs["n_repeated_header_rows_dropped"] for p in parts)
        ),
    })
    return frame


# -------------------------------------------------------------------- top Instagram

_TOP_INSTAGRAM_COLUMNS = (
    "rank", "channel_info", "influence_score", "posts", "followers", "avg_likes",
    "60_day_eng_rate", "new_post_avg_like", "total_likes", "country",
)


def load_top_instagram(path) -> pd.DataFrame:
    """Load the Kaggle "Top Instagram Influencers Data (Cleaned)" profile table.

    A profile table (one row per account, 200 accounts in the published
    file): it has no posts, so the result has no ``posts`` column.

    Rules applied:

    * Abbreviated counts (``"3.3k"``, ``"8.7m"``, ``"29.0b"``) are parsed with
      :func:`parse_count`.
    * **Followers in millions.** A ``followers`` value *without* a k/m/b
      suffix is a number of millions (``"475.8"`` is 475,800,000), one with a
      suffix is taken as written. The published file writes every
      ``followers`` value without a suffix (32.8 ... 475.8 over the 200 rows,
      sorted by followers), and with millions the file's own
      ``60_day_eng_rate`` equals ``new_post_avg_like / followers`` (e.g. 6.5m /
      475.8m = 1.37 % for the stated 1.39 %).
    * ``60_day_eng_rate`` ``"1.39%"`` becomes the fraction 0.0139; a value
      without ``%`` raises; ``"NaN%"`` (written for one account of the
      published file) and empty cells are missing (NaN).
    * Empty ``country`` cells stay missing.
    * The UTF-8 byte-order mark and CRLF line endings are handled; a repeated
      header line is removed.

    Parameters
    ----------
    path : str or path-like
        ``top_insta_influencers_data.csv`` or a folder holding it.

    Returns
    -------
    frame : DataFrame of shape (n_accounts, 10)
        File order, RangeIndex. Columns: ``account_id`` (str, from
        ``channel_info``), ``rank`` (int64), ``influence_score``,
        ``n_posts`` (``posts``), ``followers``, ``avg_likes``,
        ``engagement_rate_60d`` (a fraction), ``new_post_avg_like``,
        ``total_likes`` (all float64) and ``country`` (str, missing when empty:
        NaN). Text columns have pandas' default string dtype (``str`` on
        pandas 3, ``object`` on pandas 2).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When a column is missing, a count, rank or percentage cannot be
        parsed, or an account appears twice. Messages name the file, column
        and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets._loaders import load_top_instagram
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = ("\\ufeffrank,channel_info,influence_score,posts,followers,avg_likes,"
    ...         "60_day_eng_rate,new_post_avg_like,total_likes,country\\r\\n"
    ...         "1,star,92,3.3k,475.8,8.7m,1.39%,6.5m,29.0b,Spain\\r\\n"
    ...         "2,moon,80,0.89k,33.2m,1.1m,0.50%,0,1.2b,\\r\\n")
    >>> _ = (folder / "top_insta_influencers_data.csv").write_bytes(text.encode())
    >>> frame = load_top_instagram(folder)
    >>> frame[["account_id", "followers", "n_posts", "engagement_rate_60d"]]
      account_id    followers  n_posts  engagement_rate_60d
    0       star  475800000.0   3300.0               0.0139
    1       moon   33200000.0    890.0               0.0050
    >>> frame["country"].isna().tolist()
    [False, True]
    """
    path = _single_file(path, "top_insta_influencers_data.csv", "top Instagram influencers CSV")
    raw = _read_csv(path, required=_TOP_INSTAGRAM_COLUMNS)
    account = _strings(raw, "channel_info", path, required=True)
    dup = account.duplicated(keep=False).to_numpy()
    if dup.any():
        lines = raw.index[dup]
        raise DataLoadError(
            f"{path}: column 'channel_info': account {account[dup].iloc[0]!r} appears on several lines "
            f"({', '.join(map(str, lines[:_MAX_SHOWN]))}); expected one row per account"
        )
    followers = _counts(raw, "followers", path, bare_exponent=6)  # bare values are millions

    rate_text = raw["60_day_eng_rate"].str.strip()
    # "NaN%" (written once in the published file) is a missing rate
    missing = _missing_mask(rate_text) | _flags(rate_text.str.fullmatch(r"(?i)nan\s*%?"))
    parts = rate_text.str.extract(_PERCENT_PATTERN)
    bad = ~missing & parts["num"].isna().to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _fail(path, "60_day_eng_rate", raw.index[rows[0]], f"cannot parse {rate_text.iloc[rows[0]]!r}",
                    "a percentage such as '1.39%'", len(rows))
    rate = pd.to_numeric((parts["num"] + "e-2").where(~missing), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    if (rate < 0).any():
        rows = np.flatnonzero(rate < 0)
        raise _fail(path, "60_day_eng_rate", raw.index[rows[0]], f"negative rate {rate_text.iloc[rows[0]]!r}",
                    "a non-negative percentage", len(rows))

    rank = _numbers(raw, "rank", path, integer=True, required=True, expected="a positive integer rank")
    frame = pd.DataFrame({
        "account_id": account,
        "rank": rank.astype(np.int64),
        "influence_score": _numbers(raw, "influence_score", path),
        "n_posts": _counts(raw, "posts", path),
        "followers": followers,
        "avg_likes": _counts(raw, "avg_likes", path),
        "engagement_rate_60d": rate,
        "new_post_avg_like": _counts(raw, "new_post_avg_like", path),
        "total_likes": _counts(raw, "total_likes", path),
        "country": _strings(raw, "country", path),
    })
    frame.attrs["source_file"] = str(path)
    frame.attrs["n_repeated_header_rows_dropped"] = raw.attrs["n_repeated_header_rows_dropped"]
    return frame


# ------------------------------------------------------------------ fake accounts

_KAGGLE_COLUMNS = {
    "profile pic": "has_profile_pic",
    "nums/length username": "username_digit_ratio",
    "fullname words": "fullname_words",
    "nums/length fullname": "fullname_digit_ratio",
    "name==username": "name_equals_username",
    "description length": "bio_length",
    "external URL": "has_external_url",
    "private": "is_private",
    "#posts": "n_posts",
    "#followers": "n_followers",
    "#follows": "n_following",
}
_SRF_COLUMNS = {
    "has_profile_picture": "has_profile_pic",
    "Private.account": "is_private",
    "Number.of.posts": "n_posts",
    "Number.of.followers": "n_followers",
    "Number.of.people.they.follow": "n_following",
}
# identifier columns of the original SRF file: allowed, never read
_SRF_IGNORED = ("Profile.URL", "Username")
_INSTAFAKE_FIELDS = (
    "userFollowerCount", "userFollowingCount", "userBiographyLength", "userMediaCount",
    "userHasProfilPic", "userIsPrivate", "usernameDigitCount", "usernameLength", "isFake",
)
_BINARY = ("has_profile_pic", "name_equals_username", "has_external_url", "is_private")
_RATIOS = ("username_digit_ratio", "fullname_digit_ratio")


def _csv_header(path: Path) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.reader(fh):
                if row:
                    return [c.strip() for c in row]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataLoadError(f"{path}: cannot read the CSV header: {exc}") from exc
    return []


def _detect_fake_set(path: Path) -> str:
    """Which fake-account data set a file belongs to: 'kaggle', 'srf' or 'instafake'."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "instafake"
    if suffix == ".csv":
        header = _csv_header(path)
        if set(header) == set(_KAGGLE_COLUMNS) | {"fake"}:
            return "kaggle"
        if set(_SRF_COLUMNS) | {"rating"} <= set(header) <= set(_SRF_COLUMNS) | {"rating", *_SRF_IGNORED}:
            return "srf"
        raise DataLoadError(
            f"{path}: line 1: unknown columns {header}; expected those of the Kaggle set "
            f"({list(_KAGGLE_COLUMNS) + ['fake']}) or of the SRF set "
            f"({['rating', *_SRF_COLUMNS]})"
        )
    raise DataLoadError(
        f"{path}: unknown file type {suffix!r}; expected a Kaggle or SRF .csv file or an InstaFake "
        ".json file"
    )


def _check_range(frame: pd.DataFrame, X: dict, path, names: dict) -> None:
    """0/1 features must be 0 or 1, ratios in [0, 1] (counts are checked when parsed)."""
    for col, source in names.items():
        values = X[col]
        if col in _BINARY:
            bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
            expected = "0 or 1"
        elif col in _RATIOS:
            bad = ~np.isnan(values) & ((values < 0) | (values > 1))
            expected = "a ratio between 0 and 1"
        else:
            continue
        if bad.any():
            rows = np.flatnonzero(bad)
            raise _fail(path, source, frame.index[rows[0]], f"value {frame[source].iloc[rows[0]]!r}",
                        expected, len(rows))


def _read_kaggle(path: Path) -> tuple[dict, np.ndarray, int]:
    raw = _read_csv(path, required=[*_KAGGLE_COLUMNS, "fake"])
    X = {}
    for source, name in _KAGGLE_COLUMNS.items():
        X[name] = _numbers(raw, source, path)
    _check_range(raw, X, path, {v: k for k, v in _KAGGLE_COLUMNS.items()})
    y = _booleans(raw, "fake", path, required=True)
    return X, y, len(raw)


def _read_srf(path: Path) -> tuple[dict, np.ndarray, int]:
    raw = _read_csv(path, required=["rating", *_SRF_COLUMNS])
    X = {}
    for source, name in _SRF_COLUMNS.items():
        if name in _BINARY:
            X[name] = _booleans(raw, source, path)
        else:
            X[name] = _numbers(raw, source, path)
    y = _booleans(raw, "rating", path, required=True)
    return X, y, len(raw)


def _read_instafake(path: Path) -> tuple[dict, np.ndarray, int]:
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataLoadError(f"{path}: not valid UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise DataLoadError(
            f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg}); expected a JSON "
            "array of InstaFake account records"
        ) from exc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataLoadError(f"{path}: expected a JSON array of objects (InstaFake account records)")
    for i, record in enumerate(records):
        missing = [f for f in _INSTAFAKE_FIELDS if f not in record]
        if missing:
            raise DataLoadError(
                f"{path}: record {i}: missing field(s) {missing}; expected the fields {list(_INSTAFAKE_FIELDS)}"
            )
    table = pd.DataFrame.from_records(records, columns=list(_INSTAFAKE_FIELDS))
    strings = _as_text(table.astype(object).where(table.notna(), ""))
    strings.index = pd.Index(np.arange(len(strings)), name="record")
    where = f"{path} (JSON)"

    def number(field, **kw):
        try:
            return _numbers(strings, field, path, **kw)
        except DataLoadError as exc:  # say 'record' instead of 'line'
            raise DataLoadError(str(exc).replace(", line ", ", record ")) from None

    digits = number("usernameDigitCount")
    length = number("usernameLength")
    zero = length == 0
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise DataLoadError(
            f"{where}: column 'usernameLength', record {i}: 0; expected a positive username length "
            "(needed for username_digit_ratio)"
        )
    if (digits > length).any():
        i = int(np.flatnonzero(digits > length)[0])
        raise DataLoadError(
            f"{where}: column 'usernameDigitCount', record {i}: {digits[i]:g} digits in a username "
            f"of length {length[i]:g}; expected at most usernameLength"
        )
    X = {
        "has_profile_pic": number("userHasProfilPic"),
        "username_digit_ratio": digits / length,
        "bio_length": number("userBiographyLength"),
        "is_private": number("userIsPrivate"),
        "n_posts": number("userMediaCount"),
        "n_followers": number("userFollowerCount"),
        "n_following": number("userFollowingCount"),
    }
    _check_range(strings, X, path, {"has_profile_pic": "userHasProfilPic", "is_private": "userIsPrivate"})
    y = number("isFake", integer=True, required=True, expected="0 or 1")
    if not np.isin(y, (0, 1)).all():
        i = int(np.flatnonzero(~np.isin(y, (0, 1)))[0])
        raise DataLoadError(f"{where}: column 'isFake', record {i}: {y[i]:g}; expected 0 or 1")
    return X, y, len(table)


_FAKE_READERS = {"kaggle": _read_kaggle, "instafake": _read_instafake, "srf": _read_srf}


def load_fake_accounts(path):
    """Load any of the three labelled fake-follower data sets in one schema.

    The data set is detected from the files: the Kaggle "Instagram fake
    spammer genuine accounts" CSV (``insta_train.csv``; by its 12 columns),
    the InstaFake JSON files (``fakeAccountData.json``,
    ``realAccountData.json``; by the ``.json`` extension) or the SRF Data
    hand-labelled followers CSV (``labelled_followers.csv``; by its
    ``rating``, ``Number.of.*`` columns; the identifier columns
    ``Profile.URL`` and ``Username`` of the original file are allowed and
    ignored).

    All three are mapped to the follower-account schema
    :data:`FAKE_ACCOUNT_COLUMNS`; a feature a set does not record is NaN:

    ======================  ======  =========  ===
    column                  Kaggle  InstaFake  SRF
    ======================  ======  =========  ===
    has_profile_pic         yes     yes        yes
    username_digit_ratio    yes     yes [1]_   NaN
    fullname_words          yes     NaN        NaN
    fullname_digit_ratio    yes     NaN        NaN
    name_equals_username    yes     NaN        NaN
    bio_length              yes     yes        NaN
    has_external_url        yes     NaN        NaN
    is_private              yes     yes        yes
    n_posts                 yes     yes        yes
    n_followers             yes     yes        yes
    n_following             yes     yes        yes
    ======================  ======  =========  ===

    .. [1] ``usernameDigitCount / usernameLength``.

    Parameters
    ----------
    path : str or path-like
        One data file, or a folder. In a folder, every ``*.csv`` and
        ``*.json`` file is read (other files, such as ``SOURCE.md``, are
        ignored); they must all belong to one data set and are concatenated
        in file-name order (for InstaFake: the fake file, then the real one).

    Returns
    -------
    X : DataFrame of shape (n_accounts, 12)
        The 11 :data:`FAKE_ACCOUNT_COLUMNS` (float64; 0/1 flags as 0.0/1.0)
        and ``source`` (``"kaggle"``, ``"instafake"`` or ``"srf"``; pandas'
        default string dtype: ``str`` on pandas 3, ``object`` on pandas 2), rows
        in file order, RangeIndex. ``X.attrs["source_files"]`` lists the files.
    y : ndarray of shape (n_accounts,), dtype=int64
        1 = fake account, 0 = genuine.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When a file's columns are not those of a known set, a folder mixes
        files of different sets or holds none, a value cannot be parsed, a
        0/1 flag or a ratio is out of range, or a label is missing. Messages
        name the file, column and line (the record number for JSON).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets._loaders import load_fake_accounts
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "labelled.csv").write_text(
    ...     "rating,Number.of.posts,Number.of.people.they.follow,Number.of.followers,"
    ...     "has_profile_picture,Private.account\\n"
    ...     "TRUE,0,4000,3,TRUE,FALSE\\nFALSE,120,300,280,TRUE,TRUE\\n")
    >>> X, y = load_fake_accounts(folder)
    >>> X[["n_posts", "n_following", "is_private", "bio_length", "source"]]
       n_posts  n_following  is_private  bio_length source
    0      0.0       4000.0         0.0         NaN    srf
    1    120.0        300.0         1.0         NaN    srf
    >>> y
    array([1, 0])
    """
    path = _existing(_as_path(path))
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".json"))
        if not files:
            raise DataLoadError(
                f"{path}: folder holds no .csv or .json file; expected the files of one fake-account "
                "data set (Kaggle insta_train.csv, InstaFake *AccountData.json or SRF labelled_followers.csv)"
            )
    else:
        files = [path]
    kinds = {f: _detect_fake_set(f) for f in files}
    if len(set(kinds.values())) > 1:
        listing = ", ".join(f"{f.name} ({k})" for f, k in kinds.items())
        raise DataLoadError(
            f"{path}: folder mixes files of different fake-account data sets: {listing}; expected the "
            "files of one set (pass one file or a folder per set)"
        )
    kind = next(iter(kinds.values()))
    blocks, labels = [], []
    for f in files:
        X, y, n = _FAKE_READERS[kind](f)
        blocks.append(pd.DataFrame(
            {c: X.get(c, np.full(n, np.nan)) for c in FAKE_ACCOUNT_COLUMNS}
        ))
        labels.append(y)
    X = pd.concat(blocks, ignore_index=True).astype(np.float64)
    X["source"] = _as_text(pd.Series([kind] * len(X)))
    X.attrs["source_files"] = [str(f) for f in files]
    y = np.concatenate(labels).astype(np.int64)
    return X, y
