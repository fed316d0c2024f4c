"""LightGBM rankers trained in memory against the same rankers trained on a 2-worker Dask cluster.

``skinfluence.ranking.fit_dask`` trains ``PairwiseRanker`` and ``BoostedRanker`` through
LightGBM's Dask interface: the rows stay in the workers' partitions. This script fits both
ways on the same synthetic data, in the same run, and records the wall time, the peak
memory (the process; each worker), the held-out quality and how close the two models'
predictions are.

The cluster is a ``LocalCluster`` of 2 worker processes of 1 thread each; the in-memory
fit runs with ``n_jobs=1`` (one thread: the same per-process budget as a worker). On a 2-core machine the cluster cannot be faster:
the point of the Dask path is that no machine holds all the rows, and this measures its
overhead and its fidelity. Usage::

    python benchmarks/bench_dask_lightgbm.py [--pairs 200000] [--queries 20000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "dask_lightgbm.json"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_pairs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    a, b = rng.lognormal(5, 2, (2, n, 6))
    frame = pd.DataFrame({f"{side}_f{j}": values[:, j]
                          for side, values in (("A", a), ("B", b)) for j in range(6)})
    strength = lambda s: np.log(s[:, 0]) + 0.5 * np.log1p(s[:, 1]) - 0.3 * np.log1p(s[:, 2])  # noqa: E731
    frame["won"] = (strength(a) - strength(b) + rng.logistic(size=n) > 0).astype(int)
    return frame


def make_queries(n_queries: int, seed: int, size: int = 10):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n_queries * size, 8))
    frame = pd.DataFrame(Z, columns=[f"f{j}" for j in range(8)])
    frame["q"] = np.repeat(np.arange(n_queries), size)
    score = Z[:, 0] + 0.5 * Z[:, 1] * Z[:, 2] + 0.5 * rng.normal(size=len(Z))
    frame["rel"] = np.clip(np.floor(score + 1.0), 0, 3).astype(int)
    return frame


def _worker_rss(dask_worker=None):
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import dask.dataframe as dd
    import distributed
    from sklearn.metrics import roc_auc_score

    from skinfluence.ranking import BoostedRanker, PairwiseRanker, fit_dask

    results = {"machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
               "partitions": args.partitions, "rows": {}}
    train, test = make_pairs(args.pairs, 0), make_pairs(50_000, 1)
    Xt, yt = test.drop(columns="won"), test["won"].to_numpy()
    q_train, q_test = make_queries(args.queries, 0), make_queries(2_000, 1)
    features = [f"f{j}" for j in range(8)]

    def pair_ranker(n_jobs):
        return PairwiseRanker(n_estimators=100, num_leaves=31, random_state=0, n_jobs=n_jobs)

    def boosted_ranker(n_jobs):
        return BoostedRanker(n_estimators=100, random_state=0, n_jobs=n_jobs)

    t = time.perf_counter()
    local = pair_ranker(1).fit(train.drop(columns="won"), train["won"])
    pair_local_s = time.perf_counter() - t
    t = time.perf_counter()
    local_q = boosted_ranker(1).fit(q_train[features], q_train["rel"], qid=q_train["q"])
    boosted_local_s = time.perf_counter() - t
    local_peak = _peak_mb()

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as client:
        ddf = client.persist(dd.from_pandas(train, npartitions=args.partitions))
        qdf = client.persist(dd.from_pandas(q_train, npartitions=args.partitions, sort=False))
        distributed.wait([ddf, qdf])
        t = time.perf_counter()
        remote = fit_dask(pair_ranker(None), ddf, "won", client=client)
        pair_dask_s = time.perf_counter() - t
        t = time.perf_counter()
        remote_q = fit_dask(boosted_ranker(1), qdf, "rel", qid="q", client=client)
        boosted_dask_s = time.perf_counter() - t
        worker_rss = sorted(client.run(_worker_rss).values())
    cluster.close()

    p_local, p_remote = local.predict_proba(Xt)[:, 1], remote.predict_proba(Xt)[:, 1]
    s_local, s_remote = local_q.predict(q_test[features]), remote_q.predict(q_test[features])
    results["rows"] = {
        "pairwise": {
            "train_pairs": args.pairs,
            "in_memory_fit_s": round(pair_local_s, 2),
            "dask_fit_s": round(pair_dask_s, 2),
            "in_memory_auc": round(roc_auc_score(yt, p_local), 4),
            "dask_auc": round(roc_auc_score(yt, p_remote), 4),
            "proba_correlation": round(float(np.corrcoef(p_local, p_remote)[0, 1]), 4),
            "max_abs_proba_difference": round(float(np.abs(p_local - p_remote).max()), 4),
        },
        "boosted": {
            "train_rows": len(q_train),
            "in_memory_fit_s": round(boosted_local_s, 2),
            "dask_fit_s": round(boosted_dask_s, 2),
            "in_memory_ndcg10": round(local_q.score(q_test[features], q_test["rel"],
                                                    qid=q_test["q"]), 4),
            "dask_ndcg10": round(remote_q.score(q_test[features], q_test["rel"],
                                                qid=q_test["q"]), 4),
            "score_correlation": round(float(np.corrcoef(s_local, s_remote)[0, 1]), 4),
        },
        "memory_mb": {"in_memory_process_peak": round(local_peak),
                      "worker_rss_after_fit": [round(p) for p in worker_rss]},
    }
    print(json.dumps(results, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
