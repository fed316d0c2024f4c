"""The one place the plots import matplotlib from, with one clear error when it is missing."""

from __future__ import annotations

import importlib

from ..exceptions import MissingDependencyError

__all__ = ["import_pyplot"]


def import_pyplot(caller: str):
    """Return ``matplotlib.pyplot``, or raise :class:`MissingDependencyError` naming ``caller``.

    Parameters
    ----------
    caller : str
        What needs matplotlib, for the message (e.g. ``"AttentionDisplay.plot"``).

    Returns
    -------
    pyplot : module
        ``matplotlib.pyplot``.
    """
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as exc:
        raise MissingDependencyError(
            f"{caller} requires matplotlib, which is not installed. Install it with: "
            'pip install matplotlib (or pip install "skinfluence[all]", which brings it)'
        ) from exc
