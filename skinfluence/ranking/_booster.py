"""LightGBM trained on pairs: one boosted function ``F`` of the pair features, fitted with the
logistic loss of the antisymmetric margin ``F(z(A, B)) - F(z(B, A))``."""

from __future__ import annotations

import contextlib
import io

import numpy as np
from scipy.special import expit

from ..utils._optional import import_optional

__all__ = ["MAX_LEAVES", "fit_pairwise_booster", "lightgbm_failed"]

#: LightGBM's upper bound on ``num_leaves`` (``config_auto.cpp``): checked in the constraints,
#: so the error names the parameter instead of a C++ source line.
MAX_LEAVES = 131072


def lightgbm_failed(caller: str, params: dict, exc: Exception) -> ValueError:
    """LightGBM's own error, said with the estimator's name, its parameters and what to try."""
    shown = {k: v for k, v in params.items() if k not in ("verbosity", "label_gain")}
    return ValueError(
        f"LightGBM could not train {caller}'s model: {str(exc).strip()} The LightGBM parameters "
        f"were {shown}. Check them against the {caller} docstring (a parameter out of "
        "LightGBM's range is the usual cause), or pass smaller values."
    )


def fit_pairwise_booster(z_ab, z_ba, y01, weight, params, n_estimators):
    """Train the booster on both orientations of every pair; None when nothing can be learned.

    Parameters
    ----------
    z_ab, z_ba : ndarray of shape (n_pairs, n_pair_features)
        Pair features of (A, B) and of (B, A).
    y01 : ndarray of shape (n_pairs,)
        1.0 where A won, 0.0 where B won.
    weight : ndarray of shape (n_pairs,) or None
        Pair weights.
    params : dict
        LightGBM parameters (the objective is added here).
    n_estimators : int
        Boosting rounds.

    Returns
    -------
    booster : lightgbm.Booster or None
        None if no feature varies (every pair is then 50/50).
    """
    lgb = import_optional("lightgbm", caller="PairwiseRanker")
    z = np.vstack([z_ab, z_ba])
    n = len(y01)
    w = np.ones(n) if weight is None else weight

    def pairwise_logistic(preds, dataset):
        p = expit(preds[:n] - preds[n:])
        grad = w * (p - y01)
        hess = w * p * (1.0 - p)
        return np.concatenate([grad, -grad]), np.concatenate([hess, hess])

    params = {"objective": pairwise_logistic, **params}
    # no pre-filter: with it, data where no feature can split (tiny or constant) makes
    # LightGBM's custom-objective path fail instead of growing stumps
    data = lgb.Dataset(z, params={"verbosity": -1, "feature_pre_filter": False})
    try:
        # verbosity=-1 asks for silence; LightGBM 4.0 still prints warnings about the
        # custom objective through its Python logger (stdout): keep them out
        with contextlib.redirect_stdout(io.StringIO()):
            booster = lgb.train(params, data, num_boost_round=int(n_estimators))
    except lgb.basic.LightGBMError as exc:
        if "num_features" not in str(exc):
            raise lightgbm_failed("PairwiseRanker", params, exc) from exc
        # LightGBM found no feature that varies (its custom-objective path fails instead
        # of growing empty trees): nothing to learn, every pair is 50/50
        return None
    # the training closure is not part of the fitted model: keep a plain booster
    return lgb.Booster(model_str=booster.model_to_string())
