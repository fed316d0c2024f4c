"""Training the LightGBM rankers on Dask collections, through LightGBM's own Dask interface.

The data never gather on one machine: each partition is turned into LightGBM rows on the
worker that holds it (with the ranker's own feature code), and ``lightgbm.dask`` trains one
model across the workers (data-parallel tree learner). What comes back is an ordinary
fitted :class:`PairwiseRanker` or :class:`BoostedRanker`: it predicts, ranks, pickles and
saves like one fitted in memory.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.utils.validation import validate_data

from ..utils._optional import import_optional
from ._boosted import BoostedRanker, _query_order
from ._booster import lightgbm_failed
from ._pairwise import PairwiseRanker
from ._query_ranker import grades

__all__ = ["fit_dask"]

_LABEL = "__skinfluence_label__"
_WEIGHT = "__skinfluence_weight__"
_QID = "__skinfluence_qid__"


def _is_dask_frame(X) -> bool:
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(X, "npartitions")


def _column(X, value, what: str, caller: str):
    """``value`` as a column of X: a column name, or a Dask Series partitioned like X."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in X.columns:
            raise ValueError(
                f"fit_dask: {what}={value!r} is not a column of X; X has the columns "
                f"{list(X.columns)}. Pass a column name of X or a Dask Series built from X"
            )
        return X[value]
    if not _is_dask_frame(value):
        raise TypeError(
            f"fit_dask: {what} must be a column name of X or a Dask Series partitioned like X "
            f"(e.g. ddf['label']) for {caller}; got {type(value).__name__}"
        )
    if value.npartitions != X.npartitions:
        raise ValueError(
            f"fit_dask: {what} has {value.npartitions} partitions but X has {X.npartitions}; "
            "they must come from the same dask.dataframe (e.g. ddf['label'])"
        )
    return value


def _interleaved_pairwise_logistic(y_true, y_pred):
    """The pair loss of :func:`~skinfluence.ranking._booster.fit_pairwise_booster`, row-local.

    Rows come in twos: ``z(A, B)`` then ``z(B, A)``; the first's label is 1 where A won, the
    second's label holds the pair's weight. Each Dask partition, and so each worker's data,
    keeps its pairs whole, so the gradients need nothing from other workers.
    """
    p = expit(y_pred[0::2] - y_pred[1::2])
    y01, w = y_true[0::2], y_true[1::2]
    grad, hess = np.empty_like(y_pred), np.empty_like(y_pred)
    g = w * (p - y01)
    grad[0::2], grad[1::2] = g, -g
    hess[0::2] = hess[1::2] = w * p * (1.0 - p)
    return grad, hess


def _feature_columns(n: int) -> list[str]:
    # the names LightGBM gives the columns of an array, so that the booster reads like
    # the one fitted in memory
    return [f"Column_{i}" for i in range(n)]


