"""Who is more influential? PairwiseRanker on the PeerIndex pairs, tuning and a global ranking
=============================================================================================

Reproduces the benchmark table of ``docs/pair_ranker.md`` on the real data (10-fold
stratified CV, the same folds as ``benchmarks/bench_peerindex.py``): raw LightGBM on the 22
columns, logistic regression on log-differences, ``PairwiseRanker`` default, tuned by a
Bayesian search (optuna-integration's ``OptunaSearchCV``, nested in the CV) and with
per-account strengths. Then it ranks every account of the data set on one global scale,
shows the ``make_pairs`` route (items table + list of pairs, with account ids) and saves a
plot of the scores to ``DIR/peerindex_ranking.png`` (``--out DIR``; default a
``skinfluence-examples`` folder in the system's temporary directory, never the repository).
Runs offline.

Usage::

    python examples/peerindex_pair_ranker.py [DATA_DIR] [--trials 40] [--out DIR]

``DATA_DIR`` defaults to ``../shared/data/peerindex`` next to the repository. The tuned row
takes a few minutes (one search of ``--trials`` trials per outer fold); ``--trials 0``
skips it. The documentation build (``SKINFLUENCE_DOCS_QUICK=1``) runs 3 outer folds and 3
trials instead of 10 and ``--trials``.

When the data set is absent, the example says so and builds 3,000 synthetic pairs from
``make_creators`` instead: the 11 PeerIndex columns from each creator's profile and posts,
and A wins with probability ``sigmoid(3 log(influence(A) / influence(B)))``, from the
generator's ground-truth influence.
"""

# %%
# Imports, the baselines' features and the Bayesian search
# --------------------------------------------------------

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skinfluence.datasets import PEERINDEX_FEATURES, load_peerindex, make_creators
from skinfluence.ranking import PairwiseRanker, make_pairs

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"
FEATURES = list(PEERINDEX_FEATURES)
A_COLS, B_COLS = [f"A_{f}" for f in FEATURES], [f"B_{f}" for f in FEATURES]
QUICK = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build


def synthetic_pairs(n_pairs=3000, seed=0):
    """PeerIndex-like pairs from make_creators: the 11 columns, y = 1 when A won."""
    data = make_creators(600, random_state=seed)
    frame, rng = data.accounts, np.random.default_rng(seed)
    total = {f: np.array([sum(p[f] for p in posts) for posts in frame["posts"]], dtype=float)
             for f in ("likes", "comments", "shares")}
    items = pd.DataFrame({
        "follower_count": frame["followers"], "following_count": frame["following"],
        "listed_count": np.round(frame["followers"] / 500), "mentions_received": total["comments"],
        "retweets_received": total["shares"], "mentions_sent": rng.poisson(20, len(frame)),
        "retweets_sent": rng.poisson(10, len(frame)), "posts": frame["n_posts"],
        "network_feature_1": total["likes"], "network_feature_2": np.sqrt(total["likes"]),
        "network_feature_3": np.log1p(total["likes"]),
    }).astype(float)
    a, b = rng.integers(0, len(items), (2, n_pairs))
    keep = a != b
    a, b = a[keep], b[keep]
    margin = 3 * (np.log(data.influence[a]) - np.log(data.influence[b]))
    y = (rng.random(len(a)) < 1 / (1 + np.exp(-margin))).astype(int)
    X = pd.concat([items.iloc[a].set_axis(A_COLS, axis=1).reset_index(drop=True),
                   items.iloc[b].set_axis(B_COLS, axis=1).reset_index(drop=True)], axis=1)
    return X, y


def log_differences(X):
    return np.log1p(X[A_COLS].to_numpy()) - np.log1p(X[B_COLS].to_numpy())


