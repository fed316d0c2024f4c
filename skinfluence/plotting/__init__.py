"""Plots as scikit-learn-style ``Display`` objects (matplotlib; extra ``all``).

A Display is built from a fitted estimator with ``Display.from_estimator(...)``:
that computes what is plotted and then calls ``plot``, which draws it. The
computed values stay on the Display (so a plot can be redrawn, restyled or drawn
into another Axes without recomputing) and the drawing is kept in ``ax_`` and
``figure_``. matplotlib is imported only when something is drawn.
"""

from ._attention import AttentionDisplay
from ._audience import FakeShareDisplay, ReachDisplay
from ._pairs import PairRankingDisplay
from ._ranking import RankingCurveDisplay, TopCreatorsDisplay
from ._segments import SegmentProfileDisplay

__all__ = [
    "AttentionDisplay",
    "FakeShareDisplay",
    "PairRankingDisplay",
    "RankingCurveDisplay",
    "ReachDisplay",
    "SegmentProfileDisplay",
    "TopCreatorsDisplay",
]
