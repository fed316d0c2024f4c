"""Keep ``examples/plugin_package/`` out of the gallery.

sphinx-gallery makes a gallery section of every subfolder of ``examples/`` that has a
``README`` with a source suffix, and MyST makes ``.md`` one: the example plugin
distribution (a package to ``pip install``, not a script to run) would become an empty
section. ``ignore_pattern`` applies to files only, so this wraps sphinx-gallery's
subfolder listing to drop the folders that ``ignore_pattern`` matches. If
sphinx-gallery renames the function, the build stops here instead of silently
publishing the section.
"""

from __future__ import annotations

import re

from sphinx_gallery import gen_gallery

_original = gen_gallery.get_subsections


def _get_subsections(srcdir, examples_dir, gallery_conf, *args, **kwargs):
    found = _original(srcdir, examples_dir, gallery_conf, *args, **kwargs)
    pattern = gallery_conf.get("ignore_pattern") or r"^$"
    return [name for name in found if not re.search(pattern, name)]


def setup(app):
    gen_gallery.get_subsections = _get_subsections
    return {"parallel_read_safe": True, "parallel_write_safe": True}
