"""Tests of the real-data loaders.

Two kinds: tests on tiny files written to ``tmp_path`` (CRLF, BOM, abbreviated
numbers, repeated header rows, bad values), which always run, and tests on the
real data sets of ``../shared/data`` (marked ``shared_data``; skipped when the
folder is absent). No content of the real data sets is copied here.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import skinfluence
from skinfluence.datasets import (
    FAKE_ACCOUNT_COLUMNS,
    PEERINDEX_FEATURES,
    load_fake_accounts,
    load_peerindex,
    load_tiktok_videos,
    load_top_instagram,
    parse_count,
)
from skinfluence.exceptions import DataLoadError

# text columns: pandas' default string dtype ('str' on pandas 3, object on pandas 2)
TEXT_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def write(path, lines, *, crlf=False, bom=False):
    """Write CSV lines (a list of str) to path; return the path."""
    eol = "\r\n" if crlf else "\n"
    text = eol.join(lines) + eol
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return path


# ------------------------------------------------------------------------ parse_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.3k", 3300.0),
        ("8.7m", 8_700_000.0),
        ("29.0b", 29_000_000_000.0),
        ("1,234", 1234.0),
        ("1,234,567.5", 1_234_567.5),
        ("  12 ", 12.0),
        ("0.89K", 890.0),
        ("3.3 k", 3300.0),
        ("0", 0.0),
        ("475.8", 475.8),
        ("1e3", 1000.0),
        (".5k", 500.0),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_parse_count_scalar(text, expected):
    value = parse_count(text)
    assert isinstance(value, float)
    assert value == expected  # exact: "3.3k" is the decimal 3.3e3, not 3.3 * 1000


@pytest.mark.parametrize("missing", ["", "   ", None, np.nan, pd.NA])
def test_parse_count_missing_is_nan(missing):
    assert np.isnan(parse_count(missing))


def test_parse_count_collections():
    out = parse_count(["3.3k", "", None, 12, " 8.7M "])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [3300.0, np.nan, np.nan, 12.0, 8.7e6])
    # missing values of text Series stay missing whatever their spelling and dtype
    text = pd.Series(["1k", None, np.nan, pd.NA, "2"], dtype=object)
    np.testing.assert_array_equal(parse_count(text), [1000.0, np.nan, np.nan, np.nan, 2.0])
    for dtype in (TEXT_DTYPE, pd.StringDtype()):
        text = pd.Series(["1k", None, " 2 "], dtype=dtype)
        np.testing.assert_array_equal(parse_count(text), [1000.0, np.nan, 2.0])

    series = pd.Series(["1k", "2"], index=["x", "y"], name="followers")
    parsed = parse_count(series)
    assert isinstance(parsed, pd.Series) and parsed.dtype == np.float64
    assert parsed.name == "followers" and list(parsed.index) == ["x", "y"]
    assert parsed.tolist() == [1000.0, 2.0]

    numeric = parse_count(np.array([1, 2, 3]))
    assert numeric.dtype == np.float64 and numeric.tolist() == [1.0, 2.0, 3.0]
    assert parse_count([]).shape == (0,)


@pytest.mark.parametrize("bad", ["abc", "-5", "1,2", "inf", "nan", "1.2x", "12 k m", "1..2"])
def test_parse_count_rejects(bad):
    with pytest.raises(DataLoadError, match=r"cannot parse .* at position 1"):
        parse_count(["1", bad, "2"])


def test_parse_count_error_names_index_and_is_value_error():
    with pytest.raises(ValueError, match=r"'oops' at position 1 \(index 'b'\)"):
        parse_count(pd.Series(["1", "oops"], index=["a", "b"]))
    with pytest.raises(DataLoadError, match="position 0"):
        parse_count(np.array([-1.0, 2.0]))
    with pytest.raises(DataLoadError, match="one-dimensional"):
        parse_count(np.zeros((2, 2)))


# -------------------------------------------------------------------------- PeerIndex

PEER_HEADER = ["Choice"] + [f"{s}_{f}" for s in "AB" for f in PEERINDEX_FEATURES]


def peer_row(choice="1", start=0):
    return ",".join([choice] + [str(start + i + 0.5) for i in range(22)])


def test_peerindex_tmp_crlf_bom_repeated_header(tmp_path):
    path = write(
        tmp_path / "train.csv",
        [",".join(PEER_HEADER), peer_row("1"), ",".join(PEER_HEADER), peer_row("0", 10)],
        crlf=True, bom=True,
    )
    frame = load_peerindex(tmp_path)  # folder -> train.csv
    assert frame.shape == (2, 23)
    assert list(frame.columns) == PEER_HEADER[1:] + ["Choice"]
    assert (frame.drop(columns="Choice").dtypes == np.float64).all()
    assert frame["Choice"].dtype == np.int64 and frame["Choice"].tolist() == [1, 0]
    assert frame["A_follower_count"].tolist() == [0.5, 10.5]
    assert frame.attrs["n_repeated_header_rows_dropped"] == 1

    X, y = load_peerindex(path, return_X_y=True)
    assert X.shape == (2, 22) and "Choice" not in X
    assert isinstance(y, np.ndarray) and y.dtype == np.int64


def test_peerindex_unlabelled(tmp_path):
    path = write(tmp_path / "test.csv", [",".join(PEER_HEADER[1:]), peer_row()[2:]])
    frame = load_peerindex(path)
    assert frame.shape == (1, 22) and "Choice" not in frame
    with pytest.raises(DataLoadError, match=r"test\.csv.*'Choice'.*return_X_y=False"):
        load_peerindex(path, return_X_y=True)


def test_peerindex_bad_value_names_file_column_line(tmp_path):
    lines = [",".join(PEER_HEADER), peer_row(), peer_row()]
    cells = lines[2].split(",")
    cells[PEER_HEADER.index("B_posts")] = "abc"
    lines[2] = ",".join(cells)
    path = write(tmp_path / "train.csv", ["", *lines], crlf=True)  # blank first line
    with pytest.raises(DataLoadError, match=r"train\.csv: column 'B_posts', line 4: cannot parse 'abc'"):
        load_peerindex(path)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("A_listed_count", "-3", r"column 'A_listed_count', line 2: negative value '-3'"),
        ("Choice", "2", r"column 'Choice', line 2: label '2'; expected 0 or 1"),
        ("Choice", "", r"column 'Choice', line 2: the value is empty"),
        ("A_posts", "1.5k", r"column 'A_posts', line 2: cannot parse '1.5k'"),
    ],
)
def test_peerindex_invalid_values(tmp_path, column, value, message):
    cells = peer_row().split(",")
    cells[PEER_HEADER.index(column)] = value
    path = write(tmp_path / "train.csv", [",".join(PEER_HEADER), ",".join(cells)])
    with pytest.raises(DataLoadError, match=message):
        load_peerindex(path)


def test_peerindex_empty_feature_is_nan(tmp_path):
    cells = peer_row().split(",")
    cells[PEER_HEADER.index("B_mentions_sent")] = ""
    path = write(tmp_path / "train.csv", [",".join(PEER_HEADER), ",".join(cells)])
    assert np.isnan(load_peerindex(path)["B_mentions_sent"].iloc[0])


def test_peerindex_header_and_shape_errors(tmp_path):
    header = [c for c in PEER_HEADER if c != "B_posts"]
    path = write(tmp_path / "a.csv", [",".join(header), "1," + ",".join(["1"] * 21)])
    with pytest.raises(DataLoadError, match=r"a\.csv: line 1: .*missing \['B_posts'\]"):
        load_peerindex(path)
    path = write(tmp_path / "b.csv", [",".join(PEER_HEADER), peer_row(), "1,2,3"])
    with pytest.raises(DataLoadError, match=r"b\.csv: line 3: found 3 fields, expected 23"):
        load_peerindex(path)
    with pytest.raises(DataLoadError, match="no 'train.csv'"):
        load_peerindex(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_peerindex(tmp_path / "nowhere.csv")


# ---------------------------------------------------------------------------- TikTok

TT_HEADER = ("id,create_time,user_name,hashtags,song,video_length,n_likes,n_shares,"
             "n_comments,n_plays,n_followers,n_total_likes,n_total_vids")


def tt(vid, t, user, tags="[]", song="s", length=10, likes=5, shares=1, comments=2, plays=100,
       followers=50, total_likes=900, total_vids=3):
    return ",".join(str(v) for v in (vid, t, user, tags, song, length, likes, shares, comments,
                                     plays, followers, total_likes, total_vids))


def test_tiktok_tmp_dedupe_profiles_and_order(tmp_path):
    # file a: an early crawl; file b (read second) a later crawl of 'ann' with more plays
    write(tmp_path / "a.csv", [
        TT_HEADER,
        tt(3, 1_600_000_300, "ann", '"[\'fyp\', \'dance\']"', plays=100, total_likes=900),
        tt(1, 1_600_000_100, "ann", plays=10, total_likes=900),
        tt(9, 1_600_000_000, "bob", '"[\'x\\xa0y\', ""it\'s""]"', song="", likes="",
           followers=0, total_likes=5, total_vids=1),
    ], crlf=True, bom=True)
    write(tmp_path / "b.csv", [
        TT_HEADER,
        tt(3, 1_600_000_300, "ann", '"[\'fyp\', \'dance\']"', plays=150, total_likes=950,
           followers=60, total_vids=4),
        tt(2, 1_600_000_200, "ann", plays=20, total_likes=950, followers=60, total_vids=4),
        TT_HEADER,
    ])
    frame = load_tiktok_videos(tmp_path)
    skinfluence.validate_account_frame(frame, required_post_fields=["likes", "views", "timestamp"])
    assert list(frame.columns) == ["account_id", "followers", "total_likes", "n_posts", "posts"]
    assert frame["account_id"].tolist() == ["ann", "bob"]
    # profile rule: the row with the largest total likes (the later crawl)
    assert frame["followers"].tolist() == [60.0, 0.0]
    assert frame["total_likes"].tolist() == [950.0, 5.0]
    assert frame["n_posts"].tolist() == [4.0, 1.0]
    assert frame.attrs["n_video_rows"] == 5
    assert frame.attrs["n_duplicate_video_rows_dropped"] == 1
    assert frame.attrs["n_creators_with_conflicting_profiles"] == 1
    assert frame.attrs["n_repeated_header_rows_dropped"] == 1

    posts = skinfluence.unnest_posts(frame)
    ann = posts[posts["account_id"] == "ann"]
    assert ann["post_id"].tolist() == ["1", "2", "3"]  # oldest first
    assert ann["views"].tolist() == [10.0, 20.0, 150.0]  # video 3: the copy with most plays
    assert ann["timestamp"].dt.tz is not None and str(ann["timestamp"].dt.tz) == "UTC"
    assert ann["timestamp"].iloc[0] == pd.Timestamp(1_600_000_100, unit="s", tz="UTC")
    assert list(ann["hashtags"].iloc[2]) == ["fyp", "dance"]
    assert list(ann["hashtags"].iloc[0]) == []
    bob = posts[posts["account_id"] == "bob"].iloc[0]
    assert list(bob["hashtags"]) == ["x\xa0y", "it's"]  # escape decoded, double quotes kept apart
    assert pd.isna(bob["song"]) and np.isnan(bob["likes"])  # empty cells stay missing

    struct = frame["posts"].dtype.pyarrow_dtype.value_type
    assert pa.types.is_timestamp(struct.field("timestamp").type)
    assert pa.types.is_list(struct.field("hashtags").type)
    assert struct.field("views").type == pa.float64()
    # the same Arrow types with pandas 2 and 3
    assert struct.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert struct.field("post_id").type == struct.field("song").type == pa.large_string()
    assert struct.field("hashtags").type == pa.list_(pa.string())
    assert frame["account_id"].dtype == TEXT_DTYPE


def test_tiktok_file_and_list_inputs(tmp_path):
    a = write(tmp_path / "a.csv", [TT_HEADER, tt(1, 1_600_000_000, "ann")])
    b = write(tmp_path / "b.csv", [TT_HEADER, tt(2, 1_600_000_000, "bob")])
    assert load_tiktok_videos(a)["account_id"].tolist() == ["ann"]
    frame = load_tiktok_videos([b, a])
    assert frame["account_id"].tolist() == ["ann", "bob"]
    assert frame.attrs["source_files"] == [str(b), str(a)]


def test_tiktok_empty_hashtag_cell_is_null(tmp_path):
    path = write(tmp_path / "a.csv", [TT_HEADER, tt(1, "", "ann", tags="")])
    post = skinfluence.unnest_posts(load_tiktok_videos(path)).iloc[0]
    assert post["hashtags"] is None  # missing, not an empty list
    assert pd.isna(post["timestamp"])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (tt(1, 1_600_000_000, "ann", tags='"[\'a\', b]"'),
         r"v\.csv: column 'hashtags', line 3: cannot parse"),
        (tt(1, 1_600_000_000, "ann", tags="__import__('os').getcwd()"),
         r"column 'hashtags', line 3: cannot parse"),
        (tt(1, 1_600_000_000, "ann", plays="1.2m"), r"column 'n_plays', line 3: cannot parse '1.2m'"),
        (tt(1, 1_600_000_000, "ann", likes=-4), r"column 'n_likes', line 3: negative value"),
        (tt(1, "yesterday", "ann"), r"column 'create_time', line 3: .*unix seconds"),
        (tt("", 1_600_000_000, "ann"), r"column 'id', line 3: the value is empty"),
        (tt(1, 1_600_000_000, ""), r"column 'user_name', line 3: the value is empty"),
        ("1,2,3", r"v\.csv: line 3: found 3 fields, expected 13"),
    ],
)
def test_tiktok_bad_values(tmp_path, row, message):
    path = write(tmp_path / "v.csv", [TT_HEADER, tt(5, 1_600_000_000, "zed"), row])
    with pytest.raises(DataLoadError, match=message):
        load_tiktok_videos(path)


def test_tiktok_schema_errors(tmp_path):
    path = write(tmp_path / "v.csv", [TT_HEADER.replace(",n_plays", ""), "1"])
    with pytest.raises(DataLoadError, match=r"v\.csv: line 1: missing column\(s\) \['n_plays'\]"):
        load_tiktok_videos(path)
    path = write(tmp_path / "w.csv", [TT_HEADER + ",extra", tt(1, 1, "a") + ",0"])
    with pytest.raises(DataLoadError, match=r"w\.csv: line 1: unexpected column\(s\) \['extra'\]"):
        load_tiktok_videos(path)
    write(tmp_path / "x.csv", [TT_HEADER, tt(1, 1, "ann")])
    write(tmp_path / "y.csv", [TT_HEADER, tt(1, 1, "bob")])
    with pytest.raises(DataLoadError, match=r"video '1' is attributed to different creators.*x\.csv line 2"):
        load_tiktok_videos([tmp_path / "x.csv", tmp_path / "y.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataLoadError, match=r"empty: folder holds no \*\.csv"):
        load_tiktok_videos(tmp_path / "empty")


# --------------------------------------------------------------------- top Instagram

TOP_HEADER = ("rank,channel_info,influence_score,posts,followers,avg_likes,60_day_eng_rate,"
              "new_post_avg_like,total_likes,country")


def test_top_instagram_tmp_quirks(tmp_path):
    path = write(tmp_path / "top.csv", [
        TOP_HEADER,
        "1,alpha,92,3.3k,475.8,8.7m,1.39%,6.5m,29.0b,Spain",
        TOP_HEADER,
        "2,beta,80,0.08k,33.2m,\" 1,100 \",NaN%,0,313.6m,",
        "3,gamma,75,10.0k,12,300.0K,0.07%,159.3k,3.0b,United States",
    ], crlf=True, bom=True)
    frame = load_top_instagram(path)
    assert list(frame.columns) == ["account_id", "rank", "influence_score", "n_posts", "followers",
                                   "avg_likes", "engagement_rate_60d", "new_post_avg_like",
                                   "total_likes", "country"]
    assert frame["account_id"].tolist() == ["alpha", "beta", "gamma"]
    assert frame["rank"].dtype == np.int64
    # bare followers are millions; suffixed ones are taken as written
    assert frame["followers"].tolist() == [475_800_000.0, 33_200_000.0, 12_000_000.0]
    assert frame["n_posts"].tolist() == [3300.0, 80.0, 10_000.0]
    assert frame["avg_likes"].tolist() == [8_700_000.0, 1100.0, 300_000.0]
    assert frame["total_likes"].tolist() == [29e9, 313.6e6, 3e9]
    rate = frame["engagement_rate_60d"]
    assert rate.iloc[0] == 0.0139 and np.isnan(rate.iloc[1]) and rate.iloc[2] == 0.0007
    assert frame["country"].isna().tolist() == [False, True, False]
    assert frame["country"].dtype == frame["account_id"].dtype == TEXT_DTYPE
    assert "posts" not in frame.columns
    numeric = frame.drop(columns=["account_id", "rank", "country"])
    assert (numeric.dtypes == np.float64).all()
    assert frame.attrs["n_repeated_header_rows_dropped"] == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2,b,80,1k,33,1m,1.39,1k,1b,", r"column '60_day_eng_rate', line 3: cannot parse '1.39'"),
        ("2,b,80,1k,33,lots,1%,1k,1b,", r"column 'avg_likes', line 3: cannot parse 'lots'"),
        ("2,b,80,1k,33x,1m,1%,1k,1b,", r"column 'followers', line 3: cannot parse '33x'"),
        ("two,b,80,1k,33,1m,1%,1k,1b,", r"column 'rank', line 3: cannot parse 'two'"),
        ("2,a,80,1k,33,1m,1%,1k,1b,", r"column 'channel_info': account 'a' appears on several lines \(2, 3\)"),
    ],
)
def test_top_instagram_errors(tmp_path, row, message):
    path = write(tmp_path / "top.csv", [TOP_HEADER, "1,a,90,1k,40,1m,1%,1k,1b,Spain", row])
    with pytest.raises(DataLoadError, match=r"top\.csv.*" + message):
        load_top_instagram(path)


def test_top_instagram_missing_column(tmp_path):
    path = write(tmp_path / "top.csv", [TOP_HEADER.replace(",country", ""), "1,a,90,1k,40,1m,1%,1k,1b"])
    with pytest.raises(DataLoadError, match=r"line 1: missing column\(s\) \['country'\]"):
        load_top_instagram(path)


# ------------------------------------------------------------------- fake accounts

KAGGLE_HEADER = ("profile pic,nums/length username,fullname words,nums/length fullname,"
                 "name==username,description length,external URL,private,#posts,#followers,"
                 "#follows,fake")
SRF_HEADER = ("rating,Number.of.posts,Number.of.people.they.follow,Number.of.followers,"
              "has_profile_picture,Private.account")


def instafake_record(fake, digits=2, length=8):
    return {"userFollowerCount": 10, "userFollowingCount": 900, "userBiographyLength": 0,
            "userMediaCount": 1, "userHasProfilPic": 1, "userIsPrivate": 0,
            "usernameDigitCount": digits, "usernameLength": length, "isFake": fake}


def test_fake_accounts_kaggle_tmp(tmp_path):
    path = write(tmp_path / "insta.csv", [
        KAGGLE_HEADER, "1,0.27,0,0,0,53,0,0,32,1000,955,0", "0,0.5,1,0.1,1,0,1,1,0,3,4000,1",
    ], crlf=True)
    X, y = load_fake_accounts(path)
    # provenance is in attrs, not a column (before: a 'source' column the detector refused)
    assert list(X.columns) == list(FAKE_ACCOUNT_COLUMNS)
    assert (X.dtypes == np.float64).all()
    assert X.attrs["source"] == "kaggle" and X.attrs["source_files"] == [str(path)]
    assert X.notna().all().all()
    assert X["username_digit_ratio"].tolist() == [0.27, 0.5]
    assert X["n_following"].tolist() == [955.0, 4000.0]
    assert y.dtype == np.int64 and y.tolist() == [0, 1]


def test_fake_accounts_srf_tmp_ignores_identifiers(tmp_path):
    header = "Profile.URL,Username," + SRF_HEADER
    path = write(tmp_path / "followers.csv", [
        header, "u1,n1,TRUE,0,198,177,TRUE,TRUE", "u2,n2,FALSE,30,272,174,FALSE,False",
    ])
    X, y = load_fake_accounts(path)
    assert y.tolist() == [1, 0]
    assert X.attrs["source"] == "srf"
    assert X["has_profile_pic"].tolist() == [1.0, 0.0]
    assert X["is_private"].tolist() == [1.0, 0.0]
    absent = ["username_digit_ratio", "fullname_words", "fullname_digit_ratio",
              "name_equals_username", "bio_length", "has_external_url"]
    assert X[absent].isna().all().all()
    assert X.drop(columns=absent).notna().all().all()


def test_fake_accounts_instafake_folder(tmp_path):
    (tmp_path / "fakeAccountData.json").write_text(json.dumps([instafake_record(1, 3, 12)]))
    (tmp_path / "realAccountData.json").write_text(
        json.dumps([instafake_record(0, 0, 9), instafake_record(0, 1, 4)]))
    (tmp_path / "SOURCE.md").write_text("ignored")
    X, y = load_fake_accounts(tmp_path)
    assert y.tolist() == [1, 0, 0]
    assert X["username_digit_ratio"].tolist() == [0.25, 0.0, 0.25]
    assert X.attrs["source"] == "instafake"
    absent = ["fullname_words", "fullname_digit_ratio", "name_equals_username", "has_external_url"]
    assert X[absent].isna().all().all()
    assert X.drop(columns=absent).notna().all().all()


def test_fake_accounts_errors(tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    write(mixed / "k.csv", [KAGGLE_HEADER, "1,0.27,0,0,0,53,0,0,32,1000,955,0"])
    (mixed / "f.json").write_text(json.dumps([instafake_record(1)]))
    with pytest.raises(DataLoadError, match=r"mixes files.*f\.json \(instafake\).*k\.csv \(kaggle\)"):
        load_fake_accounts(mixed)

    empty = write(tmp_path / "empty.csv", [])
    with pytest.raises(DataLoadError, match=r"empty\.csv: the file is empty \(no header line\); "
                                            r"expected a CSV file of the Kaggle set"):
        load_fake_accounts(empty)  # before: "unknown columns []"
    (tmp_path / "empty.json").write_text("")
    with pytest.raises(DataLoadError, match=r"empty\.json: the file is empty; expected a JSON array"):
        load_fake_accounts(tmp_path / "empty.json")  # before: "invalid JSON (Expecting value)"
    no_label = write(tmp_path / "no_label.csv", [KAGGLE_HEADER.rsplit(",", 1)[0],
                                                 "1,0.27,0,0,0,53,0,0,32,1000,955"])
    with pytest.raises(DataLoadError, match=r"no_label\.csv: line 1: the columns look like the "
                                            r"Kaggle set, but the column\(s\) \['fake'\] are missing "
                                            r"\('fake' is the label"):
        load_fake_accounts(no_label)  # before: the eleven present columns listed as unknown
    srf_extra = write(tmp_path / "srf_extra.csv", [SRF_HEADER.replace("rating", "score"),
                                                   "TRUE,0,1,1,TRUE,TRUE"])
    with pytest.raises(DataLoadError, match=r"like the SRF set, but the column\(s\) \['rating'\] "
                                            r"are missing .* and the column\(s\) \['score'\] are not "
                                            r"columns of that set"):
        load_fake_accounts(srf_extra)
    unknown = write(tmp_path / "other.csv", ["a,b", "1,2"])
    with pytest.raises(DataLoadError, match=r"other\.csv: line 1: unknown columns \['a', 'b'\]"):
        load_fake_accounts(unknown)
    with pytest.raises(DataLoadError, match=r"unknown file type '\.txt'"):
        (tmp_path / "notes.txt").write_text("x")
        load_fake_accounts(tmp_path / "notes.txt")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(DataLoadError, match="holds no .csv or .json file"):
        load_fake_accounts(tmp_path / "nothing")

    bad = write(tmp_path / "k2.csv", [KAGGLE_HEADER, "1,0.27,0,0,0,53,0,0,32,1000,955,0",
                                      "2,0.27,0,0,0,53,0,0,32,1000,955,0"])
    with pytest.raises(DataLoadError, match=r"k2\.csv: column 'profile pic', line 3: value '2'; expected 0 or 1"):
        load_fake_accounts(bad)
    ratio = write(tmp_path / "k3.csv", [KAGGLE_HEADER, "1,1.5,0,0,0,53,0,0,32,1000,955,0"])
    with pytest.raises(DataLoadError, match=r"'nums/length username', line 2: .*between 0 and 1"):
        load_fake_accounts(ratio)
    srf = write(tmp_path / "s.csv", [SRF_HEADER, "maybe,0,1,1,TRUE,TRUE"])
    with pytest.raises(DataLoadError, match=r"s\.csv: column 'rating', line 2: cannot parse 'maybe'"):
        load_fake_accounts(srf)

    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"userFollowerCount": 1,\n}')
    with pytest.raises(DataLoadError, match=r"broken\.json: line 3, column 1: invalid JSON"):
        load_fake_accounts(broken)
    zero = tmp_path / "zero.json"
    zero.write_text(json.dumps([instafake_record(1), instafake_record(1, 0, 0)]))
    with pytest.raises(DataLoadError, match=r"zero\.json.*'usernameLength', record 1"):
        load_fake_accounts(zero)
    short = tmp_path / "short.json"
    record = instafake_record(0)
    del record["userMediaCount"]
    short.write_text(json.dumps([record]))
    with pytest.raises(DataLoadError, match=r"short\.json: record 0: missing field\(s\) \['userMediaCount'\]"):
        load_fake_accounts(short)
    text = tmp_path / "text.json"
    text.write_text(json.dumps([{**instafake_record(0), "userMediaCount": "many"}]))
    with pytest.raises(DataLoadError, match=r"text\.json: column 'userMediaCount', record 0: cannot parse 'many'"):
        load_fake_accounts(text)


# ------------------------------------------------------------------ the real data sets


@pytest.mark.shared_data
def test_real_peerindex(shared_data):
    folder = shared_data("peerindex")
    frame = load_peerindex(folder)
    assert frame.shape == (4400, 23)
    assert (frame.drop(columns="Choice").dtypes == np.float64).all()
    assert set(frame["Choice"].unique()) == {0, 1}
    assert frame.drop(columns="Choice").notna().all().all()
    assert (frame.drop(columns="Choice") >= 0).all().all()
    X, y = load_peerindex(folder / "train.csv", return_X_y=True)
    assert X.shape == (4400, 22) and y.shape == (4400,)

    test = load_peerindex(folder / "test.csv")
    assert test.shape == (5952, 22) and "Choice" not in test
    with pytest.raises(DataLoadError, match=r"test\.csv.*'Choice'"):
        load_peerindex(folder / "test.csv", return_X_y=True)


@functools.lru_cache(maxsize=1)
def _tiktok(path):
    return load_tiktok_videos(path)


@pytest.mark.shared_data
def test_real_tiktok_counts(shared_data):
    frame = _tiktok(shared_data("tiktok_creator_videos"))
    assert frame.shape == (1794, 5)
    assert frame["account_id"].is_unique
    assert frame.attrs["n_video_rows"] == 54_261
    assert frame.attrs["n_duplicate_video_rows_dropped"] == 54_261 - 50_124
    assert len(frame.attrs["source_files"]) == 5
    posts = skinfluence.unnest_posts(frame)
    assert len(posts) == 50_124 and posts["post_id"].is_unique
    for col in ("followers", "total_likes", "n_posts"):
        assert frame[col].dtype == np.float64 and (frame[col] >= 0).all()
    ts = posts["timestamp"]
    assert str(ts.dt.tz) == "UTC"
    assert ts.min() >= pd.Timestamp("2015-12-01", tz="UTC")
    assert ts.max() < pd.Timestamp("2020-11-09", tz="UTC")
    # oldest first within each creator
    assert posts.groupby("account_id", sort=False)["timestamp"].is_monotonic_increasing.all()
    # empty cells stay missing and are few (SOURCE.md: at most 17 per file)
    assert 0 < posts["song"].isna().sum() <= 5 * 17


@pytest.mark.shared_data
def test_real_tiktok_is_valid_account_frame(shared_data):
    frame = _tiktok(shared_data("tiktok_creator_videos"))
    out = skinfluence.validate_account_frame(
        frame, required_columns=["followers", "n_posts"],
        required_post_fields=["post_id", "timestamp", "likes", "comments", "views", "shares"],
    )
    assert out is frame


@pytest.mark.shared_data
def test_real_top_instagram(shared_data):
    frame = load_top_instagram(shared_data("top_instagram_influencers"))
    assert frame.shape == (200, 10)
    assert frame["account_id"].is_unique
    assert frame["rank"].tolist() == list(range(1, 201))
    assert frame["country"].isna().sum() == 62
    assert frame["engagement_rate_60d"].isna().sum() == 1  # one "NaN%"
    # the millions rule: every account of this top list has >= 10 million followers ...
    assert frame["followers"].min() >= 1e7
    # ... and the file's own engagement rate matches new_post_avg_like / followers
    rate = frame["new_post_avg_like"] / frame["followers"]
    ok = frame["new_post_avg_like"] > 0
    ratio = rate[ok] / frame["engagement_rate_60d"][ok]
    assert 0.95 < ratio.median() < 1.05


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "n_rows", "n_fake", "nan_columns"),
    [
        ("instagram_fake_kaggle", 576, 288, []),
        ("instafake", 1194, 200,
         ["fullname_words", "fullname_digit_ratio", "name_equals_username", "has_external_url"]),
        ("srf_instagram_fake_followers", 975, 98,
         ["username_digit_ratio", "fullname_words", "fullname_digit_ratio", "name_equals_username",
          "bio_length", "has_external_url"]),
    ],
)
def test_real_fake_accounts(shared_data, name, n_rows, n_fake, nan_columns):
    X, y = load_fake_accounts(shared_data(name))
    assert X.shape == (n_rows, len(FAKE_ACCOUNT_COLUMNS))
    assert y.shape == (n_rows,) and y.dtype == np.int64
    assert int(y.sum()) == n_fake
    expected_source = {"instagram_fake_kaggle": "kaggle", "instafake": "instafake",
                       "srf_instagram_fake_followers": "srf"}[name]
    assert X.attrs["source"] == expected_source
    features = X
    assert (features.dtypes == np.float64).all()
    assert features[nan_columns].isna().all().all()
    assert features.drop(columns=nan_columns).notna().all().all()
    assert (features.fillna(0) >= 0).all().all()


# ------------------------------------------------- malformed files, driven by hypothesis

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VALID_FILES = {
    "peerindex": (load_peerindex, "train.csv",
                  [",".join(PEER_HEADER), peer_row("1"), peer_row("0", 3), peer_row("1", 7)]),
    "tiktok": (load_tiktok_videos, "videos.csv",
               [TT_HEADER, tt(1, 1_600_000_000, "ann"), tt(2, 1_600_000_500, "bob"),
                tt(3, 1_600_001_000, "ann", tags='"[\'a\', \'b\']"')]),
    "top_instagram": (load_top_instagram, "top.csv",
                      [TOP_HEADER, "1,alpha,92,3.3k,475.8,8.7m,1.39%,6.5m,29.0b,Spain",
                       "2,beta,80,1k,33.2m,1,0.5%,0,313.6m,India"]),
    "fake_accounts": (load_fake_accounts, "insta.csv",
                      [KAGGLE_HEADER, "1,0.27,0,0,0,53,0,0,32,1000,955,0",
                       "0,0.5,1,0.1,1,0,1,1,0,3,4000,1"]),
}


def _mutate(data, lines, how):
    """Malformed content: one of the ways real files break."""
    text = "\n".join(lines) + "\n"
    if how == "truncated":
        raw = text.encode("utf-8")
        return raw[: data.draw(st.integers(0, len(raw) - 1), label="cut")]
    if how == "utf16":
        return text.encode("utf-16")
    if how == "latin1":
        return text.replace(lines[1].split(",")[1], "caf\u00e9").encode("latin-1")
    if how == "separator":
        sep = data.draw(st.sampled_from([";", "\t", "|"]), label="sep")
        return text.replace(",", sep).encode("utf-8")
    if how == "duplicated_header_column":
        head = lines[0].split(",")
        j = data.draw(st.integers(1, len(head) - 1), label="dup")
        head[j] = head[0]
        return "\n".join([",".join(head), *lines[1:]]).encode("utf-8") + b"\n"
    if how == "ragged_row":
        row = lines[1].split(",")
        k = data.draw(st.integers(1, len(row) - 1), label="keep")
        return "\n".join([lines[0], ",".join(row[:k]), *lines[2:]]).encode("utf-8") + b"\n"
    if how == "garbage_bytes":
        junk = data.draw(st.binary(min_size=1, max_size=40), label="junk")
        raw = text.encode("utf-8")
        at = data.draw(st.integers(0, len(raw)), label="at")
        return raw[:at] + junk + raw[at:]
    raise AssertionError(how)


@pytest.mark.parametrize("loader_name", sorted(VALID_FILES))
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), how=st.sampled_from(["truncated", "utf16", "latin1", "separator",
                                            "duplicated_header_column", "ragged_row",
                                            "garbage_bytes"]))
def test_loaders_refuse_malformed_files_clearly(tmp_path, loader_name, data, how):
    """A malformed file gives a correct load or a DataLoadError naming the file, never a
    crash from inside pandas (KeyError, UnicodeDecodeError, ParserError ...)."""
    load, name, lines = VALID_FILES[loader_name]
    path = tmp_path / name
    path.write_bytes(_mutate(data, lines, how))
    try:
        out = load(path)
    except DataLoadError as exc:
        assert name in str(exc), f"the error should name the file {name}: {exc}"
        return
    frame = out[0] if isinstance(out, tuple) else out
    assert isinstance(frame, pd.DataFrame)
    if isinstance(out, tuple):
        assert len(out[1]) == len(frame)


def test_the_unmutated_files_load(tmp_path):
    for load, name, lines in VALID_FILES.values():
        out = load(write(tmp_path / name, lines))
        frame = out[0] if isinstance(out, tuple) else out
        assert len(frame) >= 2
