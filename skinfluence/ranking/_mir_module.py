"""The torch side of :class:`~skinfluence.ranking.ListwiseRanker` (MIR, Gan et al. 2019).

This module imports torch at module level; only ``_listwise.py`` imports it, and
only inside methods, so importing skinfluence or listing the registry never loads
torch.

- :class:`Tower`: one side (queries or candidates). Per modality, an optional
  attention pooling over the account's posts, then a projection
  ``Linear -> LeakyReLU(0.01) -> dropout -> Linear``; the modalities are fused by
  their element-wise product (``"bilinear"``: low-rank bilinear pooling) or by a
  linear layer over their concatenation (``"concat"``).
- :class:`MIRNet`: two towers; the score of (query q, candidate c) is
  ``mean(e_q * e_c)``, MIR's scaled dot product.
- :func:`listnet_loss`, :func:`listmle_loss`: listwise losses over padded lists.
- :class:`ListDataset`: training lists (K-buckets or full) drawn afresh each epoch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..utils._fusion import fuse

__all__ = ["ListDataset", "MIRNet", "Tower", "listmle_loss", "listnet_loss", "ListLoss"]

_PAD_SCORE = -1e4  # score of padded list slots (finite: 0 * log-softmax stays 0)


class _AttentionPool(nn.Module):
    """Attention over an account's posts: ``a_i = softmax_i(v . tanh(W x_i))``."""

    def __init__(self, n_features, attention_size):
        super().__init__()
        self.proj = nn.Linear(n_features, attention_size)
        self.context = nn.Linear(attention_size, 1, bias=False)
        nn.init.zeros_(self.context.weight)  # mean pooling at initialisation

    def forward(self, posts, mask):
        # posts (n, P, d), mask (n, P) -> (n, d), weights (n, P)
        logits = self.context(torch.tanh(self.proj(posts))).squeeze(-1)
        logits = logits.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(logits, dim=1)
        weights = torch.nan_to_num(weights, nan=0.0)  # accounts without a valid post
        return torch.einsum("np,npd->nd", weights, posts), weights


class Tower(nn.Module):
    """Account embedding from per-modality features (pooled or per post)."""

    def __init__(self, dims, *, hidden_size, embedding_size, fusion, attention, attention_size,
                 dropout):
        super().__init__()
        self.modalities = list(dims)
        self.fusion = fusion
        self.attention = attention
        self.pools = nn.ModuleDict(
            {m: _AttentionPool(d, attention_size) for m, d in dims.items()} if attention else {}
        )
        out = embedding_size if fusion == "bilinear" else hidden_size
        self.proj = nn.ModuleDict({
            m: nn.Sequential(nn.Linear(d, hidden_size), nn.LeakyReLU(0.01), nn.Dropout(dropout),
                             nn.Linear(hidden_size, out))
            for m, d in dims.items()
        })
        if fusion == "concat":
            self.fuse = nn.Sequential(nn.LeakyReLU(0.01),
                                      nn.Linear(out * len(dims), embedding_size))

    def forward(self, feats, with_pooled=False):
        """``feats[m]``: (n, d) pooled, or a pair ((n, P, d) posts, (n, P) mask).

        Returns the embeddings (n, E), and with ``with_pooled`` also the pooled input
        vectors, modalities concatenated (n, sum d).
        """
        parts, pooled = [], []
        for m in self.modalities:
            x = feats[m]
            if self.attention:
                x, _ = self.pools[m](*x)
            pooled.append(x)
            parts.append(self.proj[m](x))
        # the fusion shared with the profiler's modules (utils._fusion)
        e = fuse(parts, self.fusion, getattr(self, "fuse", None))
        return (e, torch.cat(pooled, dim=1)) if with_pooled else e

    def attention_weights(self, feats):
        return {m: self.pools[m](*feats[m])[1] for m in self.modalities}


