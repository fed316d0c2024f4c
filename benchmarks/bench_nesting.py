"""Nesting benchmark: 1,000,000 posts of 20,000 accounts.

Measures, in one run and on the same data:

- ``nest_posts`` (columnar Arrow list<struct>) against the usual pandas idiom that
  stores a Python list of dicts per account (``groupby(...).apply(to_dict)``);
- ``unnest_posts`` and ``validate_account_frame``;
- per-account aggregation (mean, median, sum, count of likes; mean views) through
  ``flatten_posts`` + ``segment_reduce`` against ``DataFrame.groupby().agg`` on the
  flat post table.

Prints a table and writes ``benchmarks/results/nesting.json``. The goal of the
data contract: nesting in under 3 s, aggregation without a Python loop per account.

Usage::

    python benchmarks/bench_nesting.py [--accounts 20000] [--posts 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from skinfluence import (
    flatten_posts,
    nest_posts,
    segment_reduce,
    unnest_posts,
    validate_account_frame,
)


def make_tables(n_accounts: int, n_posts: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = np.array([f"acc{i:06d}" for i in range(n_accounts)], dtype=object)
    profiles = pd.DataFrame({
        "account_id": ids,
        "followers": np.round(10 ** rng.uniform(2, 7, n_accounts)),
        "following": rng.integers(0, 5000, n_accounts).astype(float),
    })
    owner = rng.integers(0, n_accounts, n_posts)
    words = np.array(["glow", "serum", "gym", "run", "vegan", "travel", "#ad", "#ootd", "love", "new"])
    text = pd.Series(words[rng.integers(0, len(words), n_posts)]).str.cat(
        pd.Series(words[rng.integers(0, len(words), n_posts)]), sep=" "
    )
    likes = np.round(rng.lognormal(4, 1.5, n_posts))
    views = likes * rng.uniform(3, 30, n_posts)
    views[rng.random(n_posts) < 0.2] = np.nan
    posts = pd.DataFrame({
        "account_id": ids[owner],
        "text": text.astype("str"),
        "likes": likes,
        "comments": np.round(likes * rng.uniform(0, 0.1, n_posts)),
        "views": views,
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 365 * 86400, n_posts), unit="s"),
    })
    return profiles, posts


def best_of(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def ours_aggregate(frame):
    flat = flatten_posts(frame)
    likes, views, off = flat.numeric("likes"), flat.numeric("views"), flat.offsets
    return pd.DataFrame({
        "likes_mean": segment_reduce(likes, off, "mean"),
        "likes_median": segment_reduce(likes, off, "median"),
        "likes_sum": segment_reduce(likes, off, "sum"),
        "n": segment_reduce(likes, off, "count"),
        "views_mean": segment_reduce(views, off, "mean"),
    }, index=frame.index)


def pandas_aggregate(profiles, posts):
    agg = posts.groupby("account_id", sort=False).agg(
        likes_mean=("likes", "mean"), likes_median=("likes", "median"), likes_sum=("likes", "sum"),
        n=("likes", "count"), views_mean=("views", "mean"),
    )
    agg = agg.reindex(profiles["account_id"])  # accounts without posts, in frame order
    agg[["likes_sum", "n"]] = agg[["likes_sum", "n"]].fillna(0)
    return agg.reset_index(drop=True)


def pandas_nest(profiles, posts):
    nested = posts.groupby("account_id", sort=False).apply(
        lambda g: g.to_dict("records"), include_groups=False
    )
    out = profiles.copy()
    out["posts"] = nested.reindex(profiles["account_id"]).to_numpy()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-peer-nesting", action="store_true",
                        help="skip the slow list-of-dicts pandas idiom")
    args = parser.parse_args()

    profiles, posts = make_tables(args.accounts, args.posts)
    print(f"{args.posts:,} posts of {args.accounts:,} accounts; best of {args.repeat} runs; "
          f"{os.cpu_count()} CPU(s), {platform.python_version()}, pandas {pd.__version__}")
    rows = {}
    rows["nest_posts (skinfluence, columnar)"], frame = best_of(lambda: nest_posts(profiles, posts), args.repeat)
    if not args.skip_peer_nesting:
        rows["pandas groupby -> list of dicts per account (peer)"], _ = best_of(
            lambda: pandas_nest(profiles, posts), 1)
    rows["validate_account_frame"], _ = best_of(lambda: validate_account_frame(frame), args.repeat)
    rows["unnest_posts"], flat_back = best_of(lambda: unnest_posts(frame), args.repeat)
    rows["aggregate: flatten_posts + segment_reduce (skinfluence)"], ours = best_of(
        lambda: ours_aggregate(frame), args.repeat)
    rows["aggregate: DataFrame.groupby().agg on flat posts (peer)"], peer = best_of(
        lambda: pandas_aggregate(profiles, posts), args.repeat)

    np.testing.assert_allclose(ours.to_numpy(), peer.to_numpy(), rtol=1e-9, equal_nan=True)
    assert len(flat_back) == len(posts)

    width = max(len(k) for k in rows)
    for name, seconds in rows.items():
        print(f"  {name:<{width}}  {seconds:8.3f} s")
    ratio = rows["aggregate: DataFrame.groupby().agg on flat posts (peer)"] / rows[
        "aggregate: flatten_posts + segment_reduce (skinfluence)"]
    print(f"  aggregation speed-up over pandas groupby: {ratio:.2f}x (results identical)")

    out = Path(__file__).with_name("results") / "nesting.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "accounts": args.accounts, "posts": args.posts, "repeat": args.repeat,
        "cpus": os.cpu_count(), "python": platform.python_version(), "pandas": pd.__version__,
        "seconds": rows, "aggregation_speedup_vs_pandas": ratio,
    }, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
