"""ImageEmbedder: timm image embeddings of post images, pooled per account or per post."""

from __future__ import annotations

import io
import logging
import os
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AccountFrameError, ModelLoadError
from ..nested import POSTS_COLUMN, is_account_frame
from ..registry import register
from ..utils._optional import import_optional
from ..utils._param_validation import HasMethods, Integral, Interval, StrOptions, fit_context
from ..utils._safe_state import saving_safely
from ..utils._torch import (
    ModuleState,
    getstate_torch,
    is_torch_module,
    load_state_arrays,
    prepared_module,
    resolve_device,
    setstate_torch,
)
from ._base import _post_labels, _PostExtractor, _raise_not_a_frame
from ._pooling import pool_posts

__all__ = ["ImageEmbedder", "DEFAULT_IMAGE_MODEL"]

#: The default backbone: EfficientNet-B0 trained on ImageNet-1k (5.3M parameters, 1280 dims).
DEFAULT_IMAGE_MODEL = "efficientnet_b0.ra_in1k"


class _UnreadableImage(Exception):
    """An image that is missing or cannot be decoded (internal)."""


class _BadImageValues(Exception):
    """An image array whose values are outside the range of its dtype (internal).

    Not an unreadable image: the values would be decoded to a wrong picture (for
    example 0-255 floats clipped to white), so it is raised whatever ``on_error`` says.
    """


# A float image may stray from [0, 1] by half a uint8 level (resampling, rounding): it
# is rounded to the same uint8 image as a clipped one.
_FLOAT_TOLERANCE = 0.5 / 255


def _first_line(exc) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")


class _TimmLoadLog(logging.Handler):
    """Collects the parameters timm reports missing while loading pretrained weights.

    timm logs them (at level INFO, "Missing keys (a, b) discovered ...") instead of
    raising when it loads non-strictly, as it does when the classifier is dropped.
    """

    _LOGGER = "timm.models._builder"

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.missing = []

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Missing keys ("):
            keys = message[len("Missing keys ("):].split(")", 1)[0]
            # BatchNorm's step counter is not a weight (files saved elsewhere often lack it)
            self.missing.extend(k.strip() for k in keys.split(",")
                                if k.strip() and not k.strip().endswith("num_batches_tracked"))

    def __enter__(self):
        logger = logging.getLogger(self._LOGGER)
        self._level = logger.level
        logger.addHandler(self)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc_info):
        logger = logging.getLogger(self._LOGGER)
        logger.removeHandler(self)
        logger.setLevel(self._level)
        return False


def _describe(item) -> str:
    if item is None:
        return "no image (null)"
    if isinstance(item, (str, os.PathLike)):
        return f"path {os.fspath(item)!r}"
    if isinstance(item, (bytes, bytearray, memoryview)):
        return f"{len(item)} bytes of encoded image data"
    if isinstance(item, np.ndarray):
        return f"array of shape {item.shape} and dtype {item.dtype}"
    return f"a {type(item).__name__}"


