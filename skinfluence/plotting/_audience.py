"""Audience quality displays: fake-follower shares with their intervals, real against nominal reach."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._base import account_labels, new_axes, shorten
from ._matplotlib import import_pyplot

__all__ = ["FakeShareDisplay", "ReachDisplay"]

_QUALITY_COLUMNS = ("fake_share", "fake_share_low", "fake_share_high", "real_reach")


def _quality_frame(quality) -> pd.DataFrame:
    """The output of ``AudienceQuality.transform`` as a DataFrame with its column names."""
    if isinstance(quality, pd.DataFrame):
        frame = quality
    else:
        values = np.asarray(quality, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != 6:
            raise ValueError("quality must be the output of AudienceQuality.transform (6 columns: "
                             "fake_share, fake_share_low, fake_share_high, inactive_share, "
                             f"real_reach, n_sampled); got shape {values.shape}")
        from ..audience import AUDIENCE_FEATURES

        frame = pd.DataFrame(values, columns=list(AUDIENCE_FEATURES))
    missing = [c for c in _QUALITY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"quality lacks the columns {missing} of AudienceQuality's output; "
                         f"got {list(frame.columns)}")
    return frame


def _audience_quality(estimator, X):
    """(the fitted AudienceQuality, its output on X as a DataFrame)."""
    quality = estimator[-1] if hasattr(estimator, "steps") else estimator
    check_is_fitted(quality)
    if not hasattr(quality, "mean_score_fake_"):
        raise TypeError(f"expected a fitted AudienceQuality (or a Pipeline ending with one); "
                        f"got {type(quality).__name__}")
    out = estimator.transform(X)
    return quality, _quality_frame(out if isinstance(out, pd.DataFrame)
                                   else pd.DataFrame(out, columns=quality.get_feature_names_out()))


class FakeShareDisplay:
    """Each influencer's estimated share of fake followers, with its confidence interval.

    One row per influencer (the ``top`` with the most fakes by default), a dot
    at the estimate and a line across the interval: the range the true share
    lies in with the stated confidence, given the size of the follower sample
    and the detector's errors. A known true share can be drawn beside it.

    Parameters
    ----------
    fake_share : array-like of shape (n_influencers,)
        Estimated share of fake followers.
    low, high : array-like of shape (n_influencers,)
        Ends of the confidence interval.
    labels : array-like of str of shape (n_influencers,)
        Name of each influencer.
    true_share : array-like of shape (n_influencers,), default=None
        The true share, when known (synthetic data).
    confidence : float, default=None
        Nominal coverage of the interval, for the legend.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the intervals.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.
    errorbar_ : matplotlib ErrorbarContainer
        The estimates (``errorbar_.lines[0]``) and their interval lines; row
        ``i`` from the top is the ``i``-th influencer drawn.
    truth_ : matplotlib PathCollection or None
        The true shares, when given.
    shown_ : ndarray of int
        Positions (in the inputs) of the influencers drawn, top row first.

    See Also
    --------
    AudienceQuality : The estimator of the shares and intervals.
    ReachDisplay : Real against nominal reach.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import FakeShareDisplay
    >>> display = FakeShareDisplay([0.1, 0.4, 0.2], [0.05, 0.3, 0.1], [0.2, 0.5, 0.3],
    ...                            labels=["ana", "bo", "cy"]).plot(top=2)
    >>> display.shown_.tolist()
    [1, 2]
    >>> display.errorbar_.lines[0].get_xdata().tolist()
    [0.4, 0.2]
    """

    def __init__(self, fake_share, low, high, *, labels, true_share=None, confidence=None):
        self.fake_share = fake_share
        self.low = low
        self.high = high
        self.labels = labels
        self.true_share = true_share
        self.confidence = confidence

    def plot(self, ax=None, *, top=25, sort="fake_share", color="tab:red") -> FakeShareDisplay:
        """Draw the intervals.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        top : int or None, default=25
            How many influencers are drawn (None: all), after sorting.
        sort : {"fake_share", "high", None}, default="fake_share"
            Largest estimate first, largest upper end first, or input order.
        color : str, default="tab:red"
            Colour of the estimates and intervals.

        Returns
        -------
        display : FakeShareDisplay
            This display, with ``ax_``, ``figure_``, ``errorbar_``, ``truth_``
            and ``shown_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        share = np.asarray(self.fake_share, dtype=np.float64)
        low = np.asarray(self.low, dtype=np.float64)
        high = np.asarray(self.high, dtype=np.float64)
        labels = np.asarray(self.labels, dtype=object)
        if not len(share) == len(low) == len(high) == len(labels):
            raise ValueError("fake_share, low, high and labels must have the same length; got "
                             f"{len(share)}, {len(low)}, {len(high)}, {len(labels)}")
        if sort not in ("fake_share", "high", None):
            raise ValueError(f"sort must be 'fake_share', 'high' or None; got {sort!r}")
        order = np.arange(len(share))
        if sort is not None:
            key = share if sort == "fake_share" else high
            order = np.argsort(-np.nan_to_num(key, nan=-1.0), kind="stable")
        order = order[:top] if top is not None else order
        (ax,) = new_axes(plt, ax, figsize=(7, 0.3 * max(len(order), 1) + 1.5))
        rows = np.arange(len(order))[::-1]
        s, lo, hi = share[order], low[order], high[order]
        err = np.vstack([np.clip(s - lo, 0, None), np.clip(hi - s, 0, None)])
        name = "estimate and interval" if self.confidence is None else (
            f"estimate and {self.confidence:.0%} interval")
        self.errorbar_ = ax.errorbar(s, rows, xerr=err, fmt="o", color=color, ecolor=color,
                                     elinewidth=2, capsize=3, markersize=4, label=name)
        self.truth_ = None
        if self.true_share is not None:
            truth = np.asarray(self.true_share, dtype=np.float64)[order]
            self.truth_ = ax.scatter(truth, rows, marker="x", color="black", zorder=3,
                                     label="true share")
        ax.set_yticks(rows, [shorten(v, 28) for v in labels[order]], fontsize=8)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.set_xlabel("share of fake followers")
        ax.set_title(f"fake followers: {len(order)} of {len(share)} influencers", fontsize=10)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        self.shown_ = order
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_predictions(cls, quality, *, labels=None, true_share=None, confidence=None, ax=None,
                         **kwargs) -> FakeShareDisplay:
        """Draw the output of ``AudienceQuality.transform``.

        Parameters
        ----------
        quality : DataFrame or ndarray of shape (n_influencers, 6)
            ``AudienceQuality``'s output (columns ``fake_share``,
            ``fake_share_low``, ``fake_share_high``, ...).
        labels : array-like of shape (n_influencers,), default=None
            Name of each influencer; default: the index of a DataFrame, else positions.
        true_share : array-like of shape (n_influencers,), default=None
            The true shares, when known.
        confidence : float, default=None
            Coverage of the interval, for the legend.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot` (``top``, ``sort``, ``color``).

        Returns
        -------
        display : FakeShareDisplay
            The display, drawn.
        """
        frame = _quality_frame(quality)
        labels = account_labels(frame, len(frame), labels)
        return cls(frame["fake_share"], frame["fake_share_low"], frame["fake_share_high"],
                   labels=labels, true_share=true_share, confidence=confidence).plot(
            ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, *, labels=None, true_share=None, ax=None,
                       **kwargs) -> FakeShareDisplay:
        """Estimate the shares of ``X`` with a fitted AudienceQuality and draw them.

        Parameters
        ----------
        estimator : AudienceQuality or Pipeline
            Fitted (or a fitted Pipeline ending with one).
        X : DataFrame
            Influencer frame with the nested ``audience`` column.
        labels : array-like of shape (n_influencers,), default=None
            Name of each influencer; default: ``X["account_id"]``, else the index.
        true_share : array-like of shape (n_influencers,), default=None
            The true shares, when known.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot` (``top``, ``sort``, ``color``).

        Returns
        -------
        display : FakeShareDisplay
            The display, drawn.
        """
        quality, frame = _audience_quality(estimator, X)
        labels = account_labels(X, len(frame), labels)
        return cls.from_predictions(frame, labels=labels, true_share=true_share,
                                    confidence=getattr(quality, "confidence", None), ax=ax,
                                    **kwargs)


