"""ImageEmbedder: agreement with timm, image inputs, errors, pickling, shared checks.

Tiny timm test models with random weights (``pretrained=False``) and 16-32 px
images keep every fit well under a second.
"""

import io
import pickle
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags

from skinfluence import PostEncoder, PostFeatures, PostPooler, TextStats, nest_posts, unnest_posts
from skinfluence.datasets import make_creators
from skinfluence.datasets._synthetic import _png_bytes
from skinfluence.exceptions import AccountFrameError, ModelLoadError
from skinfluence.utils import estimator_checks as ec

torch = pytest.importorskip("torch")
timm = pytest.importorskip("timm")
Image = pytest.importorskip("PIL.Image")

from skinfluence import ImageEmbedder  # noqa: E402

TINY = {"model": "test_resnet", "pretrained": False, "input_size": 32, "random_state": 0,
        "device": "cpu"}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny models run fastest on one thread (and a busy 2-core CI box oversubscribes two)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    return make_creators(6, n_posts=(0, 4), n_topics=2, images="bytes", image_size=24,
                         random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    return ImageEmbedder(**TINY).fit(data.accounts)


def reference_embeddings(est, images):
    """timm's own pipeline: PIL image -> data-config transform -> pre-logits features."""
    cfg = timm.data.resolve_model_data_config(est.model_)
    cfg["input_size"] = (3, 32, 32)
    preprocess = timm.data.create_transform(**cfg, is_training=False)
    batch = torch.stack([preprocess(Image.fromarray(img)) for img in images])
    with torch.inference_mode():
        return est.model_.forward_head(est.model_.forward_features(batch), pre_logits=True).numpy()


def with_images(frame, images):
    posts = unnest_posts(frame)
    posts["image"] = pd.Series(images, dtype=object)
    return nest_posts(frame.drop(columns=["posts"]), posts)


# ------------------------------------------------------------------------------- values


def test_embeddings_equal_timm_forward(fitted, data):
    pf = fitted.transform_posts(data.accounts)
    assert isinstance(pf, PostFeatures) and pf.n_posts == len(data.images) and pf.mask.all()
    np.testing.assert_allclose(pf.values, reference_embeddings(fitted, data.images), rtol=1e-4,
                               atol=1e-5)
    assert fitted.embedding_dim_ == 96 and fitted.data_config_["input_size"] == (3, 32, 32)
    pooled = fitted.transform(data.accounts)
    assert pooled.shape == (6, 96) and pooled.dtype == np.float32
    for i in range(6):
        expected = pf.posts_of(i).mean(axis=0) if pf.lengths[i] else np.zeros(96)
        np.testing.assert_allclose(pooled[i], expected, rtol=1e-5, atol=1e-6)
    assert fitted.get_feature_names_out()[0] == "imageembedder0"


def test_paths_bytes_and_arrays_give_the_same_embeddings(fitted, data, tmp_path):
    pngs = make_creators(6, n_posts=(0, 4), n_topics=2, images="png", image_size=24,
                         image_dir=tmp_path, random_state=0).accounts
    np.testing.assert_allclose(fitted.transform(pngs), fitted.transform(data.accounts), atol=1e-6)
    direct = fitted.transform(data.images)  # an (n, H, W, 3) array
    listed = fitted.transform([img.astype(np.float32) / 255 for img in data.images])
    assert direct.shape == (len(data.images), 96)
    np.testing.assert_allclose(direct, fitted.transform_posts(data.accounts).values, atol=1e-6)
    np.testing.assert_allclose(listed, direct, atol=1e-4)
    grey = fitted.transform([data.images[0].mean(axis=2).astype(np.uint8)])
    assert grey.shape == (1, 96) and np.isfinite(grey).all()


def test_pooling_max_none_and_pandas_output(data):
    est = ImageEmbedder(**TINY, pooling="max").fit(data.accounts)
    pf = est.transform_posts(data.accounts)
    out = est.transform(data.accounts)
    i = int(np.argmax(pf.lengths))
    np.testing.assert_allclose(out[i], pf.posts_of(i).max(axis=0))
    with pytest.raises(ValueError, match="transform_posts"):
        est.set_params(pooling=None).transform(data.accounts)
    assert isinstance(est.transform_posts(data.accounts), PostFeatures)
    df = est.set_params(pooling="mean").set_output(transform="pandas").transform(data.accounts)
    assert list(df.index) == list(data.accounts.index) and df.shape == (6, 96)


def test_random_state_fixes_random_weights(data):
    a = ImageEmbedder(**TINY).fit(data.accounts).transform(data.accounts)
    b = ImageEmbedder(**TINY).fit(data.accounts).transform(data.accounts)
    c = ImageEmbedder(**{**TINY, "random_state": 1}).fit(data.accounts).transform(data.accounts)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_checkpoint_file_and_model_instance(data, tmp_path):
    torch.manual_seed(3)
    net = timm.create_model("test_resnet", pretrained=False, num_classes=7).eval()
    path = tmp_path / "weights.pth"
    torch.save(net.state_dict(), path)
    est = ImageEmbedder("test_resnet", checkpoint_path=path, input_size=32, device="cpu").fit(
        data.accounts)
    expected = reference_embeddings(est, data.images)
    with torch.inference_mode():
        cfg = timm.data.resolve_model_data_config(net)
        cfg["input_size"] = (3, 32, 32)
        tf = timm.data.create_transform(**cfg, is_training=False)
        batch = torch.stack([tf(Image.fromarray(img)) for img in data.images])
        from_net = net.forward_head(net.forward_features(batch), pre_logits=True).numpy()
    np.testing.assert_allclose(expected, from_net, rtol=1e-4, atol=1e-5)  # weights were loaded
    inst = ImageEmbedder(net, input_size=32, device="cpu").fit(data.accounts)
    np.testing.assert_allclose(inst.transform_posts(data.accounts).values, from_net, rtol=1e-4,
                               atol=1e-5)
    with pytest.raises(FileNotFoundError, match="not a file"):
        ImageEmbedder("test_resnet", checkpoint_path=tmp_path / "nope.pth").fit(data.accounts)


# ------------------------------------------------------------------------------- errors


@pytest.fixture(scope="module")
def broken(data):
    """The same frame with a corrupt image, a missing file and a null image."""
    images = list(unnest_posts(data.accounts)["image"])
    images[0] = b"\x89PNG this is not an image"
    images[2] = "/nonexistent/folder/img.png"
    images[3] = None
    return with_images(data.accounts, images)


def test_on_error_raise_names_account_post_and_path(fitted, broken, data):
    posts = unnest_posts(data.accounts)
    with pytest.raises(ValueError) as info:
        fitted.transform(broken)
    msg = str(info.value)
    assert "post 0 (#0 of account 0)" in msg  # post_id 0 of account_id 0
    assert "bytes of encoded image data" in msg and "on_error='skip'" in msg
    paths = with_images(data.accounts, ["/nonexistent/folder/img.png"] * len(posts))
    with pytest.raises(ValueError, match="path '/nonexistent/folder/img.png'.*FileNotFoundError"):
        fitted.transform(paths)


def test_on_error_skip_masks_out_with_one_warning(broken, data, capsys):
    # batches of 3: the unreadable images (posts 0, 2, 3) straddle two batches
    est = ImageEmbedder(**TINY, on_error="skip", batch_size=3, show_progress=True).fit(
        data.accounts)
    good = est.transform_posts(data.accounts)
    with pytest.warns(UserWarning, match="3 of .* images could not be read") as record:
        pf = est.transform_posts(broken)
    assert len([w for w in record if "could not be read" in str(w.message)]) == 1
    assert pf.mask.tolist() == [False, True, False, False] + [True] * (pf.n_posts - 4)
    assert (pf.values[~pf.mask] == 0).all()
    np.testing.assert_allclose(pf.values[pf.mask], good.values[pf.mask], atol=1e-6)
    assert "ImageEmbedder" in capsys.readouterr().err  # the progress bar
    with pytest.warns(UserWarning):
        pooled = est.transform(broken)
    owner = pf.account_index()
    for i in np.unique(owner[:4]):
        rows = np.flatnonzero((owner == i) & pf.mask)
        expected = good.values[rows].mean(axis=0) if len(rows) else np.zeros(96)
        np.testing.assert_allclose(pooled[i], expected, rtol=1e-5, atol=1e-6)


def test_bad_inputs_and_parameters(fitted, data):
    with pytest.raises(ValueError, match="account frame"):
        ImageEmbedder(**TINY).fit(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="'image'"):
        ImageEmbedder(**TINY).fit(make_creators(3, random_state=0).accounts)
    frame = with_images(data.accounts, np.arange(len(data.images)))
    with pytest.raises(ValueError, match="paths .* or encoded images"):
        fitted.transform(frame)
    with pytest.raises(ValueError, match="timm model name"):
        ImageEmbedder("no_such_net_xyz", pretrained=False).fit(data.accounts)
    for params, match in [({"on_error": "ignore"}, "on_error"), ({"batch_size": 0}, "batch_size"),
                          ({"input_size": 3}, "input_size"), ({"pooling": "sum"}, "pooling")]:
        with pytest.raises(ValueError, match=f"The '{match}' parameter of ImageEmbedder"):
            ImageEmbedder(**{**TINY, **params}).fit(data.accounts)
    with pytest.raises(ValueError, match="values in \\[0, 255\\]"):
        fitted.transform([np.full((8, 8, 3), 300, dtype=np.int32)])


def test_float_images_out_of_range_raise_whatever_on_error(data):
    # before: a float image in 0-255 was clipped to white without a word
    ok = np.full((8, 8, 3), 0.5)
    for on_error in ("raise", "skip"):
        est = ImageEmbedder(**TINY, on_error=on_error).fit(data.accounts)
        with pytest.raises(AccountFrameError, match=r"image #1, array of shape \(8, 8, 3\) and dtype "
                                                    r"float64, has values out of range: .*\[5, 5\]"
                                                    r".*divide by 255"):
            est.transform([ok, np.full((8, 8, 3), 5.0)])
        with pytest.raises(AccountFrameError, match=r"\[-0\.5, 0\.5\]"):
            est.transform([np.r_[ok, np.full((1, 8, 3), -0.5)]])
    # rounding noise within half a uint8 level is the same image as the clipped one
    fitted = ImageEmbedder(**TINY).fit(data.accounts)
    np.testing.assert_array_equal(fitted.transform([np.full((8, 8, 3), 1.0 + 1e-4)]),
                                  fitted.transform([np.full((8, 8, 3), 1.0)]))


def test_offline_pretrained_weights_say_what_to_do(data, monkeypatch):
    # before: huggingface_hub's LocalEntryNotFoundError came through unexplained
    errors = pytest.importorskip("huggingface_hub.errors")
    cause = errors.LocalEntryNotFoundError("cannot find the requested files in the local cache")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with mock.patch.object(timm, "create_model", side_effect=cause):
        with pytest.raises(ModelLoadError) as info:
            ImageEmbedder("resnet18.a1_in1k", device="cpu").fit(data.accounts)
    msg = str(info.value)
    assert "'resnet18.a1_in1k'" in msg and "HF_HUB_OFFLINE is set" in msg
    assert "checkpoint_path=" in msg and "pretrained=False" in msg and "download" in msg
    assert info.value.__cause__ is cause and isinstance(info.value, OSError)


def test_checkpoint_that_is_not_one_is_named(data, tmp_path):
    # before: timm's RuntimeError suggesting weights_only=False, or (another architecture's
    # state dict) a silently random backbone
    text = tmp_path / "notes.pth"
    text.write_text("not a checkpoint")
    with pytest.raises(ModelLoadError, match=r"checkpoint_path '.*notes\.pth' into the timm model "
                                             r"'test_resnet'.*A checkpoint must be a weights file") as info:
        ImageEmbedder("test_resnet", checkpoint_path=text, device="cpu").fit(data.accounts)
    assert "weights_only=False" not in str(info.value) and info.value.__cause__ is not None
    empty = tmp_path / "empty.pth"
    empty.write_bytes(b"")
    with pytest.raises(ModelLoadError, match="empty.pth"):
        ImageEmbedder("test_resnet", checkpoint_path=empty, device="cpu").fit(data.accounts)
    other = tmp_path / "other.pth"
    torch.save({"head.weight": torch.zeros(3, 3)}, other)
    with pytest.raises(ModelLoadError, match=r"is not a checkpoint of the timm model 'test_resnet': "
                                             r"it lacks the weights conv1"):
        ImageEmbedder("test_resnet", checkpoint_path=other, device="cpu").fit(data.accounts)
    # a file without BatchNorm's step counters (not weights) is a checkpoint all the same
    net = timm.create_model("test_resnet", pretrained=False)
    lean = tmp_path / "lean.pth"
    torch.save({k: v for k, v in net.state_dict().items()
                if not k.endswith("num_batches_tracked")}, lean)
    ImageEmbedder("test_resnet", checkpoint_path=lean, input_size=32, device="cpu").fit(data.accounts)


# ------------------------------------------------------------------ pickling and devices


def test_pickle_keeps_weights_and_loads_on_cpu(fitted, data):
    expected = fitted.transform(data.accounts)
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.transform(data.accounts), expected)
    # No GPU here: simulate an embedder fitted on CUDA and unpickled on a CPU-only machine.
    loaded.device, loaded.device_ = "auto", "cuda"
    with mock.patch("torch.cuda.is_available", return_value=False):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            again = pickle.loads(pickle.dumps(loaded))
    assert again.device_ == "cpu"
    np.testing.assert_array_equal(again.transform(data.accounts), expected)


