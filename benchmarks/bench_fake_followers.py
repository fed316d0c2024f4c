"""Fake-follower detection on the three real sets, and audience-quality estimation.

Measures, in one run:

1. **Kaggle set, 10-fold stratified CV** (shuffled, seed 0): accuracy and ROC AUC
   (mean +- std over folds) of the baseline, a random forest on the 11 raw
   features, against ``FakeFollowerDetector`` (default: HistGradientBoosting +
   derived log-ratio features) and variants; the per-fold AUC difference to the
   baseline; and the same difference over 5 x 10-fold repeated CV.
2. **Within-set CV** (10-fold) on InstaFake and SRF, on the features each records.
3. **Transfer**: train on all of one set, test on another, on the features the
   two sets share; ROC AUC, and the predicted share of fakes against the true one
   (what a naive count would report).
4. **AudienceQuality on synthetic audiences** (``make_audiences``, 400
   influencers x 5 seeds): coverage of the 95 % interval, bias and mean
   absolute error of the share for the adjusted (pacc, acc) and naive (pcc, cc)
   estimators; the same with a detector trained on the three real sets pooled
   (frozen, error rates from the labelled synthetic followers); fit and
   transform time on 1,000 influencers.

Prints tables and writes ``benchmarks/results/fake_followers.json``. Runs
single-threaded (``threadpool_limits(1)``): the fits are small and OpenMP
threads only add contention on a 2-core machine.

Usage::

    python benchmarks/bench_fake_followers.py [--data ../shared/data] [--quick]
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
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold, cross_validate
from threadpoolctl import threadpool_limits

from skinfluence.audience import AudienceQuality, FakeFollowerDetector
from skinfluence.datasets import FAKE_ACCOUNT_COLUMNS, load_fake_accounts
from skinfluence.datasets._audiences import make_audiences

REPO = Path(__file__).resolve().parents[1]
SETS = {"kaggle": "instagram_fake_kaggle", "instafake": "instafake", "srf": "srf_instagram_fake_followers"}


def baseline():
    return RandomForestClassifier(n_estimators=500, random_state=0)


def models():
    return {
        "RandomForest, raw features (baseline)": baseline(),
        "FakeFollowerDetector (default)": FakeFollowerDetector(random_state=0),
        "FakeFollowerDetector(derived_features=False)": FakeFollowerDetector(
            derived_features=False, random_state=0),
        "FakeFollowerDetector(estimator=RandomForest)": FakeFollowerDetector(
            baseline(), random_state=0),
        "FakeFollowerDetector(calibration='isotonic')": FakeFollowerDetector(
            calibration="isotonic", random_state=0),
    }


def load(data_dir):
    out = {}
    for name, folder in SETS.items():
        X, y = load_fake_accounts(Path(data_dir) / folder)
        recorded = [c for c in FAKE_ACCOUNT_COLUMNS if X[c].notna().any()]
        out[name] = (X[recorded], y)
    return out


def fmt(mean, std):
    return f"{mean:.4f} +- {std:.4f}"


def kaggle_cv(sets, quick):
    X, y = sets["kaggle"]
    cv = StratifiedKFold(10, shuffle=True, random_state=0)
    rows, fold_auc = {}, {}
    for name, model in models().items():
        t = time.perf_counter()
        r = cross_validate(model, X, y, cv=cv, scoring=["roc_auc", "accuracy"])
        rows[name] = {
            "auc_mean": r["test_roc_auc"].mean(), "auc_std": r["test_roc_auc"].std(),
            "accuracy_mean": r["test_accuracy"].mean(), "accuracy_std": r["test_accuracy"].std(),
            "seconds": time.perf_counter() - t,
        }
        fold_auc[name] = r["test_roc_auc"]
    base = fold_auc["RandomForest, raw features (baseline)"]
    ours = fold_auc["FakeFollowerDetector (default)"]
    diff = ours - base
    paired = {"auc_diff_mean": diff.mean(), "auc_diff_std": diff.std(),
              "folds_better": int((diff > 0).sum()), "folds_tied": int((diff == 0).sum()),
              "folds": len(diff)}
    n_rep = 2 if quick else 5
    rcv = RepeatedStratifiedKFold(n_splits=10, n_repeats=n_rep, random_state=1)
    a = cross_validate(FakeFollowerDetector(random_state=0), X, y, cv=rcv, scoring="roc_auc")["test_score"]
    b = cross_validate(baseline(), X, y, cv=rcv, scoring="roc_auc")["test_score"]
    repeated = {"repeats": n_rep, "ours_auc_mean": a.mean(), "baseline_auc_mean": b.mean(),
                "auc_diff_mean": (a - b).mean(), "auc_diff_std": (a - b).std(),
                "folds_better": int((a > b).sum()), "folds": len(a)}
    return rows, paired, repeated


def within_cv(sets):
    out = {}
    cv = StratifiedKFold(10, shuffle=True, random_state=0)
    for name in ("instafake", "srf"):
        X, y = sets[name]
        out[name] = {}
        for label, model in (("baseline", baseline()), ("ours", FakeFollowerDetector(random_state=0))):
            r = cross_validate(model, X, y, cv=cv, scoring=["roc_auc", "accuracy"])
            out[name][label] = {"auc_mean": r["test_roc_auc"].mean(), "auc_std": r["test_roc_auc"].std(),
                                "accuracy_mean": r["test_accuracy"].mean(),
                                "features": list(X.columns), "n": len(y), "fake_rate": float(y.mean())}
    return out


def transfer(sets):
    out = []
    for train in sets:
        for test in sets:
            if train == test:
                continue
            Xa, ya = sets[train]
            Xb, yb = sets[test]
            shared = [c for c in Xa.columns if c in Xb.columns]
            row = {"train": train, "test": test, "features": shared,
                   "true_fake_rate": float(yb.mean())}
            for label, model in (("baseline", baseline()), ("ours", FakeFollowerDetector(random_state=0))):
                model.fit(Xa[shared], ya)
                p = model.predict_proba(Xb[shared])[:, 1]
                row[f"{label}_auc"] = roc_auc_score(yb, p)
                row[f"{label}_accuracy"] = accuracy_score(yb, (p >= 0.5).astype(int))
                row[f"{label}_predicted_fake_rate"] = float((p >= 0.5).mean())
            out.append(row)
    return out


def audience_quality(sets, quick):
    seeds = range(2 if quick else 5)
    methods = ("pacc", "acc", "pcc", "cc")
    results = {m: [] for m in methods}
    pooled_X = pd.concat([sets[s][0] for s in sets], ignore_index=True)[list(FAKE_ACCOUNT_COLUMNS)]
    pooled_y = np.concatenate([sets[s][1] for s in sets])
    real_detector = FakeFollowerDetector(random_state=0).fit(pooled_X, pooled_y)
    results["pacc, detector trained on the real sets"] = []
    for seed in seeds:
        data = make_audiences(400, labelled=0.1, random_state=seed)
        truth = data.fake_share
        for method in methods:
            out = AudienceQuality(method=method, random_state=seed).fit_transform(data.accounts)
            results[method].append(_score(out, truth))
        out = AudienceQuality(FrozenEstimator(real_detector)).fit_transform(data.accounts)
        results["pacc, detector trained on the real sets"].append(_score(out, truth))
    summary = {}
    for name, rows in results.items():
        arr = pd.DataFrame(rows)
        summary[name] = {k: float(v) for k, v in arr.mean().items()}
        summary[name]["coverage_min"] = float(arr["coverage"].min())
        summary[name]["coverage_max"] = float(arr["coverage"].max())
        summary[name]["runs"] = len(arr)
    # speed: 1,000 influencers, 50-300 followers each
    data = make_audiences(1000, labelled=0.1, random_state=0)
    n_followers = int(data.n_sampled.sum())
    aq = AudienceQuality(random_state=0)
    t = time.perf_counter()
    aq.fit(data.accounts)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    aq.transform(data.accounts)
    transform_s = time.perf_counter() - t
    timing = {"influencers": 1000, "followers": n_followers,
              "labelled": aq.n_labelled_fake_ + aq.n_labelled_real_,
              "fit_seconds": fit_s, "transform_seconds": transform_s}
    return summary, timing


def _score(out, truth):
    share, low, high = out[:, 0], out[:, 1], out[:, 2]
    ok = ~np.isnan(share)
    return {"coverage": float(((low <= truth) & (truth <= high))[ok].mean()),
            "bias": float((share - truth)[ok].mean()),
            "bias_share_below_0.1": float((share - truth)[ok & (truth < 0.1)].mean()),
            "bias_share_above_0.4": float((share - truth)[ok & (truth > 0.4)].mean()),
            "mae": float(np.abs(share - truth)[ok].mean()),
            "mean_width": float((high - low)[ok].mean())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--quick", action="store_true", help="fewer repeats and seeds")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "fake_followers.json"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with threadpool_limits(limits=1):
        sets = load(args.data)
        rows, paired, repeated = kaggle_cv(sets, args.quick)
        within = within_cv(sets)
        moved = transfer(sets)
        aq_summary, timing = audience_quality(sets, args.quick)

    print("\n## Kaggle set (576 accounts, 288 fake), 10-fold stratified CV, seed 0\n")
    print("| model | ROC AUC | accuracy | time |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {fmt(r['auc_mean'], r['auc_std'])} | "
              f"{fmt(r['accuracy_mean'], r['accuracy_std'])} | {r['seconds']:.1f} s |")
    print(f"\nPer fold, default minus baseline AUC: {fmt(paired['auc_diff_mean'], paired['auc_diff_std'])}; "
          f"better on {paired['folds_better']}/{paired['folds']} folds "
          f"({paired['folds_tied']} tied).")
    print(f"{repeated['repeats']} x 10-fold (seed 1): default {repeated['ours_auc_mean']:.4f}, baseline "
          f"{repeated['baseline_auc_mean']:.4f}, difference {fmt(repeated['auc_diff_mean'], repeated['auc_diff_std'])}, "
          f"better on {repeated['folds_better']}/{repeated['folds']} folds.")

    print("\n## Within-set 10-fold CV (each set's recorded features)\n")
    print("| set | accounts (fake rate) | features | baseline AUC | default AUC |")
    print("|---|---|---|---|---|")
    for name, r in within.items():
        b, o = r["baseline"], r["ours"]
        print(f"| {name} | {b['n']} ({b['fake_rate']:.1%}) | {len(b['features'])} | "
              f"{fmt(b['auc_mean'], b['auc_std'])} | {fmt(o['auc_mean'], o['auc_std'])} |")

    print("\n## Transfer: train on one whole set, test on another (shared features)\n")
    print("| train -> test | shared features | AUC baseline | AUC default | true fake rate | "
          "predicted (default, p >= 0.5) |")
    print("|---|---|---|---|---|---|")
    for r in moved:
        print(f"| {r['train']} -> {r['test']} | {len(r['features'])} | {r['baseline_auc']:.3f} | "
              f"{r['ours_auc']:.3f} | {r['true_fake_rate']:.1%} | {r['ours_predicted_fake_rate']:.1%} |")

    print("\n## AudienceQuality on make_audiences (400 influencers, 50-300 followers, 10 % labelled)\n")
    print("| estimator | coverage of 95 % CI (min-max) | bias | bias, share < 0.1 | bias, share > 0.4 | "
          "MAE | mean width |")
    print("|---|---|---|---|---|---|---|")
    for name, r in aq_summary.items():
        print(f"| {name} | {r['coverage']:.3f} ({r['coverage_min']:.3f}-{r['coverage_max']:.3f}) | "
              f"{r['bias']:+.4f} | {r['bias_share_below_0.1']:+.4f} | {r['bias_share_above_0.4']:+.4f} | "
              f"{r['mae']:.4f} | {r['mean_width']:.3f} |")
    print(f"\nAudienceQuality on {timing['influencers']} influencers / {timing['followers']:,} sampled "
          f"followers ({timing['labelled']:,} labelled): fit {timing['fit_seconds']:.2f} s "
          f"(detector + 5-fold error rates), transform {timing['transform_seconds']:.2f} s.")

    result = {
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpu_count": os.cpu_count(), "sklearn": sklearn.__version__, "threads": 1},
        "kaggle_cv": rows, "kaggle_paired": paired, "kaggle_repeated": repeated,
        "within_set_cv": within, "transfer": moved,
        "audience_quality": aq_summary, "audience_quality_timing": timing,
        "total_seconds": time.perf_counter() - started,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, default=float))
    print(f"\nwrote {args.out} ({result['total_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