def _pair_rows(part: pd.DataFrame, ranker: PairwiseRanker, y_name, w_name) -> pd.DataFrame:
    """One partition of a wide pair frame as LightGBM rows, (A, B) and (B, A) interleaved."""
    n_features = len(ranker.pair_feature_names_)
    columns = [*_feature_columns(n_features), _LABEL]
    if len(part) == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns})
    y = part[y_name].to_numpy()
    w = np.ones(len(part)) if w_name is None else part[w_name].to_numpy(dtype=np.float64)
    X, _, _ = ranker._id_columns(part.drop(columns=[c for c in (y_name, w_name) if c]))
    ranker._check_frame_columns(X)
    X = validate_data(ranker, ranker._columns_as_in_fit(X), dtype=np.float64, reset=False)
    known = np.isin(y, ranker.classes_)
    if not known.all():
        bad = int(np.flatnonzero(~known)[0])
        raise ValueError(
            f"fit_dask: y has the value {y[bad]!r} (row {part.index[bad]!r} of its partition), "
            f"not one of the two classes {ranker.classes_.tolist()} found in y"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise ValueError(f"fit_dask: sample_weight must be finite and non-negative; row "
                         f"{part.index[bad]!r} of its partition has {w[bad]}")
    A, B = X[:, ranker._a_idx], X[:, ranker._b_idx]
    z = np.empty((2 * len(A), n_features))
    z[0::2], z[1::2] = ranker._pair_features(A, B), ranker._pair_features(B, A)
    label = np.empty(2 * len(A))
    label[0::2] = np.searchsorted(ranker.classes_, y).astype(np.float64)
    label[1::2] = w
    frame = pd.DataFrame(z, columns=columns[:-1])
    frame[_LABEL] = label
    return frame


def _fit_pairwise(ranker: PairwiseRanker, X, y, sample_weight, client):
    if ranker.estimator is not None:
        raise ValueError(
            "fit_dask trains PairwiseRanker's own LightGBM model; this ranker has "
            f"estimator={ranker.estimator!r}. Set estimator=None, or fit it in memory"
        )
    if ranker.strengths:
        raise ValueError(
            "fit_dask cannot fit PairwiseRanker(strengths=True): the per-account strengths "
            "are solved on all pairs at once, in memory. Set strengths=False for Dask training"
        )
    ranker._validate_params()
    ranker._check_extras()
    ranker._check_prefixes()
    ranker._modes_ = [ranker.features] if isinstance(ranker.features, str) else list(ranker.features)
    y = _column(X, y, "y", "PairwiseRanker")
    w = _column(X, sample_weight, "sample_weight", "PairwiseRanker")
    names = {c for c in (getattr(y, "name", None), getattr(w, "name", None)) if c}
    features = X.drop(columns=[c for c in names if c in X.columns])
    frame = features.assign(**{_LABEL: y}) if w is None else features.assign(
        **{_LABEL: y, _WEIGHT: w})
    w_name = None if w is None else _WEIGHT

    # the layout (which column is which side) from one partition, validated as fit does
    first = frame.get_partition(0).compute()
    if len(first) == 0:
        raise ValueError("fit_dask: the first partition of X is empty; repartition X first")
    X0, ids_a, ids_b = ranker._id_columns(first.drop(columns=[c for c in (_LABEL, w_name) if c]))
    ranker._check_frame_columns(X0)
    for attr in ("feature_names_in_", "n_features_in_"):
        if hasattr(ranker, attr):
            delattr(ranker, attr)
    X0 = validate_data(ranker, X0, dtype=np.float64)
    rng = ranker._set_layout(X0, has_ids=ids_a is not None)
    import dask

    values, missing = dask.compute(y.dropna().unique(), y.isna().any())  # one pass over y
    classes = np.unique(np.asarray(values))
    if missing:
        raise ValueError("fit_dask: y has missing values; every pair needs its winner")
    if len(classes) != 2:
        raise ValueError(
            "PairwiseRanker needs both classes in y (B more influential, A more influential); "
            f"y holds {classes.tolist()}"
        )
    ranker.classes_ = classes

    rows = frame.map_partitions(_pair_rows, ranker, _LABEL, w_name,
                                meta=_pair_rows(first.iloc[:0], ranker, _LABEL, w_name))
    lgb_dask = import_optional("lightgbm.dask", extra="scale", caller="fit_dask")
    lgb = import_optional("lightgbm", caller="PairwiseRanker")
    params = ranker._booster_params()
    if ranker.n_jobs is None:
        params.pop("num_threads")  # each worker then uses its own thread count
    params["feature_pre_filter"] = False
    model = lgb_dask.DaskLGBMRegressor(
        client=client, objective=_interleaved_pairwise_logistic,
        n_estimators=int(ranker.n_estimators), **params,
    )
    feature_columns = [c for c in rows.columns if c != _LABEL]
    try:
        with warnings.catch_warnings():
            # lightgbm.dask sets each worker's threads itself and says so for n_jobs
            warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
            model.fit(rows[feature_columns], rows[_LABEL])
    except lgb.basic.LightGBMError as exc:
        if "num_features" not in str(exc):
            raise lightgbm_failed("PairwiseRanker", params, exc) from exc
        booster = None  # no feature varies: every pair is 50/50, as in memory
    else:
        booster = lgb.Booster(model_str=model.booster_.model_to_string())
    ranker.booster_, ranker.estimator_ = booster, None
    ranker.n_accounts_ = ranker.strengths_ = ranker._accounts = None
    ranker.reference_ = ranker._reference_ids = None
    if not ranker.difference_model_:
        # reference accounts for score_items from the first partition (a sample of the pairs)
        A, B = X0[:, ranker._a_idx], X0[:, ranker._b_idx]
        ranker._choose_reference(A, B, ids_a, ids_b, rng)
    return ranker


def _query_rows(part: pd.DataFrame, ranker: BoostedRanker, feature_names) -> pd.DataFrame:
    """One partition as LightGBM ranking rows: grouped by query, in the ranker's own order."""
    columns = [*_feature_columns(len(feature_names)), _LABEL, _QID]
    if len(part) == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns})
    Z = validate_data(ranker, part[feature_names], reset=False, dtype=np.float64,
                      ensure_all_finite="allow-nan")
    qid = part[_QID].to_numpy()
    if pd.isna(qid).any():
        bad = int(np.flatnonzero(pd.isna(qid))[0])
        raise ValueError(f"fit_dask: qid is missing at row {part.index[bad]!r} of its partition")
    _, codes = np.unique(qid, return_inverse=True)
    order = _query_order(Z, Z, codes)
    frame = pd.DataFrame(Z[order], columns=columns[:-2])
    frame[_LABEL] = grades(part[_LABEL].to_numpy(), qid, ranker.n_grades)[order]
    frame[_QID] = codes[order]
    return frame


