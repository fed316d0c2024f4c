"""Safe persistence (skinfluence.persistence, on skops): round trips, refusals, versions.

Every registered component's skops and joblib round trip runs in the shared checks
(``check_skops_round_trip``, tests/test_common.py); here: pipelines, what the file
holds, the refusal of unknown types, the version warning, device moves and the API's
errors.
"""

import json
import sys
import warnings
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline

pytest.importorskip("skops")
import skops.io as sio  # noqa: E402

from skinfluence import all_components  # noqa: E402
from skinfluence.exceptions import (  # noqa: E402
    MissingDependencyError,
    UntrustedTypesError,
    VersionMismatchWarning,
)
from skinfluence.persistence import load, read_versions, save, trusted_types  # noqa: E402
from skinfluence.utils._safe_state import safe_state  # noqa: E402
from skinfluence.utils.estimator_checks import (  # noqa: E402
    make_check_frame,
    make_check_pairs,
    make_check_posts,
    make_check_table,
)


class ShiftBy(TransformerMixin, BaseEstimator):
    """A transformer defined here: a type no one has vouched for."""

    def __init__(self, shift=1.0):
        self.shift = shift

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float) + self.shift


@pytest.fixture(scope="module")
def profiler():
    pytest.importorskip("skorch")
    from skinfluence import AttentiveProfiler

    X, y = make_check_posts()
    est = AttentiveProfiler(hidden_size=8, attention_size=4, head_hidden_size=8, max_epochs=2,
                            batch_size=8, device="cpu", random_state=0)
    return est.fit(X, y), X


def _round_trip(est, tmp_path, name="model.skops"):
    path = tmp_path / name
    save(est, path)
    return load(path), path


# ------------------------------------------------------------------------ round trips


def test_pipeline_of_components_round_trips(tmp_path):
    from skinfluence import EngagementAggregator, FakeFollowerDetector

    X, y = make_check_frame()
    pipe = make_pipeline(EngagementAggregator(), FakeFollowerDetector(random_state=0)).fit(X, y)
    loaded, path = _round_trip(pipe, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert sio.get_untrusted_types(file=path)  # our own types: not skops' defaults ...
    assert set(sio.get_untrusted_types(file=path)) <= set(trusted_types())  # ... but ours


def test_lightgbm_pair_ranker_round_trips(tmp_path):
    pytest.importorskip("lightgbm")
    from skinfluence import PairwiseRanker

    X, y = make_check_pairs()
    est = PairwiseRanker(n_estimators=10, n_jobs=1).fit(X, y)
    loaded, _ = _round_trip(est, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_profiler_round_trips(profiler, tmp_path):
    est, X = profiler
    loaded, _ = _round_trip(est, tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), rtol=0, atol=0)
    assert len(loaded.history_) == len(est.history_) == est.n_iter_
    assert loaded.get_params() .keys() == est.get_params().keys()


def test_profiler_with_a_linear_sparse_head_round_trips(tmp_path):
    pytest.importorskip("skorch")
    import scipy.sparse as sp

    from skinfluence import AttentiveProfiler, PostFeatures

    X, y = make_check_posts()
    rng = np.random.default_rng(0)
    words = sp.random(X.n_posts, 30, density=0.2, format="csr", random_state=0,
                      dtype=np.float32)
    Xs = PostFeatures(X.values, X.offsets, mask=X.mask, feature_names=X.feature_names,
                      sparse={"words": words},
                      account_extras={"followers": rng.integers(0, 10**6, len(X))})
    est = AttentiveProfiler(hidden_size=8, attention_size=4, head_hidden_size=8, max_epochs=2,
                            batch_size=8, sparse_head="linear", sparse_weight_decay=1e-3,
                            account_features="all", attention="mixture", device="cpu",
                            random_state=0).fit(Xs, y)
    loaded, _ = _round_trip(est, tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(Xs), est.predict_proba(Xs), rtol=0, atol=0)
    assert loaded.module_.sparse_head == "linear" and set(loaded.module_.wide) == {"w0"}


def test_trusted_types_cover_every_registered_component():
    names = set(trusted_types())
    for info in all_components():
        assert f"{info.cls.__module__}.{info.cls.__qualname__}" in names
    assert not any("PickledNet" in n or "TorchBlob" in n for n in names), (
        "pickled torch bytes must never be trusted")


# ---------------------------------------------------------------- safe torch weights


def test_torch_weights_are_device_free_arrays(profiler, tmp_path):
    est, _ = profiler
    from skinfluence.utils._torch import NetState

    with safe_state():
        state = est.__getstate__()
    net = state["net_"]
    assert isinstance(net, NetState)
    assert net.weights and all(type(w) is np.ndarray for w in net.weights.values())
    assert set(net.weights) == set(est.module_.state_dict())
    # the file: only skinfluence's holders, no pickled bytes, weights as .npy members
    path = tmp_path / "profiler.skops"
    save(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert "skinfluence.utils._torch.NetState" in untrusted
    assert not [t for t in untrusted if "Pickled" in t or "Blob" in t or t.startswith("torch")]
    with zipfile.ZipFile(path) as zf:
        assert sum(n.endswith(".npy") for n in zf.namelist()) >= len(net.weights)
    # pickle keeps its own (fast) state
    assert type(est.__getstate__()["net_"]).__name__ == "PickledNet"


def test_fitted_on_gpu_loads_on_cpu(profiler, tmp_path, monkeypatch):
    est, X = profiler
    import torch

    gpu = joblib.load(_joblib(est, tmp_path))  # a copy that says it was fitted on a GPU
    gpu.device, gpu.device_ = "cuda", "cuda:0"
    path = tmp_path / "gpu.skops"
    save(gpu, path)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="fitted on 'cuda:0'.*runs on 'cpu'"):
        loaded = load(path)
    assert loaded.device_ == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.module_.parameters())
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), rtol=0, atol=0)


