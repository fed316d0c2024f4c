"""Ranking accounts: who is more influential, from pairwise judgements.

- :class:`PairwiseRanker`: an exactly antisymmetric classifier over pairs of
  accounts (LightGBM by default, any scikit-learn classifier otherwise), with
  optional Bradley-Terry strengths per account and a global score per account
  (:meth:`~PairwiseRanker.score_items`, :meth:`~PairwiseRanker.rank`);
- :func:`make_pairs`: the wide pair frame from an items table and a list of pairs.

See ``docs/pair_ranker.md``.
"""

from ._pair_features import PAIR_FEATURES
from ._pairs import make_pairs
from ._pairwise import PairwiseRanker

__all__ = ["PAIR_FEATURES", "PairwiseRanker", "make_pairs"]