class ReachDisplay:
    """Real reach (followers who are not fake) against nominal reach (all followers).

    Each influencer is a dot at (followers, real reach) on log axes, with a
    vertical line across the real reach implied by the ends of the fake-share
    interval. The diagonal is a fully genuine audience: the further below it,
    the more of the audience is fake.

    Parameters
    ----------
    followers : array-like of shape (n_influencers,)
        Nominal reach: the follower count.
    real_reach : array-like of shape (n_influencers,)
        Estimated followers who are not fake.
    low, high : array-like of shape (n_influencers,), default=None
        Ends of the real reach's interval.
    labels : array-like of str of shape (n_influencers,), default=None
        Names; the ``annotate`` influencers with the largest gap are labelled.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding ``ax_``.
    errorbar_ : matplotlib ErrorbarContainer
        The dots (``errorbar_.lines[0]``, in input order, influencers with a
        follower count above 0 and a real reach) and their intervals.
    diagonal_ : matplotlib Line2D
        The line real reach = followers.

    See Also
    --------
    AudienceQuality : The estimator of the real reach.
    FakeShareDisplay : The fake shares behind it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skinfluence.plotting import ReachDisplay
    >>> display = ReachDisplay([1000, 50000], [900, 20000]).plot()
    >>> display.errorbar_.lines[0].get_ydata().tolist()
    [900.0, 20000.0]
    """

    def __init__(self, followers, real_reach, *, low=None, high=None, labels=None):
        self.followers = followers
        self.real_reach = real_reach
        self.low = low
        self.high = high
        self.labels = labels

    def plot(self, ax=None, *, annotate=5, color="tab:purple") -> ReachDisplay:
        """Draw the dots, their intervals and the diagonal.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        annotate : int, default=5
            How many influencers (largest share lost to fakes) are labelled by name.
        color : str, default="tab:purple"
            Colour of the dots and intervals.

        Returns
        -------
        display : ReachDisplay
            This display, with ``ax_``, ``figure_``, ``errorbar_`` and ``diagonal_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        followers = np.asarray(self.followers, dtype=np.float64)
        reach = np.asarray(self.real_reach, dtype=np.float64)
        if len(followers) != len(reach):
            raise ValueError(f"followers and real_reach must have the same length; got "
                             f"{len(followers)} and {len(reach)}")
        keep = (followers > 0) & np.isfinite(reach) & (reach > 0)
        (ax,) = new_axes(plt, ax, figsize=(6, 5))
        f, r = followers[keep], reach[keep]
        err = None
        if self.low is not None and self.high is not None:
            lo = np.asarray(self.low, dtype=np.float64)[keep]
            hi = np.asarray(self.high, dtype=np.float64)[keep]
            err = np.vstack([np.clip(r - np.nan_to_num(lo, nan=r), 0, None),
                             np.clip(np.nan_to_num(hi, nan=r) - r, 0, None)])
        self.errorbar_ = ax.errorbar(f, r, yerr=err, fmt="o", color=color, ecolor=color,
                                     alpha=0.7, markersize=3, elinewidth=1, label="influencer")
        ax.set_xscale("log")
        ax.set_yscale("log")
        if len(f):
            span = [min(f.min(), r.min()), f.max()]
            (self.diagonal_,) = ax.plot(span, span, color="grey", linestyle="--", linewidth=1,
                                        label="no fake followers")
        else:
            (self.diagonal_,) = ax.plot([], [], color="grey", linestyle="--")
        if self.labels is not None and annotate and len(f):
            labels = np.asarray(self.labels, dtype=object)[keep]
            lost = 1 - r / f
            for i in np.argsort(-lost, kind="stable")[:annotate]:
                ax.annotate(shorten(labels[i], 20), (f[i], r[i]), xytext=(4, -8),
                            textcoords="offset points", fontsize=7)
        ax.set_xlabel("followers (nominal reach)")
        ax.set_ylabel("real followers (real reach)")
        ax.set_title(f"real against nominal reach, {int(keep.sum())} influencers", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3, which="both")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_predictions(cls, followers, quality, *, labels=None, ax=None, **kwargs) -> ReachDisplay:
        """Draw real against nominal reach from ``AudienceQuality``'s output.

        Parameters
        ----------
        followers : array-like of shape (n_influencers,)
            The follower counts.
        quality : DataFrame or ndarray of shape (n_influencers, 6)
            ``AudienceQuality``'s output (``real_reach`` and the fake-share interval).
        labels : array-like of shape (n_influencers,), default=None
            Names of the influencers.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReachDisplay
            The display, drawn.
        """
        frame = _quality_frame(quality)
        followers = np.asarray(followers, dtype=np.float64)
        low = followers * (1 - frame["fake_share_high"].to_numpy(dtype=np.float64))
        high = followers * (1 - frame["fake_share_low"].to_numpy(dtype=np.float64))
        return cls(followers, frame["real_reach"], low=low, high=high, labels=labels).plot(
            ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, *, labels=None, ax=None, **kwargs) -> ReachDisplay:
        """Estimate the real reach of ``X`` with a fitted AudienceQuality and draw it.

        Parameters
        ----------
        estimator : AudienceQuality or Pipeline
            Fitted (or a fitted Pipeline ending with one).
        X : DataFrame
            Influencer frame with the nested ``audience`` column and the follower counts.
        labels : array-like of shape (n_influencers,), default=None
            Names; default: ``X["account_id"]``, else the index.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReachDisplay
            The display, drawn.
        """
        quality, frame = _audience_quality(estimator, X)
        followers = X[quality.followers_column].to_numpy(dtype=np.float64)
        labels = account_labels(X, len(frame), labels)
        return cls.from_predictions(followers, frame, labels=labels, ax=ax, **kwargs)
