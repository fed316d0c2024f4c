"""Optional dependencies: one table, one error message, imports only on use.

Components never import torch, timm, sentence-transformers or lightgbm at
module level: they call :func:`import_optional` inside ``fit`` (or a helper
called from it), so constructing, cloning, listing or importing a component
costs nothing and a missing package is reported when it is actually needed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from ..exceptions import MissingDependencyError

__all__ = ["ALL_ONLY", "EXTRAS", "import_optional", "install_hint", "is_installed", "missing_modules"]

#: skinfluence extra -> (import name, pip distribution name) of what it provides.
#: The same extras, with the same distributions, as ``[project.optional-dependencies]``
#: in pyproject.toml (``tests/test_registry.py`` checks both directions). ``all``
#: installs every extra plus :data:`ALL_ONLY`; ``dev`` holds the test tools and ``docs``
#: the documentation build's.
EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "text": (("sentence_transformers", "sentence-transformers"), ("vaderSentiment", "vaderSentiment")),
    "image": (("timm", "timm"), ("PIL", "pillow")),
    "torch": (("torch", "torch"), ("skorch", "skorch")),
    "tune": (("optuna", "optuna"), ("optuna_integration", "optuna-integration")),
    "scale": (("dask", "dask"), ("distributed", "distributed"), ("skops", "skops")),
}

#: Optional packages that no extra of their own installs, only ``skinfluence[all]``:
#: (import name, pip distribution name). Their install hint names the package itself
#: (``pip install matplotlib``), as scikit-learn's does.
ALL_ONLY: tuple[tuple[str, str], ...] = (("matplotlib", "matplotlib"),)

# The extra that provides a given import name (used in error messages).
_EXTRA_OF: dict[str, str] = {mod: extra for extra, mods in EXTRAS.items() for mod, _ in mods}
_DIST_OF: dict[str, str] = {mod: dist for mods in (*EXTRAS.values(), ALL_ONLY) for mod, dist in mods}


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    if sys.modules.get(module) is not None:
        # already imported; some lazy modules (optuna_integration) then have no __spec__,
        # which find_spec would reject
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is broken or missing
        return False


def missing_modules(modules) -> list[str]:
    """The import names among ``modules`` that are not installed."""
    return [m for m in modules if not is_installed(m)]


def install_hint(modules, extra: str | None = None) -> str:
    """The ``pip install`` command that provides ``modules``.

    ``extra`` names the skinfluence extra to install; one that pyproject.toml does not
    declare (not a key of :data:`EXTRAS`) is never suggested: the hint then names
    the extra of each module, or the package itself.
    """
    if extra is not None and extra not in EXTRAS:
        extra = None
    top = [m.partition(".")[0] for m in modules]  # "matplotlib.pyplot" -> "matplotlib"
    if extra is None:
        extras = sorted({_EXTRA_OF[m] for m in top if m in _EXTRA_OF})
        if extras and all(m in _EXTRA_OF for m in top):
            extra = ",".join(extras)
    if extra:
        return f'pip install "skinfluence[{extra}]"'
    return "pip install " + " ".join(_DIST_OF.get(m, m) for m in top)


def import_optional(module: str, *, extra: str | None = None, caller: str | None = None):
    """Import and return ``module``, or raise one clear :class:`MissingDependencyError`.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"torch"`` or ``"sentence_transformers"``.
    extra : str, default=None
        The skinfluence extra that installs it; looked up in :data:`EXTRAS`
        when not given (or not an extra of pyproject.toml).
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
    >>> import_optional("no_such_module_xyz.pyplot", extra="plot")  # no such extra
    Traceback (most recent call last):
    ...
    skinfluence.exceptions.MissingDependencyError: This feature requires no_such_module_xyz.pyplot, which is not installed. Install it with: pip install no_such_module_xyz
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        who = caller or "This feature"
        hint = install_hint([module], extra)
        raise MissingDependencyError(
            f"{who} requires {module}, which is not installed. Install it with: {hint}"
        ) from exc
