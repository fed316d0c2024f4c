"""AttentionDisplay: one account's posts as bars, most attended first."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._matplotlib import import_pyplot

__all__ = ["AttentionDisplay"]

_CAPTION_CHARS = 50  # longer captions are cut to this many characters in the bar labels


class AttentionDisplay:
    """Attention weights of one account's posts, drawn as horizontal bars.

    Build it with :meth:`from_estimator` from a fitted :class:`AttentiveProfiler`;
    ``__init__`` only stores values that are already computed. :meth:`plot` draws
    the ``top`` most attended posts, most attended at the top, with a dashed line
    at the uniform weight ``1 / n_valid``.

    Parameters
    ----------
    weights : array-like of shape (n_posts,)
        Attention weight of each of the account's posts, in the container's post
        order.
    post_labels : array-like of str of shape (n_posts,)
        Label of each post's bar (position, predicted and true category, caption).
    n_valid : int
        Number of the account's valid posts (those with features); the uniform
        line is drawn at ``1 / n_valid``, and not at all when it is 0.
    account_name : str, default=None
        Name of the account, for the title.
    predicted_class : object, default=None
        The class predicted for the account, for the title.
    predicted_proba : float, default=None
        Probability of ``predicted_class``, for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the bars.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.
    bars_ : matplotlib BarContainer
        The bars, most attended first.

    See Also
    --------
    AttentiveProfiler.attention_weights : The weights this display draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import AttentionDisplay
    >>> display = AttentionDisplay([0.5, 0.2, 0.3], post_labels=["#0", "#1", "#2"],
    ...                            n_valid=3, account_name="ana")
    >>> display = display.plot(top=2)
    >>> [round(float(bar.get_width()), 2) for bar in display.bars_]
    [0.5, 0.3]
    >>> display.ax_.get_title(loc="right")
    'ana: top 2 of 3 posts by attention'
    """

    def __init__(self, weights, *, post_labels, n_valid: int, account_name: str | None = None,
                 predicted_class=None, predicted_proba: float | None = None):
        self.weights = weights
        self.post_labels = post_labels
        self.n_valid = n_valid
        self.account_name = account_name
        self.predicted_class = predicted_class
        self.predicted_proba = predicted_proba

    def plot(self, ax=None, *, top: int = 10, color: str = "tab:blue") -> AttentionDisplay:
        """Draw the ``top`` most attended posts.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure (sized to the number of bars) when None.
        top : int, default=10
            Number of posts shown.
        color : str, default="tab:blue"
            Colour of the bars.

        Returns
        -------
        display : AttentionDisplay
            This display, with ``ax_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        weights = np.asarray(self.weights, dtype=np.float64)
        labels = np.asarray(self.post_labels, dtype=object)
        if len(labels) != len(weights):
            raise ValueError(
                f"post_labels must hold one label per weight ({len(weights)}); got {len(labels)}"
            )
        order = np.argsort(-weights, kind="stable")[:max(int(top), 0)]
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.45 * max(len(order), 1) + 1.2))
        rows = np.arange(len(order))[::-1]
        self.bars_ = ax.barh(rows, weights[order], color=color)
        ax.set_yticks(rows, [str(v) for v in labels[order]], fontsize=8)
        if self.n_valid:
            ax.axvline(1.0 / self.n_valid, color="grey", linestyle="--", linewidth=1,
                       label=f"uniform (1/{self.n_valid})")
            ax.legend(loc="lower right", fontsize=8)
        head = "" if self.account_name is None else f"{self.account_name}: "
        if self.predicted_class is not None:
            proba = "" if self.predicted_proba is None else f" ({self.predicted_proba:.0%})"
            head += f"{self.predicted_class}{proba}, "
        # right-aligned: the post labels on the left take most of the figure's width
        ax.set_title(f"{head}top {len(order)} of {len(weights)} posts by attention",
                     loc="right", fontsize=10)
        ax.set_xlabel("attention weight")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, X, account, *, texts=None, top: int = 10, ax=None,
                       color: str = "tab:blue") -> AttentionDisplay:
        """Compute one account's attention weights with a fitted profiler, and plot them.

        Parameters
        ----------
        estimator : AttentiveProfiler
            A fitted profiler (or any fitted classifier with ``attention_weights``
            and ``predict_proba`` on a :class:`PostFeatures` container).
        X : PostFeatures
            Per-post features of the accounts, as the profiler reads them.
        account : int or label
            Position of the account in ``X`` (an int), or its label in ``X.index``.
        texts : array-like of str, default=None
            Post texts (captions) to label the bars, either one per post of ``X``
            (flat order) or one per post of the account.
        top : int, default=10
            Number of posts shown.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        color : str, default="tab:blue"
            Colour of the bars.

        Returns
        -------
        display : AttentionDisplay
            The display, drawn (``ax_``, ``figure_`` and ``bars_`` are set).
        """
        check_is_fitted(estimator)
        name = type(estimator).__name__
        if not hasattr(X, "offsets") or not hasattr(X, "n_posts"):
            shape = getattr(X, "shape", None)
            got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
            raise TypeError(
                f"{cls.__name__}.from_estimator expects a PostFeatures container (the per-post "
                f"output of PostEncoder, as {name} reads it); got {got}"
            )
        pos = _account_position(X, account)
        one = X[pos]
        weights = estimator.attention_weights(one)
        n = one.n_posts
        if texts is not None:
            texts = np.asarray(texts, dtype=object)
            if len(texts) == X.n_posts:
                texts = texts[X.offsets[pos]:X.offsets[pos + 1]]
            elif len(texts) != n:
                raise ValueError(
                    f"texts must hold one text per post of X ({X.n_posts}) or of the account "
                    f"({n}); got {len(texts)}"
                )
        post_pred = None
        if n and hasattr(estimator, "predict_posts"):
            try:
                post_pred = estimator.predict_posts(one)
            except AttributeError:  # fitted without a post head: no post predictions
                post_pred = None
        label_name = getattr(estimator, "label_name", None)
        truth = one.extras.get(label_name) if label_name else None
        labels = [_post_label(i, post_pred, truth, bool(one.mask[i]), texts) for i in range(n)]
        proba = estimator.predict_proba(one)[0]
        best = int(np.argmax(proba))
        display = cls(
            weights,
            post_labels=labels,
            n_valid=int(one.mask.sum()),
            account_name=str(X.index[pos]) if X.index is not None else f"#{pos}",
            predicted_class=estimator.classes_[best],
            predicted_proba=float(proba[best]),
        )
        return display.plot(ax=ax, top=top, color=color)


