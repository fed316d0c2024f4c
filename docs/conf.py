"""Sphinx configuration of the skinfluence documentation site.

Build it with ``tox -e docs`` (warnings are errors), or by hand from the repository root::

    pip install -e ".[all,docs]"
    bash docs/inventories.sh            # optional: offline intersphinx inventories
    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery runs every script of ``examples/`` with ``SKINFLUENCE_DOCS_QUICK=1`` set,
which the heavy examples read to use a smaller sample or fewer iterations.

Intersphinx never fetches anything at build time (the build runs without network):
it uses the inventories that ``docs/inventories.sh`` copies out of Debian's
documentation packages into ``docs/_inventories/`` (scikit-learn, pandas, Python), and
those it writes with ``docs/make_inventories.py`` from the installed numpy, PyTorch,
skorch and LightGBM (which ship none that can be had offline) by their sites' page
rules. References to other projects (scipy, matplotlib ...) stay plain text; see
``docs/building_docs.md``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(REPO))  # the checkout's skinfluence, even when another is installed

# read by the heavy examples: smaller samples, fewer iterations (see each example)
os.environ.setdefault("SKINFLUENCE_DOCS_QUICK", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "agg")

import skinfluence  # noqa: E402

project = "skinfluence"
author = "skinfluence developers"
copyright = "skinfluence developers"  # noqa: A001
release = skinfluence.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "api_reference",
    "gallery_subfolders",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_inventories", "Thumbs.db", ".DS_Store"]

# --- cross-references: every broken one is a warning, hence an error under -W
nitpicky = True

# --- autodoc / autosummary / numpydoc
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# --- MyST: the Markdown user guide
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# --- intersphinx: local inventories only (no network at build time)
INVENTORIES = DOCS / "_inventories"
_INTERSPHINX = {
    # name: (site the links point to, inventory file written by docs/inventories.sh)
    "python": ("https://docs.python.org/3/", "python.inv"),
    "sklearn": ("https://scikit-learn.org/stable/", "sklearn.inv"),
    "pandas": ("https://pandas.pydata.org/docs/", "pandas.inv"),
    # written from the installed packages by docs/make_inventories.py
    "numpy": ("https://numpy.org/doc/stable/", "numpy.inv"),
    "torch": ("https://docs.pytorch.org/docs/stable/", "torch.inv"),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", "skorch.inv"),
    "lightgbm": ("https://lightgbm.readthedocs.io/en/stable/", "lightgbm.inv"),
}
intersphinx_mapping = {
    name: (url, str(INVENTORIES / inv))
    for name, (url, inv) in _INTERSPHINX.items()
    if (INVENTORIES / inv).is_file()
}
intersphinx_timeout = 1

# Packages with no offline inventory: references to them are plain text, not errors.
# numpy, torch, skorch and lightgbm stay listed: a name their generated inventory lacks
# stays plain text too, while the names it has become links.
_NO_INVENTORY = ["numpy", "scipy", "torch", "skorch", "lightgbm", "pyarrow", "matplotlib",
                 "dask", "distributed", "skops", "optuna", "sentence_transformers", "timm",
                 "PIL", "vaderSentiment"]
# The same for the three we do have, when docs/inventories.sh could not fetch them
# (no apt): the build still passes, without those links.
_NO_INVENTORY += [name for name in ("sklearn", "pandas") if name not in intersphinx_mapping]
nitpick_ignore_regex = [(r"py:.*", rf"{name}(\..*)?") for name in _NO_INVENTORY]
if "python" not in intersphinx_mapping:  # builtins and the standard library
    nitpick_ignore_regex += [(r"py:.*", r"[a-z_]+(\.[A-Za-z_]+)*")]
if "sklearn" not in intersphinx_mapping:  # scikit-learn's glossary terms
    nitpick_ignore_regex += [(r"std:term", r".*")]
# Newer than the inventory of Debian's scikit-learn 1.2 documentation.
nitpick_ignore = [("py:class", "sklearn.frozen.FrozenEstimator")]

# --- numpydoc: types in Parameters/Attributes are parsed (so that
# "ndarray of shape (`n_features_in_`,)" renders as written); the words of numpydoc's
# own alias table become links, each to a project whose inventory we have, else text.
from numpydoc.xref import DEFAULT_LINKS  # noqa: E402

numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "PostFeatures": "skinfluence.PostFeatures",
}
for _word, _link in DEFAULT_LINKS.items():
    if "numpy:" in _link or ("python:" in _link and "python" not in intersphinx_mapping):
        # numpy's glossary is not available offline; scikit-learn's has the same terms
        if _word in ("array-like", "array_like") and "sklearn" in intersphinx_mapping:
            numpydoc_xref_aliases[_word] = ":term:`sklearn:array-like`"
        else:
            numpydoc_xref_aliases[_word] = f":obj:`{_word}`"
            nitpick_ignore.append(("py:obj", _word))

# --- sphinx-gallery: every example runs during the build
sphinx_gallery_conf = {
    "examples_dirs": [str(REPO / "examples")],
    "gallery_dirs": ["auto_examples"],
    # every script of examples/, not only plot_*.py (later plot_display_*.py are picked up too)
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"(__init__|plugin_package)",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skinfluence",),
    "backreferences_dir": "gen_modules/backreferences",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "show_memory": False,
    "download_all_examples": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "min_reported_time": 1,
}

# --- HTML: the theme of the scientific Python ecosystem
html_theme = "pydata_sphinx_theme"
html_title = "skinfluence"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
