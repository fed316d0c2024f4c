"""ListwiseRanker: brand-to-creator ranking from post histories (MIR, Gan et al. 2019), on skorch.

torch and skorch are imported inside methods only (extra ``torch``); the module
itself is in :mod:`._mir_module`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..registry import register
from ..utils._optional import import_optional
from ..utils._param_validation import Interval, StrOptions, fit_context
from ..utils._torch import getstate_net, setstate_net
from ._queries import QueryCandidates, _is_ragged, pool_store
from ._query_ranker import QueryRankerMixin

__all__ = ["ListwiseRanker"]

_NAME = "ListwiseRanker"


def _resolve_device(device):
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"{_NAME}: device={device!r} was asked for, but CUDA is not available")
    return str(device)


class _Side:
    """One side's account tables, ready to gather: pooled vectors or padded posts."""

    def __init__(self, stores, *, attention, pooling, weight, max_posts):
        self.attention = attention
        self.tables = {}
        for m, store in stores.items():
            if attention:
                if not _is_ragged(store):
                    raise ValueError(
                        f"{_NAME}(pooling='attention') needs per-post features (a PostFeatures "
                        f"container) for modality {m!r}; it got pooled vectors. Build X from "
                        "PostEncoder output, or choose pooling='mean'"
                    )
                self.tables[m] = (np.asarray(store.values, dtype=np.float32),
                                  np.asarray(store.offsets), np.asarray(store.mask, dtype=bool))
            else:
                self.tables[m] = pool_store(store, pooling, weight=weight)
        self.max_posts = max_posts

    def dims(self):
        return {m: (t[0].shape[1] if self.attention else t.shape[1])
                for m, t in self.tables.items()}

    def gather(self, idx):
        import torch

        out = {}
        for m, table in self.tables.items():
            if not self.attention:
                out[m] = torch.from_numpy(table[idx])
                continue
            values, offsets, mask = table
            starts = offsets[idx]
            lengths = offsets[idx + 1] - starts
            if self.max_posts is not None:
                lengths = np.minimum(lengths, self.max_posts)
            width = max(int(lengths.max(initial=0)), 1)
            slot = np.arange(width)
            valid = slot[None, :] < lengths[:, None]
            rows = (starts[:, None] + slot[None, :])[valid]
            posts = np.zeros((len(idx), width, values.shape[1]), dtype=np.float32)
            posts[valid] = values[rows]
            post_mask = np.zeros((len(idx), width), dtype=bool)
            post_mask[valid] = mask[rows]
            out[m] = (torch.from_numpy(posts), torch.from_numpy(post_mask))
        return out


