"""PairwiseRanker on PeerIndex ("who is more influential"): quality and cost against the baselines.

10-fold stratified cross-validation on the 4,400 labelled pairs of ``train.csv`` (the same
folds for every model), AUC and accuracy as mean +- standard deviation over the folds, for:

1. raw LightGBM on the 22 columns (``LGBMClassifier`` defaults; the common baseline);
2. logistic regression on the 11 log-differences (standardised; the other common baseline);
3. ``PairwiseRanker()`` (defaults: LightGBM, ``features="item"``);
4. ``PairwiseRanker`` tuned by Bayesian search (optuna-integration's ``OptunaSearchCV``, TPE
   sampler) **inside** each outer fold (nested CV: the search sees only the outer training
   pairs, with its own inner 3-fold CV), so the reported score is not inflated by tuning;
5. ``PairwiseRanker(strengths=True)``: per-account Bradley-Terry strengths on top;

plus the swappable base (logistic regression on log-differences through PairwiseRanker, with
and without strengths; plain ``LGBMClassifier`` on the raw sides, trained on both orientations
and symmetrised) and the other pair-feature modes. Every model uses one thread
(``n_jobs=1``), so times compare like with like.

Cost: fit and predict time of ``PairwiseRanker()`` against raw LightGBM with the same
booster settings, on the same rows in the same run (per-fold best of ``--repeat`` runs,
alternating the two, summed over folds), and predict time on the 5,952 pairs of
``test.csv``. Finally one more search on all labelled pairs records the parameters to use
for a final model.

Usage::

    python benchmarks/bench_peerindex.py [--data ../shared/data/peerindex] [--trials 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skinfluence.datasets import PEERINDEX_FEATURES, load_peerindex
from skinfluence.ranking import PairwiseRanker

REPO = Path(__file__).resolve().parents[1]
A_COLS = [f"A_{f}" for f in PEERINDEX_FEATURES]
B_COLS = [f"B_{f}" for f in PEERINDEX_FEATURES]


def log_differences(X):
    return np.log1p(X[A_COLS].to_numpy()) - np.log1p(X[B_COLS].to_numpy())


def search_space():
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        "n_estimators": IntDistribution(50, 800, log=True),
        "learning_rate": FloatDistribution(0.01, 0.3, log=True),
        "num_leaves": IntDistribution(4, 64, log=True),
        "min_child_samples": IntDistribution(5, 200, log=True),
        "subsample": FloatDistribution(0.5, 1.0),
        "colsample_bytree": FloatDistribution(0.4, 1.0),
        "reg_lambda": FloatDistribution(1e-3, 30.0, log=True),
    }


def bayes_search(trials, inner_folds, seed, n_jobs):
    from optuna_integration import OptunaSearchCV

    return OptunaSearchCV(
        PairwiseRanker(subsample_freq=1, n_jobs=n_jobs, random_state=seed),
        search_space(), cv=StratifiedKFold(inner_folds, shuffle=True, random_state=seed),
        scoring="roc_auc", n_trials=trials, random_state=seed, verbose=0,
    )


def models(args):
    import lightgbm as lgb

    lr = LogisticRegression(max_iter=2000)
    j, s = args.n_jobs, args.seed
    return {
        "raw LightGBM, 22 columns": lambda: lgb.LGBMClassifier(n_jobs=j, random_state=s, verbose=-1),
        "logistic regression, log-differences": lambda: make_pipeline(
            FunctionTransformer(log_differences), StandardScaler(), LogisticRegression(max_iter=2000)),
        "PairwiseRanker default": lambda: PairwiseRanker(n_jobs=j, random_state=s),
        "PairwiseRanker tuned (nested Bayesian search)": lambda: bayes_search(
            args.trials, args.inner_folds, s, j),
        "PairwiseRanker + strengths": lambda: PairwiseRanker(strengths=True, n_jobs=j, random_state=s),
        "PairwiseRanker(LogisticRegression), logdiff": lambda: PairwiseRanker(
            lr, features="logdiff", random_state=s),
        "PairwiseRanker(LogisticRegression), logdiff + strengths": lambda: PairwiseRanker(
            lr, features="logdiff", strengths=True, random_state=s),
        "PairwiseRanker features=logdiff": lambda: PairwiseRanker(
            features="logdiff", n_jobs=j, random_state=s),
        "PairwiseRanker features=ratio": lambda: PairwiseRanker(
            features="ratio", n_jobs=j, random_state=s),
        "PairwiseRanker features=raw": lambda: PairwiseRanker(features="raw", n_jobs=j, random_state=s),
        "PairwiseRanker features=[item, logdiff]": lambda: PairwiseRanker(
            features=["item", "logdiff"], n_jobs=j, random_state=s),
        "PairwiseRanker(LGBMClassifier), features=raw": lambda: PairwiseRanker(
            lgb.LGBMClassifier(n_jobs=j, random_state=s, verbose=-1), features="raw"),
    }


def evaluate(make, X, y, folds):
    aucs, accs, fit_s, extra = [], [], 0.0, []
    for train, test in folds:
        est = make()
        t = time.perf_counter()
        est.fit(X.iloc[train], y[train])
        fit_s += time.perf_counter() - t
        proba = est.predict_proba(X.iloc[test])[:, 1]
        aucs.append(roc_auc_score(y[test], proba))
        accs.append(accuracy_score(y[test], est.predict(X.iloc[test])))
        if hasattr(est, "best_params_"):
            extra.append({"best_params": est.best_params_, "inner_cv_auc": est.best_score_})
    return {"auc": aucs, "accuracy": accs, "fit_seconds_total": fit_s, "folds": extra}


def alternate(fns, repeat):
    """Best-of-``repeat`` seconds of each function, run in turn (fair under machine load)."""
    best = [np.inf] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def fit_new(make, X, y):
    return make().fit(X, y)


def cost(X, y, X_test, folds, args):
    """Fit and predict seconds of PairwiseRanker() vs raw LightGBM, same rows, same run."""
    import lightgbm as lgb

    def raw():
        return lgb.LGBMClassifier(n_jobs=args.n_jobs, random_state=args.seed, verbose=-1)

    def ours():
        return PairwiseRanker(n_jobs=args.n_jobs, random_state=args.seed)

    seconds = dict.fromkeys(("raw_fit", "ours_fit", "raw_predict", "ours_predict"), 0.0)
    for train, test in folds:
        Xtr, ytr, Xte = X.iloc[train], y[train], X.iloc[test]
        r, o = alternate([partial(fit_new, raw, Xtr, ytr), partial(fit_new, ours, Xtr, ytr)],
                         args.repeat)
        seconds["raw_fit"] += r
        seconds["ours_fit"] += o
        fitted_raw, fitted_ours = raw().fit(Xtr, ytr), ours().fit(Xtr, ytr)
        r, o = alternate([partial(fitted_raw.predict_proba, Xte),
                          partial(fitted_ours.predict_proba, Xte)], args.repeat)
        seconds["raw_predict"] += r
        seconds["ours_predict"] += o
    fitted_raw, fitted_ours = raw().fit(X, y), ours().fit(X, y)
    r, o = alternate([partial(fitted_raw.predict_proba, X_test),
                      partial(fitted_ours.predict_proba, X_test)], args.repeat)
    seconds["raw_predict_test_csv"], seconds["ours_predict_test_csv"] = r, o
    ratios = {
        "fit": seconds["ours_fit"] / seconds["raw_fit"],
        "predict": seconds["ours_predict"] / seconds["raw_predict"],
        "fit_and_predict": (seconds["ours_fit"] + seconds["ours_predict"])
        / (seconds["raw_fit"] + seconds["raw_predict"]),
        "predict_test_csv": seconds["ours_predict_test_csv"] / seconds["raw_predict_test_csv"],
    }
    return seconds, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "peerindex"))
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=40, help="Bayesian-search trials per search")
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5, help="timing: best of this many runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="run only models whose name contains these")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results") / "peerindex.json"))
    args = parser.parse_args()

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    X, y = load_peerindex(args.data, return_X_y=True)
    X_test = load_peerindex(Path(args.data) / "test.csv")
    y = np.asarray(y)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(X, y))
    sides = np.vstack([X[A_COLS].to_numpy(), X[B_COLS].to_numpy()])
    n_accounts = len(np.unique(sides, axis=0))

    results = {}
    print(f"PeerIndex train.csv: {len(X):,} pairs, {n_accounts:,} distinct accounts (identical "
          f"feature vectors); {args.folds}-fold stratified CV, seed {args.seed}; "
          f"{os.cpu_count()} CPU(s), n_jobs={args.n_jobs}")
    print(f"{'model':58s} {'AUC':>16s} {'accuracy':>16s} {'fit s':>8s}")
    for name, make in models(args).items():
        if args.only and not any(o in name for o in args.only):
            continue
        t = time.perf_counter()
        res = evaluate(make, X, y, folds)
        res["wall_seconds"] = time.perf_counter() - t
        results[name] = res
        auc, acc = np.array(res["auc"]), np.array(res["accuracy"])
        print(f"{name:58s} {auc.mean():.4f} ± {auc.std():.4f} {acc.mean():.4f} ± {acc.std():.4f} "
              f"{res['fit_seconds_total']:8.1f}", flush=True)

    seconds, ratios = cost(X, y, X_test, folds, args)
    print(f"\ncost on the same rows (sum over {args.folds} folds, best of {args.repeat}; one thread):")
    print(f"  fit      raw LightGBM {seconds['raw_fit']:.3f} s  PairwiseRanker {seconds['ours_fit']:.3f} s"
          f"  ratio {ratios['fit']:.2f}x")
    print(f"  predict  raw LightGBM {seconds['raw_predict']:.4f} s  PairwiseRanker "
          f"{seconds['ours_predict']:.4f} s  ratio {ratios['predict']:.2f}x")
    print(f"  fit + predict ratio {ratios['fit_and_predict']:.2f}x")
    print(f"  predict test.csv ({len(X_test):,} pairs): raw {seconds['raw_predict_test_csv']:.4f} s, "
          f"ours {seconds['ours_predict_test_csv']:.4f} s, ratio {ratios['predict_test_csv']:.2f}x")

    final = None
    if not args.only:
        t = time.perf_counter()
        search = bayes_search(args.trials, args.inner_folds, args.seed, args.n_jobs).fit(X, y)
        final = {"best_params": search.best_params_, "inner_cv_auc": search.best_score_,
                 "seconds": time.perf_counter() - t}
        print(f"\nsearch on all {len(X):,} pairs ({args.trials} trials, {args.inner_folds}-fold): "
              f"inner CV AUC {search.best_score_:.4f} (optimistic: tuned on these folds)")
        print(f"  best params: {search.best_params_}")

    out = Path(args.out)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "data": "PeerIndex train.csv (4,400 labelled pairs)", "n_pairs": len(X),
        "n_distinct_accounts": int(n_accounts), "folds": args.folds, "seed": args.seed,
        "search": {"library": "optuna-integration OptunaSearchCV (TPE)", "trials": args.trials,
                   "inner_folds": args.inner_folds, "space": {k: repr(v) for k, v in search_space().items()},
                   "protocol": "nested: one search per outer fold on its training pairs"},
        "models": {k: {**v, "auc_mean": float(np.mean(v["auc"])), "auc_std": float(np.std(v["auc"])),
                       "accuracy_mean": float(np.mean(v["accuracy"])),
                       "accuracy_std": float(np.std(v["accuracy"]))} for k, v in results.items()},
        "cost_seconds": seconds, "cost_ratios": ratios, "final_search": final,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "pandas": pd.__version__, "sklearn": sklearn.__version__,
                    "lightgbm": __import__("lightgbm").__version__,
                    "optuna": __import__("optuna").__version__},
    }, indent=2, default=float))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
