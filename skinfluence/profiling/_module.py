"""The torch side of :class:`~skinfluence.profiling.AttentiveProfiler`.

This module imports torch at module level, so only :mod:`._profiler` imports
it, and only inside methods (``fit``, ``predict``, ...): importing
:mod:`skinfluence` or :mod:`skinfluence.profiling`, or listing the registry,
never loads torch.

- :class:`PostAttentionNet`: post encoder, post attention, influencer head and
  auxiliary post head (Kim et al., WWW 2020);
- :class:`JointLoss`: influencer cross-entropy + weight x post cross-entropy,
  ignoring posts without a (known) label;
- :class:`PostBatchDataset`: a map-style dataset over a
  :class:`~skinfluence.PostFeatures` container whose
  ``__getitems__`` builds a whole padded mini-batch at once (padded to the
  batch's own longest account, not to the global maximum);
- :class:`AccountSplit`: skorch ``train_split`` that holds out a stratified
  share of the accounts (used for early stopping only).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..utils._fusion import ModalityFusion

__all__ = ["PostAttentionNet", "JointLoss", "PostBatchDataset", "BucketLoader", "AccountSplit",
           "passthrough", "sparse_rows", "to_device",
           "IGNORE_INDEX", "batch_slots"]

#: Post-label code ignored by the loss (missing, unknown, masked-out or truncated posts).
IGNORE_INDEX = -100


class PostAttentionNet(nn.Module):
    """Attentive multimodal post profiler (Kim et al., WWW 2020).

    For an account with post feature vectors ``x_1 .. x_n`` (text and image
    features already concatenated):

    - post encoder: ``h_i = dropout(ReLU(W_p x_i + b_p))``;
    - post attention (``attention=True``, the paper's): ``u_i = tanh(W_a h_i + b_a)``,
      ``a_i = softmax_i(u_i . c)`` over the account's valid posts (``c`` a trainable
      context vector shared by all accounts);
    - account-aware attention (``attention="account"``): with ``m`` the mean of the
      account's valid ``h_i`` (0 for an account without a valid post),
      ``a_i = softmax_i((W_q m + b_q) . (W_k h_i) / sqrt(attention_size))``: a scaled dot
      product between each post and a query built from the account's average post, so
      posts agreeing with the account's dominant content can be up-weighted; ``b_q``
      alone plays the part of the paper's shared context. ``W_q`` and ``b_q`` start at
      zero (mean pooling at initialisation);
    - mixture attention (``attention="mixture"``): each post is on the account's topic
      with probability ``1 - alpha`` and off it otherwise; the account's logit for class
      ``k`` is its log-likelihood under that mixture, ``b_k + sum_i log((1 - alpha) r_ik +
      alpha o_ik)``, where ``r_ik`` is post ``i``'s likelihood ratio for class ``k`` and
      ``o_ik`` its likelihood of being an off-topic post (a learned mixture of the other
      post categories); the attention weight of a post is the posterior probability that it
      is on the predicted topic, normalised over the account. With post categories that
      include every account class (``class_to_post``), ``r_ik`` and ``o_ik`` come from the
      auxiliary post head (its log-softmax minus the categories' log prior); otherwise from
      an instance head over the account classes (``o_ik = 1``);
    - ``attention=False`` uses ``a_i = 1 / n`` (mean pooling);
    - account vector ``s = sum_i a_i h_i``; an account without any valid post
      gets a learned "no posts" vector instead (zero at initialisation);
    - influencer head: ``W_2 dropout(ReLU(W_1 s + b_1)) + b_2`` (logits);
    - post head: ``W_q h_i + b_q`` (post-category logits), when there are post
      categories.

    Channels and account inputs (issue 17), both off by default:

    - ``channels``: a list of ``(kind, name, size, columns)``. A ``"dense"`` channel
      encodes the ``columns`` of ``values`` with its own FC + ReLU + dropout; a
      ``"sparse"`` channel (``size`` columns, e.g. hashed TF-IDF) is projected by a
      learned embedding bag (``sum_j x_ij E_j + b``, the CSR row never densified) and
      goes through ReLU + dropout. With several channels the per-post representations
      are fused by :class:`~skinfluence.utils._fusion.ModalityFusion` (``fusion``:
      concatenation, gated sum or low-rank bilinear). None: one encoder over all of
      ``values`` (the original model, unchanged);
    - ``n_account_features``: account-level inputs (already standardised) go through an
      FC + ReLU + dropout and are concatenated with the pooled post vector before the
      influencer head (with mixture attention, a linear term is added to the logits);
    - ``sparse_head="linear"``: the sparse channels are not post channels; each account's
      mean sparse row (over its valid posts) is mapped linearly to the class logits and
      added to the network's logits, a "wide" part (a logistic regression on the pooled
      TF-IDF) trained jointly with the "deep" one. Its weights start at zero.

    ``forward(values, mask, sparse=None, account=None)`` takes ``values`` of shape
    (B, L, d) and ``mask`` (B, L) (``sparse[name]`` holds the padded bags of the kept
    valid posts, see :func:`sparse_rows`; ``account`` is (B, k)) and
    returns ``(account_logits (B, C), post_logits (B, L, P) or None, attention (B, L))``.
    """

    def __init__(self, n_features, n_classes, n_post_classes=0, *, hidden_size=128,
                 attention_size=64, head_hidden_size=64, dropout=0.2, attention=True,
                 class_to_post=None, post_log_prior=None, channels=None, fusion="concat",
                 n_account_features=0, sparse_head="bag"):
        super().__init__()
        #: "bag": sparse channels are post channels (embedding bags, fused with the dense
        #: ones); "linear": a linear map of each account's mean sparse row to the class
        #: logits, added to the network's (a "wide" part trained jointly)
        self.sparse_head = sparse_head
        self.wide_specs = []
        if sparse_head == "linear" and channels is not None:
            wide = [c for c in channels if c[0] == "sparse"]
            channels = [c for c in channels if c[0] != "sparse"]
            if not channels:
                raise ValueError("sparse_head='linear' needs at least one dense channel")
            self.wide_specs = [(str(n), int(z)) for _, n, z, _ in wide]
            self.wide = nn.ModuleDict()
            for i, (_, size) in enumerate(self.wide_specs):
                bag = nn.EmbeddingBag(size, n_classes, mode="sum")
                nn.init.zeros_(bag.weight)  # starts as the network without the wide part
                self.wide[f"w{i}"] = bag
        #: "post" (the paper's), "account" (account-aware), "mixture" or None (mean pooling)
        self.attention_mode = (attention if isinstance(attention, str)
                               and attention in ("account", "mixture")
                               else "post" if attention else None)
        self.attention = self.attention_mode is not None
        self.channel_specs = None if channels is None else [
            (str(k), str(n), int(z), None if c is None else list(c)) for k, n, z, c in channels]
        self.account_size = hidden_size if n_account_features else 0
        if self.channel_specs is None:
            self.encoder = nn.Sequential(
                nn.Linear(n_features, hidden_size), nn.ReLU(), nn.Dropout(dropout))
        else:
            self._init_channels(hidden_size, dropout, fusion)
        if self.attention_mode == "mixture":
            self.post_head = nn.Linear(hidden_size, n_post_classes) if n_post_classes else None
            self._init_mixture(n_classes, n_post_classes, hidden_size, class_to_post,
                               post_log_prior)
            if n_account_features:
                self._init_account(n_account_features, hidden_size, dropout)
                self.account_logits = nn.Linear(hidden_size, n_classes)
            return
        if self.attention_mode == "post":
            self.attention_proj = nn.Linear(hidden_size, attention_size)
            # zero context: attention starts as mean pooling and learns to depart from it
            self.context = nn.Parameter(torch.zeros(attention_size))
        elif self.attention_mode == "account":
            self.query_proj = nn.Linear(hidden_size, attention_size)
            # zero query: attention starts as mean pooling; the key projection stays random
            # so that the query's gradient is not zero
            nn.init.zeros_(self.query_proj.weight)
            nn.init.zeros_(self.query_proj.bias)
            self.key_proj = nn.Linear(hidden_size, attention_size, bias=False)
            self.attention_scale = float(attention_size) ** -0.5
        self.no_posts = nn.Parameter(torch.zeros(hidden_size))
        self.head = nn.Sequential(
            nn.Linear(hidden_size + self.account_size, head_hidden_size), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(head_hidden_size, n_classes))
        # created last: the other variants' initial weights are those of earlier releases
        self.post_head = nn.Linear(hidden_size, n_post_classes) if n_post_classes else None
        if n_account_features:
            self._init_account(n_account_features, hidden_size, dropout)

    def _init_channels(self, hidden_size, dropout, fusion):
        self.channel_encoders = nn.ModuleDict()
        self.bags = nn.ModuleDict()
        self.bag_bias = nn.ParameterDict()
        for i, (kind, _, size, columns) in enumerate(self.channel_specs):
            key = f"c{i}"
            if kind == "dense":
                self.register_buffer(f"columns_{key}", torch.as_tensor(columns, dtype=torch.long))
                self.channel_encoders[key] = nn.Sequential(
                    nn.Linear(size, hidden_size), nn.ReLU(), nn.Dropout(dropout))
            else:
                bag = nn.EmbeddingBag(size, hidden_size, mode="sum")
                # a unit-norm TF-IDF row starts as a vector of about 0.1 per dimension
                nn.init.normal_(bag.weight, 0.0, 0.1)
                self.bags[key] = bag
                self.bag_bias[key] = nn.Parameter(torch.zeros(hidden_size))
                self.channel_encoders[key] = nn.Sequential(nn.ReLU(), nn.Dropout(dropout))
        n = len(self.channel_specs)
        self.fusion = ModalityFusion(n, hidden_size, how=fusion) if n > 1 else None

    def _init_account(self, n_account_features, hidden_size, dropout):
        self.account_encoder = nn.Sequential(
            nn.Linear(n_account_features, hidden_size), nn.ReLU(), nn.Dropout(dropout))

    def _init_mixture(self, n_classes, n_post_classes, hidden_size, class_to_post,
                      post_log_prior):
        # alpha = sigmoid(off_topic_logit): the share of off-topic posts, 0.5 at the start
        self.off_topic_logit = nn.Parameter(torch.zeros(()))
        self.class_bias = nn.Parameter(torch.zeros(n_classes))
        self.n_classes = n_classes
        tied = class_to_post is not None and self.post_head is not None
        self.tied = tied
        if tied:
            tie = torch.as_tensor(class_to_post, dtype=torch.long)
            if tie.shape != (n_classes,) or tie.min() < 0 or tie.max() >= n_post_classes:
                raise ValueError("class_to_post must give a post category for every class")
            prior = (torch.zeros(n_post_classes) if post_log_prior is None
                     else torch.as_tensor(post_log_prior, dtype=torch.float32))
            self.register_buffer("class_to_post", tie)
            self.register_buffer("post_log_prior", prior)
            # which post categories off-topic posts come from (uniform at the start); a
            # class's own category is excluded from its off-topic mixture
            self.off_topic_weights = nn.Parameter(torch.zeros(n_post_classes))
            own = torch.zeros(n_classes, n_post_classes, dtype=torch.bool)
            own[torch.arange(n_classes), tie] = True
            self.register_buffer("own_category", own)
        else:
            self.instance_head = nn.Linear(hidden_size, n_classes)

    def mixture_terms(self, h, post_logits):
        """Per-post log-likelihood terms ``(on, off)`` of shape (B, L, C) (mixture attention).

        ``on[b, i, k] = log((1 - alpha) r_ik)`` and ``off[b, i, k] = log(alpha o_ik)``, up to a
        per-post constant (which cancels in the softmax over classes).
        """
        log_alpha = nn.functional.logsigmoid(self.off_topic_logit)
        log_1m_alpha = nn.functional.logsigmoid(-self.off_topic_logit)
        if self.tied:
            # log p(x_i | category) up to a per-post constant
            lik = torch.log_softmax(post_logits, dim=-1) - self.post_log_prior
            on = log_1m_alpha + lik[..., self.class_to_post]
            lw = torch.log_softmax(self.off_topic_weights, dim=0).expand_as(self.own_category)
            lw = lw.masked_fill(self.own_category, float("-inf"))
            lw = lw - torch.logsumexp(lw, dim=1, keepdim=True)          # (C, P), rows sum to 1
            off = log_alpha + torch.logsumexp(lik.unsqueeze(-2) + lw, dim=-1)
        else:
            # likelihood ratio against the average class: C p_ik; off-topic ratio 1
            lik = torch.log_softmax(self.instance_head(h), dim=-1) + float(np.log(self.n_classes))
            on = log_1m_alpha + lik
            off = log_alpha.expand_as(on)
        return on, off

    def mixture_forward(self, h, mask, post_logits):
        on, off = self.mixture_terms(h, post_logits)
        post_ll = torch.logaddexp(on, off)                               # (B, L, C)
        logits = (post_ll * mask.unsqueeze(-1).to(h.dtype)).sum(dim=1) + self.class_bias
        # attention: posterior probability that a post is on the predicted topic
        best = logits.argmax(dim=1)
        index = best.view(-1, 1, 1).expand(-1, h.shape[1], 1)
        resp = torch.exp(on.gather(2, index) - post_ll.gather(2, index))
        resp = resp.squeeze(2) * mask.to(h.dtype)
        weights = resp / resp.sum(dim=1, keepdim=True).clamp(min=torch.finfo(h.dtype).tiny)
        return logits, weights

    def encode_posts(self, values, sparse=None):
        """Post representations ``h`` of shape (..., hidden_size).

        ``values`` is (B, L, d) padded or (n, d) flat; ``sparse[name]`` holds a sparse
        channel's rows as padded bags (``indices`` and ``weights`` of shape
        ``values.shape[:-1] + (K,)``, see :func:`sparse_rows`).
        """
        specs = getattr(self, "channel_specs", None)
        if specs is None:
            return self.encoder(values)
        parts = []
        for i, (kind, name, _, _) in enumerate(specs):
            key = f"c{i}"
            if kind == "dense":
                parts.append(self.channel_encoders[key](
                    values.index_select(-1, getattr(self, f"columns_{key}"))))
                continue
            part = sparse[name]
            indices, weights = part["indices"], part["weights"]
            k = indices.shape[-1]
            bag = self.bags[key](indices.reshape(-1, k), per_sample_weights=weights.reshape(-1, k))
            bag = bag.view(*indices.shape[:-1], bag.shape[-1])
            parts.append(self.channel_encoders[key](bag + self.bag_bias[key]))
        return parts[0] if len(parts) == 1 else self.fusion(parts)

    def pool(self, h, mask):
        """Account vectors (B, hidden) and attention weights (B, L) from ``h`` (B, L, hidden)."""
        maskf = mask.to(h.dtype)
        if self.attention:
            # modules pickled before "account" existed have no attention_mode: the paper's
            if getattr(self, "attention_mode", "post") == "post":
                scores = torch.tanh(self.attention_proj(h)) @ self.context
            else:
                # masked mean of the account's posts: padding and masked-out posts (whose h
                # is the encoder's output for zeros, not zero) never enter it; 0 without posts
                m = torch.bmm(maskf.unsqueeze(1), h).squeeze(1)
                m = m / maskf.sum(dim=1, keepdim=True).clamp(min=1.0)
                query = self.query_proj(m)                                   # (B, A)
                keys = self.key_proj(h)                                      # (B, L, A)
                scores = torch.bmm(keys, query.unsqueeze(2)).squeeze(2) * self.attention_scale
            scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            # softmax over an account's posts; rows without a valid post give
            # uniform garbage that the mask multiplication below zeroes
            weights = torch.softmax(scores, dim=1) * maskf
        else:
            weights = maskf / maskf.sum(dim=1, keepdim=True).clamp(min=1.0)
        pooled = torch.bmm(weights.unsqueeze(1), h).squeeze(1)
        has_posts = mask.any(dim=1, keepdim=True)
        pooled = torch.where(has_posts, pooled, self.no_posts.expand_as(pooled))
        return pooled, weights

    def wide_logits(self, mask, sparse):
        """The linear sparse head's logits (B, C): each account's mean sparse row, mapped linearly.

        The mean runs over the account's valid posts (padded and masked-out posts are
        empty bags and do not count); 0 for an account without a valid post.
        """
        maskf = mask.to(torch.float32)
        n = maskf.sum(dim=1, keepdim=True).clamp(min=1.0)
        out = 0.0
        for i, (name, _) in enumerate(self.wide_specs):
            part = sparse[name]
            indices, weights = part["indices"], part["weights"]
            k = indices.shape[-1]
            per_post = self.wide[f"w{i}"](indices.reshape(-1, k),
                                          per_sample_weights=weights.reshape(-1, k))
            per_post = per_post.view(*indices.shape[:-1], per_post.shape[-1])   # (B, L, C)
            out = out + (per_post * maskf.unsqueeze(-1)).sum(dim=1) / n
        return out

    def forward(self, values, mask, sparse=None, account=None):
        h = self.encode_posts(values, sparse)
        a = self.account_encoder(account) if getattr(self, "account_size", 0) else None
        wide = (self.wide_logits(mask, sparse)
                if getattr(self, "sparse_head", "bag") == "linear" and self.wide_specs else None)
        if getattr(self, "attention_mode", "post") == "mixture":
            post_logits = self.post_head(h) if self.post_head is not None else None
            logits, weights = self.mixture_forward(h, mask, post_logits)
            if a is not None:
                logits = logits + self.account_logits(a)
            if wide is not None:
                logits = logits + wide
            return logits, post_logits, weights
        pooled, weights = self.pool(h, mask)
        if a is not None:
            pooled = torch.cat([pooled, a], dim=1)
        logits = self.head(pooled)
        if wide is not None:
            logits = logits + wide
        post_logits = self.post_head(h) if self.post_head is not None else None
        return logits, post_logits, weights


class JointLoss(nn.Module):
    """``CE(account) + post_loss_weight * CE(posts)``; the post term averages over labelled posts.

    ``y_pred`` is the module's output tuple; ``y_true`` is ``(y, post_y)`` with
    ``post_y`` of shape (B, L) holding :data:`IGNORE_INDEX` for posts without a
    usable label. A batch without any labelled post adds 0.
    """

    def __init__(self, post_loss_weight=0.5):
        super().__init__()
        self.post_loss_weight = float(post_loss_weight)
        self.ce = nn.CrossEntropyLoss()
        self.post_ce = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX, reduction="sum")

    def forward(self, y_pred, y_true):
        logits, post_logits, _ = y_pred
        y, post_y = y_true
        loss = self.ce(logits, y)
        if post_logits is not None and self.post_loss_weight:
            n_labelled = (post_y != IGNORE_INDEX).sum()
            post_loss = self.post_ce(post_logits.reshape(-1, post_logits.shape[-1]),
                                     post_y.reshape(-1))
            loss = loss + self.post_loss_weight * post_loss / n_labelled.clamp(min=1)
        return loss


def batch_slots(offsets, idx, max_posts, keep):
    """Where each kept post of accounts ``idx`` goes in a padded batch.

    Returns ``(L, acc, slot, rows)``: the batch's padded length (its longest
    account, capped at ``max_posts``, at least 1), and for every kept post its
    account position in the batch, its slot and its row in the flat container.
    """
    starts = offsets[:-1][idx]
    lengths = offsets[1:][idx] - starts
    kept = lengths if max_posts is None else np.minimum(lengths, max_posts)
    L = max(int(kept.max()) if len(kept) else 0, 1)
    total = int(kept.sum())
    acc = np.repeat(np.arange(len(idx), dtype=np.int64), kept)
    first = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum(kept, out=first[1:])
    slot = np.arange(total, dtype=np.int64) - np.repeat(first[:-1], kept)
    skip = np.zeros_like(lengths) if keep == "first" else lengths - kept  # "last": the tail
    rows = np.repeat(starts + skip, kept) + slot
    return L, acc, slot, rows


class PostBatchDataset(torch.utils.data.Dataset):
    """Accounts of a container as a map-style dataset that yields whole padded batches.

    ``__getitems__(indices)`` (used by ``DataLoader`` for batched fetching)
    returns ``({"values": (B, L, d), "mask": (B, L)}, (y (B,), post_y (B, L)))``
    with ``L`` the batch's longest account (capped at ``max_posts``); use it
    with ``collate_fn=passthrough``.
    """

    def __init__(self, values, offsets, mask, y=None, post_codes=None, *, max_posts=None,
                 keep="last", sparse=None, account=None):
        self.values = values
        self.offsets = offsets
        self.mask = mask
        self.y = y
        self.post_codes = post_codes
        self.max_posts = max_posts
        self.keep = keep
        self.sparse = sparse or {}  # name -> CSR matrix, one row per post
        self.account = account      # (n_accounts, k) float32, or None

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, i):
        return self.__getitems__([i])

    def batch(self, idx):
        """The padded batch of accounts ``idx`` and the flat rows of its kept posts."""
        idx = np.asarray(idx, dtype=np.int64)
        L, acc, slot, rows = batch_slots(self.offsets, idx, self.max_posts, self.keep)
        B, d = len(idx), self.values.shape[1]
        values = np.zeros((B, L, d), dtype=np.float32)
        mask = np.zeros((B, L), dtype=bool)
        valid = self.mask[rows]
        mask[acc, slot] = valid
        if valid.all():
            values[acc, slot] = self.values[rows]
        else:
            # masked-out posts stay zero: their features may be NaN or stale, and a zero
            # attention weight times NaN would still poison the account's vector
            values[acc[valid], slot[valid]] = self.values[rows[valid]]
        y = torch.as_tensor(self.y[idx]) if self.y is not None else torch.zeros(B, dtype=torch.long)
        post_y = np.full((B, L), IGNORE_INDEX, dtype=np.int64)
        if self.post_codes is not None:
            post_y[acc, slot] = self.post_codes[rows]
        Xi = {"values": torch.from_numpy(values), "mask": torch.from_numpy(mask)}
        if self.sparse:
            Xi["sparse"] = {name: sparse_rows(m, rows[valid], acc[valid], slot[valid], (B, L))
                            for name, m in self.sparse.items()}
        if self.account is not None:
            Xi["account"] = torch.from_numpy(np.ascontiguousarray(self.account[idx]))
        return (Xi, (y, torch.from_numpy(post_y))), (acc, slot, rows)

    def __getitems__(self, indices):
        return self.batch(indices)[0]


def sparse_rows(matrix, rows, acc=None, slot=None, shape=None):
    """CSR rows ``matrix[rows]`` as padded bags for an embedding bag.

    Returns ``{"indices", "weights"}`` of shape ``(len(rows), K)``, or, with ``acc``,
    ``slot`` and ``shape`` ``(B, L)``, of shape ``(B, L, K)`` with row ``k`` placed at
    ``[acc[k], slot[k]]``; ``K`` is the largest number of non-zeros of a row (at least 1).
    Padding has index 0 and weight 0, so it adds nothing (and no gradient); a padded or
    masked-out post is an empty bag. The leading axis is the batch's, as skorch expects.
    """
    sub = matrix[np.asarray(rows, dtype=np.int64)]
    counts = np.diff(sub.indptr)
    K = max(int(counts.max()) if len(counts) else 0, 1)
    r = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    j = np.arange(sub.nnz, dtype=np.int64) - np.repeat(sub.indptr[:-1].astype(np.int64), counts)
    lead = (len(counts),) if acc is None else tuple(shape)
    indices = np.zeros(lead + (K,), dtype=np.int64)
    weights = np.zeros(lead + (K,), dtype=np.float32)
    where = (r, j) if acc is None else (np.asarray(acc)[r], np.asarray(slot)[r], j)
    indices[where] = sub.indices
    weights[where] = sub.data
    return {"indices": torch.from_numpy(indices), "weights": torch.from_numpy(weights)}


def to_device(obj, device):
    """Tensors of a (nested) dict moved to ``device``."""
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    return obj.to(device)


def passthrough(batch):
    """``collate_fn`` for :class:`PostBatchDataset`: the batch is already built."""
    return batch


class BucketLoader:
    """Training iterator: shuffled mini-batches of accounts with similar numbers of posts.

    Used as skorch's ``iterator_train`` (called as ``BucketLoader(dataset,
    batch_size=..., shuffle=..., collate_fn=...)``). Each epoch draws a random
    permutation of the accounts (from torch's random state), cuts it into
    pools of ``pool`` batches, sorts each pool by number of posts, cuts it
    into batches and shuffles the batch order: batches stay random, but need
    little padding (the batch is padded to its longest account).

    ``dataset`` is a :class:`PostBatchDataset` or a ``Subset`` of one.
    """

    def __init__(self, dataset, batch_size=32, shuffle=True, collate_fn=passthrough, pool=50,
                 **kwargs):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.collate_fn = collate_fn
        self.pool = pool
        base, positions = dataset, None
        if isinstance(dataset, torch.utils.data.Subset):
            base, positions = dataset.dataset, np.asarray(dataset.indices, dtype=np.int64)
        lengths = np.diff(base.offsets)
        if positions is not None:
            lengths = lengths[positions]
        if base.max_posts is not None:
            lengths = np.minimum(lengths, base.max_posts)
        self.lengths = lengths

    def __len__(self):
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        n, bs = len(self.lengths), self.batch_size
        if not self.shuffle:
            order = np.arange(n)
            batches = [order[s:s + bs] for s in range(0, n, bs)]
        else:
            perm = torch.randperm(n).numpy()
            batches = []
            step = bs * self.pool
            for s in range(0, n, step):
                chunk = perm[s:s + step]
                chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
                batches.extend(chunk[k:k + bs] for k in range(0, len(chunk), bs))
            batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
        for idx in batches:
            yield self.collate_fn(self.dataset.__getitems__(idx.tolist()))


class AccountSplit:
    """skorch ``train_split``: hold out ``fraction`` of the accounts, stratified by class when possible.

    Parameters
    ----------
    fraction : float in (0, 1)
    random_state : int
    """

    def __init__(self, fraction, random_state):
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, groups=None, **kwargs):
        from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

        labels = dataset.y
        n = len(dataset)
        counts = np.bincount(labels)
        counts = counts[counts > 0]
        n_valid = int(np.ceil(self.fraction * n))
        stratify = counts.min() >= 2 and n_valid >= len(counts) and n - n_valid >= len(counts)
        cls = StratifiedShuffleSplit if stratify else ShuffleSplit
        splitter = cls(n_splits=1, test_size=self.fraction, random_state=self.random_state)
        train, valid = next(splitter.split(np.zeros(n), labels))
        return (torch.utils.data.Subset(dataset, np.sort(train).tolist()),
                torch.utils.data.Subset(dataset, np.sort(valid).tolist()))