def _group_sizes(rows: pd.DataFrame) -> pd.Series:
    codes = rows[_QID].to_numpy(dtype=np.int64)
    sizes = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return pd.Series(sizes[sizes > 0], dtype=np.int64)


def _partition_queries(part: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({_QID: pd.unique(part[_QID])})


def _fit_boosted(ranker: BoostedRanker, X, y, qid, client):
    if qid is None:
        raise ValueError(
            "fit_dask: BoostedRanker needs qid, the query id of each row (a column name of X "
            "or a Dask Series partitioned like X): each query's rows are ranked together"
        )
    ranker._validate_params()
    ranker._check_extras()
    y = _column(X, y, "y", "BoostedRanker")
    q = _column(X, qid, "qid", "BoostedRanker")
    names = {c for c in (getattr(y, "name", None), getattr(q, "name", None)) if c}
    features = X.drop(columns=[c for c in names if c in X.columns])
    feature_names = list(features.columns)
    frame = features.assign(**{_LABEL: y, _QID: q})

    # a query split across partitions would be split across workers: LightGBM's lambdarank
    # needs each query whole on one of them
    seen = frame[[_QID]].map_partitions(_partition_queries, meta={_QID: frame[_QID].dtype})
    counts = seen.compute()[_QID].value_counts()  # one row per (partition, query): small
    split = counts[counts > 1]
    if len(split):
        raise ValueError(
            f"fit_dask: {len(split)} queries have rows in more than one partition of X (e.g. "
            f"qid {split.index[0]!r} in {int(split.iloc[0])}); LightGBM ranks each query on one "
            "worker. Put each query's rows in one partition first, e.g. X = X.shuffle(on='qid')"
        )

    first = frame.get_partition(0).compute()
    if len(first) == 0:
        raise ValueError("fit_dask: the first partition of X is empty; repartition X first")
    for attr in ("feature_names_in_", "n_features_in_"):
        if hasattr(ranker, attr):
            delattr(ranker, attr)
    validate_data(ranker, first[feature_names], dtype=np.float64, ensure_all_finite="allow-nan")
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"Unknown label type: y must be numeric relevance or competence; got dtype {y.dtype}"
        )
    rows = frame.map_partitions(_query_rows, ranker, feature_names,
                                meta=_query_rows(first.iloc[:0], ranker, feature_names))
    group = rows.map_partitions(_group_sizes, meta=pd.Series(dtype=np.int64))

    lgb_dask = import_optional("lightgbm.dask", extra="scale", caller="fit_dask")
    lgb = import_optional("lightgbm", caller="BoostedRanker")
    # grades() never exceeds 30, so the label gains cover every grade without a pass over
    # the rows to find the largest (the in-memory fit gets the same 31 gains)
    params = ranker._booster_params(30)
    params.pop("num_threads")  # each worker uses its own thread count
    model = lgb_dask.DaskLGBMRanker(client=client, n_estimators=int(ranker.n_estimators),
                                    **params)
    columns = [c for c in rows.columns if c not in (_LABEL, _QID)]
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
            model.fit(rows[columns], rows[_LABEL], group=group)
    except lgb.basic.LightGBMError as exc:
        raise lightgbm_failed(type(ranker).__name__, params, exc) from exc
    ranker.booster_ = lgb.Booster(model_str=model.booster_.model_to_string())
    return ranker


