"""load_tiktok_videos: TikTok videos of many creators, nested per creator.

Reading is strict: a value that does not fit the documented schema raises a
:class:`~skinfluence.exceptions.DataLoadError` naming the file, the column, the
line and what was expected (see ``docs/real_data.md``).
"""

from __future__ import annotations

import ast
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..exceptions import DataLoadError
from ._readers import (
    _as_path,
    _as_text,
    _existing,
    _fail,
    _flags,
    _missing_mask,
    _numbers,
    _read_csv,
    _strings,
)

__all__ = ["load_tiktok_videos"]

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


def load_tiktok_videos(
    path: str | os.PathLike | Sequence[str | os.PathLike],
) -> pd.DataFrame:
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
    >>> from skinfluence.datasets import load_tiktok_videos
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