def _post_label(i, post_pred, truth, valid, texts) -> str:
    """The bar label of post ``i``: position, predicted and true category, caption."""
    parts = [f"#{i}"]
    if post_pred is not None:
        parts.append(f"pred {post_pred[i]}")
    if truth is not None and not bool(np.asarray(pd.isna(truth[i]))):
        parts.append(f"label {truth[i]}")
    if not valid:
        parts.append("(invalid)")
    if texts is not None and texts[i] is not None:
        t = str(texts[i]).replace("\n", " ")
        parts.append(t if len(t) <= _CAPTION_CHARS else t[:_CAPTION_CHARS - 3] + "...")
    return "  ".join(parts)


def _account_position(X, account) -> int:
    """Position in ``X`` of ``account`` (a position, or a label of ``X.index``)."""
    if isinstance(account, (numbers.Integral, np.integer)) and not isinstance(account, bool):
        if not -len(X) <= account < len(X):
            raise IndexError(f"account position {account} is out of range for {len(X)} accounts")
        return int(account) % len(X)
    if X.index is None:
        raise KeyError(f"account {account!r}: X has no index; pass the account's position (int)")
    hits = np.flatnonzero(X.index == account)
    if len(hits) == 0:
        raise KeyError(f"account {account!r} is not in X.index")
    if len(hits) > 1:
        warnings.warn(f"account {account!r} occurs {len(hits)} times in X.index; using the first",
                      UserWarning, stacklevel=3)
    return int(hits[0])
