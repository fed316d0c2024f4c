"""Per-query ranking metrics: skinfluence's vectorised metrics against a per-query loop.

Data: 1,000 queries x 1,000 candidates (1,000,000 rows), and 20,000 queries x 50
candidates (the same number of rows in many short lists), in shuffled row order, graded
relevance 0-3 (about 10 % relevant), continuous random scores.

For each metric, in the same run:

- skinfluence (``skinfluence.metrics``): one call on the flat rows with ``qid``;
- the loop a user writes today: group the rows by query (``np.unique`` + one boolean
  mask per query would be quadratic, so the peer sorts once and slices), then call
  the reference per query: ``sklearn.metrics.ndcg_score`` (NDCG, linear gain),
  ``sklearn.metrics.roc_auc_score`` (AUC), or numpy on the query's ranked labels
  (recall@50, MRR, MedR); both give the same value (checked).

Goal: 1,000 x 1,000 scored in well under a second per metric.

Second part, calibration on the real MIR test grid
(``../shared/data/brand_micro_influencer/test_set.csv``: 74 brands x 790 candidates, 816
positives): the metrics of 300 draws of random scores (mean and 5-95 % range), and of
the labels used as scores (perfect values).

Run ``python benchmarks/bench_metrics.py`` (``--quick`` for smaller data, no file
written); writes ``benchmarks/results/metrics.json``.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import ndcg_score, roc_auc_score

from skinfluence.metrics import (
    mean_reciprocal_rank,
    median_rank,
    ndcg_at_k,
    query_auc,
    recall_at_k,
)

RESULTS = Path(__file__).parent / "results" / "metrics.json"
GRID = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "brand_micro_influencer"
        / "test_set.csv")


def real_grid(n_draws):
    """Random and oracle scores on the real MIR test grid."""
    import pandas as pd

    from skinfluence.metrics import recall_at_k

    if not GRID.exists():
        print(f"(real grid skipped: {GRID} not found)")
        return None
    grid = pd.read_csv(GRID)
    y, qid = grid["label"].to_numpy(), grid["brand"].to_numpy()
    metrics = {
        "auc": lambda s: query_auc(y, s, qid=qid),
        "r@10": lambda s: recall_at_k(y, s, qid=qid, k=10),
        "r@50": lambda s: recall_at_k(y, s, qid=qid, k=50),
        "medr": lambda s: median_rank(y, s, qid=qid),
        "ndcg@10": lambda s: ndcg_at_k(y, s, qid=qid, k=10),
    }
    rng = np.random.default_rng(0)
    draws = {name: [] for name in metrics}
    for _ in range(n_draws):
        s = rng.random(len(y))
        for name, fn in metrics.items():
            draws[name].append(fn(s))
    out = {"n_brands": int(grid["brand"].nunique()),
           "n_candidates": int(grid["micro_influencer"].nunique()),
           "n_positives": int(y.sum()), "n_draws": n_draws, "random": {}, "labels_as_scores": {}}
    print(f"real MIR test grid: {out['n_brands']} brands x {out['n_candidates']} candidates, "
          f"{out['n_positives']} positives; {n_draws} random draws")
    for name, fn in metrics.items():
        v = np.array(draws[name])
        lo, hi = np.percentile(v, [5, 95])
        out["random"][name] = {"mean": float(v.mean()), "p5": float(lo), "p95": float(hi)}
        out["labels_as_scores"][name] = float(fn(y + 0.0))
        print(f"  {name:<8} random {v.mean():.4f} (5-95 %: {lo:.4f}-{hi:.4f})   "
              f"labels as scores {out['labels_as_scores'][name]:.4f}")
    return out


def make_data(n_queries, n_candidates, seed=0):
    rng = np.random.default_rng(seed)
    qid = np.repeat(np.arange(n_queries), n_candidates)
    y = np.where(rng.random(len(qid)) < 0.1, rng.integers(1, 4, len(qid)), 0).astype(float)
    s = rng.random(len(qid))
    perm = rng.permutation(len(qid))
    return y[perm], s[perm], qid[perm]


def per_query(y, s, qid, fn):
    order = np.argsort(qid, kind="stable")
    y, s, qid = y[order], s[order], qid[order]
    starts = np.flatnonzero(np.r_[True, qid[1:] != qid[:-1]])
    ends = np.r_[starts[1:], len(qid)]
    vals = [fn(y[a:b], s[a:b]) for a, b in zip(starts, ends, strict=True)]
    vals = [v for v in vals if v is not None]
    return vals


def _ranked(yq, sq):
    return yq[np.argsort(-sq, kind="stable")]


LOOPS = {
    "ndcg@10 (linear)": (
        lambda y, s, q: ndcg_at_k(y, s, qid=q, k=10, gain="linear"),
        lambda y, s, q: np.mean(per_query(
            y, s, q, lambda a, b: ndcg_score([a], [b], k=10) if (a > 0).any() else None)),
    ),
    "auc": (
        lambda y, s, q: query_auc(y, s, qid=q),
        lambda y, s, q: np.mean(per_query(
            y, s, q, lambda a, b: roc_auc_score(a > 0, b) if 0 < (a > 0).sum() < len(a) else None)),
    ),
    "recall@50": (
        lambda y, s, q: recall_at_k(y, s, qid=q, k=50),
        lambda y, s, q: np.mean(per_query(
            y, s, q, lambda a, b: (_ranked(a, b)[:50] > 0).sum() / (a > 0).sum()
            if (a > 0).any() else None)),
    ),
    "mrr": (
        lambda y, s, q: mean_reciprocal_rank(y, s, qid=q),
        lambda y, s, q: np.mean(per_query(
            y, s, q, lambda a, b: 1 / (np.flatnonzero(_ranked(a, b) > 0)[0] + 1)
            if (a > 0).any() else None)),
    ),
    "medr": (
        lambda y, s, q: median_rank(y, s, qid=q),
        lambda y, s, q: np.median(per_query(
            y, s, q, lambda a, b: np.flatnonzero(_ranked(a, b) > 0)[0] + 1
            if (a > 0).any() else None)),
    ),
}


def best_of(fn, repeat, *args):
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    shapes = [(100, 1000), (10_000, 10)] if args.quick else [(1000, 1000), (20_000, 50)]
    rows = []
    for n_queries, n_candidates in shapes:
        y, s, qid = make_data(n_queries, n_candidates)
        print(f"{n_queries:,} queries x {n_candidates:,} candidates ({len(y):,} rows, shuffled)")
        print(f"{'metric':<18}{'skinfluence s':>15}{'loop s':>10}{'speed-up':>10}  same value")
        for name, (ours, loop) in LOOPS.items():
            t_ours, v_ours = best_of(ours, 3, y, s, qid)
            t_loop, v_loop = best_of(loop, 1, y, s, qid)
            same = bool(np.isclose(v_ours, v_loop, rtol=1e-9, atol=1e-12))
            rows.append({"n_queries": n_queries, "n_candidates": n_candidates, "metric": name,
                         "skinfluence_s": t_ours, "loop_s": t_loop, "speedup": t_loop / t_ours,
                         "value": float(v_ours), "same_value": same})
            print(f"{name:<18}{t_ours:>15.3f}{t_loop:>10.2f}{t_loop / t_ours:>9.1f}x  {same}")
    grid = real_grid(20 if args.quick else 300)
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps({
            "rows": rows, "real_grid": grid,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "numpy": np.__version__, "sklearn": sklearn.__version__},
        }, indent=2) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