def _joblib(est, tmp_path):
    path = tmp_path / "copy.joblib"
    joblib.dump(est, path)
    return path


def test_model_instance_is_refused_with_what_to_do(tmp_path):
    timm = pytest.importorskip("timm")
    from skinfluence import ImageEmbedder

    model = timm.create_model("test_resnet", pretrained=False, num_classes=0)
    est = ImageEmbedder(model=model, input_size=16, device="cpu")
    with pytest.raises(TypeError, match="torch module instance.*by name.*joblib"):
        save(est, tmp_path / "instance.skops")


def test_net_state_names_only_torch_modules_of_allowed_packages(profiler):
    from skinfluence.utils._torch import NetState

    with safe_state():
        net = est_state = profiler[0].__getstate__()["net_"]
    assert isinstance(est_state, NetState)
    net.module = "os.system"
    with pytest.raises(TypeError, match="may only name torch module classes"):
        net.build("cpu", "AttentiveProfiler")
    for name in ("skinfluence.persistence.save", "skinfluence.no_such_module.Net"):
        net.module = name
        with pytest.raises(TypeError, match=f"'{name}'"):
            net.build("cpu", "AttentiveProfiler")


# -------------------------------------------------------------------- untrusted types


def test_unknown_type_is_refused_with_the_list(tmp_path):
    X, _ = make_check_table()
    pipe = make_pipeline(ShiftBy(2.0)).fit(X)
    path = tmp_path / "custom.skops"
    save(pipe, path)
    with pytest.raises(UntrustedTypesError, match=r"ShiftBy.*trusted=\[") as info:
        load(path)
    assert info.value.types == [f"{__name__}.ShiftBy"]
    assert isinstance(info.value, TypeError)
    loaded = load(path, trusted=info.value.types)  # after inspecting it: the user vouches
    np.testing.assert_array_equal(loaded.transform(X), pipe.transform(X))


def test_pickled_torch_bytes_are_never_trusted(profiler, tmp_path):
    est, _ = profiler
    path = tmp_path / "plain.skops"
    sio.dump(est, path)  # plain skops, without save(): the net is pickled bytes
    with pytest.raises(UntrustedTypesError, match="PickledNet"):
        load(path)


# ------------------------------------------------------------------------- versions


def test_file_records_versions(tmp_path):
    from skinfluence import PostsText

    X, _ = make_check_frame()
    path = tmp_path / "v.skops"
    save(PostsText().fit(X), path)
    versions = read_versions(path)
    assert {"skinfluence", "scikit-learn", "numpy"} <= set(versions)
    for name in ("torch", "lightgbm"):
        assert (name in versions) == (name in sys.modules or _installed(name))
    with zipfile.ZipFile(path) as zf:
        assert json.loads(zf.read("skinfluence.json"))["format"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", VersionMismatchWarning)
        load(path)  # same versions: no warning


def _installed(dist):
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(dist)
    except PackageNotFoundError:
        return False
    return True


def test_version_mismatch_warns_with_what_changed(tmp_path, monkeypatch):
    import skinfluence.persistence as persistence
    from skinfluence import PostsText

    X, _ = make_check_frame()
    est = PostsText().fit(X)
    path = tmp_path / "old.skops"
    real = persistence._versions()
    monkeypatch.setattr(persistence, "_versions",
                        lambda: {**real, "scikit-learn": "1.6.0", "numpy": "1.26.4"})
    save(est, path)
    monkeypatch.setattr(persistence, "_versions", lambda: real)
    with pytest.warns(VersionMismatchWarning) as record:
        loaded = load(path)
    message = str(record[0].message)
    assert f"numpy: 1.26.4 -> {real['numpy']}" in message
    assert f"scikit-learn: 1.6.0 -> {real['scikit-learn']}" in message
    assert "skinfluence:" not in message  # only what changed
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))


