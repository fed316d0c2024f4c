"""Emerging creators: who grows fastest next, predicted from earlier snapshots only.

Data: the monthly "top 1000" lists of ``social_media_influencers_2022`` (undated
release dated 2022-02-15, June, September, November, December 2022), per platform,
read with ``load_influencer_snapshots``. The task (``growth_dataset``): for a cutoff
and a later list, rank the accounts of the cutoff's list that are still in the later
one by their log growth of followers per month in between, from their snapshots up
to the cutoff.

Scores: Spearman correlation with the realised growth, precision@50 and NDCG@50
(top-50 realised growers; percentile gain) and the emerging hit rate (top 10 %
growers among the accounts below the list's median size), each with a 95 %
bootstrap interval (accounts resampled, ``--resamples`` times) and, for the model,
the paired interval of its gain over momentum.

Rankers, in the same run:

- model: ``GrowthFeatures`` + ``HistGradientBoostingRegressor`` trained on every
  period whose target is realised by the cutoff (``RollingCutoffSplit``);
- momentum: last period's monthly growth (``growth_last``; accounts new to the list,
  with no earlier growth, get the median);
- size prior: smaller grows faster (``-log followers``);
- random.

Evaluations: the headline one (features up to September, growth September to
December, trained on undated->June and June->September), and the rolling one
(each cutoff tested on its next list, trained on the periods realised by then).

Run ``python benchmarks/bench_emerging.py`` (``--quick``: 100 resamples) with the
data in ``../shared/data`` (or ``SKINFLUENCE_SHARED_DATA``); writes
``benchmarks/results/emerging.json``. Also the synthetic check: on
``make_creators``, GrowthFeatures over post timelines against the ``emerging`` truth.
"""

import argparse
import json
import os
import platform as platform_module
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.feature_selection import VarianceThreshold
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from skinfluence.accounts import GrowthFeatures, RollingCutoffSplit, growth_dataset
from skinfluence.datasets import load_influencer_snapshots, make_creators
from skinfluence.metrics import growth_ranking_scores

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SKINFLUENCE_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "benchmarks" / "results"
PLATFORMS = ("instagram", "tiktok", "youtube")
K, TOP = 50, 0.1


def make_model(random_state=0):
    # VarianceThreshold drops the columns that are all NaN in training (acceleration and
    # volatility while no account has three snapshots), which HistGradientBoosting rejects
    return make_pipeline(
        GrowthFeatures(),
        VarianceThreshold(),
        HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, min_samples_leaf=40,
                                      l2_regularization=1.0, random_state=random_state),
    )


def baselines(X_test, rng):
    feats = GrowthFeatures(["growth_last", "log_size"]).fit(X_test).transform(X_test)
    momentum = np.where(np.isnan(feats[:, 0]), np.nanmedian(feats[:, 0]), feats[:, 0])
    return {"momentum": momentum, "size prior": -feats[:, 1], "random": rng.uniform(size=len(X_test))}


def evaluate(y, scores, size, n_resamples, seed):
    """Point scores and 95 % intervals per ranker, and the paired gain of the model over momentum."""
    rng = np.random.RandomState(seed)
    point = {name: growth_ranking_scores(y, s, size, k=K, top=TOP) for name, s in scores.items()}
    metrics = list(point["model"])
    draws = {name: {m: [] for m in metrics} for name in scores}
    for _ in range(n_resamples):
        idx = rng.randint(0, len(y), len(y))
        for name, s in scores.items():
            for m, v in growth_ranking_scores(y[idx], s[idx], size[idx], k=K, top=TOP).items():
                draws[name][m].append(v)
    out = {}
    for name in scores:
        out[name] = {m: {"value": round(point[name][m], 4),
                         "ci95": [round(float(q), 4) for q in np.nanquantile(draws[name][m], [0.025, 0.975])]}
                     for m in metrics}
    gain = {}
    for m in metrics:
        diff = np.asarray(draws["model"][m]) - np.asarray(draws["momentum"][m])
        lo, hi = np.nanquantile(diff, [0.025, 0.975])
        gain[m] = {"value": round(point["model"][m] - point["momentum"][m], 4),
                   "ci95": [round(float(lo), 4), round(float(hi), 4)],
                   "ahead_beyond_interval": bool(lo > 0)}
    out["model_minus_momentum"] = gain
    return out