@register("ranker", extras=("torch",))
class ListwiseRanker(QueryRankerMixin, ComponentMixin, BaseEstimator):
    """Two-tower listwise ranker of candidates for a query (MIR, Gan et al., MM 2019).

    Scores (brand, creator) pairs from the post histories of both. Each side has a
    tower: per modality (e.g. ``text`` and ``image``) the history is pooled (mean,
    engagement-weighted mean, or learned attention over posts) and projected
    (``Linear -> LeakyReLU -> Linear``); the modalities are fused by their element-wise
    product (``fusion="bilinear"``, low-rank bilinear pooling) or by a layer over their
    concatenation. The score is ``mean(e_brand * e_creator)``. Training uses lists:
    with ``sampling="k-buckets"`` each list holds one positive and ``k - 1``
    candidates drawn from different relevance buckets of the same query; the loss is
    ListNet's top-one cross-entropy or ListMLE. Read more in ``docs/ranking.md``.

    Parameters
    ----------
    hidden_size : int, default=256
        Width of each modality's projection layer.
    embedding_size : int, default=128
        Size of the account embeddings.
    fusion : {"bilinear", "concat"}, default="bilinear"
        How a tower fuses its modalities.
    shared_towers : bool, default=False
        One tower for both sides (our extension; MIR has two). When brand and creator
        posts are encoded by the same feature extractors, sharing makes the embedding
        spaces agree from the start and needs far fewer training brands.
    residual_similarity : bool, default=False
        Add ``scale * cosine(pooled brand features, pooled creator features)`` to the
        score, ``scale`` learned (our extension): the model starts from the untrained
        similarity of the two histories and learns corrections to it. Needs the same
        feature widths on both sides.
    pooling : {"mean", "weighted", "attention"}, default="mean"
        History pooling: mean of the valid posts, mean weighted by the per-post extra
        ``pooling_weight``, or a learned attention over posts (needs ragged stores).
    pooling_weight : str, default="engagement"
        Per-post extra used by ``pooling="weighted"``.
    attention_size : int, default=64
        Width of the attention scorer (``pooling="attention"``).
    max_posts : int or None, default=50
        Posts per account kept for attention pooling (the first ones).
    loss : {"listnet", "listmle"}, default="listnet"
        Listwise loss.
    sampling : {"k-buckets", "full"}, default="k-buckets"
        Training lists: K-buckets lists (one per positive and epoch), or every
        query's full list of rows.
    k : int, default=4
        List length for K-buckets sampling (the paper's best is 4).
    lists_per_positive : int, default=1
        K-buckets lists drawn per positive row and epoch.
    dropout : float, default=0.1
        Dropout after the first projection layer.
    lr : float, default=1e-3
        Learning rate (Adam).
    weight_decay : float, default=0.0
        L2 penalty (AdamW-style decoupled decay is not used).
    max_epochs : int, default=20
        Passes over the training lists.
    batch_size : int, default=64
        Lists per batch.
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda"``/``"cuda:N"``.
    random_state : int, RandomState or None, default=None
        Seeds weights, list sampling and shuffling.
    verbose : int, default=0
        skorch's per-epoch log.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The fitted net.
    history_ : skorch.callbacks.History
        Per-epoch training loss.
    modalities_ : list of str
        Modalities seen in fit.
    n_iter_ : int
        Epochs run.
    device_ : str
        Device the model runs on.

    See Also
    --------
    BoostedRanker : Gradient-boosted ranking on pooled pair features.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skinfluence.ranking import ListwiseRanker, make_queries
    >>> rng = np.random.default_rng(0)
    >>> brands, creators = rng.normal(size=(6, 8)), rng.normal(size=(40, 8))
    >>> fit = brands @ creators.T
    >>> pairs = pd.DataFrame([(b, c, float(fit[b, c] > 1.5)) for b in range(6) for c in range(40)],
    ...                      columns=["brand_id", "account_id", "relevance"])
    >>> X, y, qid = make_queries({"text": brands}, range(6), {"text": creators}, range(40), pairs)
    >>> ranker = ListwiseRanker(hidden_size=16, embedding_size=8, max_epochs=5,
    ...                         device="cpu", random_state=0).fit(X, y)
    >>> ranker.predict(X).shape
    (240,)
    >>> list(ranker.top_k(X, k=3).columns)
    ['query', 'rank', 'row', 'score', 'candidate']
    """

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "embedding_size": [Interval(Integral, 1, None, closed="left")],
        "fusion": [StrOptions({"bilinear", "concat"})],
        "shared_towers": ["boolean"],
        "residual_similarity": ["boolean"],
        "pooling": [StrOptions({"mean", "weighted", "attention"})],
        "pooling_weight": [str],
        "attention_size": [Interval(Integral, 1, None, closed="left")],
        "max_posts": [Interval(Integral, 1, None, closed="left"), None],
        "loss": [StrOptions({"listnet", "listmle"})],
        "sampling": [StrOptions({"k-buckets", "full"})],
        "k": [Interval(Integral, 2, None, closed="left")],
        "lists_per_positive": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, hidden_size=256, *, embedding_size=128, fusion="bilinear",
                 shared_towers=False, residual_similarity=False, pooling="mean",
                 pooling_weight="engagement", attention_size=64, max_posts=50, loss="listnet",
                 sampling="k-buckets", k=4, lists_per_positive=1, dropout=0.1, lr=1e-3,
                 weight_decay=0.0, max_epochs=20, batch_size=64, device="auto",
                 random_state=None, verbose=0):
        self.hidden_size = hidden_size
        self.embedding_size = embedding_size
        self.fusion = fusion
        self.shared_towers = shared_towers
        self.residual_similarity = residual_similarity
        self.pooling = pooling
        self.pooling_weight = pooling_weight
        self.attention_size = attention_size
        self.max_posts = max_posts
        self.loss = loss
        self.sampling = sampling
        self.k = k
        self.lists_per_positive = lists_per_positive
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ helpers
    def _check_X(self, X, caller):
        if not isinstance(X, QueryCandidates):
            raise TypeError(
                f"{_NAME}.{caller} takes X as a QueryCandidates (rows of (query, candidate) "
                f"pairs over account tables, see skinfluence.ranking.make_queries); got "
                f"{type(X).__name__}"
            )
        if hasattr(self, "modalities_") and X.modalities != self.modalities_:
            raise ValueError(
                f"{_NAME}.{caller}: X has modalities {X.modalities}, but the ranker was "
                f"fitted with {self.modalities_}"
            )
        return X

    def _sides(self, X):
        attention = self.pooling == "attention"
        kw = dict(attention=attention, pooling="weighted" if self.pooling == "weighted" else "mean",
                  weight=self.pooling_weight, max_posts=self.max_posts)
        return _Side(X.queries, **kw), _Side(X.candidates, **kw)

    def _module_kwargs(self, dims):
        return dict(dims=dims, hidden_size=self.hidden_size, embedding_size=self.embedding_size,
                    fusion=self.fusion, shared_towers=bool(self.shared_towers),
                    residual_similarity=bool(self.residual_similarity),
                    attention=self.pooling == "attention",
                    attention_size=self.attention_size, dropout=float(self.dropout))

    # ---------------------------------------------------------------------- fit
    @fit_context
    def fit(self, X, y, qid=None):
        """Train on (query, candidate) rows in any order.

        Parameters
        ----------
        X : QueryCandidates
            Training rows over the query and candidate account tables.
        y : array-like of shape (n_rows,)
            Relevance or competence of each row (>= 0; positives are ``y > 0``).
        qid : array-like of shape (n_rows,), default=None
            Query id of each row; defaults to the ids carried by ``X``.

        Returns
        -------
        self : ListwiseRanker
            Fitted.
        """
        self._check_extras()
        X = self._check_X(X, "fit")
        if y is None:
            raise ValueError(f"{_NAME} requires y to be passed, but the target y is None")
        y = np.asarray(y, dtype=float)
        if y.shape != (len(X),):
            raise ValueError(f"{_NAME}.fit: y must have one value per row of X ({len(X)}); "
                             f"got shape {y.shape}")
        bad = ~np.isfinite(y) | (y < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{_NAME}.fit: y must be finite and >= 0; row {row} has {y[row]}")
        qid = self._qid(X, qid, "fit", required=True)
        _, codes = np.unique(qid, return_inverse=True)
        if self.sampling == "k-buckets" and not (y > 0).any():
            raise ValueError(f"{_NAME}.fit: K-buckets lists start from positive rows (y > 0); "
                             "y has none")

        torch = import_optional("torch", extra="torch", caller=_NAME)
        skorch = import_optional("skorch", extra="torch", caller=_NAME)
        from ._mir_module import ListDataset, ListLoss, MIRNet, passthrough

        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        device = _resolve_device(self.device)
        q_side, c_side = self._sides(X)
        dims = q_side.dims()
        if dims != c_side.dims():
            raise ValueError(f"{_NAME}.fit: query and candidate features differ in width per "
                             f"modality: {dims} vs {c_side.dims()}")
        dataset = ListDataset(
            X.query_index, X.candidate_index, y, codes, gather_query=q_side.gather,
            gather_candidates=c_side.gather, sampling=self.sampling, k=self.k,
            lists_per_positive=self.lists_per_positive, seed=seed)
        net = skorch.NeuralNet(
            module=MIRNet,
            **{f"module__{k}": v for k, v in self._module_kwargs(dims).items()},
            criterion=ListLoss,
            criterion__kind=self.loss,
            optimizer=torch.optim.Adam,
            optimizer__weight_decay=float(self.weight_decay),
            lr=float(self.lr),
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=passthrough,
            iterator_valid__collate_fn=passthrough,
            train_split=None,
            predict_nonlinearity=None,
            device=device,
            verbose=int(self.verbose),
        )
        cuda = torch.device(device).type == "cuda"
        with torch.random.fork_rng(devices=[torch.device(device).index or 0] if cuda else []):
            torch.manual_seed(seed)
            net.fit(dataset, None)
        self.modalities_ = X.modalities
        self.device_ = device
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        return self

    # ------------------------------------------------------------------ predict
    def _embed(self, tower, side, n, batch=1024):
        """Embeddings and pooled inputs of one side's ``n`` accounts, in batches."""
        import torch

        embeddings, pooled = [], []
        with torch.inference_mode():
            for start in range(0, n, batch):
                idx = np.arange(start, min(start + batch, n))
                feats = side.gather(idx)
                feats = {m: (tuple(t.to(self.device_) for t in v) if isinstance(v, tuple)
                             else v.to(self.device_)) for m, v in feats.items()}
                e, x = tower(feats, with_pooled=True)
                embeddings.append(e.float().cpu().numpy())
                pooled.append(x.float().cpu().numpy())
        if not embeddings:
            return np.zeros((0, self.embedding_size), np.float32), None
        return np.concatenate(embeddings), np.concatenate(pooled)

    def _embed_both(self, X):
        check_is_fitted(self)
        X = self._check_X(X, "embed")
        module = self.net_.module_
        module.eval()
        q_side, c_side = self._sides(X)
        return (self._embed(module.query_tower, q_side, X.n_query_accounts),
                self._embed(module.candidate_tower, c_side, X.n_candidate_accounts))

    def embed(self, X):
        """Embeddings of the query and candidate accounts of ``X``.

        Each account is embedded once, however many rows it appears in.

        Parameters
        ----------
        X : QueryCandidates
            Rows whose account tables are embedded.

        Returns
        -------
        queries : ndarray of shape (n_query_accounts, embedding_size)
            The query (brand) embeddings.
        candidates : ndarray of shape (n_candidate_accounts, embedding_size)
            The candidate (creator) embeddings.
        """
        (e_q, _), (e_c, _) = self._embed_both(X)
        return e_q, e_c

    def predict(self, X):
        """Score each (query, candidate) row; higher ranks first.

        Parameters
        ----------
        X : QueryCandidates
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_rows,)
            ``mean(e_query * e_candidate)`` per row (plus the residual similarity
            when it is on), in the rows' order. A row's score depends only on its own
            query and candidate.
        """
        import torch

        (e_q, x_q), (e_c, x_c) = self._embed_both(X)
        module = self.net_.module_
        out = np.empty(len(X), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(X), 65536):
                qi = X.query_index[start:start + 65536]
                ci = X.candidate_index[start:start + 65536]
                s = module.score(*(torch.from_numpy(a).to(self.device_) for a in
                                   (e_q[qi], e_c[ci], x_q[qi], x_c[ci])))
                out[start:start + len(qi)] = s.float().cpu().numpy()
        return out

    def attention_weights(self, X, side="candidates"):
        """Per-post attention weights of one side's accounts (``pooling="attention"``).

        Parameters
        ----------
        X : QueryCandidates
            Rows whose account tables are read.
        side : {"candidates", "queries"}, default="candidates"
            Which accounts.

        Returns
        -------
        weights : dict of str -> list of ndarray
            Per modality, one array per account with the weight of each kept post.
        """
        import torch

        check_is_fitted(self)
        if self.pooling != "attention":
            raise ValueError(f"{_NAME}.attention_weights needs pooling='attention'; this "
                             f"ranker pools with {self.pooling!r}")
        if side not in ("candidates", "queries"):
            raise ValueError(f"side must be 'candidates' or 'queries'; got {side!r}")
        X = self._check_X(X, "attention_weights")
        module = self.net_.module_
        module.eval()
        q_side, c_side = self._sides(X)
        tower, s = ((module.candidate_tower, c_side) if side == "candidates"
                    else (module.query_tower, q_side))
        n = X.n_candidate_accounts if side == "candidates" else X.n_query_accounts
        out = {m: [] for m in self.modalities_}
        with torch.inference_mode():
            for start in range(0, n, 512):
                idx = np.arange(start, min(start + 512, n))
                feats = s.gather(idx)
                feats = {m: tuple(t.to(self.device_) for t in v) for m, v in feats.items()}
                weights = tower.attention_weights(feats)
                for m in self.modalities_:
                    w = weights[m].float().cpu().numpy()
                    mask = feats[m][1].cpu().numpy()
                    lengths = mask.shape[1] - np.argmax(mask[:, ::-1], axis=1)
                    lengths[~mask.any(axis=1)] = 0
                    out[m].extend(w[i, :lengths[i]] for i in range(len(idx)))
        return out

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        return getstate_net(dict(super().__getstate__()))

    def __setstate__(self, state):
        super().__setstate__(setstate_net(dict(state), _NAME))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.non_deterministic = False
        return tags

    @classmethod
    def get_test_params(cls):
        small = {"hidden_size": 8, "embedding_size": 4, "max_epochs": 2, "batch_size": 8,
                 "device": "cpu", "random_state": 0}
        return [small, {**small, "fusion": "concat", "loss": "listmle", "sampling": "full"}]

