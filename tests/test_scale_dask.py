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


# ------------------------------------------------------------------ batch inference


@pytest.fixture(scope="module")
def stored(tmp_path_factory, creators):
    """make_creators accounts as partitioned Parquet (5 files of 30 accounts)."""
    X, _ = creators
    path = tmp_path_factory.mktemp("accounts") / "parts"
    skinfluence.write_accounts(X, path, partition_size=30)
    return path


def test_read_accounts_dask_gives_each_partition_exactly(client, creators, stored):
    from skinfluence.scale import read_accounts_dask

    X, _ = creators
    accounts = read_accounts_dask(stored)
    assert accounts.npartitions == 5
    assert accounts.dtypes.equals(X.dtypes)  # the nested posts column kept, text not converted
    pd.testing.assert_frame_equal(accounts.compute(), X)


def test_transform_partitions_equals_the_single_machine_result(client, creators, stored, tmp_path):
    from skinfluence.scale import read_accounts_dask, transform_partitions, write_accounts_dask

    X, y = creators
    text, _ = _pipelines()["text"]
    fitted = clone(text).fit(X, y)
    proba = transform_partitions(fitted, stored, method="predict_proba", keep=["account_id"])
    result = proba.compute()
    assert list(result.columns) == ["account_id", *(f"predict_proba_{c}" for c in fitted.classes_)]
    np.testing.assert_array_equal(result.drop(columns="account_id").to_numpy(), fitted.predict_proba(X))
    pd.testing.assert_index_equal(result.index, X.index)

    engagement = EngagementAggregator().fit(X)
    features = transform_partitions(engagement, read_accounts_dask(stored))
    features.to_parquet(tmp_path / "features")  # results back to Parquet, written by the workers
    back = pd.read_parquet(tmp_path / "features")
    np.testing.assert_array_equal(back.to_numpy(), engagement.transform(X))
    assert list(back.columns) == list(engagement.get_feature_names_out())

    # a step that returns account frames: the posts stay nested Arrow through the workers
    renamed = transform_partitions(_Rename(), read_accounts_dask(stored))
    files = write_accounts_dask(renamed, tmp_path / "renamed")
    assert len(files) == 5
    expected = skinfluence.rename_post_fields(X, {"likes": "like_count"})
    pd.testing.assert_frame_equal(skinfluence.read_accounts(tmp_path / "renamed"), expected)


class _Rename:
    """A fitted step returning account frames (stands for any frame-to-frame transform)."""

    def transform(self, X):
        return skinfluence.rename_post_fields(X, {"likes": "like_count"})


@pytest.mark.slow  # each worker loads the sentence model (about 50 s in all on 2 cores)
def test_embedder_runs_per_partition_with_a_shared_disk_cache(client, creators, stored, tmp_path):
    pytest.importorskip("sentence_transformers")
    from skinfluence.scale import transform_partitions

    X, _ = creators
    cache = tmp_path / "embedding-cache"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedder = skinfluence.SentenceEmbedder(device="cpu", cache_dir=cache).fit(X)
        local = skinfluence.SentenceEmbedder(device="cpu").fit(X).transform(X)
    remote = transform_partitions(embedder, stored).compute()
    np.testing.assert_allclose(remote.to_numpy(), local, rtol=1e-5, atol=1e-6)
    assert sum(1 for p in cache.rglob("*") if p.is_file()) > 0  # the workers wrote the shared cache
    again = transform_partitions(embedder, stored).compute()  # served from the disk cache
    np.testing.assert_allclose(again.to_numpy(), remote.to_numpy(), rtol=1e-6, atol=1e-7)


# ------------------------------------------------- LightGBM rankers trained on the cluster


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    n = 1200
    a, b = rng.lognormal(5, 2, (2, n, 3))
    frame = pd.DataFrame({f"{side}_{name}": values[:, j]
                          for side, values in (("A", a), ("B", b))
                          for j, name in enumerate(["followers", "posts", "likes"])})
    frame["won"] = (a[:, 0] * rng.lognormal(0, 1, n) > b[:, 0]).astype(int)
    return frame


def _pair_ranker(**kwargs):
    from skinfluence.ranking import PairwiseRanker

    return PairwiseRanker(n_estimators=20, random_state=0, **kwargs)


def test_pair_ranker_on_one_partition_equals_the_in_memory_fit(client, pairs):
    import dask.dataframe as dd

    from skinfluence.ranking import fit_dask

    X = pairs.drop(columns="won")
    local = _pair_ranker().fit(X, pairs["won"])
    remote = fit_dask(_pair_ranker(), dd.from_pandas(pairs, npartitions=1), "won", client=client)
    assert remote.booster_.num_trees() == local.booster_.num_trees() == 20
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
    np.testing.assert_array_equal(remote.score_items(X.filter(like="A_").rename(
        columns=lambda c: c[2:])), local.score_items(X.filter(like="A_").rename(
            columns=lambda c: c[2:])))