def _to_pil(item, Image):
    """Decode one image (path, bytes, array or PIL image) to an RGB PIL image."""
    if item is None:
        raise _UnreadableImage("the post has no image (null)")
    try:
        if isinstance(item, Image.Image):
            img = item
        elif isinstance(item, (str, os.PathLike)):
            with Image.open(os.fspath(item)) as f:
                f.load()
                img = f.copy() if f.mode == "RGB" else f.convert("RGB")
                return img
        elif isinstance(item, (bytes, bytearray, memoryview)):
            if len(item) == 0:
                raise _UnreadableImage("empty image data (0 bytes)")
            with Image.open(io.BytesIO(bytes(item))) as f:
                f.load()
                return f.convert("RGB")
        elif isinstance(item, np.ndarray):
            arr = item
            if arr.ndim == 3 and arr.shape[-1] == 1:
                arr = arr[..., 0]
            if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4))):
                raise _UnreadableImage(
                    f"an image array must be (H, W), (H, W, 3) or (H, W, 4); got shape {arr.shape}"
                )
            if arr.dtype.kind == "f":
                if not np.isfinite(arr).all():
                    raise _UnreadableImage("the image array holds NaN or infinite values")
                low, high = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
                if low < -_FLOAT_TOLERANCE or high > 1.0 + _FLOAT_TOLERANCE:
                    raise _BadImageValues(
                        f"a float image array must hold values in [0, 1]; got [{low:g}, {high:g}]"
                        + (". It looks like 0-255 values: divide by 255, or pass uint8"
                           if high <= 255.0 and low >= 0 else "")
                    )
                arr = np.clip(np.round(arr * 255.0), 0, 255).astype(np.uint8)
            elif arr.dtype != np.uint8:
                if arr.min() < 0 or arr.max() > 255:
                    raise _BadImageValues(
                        f"an integer image array must hold values in [0, 255]; got "
                        f"[{arr.min()}, {arr.max()}]"
                    )
                arr = arr.astype(np.uint8)
            img = Image.fromarray(np.ascontiguousarray(arr))
        else:
            raise _UnreadableImage(
                f"an image must be a file path, encoded bytes, an array or a PIL image; got "
                f"{type(item).__name__}"
            )
        return img if img.mode == "RGB" else img.convert("RGB")
    except (_UnreadableImage, _BadImageValues):
        raise
    except (OSError, ValueError, SyntaxError, TypeError) as exc:  # PIL's decode errors
        raise _UnreadableImage(f"{type(exc).__name__}: {exc}") from exc


def _is_image_input(X) -> bool:
    if isinstance(X, np.ndarray):
        return X.ndim == 4
    if isinstance(X, (list, tuple, pd.Series)):
        return all(
            x is None or isinstance(x, (str, os.PathLike, bytes, bytearray, memoryview))
            or (isinstance(x, np.ndarray) and x.ndim in (2, 3))
            or type(x).__module__.startswith("PIL.")
            for x in X
        )
    return False


