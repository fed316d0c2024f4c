"""Ranking metrics computed per query, and scorers that receive ``qid`` by routing.

scikit-learn's ``ndcg_score`` takes one 2-D array of equally long lists; these take
one row per (query, candidate) pair with a ``qid`` per row, in any order, with ragged
queries, and average over queries. See :mod:`skinfluence.metrics._ranking` for the
policies on ties and on queries without positives, and docs/ranking.md.
"""

from ._growth import bootstrap_interval, emerging_hit_rate, growth_ranking_scores
from ._ranking import (
    category_auc,
    mean_reciprocal_rank,
    median_rank,
    ndcg_at_k,
    precision_at_k,
    query_auc,
    recall_at_k,
)
from ._scorer import RANKING_METRICS, make_ranking_scorer

__all__ = [
    "RANKING_METRICS",
    "bootstrap_interval",
    "category_auc",
    "emerging_hit_rate",
    "growth_ranking_scores",
    "make_ranking_scorer",
    "mean_reciprocal_rank",
    "median_rank",
    "ndcg_at_k",
    "precision_at_k",
    "query_auc",
    "recall_at_k",
]
