"""PostEncoder benchmark: ``PostEncoder.transform`` with two extractors, before and after a change.

Measures, in one run and on the same data, ``PostEncoder.transform`` of two source
trees (this checkout, and an older commit checked out elsewhere, e.g. with
``git worktree add /tmp/old <commit>``):

- ``stats+embedder``: ``TextStats()`` and ``SentenceEmbedder`` (all-MiniLM-L6-v2)
  side by side, with a warm embedding cache (every caption was encoded before the
  timed calls: what a grid search or a second ``transform`` sees), plus
  ``engagement_fields=["likes", "comments"]`` and ``label_field="label"``;
- ``light stats``: ``TextStats(features=["chars"])`` and ``TextStats(features=["no_text"])``
  on a larger frame: cheap per-post work, so the share of the frame handling
  (validation, Arrow conversion, flattening, the extra per-post arrays) shows.

Each tree runs in its own long-lived Python process (the two cannot be imported in
one). The parent drives them in lock-step, one ``transform`` of the old tree, then
one of the new, ``--repeat`` times, so that both see the same load of a shared
machine; it reports the best and the median call of each, and checks that the two
trees' outputs are identical. The shared embedding cache
lives in a temporary folder (``cache_dir``), filled once before the timed runs.

Prints a table and writes ``benchmarks/results/post_encoder.json``.

Usage::

    git worktree add /tmp/old 23180cb
    python benchmarks/bench_post_encoder.py --old-tree /tmp/old [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEW_TREE = HERE.parent

CONFIGS = {
    # name -> (n_accounts, posts per account (low, high))
    "stats+embedder": (400, (0, 30)),
    "light stats": (3000, (0, 30)),
}


def make_frame(config: str):
    from skinfluence.datasets import make_creators

    n_accounts, n_posts = CONFIGS[config]
    return make_creators(n_accounts, n_posts=n_posts, random_state=0).accounts


def make_encoder(config: str, cache_dir: str):
    from skinfluence import PostEncoder, SentenceEmbedder, TextStats

    if config == "stats+embedder":
        extractors = [("stats", TextStats()),
                      ("text", SentenceEmbedder(device="cpu", cache_dir=cache_dir))]
    else:
        extractors = [("chars", TextStats(features=["chars"])),
                      ("blank", TextStats(features=["no_text"]))]
    return PostEncoder(extractors, engagement_fields=["likes", "comments"], label_field="label")


def worker(args) -> None:
    """Serve timed ``PostEncoder.transform`` calls of the skinfluence importable here.

    Prints one JSON line when ready (the output's description), then, for each line
    ``time`` read on stdin, runs one ``transform`` and prints its duration; ``quit`` ends.
    """
    import numpy as np
    import torch

    torch.set_num_threads(1)
    import skinfluence

    frame = make_frame(args.config)
    encoder = make_encoder(args.config, args.cache_dir).fit(frame)
    out = encoder.transform(frame)  # warm-up: loads the model and reads the embedding cache
    np.save(args.output, out.values)
    print(json.dumps({
        "tree": str(Path(skinfluence.__file__).resolve().parent.parent),
        "n_posts": int(out.n_posts), "n_accounts": int(out.n_accounts),
        "feature_names": list(map(str, out.feature_names)),
        "offsets_sum": int(out.offsets.sum()), "mask_sum": int(out.mask.sum()),
    }), flush=True)
    for line in sys.stdin:
        if line.strip() != "time":
            break
        start = time.perf_counter()
        encoder.transform(frame)
        print(time.perf_counter() - start, flush=True)


def start_worker(tree: Path, config: str, cache_dir: str, output: str) -> tuple:
    env = dict(os.environ, PYTHONPATH=str(tree), HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--config", config,
           "--cache-dir", cache_dir, "--output", output]
    proc = subprocess.Popen(cmd, env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise RuntimeError(f"the worker for {tree} failed (exit code {proc.returncode})")
    return proc, json.loads(line)


def timed_call(proc) -> float:
    proc.stdin.write("time\n")
    proc.stdin.flush()
    return float(proc.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old-tree", type=Path, help="checkout of the commit to compare with")
    parser.add_argument("--old-label", default="23180cb", help="name of the old tree in the results")
    parser.add_argument("--repeat", type=int, default=30, help="paired calls per config")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", default="light stats", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.old_tree is None:
        parser.error("--old-tree is required")

    import numpy as np

    trees = {"old": args.old_tree.resolve(), "new": NEW_TREE}
    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = str(Path(tmp) / "embeddings")
        for config in CONFIGS:
            procs, info, times = {}, {}, {"old": [], "new": []}
            try:
                for name, tree in trees.items():  # one after the other: the first fills the cache
                    out_file = str(Path(tmp) / f"{config}-{name}.npy")
                    procs[name], info[name] = start_worker(tree, config, cache_dir, out_file)
                for _ in range(args.repeat):  # paired calls, old and new in lock-step
                    for name in trees:
                        times[name].append(timed_call(procs[name]))
            finally:
                for proc in procs.values():
                    proc.stdin.write("quit\n")
                    proc.stdin.close()
                    proc.wait()
            best = {name: min(t) for name, t in times.items()}
            median = {name: float(np.median(t)) for name, t in times.items()}
            same = (info["old"]["feature_names"] == info["new"]["feature_names"]
                    and info["old"]["offsets_sum"] == info["new"]["offsets_sum"]
                    and info["old"]["mask_sum"] == info["new"]["mask_sum"]
                    and np.array_equal(np.load(Path(tmp) / f"{config}-old.npy"),
                                       np.load(Path(tmp) / f"{config}-new.npy")))
            old_s, new_s = best["old"], best["new"]
            results[config] = {
                "accounts": info["new"]["n_accounts"], "posts": info["new"]["n_posts"],
                "features": len(info["new"]["feature_names"]),
                "seconds": {args.old_label: old_s, "new": new_s},
                "median_seconds": {args.old_label: median["old"], "new": median["new"]},
                "speedup": old_s / new_s, "median_speedup": median["old"] / median["new"],
                "identical_output": bool(same),
            }
            print(f"{config:16s} {info['new']['n_posts']:7d} posts   old {old_s:7.4f} s   "
                  f"new {new_s:7.4f} s   x{old_s / new_s:4.2f} (medians x"
                  f"{median['old'] / median['new']:4.2f})   identical output: {same}")
    import pandas as pd
    import pyarrow
    import sklearn

    record = {
        "cpus": os.cpu_count(), "python": platform.python_version(), "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__, "sklearn": sklearn.__version__,
        "repeat": args.repeat, "torch_threads": 1,
        "command": "python benchmarks/bench_post_encoder.py --old-tree <checkout of "
                   f"{args.old_label}> --repeat {args.repeat}",
        "load_average": {
            "before": list(load_before), "after": list(os.getloadavg()),
            "note": "1/5/15-minute load averages; the machine is shared with other jobs, so "
                    "absolute times are pessimistic, while old and new alternate within this run",
        },
        "results": results,
    }
    path = HERE / "results" / "post_encoder.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
