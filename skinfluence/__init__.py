"""skinfluence: influencer analytics as scikit-learn estimators.

Everything public is importable from here (``from skinfluence import Name``),
but nothing is imported until it is first used (PEP 562): ``import skinfluence``
loads no model library (torch, timm, sentence-transformers, lightgbm), and not
even pandas. The names are those in the ``__all__`` of the public subpackages
(``skinfluence.features``, ``skinfluence.datasets``, ...), read without importing
them; ``skinfluence.base``, ``skinfluence.exceptions`` and ``skinfluence.utils``
are imported from their own paths, as in scikit-learn.
"""

from __future__ import annotations

import importlib

from ._discovery import public_exports

__version__ = "0.1.0.dev0"

# Public name -> module it is imported from, read from the subpackages' ``__all__``
# (see skinfluence/_discovery.py); nothing is kept here by hand.
_EXPORTS: dict[str, str] = public_exports()

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'skinfluence' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