class MIRNet(nn.Module):
    """Two towers and MIR's score ``mean(e_q * e_c)``.

    ``forward(query, candidates, mask)`` scores padded lists: ``query[m]`` holds the
    features of the lists' queries (B accounts), ``candidates[m]`` those of each list
    slot (B, K, ...), and ``mask`` (B, K) marks the real slots.
    """

    def __init__(self, dims, *, hidden_size=256, embedding_size=128, fusion="bilinear",
                 attention=False, attention_size=64, dropout=0.1, shared_towers=False,
                 residual_similarity=False):
        super().__init__()
        # our extension: score += scale * cosine(pooled query, pooled candidate), the
        # model starting from the untrained similarity and learning its corrections
        self.residual_scale = nn.Parameter(torch.tensor(10.0)) if residual_similarity else None
        kw = dict(hidden_size=hidden_size, embedding_size=embedding_size, fusion=fusion,
                  attention=attention, attention_size=attention_size, dropout=dropout)
        self.query_tower = Tower(dims, **kw)
        # one tower for both sides when their posts live in the same feature space
        self.candidate_tower = self.query_tower if shared_towers else Tower(dims, **kw)

    def forward(self, query, candidates, mask):
        e_q, x_q = self.query_tower(query, with_pooled=True)  # (B, E), (B, D)
        B, K = mask.shape
        flat = {m: (tuple(t.flatten(0, 1) for t in v) if isinstance(v, (tuple, list))
                    else v.flatten(0, 1)) for m, v in candidates.items()}
        e_c, x_c = self.candidate_tower(flat, with_pooled=True)
        scores = self.score(e_q[:, None, :], e_c.view(B, K, -1), x_q[:, None, :],
                            x_c.view(B, K, -1))
        return scores.masked_fill(~mask, _PAD_SCORE), mask

    def score(self, e_q, e_c, x_q, x_c):
        """MIR's ``mean(e_q * e_c)``, plus the residual similarity when it is on."""
        s = (e_q * e_c).mean(-1)
        if self.residual_scale is not None:
            s = s + self.residual_scale * torch.nn.functional.cosine_similarity(x_q, x_c, dim=-1)
        return s



def listnet_loss(scores, target, mask):
    """ListNet top-one cross-entropy; the target distribution is the relevance share."""
    target = target * mask
    scores = scores.masked_fill(~mask, _PAD_SCORE)  # padded slots take no probability
    total = target.sum(1, keepdim=True)
    keep = total.squeeze(1) > 0
    if not keep.any():
        return scores.sum() * 0.0
    p = target[keep] / total[keep]
    logp = torch.log_softmax(scores[keep], dim=1)
    return -(p * logp).sum(1).mean()


def listmle_loss(scores, target, mask, generator=None):
    """ListMLE: negative Plackett-Luce log-likelihood of the order by relevance.

    Ties in relevance are broken at random (``generator``), padded slots are left out.
    """
    noise = torch.rand(target.shape, generator=generator, device="cpu").to(target.device)
    key = torch.where(mask, target + 1e-3 * noise, torch.full_like(target, -1.0))
    order = torch.argsort(key, dim=1, descending=True)
    s = torch.gather(scores, 1, order)
    m = torch.gather(mask, 1, order)
    s = s.masked_fill(~m, float("-inf"))
    # log-likelihood: sum_i s_i - logsumexp(s_i..s_n) over real slots
    rev_lse = torch.logcumsumexp(s.flip(1), dim=1).flip(1)
    ll = torch.where(m, s - rev_lse, torch.zeros_like(s)).sum(1)
    n = m.sum(1)
    keep = n > 1
    if not keep.any():
        return scores.sum() * 0.0
    return -(ll[keep]).mean()


class ListLoss(nn.Module):
    """skorch criterion: ``ListLoss(kind)((scores, mask), target)``."""

    def __init__(self, kind="listnet"):
        super().__init__()
        self.kind = kind

    def forward(self, y_pred, target):
        scores, mask = y_pred
        if self.kind == "listnet":
            return listnet_loss(scores, target, mask)
        return listmle_loss(scores, target, mask)