@register("extractor", extras=("image", "torch"))
class ImageEmbedder(_PostExtractor):
    """Image embeddings of post images with a `timm <https://huggingface.co/docs/timm>`_ backbone.

    Each post image is decoded, preprocessed exactly as the backbone expects
    (resize, centre crop and normalisation from timm's data config) and
    encoded to the backbone's pooled features (the input of its classifier).

    Parameters
    ----------
    model : str or torch.nn.Module, default="efficientnet_b0.ra_in1k"
        A timm model name, or a timm model instance. Built in ``fit``.
    pretrained : bool, default=True
        Load timm's pretrained weights (downloaded to the Hugging Face cache on
        first use). ``False`` gives random weights (for tests); fix them with
        ``random_state``.
    checkpoint_path : str or path-like, default=None
        A local weights file (``.safetensors``, ``.pth``) for the named
        architecture, loaded instead of the hub weights (offline use); its
        classifier weights are ignored.
    input_size : int, default=None
        Side of the square network input, overriding the model's data config
        (e.g. a smaller input for speed); None keeps the model's.
    image_field : str, default="image"
        Post field with the image: a file path (string) or the encoded image
        (bytes).
    pooling : {"mean", "max"} or None, default="mean"
        How an account's image embeddings are pooled by ``transform``; None
        makes the embedder per-post only (``transform`` raises;
        :meth:`transform_posts` always returns one embedding per post, a
        :class:`~skinfluence.PostFeatures`).
    batch_size : int, default=32
        Images per forward pass.
    device : {"auto", "cpu", "cuda", "cuda:<n>", "mps"}, default="auto"
        "auto": CUDA when available, else the CPU.
    on_error : {"raise", "skip"}, default="raise"
        A missing (null), unreadable or corrupt image: ``"raise"`` stops with
        an error naming the account, the post and the path; ``"skip"`` gives
        the post a zero vector, masks it out (pooling ignores it) and emits
        one warning per ``transform`` with the count.
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights when ``pretrained=False`` and there is no
        checkpoint.
    show_progress : bool, default=False
        Show a progress bar (tqdm) over batches.
    fill_value : float, default=0.0
        Pooled output of accounts without a readable image (NaN allowed).
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    model_ : torch.nn.Module
        The backbone, in eval mode on ``device_``. ``fit`` never changes a model
        instance given as ``model``: one already in eval mode on ``device_`` is
        used as is, otherwise ``model_`` is a deep copy. A pickle of a fitted
        embedder whose weights are pretrained (by name, or ``checkpoint_path``)
        leaves them out: they are loaded again from the same source when the
        unpickled embedder first embeds (the checkpoint file, or timm's cache,
        must be readable there). Random weights and model instances are pickled.
    device_ : str
        The device used.
    data_config_ : dict
        timm's preprocessing configuration (input size, interpolation, mean,
        std, crop).
    embedding_dim_ : int
        Dimension of one embedding.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit`` (frames only).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit`` (frames only).

    See Also
    --------
    SentenceEmbedder : Caption embeddings.

    Notes
    -----
    ``X`` is an account frame, or the images themselves (a list of paths,
    bytes or arrays, or an ``(n, H, W, C)`` array), which gives an
    ``(n_images, embedding_dim_)`` array. Arrays are uint8 in [0, 255], or
    floats in [0, 1]; grey and RGBA images are converted to RGB. Values outside
    that range raise an error naming the image, whatever ``on_error`` says.

    Offline without cached weights, ``fit`` raises
    :class:`~skinfluence.exceptions.ModelLoadError` saying what to do (pass
    ``checkpoint_path``, or ``pretrained=False``, or download the weights once);
    so does a ``checkpoint_path`` that is not a weights file of ``model``.

    A fitted embedder pickles with its weights; one fitted on a GPU loads on a
    CPU-only machine (and runs there).

    Examples
    --------
    >>> from skinfluence.datasets import make_creators
    >>> from skinfluence import ImageEmbedder
    >>> frame = make_creators(4, n_posts=3, images="bytes", random_state=0).accounts
    >>> emb = ImageEmbedder("test_resnet", pretrained=False, input_size=32, random_state=0)
    >>> emb.fit_transform(frame).shape
    (4, 96)
    """

    _parameter_constraints: dict = {
        **_PostExtractor._parameter_constraints,
        "model": [str, HasMethods(["state_dict", "forward"])],
        "pretrained": ["boolean"],
        "checkpoint_path": [str, os.PathLike, None],
        "input_size": [Interval(Integral, 8, None, closed="left"), None],
        "image_field": [str],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "on_error": [StrOptions({"raise", "skip"})],
        "random_state": ["random_state"],
        "show_progress": ["boolean"],
    }

    def __init__(self, model=DEFAULT_IMAGE_MODEL, *, pretrained=True, checkpoint_path=None,
                 input_size=None, image_field="image", pooling="mean", batch_size=32,
                 device="auto", on_error="raise", random_state=None, show_progress=False,
                 fill_value=0.0, posts_column=POSTS_COLUMN):
        self.model = model
        self.pretrained = pretrained
        self.checkpoint_path = checkpoint_path
        self.input_size = input_size
        self.image_field = image_field
        self.pooling = pooling
        self.batch_size = batch_size
        self.device = device
        self.on_error = on_error
        self.random_state = random_state
        self.show_progress = show_progress
        self.fill_value = fill_value
        self.posts_column = posts_column

    # ------------------------------------------------------------------ params

    def _check_params(self):
        """Checks that depend on the file system or on two parameters together."""
        if self.checkpoint_path is not None:
            if not os.path.isfile(self.checkpoint_path):
                raise FileNotFoundError(
                    f"ImageEmbedder: checkpoint_path {os.fspath(self.checkpoint_path)!r} is not a file"
                )
            if not isinstance(self.model, str):
                raise ValueError(
                    "ImageEmbedder: checkpoint_path needs a timm model name in 'model' (the "
                    "architecture to load the weights into); got a model instance"
                )

    def _required_post_fields(self):
        return [self.image_field]

    # --------------------------------------------------------------------- fit

    @fit_context
    def fit(self, X, y=None):
        """Build the backbone and its preprocessing, and check the input.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns) or list of images
            Account frame whose posts have the ``image_field`` field, or images.
        y : Ignored

        Returns
        -------
        self : ImageEmbedder
        """
        return self._fit(X, y)

    def _fit(self, X, y=None, flat=None):
        self._check_extras()
        self._check_params()
        if not _is_image_input(X):
            flat = self._fit_frame(X, flat)
        timm = import_optional("timm", extra="image", caller="ImageEmbedder")
        torch = import_optional("torch", extra="torch", caller="ImageEmbedder")
        self.device_ = resolve_device(self.device, "ImageEmbedder")
        self._load_args_ = None
        if is_torch_module(self.model):
            # the user's instance is never changed: a copy when it must move or leave training mode
            model = prepared_module(self.model, self.device_)
        else:
            kwargs = {"num_classes": 0}
            pretrained = bool(self.pretrained)
            if self.checkpoint_path is not None:
                pretrained = True
                kwargs["pretrained_cfg_overlay"] = {"file": os.fspath(self.checkpoint_path)}
            with torch.random.fork_rng(devices=[]):
                if not pretrained and self.random_state is not None:
                    seed = check_random_state(self.random_state).randint(2**31 - 1)
                    torch.manual_seed(int(seed))
                model = self._create_model(timm, pretrained, kwargs)
            model.eval()  # our own instance
            model.to(self.device_)
            if pretrained:  # the same weights load again from their source: pickles skip them
                self._load_args_ = (pretrained, kwargs)
        self.model_ = model
        config = dict(timm.data.resolve_model_data_config(model))
        if self.input_size is not None:
            config["input_size"] = (3, int(self.input_size), int(self.input_size))
        self.data_config_ = config
        self._preprocess = None
        with torch.inference_mode():
            probe = torch.zeros((1,) + tuple(config["input_size"]), device=self.device_)
            self.embedding_dim_ = int(self._forward(probe).shape[1])
        return self

    def _create_model(self, timm, pretrained, kwargs):
        """``timm.create_model``, its errors re-raised with what the user should do."""
        checkpoint = None if self.checkpoint_path is None else os.fspath(self.checkpoint_path)
        log = _TimmLoadLog()
        try:
            with log:
                model = timm.create_model(self.model, pretrained=pretrained, **kwargs)
        except RuntimeError as exc:
            if "Unknown model" in str(exc):
                raise ValueError(
                    f"The 'model' parameter of ImageEmbedder must be a timm model name; "
                    f"{self.model!r} is not one (see timm.list_models())."
                ) from exc
            if checkpoint is None:
                raise
            raise self._checkpoint_error(checkpoint, exc) from exc
        except Exception as exc:  # any reader's error on a user's file, or the hub's
            if checkpoint is not None:
                raise self._checkpoint_error(checkpoint, exc) from exc
            if not isinstance(exc, OSError):
                raise
            offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
            raise ModelLoadError(
                f"ImageEmbedder could not load the pretrained weights of {self.model!r}: they are "
                "not in the local Hugging Face cache and could not be downloaded"
                + (" (HF_HUB_OFFLINE is set)" if offline else " (no network?)")
                + f" [{type(exc).__name__}: {_first_line(exc)}]. Pass checkpoint_path= a local "
                "weights file of this architecture, or pretrained=False for random weights "
                "(tests), or download the weights once with network access (timm.create_model("
                f"{self.model!r}, pretrained=True) fills the cache)."
            ) from exc
        if checkpoint is not None and log.missing:
            # timm loads with strict=False when the classifier is dropped (num_classes=0), so
            # a file of another architecture would leave the backbone silently random
            shown = ", ".join(log.missing[:5]) + (" ..." if len(log.missing) > 5 else "")
            raise ModelLoadError(
                f"checkpoint_path {checkpoint!r} is not a checkpoint of the timm model "
                f"{self.model!r}: it lacks the weights {shown} ({len(log.missing)} missing), "
                "which would stay random. Pass the file saved from this architecture, or the "
                "model name the file was saved from"
            )
        return model

    def _checkpoint_error(self, checkpoint, exc):
        text = " ".join(str(exc).split())
        if "weights_only" in text:
            # torch's advice (weights_only=False) would run arbitrary pickled code: not given
            why = ("it holds something other than tensors (torch.load with weights_only=True "
                   "refused it; skinfluence does not load arbitrary pickles)")
        else:
            why = f"{type(exc).__name__}: {text[:300] + (' ...' if len(text) > 300 else '') or '(no message)'}"
        return ModelLoadError(
            f"ImageEmbedder could not load checkpoint_path {checkpoint!r} into the timm model "
            f"{self.model!r}: {why}. A checkpoint must be a weights file of this architecture: "
            "a state dict (parameter names to tensors) saved with torch.save(model.state_dict(), "
            "path), or a '.safetensors'/'.pth'/'.bin' weights file of the timm model"
        )

    def _get_model(self):
        if self.model_ is None:  # unpickled without its pretrained weights: load them again
            timm = import_optional("timm", extra="image", caller="ImageEmbedder")
            model = self._create_model(timm, *self._load_args_)
            model.eval()
            self.model_ = model.to(self.device_)
        return self.model_

    def _forward(self, batch):
        model = self._get_model()
        if hasattr(model, "forward_features") and hasattr(model, "forward_head"):
            out = model.forward_head(model.forward_features(batch), pre_logits=True)
        else:
            out = model(batch)
        return out.reshape(out.shape[0], -1)

    def _transform_fn(self):
        if getattr(self, "_preprocess", None) is None:
            timm = import_optional("timm", extra="image", caller="ImageEmbedder")
            self._preprocess = timm.data.create_transform(**self.data_config_, is_training=False)
        return self._preprocess

    # --------------------------------------------------------------- encoding

    def _embed(self, items, describe):
        """Embeddings of ``items`` (decoded and preprocessed per image); mask of readable ones."""
        torch = import_optional("torch", extra="torch", caller="ImageEmbedder")
        Image = import_optional("PIL.Image", extra="image", caller="ImageEmbedder")
        preprocess = self._transform_fn()
        n = len(items)
        values = np.zeros((n, self.embedding_dim_), dtype=np.float32)
        mask = np.zeros(n, dtype=bool)
        failures = []
        starts = range(0, n, int(self.batch_size))
        if self.show_progress:
            tqdm = import_optional("tqdm", caller="ImageEmbedder").tqdm
            starts = tqdm(starts, desc="ImageEmbedder", unit="batch")
        with torch.inference_mode():
            for start in starts:
                tensors, rows = [], []
                for i in range(start, min(start + int(self.batch_size), n)):
                    try:
                        tensors.append(preprocess(_to_pil(items[i], Image)))
                        rows.append(i)
                    except _BadImageValues as exc:
                        raise AccountFrameError(
                            f"ImageEmbedder: the image of {describe(i)}, {_describe(items[i])}, "
                            f"has values out of range: {exc}. Image arrays are uint8 in [0, 255] "
                            "or floats in [0, 1]"
                        ) from None
                    except _UnreadableImage as exc:
                        if self.on_error == "raise":
                            raise ValueError(
                                f"ImageEmbedder could not read the image of {describe(i)}, "
                                f"{_describe(items[i])}: {exc}. Pass on_error='skip' to mask "
                                "unreadable images out instead."
                            ) from exc
                        failures.append((i, exc))
                if tensors:
                    batch = torch.stack(tensors).to(self.device_)
                    feats = self._forward(batch).float().cpu().numpy()
                    values[rows] = feats
                    mask[rows] = True
        if failures:
            i, exc = failures[0]
            warnings.warn(
                f"ImageEmbedder: {len(failures)} of {n} images could not be read and were masked "
                f"out (zero vector, ignored by pooling); first: {describe(i)}, "
                f"{_describe(items[i])}: {exc}",
                UserWarning,
                stacklevel=4,
            )
        return values, mask

    def _compute(self, flat, X):
        col = flat.column(self.image_field)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
                or pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type)
                or pa.types.is_null(col.type)):
            raise AccountFrameError(
                f"ImageEmbedder: post field {self.image_field!r} must hold image file paths "
                f"(strings) or encoded images (bytes), got Arrow type {col.type}"
            )
        items = col.to_pylist()

        def describe(i):
            return _post_labels(X, flat, [i])[0]

        return self._embed(items, describe)

    def transform(self, X):
        """Embeddings per account, the posts pooled with ``pooling`` (or one per image).

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns) or list of images
            Account frame, or images.

        Returns
        -------
        embeddings : ndarray of shape (n_accounts, `embedding_dim_`)
            float32. For a list of images: shape (n_images, `embedding_dim_`),
            unreadable ones (with ``on_error="skip"``) get ``fill_value``.
            Per-post embeddings of a frame: :meth:`transform_posts`.
        """
        check_is_fitted(self)
        if _is_image_input(X):
            items = list(X)
            values, mask = self._embed(items, lambda i: f"image #{i}")
            return pool_posts(values, np.arange(len(items) + 1), mask, "mean",
                              fill_value=self._fill())
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame("ImageEmbedder", X, self.posts_column)
        self._check_pooled()
        return self._transform_flat(self._validate_frame(X, reset=False), X)

    def _post_feature_names(self):
        check_is_fitted(self, "embedding_dim_")
        return np.asarray([f"imageembedder{i}" for i in range(self.embedding_dim_)], dtype=object)

    # ---------------------------------------------------------------- pickling

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_preprocess", None)  # rebuilt from data_config_
        # pretrained weights (by name or checkpoint_path) are loaded again where the pickle
        # is loaded, as SentenceEmbedder does: a cluster task ships parameters, not 100 MB
        # of weights; random weights and model instances travel in the pickle. A safe
        # (skops) file keeps the weights, so that it loads without the hub or the file
        reload = state.get("_load_args_") is not None and not saving_safely()
        return getstate_torch(state, keys=("model", "model_"), drop=("model_",) if reload else (),
                              caller="ImageEmbedder")

    def __setstate__(self, state):
        state = setstate_torch(dict(state), keys=("model", "model_"), caller="ImageEmbedder")
        super().__setstate__(state)
        if isinstance(getattr(self, "model_", None), ModuleState):
            # from a safe file: the architecture by name, the weights from the file's arrays
            weights = self.model_
            timm = import_optional("timm", extra="image", caller="ImageEmbedder")
            model = timm.create_model(self.model, pretrained=False, num_classes=0)
            load_state_arrays(model, weights.weights)
            model.eval()
            model.to(self.device_)
            self.model_ = model

    @classmethod
    def get_test_params(cls):
        return [
            {"model": "test_resnet", "pretrained": False, "input_size": 16, "random_state": 0,
             "device": "cpu", "batch_size": 16},
            {"model": "test_efficientnet", "pretrained": False, "input_size": 16,
             "random_state": 0, "device": "cpu", "pooling": "max", "on_error": "skip"},
        ]
