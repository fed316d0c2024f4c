"""Scaling benchmark: one process against a 2-worker Dask LocalCluster.

On accounts stored as partitioned Parquet (``write_accounts(..., partition_size=...)``),
built from ``make_creators`` (10,000 generated accounts, tiled with fresh ids to
``--accounts``), it measures:

- **batch inference**, read Parquet -> fitted pipeline -> write results to Parquet, for
  ``EngagementAggregator`` (engagement features) and a text classifier (``PostsText``,
  TF-IDF, logistic regression; ``predict_proba``): one plain Python process reading the
  files one by one, against ``transform_partitions`` on a ``LocalCluster`` of 2 worker
  processes with one thread each (after an untimed warm-up on one partition, in which the
  workers import their libraries). Throughput in accounts per second, peak resident
  memory of the single process and of each worker;
- **a small grid search** (the text pipeline, 6 candidates x 3 folds) with ``n_jobs=1``
  against joblib's ``dask`` backend on a fresh cluster whose workers have imported
  their libraries (untimed);
- **pickle sizes** of every registered component, unfitted and fitted (its first
  ``get_test_params()``), what a cluster ships per task.

Both sides run with one BLAS/OpenMP thread per process (dask's workers set this), so the
comparison is one process against two. Peak memory is ``VmHWM``.

Prints a summary and writes ``benchmarks/results/scaling.json``.

Usage::

    python benchmarks/bench_scaling.py [--accounts 100000] [--partition-size 10000]
    python benchmarks/bench_scaling.py --accounts 1000000 --partition-size 50000 --skip-grid \\
        --output benchmarks/results/scaling_1m.json
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "scaling.json"


def _peak_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM, which starts afresh at exec.

    (``ru_maxrss`` would not do: Linux keeps it across fork and exec, so a worker would
    report its parent's peak.)
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_accounts(n_accounts: int, base: int = 10_000) -> pd.DataFrame:
    """``make_creators`` accounts tiled to ``n_accounts`` rows with fresh, unique ids."""
    from skinfluence import concat_accounts, make_creators

    seed = make_creators(min(base, n_accounts), n_posts=(0, 20), random_state=0)["accounts"]
    parts, done = [], 0
    while done < n_accounts:
        part = seed.iloc[: n_accounts - done].copy()
        part["account_id"] = np.arange(done, done + len(part), dtype=np.int64)
        parts.append(part)
        done += len(part)
    return concat_accounts(parts, ignore_index=True)


def fit_models(n_train: int = 5_000):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skinfluence import EngagementAggregator, PostsText, make_creators

    X, y = make_creators(n_train, n_posts=(0, 20), random_state=1, return_X_y=True)
    text = make_pipeline(PostsText(), TfidfVectorizer(min_df=2), LogisticRegression(max_iter=300))
    return {"engagement": (EngagementAggregator().fit(X), "transform"),
            "text_classifier": (text.fit(X, y), "predict_proba")}


def _single_process(folder: str, out: str, models: dict) -> dict:
    """One plain process: each partition file read, scored and written, one after the other."""
    from threadpoolctl import threadpool_limits

    from skinfluence import read_accounts
    from skinfluence.scale import _apply  # the per-partition step transform_partitions runs

    threadpool_limits(limits=1)  # as dask's workers run: one BLAS thread each
    timings = {}
    files = sorted(Path(folder).glob("*.parquet"))
    for name, (model, method) in models.items():
        start = time.perf_counter()
        n = 0
        for k, file in enumerate(files):
            part = read_accounts(file)
            result = _apply(part, model, method, [])
            target = Path(out) / name
            target.mkdir(parents=True, exist_ok=True)
            result.to_parquet(target / f"part.{k:05d}.parquet")
            n += len(part)
        timings[name] = {"seconds": time.perf_counter() - start, "accounts": n}
    timings["peak_rss_mb"] = _peak_mb()
    return timings


def bench_inference(folder: Path, models: dict, n_accounts: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="bench_scaling_out_"))
    # the single process in a fresh interpreter, so its peak memory is its own
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        single = pool.submit(_single_process, str(folder), str(out / "single"), models).result()
    import distributed

    from skinfluence.scale import read_accounts_dask, transform_partitions

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", memory_limit="6GB")
    with distributed.Client(cluster) as client:
        startup = client.run(_peak_mb)
        client.run(_import_libraries)  # every worker, untimed (a one-partition warm-up reaches one)
        dask_times = {}
        for name, (model, method) in models.items():
            # warm-up on one partition, untimed: the workers import pandas, sklearn and
            # skinfluence on their first task (a long-running cluster pays this once)
            warm = read_accounts_dask(folder).partitions[0]
            transform_partitions(model, warm, method=method).compute()
            start = time.perf_counter()
            result = transform_partitions(model, read_accounts_dask(folder), method=method)
            result.to_parquet(out / "dask" / name)
            dask_times[name] = {"seconds": time.perf_counter() - start, "accounts": n_accounts}
        peaks = client.run(_peak_mb)
    cluster.close()
    for name in models:  # the same numbers both ways
        a = pd.read_parquet(out / "single" / name).to_numpy()
        b = pd.read_parquet(out / "dask" / name).to_numpy()
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
    shutil.rmtree(out, ignore_errors=True)
    rows = {}
    for name in models:
        s, d = single[name]["seconds"], dask_times[name]["seconds"]
        rows[name] = {"single_seconds": round(s, 2), "dask_seconds": round(d, 2),
                      "single_accounts_per_s": round(n_accounts / s),
                      "dask_accounts_per_s": round(n_accounts / d),
                      "speedup": round(s / d, 2)}
    return {"models": rows, "single_peak_rss_mb": round(single["peak_rss_mb"]),
            "worker_startup_rss_mb": sorted(round(v) for v in startup.values()),
            "worker_peak_rss_mb": sorted(round(v) for v in peaks.values())}


def _import_libraries():
    import pyarrow.parquet  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    import skinfluence.accounts  # noqa: F401
    import skinfluence.features  # noqa: F401
    import skinfluence.scale  # noqa: F401


def bench_grid_search(n_accounts: int = 2_000) -> dict:
    import distributed
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline

    from skinfluence import PostsText, make_creators

    X, y = make_creators(n_accounts, n_posts=(0, 20), random_state=2, return_X_y=True)
    pipe = make_pipeline(PostsText(), TfidfVectorizer(), LogisticRegression(max_iter=300))
    grid = {"logisticregression__C": [0.1, 1.0, 10.0], "tfidfvectorizer__sublinear_tf": [False, True]}
    cv = KFold(3, shuffle=True, random_state=0)
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(limits=1):  # as dask's workers run: one BLAS thread each
        local = GridSearchCV(pipe, grid, cv=cv).fit(X, y)
    single = time.perf_counter() - start
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as client:
        client.run(_import_libraries)  # untimed: what a warm, long-running cluster has done
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            remote = GridSearchCV(pipe, grid, cv=cv, n_jobs=-1).fit(X, y)
        dask_s = time.perf_counter() - start
    cluster.close()
    assert np.array_equal(local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"])
    return {"accounts": n_accounts, "candidates": 6, "folds": 3,
            "single_seconds": round(single, 2), "dask_seconds": round(dask_s, 2),
            "speedup": round(single / dask_s, 2), "same_cv_results": True}


def _fit_for_size(est):
    """Fit on the shared checks' input, or on a small numeric/pair table for tabular components."""
    from sklearn.base import clone

    from skinfluence.utils._check_inputs import _check_frame, _fit

    est = clone(est)
    try:
        X, y = _check_frame(est)
        return _fit(est, X, y)
    except Exception:  # tabular components: numbers, or pairs of accounts side by side
        rng = np.random.default_rng(0)
        num = pd.DataFrame(rng.lognormal(5, 2, size=(80, 4)),
                           columns=["followers", "following", "n_posts", "likes"])
        y = (num["followers"] > num["followers"].median()).to_numpy().astype(int)
        try:
            return _fit(est, num, y)
        except Exception:
            pairs = pd.concat([num.add_prefix("A_"), num.iloc[::-1].reset_index(drop=True)
                               .add_prefix("B_")], axis=1)
            return _fit(est, pairs, y)


