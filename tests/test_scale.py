"""Account frames at scale: Parquet round trips (skinfluence.scale)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skinfluence import make_creators, nest_posts, read_accounts, write_accounts
from skinfluence.datasets import load_tiktok_videos
from skinfluence.exceptions import AccountFrameError

# ------------------------------------------------------------------ Parquet round trips

TIME_ZONES = ["UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns", None]


def _column(draw, n, element, dtype):
    return pd.Series(draw(st.lists(element, min_size=n, max_size=n)), dtype=dtype)


@st.composite
def account_frames(draw):
    """Random account frames: empty accounts, nulls in every kind of field, time zones, unicode."""
    n_accounts = draw(st.integers(0, 7))
    ids = draw(st.lists(st.text(min_size=1, max_size=6), min_size=n_accounts,
                        max_size=n_accounts, unique=True))
    profiles = pd.DataFrame({
        "account_id": pd.Series(ids, dtype="str"),
        "followers": _column(draw, n_accounts, st.integers(0, 10**12), "int64"),
        "bio": _column(draw, n_accounts, st.one_of(st.none(), st.text(max_size=10)), "str"),
        "verified": _column(draw, n_accounts, st.one_of(st.none(), st.booleans()), "boolean"),
        "score": _column(draw, n_accounts, st.one_of(st.just(np.nan), st.floats(-1e6, 1e6)), "float64"),
    })
    n_posts = draw(st.integers(0, 20)) if n_accounts else 0
    tz = draw(st.sampled_from(TIME_ZONES))
    seconds = _column(draw, n_posts, st.one_of(st.none(), st.integers(-2 * 10**9, 4 * 10**9)), "Int64")
    stamps = pd.to_datetime(seconds.astype("float64"), unit="s")
    posts = pd.DataFrame({
        "account_id": pd.Series(draw(st.lists(st.sampled_from(ids), min_size=n_posts, max_size=n_posts))
                                if n_accounts else [], dtype="str"),
        "text": _column(draw, n_posts, st.one_of(st.none(), st.text(max_size=15)), "str"),
        "likes": _column(draw, n_posts, st.one_of(st.none(), st.integers(0, 10**9)), "Int64"),
        "views": _column(draw, n_posts, st.one_of(st.just(np.nan), st.floats(0, 1e9)), "float64"),
        "sponsored": _column(draw, n_posts, st.one_of(st.none(), st.booleans()), "boolean"),
        "timestamp": stamps.dt.tz_localize(tz) if tz else stamps,
        "hashtags": pd.Series(draw(st.lists(
            st.one_of(st.none(), st.lists(st.one_of(st.none(), st.text(max_size=5)), max_size=3)),
            min_size=n_posts, max_size=n_posts)), dtype=pd.ArrowDtype(pa.list_(pa.string()))),
    })
    frame = nest_posts(profiles, posts, validate=False)
    if draw(st.booleans()):  # an index of labels instead of a RangeIndex
        frame.index = pd.Index([f"r{k}" for k in range(n_accounts)], dtype="str", name="row")
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(account_frames(), st.one_of(st.none(), st.integers(1, 4)))
def test_parquet_round_trip_is_exact(tmp_path_factory, frame, partition_size):
    path = tmp_path_factory.mktemp("parquet") / ("accounts" if partition_size else "accounts.parquet")
    files = write_accounts(frame, path, partition_size=partition_size)
    if partition_size:
        assert len(files) == max(1, -(-len(frame) // partition_size))
    back = read_accounts(path)
    pd.testing.assert_frame_equal(back, frame, check_index_type=True, check_column_type=True)
    assert back["posts"].dtype == frame["posts"].dtype  # the exact Arrow type, list child name included


@pytest.mark.parametrize("n_posts", [(0, 4), 3])
def test_make_creators_round_trips_single_and_partitioned(tmp_path, n_posts):
    X = make_creators(40, n_posts=n_posts, random_state=0)["accounts"]
    write_accounts(X, tmp_path / "one.parquet")
    pd.testing.assert_frame_equal(read_accounts(tmp_path / "one.parquet"), X)
    write_accounts(X, tmp_path / "parts", partition_size=9)
    assert sorted(p.name for p in (tmp_path / "parts").iterdir())[0] == "part.00000.parquet"
    pd.testing.assert_frame_equal(read_accounts(tmp_path / "parts"), X)


def test_loader_frames_round_trip_with_their_attrs(tmp_path):
    (tmp_path / "v.csv").write_text(
        "id,create_time,user_name,hashtags,song,video_length,n_likes,n_shares,n_comments,n_plays,"
        "n_followers,n_total_likes,n_total_vids\n"
        "1,1600000000,ann,\"['fyp', 'été']\",s,10,5,1,2,100,50,900,3\n"
        "2,,bob,,,10,,1,2,100,0,5,1\n", encoding="utf-8")
    frame = load_tiktok_videos(tmp_path / "v.csv")
    write_accounts(frame, tmp_path / "tt.parquet")
    back = read_accounts(tmp_path / "tt.parquet")
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs


def test_plain_pandas_reads_written_files_and_read_accounts_reads_pandas_files(tmp_path):
    X = make_creators(12, random_state=1)["accounts"]
    # the failure this module exists for: pandas cannot read back what it wrote
    X.to_parquet(tmp_path / "pandas.parquet")
    with pytest.raises(NotImplementedError, match="pyarrow type specific parameters"):
        pd.read_parquet(tmp_path / "pandas.parquet")
    pd.testing.assert_frame_equal(read_accounts(tmp_path / "pandas.parquet"), X)
    # files written here stay readable by plain pandas (posts as Python objects)
    write_accounts(X, tmp_path / "ours.parquet")
    plain = pd.read_parquet(tmp_path / "ours.parquet")
    pd.testing.assert_frame_equal(plain.drop(columns="posts"), X.drop(columns="posts"))
    assert len(plain["posts"].iloc[0]) == len(X["posts"].iloc[0])


def test_write_accounts_errors(tmp_path):
    X = make_creators(5, random_state=0)["accounts"]
    with pytest.raises(ValueError, match="'partition_size' parameter of write_accounts"):
        write_accounts(X, tmp_path / "p", partition_size=0)
    write_accounts(X, tmp_path / "p", partition_size=2)
    with pytest.raises(FileExistsError, match="already holds Parquet files"):
        write_accounts(X, tmp_path / "p", partition_size=2)
    degraded = X.assign(posts=X["posts"].astype(object))
    with pytest.raises(AccountFrameError, match="not columnar Arrow posts"):
        write_accounts(degraded, tmp_path / "d.parquet")
    no_fields = nest_posts(pd.DataFrame({"account_id": [1]}), pd.DataFrame({"account_id": [1]}))
    with pytest.raises(AccountFrameError, match="no field"):
        write_accounts(no_fields, tmp_path / "n.parquet")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_accounts(tmp_path / "nowhere.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no .parquet file"):
        read_accounts(tmp_path / "empty")


def test_scaling_doc_parquet_snippet_runs():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "scaling.md").read_text()
    snippet = re.findall(r"```python\n(.*?)```", page, re.S)[0]
    exec(compile(snippet, "docs/scaling.md", "exec"), {})  # noqa: S102