def run_platform(platform, n_resamples):
    frame = load_influencer_snapshots(DATA / "social_media_influencers_2022", platform)
    X, y = growth_dataset(frame)
    results = {"n_accounts": len(frame), "periods": []}
    # from the second period on: the first (undated -> June) has one snapshot per row, so no growth
    splitter = RollingCutoffSplit(min_train_periods=2)
    for train, test in splitter.split(X):
        X_train, y_train = X.iloc[train], y[train]
        cutoff = X["cutoff"].iloc[test[0]]
        target = X["target_date"].iloc[test[0]]
        results["periods"].append(run_period(platform, frame, X_train, y_train, cutoff, target,
                                             n_resamples, f"{cutoff:%Y-%m} -> {target:%Y-%m}"))
    # headline: features up to September, growth September -> December
    sep, dec = pd.Timestamp("2022-09-15", tz="UTC"), pd.Timestamp("2022-12-15", tz="UTC")
    train = (X["target_date"] <= sep).to_numpy()
    results["headline"] = run_period(platform, frame, X[train], y[train], sep, dec, n_resamples,
                                     "2022-09 -> 2022-12")
    return results


def run_period(platform, frame, X_train, y_train, cutoff, target, n_resamples, label):
    X_test, y_test = growth_dataset(frame, [(cutoff, target)])
    model = make_model().fit(X_train, y_train)
    rng = np.random.RandomState(0)
    scores = {"model": model.predict(X_test), **baselines(X_test, rng)}
    size = np.exp(GrowthFeatures(["log_size"]).fit(X_test).transform(X_test)[:, 0])
    out = evaluate(y_test, scores, size, n_resamples, seed=1)
    print(f"{platform:9s} {label}: train {len(X_train)} rows, test {len(X_test)} accounts")
    for name in ("model", "momentum", "size prior", "random"):
        row = "  ".join(f"{m} {v['value']:.3f} [{v['ci95'][0]:.3f}, {v['ci95'][1]:.3f}]"
                        for m, v in out[name].items())
        print(f"    {name:10s} {row}")
    gain = out["model_minus_momentum"]
    print("    gain over momentum: " + "  ".join(
        f"{m} {v['value']:+.3f} [{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}]" for m, v in gain.items()))
    return {"period": label, "n_train": int(len(X_train)), "n_test": int(len(X_test)), **out}


def synthetic_check(seed=0):
    """GrowthFeatures over post timelines (likes) against make_creators' emerging truth."""
    data = make_creators(1000, n_posts=(10, 40), emerging=0.1, random_state=seed)
    growth = GrowthFeatures(snapshots_column="posts", time_field="timestamp", value_field="likes",
                            rank_field=None, engagement_field="comments", calendar=False)
    feats = growth.fit_transform(data.accounts)
    names = list(growth.get_feature_names_out())
    slope = feats[:, names.index("growth_slope")]
    truth = data.emerging.astype(int)
    ok = ~np.isnan(slope)
    model = make_pipeline(growth, HistGradientBoostingClassifier(random_state=0))
    proba = cross_val_predict(model, data.accounts, truth, method="predict_proba",
                              cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
    n_pos = int(truth.sum())
    top = np.argsort(-np.where(ok, slope, -np.inf))[:n_pos]
    out = {
        "n_accounts": len(truth), "n_emerging": n_pos,
        "growth_slope_auc": round(float(roc_auc_score(truth[ok], slope[ok])), 4),
        "growth_slope_average_precision": round(float(average_precision_score(truth[ok], slope[ok])), 4),
        "growth_slope_precision_at_n_emerging": round(float(truth[top].mean()), 4),
        "model_cv_auc": round(float(roc_auc_score(truth, proba)), 4),
        "model_cv_average_precision": round(float(average_precision_score(truth, proba)), 4),
        "truth_growth_rate_spearman": round(float(pd.Series(slope[ok]).corr(
            pd.Series(data.growth_rate[ok]), method="spearman")), 4),
    }
    print("synthetic (make_creators, 1000 accounts, 10 % emerging):", out)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 bootstrap resamples")
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    n_resamples = 100 if args.quick else args.resamples
    # VarianceThreshold's nanvar over all-NaN columns warns; those columns are the ones dropped
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn.feature_selection")
    warnings.filterwarnings("ignore", message="Degrees of freedom <= 0", category=RuntimeWarning)
    start = time.perf_counter()
    out = {"platforms": {p: run_platform(p, n_resamples) for p in PLATFORMS},
           "synthetic": synthetic_check(),
           "k": K, "emerging_top": TOP, "n_resamples": n_resamples,
           "seconds": None, "python": platform_module.python_version()}
    out["seconds"] = round(time.perf_counter() - start, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "emerging.json").write_text(json.dumps(out, indent=1, default=str))
    print(f"wrote {RESULTS / 'emerging.json'} in {out['seconds']} s")


if __name__ == "__main__":
    main()