def pickle_sizes() -> dict:
    import skinfluence

    sizes = {}
    for info in skinfluence.all_components(available_only=True):
        est = info.cls(**info.cls.get_test_params()[0])
        row = {"unfitted_bytes": len(pickle.dumps(est))}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row["fitted_bytes"] = len(pickle.dumps(_fit_for_size(est)))
        except Exception as exc:  # report, do not hide
            row["fitted_bytes"] = f"not measured: {type(exc).__name__}"
        sizes[info.name] = row
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--partition-size", type=int, default=10_000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--skip-grid", action="store_true", help="inference only")
    args = parser.parse_args(argv)

    from skinfluence import write_accounts

    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_start": [round(v, 2) for v in os.getloadavg()]}}
    start = time.perf_counter()
    accounts = make_accounts(args.accounts)
    n_posts = int(accounts["posts"].list.len().sum())
    folder = Path(tempfile.mkdtemp(prefix="bench_scaling_")) / "accounts"
    t = time.perf_counter()
    files = write_accounts(accounts, folder, partition_size=args.partition_size)
    write_s = time.perf_counter() - t
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    arrow_mb = accounts["posts"].array._pa_array.nbytes / 1e6
    del accounts
    report["data"] = {"accounts": args.accounts, "posts": n_posts, "partitions": len(files),
                      "partition_size": args.partition_size, "parquet_mb": round(size_mb, 1),
                      "posts_arrow_mb_in_memory": round(arrow_mb, 1),
                      "build_seconds": round(t - start, 2), "write_seconds": round(write_s, 2)}
    print("data:", report["data"], flush=True)
    models = fit_models()
    report["inference"] = bench_inference(folder, models, args.accounts)
    print("inference:", json.dumps(report["inference"], indent=1), flush=True)
    shutil.rmtree(folder.parent, ignore_errors=True)
    if not args.skip_grid:
        report["grid_search"] = bench_grid_search()
        print("grid search:", report["grid_search"], flush=True)
        report["pickle_sizes"] = pickle_sizes()
        for name, row in report["pickle_sizes"].items():
            print(f"  {name:22s} unfitted {row['unfitted_bytes']:>7} B   fitted {row['fitted_bytes']}")
    report["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
