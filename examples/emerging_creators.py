"""Emerging creators: predict who grows fastest from September to December 2022, per platform.

Reads the monthly "top 1000" lists of ../shared/data/social_media_influencers_2022
with ``load_influencer_snapshots``, builds the growth task with ``growth_dataset``
(features from the snapshots up to a cutoff, target: log growth of followers per
month after it), trains ``GrowthFeatures`` + ``HistGradientBoostingRegressor`` on
the periods already realised by September (undated release -> June, June ->
September) and ranks the September list's accounts that are still listed in
December. Prints, per platform, the top predicted risers with their momentum
(June -> September growth) and their realised growth, and the Spearman
correlation of the model and of momentum with the realised growth. Nothing after
September is used to predict; docs/emerging.md explains the task, its pitfalls
and the benchmark (benchmarks/bench_emerging.py).

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

REPO = Path(__file__).resolve().parents[1]
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


def risers(folder, platform, top):
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
    shown = table.iloc[np.argsort(-predicted)[:top]]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(shown.round(2).to_string(index=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    # VarianceThreshold's variance of an all-NaN column warns: those are the columns it drops
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    for platform in ("instagram", "tiktok", "youtube"):
        risers(args.path, platform, args.top)


if __name__ == "__main__":
    main()
