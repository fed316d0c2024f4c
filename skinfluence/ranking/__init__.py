"""Ranking accounts: who is more influential, from pairwise judgements.

- :class:`PairwiseRanker`: an exactly antisymmetric classifier over pairs of
  accounts (LightGBM by default, any scikit-learn classifier otherwise), with
  optional Bradley-Terry strengths per account and a global score per account
  (:meth:`~PairwiseRanker.score_items`, :meth:`~PairwiseRanker.rank`);
- :func:`make_pairs`: the wide pair frame from an items table and a list of pairs.

See ``docs/pair_ranker.md``.
"""

from ._boosted import BoostedRanker
from ._listwise import ListwiseRanker
from ._pairwise import PAIR_FEATURES, PairwiseRanker, make_pairs
from ._queries import QueryCandidates, make_queries
from ._split import unseen_split

__all__ = [
    "PAIR_FEATURES",
    "BoostedRanker",
    "ListwiseRanker",
    "PairwiseRanker",
    "QueryCandidates",
    "make_pairs",
    "make_queries",
    "unseen_split",
]
