"""What the loaders of real data sets share: text conversion, count parsing, strict CSV reading.

One module per data set (``_peerindex``, ``_tiktok``, ``_top_instagram``,
``_fake_accounts``) builds on these helpers.

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

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataLoadError

__all__ = ["parse_count"]

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


def parse_count(values) -> float | np.ndarray | pd.Series:
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
    >>> from skinfluence.datasets import parse_count
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


def _read_records(path: Path) -> tuple[list[list[str]], list[int]]:
    """Every non-blank CSV record of a file (header included) and the line each starts on.

    UTF-8 with or without BOM, LF or CRLF line endings, quoted fields (which may span
    lines). Raises when the file is not UTF-8, not CSV, or empty.
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
    return records, lines


def _read_csv(path: Path, required: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV file as strings, indexed by the line number of each record.

    UTF-8 with or without BOM, LF or CRLF line endings, quoted fields. Blank
    lines are skipped; a record that repeats the header (e.g. left by
    concatenating files) is removed and counted in ``attrs``; a record with a
    number of fields other than the header's raises. Header names are
    stripped of surrounding whitespace. With ``required``, missing columns
    raise.
    """
    records, lines = _read_records(path)
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
