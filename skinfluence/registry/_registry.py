"""Registry implementation (see :mod:`skinfluence.registry`)."""

from __future__ import annotations

import importlib
import os
import threading
import warnings
import weakref
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from .._discovery import component_modules
from ..exceptions import PluginLoadWarning
from ..utils._optional import EXTRAS, missing_modules

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "ComponentInfo",
    "register",
    "all_components",
    "get_component",
]

#: Entry-point group through which third-party packages add components.
ENTRY_POINT_GROUP = "skinfluence.components"
#: Environment variable that turns plugin loading off (any non-empty value but "0").
DISABLE_ENV = "SKINFLUENCE_DISABLE_PLUGIN_AUTOLOAD"
#: The kinds a component may declare.
KINDS = ("extractor", "aggregator", "segmenter", "ranker", "profiler", "detector")

@dataclass(frozen=True)
class ComponentInfo:
    """What the registry knows about one component.

    Parameters
    ----------
    name : str
        The class name (unique in the registry).
    cls : type
        The estimator class.
    kind : str
        One of :data:`KINDS`.
    extras : tuple of str, default=()
        skinfluence extras the component needs (``"text"``, ``"torch"``, ...).
    source : str, default="skinfluence"
        ``"skinfluence"`` for built-ins, else the distribution that provides the plugin.
    _modules : tuple of str, default=()
        Import names behind ``extras`` (filled by the registry; see ``missing``).
    """

    name: str
    cls: type
    kind: str
    extras: tuple[str, ...] = ()
    source: str = "skinfluence"
    _modules: tuple[str, ...] = field(default=(), repr=False)

    @property
    def missing(self) -> list[str]:
        """Import names of the optional dependencies that are not installed."""
        return missing_modules(self._modules)

    @property
    def available(self) -> bool:
        """Whether every optional dependency is installed."""
        return not self.missing


