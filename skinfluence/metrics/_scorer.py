"""Per-query ranking scorers for ``GridSearchCV`` and ``cross_validate``.

A scorer built here requests ``qid`` through scikit-learn's metadata routing, so the
per-row query ids given to ``fit`` are split with each fold and reach the metric:

>>> import sklearn
>>> from skinfluence.metrics import make_ranking_scorer
>>> scorer = make_ranking_scorer("ndcg", k=10)
>>> scorer  # doctest: +ELLIPSIS
make_ranking_scorer('ndcg', k=10)

With routing on (``sklearn.set_config(enable_metadata_routing=True)``)::

    GridSearchCV(ranker, grid, cv=GroupKFold(5), scoring=scorer).fit(X, y, qid=brand, groups=brand)

or, to pass the ids once as ``groups``, ``make_ranking_scorer("ndcg", qid="groups")``
and ``ranker.set_fit_request(qid="groups")``.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.metadata_routing import MetadataRequest

from ._ranking import (
    category_auc,
    mean_reciprocal_rank,
    median_rank,
    ndcg_at_k,
    precision_at_k,
    query_auc,
    recall_at_k,
)

__all__ = ["RANKING_METRICS", "make_ranking_scorer"]

#: name -> (metric, greater_is_better, takes k)
RANKING_METRICS = {
    "ndcg": (ndcg_at_k, True, True),
    "recall": (recall_at_k, True, True),
    "precision": (precision_at_k, True, True),
    "mrr": (mean_reciprocal_rank, True, False),
    "auc": (query_auc, True, False),
    "medr": (median_rank, False, False),
    "cauc": (category_auc, True, False),
}


class _RankingScorer:
    """``scorer(estimator, X, y, qid=...)``: a per-query metric of ``estimator.predict(X)``.

    It declares, through ``get_metadata_routing``, that its ``score`` call wants
    ``qid`` (and ``same_category`` for cAUC), so scikit-learn's meta-estimators route
    them, split with the folds, when metadata routing is enabled.
    """

    def __init__(self, name, kwargs, qid):
        self._name = name
        self._kwargs = kwargs
        self._qid_alias = qid
        self._metric, greater, _ = RANKING_METRICS[name]
        self._sign = 1 if greater else -1

    def get_metadata_routing(self):
        request = MetadataRequest(owner=self)
        request.score.add_request(param="qid", alias=self._qid_alias)
        if self._name == "cauc":
            request.score.add_request(param="same_category", alias=True)
        return request

    def __call__(self, estimator, X, y_true, **metadata):
        qid = metadata.pop("qid", None)
        extra = {}
        if self._name == "cauc":
            extra["same_category"] = metadata.pop("same_category", None)
            if extra["same_category"] is None:
                raise ValueError(
                    "the 'cauc' ranking scorer needs same_category (one bool per row): with "
                    "metadata routing enabled, pass same_category=... to fit/cross_validate"
                )
        if metadata:
            raise TypeError(
                f"the {self._name!r} ranking scorer got unexpected metadata {sorted(metadata)}"
            )
        if qid is None:
            where = self._qid_alias if isinstance(self._qid_alias, str) else "qid"
            raise ValueError(
                f"the {self._name!r} ranking scorer received no qid, so it cannot score per "
                "query: enable metadata routing (sklearn.set_config(enable_metadata_routing="
                f"True)) and pass {where}=<query id of each row> to fit or cross_validate"
            )
        y_score = estimator.predict(X)
        value = self._metric(
            np.asarray(y_true), np.asarray(y_score), qid=np.asarray(qid), **extra, **self._kwargs
        )
        return self._sign * value

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        if self._qid_alias is not True:
            args += f", qid={self._qid_alias!r}"
        return f"make_ranking_scorer({self._name!r}{args})"


def make_ranking_scorer(metric="ndcg", *, k=None, qid=True, **kwargs):
    """A scorer for one per-query ranking metric, with ``qid`` requested by routing.

    Parameters
    ----------
    metric : {"ndcg", "recall", "precision", "mrr", "auc", "medr", "cauc"}, default="ndcg"
        The metric: :func:`ndcg_at_k`, :func:`recall_at_k`, :func:`precision_at_k`,
        :func:`mean_reciprocal_rank`, :func:`query_auc`, :func:`median_rank` (negated,
        so that greater is better, as scikit-learn's ``neg_*`` scorers) or
        :func:`category_auc` (which also requests ``same_category``).
    k : int or None, default=None
        Cut-off for the metrics that take one (default 10).
    qid : True or str, default=True
        How the query ids are routed: ``True`` requests the ``qid`` metadata; a
        string aliases it (``qid="groups"`` reads the ``groups`` passed to ``fit``).
    **kwargs : dict
        Further keyword arguments of the metric (e.g. ``gain="linear"`` for NDCG).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, qid=...)``, usable as ``scoring=``.

    Examples
    --------
    >>> from skinfluence.metrics import make_ranking_scorer
    >>> make_ranking_scorer("recall", k=50)
    make_ranking_scorer('recall', k=50)
    """
    if metric not in RANKING_METRICS:
        raise ValueError(
            f"make_ranking_scorer: metric must be one of {sorted(RANKING_METRICS)}; got {metric!r}"
        )
    takes_k = RANKING_METRICS[metric][2]
    if k is not None:
        if not takes_k:
            raise ValueError(f"make_ranking_scorer: metric {metric!r} takes no k")
        kwargs = {"k": k, **kwargs}
    elif takes_k:
        kwargs = {"k": 10, **kwargs}
    if not (qid is True or isinstance(qid, str)):
        raise ValueError(f"make_ranking_scorer: qid must be True or a metadata name; got {qid!r}")
    return _RankingScorer(metric, kwargs, qid)