@pytest.mark.parametrize("features", ["item", ["logdiff", "raw"]])
def test_pair_ranker_across_workers_is_close_to_the_in_memory_fit(client, pairs, features):
    import dask.dataframe as dd
    from sklearn.metrics import roc_auc_score

    from skinfluence.ranking import fit_dask

    X, y = pairs.drop(columns="won"), pairs["won"].to_numpy()
    local = _pair_ranker(features=features).fit(X, y)
    ddf = dd.from_pandas(pairs, npartitions=4)
    remote = fit_dask(_pair_ranker(features=features), ddf.drop(columns="won"), ddf["won"],
                      client=client)
    p_local, p_remote = local.predict_proba(X)[:, 1], remote.predict_proba(X)[:, 1]
    # bins come from one worker's data (not all of it): close, not identical
    assert abs(roc_auc_score(y, p_remote) - roc_auc_score(y, p_local)) < 0.01
    assert np.corrcoef(p_local, p_remote)[0, 1] > 0.98
    # still exactly antisymmetric, and an ordinary ranker once fitted
    swapped = X.rename(columns=lambda c: ("B_" if c[0] == "A" else "A_") + c[2:])[X.columns]
    np.testing.assert_array_equal(remote.predict_proba(X), remote.predict_proba(swapped)[:, ::-1])
    again = pickle.loads(pickle.dumps(remote))
    np.testing.assert_array_equal(again.predict_proba(X), remote.predict_proba(X))
    assert remote.difference_model_ == (features == "item")
    assert (remote.reference_ is None) == (features == "item")


def test_pair_ranker_weights_reach_the_cluster(client, pairs):
    import dask.dataframe as dd

    from skinfluence.ranking import fit_dask

    weighted = pairs.assign(w=np.where(np.arange(len(pairs)) % 2 == 0, 1.0, 0.0))
    X = pairs.drop(columns="won")
    local = _pair_ranker().fit(X, pairs["won"], sample_weight=weighted["w"])
    unweighted = _pair_ranker().fit(X, pairs["won"])
    remote = fit_dask(_pair_ranker(), dd.from_pandas(weighted, npartitions=1), "won",
                      sample_weight="w", client=client)
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
    assert not np.array_equal(remote.predict_proba(X), unweighted.predict_proba(X))


def _queries(n_queries=120, size=10, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n_queries * size, 4))
    frame = pd.DataFrame(Z, columns=["a", "b", "c", "d"])
    frame["q"] = np.repeat(np.arange(n_queries), size)
    frame["rel"] = (Z[:, 0] + 0.5 * rng.normal(size=len(Z)) > 0.5).astype(int)
    return frame


def test_boosted_ranker_on_the_cluster(client):
    import dask.dataframe as dd

    from skinfluence.ranking import BoostedRanker, fit_dask

    frame = _queries()
    Z, y, qid = frame[["a", "b", "c", "d"]], frame["rel"], frame["q"]

    def ranker():
        return BoostedRanker(n_estimators=20, min_child_samples=5, random_state=0)

    local = ranker().fit(Z, y, qid=qid)
    one = fit_dask(ranker(), dd.from_pandas(frame, npartitions=1), "rel", qid="q", client=client)
    np.testing.assert_array_equal(one.predict(Z), local.predict(Z))
    # partitions split at query boundaries (sort=False keeps the rows' order)
    spread = fit_dask(ranker(), dd.from_pandas(frame, npartitions=3, sort=False), "rel",
                      qid="q", client=client)
    assert abs(spread.score(Z, y, qid=qid) - local.score(Z, y, qid=qid)) < 0.02
    assert np.corrcoef(spread.predict(Z), local.predict(Z))[0, 1] > 0.98


def test_fit_dask_refuses_what_it_cannot_train_with_clear_errors(client, pairs):
    import dask.dataframe as dd

    from skinfluence.ranking import BoostedRanker, fit_dask

    ddf = dd.from_pandas(pairs, npartitions=2)
    with pytest.raises(ValueError, match="strengths=True"):
        fit_dask(_pair_ranker(strengths=True), ddf, "won", client=client)
    with pytest.raises(ValueError, match="estimator=LogisticRegression"):
        fit_dask(_pair_ranker(estimator=LogisticRegression()), ddf, "won", client=client)
    with pytest.raises(ValueError, match="'winner' is not a column of X"):
        fit_dask(_pair_ranker(), ddf, "winner", client=client)
    with pytest.raises(TypeError, match="dask.dataframe.DataFrame; got DataFrame"):
        fit_dask(_pair_ranker(), pairs, "won", client=client)
    with pytest.raises(TypeError, match="got LogisticRegression"):
        fit_dask(LogisticRegression(), ddf, "won", client=client)
    # a query with rows in two partitions is named
    frame = _queries(n_queries=4, size=10)
    split = dd.from_pandas(frame, npartitions=4, sort=False)  # 40 rows cut every 10: fine
    fit_dask(BoostedRanker(n_estimators=2, min_child_samples=2), split, "rel", qid="q",
             client=client)
    shifted = dd.from_pandas(frame.iloc[5:], npartitions=3, sort=False)
    with pytest.raises(ValueError, match="queries have rows in more than one partition"):
        fit_dask(BoostedRanker(n_estimators=2), shifted, "rel", qid="q", client=client)
    with pytest.raises(ValueError, match="needs qid"):
        fit_dask(BoostedRanker(n_estimators=2), split, "rel", client=client)
