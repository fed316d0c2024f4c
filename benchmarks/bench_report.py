"""The HTML report's size and build time as the number of creators grows.

For each size, synthetic creators (``make_creators``, 2-4 posts each) with a follower
sample each (``make_audiences``, 5-15 followers) get cheap fitted models (a 10-tree
``PairwiseRanker``, ``AudienceQuality`` with a small detector, a 2-epoch
``AttentiveProfiler`` on 32-dimension caption features, a 4-segment ``KMeansSegmenter``);
``build_report`` then writes the page. Printed and saved to
``benchmarks/results/report.json``: the file size (and how much of it is pictures and
CSV downloads) and the seconds ``build_report`` + ``write`` took (the models are fitted
before the clock starts).

Usage::

    python benchmarks/bench_report.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def one(n: int) -> dict:
    from test_report import _tiny_models

    from skinfluence.datasets import make_audiences, make_creators
    from skinfluence.report import build_report, default_segmenter

    data = make_creators(n, n_topics=4, n_posts=(2, 4), random_state=0)
    topic = data.topic
    data = make_audiences(creators=data, followers_per_sample=(5, 15), labelled=0.3,
                          random_state=0)
    data.topic = topic
    ranker, audience, profiler = _tiny_models(data)
    segmenter = default_segmenter().set_params(kmeanssegmenter__n_clusters=4,
                                               kmeanssegmenter__silhouette_sample_size=500)
    segmenter.fit(data.accounts)
    t0 = time.perf_counter()
    report = build_report(data.accounts, segmenter=segmenter, ranker=ranker, audience=audience,
                          profiler=profiler)
    path = report.write(Path(tempfile.mkdtemp()) / "report.html")
    seconds = time.perf_counter() - t0
    page = Path(path).read_text(encoding="utf-8")
    images = sum(len(m) for m in re.findall(r"data:image/png;base64,[^\"]+", page))
    csv = sum(len(m) for m in re.findall(r"data:text/csv;base64,[^\"]+", page))
    return {"creators": n, "bytes": os.path.getsize(path), "image_bytes": images,
            "csv_bytes": csv, "table_rows_on_page": page.count("<tr>"),
            "seconds": round(seconds, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        row = one(n)
        rows.append(row)
        print(f"{n:>7,} creators: {row['bytes'] / 1e6:5.2f} MB (pictures "
              f"{row['image_bytes'] / 1e6:.2f} MB, CSV downloads {row['csv_bytes'] / 1e6:.2f} MB), "
              f"{row['table_rows_on_page']} table rows on the page, {row['seconds']} s",
              flush=True)
    out = HERE / "results" / "report.json"
    out.write_text(json.dumps({"machine": "shared 2-core VM, loaded", "rows": rows}, indent=1))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