_REGISTRY: dict[str, ComponentInfo] = {}
# What ``@register`` declared, per class: (kind, extras). The one place a component's kind
# and extras are kept; ``_REGISTRY`` (by name) and the tags (``SkinfluenceTags.extras``)
# read it. It outlives ``_REGISTRY`` entries, so a plugin whose module is already
# imported can be registered again after ``_reset_plugins()``.
_DECLARED: weakref.WeakKeyDictionary[type, tuple[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()
_loaded = {"builtins": False, "plugins": False}
_current_source = ["skinfluence"]


def register(kind: str, *, extras=()):
    """Class decorator: register a component under ``kind``.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    extras : iterable of str, default=()
        skinfluence extras the component needs at fit time (keys of
        ``skinfluence.utils._optional.EXTRAS``). Declaring them lets the
        registry report availability, and ``ComponentMixin`` raise one clear
        error naming the extra when ``fit`` is called without them.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator, TransformerMixin
    >>> from skinfluence.base import ComponentMixin
    >>> from skinfluence.registry import register
    >>> @register("extractor")
    ... class Doubler(ComponentMixin, TransformerMixin, BaseEstimator):
    ...     def fit(self, X, y=None):
    ...         return self
    ...     def transform(self, X):
    ...         return 2 * X
    >>> from skinfluence.registry import get_component
    >>> get_component("Doubler").kind
    'extractor'
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    extras = tuple(extras)
    unknown = [e for e in extras if e not in EXTRAS]
    if unknown:
        raise ValueError(f"unknown extra(s) {unknown}; known extras are {sorted(EXTRAS)}")

    def decorate(cls):
        with _LOCK:
            _DECLARED[cls] = (kind, extras)
        _add(cls, source=_current_source[0])
        return cls

    return decorate


def _declared(cls) -> tuple[str, tuple[str, ...]] | None:
    """``(kind, extras)`` declared by ``@register`` on ``cls`` or its nearest registered base."""
    with _LOCK:
        for klass in getattr(cls, "__mro__", ()):
            if klass in _DECLARED:
                return _DECLARED[klass]
    return None


def declared_extras(cls) -> tuple[str, ...]:
    """The skinfluence extras that ``cls`` (a component class) declared with :func:`register`.

    Components inherit the declaration of their nearest registered base class; an
    unregistered class declares none. ``ComponentMixin`` reports them as the
    ``extras`` tag (``sklearn.utils.get_tags(est).extras``).
    """
    declared = _declared(cls)
    return declared[1] if declared is not None else ()


def _add(cls, source: str) -> None:
    declared = _declared(cls) if isinstance(cls, type) else None
    if declared is None:
        raise TypeError(
            f"{cls.__module__}.{cls.__qualname__} declares no component kind; decorate it with "
            f"@skinfluence.registry.register(kind) where kind is one of {KINDS}"
        )
    kind, extras = declared
    modules = tuple(m for e in extras for m, _ in EXTRAS[e])
    name = cls.__name__
    with _LOCK:
        old = _REGISTRY.get(name)
        if old is not None and old.cls is not cls and (
            old.cls.__module__, old.cls.__qualname__) != (cls.__module__, cls.__qualname__):
            warnings.warn(
                f"component name {name!r} from {source} ({cls.__module__}) clashes with the one "
                f"from {old.source} ({old.cls.__module__}); keeping the first",
                PluginLoadWarning,
                stacklevel=3,
            )
            return
        _REGISTRY[name] = ComponentInfo(name, cls, kind, extras, source, modules)


def _load_builtins() -> None:
    if _loaded["builtins"]:
        return
    with _LOCK:
        # found by reading the package (classes decorated with @register), not a hand list
        for module in component_modules():
            importlib.import_module(module)
        _loaded["builtins"] = True


def _plugins_disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") not in ("", "0")


def _load_plugins() -> None:
    if _loaded["plugins"] or _plugins_disabled():
        return
    with _LOCK:
        _loaded["plugins"] = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            _load_entry_point(ep)


def _load_entry_point(ep) -> None:
    dist = getattr(getattr(ep, "dist", None), "name", None) or "an unknown distribution"
    _current_source[0] = dist
    try:
        obj = ep.load()
        classes = obj if isinstance(obj, (list, tuple)) else [obj]
        for cls in classes:
            if isinstance(cls, type):
                _add(cls, source=dist)
            # a module: its classes registered themselves with @register on import
    except Exception as exc:  # a broken plugin must not break the registry
        warnings.warn(
            f"skipping skinfluence plugin {ep.name!r} ({ep.value}) from {dist}: "
            f"{type(exc).__name__}: {exc}",
            PluginLoadWarning,
            stacklevel=3,
        )
    finally:
        _current_source[0] = "skinfluence"


def all_components(kind: str | None = None, *, available_only: bool = False) -> list[ComponentInfo]:
    """List registered components, built-in and plugins, sorted by kind then name.

    Parameters
    ----------
    kind : str or iterable of str, default=None
        Keep only components of this kind (or these kinds); one of :data:`KINDS`.
    available_only : bool, default=False
        Keep only components whose optional dependencies are installed.

    Returns
    -------
    components : list of ComponentInfo

    Examples
    --------
    >>> from skinfluence import all_components
    >>> "PostsText" in [c.name for c in all_components(kind="extractor")]
    True
    """
    kinds = None
    if kind is not None:
        kinds = {kind} if isinstance(kind, str) else set(kind)
        bad = kinds - set(KINDS)
        if bad:
            raise ValueError(f"kind must be one of {KINDS}, got {sorted(bad)}")
    _load_builtins()
    _load_plugins()
    with _LOCK:
        infos = list(_REGISTRY.values())
    if kinds is not None:
        infos = [i for i in infos if i.kind in kinds]
    if available_only:
        infos = [i for i in infos if i.available]
    return sorted(infos, key=lambda i: (KINDS.index(i.kind), i.name))


def get_component(name: str) -> ComponentInfo:
    """The registry entry of the component called ``name``.

    Parameters
    ----------
    name : str
        The component's class name.

    Returns
    -------
    info : ComponentInfo
        Its registry entry. A ``KeyError`` suggests the closest registered name.
    """
    _load_builtins()
    _load_plugins()
    with _LOCK:
        if name in _REGISTRY:
            return _REGISTRY[name]
        known = sorted(_REGISTRY)
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise KeyError(f"no component named {name!r}.{hint} Registered: {known}")


def _forget(name: str) -> None:
    """Remove ``name`` from the registry (for tests that register throw-away components)."""
    with _LOCK:
        _REGISTRY.pop(name, None)


def _reset_plugins() -> None:
    """Forget plugin components so the next query loads entry points again (for tests)."""
    with _LOCK:
        for name in [n for n, i in _REGISTRY.items() if i.source != "skinfluence"]:
            del _REGISTRY[name]
        _loaded["plugins"] = False
