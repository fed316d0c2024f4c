"""Scale-out on Dask: model selection on a cluster, cheap pickles (skinfluence[scale]).

The cluster is a real one, two worker processes of one thread each, started once for
this module and stopped after it: estimators, account frames and results cross process
boundaries by pickle, as on a multi-machine cluster.
"""

from __future__ import annotations

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skinfluence
from skinfluence import EngagementAggregator, PostsText, make_creators

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", worker_dashboard_address=":0")
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture(scope="module")
def creators():
    return make_creators(150, n_posts=(0, 8), random_state=0, return_X_y=True)


def _pipelines():
    return {
        "text": (make_pipeline(PostsText(), TfidfVectorizer(), LogisticRegression(max_iter=500)),
                 {"logisticregression__C": [0.01, 1.0, 100.0],
                  "tfidfvectorizer__sublinear_tf": [False, True]}),
        "engagement": (make_pipeline(EngagementAggregator(), SimpleImputer(), StandardScaler(),
                                     LogisticRegression(max_iter=500)),
                       {"logisticregression__C": [0.01, 1.0]}),
    }


@pytest.mark.parametrize("name", ["text", "engagement"])
def test_grid_search_on_the_cluster_equals_the_single_machine_search(client, creators, name):
    X, y = creators
    pipe, grid = _pipelines()[name]
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(pipe, grid, cv=cv).fit(X, y)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        remote = GridSearchCV(pipe, grid, cv=cv, n_jobs=-1).fit(X, y)
    assert len(tasks.data) > 0  # the fits ran on the workers
    assert remote.best_params_ == local.best_params_
    for key in ("params", "mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(np.asarray(remote.cv_results_[key]),
                                      np.asarray(local.cv_results_[key]))
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


def test_cross_validate_on_the_cluster_equals_the_single_machine_run(client, creators):
    X, y = creators
    pipe, _ = _pipelines()["text"]
    kwargs = {"cv": KFold(4, shuffle=True, random_state=1), "scoring": ["accuracy", "f1_macro"],
              "return_estimator": True}
    local = cross_validate(pipe, X, y, **kwargs)
    with joblib.parallel_backend("dask"):
        remote = cross_validate(pipe, X, y, n_jobs=-1, **kwargs)
    for key in ("test_accuracy", "test_f1_macro"):
        np.testing.assert_array_equal(remote[key], local[key])
    for a, b in zip(remote["estimator"], local["estimator"], strict=True):  # fitted on workers
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


# --------------------------------------------------------------------------- pickle sizes

#: Upper bound on the pickle of any unfitted component: parameters only (measured: at
#: most 963 bytes, AudienceQuality with its detector; see docs/scaling.md).
UNFITTED_BOUND = 4_096


def _all_test_instances():
    for info in skinfluence.all_components(available_only=True):
        for k, params in enumerate(info.cls.get_test_params()):
            yield pytest.param(info.cls, params, id=f"{info.name}-{k}")


@pytest.mark.parametrize("cls, params", list(_all_test_instances()))
def test_unfitted_components_pickle_small(cls, params):
    size = len(pickle.dumps(cls(**params)))
    assert size < UNFITTED_BOUND, (
        f"an unfitted {cls.__name__} pickles to {size} bytes: it holds more than its parameters "
        "(a model, a cache?), which every task of a cluster would ship"
    )


def test_fitted_sentence_embedder_ships_no_model_and_no_cache():
    pytest.importorskip("sentence_transformers")
    from skinfluence.utils._check_inputs import _check_frame

    est = skinfluence.SentenceEmbedder(device="cpu")
    assert len(pickle.dumps(est)) < UNFITTED_BOUND
    X, _ = _check_frame(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(est).fit(X)
        out = fitted.transform(X)  # fills the in-memory embedding cache
    # the model (about 90 MB) is re-loaded by name where the pickle is loaded; the
    # embedding cache lives in the process, not on the estimator
    assert len(pickle.dumps(fitted)) < 8 * 1024
    np.testing.assert_allclose(pickle.loads(pickle.dumps(fitted)).transform(X), out, atol=1e-6)


def test_account_frames_pickle_near_their_arrow_size(creators):
    X, _ = creators
    arrow_bytes = X["posts"].array._pa_array.nbytes
    assert len(pickle.dumps(X)) < 2 * arrow_bytes + 64 * 1024
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(X)), X)


def test_fitted_image_embedder_ships_pretrained_weights_only_when_it_must(tmp_path):
    torch = pytest.importorskip("torch")
    timm = pytest.importorskip("timm")
    from skinfluence.utils._check_inputs import _check_frame

    torch.manual_seed(3)
    net = timm.create_model("test_resnet", pretrained=False, num_classes=7).eval()
    torch.save(net.state_dict(), tmp_path / "weights.pth")
    est = skinfluence.ImageEmbedder("test_resnet", checkpoint_path=tmp_path / "weights.pth",
                                    input_size=16, device="cpu")
    X, _ = _check_frame(est)
    fitted = clone(est).fit(X)
    out = fitted.transform(X)
    blob = pickle.dumps(fitted)
    weights = len(pickle.dumps(fitted.model_))
    assert len(blob) < 8 * 1024 < weights  # reloaded from the checkpoint, not shipped
    np.testing.assert_allclose(pickle.loads(blob).transform(X), out, rtol=1e-5, atol=1e-6)
    # random weights cannot be loaded again: they travel with the embedder
    random = skinfluence.ImageEmbedder("test_resnet", pretrained=False, random_state=0,
                                       input_size=16, device="cpu").fit(X)
    assert len(pickle.dumps(random)) > len(pickle.dumps(random.model_)) // 2
