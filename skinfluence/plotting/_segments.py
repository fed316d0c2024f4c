"""SegmentProfileDisplay: what each segment of creators looks like, in the input's units."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ._base import format_value, new_axes
from ._matplotlib import import_pyplot

__all__ = ["SegmentProfileDisplay"]

#: A feature is drawn on a log axis when its positive segment values span this ratio or more.
LOG_SPAN = 30.0


class SegmentProfileDisplay:
    """Segment profiles as bar panels: one panel for the sizes, one per feature.

    Each row is a segment, labelled by its readable name; the first panel shows
    how many creators it holds, the others the segment's centroid of each
    feature in the input's own units (followers, engagement rate, ...), the
    value written at the end of each bar. A feature whose segment values span
    orders of magnitude gets a log axis.

    Build it with :meth:`from_estimator` from a fitted :class:`KMeansSegmenter`
    (or a Pipeline ending with one), or directly from a table of profiles.

    Parameters
    ----------
    profiles : DataFrame
        One row per segment with the columns ``name``, ``size`` and one column
        per feature (``share`` is ignored), as ``KMeansSegmenter.segment_profiles_``.
    features : list of str, default=None
        The feature columns drawn, in order; None: every numeric column but
        ``size`` and ``share``.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        The panels: sizes first, then one per feature.
    figure_ : matplotlib Figure
        Figure holding the panels.
    bars_ : dict of str to matplotlib BarContainer
        The bars of each panel, keyed ``"size"`` and by feature name; bar ``i``
        is segment ``i`` of ``profiles``.

    See Also
    --------
    KMeansSegmenter : The segmenter whose ``segment_profiles_`` this draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from skinfluence.plotting import SegmentProfileDisplay
    >>> profiles = pd.DataFrame({"name": ["nano · high engagement", "mega · low engagement"],
    ...                          "size": [40, 10], "share": [0.8, 0.2],
    ...                          "followers": [3e3, 3e6], "engagement_rate": [0.1, 0.015]})
    >>> display = SegmentProfileDisplay(profiles).plot()
    >>> [float(bar.get_width()) for bar in display.bars_["size"]]
    [40.0, 10.0]
    >>> display.axes_[2].get_xscale(), display.axes_[2].get_title()
    ('linear', 'engagement rate')
    """

    def __init__(self, profiles, *, features=None):
        self.profiles = profiles
        self.features = features

    def _features(self, profiles) -> list[str]:
        if self.features is not None:
            missing = [f for f in self.features if f not in profiles.columns]
            if missing:
                raise ValueError(f"features {missing} are not columns of the profiles; "
                                 f"they have {list(profiles.columns)}")
            return list(self.features)
        return [c for c in profiles.columns if c not in ("name", "size", "share")
                and pd.api.types.is_numeric_dtype(profiles[c])]

    def plot(self, ax=None, *, color="tab:blue", log_scale="auto") -> SegmentProfileDisplay:
        """Draw the panels.

        Parameters
        ----------
        ax : sequence of matplotlib Axes, default=None
            One Axes per panel (``1 + len(features)``); a new figure when None.
        color : str, default="tab:blue"
            Colour of the feature bars (the size bars are grey).
        log_scale : "auto" or bool, default="auto"
            Log axes for the features: "auto" where the positive segment values
            span 30 times or more.

        Returns
        -------
        display : SegmentProfileDisplay
            This display, with ``axes_``, ``figure_`` and ``bars_`` set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        profiles = pd.DataFrame(self.profiles)
        for column in ("name", "size"):
            if column not in profiles.columns:
                raise ValueError(f"profiles need a {column!r} column (as "
                                 "KMeansSegmenter.segment_profiles_ has); got columns "
                                 f"{list(profiles.columns)}")
        features = self._features(profiles)
        n = len(profiles)
        axes = new_axes(plt, ax, n=1 + len(features), sharey=True,
                        figsize=(2.6 * (1 + len(features)) + 2.2, 0.55 * n + 1.4))
        rows = np.arange(n)[::-1]  # first segment on top
        names = [str(v) for v in profiles["name"]]
        self.bars_ = {}
        size = profiles["size"].to_numpy(dtype=np.float64)
        total = size.sum()
        self.bars_["size"] = axes[0].barh(rows, size, color="0.6")
        for r, v in zip(rows, size, strict=True):
            share = f" ({v / total:.0%})" if total > 0 else ""
            axes[0].annotate(f"{v:,.0f}{share}", (v, r), xytext=(3, 0), textcoords="offset points",
                             va="center", fontsize=8)
        axes[0].set_title("creators")
        axes[0].set_yticks(rows, names)
        for a, feature in zip(axes[1:], features, strict=True):
            values = profiles[feature].to_numpy(dtype=np.float64)
            bars = a.barh(rows, values, color=color)
            self.bars_[feature] = bars
            positive = values[np.isfinite(values) & (values > 0)]
            use_log = (log_scale is True or (
                log_scale == "auto" and len(positive) == n and n > 1
                and positive.max() / positive.min() >= LOG_SPAN))
            if use_log:
                a.set_xscale("log")
            for r, v in zip(rows, values, strict=True):
                a.annotate(format_value(v), (v if np.isfinite(v) else 0, r), xytext=(3, 0),
                           textcoords="offset points", va="center", fontsize=8)
            a.set_title(feature.replace("__", " ").replace("_", " "))
        for a in axes:
            a.margins(x=0.35)
            a.tick_params(axis="x", labelsize=8)
            if a.get_xscale() == "linear":
                a.xaxis.set_major_locator(MaxNLocator(3))
            a.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v)))
            a.spines[["top", "right"]].set_visible(False)
        self.axes_ = axes
        self.figure_ = axes[0].figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, features=None, ax=None, color="tab:blue",
                       log_scale="auto") -> SegmentProfileDisplay:
        """Draw the segment profiles of a fitted segmenter.

        Parameters
        ----------
        estimator : KMeansSegmenter or Pipeline
            A fitted segmenter with ``segment_profiles_``, or a fitted Pipeline
            whose last step is one.
        features : list of str, default=None
            The features drawn; None: all of them.
        ax : sequence of matplotlib Axes, default=None
            One Axes per panel; a new figure when None.
        color : str, default="tab:blue"
            Colour of the feature bars.
        log_scale : "auto" or bool, default="auto"
            As in :meth:`plot`.

        Returns
        -------
        display : SegmentProfileDisplay
            The display, drawn.
        """
        segmenter = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(segmenter)
        profiles = getattr(segmenter, "segment_profiles_", None)
        if profiles is None:
            raise TypeError(
                f"{cls.__name__}.from_estimator needs a fitted segmenter with segment_profiles_ "
                f"(KMeansSegmenter, or a Pipeline ending with one); got {type(segmenter).__name__}"
            )
        return cls(profiles, features=features).plot(ax=ax, color=color, log_scale=log_scale)
