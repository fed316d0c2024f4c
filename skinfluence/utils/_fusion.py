"""Fusion of per-modality vectors, shared by the torch modules of the profiler and the ranker.

This module imports torch at module level: only torch modules (``profiling._module``,
``ranking._mir_module``) import it, and they are imported inside methods only.

- :func:`fuse`: the two fusions of the listwise ranker's towers (MIR, Gan et al. 2019):
  ``"bilinear"``, the element-wise product of the (already projected) modalities, and
  ``"concat"``, a layer over their concatenation;
- :class:`ModalityFusion`: the profiler's fusion of per-post channel representations of
  one size, ``"concat"``, ``"gated"`` (a learned sigmoid gate per modality and dimension,
  then the sum) or ``"bilinear"`` (low-rank bilinear pooling: the element-wise product of
  per-modality ``tanh`` projections to ``rank`` dimensions, then a linear layer; Kim et al.,
  "Hadamard product for low-rank bilinear pooling", 2017), built on :func:`fuse`.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["FUSIONS", "ModalityFusion", "fuse"]

#: The fusions of :class:`ModalityFusion`.
FUSIONS = ("concat", "gated", "bilinear")


def fuse(parts, how, layer=None):
    """Fuse same-shaped modality tensors along their last axis.

    ``"bilinear"``: ``parts[0] * parts[1] * ...`` (left to right); ``"concat"``:
    ``layer(cat(parts, -1))``.
    """
    if how == "bilinear":
        out = parts[0]
        for p in parts[1:]:
            out = out * p
        return out
    if how == "concat":
        return layer(torch.cat(parts, dim=-1))
    raise ValueError(f"fusion must be 'bilinear' or 'concat'; got {how!r}")


class ModalityFusion(nn.Module):
    """Fuse ``n_modalities`` vectors of ``size`` dimensions (any leading shape) into one of ``size``.

    Parameters
    ----------
    n_modalities : int
    size : int
    how : {"concat", "gated", "bilinear"}
    rank : int, default=None
        Rank of the bilinear fusion (None: ``size``).
    """

    def __init__(self, n_modalities, size, *, how="concat", rank=None):
        super().__init__()
        if how not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}; got {how!r}")
        self.how = how
        self.n_modalities = int(n_modalities)
        self.size = int(size)
        if how == "concat":
            self.layer = nn.Sequential(nn.Linear(size * n_modalities, size), nn.ReLU())
        elif how == "gated":
            # zero weights: every gate starts at 0.5, an even sum of the modalities
            self.gate = nn.Linear(size * n_modalities, size * n_modalities)
            nn.init.zeros_(self.gate.weight)
            nn.init.zeros_(self.gate.bias)
        else:
            rank = size if rank is None else int(rank)
            self.factors = nn.ModuleList(nn.Linear(size, rank) for _ in range(n_modalities))
            self.layer = nn.Sequential(nn.Linear(rank, size), nn.ReLU())

    def forward(self, parts):
        if self.how == "concat":
            return fuse(parts, "concat", self.layer)
        if self.how == "gated":
            stacked = torch.stack(parts, dim=-2)                        # (..., M, size)
            gates = torch.sigmoid(self.gate(torch.cat(parts, dim=-1)))
            return (gates.view(stacked.shape) * stacked).sum(dim=-2)
        return self.layer(fuse([torch.tanh(f(p)) for f, p in zip(self.factors, parts,
                                                                  strict=True)], "bilinear"))
