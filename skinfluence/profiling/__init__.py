"""Profilers: models that classify an account from its posts (torch models; extra ``torch``).

Importing this package does not import torch: the torch module behind
:class:`AttentiveProfiler` is built when it is fitted.
"""

from ._profiler import AttentiveProfiler

__all__ = ["AttentiveProfiler"]
