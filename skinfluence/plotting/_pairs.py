"""PairRankingDisplay: the global influence ranking of a pair ranker, with its uncertainty."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import account_labels, new_axes, shorten
from ._matplotlib import import_pyplot

__all__ = ["PairRankingDisplay"]


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank of each score along the last axis, 1 = highest (ties share the best rank)."""
    scores = np.atleast_2d(scores)
    # rank = 1 + number of strictly higher scores
    s = np.sort(scores, axis=1)
    n = scores.shape[1]
    out = np.empty(scores.shape, dtype=np.int64)
    for i in range(len(scores)):
        out[i] = n - np.searchsorted(s[i], scores[i], side="right") + 1
    return out


class PairRankingDisplay:
    """The most influential accounts of a global ranking, each with a range of plausible ranks.

    Each row is an account, best first, with a dot at its rank and a line over
    the ranks it takes in ``confidence`` of the resampled rankings (the ranker
    refitted on resamples of the judged pairs): a long line means the
    judgements do not settle where the account stands.

    Parameters
    ----------
    scores : array-like of shape (n_accounts,)
        Global score of each account (higher: more influential).
    labels : array-like of str of shape (n_accounts,)
        Name of each account.
    score_samples : array-like of shape (n_resamples, n_accounts), default=None
        Scores of the accounts under each resampled ranking; None: no uncertainty.
    confidence : float, default=0.9
        Share of the resampled ranks the line covers.

    Attributes
    ----------
    ranks_ : ndarray of int of shape (n_accounts,)
        Rank of each account (1 = most influential).
    rank_low_, rank_high_ : ndarray of shape (n_accounts,)
        Best and worst plausible rank of each account: the ``confidence``
        range of its ranks in the resampled rankings, widened to hold
        ``ranks_`` when it does not (equal to ``ranks_`` without
        ``score_samples``).
    shown_ : ndarray of int
        Positions of the accounts drawn, best first.
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.
    errorbar_ : matplotlib ErrorbarContainer
        The ranks (``errorbar_.lines[0]``, x = rank, top row first) and their ranges.

    See Also
    --------
    PairwiseRanker.rank : The global ranking this display draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import PairRankingDisplay
    >>> display = PairRankingDisplay([0.1, 2.0, 1.0], labels=["ana", "bo", "cy"],
    ...                              score_samples=[[0.1, 2.0, 1.0], [1.5, 2.0, 1.0]]).plot()
    >>> display.ranks_.tolist(), display.shown_.tolist()
    ([3, 1, 2], [1, 2, 0])
    >>> display.rank_low_.tolist(), display.rank_high_.tolist()
    ([2.0, 1.0, 2.0], [3.0, 1.0, 3.0])
    """

    def __init__(self, scores, *, labels, score_samples=None, confidence=0.9):
        self.scores = scores
        self.labels = labels
        self.score_samples = score_samples
        self.confidence = confidence

    def plot(self, ax=None, *, top=20, color="tab:green") -> PairRankingDisplay:
        """Draw the ``top`` accounts with their ranges of ranks.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        top : int, default=20
            How many accounts are drawn, best first.
        color : str, default="tab:green"
            Colour of the dots and ranges.

        Returns
        -------
        display : PairRankingDisplay
            This display, with ``ranks_``, ``rank_low_``, ``rank_high_``,
            ``shown_``, ``ax_``, ``figure_`` and ``errorbar_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        scores = np.asarray(self.scores, dtype=np.float64)
        labels = np.asarray(self.labels, dtype=object)
        if len(labels) != len(scores):
            raise ValueError(f"labels must hold one label per score ({len(scores)}); "
                             f"got {len(labels)}")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be in (0, 1); got {self.confidence!r}")
        self.ranks_ = _ranks(scores)[0]
        if self.score_samples is not None:
            samples = np.asarray(self.score_samples, dtype=np.float64)
            if samples.ndim != 2 or samples.shape[1] != len(scores):
                raise ValueError("score_samples must have shape (n_resamples, n_accounts) with "
                                 f"n_accounts = {len(scores)}; got {samples.shape}")
            ranks = _ranks(samples)
            tail = (1 - self.confidence) / 2 * 100
            low = np.percentile(ranks, tail, axis=0, method="lower")
            high = np.percentile(ranks, 100 - tail, axis=0, method="higher")
            # a percentile range of the refits may miss the rank of the full fit (which is
            # drawn): widened to hold it, so the line never leaves its dot
            self.rank_low_ = np.minimum(low, self.ranks_).astype(float)
            self.rank_high_ = np.maximum(high, self.ranks_).astype(float)
        else:
            self.rank_low_ = self.ranks_.astype(float)
            self.rank_high_ = self.ranks_.astype(float)
        order = np.lexsort((np.arange(len(scores)), self.ranks_))[:top]
        (ax,) = new_axes(plt, ax, figsize=(7, 0.3 * max(len(order), 1) + 1.5))
        rows = np.arange(len(order))[::-1]
        rank = self.ranks_[order].astype(float)
        err = np.vstack([np.clip(rank - self.rank_low_[order], 0, None),
                         np.clip(self.rank_high_[order] - rank, 0, None)])
        self.errorbar_ = ax.errorbar(rank, rows, xerr=err, fmt="o", color=color, ecolor=color,
                                     elinewidth=2, capsize=3, markersize=4, label="rank")
        ax.set_yticks(rows, [shorten(v, 28) for v in labels[order]], fontsize=8)
        # the range is explained on the axis, where a legend would hide the widest lines
        ax.set_xlabel("rank (1 = most influential)" if self.score_samples is None else
                      f"rank (1 = most influential); line: the ranks it takes in "
                      f"{self.confidence:.0%} of {len(samples)} refits on resampled judgements")
        ax.set_xlim(0.5, None)
        ax.set_title(f"most influential: top {len(order)} of {len(scores)} accounts", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        self.shown_ = order
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, items, *, X=None, y=None, n_resamples=20, confidence=0.9,
                       labels=None, top=20, random_state=None, ax=None,
                       **kwargs) -> PairRankingDisplay:
        """Score every account with a fitted pair ranker; resample its judgements for the ranges.

        Parameters
        ----------
        estimator : PairwiseRanker
            A fitted pair ranker with ``score_items``.
        items : DataFrame or array-like of shape (n_accounts, n_side_features)
            One row per account, as ``PairwiseRanker.score_items`` reads them.
        X : DataFrame or array-like of shape (n_pairs, n_features), default=None
            The judged pairs the ranker was fitted on. With ``y``, clones of the
            ranker are refitted on ``n_resamples`` bootstrap resamples of the
            pairs, and each account's range of ranks is read from them. None: no
            ranges.
        y : array-like of shape (n_pairs,), default=None
            The judgements of ``X``.
        n_resamples : int, default=20
            Number of refits.
        confidence : float, default=0.9
            Share of the resampled ranks each range covers.
        labels : array-like of shape (n_accounts,), default=None
            Names; default: the ``id_column`` of ``items`` or its index.
        top : int, default=20
            How many accounts are drawn.
        random_state : int, RandomState instance or None, default=None
            Seed of the resampling.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : PairRankingDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        if not hasattr(estimator, "score_items"):
            raise TypeError(f"{cls.__name__}.from_estimator needs a pair ranker with score_items "
                            f"(PairwiseRanker); got {type(estimator).__name__}")
        scores = estimator.score_items(items)
        samples = None
        if (X is None) != (y is None):
            raise ValueError("pass both X and y (the judged pairs) to resample, or neither")
        if X is not None:
            rng = check_random_state(random_state)
            y = np.asarray(y)
            samples = []
            for _ in range(int(n_resamples)):
                rows = rng.randint(0, len(y), len(y))
                if len(np.unique(y[rows])) < 2:
                    continue
                part = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
                samples.append(clone(estimator).fit(part, y[rows]).score_items(items))
            samples = np.asarray(samples) if samples else None
        labels = account_labels(items, len(scores), labels,
                                column=getattr(estimator, "id_column", None) or "account_id")
        return cls(scores, labels=labels, score_samples=samples, confidence=confidence).plot(
            ax=ax, top=top, **kwargs)
