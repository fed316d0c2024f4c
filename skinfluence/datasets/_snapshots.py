"""load_influencer_snapshots: monthly "top 1000" lists of one platform, nested per account.

The Kaggle "Top 1000 Social Media Influencers" tables (2022) come as one CSV file
per platform and snapshot: an undated first release, then June, September,
November and December 2022. Their headers differ between snapshots, repeat
(an abbreviated ``"13.8M"`` column beside its numeric twin ``13800000``), carry
stray spaces and line breaks, and sometimes mislabel a column (the June
Instagram ``Views avg.`` column holds the audience country). So the reader is
header-agnostic: each known file layout is one row of :data:`_LAYOUTS`, which
says what every column *position* holds; the header of the file is only
compared (normalised) with the layout's, and a file whose header matches no
layout raises, naming the file and the first differing column.

Reading is strict, as in the other loaders: a number that does not parse raises
a :class:`~skinfluence.exceptions.DataLoadError` naming the file, column and line.
See ``docs/emerging.md``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataLoadError
from ..nested import nest_posts
from ._readers import _COUNT_EXPECTED, _as_path, _existing, _parse_count_strings, _read_records

__all__ = ["load_influencer_snapshots", "SNAPSHOT_FIELDS", "UNDATED_RELEASE_DATE"]

#: The date given to the undated first release by default, estimated from the data
#: (``docs/emerging.md``): the accounts it shares with the June and September lists
#: grew from it to June by 5.7 (Instagram), 4.0 (TikTok) and 2.7 (YouTube) times their
#: median monthly June-September log growth, i.e. it is 2.7 to 5.7 months older than
#: June; the mean, 4.1 months, puts it in mid-February 2022.
UNDATED_RELEASE_DATE = "2022-02-15"

# snapshot label in the file name -> date (the files name a month only: the 15th is used)
_MONTHS = {"june": "2022-06-15", "sep": "2022-09-15", "nov": "2022-11-15", "dec": "2022-12-15"}

#: Fields of each nested snapshot, per platform (besides ``date``, ``rank``,
#: ``followers_rank``, ``followers``, ``engagement``, ``country`` and ``category``).
SNAPSHOT_FIELDS: dict[str, tuple[str, ...]] = {
    "instagram": ("authentic_engagement", "avg_engagement"),
    "tiktok": ("avg_views", "avg_likes", "avg_comments", "avg_shares"),
    "youtube": ("avg_views", "avg_likes", "avg_comments"),
}

# Roles of the columns. A numeric role with a "#" suffix is the numeric twin of the
# abbreviated column of the same role; "category2" is a second category (kept only
# when the first is empty); "-" is a column that is read but not used.
_L = {
    ("instagram", "undated"): (
        ("influencer insta name", "handle"), ("instagram name", "name"),
        ("category_1", "category"), ("category_2", "category2"), ("followers", "followers"),
        ("followers numbers", "followers#"), ("audience country(mostly)", "country"),
        ("authentic engagement", "authentic_engagement"),
        ("authentic engagement values", "authentic_engagement#"),
        ("engagement avg", "avg_engagement"), ("engagement avg values", "avg_engagement#")),
    # the June file's "views avg." holds the country, "likes avg" and "comments avg." the
    # authentic and average engagement (same magnitudes as the other Instagram lists)
    ("instagram", "june"): (
        ("instagram name", "handle"), ("influencer name", "name"), ("category_1", "category"),
        ("category_2", "category2"), ("subscribers count", "followers"),
        ("subscribers count", "followers#"), ("views avg.", "country"),
        ("likes avg", "authentic_engagement"), ("likes avg", "authentic_engagement#"),
        ("comments avg.", "avg_engagement"), ("comments avg.", "avg_engagement#")),
    ("instagram", "sep"): (
        ("s.no", "rank"), ("instagram name", "handle"), ("name", "name"),
        ("subscribers", "followers"), ("subscribers", "followers#"), ("audience country", "country"),
        ("authentic engagement", "authentic_engagement"),
        ("authentic engagement values", "authentic_engagement#"),
        ("engagement average", "avg_engagement"), ("engagement average values", "avg_engagement#"),
        ("category_1", "category"), ("category_2", "category2")),
    ("instagram", "nov"): (
        ("s.no", "rank"), ("name", "handle"), ("instagram name", "name"), ("category-1", "category"),
        ("followers", "followers"), ("followers", "followers#"), ("country", "country"),
        ("eng. (auth.)", "authentic_engagement"), ("eng. (auth.)", "authentic_engagement#"),
        ("eng. (avg.)", "avg_engagement"), ("eng. (avg.)", "avg_engagement#"),
        ("category-2", "category2")),
    ("instagram", "dec"): (
        ("rank", "rank"), ("name", "handle"), ("instagram name", "name"), ("category_1", "category"),
        ("category_2", "category2"), ("followers", "followers"), ("followers", "followers#"),
        ("country", "country"), ("eng. (auth.)", "authentic_engagement"),
        ("eng. (auth.)", "authentic_engagement#"), ("eng. (avg.)", "avg_engagement"),
        ("eng. (avg.)", "avg_engagement#")),
    ("tiktok", "undated"): (
        ("tiktoker name", "handle"), ("tiktok name", "name"), ("subscribers count", "followers"),
        ("subscribers count", "followers#"), ("views avg.", "avg_views"), ("views avg.", "avg_views#"),
        ("likes avg", "avg_likes"), ("likes avg", "avg_likes#"), ("comments avg.", "avg_comments"),
        ("comments avg.", "avg_comments#"), ("shares avg", "avg_shares"), ("shares avg", "avg_shares#")),
    ("tiktok", "june"): (
        ("tiktoker", "handle"), ("influencer name", "name"), ("subscribers count", "followers"),
        ("subscribers count", "followers#"), ("views avg.", "avg_views"), ("views avg.", "avg_views#"),
        ("likes avg", "avg_likes"), ("likes avg", "avg_likes#"), ("comments avg.", "avg_comments"),
        ("comments avg.", "avg_comments#"), ("shares avg", "avg_shares"), ("shares avg", "avg_shares#")),
    ("tiktok", "sep"): (
        ("s.no", "rank"), ("tiktoker name", "handle"), ("tiktok name", "name"),
        ("subscribers", "followers"), ("subscribers", "followers#"), ("views avg.", "avg_views"),
        ("views avg.", "avg_views#"), ("likes avg.", "avg_likes"), ("likes avg.", "avg_likes#"),
        ("comments avg.", "avg_comments"), ("comments avg.", "avg_comments#"),
        ("shares avg.", "avg_shares"), ("shares avg.", "avg_shares#")),
    ("tiktok", "nov"): (
        ("row-cell", "rank"), ("tiktoker name", "handle"), ("tiktok name", "name"),
        ("followers", "followers"), ("views (avg.)", "avg_views"), ("likes (avg.)", "avg_likes"),
        ("comments (avg.)", "avg_comments"), ("shares (avg.)", "avg_shares")),
    ("tiktok", "dec"): (
        ("rank", "rank"), ("tiktoker name", "handle"), ("tiktok name", "name"),
        ("followers", "followers"), ("views(avg)", "avg_views"), ("views(avg)", "avg_views#"),
        ("likes(avg.)", "avg_likes"), ("likes(avg.)", "avg_likes#"), ("comments(avg.)", "avg_comments"),
        ("comments(avg.)", "avg_comments#"), ("shares(avg.)", "avg_shares"),
        ("shares(avg.)", "avg_shares#")),
    ("youtube", "undated"): (
        ("youtuber name", "handle"), ("channel name", "name"), ("category", "category"),
        ("subscribers", "followers"), ("subscribers", "followers#"), ("audience country", "country"),
        ("avg views", "avg_views"), ("avg views", "avg_views#"), ("avg likes", "avg_likes"),
        ("avg likes", "avg_likes#"), ("avg comments", "avg_comments"),
        ("avg comments", "avg_comments#")),
    # June: "channel name" holds the handle and "youtuber" the display name (swapped)
    ("youtube", "june"): (
        ("channel name", "handle"), ("youtuber", "name"), ("category", "category"),
        ("category_2", "category2"), ("subscribers count", "followers"),
        ("subscribers count", "followers#"), ("country", "country"), ("views avg.", "avg_views"),
        ("views avg.", "avg_views#"), ("likes avg", "avg_likes"), ("likes avg", "avg_likes#"),
        ("comments avg.", "avg_comments"), ("comments avg.", "avg_comments#")),
    # September: no views; "category_2" holds the first category, "category_3" the second
    ("youtube", "sep"): (
        ("s.no", "rank"), ("name", "name"), ("youtuber", "handle"), ("country", "country"),
        ("subscribers", "followers"), ("subscribers", "followers#"), ("category_2", "category"),
        ("avg. likes", "avg_likes"), ("avg. likes", "avg_likes#"), ("avg comments", "avg_comments"),
        ("avg comments", "avg_comments#"), ("category_3", "category2")),
    ("youtube", "nov"): (
        ("s.no", "rank"), ("youtube channel", "handle"), ("youtuber name", "name"),
        ("category", "category"), ("followers", "followers"), ("followers", "followers#"),
        ("country", "country"), ("views (avg.)", "avg_views"), ("views (avg.)", "avg_views#"),
        ("likes (avg.)", "avg_likes"), ("likes (avg.)", "avg_likes#"),
        ("comments (avg.)", "avg_comments"), ("comments (avg.)", "avg_comments#"),
        ("category-2", "category2")),
}
_L[("youtube", "dec")] = _L[("youtube", "nov")]
_LAYOUTS = _L

_PLATFORMS = ("instagram", "tiktok", "youtube")
# cells that mean "no value" in these files (spreadsheet errors included)
_MISSING = {"", "-", "n/a", "n/a'", "#valor!", "#value!", "#n/a", "nan"}
_MAX_SHOWN = 5


def _normalise_header(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def _handle_key(values: pd.Series) -> pd.Series:
    """The account key of a handle: surrounding whitespace removed, inner runs collapsed, casefolded."""
    return values.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()


def _snapshot_of(path: Path, platform: str) -> str | None:
    """The snapshot label of a file name (None when the file is not of ``platform``)."""
    name = path.name.lower()
    if path.suffix.lower() != ".csv" or platform not in name:
        return None
    for label in _MONTHS:
        if re.search(rf"(?<![a-z]){label}", name):
            return label
    return "undated"


def _check_layout(path: Path, header: list[str], layout) -> None:
    found = [_normalise_header(h) for h in header]
    expected = [name for name, _ in layout]
    if found == expected:
        return
    if len(found) != len(expected):
        raise DataLoadError(
            f"{path}: line 1: the header has {len(found)} columns, expected the {len(expected)} of this "
            f"snapshot's layout {expected}; the file may be of another snapshot or platform"
        )
    i = next(i for i, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b)
    raise DataLoadError(
        f"{path}: line 1, column {i + 1}: header {header[i]!r} where the layout of this snapshot has "
        f"{expected[i]!r}; expected the header {expected}"
    )


def _missing(strings: pd.Series) -> np.ndarray:
    return strings.isna().to_numpy(dtype=bool) | strings.str.strip().str.lower().isin(_MISSING).to_numpy()


def _parse_numbers(strings: pd.Series, path, header: str, position: int, lines) -> np.ndarray:
    missing = _missing(strings)
    values, bad, _ = _parse_count_strings(strings.where(~missing, ""))
    if bad.any():
        rows = np.flatnonzero(bad)
        more = f" ({len(rows) - 1} more bad value(s) in this column)" if len(rows) > 1 else ""
        raise DataLoadError(
            f"{path}: column {position + 1} ({header!r}), line {lines[rows[0]]}: cannot parse "
            f"{strings.iloc[rows[0]]!r}; expected {_COUNT_EXPECTED}, or one of the missing-value "
            f"marks {sorted(m for m in _MISSING if m)}{more}"
        )
    return values


def _read_snapshot(path: Path, platform: str, label: str, date: pd.Timestamp) -> tuple[pd.DataFrame, dict]:
    layout = _LAYOUTS[(platform, label)]
    records, lines = _read_records(path)  # header-agnostic: repeated names are fine here
    header, body, lines = records[0], records[1:], lines[1:]
    _check_layout(path, header, layout)
    width = len(layout)
    wrong = [i for i, r in enumerate(body) if len(r) != width]
    if wrong:
        raise DataLoadError(
            f"{path}: line {lines[wrong[0]]}: found {len(body[wrong[0]])} fields, expected {width} (as in "
            f"the header){f'; {len(wrong) - 1} more such line(s)' if len(wrong) > 1 else ''}"
        )
    raw = pd.DataFrame(body, columns=range(width), dtype=object).astype(str)
    line_no = np.asarray(lines, dtype=np.int64)
    blank = raw.apply(lambda c: c.str.strip() == "").all(axis=1).to_numpy()
    raw, line_no = raw[~blank].reset_index(drop=True), line_no[~blank]
    roles = {role: i for i, (_, role) in enumerate(layout)}
    out: dict[str, object] = {}

    handle_pos = roles["handle"]
    handle = raw[handle_pos].str.replace(r"\s+", " ", regex=True).str.strip()
    empty = (handle == "").to_numpy()
    if empty.any():
        rows = np.flatnonzero(empty)
        raise DataLoadError(
            f"{path}: column {handle_pos + 1} ({header[handle_pos].strip()!r}), line {line_no[rows[0]]}: "
            f"the handle is empty; expected the account's handle on every non-blank line"
        )
    out["handle"] = handle
    out["name"] = raw[roles["name"]].str.strip()

    def numbers(role):
        pos = roles[role]
        return _parse_numbers(raw[pos], path, header[pos].strip(), pos, line_no)

    n_twin_disagree = 0
    numeric_roles = ["followers", *SNAPSHOT_FIELDS[platform]]
    for role in numeric_roles:
        if role not in roles:  # e.g. September YouTube has no views
            out[role] = np.full(len(raw), np.nan)
            continue
        abbreviated = numbers(role)
        if f"{role}#" in roles:
            exact = numbers(f"{role}#")
            # the abbreviation rounds to 3-4 significant digits: twins agree within 1 %
            both = ~np.isnan(exact) & ~np.isnan(abbreviated)
            n_twin_disagree += int((np.abs(exact[both] - abbreviated[both])
                                    > 0.01 * np.maximum(abbreviated[both], 1.0)).sum())
            out[role] = np.where(np.isnan(exact), abbreviated, exact)
        else:
            out[role] = abbreviated
    if "rank" in roles:
        out["rank"] = numbers("rank")
    else:
        out["rank"] = np.full(len(raw), np.nan)
    for role in ("country", "category", "category2"):
        if role in roles:
            text = raw[roles[role]].str.strip()
            out[role] = text.where(~_missing(text))
        else:
            out[role] = pd.Series([np.nan] * len(raw), dtype=object)
    frame = pd.DataFrame(out)
    frame["category"] = frame["category"].fillna(frame.pop("category2"))
    frame["line"] = line_no
    frame["account_id"] = _handle_key(frame["handle"])

    # duplicated rows: a line repeating an earlier one (all but the rank equal) is dropped;
    # a handle listed twice with different values keeps its best-ranked line (the first
    # line when the list has no rank column) -- both counted in the attrs
    order = np.lexsort((frame["line"].to_numpy(), frame["rank"].fillna(np.inf).to_numpy()))
    frame = frame.iloc[order]
    content = [c for c in frame.columns if c not in ("rank", "line")]
    exact_dup = frame.duplicated(subset=content, keep="first").to_numpy()
    frame = frame[~exact_dup]
    conflicting = frame.duplicated(subset=["account_id"], keep="first").to_numpy()
    frame = frame[~conflicting].sort_values("line", kind="stable").reset_index(drop=True)

    followers = frame["followers"].to_numpy()
    frame["followers_rank"] = pd.Series(-followers).rank(method="min", na_option="keep").to_numpy()
    eng_parts = {"instagram": ["avg_engagement"], "tiktok": ["avg_likes", "avg_comments", "avg_shares"],
                 "youtube": ["avg_likes", "avg_comments"]}[platform]
    frame["engagement"] = frame[eng_parts].sum(axis=1, min_count=len(eng_parts))
    frame["date"] = date
    frame["snapshot"] = label
    stats = {"file": str(path), "snapshot": label, "date": date, "n_lines": len(body),
             "n_blank_lines_dropped": int(blank.sum()), "n_duplicate_lines_dropped": int(exact_dup.sum()),
             "n_conflicting_duplicates_dropped": int(conflicting.sum()),
             "n_twin_disagreements": n_twin_disagree, "n_accounts": len(frame)}
    return frame, stats


def load_influencer_snapshots(
    path: str | os.PathLike,
    platform: str,
    *,
    undated_date: str | pd.Timestamp | None = UNDATED_RELEASE_DATE,
) -> pd.DataFrame:
    """Load every monthly "top 1000" snapshot of one platform, nested per account.

    Reads the Kaggle "Top 1000 Social Media Influencers" files (2022) of
    ``platform`` in the folder ``path``: an undated first release and the June,
    September, November and December 2022 lists. One row per account (the
    handle, matched across snapshots), with its snapshots nested in a
    ``snapshots`` column the way posts are nested in ``posts``: one record per
    list the account is in, sorted by date. An account missing from a list is
    simply not in it there (these are top-1000 lists: absence means "not
    observed", never zero followers).

    Rules applied (``docs/emerging.md``):

    * **Header-agnostic.** Each file's columns are read by position, from the
      known layout of its snapshot; the header is only checked against it
      (after lower-casing and collapsing whitespace). Mislabelled columns are
      read as what they hold (June Instagram's ``Views avg.`` is the country,
      its ``Likes avg``/``Comments avg.`` are the authentic and average
      engagement; June YouTube's ``channel name`` is the handle).
    * **Twins.** Where a count comes twice (``"13.8M"`` and ``13800000``) the
      numeric twin is used and the abbreviated one fills its gaps; they agree
      within 1 % (disagreements are counted in ``attrs``). ``N/A``, ``N/A'``,
      ``#VALOR!``, ``-`` and empty cells are missing.
    * **Handles.** Matched across snapshots by ``account_id``: the handle with
      whitespace runs collapsed, stripped and casefolded.
    * **Duplicates.** Blank lines are dropped; a line repeating an earlier one
      (all fields equal but the rank) is dropped; a handle listed twice with
      different values keeps its best-ranked line (the first line where the
      list has no rank). All are counted per file in ``attrs["files"]``.
    * **Dates.** A snapshot file names its month only: it is dated the 15th
      (UTC). The undated first release is dated ``undated_date``
      (:data:`UNDATED_RELEASE_DATE`, estimated from the data) or left out
      with ``undated_date=None``.
    * **Ranks.** ``rank`` is the list's own rank (NaN in the lists that have
      none: the undated and June lists); ``followers_rank`` ranks the list by
      followers (1 = most; ties share the best rank) and is always present.

    Parameters
    ----------
    path : str or path-like
        Folder holding the CSV files (e.g. ``../shared/data/social_media_influencers_2022``).
    platform : {"instagram", "tiktok", "youtube"}
        Which platform's lists to read.
    undated_date : str, Timestamp or None, default=UNDATED_RELEASE_DATE
        Date of the undated first release; None leaves it out.

    Returns
    -------
    frame : DataFrame of shape (n_accounts, 4)
        ``account_id`` (str), ``handle`` and ``name`` (as written in the
        account's first snapshot) and ``snapshots``: a list of records with
        ``date`` (timestamp, UTC), ``snapshot`` (``"undated"``, ``"june"``,
        ...), ``rank``, ``followers_rank``, ``followers``, ``engagement``
        (Instagram: the average engagement; TikTok: average likes + comments +
        shares; YouTube: average likes + comments), the platform's own averages
        (:data:`SNAPSHOT_FIELDS`), ``country`` and ``category``. Accounts in
        order of first appearance. ``attrs["files"]`` holds one dict per file
        read (its snapshot, date and the counts of dropped lines);
        ``attrs["calendar"]`` the snapshot dates.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When the folder holds no file of the platform, two files of one
        snapshot, a file whose header is not its snapshot's layout, or a value
        that cannot be parsed (the message names the file, column and line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets import load_influencer_snapshots
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "social media influencers-TIKTOK - ---DEC 2022.csv").write_text(
    ...     "Rank,Tiktoker name,Tiktok name,followers,views(avg),views(avg),likes(avg.),likes(avg.),"
    ...     "comments(avg.),comments(avg.),shares(avg.),shares(avg.)\\n"
    ...     "1,MrBeast,MrBeast,60.3M,29.2M,29200000,3.5M,3500000,30.8K,30800,7.2K,7200\\n"
    ...     "2,karolg,Karol G,42.4M,23.7M,23700000,3.4M,3400000,21.7K,21700,25.7K,25700\\n")
    >>> _ = (folder / "social media influencers-tiktok - ---nov 2022.csv").write_text(
    ...     "row-cell,Tiktoker name,Tiktok name,Followers,Views (Avg.),Likes (Avg.),"
    ...     "Comments (Avg.),Shares (Avg.)\\n,,,,,,,\\n1,mrbeast ,MrBeast,58.1M,26.8M,2.2M,30.1K,7.2K\\n")
    >>> frame = load_influencer_snapshots(folder, "tiktok")
    >>> frame[["account_id", "name"]]
      account_id     name
    0    mrbeast  MrBeast
    1     karolg  Karol G
    >>> [(s["snapshot"], s["followers"], s["rank"]) for s in frame["snapshots"][0]]
    [('nov', 58100000.0, 1.0), ('dec', 60300000.0, 1.0)]
    >>> [s["snapshot"] for s in frame["snapshots"][1]]
    ['dec']
    """
    if platform not in _PLATFORMS:
        raise DataLoadError(
            f"load_influencer_snapshots: platform must be one of {list(_PLATFORMS)}; got {platform!r}"
        )
    folder = _existing(_as_path(path))
    if not folder.is_dir():
        raise DataLoadError(f"{folder}: expected the folder holding the snapshot CSV files, got a file")
    files: dict[str, Path] = {}
    for file in sorted(folder.iterdir()):
        label = _snapshot_of(file, platform)
        if label is None:
            continue
        if label in files:
            raise DataLoadError(
                f"{folder}: two files of the {label!r} {platform} snapshot: {files[label].name!r} and "
                f"{file.name!r}; keep one per snapshot"
            )
        files[label] = file
    if undated_date is None:
        files.pop("undated", None)
    if not files:
        raise DataLoadError(
            f"{folder}: no {platform} snapshot file (a .csv file whose name contains {platform!r}, "
            f"case-insensitive); the folder holds {sorted(p.name for p in folder.iterdir())[:_MAX_SHOWN]}"
        )
    dates = {label: pd.Timestamp(undated_date if label == "undated" else _MONTHS[label], tz="UTC")
             for label in files}
    if len(set(dates.values())) != len(dates):
        raise DataLoadError(
            f"load_influencer_snapshots: undated_date={undated_date!r} is the date of another snapshot; "
            "give a date of its own (or None to leave the undated release out)"
        )
    parts, stats = [], []
    for label in sorted(files, key=dates.get):
        frame, info = _read_snapshot(files[label], platform, label, dates[label])
        parts.append(frame)
        stats.append(info)
    flat = pd.concat(parts, ignore_index=True)
    first = flat.drop_duplicates("account_id", keep="first")
    profiles = pd.DataFrame({
        "account_id": first["account_id"].to_numpy(dtype=object).astype(str),
        "handle": first["handle"].to_numpy(dtype=object),
        "name": first["name"].to_numpy(dtype=object),
    })
    fields = ["date", "snapshot", "rank", "followers_rank", "followers", "engagement",
              *SNAPSHOT_FIELDS[platform], "country", "category"]
    snaps = flat[["account_id", *fields]].copy()
    for column in ("snapshot", "country", "category"):
        snaps[column] = snaps[column].astype(object).where(snaps[column].notna(), None)
    order = np.argsort(snaps["date"].to_numpy(), kind="stable")
    out = nest_posts(profiles, snaps.iloc[order].reset_index(drop=True), on="account_id",
                     posts_column="snapshots")
    out.attrs["files"] = stats
    out.attrs["calendar"] = sorted(dates.values())
    out.attrs["platform"] = platform
    return out
