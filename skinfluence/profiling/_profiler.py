"""AttentiveProfiler: attentive multimodal influencer profiling (Kim et al., WWW 2020), on skorch.

torch and skorch are imported inside methods only (extra ``torch``); the
torch module, loss and dataset live in :mod:`._module`.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..ragged import PostFeatures
from ..ragged import check_post_features as _as_post_features
from ..registry import register
from ..utils._optional import import_optional
from ..utils._param_validation import (
    Integral,
    Interval,
    InvalidParameterError,
    Real,
    StrOptions,
    fit_context,
)
from ..utils._torch import getstate_net, setstate_net
from ..utils._torch import resolve_device as _resolve_device

__all__ = ["AttentiveProfiler"]

_OPTIMIZERS = ("adam", "adamw", "sgd")
_NAME = "AttentiveProfiler"


def _missing(labels: np.ndarray) -> np.ndarray:
    """True where a post label is missing (None, NaN, pd.NA, NaT)."""
    return np.asarray(pd.isna(labels), dtype=bool).reshape(len(labels))


@register("profiler", extras=("torch",))
class AttentiveProfiler(ComponentMixin, ClassifierMixin, BaseEstimator):
    """Influencer topic classifier with attention over the account's posts (Kim et al., WWW 2020).

    Each post's feature vector (for example a caption embedding and an image
    embedding side by side, from :class:`PostEncoder`) goes through a fully
    connected layer with ReLU; an attention layer (tanh projection, trainable
    context vector, softmax over the account's posts, padding masked) weighs
    the posts; a head (FC, ReLU, FC) classifies the weighted sum. An auxiliary
    head classifies every post (its category) when post labels are given. The
    loss is the influencer cross-entropy plus ``post_loss_weight`` times the
    post cross-entropy. Training runs on skorch; ``net_`` is the fitted
    :class:`skorch.NeuralNet`. Read more in ``docs/profiler.md``.

    Parameters
    ----------
    hidden_size : int, default=128
        Size of the post representation (output of the post encoder's FC layer).
    attention_size : int, default=64
        Size of the attention projection and context vector.
    head_hidden_size : int, default=64
        Hidden size of the influencer head (FC, ReLU, FC).
    dropout : float in [0, 1), default=0.2
        Dropout after the post encoder and inside the influencer head.
    post_loss_weight : float >= 0, default=0.5
        Weight of the auxiliary post-category loss. 0 trains no post head.
    attention : bool, "account" or "mixture", default=True
        True: the paper's attention, whose score of a post depends on the post
        only (``c . tanh(W h_i + b)``, one context vector ``c`` for all
        accounts). ``"account"``: account-aware attention, a scaled dot product
        between each post and a projection of the mean of the account's posts,
        so that posts agreeing with the account's dominant content can be
        weighed up (see Notes). ``"mixture"``: each post is on the account's
        topic or off it; the account is classified by the likelihood of its
        posts under that mixture, and a post's weight is the posterior
        probability that it is on the predicted topic (see Notes). False
        replaces the attention by the mean over the account's posts (the
        paper's no-attention variant).
    max_posts : int or None, default=None
        Use at most this many posts per account (in fit and predict); None:
        all of them.
    keep_posts : {"last", "first"}, default="last"
        Which posts ``max_posts`` keeps, in the container's post order.
        :class:`PostEncoder` keeps the account frame's nested order; the
        library's loaders and ``make_creators`` sort posts by time, so
        ``"last"`` keeps the most recent ones.
    optimizer : {"adam", "adamw", "sgd"} or torch optimizer class, default="adam"
        Optimizer; a class such as ``torch.optim.RMSprop`` is used as is.
    optimizer_kwargs : dict, default=None
        Further keyword arguments of the optimizer (``{"momentum": 0.9}``).
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        Weight decay (L2 penalty) of the optimizer.
    max_epochs : int, default=30
        Number of training epochs (fewer with early stopping).
    batch_size : int, default=32
        Accounts per mini-batch (training and inference). Each batch is padded
        to its own longest account, not to the longest account overall.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training accounts (stratified
        by class when possible) and stop when the validation loss has not
        improved for ``n_iter_no_change`` epochs, restoring the best weights.
        False (the default) uses every account for training, as
        cross-validation expects.
    validation_fraction : float in (0, 1), default=0.1
        Share of accounts held out for early stopping.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Added to skorch's default callbacks (copied at each fit).
    channels : list of str or None, default=None
        Which per-post channels the model reads, each encoded on its own and
        then fused (``fusion``). A name is either a sparse channel of the
        container (e.g. the :class:`HashedTfidf` of a :class:`PostEncoder`,
        named after the extractor) or an extractor of dense features (the
        dense columns named ``<name>__...``, e.g. ``"caption"`` and
        ``"image"`` for two :class:`SentenceEmbedder`). None: all dense
        features as one channel (the original model), plus every sparse
        channel of the container as a further channel.
    fusion : {"concat", "gated", "bilinear"}, default="concat"
        How the channels' per-post representations are fused when there are
        several: a layer over their concatenation, a gated sum (a learned
        sigmoid gate per channel and dimension) or low-rank bilinear pooling
        (the element-wise product of per-channel ``tanh`` projections). The
        fusion code is shared with :class:`~skinfluence.ranking.ListwiseRanker`.
    sparse_head : {"bag", "linear"}, default="bag"
        How the sparse channels (e.g. :class:`HashedTfidf`) are read.
        ``"bag"``: each is a post channel, projected by a learned embedding bag
        and fused with the dense channels. ``"linear"``: a "wide" part, a linear
        map from each account's mean sparse row (over its valid posts) to the
        class logits, added to the network's logits and trained with it (like a
        logistic regression on the pooled TF-IDF); the dense channels alone
        feed the post encoder and the attention. Needs a dense channel.
    sparse_weight_decay : float or None, default=None
        Weight decay of the sparse channels' weights (the embedding bags, or
        the linear head), which see far more parameters than the rest of the
        network; None uses ``weight_decay``.
    account_features : list of str, "all" or None, default=None
        Account-level inputs (the container's ``account_extras``, e.g. from
        ``PostEncoder(account_fields=["followers", "following", "n_posts"])``):
        encoded by an FC layer and concatenated with the pooled post vector,
        so that an account with one post is not judged on that post alone.
        ``"all"``: every account extra of the training container. None: off.
    account_transform : {"log1p", "none"}, default="log1p"
        ``"log1p"``: ``log(1 + x)`` of every account feature whose training
        values are all non-negative (counts), before standardisation. The
        features are then standardised with the training mean and standard
        deviation; missing values become 0 (the mean).
    label_name : str or None, default="label"
        Key of the per-post labels in the container's ``extras`` (where
        ``PostEncoder(label_field=...)`` puts them). Missing labels (None,
        NaN) are ignored by the loss; a container without this key trains no
        post head.
    device : {"auto", "cpu", "cuda", "cuda:<n>", "mps"}, default="auto"
        Where the module runs; "auto" picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the early-stopping
        split. With an int, two fits on the CPU give identical models. The
        global torch random state is left as it was.
    verbose : int, default=0
        Verbosity of skorch's per-epoch log (0: silent).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Account classes.
    post_classes_ : ndarray of shape (n_post_classes,)
        Post categories seen in training (empty when there is no post task).
    n_features_in_ : int
        Number of per-post features.
    post_feature_names_ : ndarray of str objects or None
        Names of the per-post features, when the container has them.
    net_ : skorch.NeuralNet
        The fitted net (``net_.module_`` is the torch module).
    history_ : skorch.callbacks.History
        Per-epoch training record (``train_loss``, ``valid_loss``, ``dur``).
    n_iter_ : int
        Number of epochs run.
    device_ : str
        Device the module is on.
    off_topic_share_ : float or None
        With ``attention="mixture"``: the learned prior probability that a post
        is off its account's topic; None otherwise.
    channels_ : list of (kind, name, n_columns) tuples
        The channels read (``kind`` "dense" or "sparse"); empty for the
        original single-encoder model.
    account_features_ : list of str
        The account-level inputs read (empty when off).

    See Also
    --------
    PostEncoder : Turns an account frame into the per-post features this model reads.
    PostPooler : Mean-pools the same features for classical models.
    AttentionDisplay : Plots one account's posts by attention weight.

    Notes
    -----
    An account without any valid post gets a learned "no posts" vector (zero
    at initialisation) instead of the attention-weighted sum, so it is
    classified from the head's bias when no such account is seen in training;
    its attention weights are all 0. Masked-out posts (``mask`` False) are
    never attended to.

    The paper's attention scores each post on its own: a post about travel
    gets the same score on a travel account as on a food account, so it cannot
    weigh down off-topic posts that look like another topic. With
    ``attention="account"`` the score of post ``i`` is
    ``(W_q m + b_q) . (W_k h_i) / sqrt(attention_size)``, with ``h_i`` the
    encoded post and ``m`` the mean of the account's encoded valid posts (0
    for an account without a valid post); ``W_q`` and ``b_q`` start at zero,
    so training starts from mean pooling. A dot product with the account's
    mean was chosen over an additive ``c . tanh(W h_i + U m + b)`` because it
    measures the agreement of a post with its account directly (a bilinear
    form), whereas the additive score can only express it through the
    saturation of tanh.

    With ``attention="mixture"`` every post ``i`` of an account of class ``k``
    is on topic with probability ``1 - alpha`` and off topic otherwise
    (``alpha`` is learned, ``off_topic_share_``). The logit of class ``k`` is
    the account's log-likelihood ``b_k + sum_i log((1 - alpha) r_ik + alpha
    o_ik)``: ``r_ik`` is how much more likely post ``i`` is under class ``k``
    than on average, and ``o_ik`` how likely it is as an off-topic post. When
    every account class is also a post category (``post_classes_``), both come
    from the post head: ``r_ik`` is the post's likelihood for the category of
    ``k`` (its post-head probability divided by the category's training
    share), ``o_ik`` a learned mixture of the other categories; otherwise an
    instance head over the account classes gives ``r_ik`` and ``o_ik = 1``. A
    post that looks off topic adds a bounded amount, where mean pooling lets
    it pull the account's vector away; unlike a softmax attention, every post
    keeps its evidence. An account without a valid post is classified by
    ``b`` alone.

    Inference batches accounts sorted by their number of posts, which
    minimises padding; results do not depend on the other accounts of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence import PostFeatures
    >>> from skinfluence.profiling import AttentiveProfiler
    >>> rng = np.random.default_rng(0)
    >>> lengths = rng.integers(1, 8, 40)
    >>> y = np.arange(40) % 2
    >>> values = rng.normal(size=(lengths.sum(), 4)).astype("float32")
    >>> values[:, 0] += 2 * np.repeat(y, lengths)          # the topic signal
    >>> X = PostFeatures(values, np.r_[0, np.cumsum(lengths)])
    >>> clf = AttentiveProfiler(16, lr=1e-2, max_epochs=20, device="cpu", random_state=0)
    >>> clf.fit(X, y).predict(X[:4]).tolist()
    [0, 1, 0, 1]
    >>> bool(clf.score(X, y) > 0.9)
    True
    >>> w = clf.attention_weights(X[:1])
    >>> bool(np.isclose(w.sum(), 1.0))
    True
    """


    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "attention_size": [Interval(Integral, 1, None, closed="left")],
        "head_hidden_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "post_loss_weight": [Interval(Real, 0, np.inf, closed="left")],
        "attention": ["boolean", StrOptions({"account", "mixture"})],
        "max_posts": [None, Interval(Integral, 1, None, closed="left")],
        "keep_posts": [StrOptions({"last", "first"})],
        # a class is checked against torch.optim.Optimizer in fit, once torch is imported
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "optimizer_kwargs": [None, dict],
        "lr": [Interval(Real, 0, np.inf, closed="neither")],
        "weight_decay": [Interval(Real, 0, np.inf, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        "channels": [None, list, tuple],
        "fusion": [StrOptions({"concat", "gated", "bilinear"})],
        "account_features": [None, list, tuple, StrOptions({"all"})],
        "sparse_head": [StrOptions({"bag", "linear"})],
        "sparse_weight_decay": [Interval(Real, 0, np.inf, closed="left"), None],
        "account_transform": [StrOptions({"log1p", "none"})],
        "label_name": [None, str],
        "device": "no_validation",  # a str or a torch.device: checked in fit, with torch
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, hidden_size=128, *, attention_size=64, head_hidden_size=64, dropout=0.2,
                 post_loss_weight=0.5, attention=True, max_posts=None, keep_posts="last",
                 optimizer="adam", optimizer_kwargs=None, lr=1e-3, weight_decay=0.0,
                 max_epochs=30, batch_size=32, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, callbacks=None, channels=None, fusion="concat",
                 sparse_head="bag", sparse_weight_decay=None, account_features=None,
                 account_transform="log1p", label_name="label", device="auto",
                 random_state=None, verbose=0):
        self.hidden_size = hidden_size
        self.attention_size = attention_size
        self.head_hidden_size = head_hidden_size
        self.dropout = dropout
        self.post_loss_weight = post_loss_weight
        self.attention = attention
        self.max_posts = max_posts
        self.keep_posts = keep_posts
        self.optimizer = optimizer
        self.optimizer_kwargs = optimizer_kwargs
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.channels = channels
        self.fusion = fusion
        self.sparse_head = sparse_head
        self.sparse_weight_decay = sparse_weight_decay
        self.account_features = account_features
        self.account_transform = account_transform
        self.label_name = label_name
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ params

    def _optimizer_class(self, torch):
        opt = self.optimizer
        if isinstance(opt, str):
            return {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
                    "sgd": torch.optim.SGD}[opt]
        if isinstance(opt, type) and issubclass(opt, torch.optim.Optimizer):
            return opt
        raise InvalidParameterError(
            f"The 'optimizer' parameter of {_NAME} must be one of 'adam', 'adamw', 'sgd' or a "
            f"torch optimizer class. Got {opt!r} instead."
        )

    # ------------------------------------------------------------------- input

    def _validate_posts(self, X, *, reset):
        X = _as_post_features(X, _NAME, fit=reset)
        if not reset and X.n_features != self.n_features_in_:
            raise ValueError(
                f"X has {X.n_features} per-post features, but {_NAME} was fitted with "
                f"{self.n_features_in_}"
            )
        if not reset:
            for kind, name, width in getattr(self, "channels_", []):
                have = X._sparse().get(name)
                if kind == "sparse" and (have is None or have.shape[1] != width):
                    got = "none" if have is None else f"{have.shape[1]} columns"
                    raise ValueError(
                        f"{_NAME} was fitted with the sparse channel {name!r} of {width} "
                        f"columns; X has {got} (its sparse channels: {sorted(X._sparse())})"
                    )
            missing = [f for f in getattr(self, "account_features_", [])
                       if f not in X._account_extras()]
            if missing:
                raise ValueError(
                    f"{_NAME} was fitted with the account features {self.account_features_}; "
                    f"X lacks {missing} (its account extras: {sorted(X._account_extras())}). "
                    "Build it with PostEncoder(account_fields=[...])"
                )
        return X

    def _channel_specs(self, X):
        """(kind, name, size, columns) of every channel read; None for the original model."""
        sparse = X._sparse()
        names = X.feature_names
        if self.channels is None:
            if not sparse:
                return None
            specs = []
            if X.n_features:
                specs.append(("dense", "posts", X.n_features, list(range(X.n_features))))
            return specs + [("sparse", k, m.shape[1], None) for k, m in sorted(sparse.items())]
        chosen = list(self.channels)
        if not chosen or not all(isinstance(c, str) for c in chosen) \
                or len(set(chosen)) != len(chosen):
            raise InvalidParameterError(
                f"The 'channels' parameter of {_NAME} must be None or a non-empty list of "
                f"distinct str. Got {self.channels!r} instead."
            )
        prefixes = [] if names is None else [str(n).partition("__")[0] for n in names]
        specs = []
        for name in chosen:
            if name in sparse:
                specs.append(("sparse", name, sparse[name].shape[1], None))
                continue
            columns = [i for i, p in enumerate(prefixes) if p == name]
            if not columns:
                raise ValueError(
                    f"{_NAME}: channel {name!r} is neither a sparse channel of the container "
                    f"({sorted(sparse)}) nor the prefix of dense features named "
                    f"'<name>__<feature>' ({sorted(set(prefixes))}); build the container with "
                    "a PostEncoder whose extractors have these names"
                )
            specs.append(("dense", name, len(columns), columns))
        return specs

    def _account_names(self, X):
        have = X._account_extras()
        if self.account_features is None:
            return []
        if isinstance(self.account_features, str):  # "all"
            return sorted(have)
        names = list(self.account_features)
        if not all(isinstance(n, str) for n in names):
            raise InvalidParameterError(
                f"The 'account_features' parameter of {_NAME} must be a list of str, 'all' or "
                f"None. Got {self.account_features!r} instead."
            )
        missing = [n for n in names if n not in have]
        if missing:
            raise ValueError(
                f"{_NAME}: account_features {missing} are not in the container's account "
                f"extras ({sorted(have)}); build it with PostEncoder(account_fields=[...])"
            )
        return names

    def _account_matrix(self, X, *, reset):
        """Account inputs (n_accounts, k) float32: log1p of counts, standardised; None if off."""
        if reset:
            self.account_features_ = self._account_names(X)
        names = self.account_features_
        if not names:
            return None
        A = np.column_stack([np.asarray(X.account_extras[n], dtype=np.float64) for n in names])
        if reset:
            finite = np.where(np.isfinite(A), A, np.nan)
            nonneg = np.nan_to_num(np.nanmin(finite, axis=0), nan=0.0) >= 0
            self._account_log_ = nonneg if self.account_transform == "log1p" else \
                np.zeros(len(names), dtype=bool)
        A = np.where(np.isfinite(A), A, np.nan)
        A[:, self._account_log_] = np.log1p(np.clip(A[:, self._account_log_], 0, None))
        if reset:
            mean = np.nan_to_num(np.nanmean(A, axis=0), nan=0.0) if len(A) else \
                np.zeros(len(names))
            std = np.nan_to_num(np.nanstd(A, axis=0), nan=0.0) if len(A) else np.ones(len(names))
            self._account_mean_ = mean
            self._account_scale_ = np.where(std > 0, std, 1.0)
        A = (A - self._account_mean_) / self._account_scale_
        return np.nan_to_num(A, nan=0.0).astype(np.float32)

    def _post_codes(self, X):
        """Post-label codes (IGNORE_INDEX where missing or masked) and the post classes."""
        from ._module import IGNORE_INDEX

        empty = np.asarray([], dtype=object)
        if (self.label_name is None or self.label_name not in X.extras
                or self.post_loss_weight == 0):
            return None, empty
        labels = np.asarray(X.extras[self.label_name])
        if labels.ndim != 1:
            raise ValueError(
                f"{_NAME}: post labels extras[{self.label_name!r}] must be 1-D (one label per "
                f"post); got shape {labels.shape}"
            )
        known = ~_missing(labels) & X.mask
        if not known.any():
            return None, empty
        try:
            classes, codes = np.unique(labels[known], return_inverse=True)
        except TypeError as exc:
            raise ValueError(
                f"{_NAME}: post labels extras[{self.label_name!r}] mix types that cannot be "
                f"sorted ({exc}); use labels of one type"
            ) from None
        out = np.full(X.n_posts, IGNORE_INDEX, dtype=np.int64)
        out[known] = codes
        return out, classes

    def _dataset(self, X, y=None, post_codes=None, *, reset=False):
        from ._module import PostBatchDataset

        sparse = {name: X.sparse[name] for kind, name, _ in getattr(self, "channels_", [])
                  if kind == "sparse"}
        return PostBatchDataset(X.values, X.offsets, X.mask, y, post_codes,
                                max_posts=self.max_posts, keep=self.keep_posts,
                                sparse=sparse, account=self._account_matrix(X, reset=reset))

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X: PostFeatures, y) -> AttentiveProfiler:
        """Train the profiler.

        Parameters
        ----------
        X : PostFeatures
            Per-post features of ``n_accounts`` accounts (from
            :class:`PostEncoder`), with per-post labels in
            ``extras[label_name]`` for the auxiliary task (optional).
        y : array-like of shape (n_accounts,)
            Account classes.

        Returns
        -------
        self : AttentiveProfiler
        """
        self._check_extras()
        X = self._validate_posts(X, reset=True)
        y = column_or_1d(np.asarray(y), warn=True)
        if len(y) != len(X):
            raise ValueError(
                f"{_NAME}: X holds {len(X)} accounts but y has {len(y)} labels"
            )
        check_classification_targets(y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if len(classes) == 0:
            raise ValueError(f"{_NAME} needs at least one account; X is empty")
        if len(classes) < 2:
            raise ValueError(
                f"{_NAME} needs samples of at least 2 classes in the data; got only class "
                f"{classes[0]!r}"
            )
        post_codes, post_classes = self._post_codes(X)

        torch = import_optional("torch", extra="torch", caller=_NAME)
        skorch = import_optional("skorch", extra="torch", caller=_NAME)
        from skorch.callbacks import EarlyStopping

        from ._module import AccountSplit, BucketLoader, JointLoss, PostAttentionNet, passthrough

        class_to_post, post_log_prior = self._mixture_tie(classes, post_classes, post_codes)
        specs = self._channel_specs(X)
        if self.sparse_head == "linear" and specs is not None \
                and not any(k == "dense" for k, *_ in specs):
            raise ValueError(
                f"{_NAME}: sparse_head='linear' needs a dense channel (it adds a linear map of "
                f"the sparse channels to a network over dense post features); the channels "
                f"read are {[n for _, n, *_ in specs]}, all sparse. Add a dense channel or use "
                "sparse_head='bag'."
            )
        self.channels_ = [] if specs is None else [(k, n, z) for k, n, z, _ in specs]
        dataset = self._dataset(X, y_enc.astype(np.int64), post_codes, reset=True)
        device = _resolve_device(self.device, _NAME)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        callbacks = list(copy.deepcopy(list(self.callbacks or [])))
        train_split = None
        if self.early_stopping:
            train_split = AccountSplit(self.validation_fraction, seed)
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True)))
        net = skorch.NeuralNet(
            module=PostAttentionNet,
            module__n_features=X.n_features,
            module__n_classes=len(classes),
            module__n_post_classes=len(post_classes),
            module__hidden_size=self.hidden_size,
            module__attention_size=self.attention_size,
            module__head_hidden_size=self.head_hidden_size,
            module__dropout=float(self.dropout),
            module__attention=(self.attention if isinstance(self.attention, str)
                               else bool(self.attention)),
            module__class_to_post=class_to_post,
            module__post_log_prior=post_log_prior,
            module__channels=specs,
            module__fusion=self.fusion,
            module__n_account_features=len(self.account_features_),
            module__sparse_head=self.sparse_head,
            criterion=JointLoss,
            criterion__post_loss_weight=float(self.post_loss_weight),
            optimizer=self._optimizer_class(torch),
            optimizer__weight_decay=float(self.weight_decay),
            **self._sparse_param_groups(specs),
            **{f"optimizer__{k}": v for k, v in (self.optimizer_kwargs or {}).items()},
            lr=float(self.lr),
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BucketLoader,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=passthrough,
            iterator_valid__collate_fn=passthrough,
            train_split=train_split,
            callbacks=callbacks,
            predict_nonlinearity=None,
            device=device,
            verbose=int(self.verbose),
        )
        cuda = torch.device(device).type == "cuda"
        rng_devices = [torch.device(device).index or 0] if cuda else []
        # seed a private copy of torch's RNG: weights, shuffling and dropout are
        # reproducible, and the caller's global random state is left untouched
        with torch.random.fork_rng(devices=rng_devices):
            torch.manual_seed(seed)
            net.fit(dataset, None)

        self.classes_ = classes
        self.post_classes_ = post_classes
        self.n_features_in_ = X.n_features
        self.post_feature_names_ = X.feature_names
        self.device_ = device
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        module = net.module_
        self.off_topic_share_ = (float(torch.sigmoid(module.off_topic_logit.detach()).cpu())
                                 if self._is_mixture() else None)
        return self

    def _sparse_param_groups(self, specs):
        """skorch's ``optimizer__param_groups`` giving the sparse weights their own decay."""
        if self.sparse_weight_decay is None or not any(k == "sparse" for k, *_ in specs or []):
            return {}
        decay = {"weight_decay": float(self.sparse_weight_decay)}
        # the embedding bags (and their biases) of sparse post channels, or the linear head
        return {"optimizer__param_groups": [("bags.*", decay), ("bag_bias.*", decay),
                                            ("wide.*", decay)]}

    def _is_mixture(self):
        return isinstance(self.attention, str) and self.attention == "mixture"

    def _mixture_tie(self, classes, post_classes, post_codes):
        """Post category of every account class, and the categories' log prior (mixture only).

        ``(None, None)`` unless ``attention="mixture"`` and every account class is also a
        post category: the mixture then reads the post head (see Notes); otherwise it
        learns an instance head over the account classes.
        """
        if not self._is_mixture() or post_codes is None:
            return None, None
        position = {c: i for i, c in enumerate(post_classes.tolist())}  # unique (np.unique)
        try:
            tie = [position[c] for c in classes.tolist()]
        except (KeyError, TypeError):  # a class that is no post category (or unhashable)
            return None, None
        known = post_codes[post_codes >= 0]
        counts = np.bincount(known, minlength=len(post_classes)).astype(np.float64) + 1.0
        return tie, np.log(counts / counts.sum()).tolist()

    # ------------------------------------------------------------------ infer

    def _run(self, X, *, want_weights=False):
        """Account logits (n_accounts, n_classes) and, optionally, flat attention weights."""
        import torch

        from ._module import to_device

        module = self.net_.module_
        module.eval()
        dataset = self._dataset(X)
        n = len(X)
        logits = np.zeros((n, len(self.classes_)), dtype=np.float32)
        weights = np.zeros(X.n_posts, dtype=np.float32) if want_weights else None
        kept = np.diff(X.offsets)
        if self.max_posts is not None:
            kept = np.minimum(kept, self.max_posts)
        order = np.argsort(kept, kind="stable")  # similar lengths together: little padding
        bs = self.batch_size
        with torch.inference_mode():
            for start in range(0, n, bs):
                idx = order[start:start + bs]
                (Xi, _), (acc, slot, rows) = dataset.batch(idx)
                out, _, w = module(**to_device(Xi, self.device_))
                logits[idx] = out.float().cpu().numpy()
                if want_weights:
                    weights[rows] = w.float().cpu().numpy()[acc, slot]
        return logits, weights

    def predict_proba(self, X: PostFeatures) -> np.ndarray:
        """Class probabilities of each account.

        Parameters
        ----------
        X : PostFeatures
            Per-post features of the accounts, with the features seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_accounts, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_posts(X, reset=False)
        logits, _ = self._run(X)
        logits = logits.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True) if len(logits) else 0
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: PostFeatures) -> np.ndarray:
        """The most probable class of each account.

        Parameters
        ----------
        X : PostFeatures
            Per-post features of the accounts, with the features seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_accounts,)
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(proba, axis=1)]

    def attention_weights(self, X: PostFeatures) -> np.ndarray:
        """Each post's weight in its account's representation, in the container's post order.

        Parameters
        ----------
        X : PostFeatures
            Per-post features of the accounts, with the features seen in ``fit``.

        Returns
        -------
        weights : ndarray of shape (n_posts,), dtype=float32
            Sum to 1 over each account's attended posts; 0 for masked-out
            posts, posts beyond ``max_posts`` and accounts without a valid
            post. With ``attention=False``, ``1 / n`` for each of the ``n``
            valid posts (mean pooling).
        """
        check_is_fitted(self)
        X = self._validate_posts(X, reset=False)
        return self._run(X, want_weights=True)[1]

    def predict_posts_proba(self, X: PostFeatures) -> np.ndarray:
        """Post-category probabilities of every post (the auxiliary head).

        Parameters
        ----------
        X : PostFeatures
            Per-post features of the accounts, with the features seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_posts, n_post_classes)
            Rows in the container's post order, columns in the order of
            ``post_classes_``. Every post is classified from its features,
            including posts beyond ``max_posts``; masked-out posts are
            classified from zero features (whatever their stored values), so
            their row says nothing about the post: filter with ``X.mask``.
        """
        import torch

        check_is_fitted(self)
        X = self._validate_posts(X, reset=False)
        module = self.net_.module_
        if module.post_head is None:
            raise AttributeError(
                f"this {_NAME} has no post head: it was fitted without post labels (the "
                f"container had no usable extras[{self.label_name!r}]) or with "
                "post_loss_weight=0"
            )
        from ._module import sparse_rows, to_device

        module.eval()
        out = np.zeros((X.n_posts, len(self.post_classes_)), dtype=np.float64)
        chunk = 8192
        sparse_names = [n for k, n, _ in getattr(self, "channels_", []) if k == "sparse"]
        with torch.inference_mode():
            for start in range(0, X.n_posts, chunk):
                v = X.values[start:start + chunk]
                m = X.mask[start:start + chunk]
                if not m.all():  # masked-out rows may hold NaN: classify zeros instead
                    v = np.where(m[:, None], v, np.float32(0))
                v = torch.from_numpy(np.ascontiguousarray(v)).to(self.device_)
                # masked-out rows: empty bags
                rows = np.arange(start, start + len(m))
                sparse = {n: to_device(sparse_rows(X.sparse[n], rows[m], np.flatnonzero(m),
                                                   np.zeros(int(m.sum()), np.int64),
                                                   (len(m), 1)), self.device_)
                          for n in sparse_names}
                sparse = {n: {k: t[:, 0] for k, t in part.items()} for n, part in sparse.items()}
                p = torch.softmax(module.post_head(module.encode_posts(v, sparse)).float(), dim=1)
                out[start:start + chunk] = p.cpu().numpy()
        return out

    def predict_posts(self, X: PostFeatures) -> np.ndarray:
        """The predicted category of every post (the auxiliary head).

        Parameters
        ----------
        X : PostFeatures
            Per-post features of the accounts, with the features seen in ``fit``.

        Returns
        -------
        post_pred : ndarray of shape (n_posts,)
            Values of ``post_classes_``, in the container's post order (see
            :meth:`predict_posts_proba` for masked-out posts).
        """
        proba = self.predict_posts_proba(X)
        return self.post_classes_[np.argmax(proba, axis=1)] if len(proba) else \
            self.post_classes_[:0]

    # -------------------------------------------------------------- sklearn glue

    @property
    def module_(self):
        """The fitted torch module (``net_.module_``)."""
        check_is_fitted(self)
        return self.net_.module_

    def __getstate__(self):
        return getstate_net(dict(super().__getstate__()))

    def __setstate__(self, state):
        super().__setstate__(setstate_net(dict(state), _NAME))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.posts = True
        tags.input_tags.two_d_array = False
        return tags

    def _expected_failed_checks(self):
        return {}

    @classmethod
    def get_test_params(cls):
        return [
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 8, "device": "cpu", "random_state": 0},
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 4, "attention": False, "max_posts": 3, "post_loss_weight": 0.0,
             "device": "cpu", "random_state": 0},
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 4, "attention": "account", "device": "cpu", "random_state": 0},
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 4, "attention": "mixture", "device": "cpu", "random_state": 0},
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 4, "fusion": "gated", "account_features": "all", "device": "cpu",
             "random_state": 0},
            {"hidden_size": 8, "attention_size": 4, "head_hidden_size": 8, "max_epochs": 2,
             "batch_size": 4, "sparse_head": "linear", "sparse_weight_decay": 0.01,
             "device": "cpu", "random_state": 0},
        ]