def fit_dask(ranker, X, y, *, sample_weight=None, qid=None, client=None):
    """Train a LightGBM ranker on a ``dask.dataframe``, across the workers of a cluster.

    LightGBM's Dask interface (``lightgbm.dask``) trains one model on data that stay
    spread over the workers: use it when the training pairs or rows do not fit in one
    machine's memory. Each partition becomes LightGBM rows on the worker that holds it,
    with the ranker's own feature code, so the fitted ranker is an ordinary one: it
    predicts, ranks, pickles and saves (:func:`skinfluence.persistence.save`) like a
    ranker fitted in memory, on any machine, without Dask.

    Parameters
    ----------
    ranker : PairwiseRanker or BoostedRanker
        The unfitted (or to be refitted) ranker; it is fitted in place and returned.
        ``PairwiseRanker`` must use its own LightGBM model (``estimator=None``) without
        per-account ``strengths`` (solved on all pairs at once, in memory).
    X : dask.dataframe.DataFrame
        For ``PairwiseRanker``: the wide pair frame (``A_<feature>``, ``B_<feature>``
        and optional account-id columns), as for ``PairwiseRanker.fit``. For
        ``BoostedRanker``: the numeric feature columns of the (query, candidate)
        rows. Columns named by ``y``, ``sample_weight`` or ``qid`` are not features.
    y : str or dask.dataframe.Series
        The target: a column name of ``X`` or a Series of the same dataframe
        (``ddf["label"]``).
    sample_weight : str or dask.dataframe.Series, default=None
        Pair weights (``PairwiseRanker`` only).
    qid : str or dask.dataframe.Series, default=None
        Query ids (``BoostedRanker``, required). Each query's rows must sit in one
        partition (``X.shuffle(on="qid")`` arranges it); a query split across
        partitions raises an error naming it.
    client : distributed.Client, default=None
        The cluster; None uses the current default client.

    Returns
    -------
    ranker : PairwiseRanker or BoostedRanker
        The fitted ranker.

    Notes
    -----
    LightGBM builds the histogram bins of each feature from the data of one worker
    and then trains data-parallel, so the model is close to, not bit-identical with,
    the one fitted in memory on the same rows (with one worker it is identical up to
    floating-point summation order). ``docs/scaling.md`` shows how close, measured.
    With ``PairwiseRanker(features=...)`` other than ``"item"``, the reference
    accounts of ``score_items`` are drawn from the first partition.
    """
    if not _is_dask_frame(X):
        raise TypeError(
            f"fit_dask needs X as a dask.dataframe.DataFrame; got {type(X).__name__}. For data "
            "in memory call the ranker's own fit"
        )
    if isinstance(ranker, PairwiseRanker):
        if qid is not None:
            raise ValueError("fit_dask: qid is for BoostedRanker; PairwiseRanker takes pairs")
        return _fit_pairwise(ranker, X, y, sample_weight, client)
    if isinstance(ranker, BoostedRanker):
        if sample_weight is not None:
            raise ValueError("fit_dask: BoostedRanker takes no sample_weight")
        return _fit_boosted(ranker, X, y, qid, client)
    raise TypeError(
        "fit_dask trains PairwiseRanker or BoostedRanker (the LightGBM rankers); got "
        f"{type(ranker).__name__}. Other estimators train under joblib's Dask backend "
        "(docs/scaling.md)"
    )
