"""Audience quality: fake-follower shares with confidence intervals
=================================================================

1. Train a ``FakeFollowerDetector`` on the three real fake-account sets pooled
   (Kaggle, InstaFake, SRF; features a set does not record are NaN).
2. Generate synthetic influencers whose ``audience`` column holds a sample of
   their followers (``make_audiences``), 10 % of them hand-labelled.
3. Estimate each influencer's fake share with ``AudienceQuality``: the real-data
   detector is frozen, its error rates are measured on the labelled followers,
   and the share is corrected for them (PACC). Compare with the naive mean of
   the detector's probabilities and with the truth.

Prints a table of estimated vs true shares with their intervals, the coverage
of the intervals, and saves a plot to ``DIR/audience_quality.png`` (``--out DIR``;
default a ``skinfluence-examples`` folder in the system's temporary directory, never
the repository).

Usage::

    python examples/audience_quality.py [path/to/shared/data] [--out DIR]

When the three fake-account sets are absent, the example says so and trains the detector
on synthetic follower accounts (``make_follower_accounts``, the generator behind
``make_audiences``) instead. The documentation build (``SKINFLUENCE_DOCS_QUICK=1``)
estimates 120 influencers instead of 300.
"""

# %%
# Imports and data locations
# --------------------------

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator

from skinfluence.audience import AudienceQuality, FakeFollowerDetector
from skinfluence.datasets import FAKE_ACCOUNT_COLUMNS, load_fake_accounts, make_follower_accounts
from skinfluence.datasets._audiences import make_audiences

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
SETS = ("instagram_fake_kaggle", "instafake", "srf_instagram_fake_followers")
OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the plot (default {OUT})")
    args = parser.parse_args(argv)

    # 1. a detector trained on the real sets
    missing = [name for name in SETS if not (Path(args.data) / name).exists()]
    if missing:
        print(f"{', '.join(missing)} absent from {args.data}: training the detector on 3,000 "
              "synthetic follower accounts (make_follower_accounts) instead")
        y_real = (np.random.default_rng(0).random(3000) < 0.4).astype(int)
        X_real = make_follower_accounts(y_real.astype(bool), random_state=0)
        X_real = X_real[list(FAKE_ACCOUNT_COLUMNS)]
    else:
        frames, labels = [], []
        for name in SETS:
            X, y = load_fake_accounts(Path(args.data) / name)
            frames.append(X)  # the 11 FAKE_ACCOUNT_COLUMNS; the set's name is in X.attrs["source"]
            labels.append(y)
            print(f"{name}: {len(y)} accounts, {y.mean():.1%} fake")
        X_real = pd.concat(frames, ignore_index=True)[list(FAKE_ACCOUNT_COLUMNS)]
        y_real = np.concatenate(labels)
    detector = FakeFollowerDetector(random_state=0).fit(X_real, y_real)

    # 2. synthetic influencers with a follower sample each (true shares known)
    quick = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build
    data = make_audiences(120 if quick else 300, followers_per_sample=(50, 300), labelled=0.1,
                          random_state=0)
    X = data.accounts

    # 3. adjusted (PACC) and naive (PCC) estimates with the frozen real-data detector
    adjusted = AudienceQuality(FrozenEstimator(detector)).set_output(transform="pandas")
    naive = AudienceQuality(FrozenEstimator(detector), method="pcc").set_output(transform="pandas")
    est = adjusted.fit_transform(X)
    est_naive = naive.fit_transform(X)
    print(f"\ndetector error rates on the {adjusted.n_labelled_fake_ + adjusted.n_labelled_real_} "
          f"labelled followers: mean P(fake) of fakes {adjusted.mean_score_fake_:.3f}, "
          f"of genuine followers {adjusted.mean_score_real_:.3f}")

    table = pd.DataFrame({
        "followers": X["followers"],
        "n_sampled": est["n_sampled"].astype(int),
        "true_share": data.fake_share,
        "estimate": est["fake_share"],
        "ci_low": est["fake_share_low"],
        "ci_high": est["fake_share_high"],
        "naive_mean": est_naive["fake_share"],
        "inactive": est["inactive_share"],
        "true_inactive": data.inactive_share,
        "real_reach": est["real_reach"].round(),
    })
    table["inside"] = (table.ci_low <= table.true_share) & (table.true_share <= table.ci_high)
    shown = table.sort_values("true_share").iloc[np.linspace(0, len(table) - 1, 15).astype(int)]
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print("\n15 influencers, ordered by true fake share:")
        print(shown.to_string())

    coverage = table["inside"].mean()
    print(f"\ncoverage of the 95 % intervals: {coverage:.3f} over {len(table)} influencers")
    for name, col in (("adjusted (PACC)", "estimate"), ("naive mean (PCC)", "naive_mean")):
        err = table[col] - table.true_share
        low = table.true_share < 0.1
        print(f"{name:>17}: mean abs error {err.abs().mean():.4f}, bias for shares < 0.1 "
              f"{err[low].mean():+.4f}, for shares > 0.4 {err[table.true_share > 0.4].mean():+.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6))
    order = np.argsort(table.true_share.to_numpy())
    t = table.iloc[order]
    ax.errorbar(t.true_share, t.estimate, yerr=[t.estimate - t.ci_low, t.ci_high - t.estimate],
                fmt="o", ms=3, alpha=0.5, label="adjusted (PACC) with 95 % CI")
    ax.plot(t.true_share, t.naive_mean, "x", ms=3, alpha=0.6, label="naive mean of P(fake)")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlabel("true fake share")
    ax.set_ylabel("estimated fake share")
    ax.set_title(f"AudienceQuality, coverage {coverage:.2f}")
    ax.legend()
    fig.tight_layout()
    output = args.out / "audience_quality.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=120)
    print(f"saved {output}")


# %%
# Train, estimate, compare with the truth, and plot
# -------------------------------------------------
# Run as a script, ``path/to/shared/data`` and ``--out`` come from the command line; in
# the gallery the defaults are used and the figure below is the one saved to ``--out``.

if __name__ == "__main__":
    main()
