"""
Emerging creators: who grows fastest next?
==========================================

Predict which creators grow fastest from September to December 2022, per platform,
from the monthly "top 1000" lists of ``../shared/data/social_media_influencers_2022``
(Instagram, TikTok, YouTube), without looking ahead:

- ``load_influencer_snapshots`` nests each account's list appearances (date, followers,
  engagement, rank) the way posts are nested;
- ``growth_dataset`` builds features from the snapshots up to a cutoff only, and the
  target (log growth of followers per month) from after it;
- ``GrowthFeatures`` + ``HistGradientBoostingRegressor`` are trained on the periods
  already realised by September (undated release -> June, June -> September) and rank
  the September list's accounts that are still listed in December.

It prints, per platform, the top predicted risers with their momentum (June ->
September growth) and their realised growth, and the Spearman correlation of the model
and of momentum with the realised growth; the figure plots predicted against realised
growth. docs/emerging.md explains the task, its pitfalls (look-ahead, survivorship) and
the benchmark (benchmarks/bench_emerging.py), where momentum is ahead on two platforms.

When the data set is absent, the example says so and runs the synthetic check instead:
``GrowthFeatures`` over the post timelines of ``make_creators``, which knows who is
emerging.

Usage::

    python examples/emerging_creators.py [path/to/social_media_influencers_2022] [--top N]

(default path: ``$SKINFLUENCE_SHARED_DATA`` or ``../shared/data``, then the data set's folder)
"""

import argparse
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.feature_selection import VarianceThreshold
from sklearn.pipeline import make_pipeline

from skinfluence.accounts import GrowthFeatures, growth_dataset
from skinfluence.datasets import load_influencer_snapshots

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
DEFAULT = Path(os.environ.get("SKINFLUENCE_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "social_media_influencers_2022"
SEP, DEC = pd.Timestamp("2022-09-15", tz="UTC"), pd.Timestamp("2022-12-15", tz="UTC")


def build_model(random_state=0):
    """GrowthFeatures -> drop all-NaN columns -> gradient boosting (NaN means "not observed")."""
    return make_pipeline(
        GrowthFeatures(),
        VarianceThreshold(),  # acceleration/volatility are all NaN while no row has 3 snapshots
        HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, min_samples_leaf=40,
                                      l2_regularization=1.0, random_state=random_state),
    )


def risers(folder, platform, top, ax=None):
    frame = load_influencer_snapshots(folder, platform)
    X, y = growth_dataset(frame)
    train = (X["target_date"] <= SEP).to_numpy()  # only targets realised by the cutoff
    X_test, y_test = growth_dataset(frame, [(SEP, DEC)])
    model = build_model().fit(X[train], y[train])
    predicted = model.predict(X_test)
    feats = GrowthFeatures(["growth_last", "log_size", "entered"]).fit(X_test).transform(X_test)
    months = (DEC - SEP).days / (365.25 / 12)
    table = pd.DataFrame({
        "account": X_test["account"],
        "name": X_test["name"],
        "followers_sep": np.expm1(feats[:, 1]).round(-3),
        "new_in_sep": feats[:, 2],
        "momentum_%/mo": 100 * np.expm1(feats[:, 0]),
        "predicted_%/mo": 100 * np.expm1(predicted),
        "realised_%/mo": 100 * np.expm1(y_test),
        "realised_sep_dec_%": 100 * np.expm1(y_test * months),
    })
    momentum = np.where(np.isnan(feats[:, 0]), np.nanmedian(feats[:, 0]), feats[:, 0])
    rho_model = spearmanr(y_test, predicted)[0]
    rho_momentum = spearmanr(y_test, momentum)[0]
    realised_rank = pd.Series(y_test).rank(ascending=False).to_numpy()
    table["realised_rank"] = realised_rank.astype(int)
    print(f"\n{platform}: {int(train.sum())} training rows, {len(X_test)} accounts in both the "
          f"September and December lists")
    print(f"  Spearman with realised growth: model {rho_model:.3f}, momentum {rho_momentum:.3f}")
    print(f"  top {top} predicted risers (realised_rank: 1 = grew fastest of {len(X_test)}):")
    order = np.argsort(-predicted)
    shown = table.iloc[order[:top]]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(shown.round(2).to_string(index=False))
    if ax is not None:
        ax.scatter(100 * np.expm1(predicted), 100 * np.expm1(y_test), s=6, alpha=0.4,
                   color="tab:gray", label="listed in September and December")
        ax.scatter(100 * np.expm1(predicted[order[:top]]), 100 * np.expm1(y_test[order[:top]]),
                   s=18, color="tab:orange", label=f"top {top} predicted risers")
        ax.set_xscale("symlog", linthresh=1)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_title(f"{platform}: Spearman model {rho_model:.2f}, momentum {rho_momentum:.2f}",
                     fontsize=9)
        ax.set_xlabel("predicted growth, % per month")
        ax.set_ylabel("realised growth Sep -> Dec, % per month")
        ax.legend(fontsize=7, loc="upper left")


def synthetic(ax):
    """Without the lists: GrowthFeatures over make_creators' post timelines finds the emerging."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import RocCurveDisplay, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from skinfluence import make_creators

    data = make_creators(600, n_posts=(10, 40), emerging=0.1, random_state=0)
    growth = GrowthFeatures(snapshots_column="posts", time_field="timestamp", value_field="likes",
                            rank_field=None, engagement_field="comments", calendar=False)
    model = make_pipeline(growth, HistGradientBoostingClassifier(random_state=0))
    truth = data.emerging.astype(int)
    proba = cross_val_predict(model, data.accounts, truth, method="predict_proba",
                              cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
    print(f"synthetic check: {int(truth.sum())} emerging of {len(truth)} creators; "
          f"cross-validated AUC of GrowthFeatures + gradient boosting: "
          f"{roc_auc_score(truth, proba):.3f}")
    RocCurveDisplay.from_predictions(truth, proba, ax=ax, name="GrowthFeatures + boosting")
    ax.set_title("make_creators: recovering who is emerging")


def main():
    parser = argparse.ArgumentParser(description="Emerging creators: who grows fastest next?")
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    # VarianceThreshold's variance of an all-NaN column warns: those are the columns it drops
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    import matplotlib.pyplot as plt

    if not Path(args.path).is_dir():
        print(f"The snapshot lists are absent ({args.path} does not exist): running the "
              "synthetic check on make_creators instead.")
        fig, ax = plt.subplots(figsize=(5, 4.5))
        synthetic(ax)
    else:
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
        for platform, ax in zip(("instagram", "tiktok", "youtube"), axes):
            risers(args.path, platform, args.top, ax=ax)


# %%
# Run it
# ------
# Every platform's risers, or the synthetic check when the lists are absent.
if __name__ == "__main__":
    main()
