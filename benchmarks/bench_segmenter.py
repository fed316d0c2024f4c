"""Auto-k segmentation: KMeansSegmenter against the plain scikit-learn loop.

Data: synthetic creators (``make_creators``, 5-15 posts each) turned into 10
account features (followers + 9 EngagementAggregator features; missing
engagement rates of zero-follower accounts imputed by the median).

Rows of the table:

1. ``KMeansSegmenter(n_clusters="auto")`` on 100,000 accounts, k in 2..10
   (goal: under 30 s on 2 cores), everything included (log, scaling, 9 k-means
   fits, silhouettes on a 10,000-account sample, profiles, names).
2. peer, 100,000 accounts: the loop a user writes, on the same scaled matrix:
   ``KMeans(k, n_init=3)`` + ``silhouette_score(Z, labels, sample_size=10_000)``
   for each k.
3. peer with the *full* silhouette (``silhouette_score(Z, labels)``) on
   20,000 accounts (quadratic: infeasible at 100,000), against the segmenter
   on the same 20,000 accounts with the exact silhouette
   (``silhouette_sample_size=None``).
4. the silhouette alone on identical labelings (the peer's KMeans solution
   for each k): skinfluence's shared distance pass against 9 calls of
   ``silhouette_score``; the largest difference, and the error of the
   10,000-account sample against the full silhouette.

Run ``python benchmarks/bench_segmenter.py`` (``--quick`` for a smoke run);
writes ``benchmarks/results/segmenter.json``.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.metrics import adjusted_rand_score, silhouette_score

from skinfluence import EngagementAggregator, make_creators
from skinfluence.segmentation import KMeansSegmenter
from skinfluence.segmentation._kmeans import _silhouettes

RESULTS = Path(__file__).resolve().parent / "results" / "segmenter.json"
FEATURES = ["engagement_rate", "likes_median", "comments_median", "views_median", "shares_median",
            "engagement_cv", "posts_per_week", "growth_slope", "recency_days"]
K_RANGE = (2, 10)


def account_features(n, seed=0):
    data = make_creators(n, n_posts=(5, 15), random_state=seed)
    agg = EngagementAggregator(features=FEATURES).fit_transform(data.accounts)
    X = np.column_stack([data.accounts["followers"].to_numpy(dtype=float), agg])
    return SimpleImputer(strategy="median").fit_transform(X), data.tier


def best_of(repeats, fn):
    """Best wall time of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def peer_loop(Z, sample_size, seed=0):
    """The loop a user writes: KMeans per k, then sklearn's silhouette_score (timed apart)."""
    scores, labels, t_km, t_sil = {}, {}, 0.0, 0.0
    for k in range(K_RANGE[0], K_RANGE[1] + 1):
        t = time.perf_counter()
        km = KMeans(k, n_init=3, random_state=seed).fit(Z)
        t_km += time.perf_counter() - t
        t = time.perf_counter()
        scores[k] = float(silhouette_score(Z, km.labels_, sample_size=sample_size, random_state=seed))
        t_sil += time.perf_counter() - t
        labels[k] = km.labels_
    best = max(scores, key=scores.get)
    return {"k": best, "scores": scores, "labels": labels, "t_kmeans": t_km, "t_silhouette": t_sil}


