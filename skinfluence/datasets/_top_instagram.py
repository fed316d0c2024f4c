"""load_top_instagram: the top Instagram accounts table.

Reading is strict: a value that does not fit the documented schema raises a
:class:`~skinfluence.exceptions.DataLoadError` naming the file, the column, the
line and what was expected (see ``docs/real_data.md``).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..exceptions import DataLoadError
from ._readers import (
    _PERCENT_PATTERN,
    _counts,
    _fail,
    _flags,
    _missing_mask,
    _numbers,
    _read_csv,
    _single_file,
    _strings,
)

__all__ = ["load_top_instagram"]

_MAX_SHOWN = 5


_TOP_INSTAGRAM_COLUMNS = (
    "rank", "channel_info", "influence_score", "posts", "followers", "avg_likes",
    "60_day_eng_rate", "new_post_avg_like", "total_likes", "country",
)


def load_top_instagram(path: str | os.PathLike) -> pd.DataFrame:
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
    >>> from skinfluence.datasets import load_top_instagram
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