# ----------------------------------------------------------------- sklearn integration


def test_check_frame_has_an_image_per_post():
    # no test scaffolding in the class: the shared checks read the image field from the tags
    assert not hasattr(ImageEmbedder, "_make_check_frame")
    est = ImageEmbedder(**TINY)
    assert get_tags(est).input_tags.post_fields == ("image",)
    frame, y = ec._check_frame(est)
    posts = unnest_posts(frame)
    assert len(posts) and all(isinstance(b, bytes) and b[:4] == b"\x89PNG" for b in posts["image"])
    assert "image" not in unnest_posts(ec._check_frame(TextStats())[0]).columns


def test_pipeline_grid_search_and_post_encoder(data):
    X, y = data.accounts, data.topic
    model = make_pipeline(ImageEmbedder(**{**TINY, "input_size": 16}), LogisticRegression())
    search = GridSearchCV(model, {"imageembedder__pooling": ["mean", "max"]}, cv=2).fit(X, y)
    assert search.best_params_["imageembedder__pooling"] in ("mean", "max")
    enc = PostEncoder([("img", ImageEmbedder(**TINY)), ("txt", TextStats(features=["hashtags"]))],
                      label_field="label")
    pf = enc.fit_transform(X)
    assert pf.n_features == 97 and pf.feature_names[-1] == "txt__hashtags"
    assert pf.extras["label"].tolist() == unnest_posts(X)["label"].tolist()
    assert PostPooler().fit_transform(pf).shape == (6, 97)
    assert clone(enc).get_params()["img__model"] == "test_resnet"


def test_pillow_decodes_our_pngs():
    buf = _png_bytes(np.zeros((4, 4, 3), dtype=np.uint8))
    assert Image.open(io.BytesIO(buf)).size == (4, 4)


# The shared checks run once, for every registered component, in tests/test_common.py.


def test_fit_never_changes_the_users_model_instance(data):
    torch.manual_seed(0)
    net = timm.create_model("test_resnet", pretrained=False, num_classes=0)  # training mode
    before = {k: v.clone() for k, v in net.state_dict().items()}
    est = ImageEmbedder(net, input_size=32, device="cpu").fit(data.accounts)
    assert net.training, "fit put the user's model in eval mode"
    assert est.model_ is not net and not est.model_.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    # a model already in eval mode on the device is used as is (no copy of the weights)
    net.eval()
    assert ImageEmbedder(net, input_size=32, device="cpu").fit(data.accounts).model_ is net
