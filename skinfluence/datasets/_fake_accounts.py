"""load_fake_accounts: three fake-follower data sets in one follower-account schema.

Reading is strict: a value that does not fit the documented schema raises a
:class:`~skinfluence.exceptions.DataLoadError` naming the file, the column, the
line and what was expected (see ``docs/real_data.md``).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataLoadError
from ..schemas import FAKE_ACCOUNT_COLUMNS
from ._readers import (
    _as_path,
    _as_text,
    _booleans,
    _existing,
    _fail,
    _numbers,
    _read_csv,
)

__all__ = ["FAKE_ACCOUNT_COLUMNS", "load_fake_accounts"]

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
# per CSV set: the columns it must have, and the columns it may have
_CSV_SETS = {
    "kaggle": ((*_KAGGLE_COLUMNS, "fake"), (*_KAGGLE_COLUMNS, "fake")),
    "srf": (("rating", *_SRF_COLUMNS), ("rating", *_SRF_COLUMNS, *_SRF_IGNORED)),
}
_LABELS = {"kaggle": "fake", "srf": "rating"}
_SET_NAMES = {"kaggle": "Kaggle", "srf": "SRF"}
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
        if not header:
            raise DataLoadError(
                f"{path}: the file is empty (no header line); expected a CSV file of the Kaggle set "
                f"(columns {list(_KAGGLE_COLUMNS) + ['fake']}) or of the SRF set "
                f"(columns {['rating', *_SRF_COLUMNS]})"
            )
        for kind, (required, allowed) in _CSV_SETS.items():
            if set(required) <= set(header) <= set(allowed):
                return kind
        # the set whose columns the header shares most: say what it lacks, and what is foreign
        kind, (required, allowed) = max(
            _CSV_SETS.items(), key=lambda item: len(set(header) & set(item[1][1])))
        missing = [c for c in required if c not in header]
        foreign = [c for c in header if c not in allowed]
        if len(set(header) & set(allowed)) > len(required) // 2:
            parts = []
            if missing:
                label = _LABELS[kind]
                parts.append(f"the column(s) {missing} are missing" + (
                    f" ({label!r} is the label: it says which accounts are fake)"
                    if label in missing else ""))
            if foreign:
                parts.append(f"the column(s) {foreign} are not columns of that set")
            if not parts:
                repeated = sorted({c for c in header if header.count(c) > 1})
                parts.append(f"the column(s) {repeated} appear more than once")
            raise DataLoadError(
                f"{path}: line 1: the columns look like the {_SET_NAMES[kind]} set, but "
                + " and ".join(parts) + f"; expected the columns {list(required)}"
            )
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
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataLoadError(f"{path}: not valid UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise DataLoadError(f"{path}: the file is empty; expected a JSON array of InstaFake account "
                            f"records with the fields {list(_INSTAFAKE_FIELDS)}")
    try:
        records = json.loads(text)
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


def load_fake_accounts(path: str | os.PathLike) -> tuple[pd.DataFrame, np.ndarray]:
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
    username_digit_ratio    yes     yes (*)    NaN
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

    (*) InstaFake's ``usernameDigitCount / usernameLength``.

    Parameters
    ----------
    path : str or path-like
        One data file, or a folder. In a folder, every ``*.csv`` and
        ``*.json`` file is read (other files, such as ``SOURCE.md``, are
        ignored); they must all belong to one data set and are concatenated
        in file-name order (for InstaFake: the fake file, then the real one).

    Returns
    -------
    X : DataFrame of shape (n_accounts, 11)
        The 11 :data:`FAKE_ACCOUNT_COLUMNS` (float64; 0/1 flags as 0.0/1.0),
        rows in file order, RangeIndex: the input of
        :class:`~skinfluence.audience.FakeFollowerDetector` as it is.
        Provenance is kept out of the columns, in ``X.attrs``:
        ``X.attrs["source"]`` is the data set (``"kaggle"``, ``"instafake"``
        or ``"srf"``) and ``X.attrs["source_files"]`` lists the files read.
    y : ndarray of shape (n_accounts,), dtype=int64
        1 = fake account, 0 = genuine.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When a file is empty, its columns are not those of a known set (for
        a file that resembles a set, the message names the columns it lacks,
        such as the label column), a folder mixes files of different sets or
        holds none, a value cannot be parsed, a 0/1 flag or a ratio is out of
        range, or a label is missing. Messages name the file, column and line
        (the record number for JSON).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets import load_fake_accounts
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "labelled.csv").write_text(
    ...     "rating,Number.of.posts,Number.of.people.they.follow,Number.of.followers,"
    ...     "has_profile_picture,Private.account\\n"
    ...     "TRUE,0,4000,3,TRUE,FALSE\\nFALSE,120,300,280,TRUE,TRUE\\n")
    >>> X, y = load_fake_accounts(folder)
    >>> X[["n_posts", "n_following", "is_private", "bio_length"]]
       n_posts  n_following  is_private  bio_length
    0      0.0       4000.0         0.0         NaN
    1    120.0        300.0         1.0         NaN
    >>> X.attrs["source"]
    'srf'
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
    # provenance is metadata, not a column: X goes straight into FakeFollowerDetector
    X.attrs["source"] = kind
    X.attrs["source_files"] = [str(f) for f in files]
    y = np.concatenate(labels).astype(np.int64)
    return X, y
