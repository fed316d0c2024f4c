"""EngagementAggregator against the same features written as a pandas groupby().agg.

1,000,000 posts of 20,000 accounts (the issue's size). The peer is what an analyst
writes by hand on the flat post table: per-post derived columns, one
``groupby("account_id").agg`` for the plain statistics, and a groupby over consecutive
gaps for cadence. Both compute the same 17 features (everything but the growth fits
and the text rates, which pandas has no one-call idiom for; those are timed on our
side separately); the script asserts the values agree.

With ``--baseline PATH`` (a checkout of an earlier skinfluence, e.g. made with
``git worktree add /tmp/old <commit>``), the same ``transform`` calls are also timed
with that version, on the same generated data in the same process, and the outputs of
the two versions are compared bit for bit (before/after figures of a change).
The two versions are imported side by side and timed in alternation.

Usage::

    python benchmarks/bench_engagement.py [--accounts 20000] [--posts 1000000] [--repeat 3]
        [--baseline PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from skinfluence import EngagementAggregator, nest_posts

COMMON = [
    "likes_mean", "likes_median", "comments_mean", "comments_median", "shares_mean", "shares_median",
    "views_mean", "views_median", "engagement_mean", "total_engagement", "engagement_rate",
    "engagement_rate_per_view", "engagement_cv", "n_posts_seen", "posts_per_week", "gap_cv",
    "recency_days",
]


def make_tables(n_accounts, n_posts, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.array([f"acc{i:06d}" for i in range(n_accounts)], dtype=object)
    followers = np.round(10 ** rng.uniform(2, 7, n_accounts))
    followers[:50] = 0
    profiles = pd.DataFrame({"account_id": ids, "followers": followers})
    owner = rng.integers(0, n_accounts, n_posts)
    likes = np.round(rng.lognormal(4, 1.5, n_posts))
    views = likes * rng.uniform(3, 30, n_posts)
    views[rng.random(n_posts) < 0.2] = np.nan
    posts = pd.DataFrame({
        "account_id": ids[owner],
        "likes": likes,
        "comments": np.round(likes * rng.uniform(0, 0.1, n_posts)),
        "shares": np.round(likes * rng.uniform(0, 0.05, n_posts)),
        "views": views,
        "text": pd.Series(np.array(["new drop #ootd @brand", "gym day", "#ad #sponsored glow", ""])[
            rng.integers(0, 4, n_posts)], dtype="str"),
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 365 * 86400, n_posts), unit="s"),
    })
    return profiles, posts


def pandas_features(profiles, posts, reference):
    p = posts.copy()
    p["engagement"] = p["likes"] + p["comments"] + p["shares"].fillna(0)
    ok = p["views"].notna() & p["engagement"].notna()
    p["eng_v"] = p["engagement"].where(ok)
    p["views_v"] = p["views"].where(ok)
    p["t"] = (p["timestamp"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    g = p.groupby("account_id", sort=False)
    out = g.agg(
        likes_mean=("likes", "mean"), likes_median=("likes", "median"),
        comments_mean=("comments", "mean"), comments_median=("comments", "median"),
        shares_mean=("shares", "mean"), shares_median=("shares", "median"),
        views_mean=("views", "mean"), views_median=("views", "median"),
        engagement_mean=("engagement", "mean"), total_engagement=("engagement", "sum"),
        engagement_std=("engagement", "std"),
        eng_v=("eng_v", "sum"), views_v=("views_v", "sum"),
        n_posts_seen=("likes", "size"), t_min=("t", "min"), t_max=("t", "max"), t_n=("t", "count"),
    )
    # the std above is ddof=1 (pandas' fast path); convert to ddof=0 as our feature uses
    n = out["n_posts_seen"]
    out["engagement_std"] = out["engagement_std"] * np.sqrt((n - 1) / n)
    p = p.sort_values(["account_id", "t"])
    p["gap"] = p.groupby("account_id", sort=False)["t"].diff()
    gaps = p.groupby("account_id", sort=False)["gap"].agg(["mean", "std", "count"])
    gap_std0 = gaps["std"] * np.sqrt((gaps["count"] - 1) / gaps["count"])
    out = out.reindex(profiles["account_id"])
    gaps = gaps.reindex(profiles["account_id"])
    gap_std0 = gap_std0.reindex(profiles["account_id"])
    f = profiles["followers"].to_numpy()
    res = pd.DataFrame(index=out.index)
    for c in COMMON[:10]:
        res[c] = out[c]
    res["total_engagement"] = res["total_engagement"].fillna(0)
    res["engagement_rate"] = np.where(f > 0, out["engagement_mean"] / np.where(f > 0, f, 1), np.nan)
    res["engagement_rate_per_view"] = np.where(out["views_v"] > 0, out["eng_v"] / out["views_v"], np.nan)
    res["engagement_cv"] = np.where(out["engagement_mean"] > 0,
                                    out["engagement_std"] / out["engagement_mean"], np.nan)
    res["n_posts_seen"] = out["n_posts_seen"].fillna(0)
    span = out["t_max"] - out["t_min"]
    res["posts_per_week"] = np.where(span > 0, (out["t_n"] - 1) * 7 * 86400 / span, np.nan)
    res["gap_cv"] = np.where(gaps["mean"] > 0, gap_std0 / gaps["mean"], np.nan)
    res["recency_days"] = (reference - out["t_max"]) / 86400
    return res.reset_index(drop=True)


def best_of(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def load_baseline(path):
    """``EngagementAggregator`` of the skinfluence checkout at ``path``, imported beside ours.

    The current ``skinfluence`` modules are set aside while the checkout's package is
    imported, then put back: both classes live in this process, each with its own
    modules, so the two versions are timed in alternation on the same frame.
    """
    ours = {k: v for k, v in sys.modules.items() if k.split(".")[0] == "skinfluence"}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(path))
    try:
        import skinfluence as baseline

        return baseline.EngagementAggregator
    finally:
        sys.path.remove(str(path))
        for name in [k for k in sys.modules if k.split(".")[0] == "skinfluence"]:
            del sys.modules[name]
        sys.modules.update(ours)


def checkout_commit(path):
    """The commit checked out at ``path`` (None when it is not a git checkout)."""
    import subprocess

    done = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return done.stdout.strip() or None


def before_after(frame, baseline_cls, repeat):
    """Best-of-``repeat`` seconds of ``transform`` (common and all features), before and after.

    The two versions alternate, so that both see the same machine load; wall-clock and
    process CPU seconds are both kept (CPU time is the steadier figure on a shared machine).
    """
    seconds = {"before": {}, "after": {}}
    for key, features in (("common", COMMON), ("all", "all")):
        models = {"before": baseline_cls(features=features).fit(frame),
                  "after": EngagementAggregator(features=features).fit(frame)}
        outputs = {}
        for _ in range(repeat):
            for version, model in models.items():
                wall, cpu = time.perf_counter(), time.process_time()
                outputs[version] = model.transform(frame)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                best = seconds[version]
                best[key] = min(wall, best.get(key, np.inf))
                best[f"{key}_cpu"] = min(cpu, best.get(f"{key}_cpu", np.inf))
        np.testing.assert_array_equal(outputs["after"], outputs["before"])  # bit for bit
    return seconds["before"], seconds["after"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="checkout of an earlier skinfluence to time the same transforms with")
    args = parser.parse_args()

    profiles, posts = make_tables(args.accounts, args.posts)
    frame = nest_posts(profiles, posts)
    before = None
    if args.baseline is not None:
        before, after = before_after(frame, load_baseline(args.baseline), args.repeat)
    ours = EngagementAggregator(features=COMMON).fit(frame)
    reference = ours.reference_time_.timestamp()

    t_ours, got = best_of(lambda: ours.transform(frame), args.repeat)
    t_peer, peer = best_of(lambda: pandas_features(profiles, posts, reference), args.repeat)
    np.testing.assert_allclose(got, peer[COMMON].to_numpy(dtype=float), rtol=1e-6, atol=1e-6,
                               equal_nan=True)
    everything = EngagementAggregator().fit(frame)
    t_all, _ = best_of(lambda: everything.transform(frame), args.repeat)
    growth = EngagementAggregator(features=["growth_slope", "growth_acceleration"]).fit(frame)
    t_growth, _ = best_of(lambda: growth.transform(frame), args.repeat)

    print(f"{args.posts:,} posts of {args.accounts:,} accounts; best of {args.repeat}; "
          f"{os.cpu_count()} CPU(s); pandas {pd.__version__}")
    print(f"  EngagementAggregator, {len(COMMON)} common features    {t_ours:7.3f} s")
    print(f"  pandas groupby().agg, same {len(COMMON)} features        {t_peer:7.3f} s")
    print(f"  speed-up: {t_peer / t_ours:.2f}x (values identical to 1e-6)")
    print(f"  EngagementAggregator, all {len(everything.feature_names_out_)} features "
          f"                  {t_all:7.3f} s")
    print(f"  growth slope + acceleration only               {t_growth:7.3f} s")
    if before is not None:
        for key in ("common", "all"):
            cpu = f"{key}_cpu"
            print(f"  transform, {key} features: before {before[key]:.3f} s, after "
                  f"{after[key]:.3f} s ({before[key] / after[key]:.2f}x); CPU time before "
                  f"{before[cpu]:.3f} s, after {after[cpu]:.3f} s ({before[cpu] / after[cpu]:.2f}x); "
                  "outputs identical")
    out = Path(__file__).with_name("results") / "engagement.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "accounts": args.accounts, "posts": args.posts, "cpus": os.cpu_count(),
        "python": platform.python_version(), "pandas": pd.__version__,
        "seconds": {"ours_common": t_ours, "pandas_common": t_peer, "ours_all": t_all,
                    "ours_growth": t_growth},
        "speedup": t_peer / t_ours, "features_compared": COMMON,
        **({} if before is None else {"before_after": {
            "baseline": str(args.baseline), "baseline_commit": checkout_commit(args.baseline),
            "before_seconds": before, "after_seconds": after,
            "outputs_identical": True}}),
    }, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
