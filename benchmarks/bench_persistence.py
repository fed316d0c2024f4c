"""Persistence benchmark: skops (``skinfluence.persistence``) against joblib, in one run.

For three fitted models:

- ``AttentiveProfiler``: per-post text statistics of 400 synthetic creators
  (``PostEncoder`` + ``TextStats``), hidden size 128, 5 epochs, on the CPU;
- ``PairwiseRanker``: LightGBM on 3,000 account pairs, 200 trees;
- ``embedding pipeline``: ``PostEncoder`` with ``TextStats`` and ``SentenceEmbedder``
  (all-MiniLM-L6-v2, offline: ``HF_HUB_OFFLINE=1``), then ``PostPooler``;

it measures the save time, the load time, the first output after loading (the
embedder loads its model by name then, in both formats) and the file size, for
``skinfluence.persistence.save``/``load`` and for ``joblib.dump``/``joblib.load``
(no compression), alternating the two formats ``--repeat`` times; it reports the best
and the median, and checks that both loaded models give the fitted model's output.

Prints a table and writes ``benchmarks/results/persistence.json``.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/bench_persistence.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import joblib
import numpy as np

HERE = Path(__file__).resolve().parent


def _profiler():
    from skinfluence import AttentiveProfiler, PostEncoder, TextStats
    from skinfluence.datasets import make_creators

    X, y = make_creators(400, random_state=0, return_X_y=True)
    posts = PostEncoder([("stats", TextStats(pooling=None))]).fit_transform(X)
    model = AttentiveProfiler(hidden_size=128, attention_size=64, head_hidden_size=128,
                              max_epochs=5, device="cpu", random_state=0).fit(posts, y)
    return model, posts, "predict_proba"


def _pair_ranker():
    from skinfluence import PairwiseRanker, make_pairs
    from skinfluence.datasets import make_creators

    X, _ = make_creators(400, random_state=0, return_X_y=True)
    items = X[["account_id", "followers", "following", "n_posts"]]
    rng = np.random.default_rng(0)
    a = rng.integers(0, len(items), 3000)
    b = (a + rng.integers(1, len(items), 3000)) % len(items)
    ids = items["account_id"].to_numpy()
    pairs = make_pairs(items, np.column_stack([ids[a], ids[b]]))
    y = (items["followers"].to_numpy()[a] * rng.uniform(0.5, 1.5, 3000)
         > items["followers"].to_numpy()[b]).astype(int)
    model = PairwiseRanker(n_estimators=200, n_jobs=1).fit(pairs, y)
    return model, pairs, "predict_proba"


def _embedding_pipeline():
    from sklearn.pipeline import make_pipeline

    from skinfluence import PostEncoder, PostPooler, SentenceEmbedder, TextStats
    from skinfluence.datasets import make_creators

    X, _ = make_creators(100, n_posts=(0, 5), random_state=0, return_X_y=True)
    model = make_pipeline(
        PostEncoder([("stats", TextStats(pooling=None)),
                     ("text", SentenceEmbedder(device="cpu", pooling=None, cache=False))]),
        PostPooler(),
    ).fit(X)
    return model, X, "transform"


MODELS = {"AttentiveProfiler": _profiler, "PairwiseRanker": _pair_ranker,
          "embedding pipeline": _embedding_pipeline}


def _skops_io():
    from skinfluence.persistence import load, save

    return save, load


def _joblib_io():
    return (lambda est, path: joblib.dump(est, path)), joblib.load


def _time(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _clear_model_caches():
    # the embedder keeps loaded models per process: forget them so each load reloads
    from skinfluence import SentenceEmbedder

    SentenceEmbedder.clear_cache(models=True)


def bench(name, repeat, folder):
    model, X, method = MODELS[name]()
    expected = np.asarray(getattr(model, method)(X))
    formats = {"skops": _skops_io(), "joblib": _joblib_io()}
    times = {f: {"save": [], "load": [], "first_output": []} for f in formats}
    sizes = {}
    for _ in range(repeat):
        for fmt, (save, load) in formats.items():  # alternating: the same machine load
            path = os.path.join(folder, f"model.{fmt}")
            t_save, _ = _time(lambda save=save, path=path: save(model, path))
            _clear_model_caches()
            t_load, loaded = _time(lambda load=load, path=path: load(path))
            t_out, out = _time(lambda loaded=loaded: getattr(loaded, method)(X))
            np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6, atol=1e-7,
                                       err_msg=f"{name}: {fmt} round trip changed the output")
            times[fmt]["save"].append(t_save)
            times[fmt]["load"].append(t_load)
            times[fmt]["first_output"].append(t_out)
            sizes[fmt] = os.path.getsize(path)
    return {
        fmt: {
            **{f"{k}_best_s": min(v) for k, v in times[fmt].items()},
            **{f"{k}_median_s": statistics.median(v) for k, v in times[fmt].items()},
            "size_bytes": sizes[fmt],
        }
        for fmt in formats
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    from importlib.metadata import version

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in MODELS:
            start = time.perf_counter()
            results[name] = bench(name, args.repeat, folder)
            print(f"# {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    header = f"{'model':<20} {'format':<7} {'save ms':>9} {'load ms':>9} {'1st out ms':>11} {'size KiB':>10}"
    print(header)
    print("-" * len(header))
    for name, by_format in results.items():
        for fmt, r in by_format.items():
            print(f"{name:<20} {fmt:<7} {1e3 * r['save_best_s']:>9.1f} {1e3 * r['load_best_s']:>9.1f} "
                  f"{1e3 * r['first_output_best_s']:>11.1f} {r['size_bytes'] / 1024:>10.1f}")
    print(f"(best of {args.repeat}; medians in the JSON)")
    out = {
        "benchmark": "persistence",
        "repeat": args.repeat,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg": os.getloadavg()},
        "versions": {d: version(d) for d in ("skops", "joblib", "torch", "lightgbm",
                                             "scikit-learn")},
        "results": results,
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "persistence.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