def bayesian_search(trials, seed=0):
    """PairwiseRanker tuned like the write-up's LightGBM: TPE (Bayesian) search, AUC."""
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = {
        "n_estimators": IntDistribution(50, 800, log=True),
        "learning_rate": FloatDistribution(0.01, 0.3, log=True),
        "num_leaves": IntDistribution(4, 64, log=True),
        "min_child_samples": IntDistribution(5, 200, log=True),
        "subsample": FloatDistribution(0.5, 1.0),
        "colsample_bytree": FloatDistribution(0.4, 1.0),
        "reg_lambda": FloatDistribution(1e-3, 30.0, log=True),
    }
    return OptunaSearchCV(
        PairwiseRanker(subsample_freq=1, n_jobs=1, random_state=seed), space,
        cv=StratifiedKFold(3, shuffle=True, random_state=seed), scoring="roc_auc",
        n_trials=trials, random_state=seed, verbose=0,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "peerindex"))
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the plot (default {OUT})")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*experimental.*")

    if QUICK:
        args.trials = min(args.trials, 3)
    if Path(args.data).is_dir():
        X, y = load_peerindex(args.data, return_X_y=True)
    else:
        print(f"{args.data} is absent: using synthetic pairs from make_creators instead")
        X, y = synthetic_pairs()
    print(f"{len(X):,} labelled pairs; columns A_<feature>, B_<feature>; y = 1 when A won")

    # ---- 1. the benchmark table: 10-fold stratified CV, AUC and accuracy --------------
    import lightgbm as lgb

    models = {
        "raw LightGBM, 22 columns": lgb.LGBMClassifier(n_jobs=1, random_state=0, verbose=-1),
        "logistic regression, log-differences": make_pipeline(
            FunctionTransformer(log_differences), StandardScaler(), LogisticRegression(max_iter=2000)),
        "PairwiseRanker default": PairwiseRanker(n_jobs=1, random_state=0),
        "PairwiseRanker tuned (nested Bayesian search)": bayesian_search(args.trials),
        "PairwiseRanker + strengths": PairwiseRanker(strengths=True, n_jobs=1, random_state=0),
    }
    if args.trials == 0:
        del models["PairwiseRanker tuned (nested Bayesian search)"]
    cv = StratifiedKFold(3 if QUICK else 10, shuffle=True, random_state=0)
    print(f"\n{'model':48s} {'AUC':>16s} {'accuracy':>16s}")
    for name, model in models.items():
        t = time.perf_counter()
        # cross_validate clones the search for each outer fold: the tuning sees only that
        # fold's training pairs (nested CV), so the score is not inflated by the search
        res = cross_validate(model, X, y, cv=cv, scoring=["roc_auc", "accuracy"])
        auc, acc = res["test_roc_auc"], res["test_accuracy"]
        print(f"{name:48s} {auc.mean():.4f} ± {auc.std():.4f} {acc.mean():.4f} ± {acc.std():.4f}"
              f"   ({time.perf_counter() - t:.0f} s)", flush=True)

    # ---- 2. one global score per account ----------------------------------------------
    ranker = PairwiseRanker(n_jobs=1, random_state=0).fit(X, y)
    # the distinct accounts: identical 11-feature vectors on either side are one account
    sides = pd.concat([X[A_COLS].set_axis(FEATURES, axis=1), X[B_COLS].set_axis(FEATURES, axis=1)])
    accounts = sides.drop_duplicates().reset_index(drop=True)
    ranking = ranker.rank(accounts)
    print(f"\n{len(accounts):,} distinct accounts; the 5 most influential by the global score:")
    print(accounts.loc[ranking.index[:5], ["follower_count", "listed_count", "retweets_received"]]
          .assign(score=ranking["score"].iloc[:5].round(2)).to_string())
    # the score is exact: P(A beats B) = sigmoid(score(A) - score(B)) for every pair
    u = ranker.score_items(X[A_COLS].set_axis(FEATURES, axis=1)) \
        - ranker.score_items(X[B_COLS].set_axis(FEATURES, axis=1))
    print("max |decision_function - (score(A) - score(B))| =",
          np.abs(ranker.decision_function(X) - u).max())

    # ---- 3. the items + pairs route, with account ids and strengths ---------------------
    items = accounts.assign(account_id=[f"user{i:04d}" for i in range(len(accounts))])
    key = pd.MultiIndex.from_frame(accounts)
    pair_ids = np.column_stack([
        items["account_id"].to_numpy()[key.get_indexer(pd.MultiIndex.from_frame(
            X[cols].set_axis(FEATURES, axis=1)))] for cols in (A_COLS, B_COLS)])
    X_ids = make_pairs(items, pair_ids)  # A_account_id, B_account_id, A_..., B_...
    with_strengths = PairwiseRanker(strengths=True, n_jobs=1, random_state=0).fit(X_ids, y)
    top = with_strengths.rank(items).head(5)
    print(f"\nwith per-account strengths ({with_strengths.n_accounts_} accounts), top 5:")
    print(top.to_string())

    # ---- 4. plot: global score against followers ---------------------------------------
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(np.log10(1 + accounts["follower_count"]), ranker.score_items(accounts), s=6, alpha=0.6)
    ax.set_xlabel("log10(1 + followers)")
    ax.set_ylabel("PairwiseRanker global score")
    ax.set_title("PeerIndex: influence score of each account")
    fig.tight_layout()
    output = args.out / "peerindex_ranking.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=120)
    print(f"\nsaved {output}")


# %%
# The benchmark table, a global ranking, the items-and-pairs route, and the plot
# ------------------------------------------------------------------------------
# Run as a script, ``DATA_DIR``, ``--trials`` and ``--out`` come from the command line; in
# the gallery the defaults are used and the figure below is the one saved to ``--out``.

if __name__ == "__main__":
    main()
