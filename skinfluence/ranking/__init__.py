"""Ranking accounts: who is more influential, and which creators fit a brand.

- :class:`PairwiseRanker`: an exactly antisymmetric classifier over pairs of
  accounts (LightGBM by default, any scikit-learn classifier otherwise), with
  optional Bradley-Terry strengths per account and a global score per account
  (:meth:`~PairwiseRanker.score_items`, :meth:`~PairwiseRanker.rank`);
- :func:`make_pairs`: the wide pair frame from an items table and a list of pairs;
- :class:`ListwiseRanker` (MIR's two-tower listwise model) and :class:`BoostedRanker`
  (LightGBM learning-to-rank) score (query, candidate) rows, e.g. (brand, creator),
  with one ``qid`` per row in any order and a per-query ``score``;
- :class:`QueryCandidates`, :func:`make_queries`, :func:`unseen_split`,
  :func:`split_pairs`: their data;
- :func:`fit_dask`: the two LightGBM rankers trained on a ``dask.dataframe`` across a
  cluster (LightGBM's Dask interface).

See ``docs/pair_ranker.md`` and ``docs/ranking.md``.
"""

from ._boosted import BoostedRanker
from ._dask import fit_dask
from ._listwise import ListwiseRanker
from ._pair_features import PAIR_FEATURES
from ._pairs import make_pairs
from ._pairwise import PairwiseRanker
from ._queries import QueryCandidates, make_queries
from ._split import split_pairs, unseen_split

__all__ = [
    "PAIR_FEATURES",
    "BoostedRanker",
    "ListwiseRanker",
    "PairwiseRanker",
    "QueryCandidates",
    "fit_dask",
    "make_pairs",
    "make_queries",
    "split_pairs",
    "unseen_split",
]
