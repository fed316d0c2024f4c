"""Write the API reference page (``api.rst``) from the package itself, before Sphinx reads.

The list of public objects is never kept by hand: it is read from skinfluence's
``__all__`` lists, the same source ``import skinfluence`` uses
(:func:`skinfluence._discovery.public_exports`), plus the ``__all__`` of the public
modules scikit-learn-style libraries keep apart from their top level (``base``,
``exceptions``, ``persistence``, ``patterns``, ``utils.*``). A name added to any
``__all__`` gets its page at the next build; ``tests/test_docs_site.py`` checks that
every public object is on the page (and, once the site is built, has its own HTML
page).

Top-level names are documented under the path users import them from
(``skinfluence.KMeansSegmenter``), grouped by the subpackage that defines them; a
cross-reference written with the subpackage path (``skinfluence.segmentation.
KMeansSegmenter``) is resolved to that page by :func:`resolve_skinfluence_reference`.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from skinfluence._discovery import public_exports

#: Modules kept apart from the top level that are public, documented at their own path
#: (``cli`` is documented by docs/cli.md, ``utils`` itself exports nothing).
SEPARATE_MODULES = (
    "skinfluence.base",
    "skinfluence.exceptions",
    "skinfluence.persistence",
    "skinfluence.patterns",
    "skinfluence.report",
    "skinfluence.utils.validation",
    "skinfluence.utils.estimator_checks",
)

#: Section titles, in page order; a module missing here still gets a section (its name).
TITLES = {
    "skinfluence.nested": "Account frames (the data contract)",
    "skinfluence.datasets": "Data sets",
    "skinfluence.accounts": "Account features",
    "skinfluence.features": "Post features",
    "skinfluence.labels": "Labels and leakage",
    "skinfluence.segmentation": "Segmentation",
    "skinfluence.audience": "Audience quality",
    "skinfluence.ranking": "Ranking",
    "skinfluence.metrics": "Ranking metrics",
    "skinfluence.profiling": "Profiling",
    "skinfluence.plotting": "Plotting",
    "skinfluence.registry": "Components and plugins",
    "skinfluence.scale": "Scaling out",
    "skinfluence.report": "The HTML report",
    "skinfluence.tiers": "Follower tiers",
    "skinfluence._show_versions": "Utilities",
    "skinfluence.base": "Base classes and tags",
    "skinfluence.exceptions": "Exceptions and warnings",
    "skinfluence.persistence": "Saving and loading models",
    "skinfluence.patterns": "Text patterns",
    "skinfluence.utils.validation": "Validation helpers for component authors",
    "skinfluence.utils.estimator_checks": "Checks for component authors",
}


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def public_objects() -> dict[str, list[tuple[str, str]]]:
    """Section module -> [(documented path, kind)], for every public object of skinfluence.

    The documented path is ``skinfluence.Name`` for a top-level export and
    ``skinfluence.module.Name`` for the modules of :data:`SEPARATE_MODULES`.
    """
    sections: dict[str, list[tuple[str, str]]] = {}
    skinfluence = importlib.import_module("skinfluence")
    for name, module in sorted(public_exports().items()):
        sections.setdefault(module, []).append(
            (f"skinfluence.{name}", _kind(getattr(skinfluence, name))))
    for module_name in SEPARATE_MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(module.__all__):
            sections.setdefault(module_name, []).append(
                (f"{module_name}.{name}", _kind(getattr(module, name))))
    return sections


def _order(module: str) -> tuple[int, str]:
    keys = list(TITLES)
    return (keys.index(module) if module in keys else len(keys), module)


def render() -> str:
    """The text of ``api.rst``."""
    lines = [
        ".. This file is written by docs/_ext/api_reference.py at each build; do not edit.",
        "",
        ".. _api:",
        "",
        "API reference",
        "=============",
        "",
        "Every public object of skinfluence, read from the package's ``__all__`` lists.",
        "Names in the first sections are imported from the top level",
        "(``from skinfluence import KMeansSegmenter``); the modules after them",
        f"({', '.join(f'``{m}``' for m in SEPARATE_MODULES)}) are imported from their own path,",
        "as ``sklearn.base`` and ``sklearn.exceptions`` are.",
        "",
    ]
    sections = public_objects()
    for module in sorted(sections, key=_order):
        entries = sections[module]
        title = TITLES.get(module, module)
        lines += [title, "-" * len(title), ""]
        separate = module in SEPARATE_MODULES
        if not module.rpartition(".")[2].startswith("_"):
            lines += [f".. automodule:: {module}", "   :no-members:", ""]
        current = module if separate else "skinfluence"
        lines += [f".. currentmodule:: {current}", ""]
        # one table per kind; the page of each object comes from
        # docs/_templates/autosummary/{class,function,data}.rst
        for kind in ("class", "function", "data"):
            names = [path.rpartition(".")[2] for path, k in entries if k == kind]
            if not names:
                continue
            lines += [".. autosummary::", "   :toctree: generated/", ""]
            lines += [f"   {name}" for name in names]
            lines += [""]
    return "\n".join(lines) + "\n"


def write_api_page(app, config) -> None:
    """``config-inited`` handler: (re)write ``api.rst`` when its text changed.

    It runs before Sphinx lists the source files, so autosummary (which writes its
    stub pages at ``builder-inited``, from that list) sees the page on a fresh clone.
    """
    path = Path(app.srcdir) / "api.rst"
    text = render()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _documented_object(refdoc: str):
    """The object whose generated page ``refdoc`` is (``generated/skinfluence.X``), or None."""
    if not refdoc.startswith("generated/"):
        return None
    module, _, name = refdoc.removeprefix("generated/").rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _lookup(dotted: str):
    """Import ``a.b.c`` as far as modules go, then follow attributes; raise if absent."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def resolve_skinfluence_reference(app, env, node, contnode):
    """``missing-reference`` handler for references to skinfluence's own objects.

    - ``skinfluence.sub.Name`` (the path of the subpackage that defines a top-level
      export) and an unqualified ``Name`` or ``Name.method`` of a top-level export go
      to the page under ``skinfluence.Name``;
    - a name that exists but is not public (a private helper named in a public
      docstring, such as ``RaggedIndex``) has no page by design: it is written as
      plain text, without a warning;
    - anything else (a name that does not exist) stays a broken reference, which
      fails the build under ``nitpicky`` and ``-W``.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip(".~")
    domain = env.get_domain("py")
    exports = public_exports()
    top = importlib.import_module("skinfluence")

    def resolve(new_target):
        return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                   new_target, node, contnode)

    head, _, rest = target.partition(".")
    if head in exports:  # Name or Name.attr, written without the package
        found = resolve(f"skinfluence.{target}")
        if found is not None:
            return found
    if target.startswith("skinfluence."):
        parts = target.split(".")
        for i, part in enumerate(parts[1:], start=1):
            if part in exports and i > 1:
                try:
                    same = _lookup(".".join(parts[: i + 1])) is getattr(top, part)
                except (ImportError, AttributeError):
                    same = False
                if same:
                    found = resolve(".".join(["skinfluence", *parts[i:]]))
                    if found is not None:
                        return found
        try:
            _lookup(target)
        except (ImportError, AttributeError):
            return None  # does not exist: a broken reference
        return contnode  # exists, not public: plain text
    # an unqualified name: look in the module and class of the documented object
    documented = _documented_object(node.get("refdoc", ""))
    if documented is not None:
        scopes = [documented, importlib.import_module(documented.__module__)]
        for scope in scopes:
            obj = scope
            try:
                for attr in target.split("."):
                    obj = getattr(obj, attr)
            except AttributeError:
                continue
            return contnode  # exists where the docstring is: a private name, plain text
    return None


#: Members inherited from these packages are theirs to document (as tests/test_docstrings.py
#: leaves them out too): ``get_params``, ``fit_transform``, ``set_output``...
FOREIGN = ("sklearn.", "skorch.", "torch.", "builtins")
_ROUTING_METHOD = re.compile(r"^set_\w+_request$")


def skip_foreign_members(app, what, name, obj, skip, options):
    """``autodoc-skip-member`` handler: leave out what scikit-learn and skorch define."""
    if _ROUTING_METHOD.match(name):
        return True  # generated by scikit-learn's metadata routing for each fit argument
    func = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    module = getattr(func, "__module__", None) or ""
    if module.startswith(FOREIGN):
        return True
    return None


def setup(app):
    app.connect("config-inited", write_api_page)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("missing-reference", resolve_skinfluence_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