# ------------------------------------------------------------------------ API errors


def test_api_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(tmp_path / "missing.skops")
    not_zip = tmp_path / "model.joblib"
    joblib.dump({"a": 1}, not_zip)
    with pytest.raises(ValueError, match="not a skops file"):
        load(not_zip)
    X, _ = make_check_table()
    path = tmp_path / "ok.skops"
    save(make_pipeline(ShiftBy()).fit(X), path)
    for bad in ("ShiftBy", True):
        with pytest.raises(TypeError, match="'trusted' parameter of load"):
            load(path, trusted=bad)


def test_missing_skops_names_the_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "skops.io", None)
    with pytest.raises(MissingDependencyError, match="skinfluence.persistence.save requires skops"):
        save(ShiftBy(), tmp_path / "x.skops")


def test_docs_snippet_runs(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "persistence.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for code in blocks:
        exec(compile(code, str(page), "exec"), {})  # noqa: S102
    assert (tmp_path / "model.skops").is_file()


def test_frame_state_keeps_dtypes_names_and_index(tmp_path):
    import pandas as pd

    from skinfluence.utils._safe_state import FrameState, TimestampState

    frame = pd.DataFrame({
        "n": pd.array([1, None, 3], dtype="Int64"),
        "x": [0.5, np.nan, 2.0],
        "s": pd.array(["a", None, "c"], dtype="string"),
        "cat": pd.Categorical(["u", "v", "u"]),
        "t": pd.to_datetime(["2024-01-01", "2024-02-01", None]).tz_localize("UTC"),
        "flag": [True, False, True],
    }, index=pd.Index(["acc1", "acc2", "acc3"], name="account_id"))
    frame.columns = ["n", "x", "s", "cat", "t", "x"]  # a repeated name
    holder = "skinfluence.utils._safe_state.FrameState"
    for obj in (frame, frame["n"], frame.index):
        data = sio.dumps(FrameState(obj))  # through skops: plain data only
        assert sio.get_untrusted_types(data=data) == [holder]
        back = sio.loads(data, trusted=[holder]).restore()
        if isinstance(obj, pd.DataFrame):
            pd.testing.assert_frame_equal(back, obj)
        elif isinstance(obj, pd.Series):
            pd.testing.assert_series_equal(back, obj)
        else:
            pd.testing.assert_index_equal(back, obj)
    ts = pd.Timestamp("2024-03-01 12:30", tz="Europe/Paris")
    assert TimestampState(ts).restore() == ts
    assert str(TimestampState(ts).restore().tz) == "Europe/Paris"


def test_docs_list_every_trusted_type():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "persistence.md").read_text()
    plugins = {f"{i.cls.__module__}.{i.cls.__qualname__}" for i in all_components()
               if i.source != "skinfluence"}
    missing = [t for t in trusted_types() if t not in plugins and f"\n{t}\n" not in page]
    assert not missing, f"docs/persistence.md does not list the trusted types {missing}"


def test_garbled_version_record_is_named(tmp_path):
    X, _ = make_check_table()
    path = tmp_path / "garbled.skops"
    save(make_pipeline(ShiftBy()).fit(X), path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["skinfluence.json"] = b"not json"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ValueError, match="skinfluence.json member"):
        read_versions(path)


def test_pipeline_with_a_fitted_imputer_loads_without_extra_trust(tmp_path):
    # SimpleImputer keeps a numpy.dtype, which skops does not trust by default
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression

    from skinfluence import EngagementAggregator

    X, y = make_check_frame()
    pipe = make_pipeline(EngagementAggregator(), SimpleImputer(),
                         LogisticRegression(max_iter=500)).fit(X, y)
    path = tmp_path / "imputed.skops"
    save(pipe, path)
    assert "numpy.dtype" in sio.get_untrusted_types(file=path)
    np.testing.assert_array_equal(load(path).predict_proba(X), pipe.predict_proba(X))
