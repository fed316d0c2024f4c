"""Optional dependencies: one table, one error message, imports only on use.

Components never import torch, timm, sentence-transformers or lightgbm at
module level: they call :func:`import_optional` inside ``fit`` (or a helper
called from it), so constructing, cloning, listing or importing a component
costs nothing and a missing package is reported when it is actually needed.
"""

from __future__ import annotations

import importlib
import importlib.util

from ..exceptions import MissingDependencyError

__all__ = ["EXTRAS", "import_optional", "is_installed", "missing_modules"]

#: skinfluence extra -> (import name, pip distribution name) of what it provides.
EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "text": (("sentence_transformers", "sentence-transformers"), ("vaderSentiment", "vaderSentiment")),
    "image": (("timm", "timm"), ("PIL", "pillow")),
    "torch": (("torch", "torch"), ("skorch", "skorch")),
    "plot": (("matplotlib", "matplotlib"),),
}

# The extra that provides a given import name (used in error messages).
_EXTRA_OF: dict[str, str] = {mod: extra for extra, mods in EXTRAS.items() for mod, _ in mods}
_EXTRA_OF["matplotlib"] = "all"
_DIST_OF: dict[str, str] = {mod: dist for mods in EXTRAS.values() for mod, dist in mods}


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is broken or missing
        return False


def missing_modules(modules) -> list[str]:
    """The import names among ``modules`` that are not installed."""
    return [m for m in modules if not is_installed(m)]


def install_hint(modules, extra: str | None = None) -> str:
    """The ``pip install`` command that provides ``modules``."""
    if extra is None:
        extras = sorted({_EXTRA_OF[m] for m in modules if m in _EXTRA_OF})
        extra = ",".join(extras) if extras else None
    if extra:
        return f'pip install "skinfluence[{extra}]"'
    return "pip install " + " ".join(_DIST_OF.get(m, m) for m in modules)


def import_optional(module: str, *, extra: str | None = None, caller: str | None = None):
    """Import and return ``module``, or raise one clear :class:`MissingDependencyError`.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"torch"`` or ``"sentence_transformers"``.
    extra : str, default=None
        The skinfluence extra that installs it; looked up in :data:`EXTRAS`
        when not given.
    caller : str, default=None
        Name of the component that needs it, for the message.

    Examples
    --------
    >>> from skinfluence.utils._optional import import_optional
    >>> import_optional("json").__name__
    'json'
    >>> import_optional("no_such_module_xyz", extra="torch", caller="AttentiveProfiler")
    Traceback (most recent call last):
    ...
    skinfluence.exceptions.MissingDependencyError: AttentiveProfiler requires no_such_module_xyz, which is not installed. Install it with: pip install "skinfluence[torch]"
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        who = caller or "This feature"
        hint = install_hint([module], extra)
        raise MissingDependencyError(
            f"{who} requires {module}, which is not installed. Install it with: {hint}"
        ) from exc
