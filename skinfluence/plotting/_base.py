"""What the Display classes share: axes handling, labels, number formats."""

from __future__ import annotations

import numpy as np

__all__ = ["account_labels", "format_value", "new_axes", "shorten"]


def new_axes(plt, ax, *, n: int = 1, figsize, sharey: bool = False):
    """The Axes to draw on: ``ax`` as given, or a new figure with ``n`` panels side by side.

    ``ax`` may be one Axes (when ``n`` is 1) or a sequence of ``n`` Axes (a
    display drawn into the panels of another one, to overlay a second model).
    Returns an object array of ``n`` Axes.
    """
    if ax is None:
        _, axes = plt.subplots(1, n, figsize=figsize, sharey=sharey, squeeze=False)
        return axes.ravel()
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) != n:
        raise ValueError(f"ax must be {'one Axes' if n == 1 else f'a sequence of {n} Axes'} "
                         f"(one per panel); got {len(axes)} Axes")
    return axes


def shorten(text, limit: int = 40) -> str:
    """``text`` as a string, cut to ``limit`` characters with an ellipsis."""
    text = str(text).replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def format_value(value) -> str:
    """A number as a reader writes it: 1.2M, 45.3k, 0.043, 12.5."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(v):
        return "n/a"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}B"
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:.3g}"
    return f"{v:.2g}"


def account_labels(X, n: int, labels=None, column: str = "account_id") -> np.ndarray:
    """One label per row: ``labels`` when given, else ``X[column]``, else ``X.index`` or positions."""
    if labels is not None:
        labels = np.asarray(labels, dtype=object)
        if len(labels) != n:
            raise ValueError(f"labels must hold one label per row ({n}); got {len(labels)}")
        return labels
    columns = getattr(X, "columns", None)
    if columns is not None and column in columns:
        return np.asarray(X[column].to_numpy(), dtype=object)
    index = getattr(X, "index", None)
    if index is not None and len(index) == n and not _is_range(index):
        return np.asarray(index, dtype=object)
    return np.asarray([f"#{i}" for i in range(n)], dtype=object)


def _is_range(index) -> bool:
    import pandas as pd

    return isinstance(index, pd.RangeIndex)
