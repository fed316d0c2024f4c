"""Ranking displays: recall@k and NDCG@k curves of a ranker, and one brand's top creators."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import new_axes, shorten
from ._matplotlib import import_pyplot

__all__ = ["RankingCurveDisplay", "TopCreatorsDisplay"]


def _query_ids(X, qid, caller):
    if qid is None:
        qid = getattr(X, "qid", None)
    if qid is None:
        raise ValueError(f"{caller} needs the query id of each row: pass qid=, or X as a "
                         "QueryCandidates (make_queries), which carries it")
    return np.asarray(qid)


class RankingCurveDisplay:
    """Recall@k and NDCG@k of a ranker for k = 1 ... ``max_k``, two panels side by side.

    Recall@k: the share of each brand's (query's) known creators found in its
    top k, averaged over brands. NDCG@k: the same top k judged by the order of
    the relevance grades (1 = the ideal order). To compare models, draw the
    second one into the first one's panels (``ax=display.axes_``), as with
    scikit-learn's curve displays.

    Parameters
    ----------
    k : array-like of int of shape (n_k,)
        The cut-offs.
    recall : array-like of shape (n_k,)
        Mean recall at each cut-off.
    ndcg : array-like of shape (n_k,)
        Mean NDCG at each cut-off.
    name : str, default=None
        Name of the model, for the legend.

    Attributes
    ----------
    axes_ : ndarray of 2 matplotlib Axes
        The recall panel and the NDCG panel.
    figure_ : matplotlib Figure
        Figure holding the panels.
    lines_ : dict of str to matplotlib Line2D
        The curves, keyed ``"recall"`` and ``"ndcg"``.

    See Also
    --------
    skinfluence.metrics.recall_at_k : The recall of one cut-off.
    skinfluence.metrics.ndcg_at_k : The NDCG of one cut-off.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import RankingCurveDisplay
    >>> display = RankingCurveDisplay.from_predictions(
    ...     [1, 0, 0, 1, 0, 1], [0.9, 0.8, 0.1, 0.2, 0.7, 0.6], qid=[0, 0, 0, 1, 1, 1],
    ...     max_k=3, name="model")
    >>> display.lines_["recall"].get_ydata().tolist()
    [0.5, 0.75, 1.0]
    """

    def __init__(self, k, recall, ndcg, *, name=None):
        self.k = k
        self.recall = recall
        self.ndcg = ndcg
        self.name = name

    def plot(self, ax=None, *, name=None, **kwargs) -> RankingCurveDisplay:
        """Draw the two curves.

        Parameters
        ----------
        ax : sequence of 2 matplotlib Axes, default=None
            The recall and the NDCG panels (e.g. another display's ``axes_``);
            a new figure when None.
        name : str, default=None
            Legend label; overrides the display's ``name``.
        **kwargs : dict
            Passed to matplotlib's ``plot`` (``color``, ``linestyle``, ...).

        Returns
        -------
        display : RankingCurveDisplay
            This display, with ``axes_``, ``figure_`` and ``lines_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        k = np.asarray(self.k)
        label = name if name is not None else self.name
        axes = new_axes(plt, ax, n=2, figsize=(10, 3.8))
        self.lines_ = {}
        for a, key, values, title in ((axes[0], "recall", self.recall, "recall@k"),
                                      (axes[1], "ndcg", self.ndcg, "NDCG@k")):
            values = np.asarray(values, dtype=np.float64)
            if len(values) != len(k):
                raise ValueError(f"{key} must hold one value per cut-off ({len(k)}); "
                                 f"got {len(values)}")
            (self.lines_[key],) = a.plot(k, values, marker="o", markersize=3,
                                         label=label, **kwargs)
            a.set_xlabel("k (creators looked at per brand)")
            a.set_ylabel(title)
            a.set_ylim(0, 1.02)
            a.grid(alpha=0.3)
            if label is not None:
                a.legend(loc="lower right", fontsize=8)
        self.axes_ = axes
        self.figure_ = axes[0].figure
        return self

    @classmethod
    def from_predictions(cls, y_true, y_score, *, qid, max_k=20, name=None, ax=None,
                         **kwargs) -> RankingCurveDisplay:
        """Compute the curves from scores and draw them.

        Parameters
        ----------
        y_true : array-like of shape (n_rows,)
            Relevance of each (brand, creator) row; above 0 is a known match.
        y_score : array-like of shape (n_rows,)
            Score of each row; higher ranks first.
        qid : array-like of shape (n_rows,)
            Query (brand) of each row.
        max_k : int, default=20
            The largest cut-off.
        name : str, default=None
            Name of the model, for the legend.
        ax : sequence of 2 matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : RankingCurveDisplay
            The display, drawn.
        """
        from ..metrics import ndcg_at_k, recall_at_k

        if isinstance(max_k, bool) or not isinstance(max_k, (int, np.integer)) or max_k < 1:
            raise ValueError(f"max_k must be a positive integer; got {max_k!r}")
        k = np.arange(1, int(max_k) + 1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            recall = [recall_at_k(y_true, y_score, qid=qid, k=int(i)) for i in k]
            ndcg = [ndcg_at_k(y_true, y_score, qid=qid, k=int(i)) for i in k]
        seen = set()
        for w in caught:  # the same warning for every cut-off: say it once
            if (w.category, str(w.message)) not in seen:
                seen.add((w.category, str(w.message)))
                warnings.warn(w.message, w.category, stacklevel=2)
        return cls(k, recall, ndcg, name=name).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, qid=None, max_k=20, name=None, ax=None,
                       **kwargs) -> RankingCurveDisplay:
        """Score ``X`` with a fitted ranker, compute the curves and draw them.

        Parameters
        ----------
        estimator : ranker
            A fitted ranker with ``predict`` (ListwiseRanker, BoostedRanker, ...).
        X : QueryCandidates or array-like of shape (n_rows, n_features)
            The (brand, creator) rows.
        y : array-like of shape (n_rows,)
            Relevance of each row.
        qid : array-like of shape (n_rows,), default=None
            Query of each row; default: carried by a QueryCandidates ``X``.
        max_k : int, default=20
            The largest cut-off.
        name : str, default=None
            Legend label; default: the estimator's class name.
        ax : sequence of 2 matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to matplotlib's ``plot``.

        Returns
        -------
        display : RankingCurveDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        qid = _query_ids(X, qid, f"{cls.__name__}.from_estimator")
        scores = estimator.predict(X)
        name = type(estimator).__name__ if name is None else name
        return cls.from_predictions(y, scores, qid=qid, max_k=max_k, name=name, ax=ax, **kwargs)


class TopCreatorsDisplay:
    """One brand's best-scored creators as horizontal bars, best on top.

    Creators already known to work with the brand (relevance above 0) can be
    shown in another colour, to see whether the ranker finds them.

    Parameters
    ----------
    scores : array-like of shape (n_creators,)
        The score of each creator shown, best first.
    labels : array-like of str of shape (n_creators,)
        The name of each creator.
    relevant : array-like of bool of shape (n_creators,), default=None
        Which creators are known matches of the brand; None: unknown.
    brand : str, default=None
        Name of the brand, for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the bars.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.
    bars_ : matplotlib BarContainer
        The bars, best creator first.

    See Also
    --------
    ListwiseRanker.top_k : The ranking this display draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import TopCreatorsDisplay
    >>> display = TopCreatorsDisplay.from_predictions(
    ...     [0.2, 0.9, 0.5], candidate_labels=["ana", "bo", "cy"], y_true=[0, 1, 0], k=2,
    ...     brand="Glow")
    >>> [t.get_text() for t in display.ax_.get_yticklabels()]
    ['bo', 'cy']
    >>> [round(float(b.get_width()), 1) for b in display.bars_]
    [0.9, 0.5]
    """

    def __init__(self, scores, labels, *, relevant=None, brand=None):
        self.scores = scores
        self.labels = labels
        self.relevant = relevant
        self.brand = brand

    def plot(self, ax=None, *, color="tab:blue", relevant_color="tab:orange",
             xlabel="match score (higher is a better fit)") -> TopCreatorsDisplay:
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        color : str, default="tab:blue"
            Colour of the bars.
        relevant_color : str, default="tab:orange"
            Colour of the known matches.
        xlabel : str, default="match score (higher is a better fit)"
            Label of the score axis.

        Returns
        -------
        display : TopCreatorsDisplay
            This display, with ``ax_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        scores = np.asarray(self.scores, dtype=np.float64)
        labels = [shorten(v, 30) for v in np.asarray(self.labels, dtype=object)]
        if len(labels) != len(scores):
            raise ValueError(f"labels must hold one label per score ({len(scores)}); "
                             f"got {len(labels)}")
        (ax,) = new_axes(plt, ax, figsize=(7, 0.4 * max(len(scores), 1) + 1.3))
        rows = np.arange(len(scores))[::-1]
        colors = [color] * len(scores)
        if self.relevant is not None:
            relevant = np.asarray(self.relevant, dtype=bool)
            colors = [relevant_color if r else color for r in relevant]
        self.bars_ = ax.barh(rows, scores, color=colors)
        ax.set_yticks(rows, labels, fontsize=8)
        if self.relevant is not None and np.any(self.relevant):
            from matplotlib.patches import Patch

            ax.legend(handles=[Patch(color=relevant_color, label="already works with the brand"),
                               Patch(color=color, label="other creator")],
                      loc="lower right", fontsize=8)
        title = f"top {len(scores)} creators"
        ax.set_title(title if self.brand is None else f"{self.brand}: {title}", fontsize=10)
        ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_predictions(cls, y_score, *, candidate_labels, y_true=None, k=10, brand=None,
                         ax=None, **kwargs) -> TopCreatorsDisplay:
        """Keep the ``k`` best-scored creators of one brand and draw them.

        Parameters
        ----------
        y_score : array-like of shape (n_candidates,)
            Score of each candidate creator of the brand.
        candidate_labels : array-like of shape (n_candidates,)
            Name of each candidate.
        y_true : array-like of shape (n_candidates,), default=None
            Known relevance (above 0: works with the brand), to colour the matches.
        k : int, default=10
            How many creators are shown.
        brand : str, default=None
            Name of the brand, for the title.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TopCreatorsDisplay
            The display, drawn.
        """
        scores = np.asarray(y_score, dtype=np.float64).ravel()
        labels = np.asarray(candidate_labels, dtype=object)
        if len(labels) != len(scores):
            raise ValueError(f"candidate_labels must hold one label per score ({len(scores)}); "
                             f"got {len(labels)}")
        order = np.argsort(-scores, kind="stable")[:max(int(k), 0)]
        relevant = None if y_true is None else np.asarray(y_true, dtype=np.float64)[order] > 0
        return cls(scores[order], labels[order], relevant=relevant, brand=brand).plot(
            ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, *, query, y=None, qid=None, k=10, candidate_labels=None,
                       brand=None, ax=None, **kwargs) -> TopCreatorsDisplay:
        """Score one brand's candidate creators with a fitted ranker and draw the best ``k``.

        Parameters
        ----------
        estimator : ranker
            A fitted ranker with ``predict`` (ListwiseRanker, BoostedRanker, ...).
        X : QueryCandidates or array-like of shape (n_rows, n_features)
            (brand, creator) rows of one or more brands.
        query : object
            The brand (query id) whose creators are drawn.
        y : array-like of shape (n_rows,), default=None
            Known relevance of each row, to colour the matches.
        qid : array-like of shape (n_rows,), default=None
            Query of each row; default: carried by a QueryCandidates ``X``.
        k : int, default=10
            How many creators are shown.
        candidate_labels : array-like of shape (n_rows,), default=None
            Name of each row's creator; default: the candidate ids of a
            QueryCandidates ``X``, else row positions.
        brand : str, default=None
            Title name of the brand; default: ``query``.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TopCreatorsDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        qid = _query_ids(X, qid, f"{cls.__name__}.from_estimator")
        rows = np.flatnonzero(qid == query)
        if len(rows) == 0:
            raise ValueError(f"query {query!r} has no rows in X; its queries are, e.g., "
                             f"{np.unique(qid)[:5].tolist()}")
        if candidate_labels is None:
            if hasattr(X, "candidate_ids") and X.candidate_ids is not None:
                candidate_labels = X.candidate_ids[X.candidate_index]
            else:
                candidate_labels = np.asarray([f"#{i}" for i in range(len(qid))], dtype=object)
        candidate_labels = np.asarray(candidate_labels, dtype=object)
        scores = np.asarray(estimator.predict(X[rows]), dtype=np.float64)
        y_rows = None if y is None else np.asarray(y)[rows]
        return cls.from_predictions(scores, candidate_labels=candidate_labels[rows], y_true=y_rows,
                                    k=k, brand=query if brand is None else brand, ax=ax, **kwargs)