def best_peer(repeats, Z, sample_size):
    runs = [peer_loop(Z, sample_size) for _ in range(repeats)]
    fastest = min(runs, key=lambda r: r["t_kmeans"] + r["t_silhouette"])
    return fastest["t_kmeans"] + fastest["t_silhouette"], fastest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    args = parser.parse_args()
    n_big, n_small, repeats = (20_000, 5_000, 1) if args.quick else (100_000, 20_000, 3)
    load = os.getloadavg()[0]
    rows = []

    def row(method, n, t, k, sil, t_km=None, t_sil=None):
        rows.append({"method": method, "n": n, "time_s": t, "k": k, "silhouette": sil,
                     "kmeans_s": t_km, "silhouette_s": t_sil})

    X, _ = account_features(n_big)
    print(f"{n_big:,} accounts x {X.shape[1]} features (load average {load:.2f}); best of {repeats}")
    t_ours, seg = best_of(repeats, lambda: KMeansSegmenter(
        random_state=0, followers_feature=0, engagement_feature=1).fit(X))
    row("KMeansSegmenter auto-k (sample 10,000)", n_big, t_ours, seg.n_clusters_, seg.silhouette_)
    Z = seg._space(X)  # the same log + scaling, for the peer
    t_peer, peer = best_peer(repeats, Z, 10_000)
    row("peer: KMeans + silhouette_score(sample_size=10,000)", n_big, t_peer, peer["k"],
        peer["scores"][peer["k"]], peer["t_kmeans"], peer["t_silhouette"])
    ari_big = adjusted_rand_score(seg.labels_, peer["labels"][peer["k"]])
    # the silhouettes alone, on the peer's labelings and the same 10,000 accounts
    sample = np.sort(np.random.RandomState(0).choice(n_big, min(10_000, n_big), replace=False))
    labelings = list(peer["labels"].values())
    t_sh, _ = best_of(repeats, lambda: _silhouettes(Z[sample], [lab[sample] for lab in labelings]))
    row(f"  silhouettes only, {len(labelings)} labelings on a 10,000 sample: shared pass",
        n_big, t_sh, 0, float("nan"))

    Xs = X[:n_small]
    t_exact, seg_exact = best_of(repeats, lambda: KMeansSegmenter(
        random_state=0, silhouette_sample_size=None).fit(Xs))
    row("KMeansSegmenter auto-k, exact silhouette", n_small, t_exact, seg_exact.n_clusters_,
        seg_exact.silhouette_)
    Zs = seg_exact._space(Xs)
    t_full, full = best_peer(1 if n_small > 10_000 else repeats, Zs, None)
    row("peer: KMeans + full silhouette_score", n_small, t_full, full["k"],
        full["scores"][full["k"]], full["t_kmeans"], full["t_silhouette"])
    labelings = list(full["labels"].values())
    t_sil_ours, ours = best_of(repeats, lambda: _silhouettes(Zs, labelings))
    row(f"  silhouettes only, {len(labelings)} labelings, exact: shared pass", n_small, t_sil_ours,
        0, float("nan"))
    exact_gap = float(np.max(np.abs(np.subtract(ours, list(full["scores"].values())))))
    m = 10_000 if n_small > 10_000 else n_small // 2  # --quick: half the accounts
    sub = np.sort(np.random.RandomState(0).choice(n_small, m, replace=False))
    sampled = _silhouettes(Zs[sub], [lab[sub] for lab in labelings])
    sample_gap = float(np.max(np.abs(np.subtract(sampled, list(full["scores"].values())))))

    def fmt(v, spec):
        return f"{v:{spec}}" if v is not None and np.isfinite(v) else "-"

    print(f"\n{'method':72s} {'n':>8s} {'time':>8s} {'k-means':>8s} {'silh.':>8s} {'k':>3s} "
          f"{'silhouette':>10s}")
    for r in rows:
        print(f"{r['method']:72s} {r['n']:8,d} {r['time_s']:7.2f}s {fmt(r['kmeans_s'], '7.2f'):>8s} "
              f"{fmt(r['silhouette_s'], '7.2f'):>8s} {str(r['k'] or '-'):>3s} "
              f"{fmt(r['silhouette'], '10.3f'):>10s}")
    print(f"\nsilhouette per k, ours (sample) at {n_big:,}: "
          + ", ".join(f"{k}: {v:.3f}" for k, v in seg.silhouette_scores_.items()))
    print(f"silhouette per k, peer (sample) at {n_big:,}: "
          + ", ".join(f"{k}: {v:.3f}" for k, v in peer["scores"].items()))
    print(f"agreement of the kept segmentations at {n_big:,} (ARI, ours vs peer): {ari_big:.3f}")
    print(f"at {n_small:,}, same labelings: max |ours exact - sklearn full| = {exact_gap:.1e}; "
          f"max |{m:,}-sample - full| = {sample_gap:.4f}")
    sizes = dict(zip(seg.segment_names_, np.bincount(seg.labels_).tolist(), strict=True))
    print(f"segments at {n_big:,}: {sizes}")

    result = {
        "benchmark": "segmenter auto-k",
        "machine": f"{os.cpu_count()} CPU cores, no GPU, {platform.python_version()}, "
                   f"numpy {np.__version__}, scikit-learn {sklearn.__version__}",
        "load_average_at_start": load,
        "repeats": repeats,
        "k_range": list(K_RANGE),
        "rows": rows,
        "silhouette_per_k_ours": seg.silhouette_scores_,
        "silhouette_per_k_peer_sampled": peer["scores"],
        "silhouette_per_k_full_small": full["scores"],
        "ari_ours_vs_peer_big": ari_big,
        "max_abs_exact_minus_sklearn_full": exact_gap,
        "max_abs_sampled_minus_full": sample_gap,
        "segment_sizes_big": sizes,
        "segments_big": seg.segment_profiles_[["name", "size", "share"]].to_dict("records"),
    }
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2, default=float) + "\n")
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
