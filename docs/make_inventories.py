"""Write intersphinx inventories for numpy, PyTorch, skorch and LightGBM from the installed packages.

None of these projects' ``objects.inv`` can be had offline (not on PyPI, not in Debian),
and the docs build has no network. Their sites lay out their API pages by fixed rules,
so an inventory can be written from the installed package itself: each public class and
function, with the page its site gives it. Only those rules are ours; the names come from
the packages. ``docs/inventories.sh`` calls this; ``docs/conf.py`` uses each file it finds.

The rules (checked against the sites' layouts, December 2026):

- numpy: ``numpy.X`` -> ``reference/generated/numpy.X.html``;
- PyTorch: ``torch.X``, ``torch.nn.X``, ``torch.optim.X`` ... ->
  ``generated/<name>.html``; ``torch.Tensor``, ``torch.device`` and ``torch.dtype`` on
  their own pages; ``torch.utils.data.X`` -> ``data.html#<name>``;
- skorch: ``skorch.<module>.X`` -> ``<module>.html#skorch.<module>.X`` (with the top-level
  aliases, ``skorch.NeuralNet`` ...);
- LightGBM: ``lightgbm.X`` (and the Dask classes) -> ``pythonapi/lightgbm.X.html``.

A name these rules get wrong gives a dead link, not a build error; a name missing from an
inventory stays plain text (``nitpick_ignore_regex`` in conf.py).

Usage::

    python docs/make_inventories.py docs/_inventories
"""

from __future__ import annotations

import importlib
import inspect
import sys
import zlib
from pathlib import Path


def _public(module):
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in names:
        try:
            obj = getattr(module, name)
        except AttributeError:
            continue
        if inspect.isclass(obj):
            yield name, "class", obj
        elif callable(obj) and not inspect.ismodule(obj):
            yield name, "function", obj


def numpy_entries():
    import numpy

    for name, role, _ in _public(numpy):
        yield f"numpy.{name}", role, f"reference/generated/numpy.{name}.html"


def torch_entries():
    import torch

    special = {"torch.Tensor": ("class", "tensors.html#torch.Tensor"),
               "torch.device": ("class", "tensor_attributes.html#torch.device"),
               "torch.dtype": ("class", "tensor_attributes.html#torch.dtype")}
    seen = set(special)
    yield from ((name, role, uri) for name, (role, uri) in special.items())
    for prefix in ("torch", "torch.nn", "torch.nn.functional", "torch.optim",
                   "torch.optim.lr_scheduler"):
        module = importlib.import_module(prefix)
        for name, role, _ in _public(module):
            full = f"{prefix}.{name}"
            if full not in seen:
                seen.add(full)
                yield full, role, f"generated/{full}.html"
    data = importlib.import_module("torch.utils.data")
    for name, role, _ in _public(data):
        yield f"torch.utils.data.{name}", role, f"data.html#torch.utils.data.{name}"


def skorch_entries():
    import skorch

    for module_name in ("net", "classifier", "regressor", "callbacks", "dataset", "history",
                        "helper", "utils", "scoring", "setter", "exceptions"):
        try:
            module = importlib.import_module(f"skorch.{module_name}")
        except ImportError:
            continue
        for name, role, obj in _public(module):
            if not getattr(obj, "__module__", "").startswith("skorch"):
                continue  # re-exported from elsewhere (numpy, torch)
            full = f"skorch.{module_name}.{name}"
            uri = f"{module_name}.html#{full}"
            yield full, role, uri
            if getattr(skorch, name, None) is obj:  # the top-level alias, skorch.NeuralNet
                yield f"skorch.{name}", role, uri


def lightgbm_entries():
    import lightgbm

    seen = set()
    for module in (lightgbm, importlib.import_module("lightgbm.dask")):
        for name, role, _ in _public(module):
            if name in seen or not (name[0].isupper() or name in ("train", "cv")):
                continue
            seen.add(name)
            uri = f"pythonapi/lightgbm.{name}.html"
            yield f"lightgbm.{name}", role, uri
            if module is not lightgbm:
                yield f"{module.__name__}.{name}", role, uri


PROJECTS = {"numpy": numpy_entries, "torch": torch_entries, "skorch": skorch_entries,
            "lightgbm": lightgbm_entries}


def write_inventory(path: Path, project: str, version: str, entries) -> int:
    lines, seen = [], set()
    for name, role, uri in entries:
        if (name, role) in seen:
            continue
        seen.add((name, role))
        lines.append(f"{name} py:{role} 1 {uri} -")
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n")
    path.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
    return len(lines)


def main(argv=None):
    out = Path((argv or sys.argv[1:] or ["docs/_inventories"])[0])
    out.mkdir(parents=True, exist_ok=True)
    for project, entries in PROJECTS.items():
        try:
            module = importlib.import_module(project)
        except ImportError:
            print(f"inventories: {project} is not installed; no {project}.inv", file=sys.stderr)
            continue
        n = write_inventory(out / f"{project}.inv", project,
                            getattr(module, "__version__", "?"), entries())
        print(f"inventories: {project}.inv written from the installed {project} ({n} names)")


if __name__ == "__main__":
    main()
