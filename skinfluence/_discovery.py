"""Where the public API and the built-in components are found: by reading the package.

There is no hand-kept list of components. Two facts, both read from the source files
without importing them (so that ``import skinfluence`` stays free of pandas and of
every model library):

- **the public API** is the union of the ``__all__`` lists of skinfluence's public
  top-level modules and subpackages, except the infrastructure that scikit-learn also
  keeps apart from its top level (:data:`NOT_AT_TOP_LEVEL`: mixins, exceptions,
  utilities, the command line);
- **the built-in components** are the classes decorated with ``@register(...)``
  anywhere in the package; :func:`component_modules` names the modules that hold them,
  and the registry imports exactly those.

Adding a component therefore means writing the class with ``@register`` and listing it
in its subpackage's ``__all__``: the top-level API, the registry and the shared checks
(which run over the registry) follow. ``tests/test_api_surface.py`` proves they agree.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

__all__ = ["NOT_AT_TOP_LEVEL", "component_modules", "public_exports"]

_ROOT = Path(__file__).resolve().parent
_PACKAGE = __name__.rpartition(".")[0]

#: Public top-level modules whose ``__all__`` is *not* re-exported from ``skinfluence``:
#: they are imported from their own path (``skinfluence.base.ComponentMixin``,
#: ``skinfluence.exceptions.AccountFrameError``, ``skinfluence.utils...``), as in
#: scikit-learn (``sklearn.base``, ``sklearn.exceptions``, ``sklearn.utils``).
#: ``persistence`` too: ``skinfluence.persistence.save``/``load`` read as skops'
#: ``skops.io.dump``/``load`` do, and a bare ``skinfluence.load`` would be ambiguous
#: beside the data set loaders. ``report`` too: ``skinfluence.report.build_report`` and its
#: section builders are the report's own vocabulary, not estimators or data.
NOT_AT_TOP_LEVEL = frozenset({"base", "cli", "exceptions", "patterns", "persistence", "report",
                              "utils"})

#: Public names defined in private modules (they have no ``__all__`` to read).
_PRIVATE_EXPORTS = {"show_versions": f"{_PACKAGE}._show_versions"}


def _source_path(module: str) -> Path:
    """The file of the top-level module or subpackage ``module`` (a name like ``"features"``)."""
    package = _ROOT / module / "__init__.py"
    return package if package.is_file() else _ROOT / f"{module}.py"


def _top_level_modules() -> list[str]:
    """Public top-level modules and subpackages, sorted (read from the file tree)."""
    names = {p.stem for p in _ROOT.glob("*.py")}
    names |= {p.parent.name for p in _ROOT.glob("*/__init__.py")}
    return sorted(n for n in names if not n.startswith("_"))


# ``__all__ = [...]`` (or a tuple) at the start of a line; only that literal is parsed,
# not the whole module (reading every public module whole costs more than the import).
_ALL = re.compile(r"^__all__\s*(?::[^=\n]*)?=\s*([\[(].*?[\])])", re.MULTILINE | re.DOTALL)


def _static_all(path: Path) -> list[str] | None:
    """The literal ``__all__`` of a source file, or None when it has none."""
    match = _ALL.search(path.read_text(encoding="utf-8"))
    if match is None:
        return None
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError) as exc:
        raise TypeError(f"{path}: __all__ must be a literal list of strings") from exc
    if not all(isinstance(v, str) for v in value):
        raise TypeError(f"{path}: __all__ must be a literal list of strings")
    return list(value)


@functools.cache
def public_exports() -> dict[str, str]:
    """Public name -> the module it is imported from (``"skinfluence.features"``, ...).

    A name exported by several modules (a subpackage re-exporting a name of the core,
    say) maps to the first in alphabetical order; ``tests/test_api_surface.py`` checks
    that such names are the same object everywhere.
    """
    exports: dict[str, str] = {}
    for module in _top_level_modules():
        if module in NOT_AT_TOP_LEVEL:
            continue
        names = _static_all(_source_path(module))
        for name in names or ():
            exports.setdefault(name, f"{_PACKAGE}.{module}")
    for name, module in _PRIVATE_EXPORTS.items():
        exports.setdefault(name, module)
    return exports


# A decorator line ``@register(...)`` or ``@skinfluence.registry.register(...)``; doctest
# lines (``>>> @register``) do not match. Scanning text is ~20x faster than parsing every
# module; a false positive would only import a module that registers nothing.
_REGISTER_LINE = re.compile(r"^[ \t]*@(?:[\w.]+\.)?register\(", re.MULTILINE)


@functools.cache
def component_modules() -> tuple[str, ...]:
    """Dotted names of the modules that define built-in components, sorted.

    Every ``.py`` file of the package is read (not imported) and kept when it
    decorates a class with ``@register``; test helpers and the registry itself
    register nothing, so they are never imported by the registry.
    """
    found = []
    for path in sorted(_ROOT.rglob("*.py")):
        rel = path.relative_to(_ROOT).with_suffix("")
        if "tests" in rel.parts:
            continue
        if _REGISTER_LINE.search(path.read_text(encoding="utf-8")):
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found.append(".".join((_PACKAGE, *parts)))
    return tuple(found)