class ListDataset(torch.utils.data.Dataset):
    """Training lists over (query, candidate) rows, drawn afresh at every epoch.

    - ``sampling="k-buckets"``: one list per positive row (``y > 0``) of a query,
      ``lists_per_positive`` times: the positive and one row from each of ``k - 1``
      buckets. The buckets cut the query's other rows, ranked by relevance, into
      ``k - 1`` equal parts, so every list holds candidates of every level of fit,
      from the next-best to the worst.
    - ``sampling="full"``: one list per query holding all its rows.

    ``__getitems__`` builds a whole batch: the lists' queries, the distinct
    candidates they use (each account's features gathered once), the (B, K) map
    from list slots to those candidates, the mask and the relevance targets.
    """

    def __init__(self, query_index, candidate_index, y, qid_codes, *, gather_query,
                 gather_candidates, sampling, k, lists_per_positive, seed):
        self.query_index = query_index
        self.candidate_index = candidate_index
        self.y = y.astype(np.float32)
        self.gather_query = gather_query
        self.gather_candidates = gather_candidates
        self.sampling = sampling
        self.k = k
        self.rng = np.random.default_rng(seed)
        # by query, best first; ties by candidate: the lists do not depend on the row order
        order = np.lexsort((candidate_index, -self.y, qid_codes))
        sizes = np.bincount(qid_codes)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        self.order, self.starts = order, starts
        self.codes = np.flatnonzero(sizes > 0)
        if sampling == "full":
            self.anchors = self.codes
        else:
            pos = np.flatnonzero(self.y[order] > 0)
            q_of = qid_codes[order][pos]
            self.anchors = np.repeat(np.stack([pos, q_of], 1), lists_per_positive, axis=0)

    def __len__(self):
        return len(self.anchors)

    def _list(self, i):
        if self.sampling == "full":
            q = self.anchors[i]
            return self.order[self.starts[q]:self.starts[q + 1]]
        pos, q = self.anchors[i]
        rows = self.order[self.starts[q]:self.starts[q + 1]]
        others = np.delete(rows, pos - self.starts[q])
        chosen = [self.order[pos]]
        if len(others):
            # shuffle within equal relevance so tied rows fall in buckets at random
            rel = self.y[others]
            perm = self.rng.permutation(len(others))
            others = others[perm][np.argsort(-rel[perm], kind="stable")]
            for bucket in np.array_split(others, self.k - 1):
                if len(bucket):
                    chosen.append(bucket[self.rng.integers(len(bucket))])
        return np.asarray(chosen)

    def __getitem__(self, i):
        return self.__getitems__([i])

    def __getitems__(self, indices):
        lists = [self._list(int(i)) for i in indices]
        width = max(len(rows) for rows in lists)
        rows = np.full((len(lists), width), -1, dtype=np.int64)
        for b, r in enumerate(lists):
            rows[b, :len(r)] = r
        mask = rows >= 0
        target = np.zeros(rows.shape, dtype=np.float32)
        target[mask] = self.y[rows[mask]]
        # every slot gathers its candidate (padded slots the first row's, masked later):
        # skorch batches need one leading length, the number of lists
        slots = np.where(mask, rows, rows[:, :1])
        cands = self.gather_candidates(self.candidate_index[slots.ravel()])
        shape = rows.shape
        cands = {m: (tuple(t.reshape(*shape, *t.shape[1:]) for t in v) if isinstance(v, tuple)
                     else v.reshape(*shape, *v.shape[1:])) for m, v in cands.items()}
        X = {
            "query": self.gather_query(self.query_index[rows[:, 0]]),
            "candidates": cands,
            "mask": torch.from_numpy(mask),
        }
        return X, torch.from_numpy(target)


def passthrough(batch):
    """Collate function for datasets whose ``__getitems__`` already builds the batch."""
    return batch
