"""PostFeatures (the ragged per-post container), pool_posts, PostPooler and PostEncoder."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing, get_tags

from skinfluence import (
    PostEncoder,
    PostFeatures,
    PostPooler,
    SentimentFeatures,
    TextStats,
    nest_posts,
    pool_posts,
    unnest_posts,
)
from skinfluence.datasets import make_creators

# ----------------------------------------------------------------------------- helpers


def ragged(lengths, n_features=3, seed=0, extras=True):
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    n = int(offsets[-1])
    values = rng.normal(size=(n, n_features)).astype(np.float32)
    mask = rng.random(n) > 0.2
    values[~mask] = 0
    ex = {"label": np.array([f"l{i}" for i in range(n)], dtype=object),
          "engagement": rng.uniform(0, 100, n)} if extras else None
    return PostFeatures(values, offsets, mask=mask, extras=ex,
                        feature_names=[f"f{j}" for j in range(n_features)],
                        index=pd.Index([f"acc{i}" for i in range(len(lengths))]))


def per_account(pf):
    """Reference: the container as a Python list of per-account dicts."""
    out = []
    for i in range(len(pf)):
        a, b = pf.offsets[i], pf.offsets[i + 1]
        out.append({"values": pf.values[a:b], "mask": pf.mask[a:b],
                    **{k: v[a:b] for k, v in pf.extras.items()},
                    "index": None if pf.index is None else pf.index[i]})
    return out


def assert_same_accounts(got, expected_list):
    ref = per_account(got)
    assert len(ref) == len(expected_list)
    for r, e in zip(ref, expected_list, strict=True):
        np.testing.assert_array_equal(r["values"], e["values"])
        np.testing.assert_array_equal(r["mask"], e["mask"])
        for k in got.extras:
            np.testing.assert_array_equal(r[k], e[k])
        assert r["index"] == e["index"]


# --------------------------------------------------------------------------- container


class TestPostFeatures:
    def test_sizes_and_repr(self):
        pf = ragged([2, 0, 3])
        assert len(pf) == 3 and pf.n_posts == 5 and pf.n_features == 3
        assert pf.shape == (3,)
        assert pf.lengths.tolist() == [2, 0, 3]
        assert pf.account_index().tolist() == [0, 0, 2, 2, 2]
        assert pf.values.dtype == np.float32 and pf.values.flags.c_contiguous
        assert "n_accounts=3" in repr(pf) and "label" in repr(pf)
        np.testing.assert_array_equal(pf.posts_of(2), pf.values[2:5])

    @pytest.mark.parametrize("kwargs, match", [
        ({"values": np.zeros((3, 2)), "offsets": [0, 2]}, "end at n_posts"),
        ({"values": np.zeros((3, 2)), "offsets": [1, 3]}, "start at 0"),
        ({"values": np.zeros((3, 2)), "offsets": [0, 2, 1, 3]}, "non-decreasing"),
        ({"values": np.zeros(3), "offsets": [0, 3]}, "2-D"),
        ({"values": np.zeros((3, 2)), "offsets": [0, 3], "mask": [True]}, "mask"),
        ({"values": np.zeros((3, 2)), "offsets": [0, 3], "extras": {"y": [1, 2]}}, "one entry per post"),
        ({"values": np.zeros((3, 2)), "offsets": [0, 3], "index": ["a", "b"]}, "one entry per account"),
        ({"values": np.zeros((3, 2)), "offsets": [0, 3], "feature_names": ["a"]}, "2 entries"),
    ])
    def test_invalid_construction(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            PostFeatures(**kwargs)

    def test_indexing_forms(self):
        pf = ragged([2, 0, 3, 1])
        ref = per_account(pf)
        assert_same_accounts(pf[2], [ref[2]])
        assert_same_accounts(pf[-1], [ref[3]])
        assert_same_accounts(pf[np.int64(1)], [ref[1]])
        assert_same_accounts(pf[1:3], ref[1:3])
        assert_same_accounts(pf[::2], ref[::2])
        assert_same_accounts(pf[::-1], ref[::-1])
        assert_same_accounts(pf[[3, 0, 0]], [ref[3], ref[0], ref[0]])
        assert_same_accounts(pf[np.array([True, False, True, False])], [ref[0], ref[2]])
        assert_same_accounts(pf[np.array([2]), ...], [ref[2]])  # sklearn's X[key, ...]
        assert_same_accounts(pf[([1, 3],)], [ref[1], ref[3]])  # skorch's normalised bool index
        assert len(pf[[]]) == 0 and pf[[]].n_posts == 0
        assert_same_accounts(PostFeatures.concat(list(pf)), ref)

    def test_contiguous_slice_is_a_view(self):
        pf = ragged([2, 4, 1])
        sub = pf[1:3]
        assert np.shares_memory(sub.values, pf.values)
        assert sub.offsets.tolist() == [0, 4, 5]

    @pytest.mark.parametrize("key, error", [
        (4, IndexError), (-5, IndexError), ([0, 7], IndexError),
        (np.array([True, False]), IndexError), (np.array([0.5]), IndexError),
        ((0, 1), IndexError),
    ])
    def test_bad_keys(self, key, error):
        with pytest.raises(error):
            ragged([1, 1, 1, 1])[key]

    @settings(max_examples=60, deadline=None)
    @given(lengths=st.lists(st.integers(0, 5), min_size=1, max_size=12), data=st.data())
    def test_take_matches_python_reference(self, lengths, data):
        pf = ragged(lengths, seed=len(lengths))
        n = len(lengths)
        idx = data.draw(st.lists(st.integers(-n, n - 1), max_size=15))
        ref = per_account(pf)
        assert_same_accounts(pf.take(idx), [ref[i] for i in idx])

    def test_array_conversion_is_refused_with_advice(self):
        with pytest.raises(TypeError, match="PostPooler"):
            np.asarray(ragged([1, 2]))

    def test_pickle_round_trip(self):
        pf = ragged([3, 0, 2])
        back = pickle.loads(pickle.dumps(pf))
        assert_same_accounts(back, per_account(pf))
        assert list(back.feature_names) == list(pf.feature_names)

    def test_to_padded(self):
        pf = ragged([2, 0, 3], n_features=2)
        values, mask = pf.to_padded()
        assert values.shape == (3, 3, 2) and mask.shape == (3, 3)
        np.testing.assert_array_equal(values[2], pf.values[2:5])
        np.testing.assert_array_equal(mask[2], pf.mask[2:5])
        assert not mask[1].any() and not mask[0, 2]
        assert (values[1] == 0).all()
        first, m_first = pf.to_padded(max_len=2)
        np.testing.assert_array_equal(first[2], pf.values[2:4])
        last, m_last = pf.to_padded(max_len=2, keep="last", fill_value=-1)
        np.testing.assert_array_equal(last[2], pf.values[3:5])
        np.testing.assert_array_equal(last[0], pf.values[0:2])
        assert (last[1] == -1).all() and not m_last[1].any()
        wide, _ = pf.to_padded(max_len=5)
        assert wide.shape == (3, 5, 2)
        labels = pf.pad("label", max_len=2, keep="last")
        assert labels[2].tolist() == ["l3", "l4"] and labels[1].tolist() == [None, None]
        eng = pf.pad("engagement")
        assert np.isnan(eng[1]).all() and eng.shape == (3, 3)
        with pytest.raises(KeyError, match="extras are"):
            pf.pad("nope")
        with pytest.raises(ValueError, match="keep"):
            pf.to_padded(keep="middle")

    def test_empty_container(self):
        pf = PostFeatures(np.zeros((0, 4)), [0, 0, 0])
        values, mask = pf.to_padded()
        assert values.shape == (2, 0, 4) and mask.shape == (2, 0)
        assert pool_posts(pf.values, pf.offsets, pf.mask).tolist() == [[0.0] * 4] * 2


class TestSplitters:
    def test_safe_indexing_and_kfold(self):
        pf = ragged([2, 0, 3, 1, 4, 2])
        ref = per_account(pf)
        idx = np.array([4, 1, 0])
        assert_same_accounts(_safe_indexing(pf, idx), [ref[i] for i in idx])
        for train, test in KFold(3, shuffle=True, random_state=0).split(pf):
            assert len(_safe_indexing(pf, train)) == len(train)
            assert _safe_indexing(pf, test).n_posts == pf.lengths[test].sum()

    def test_cross_val_score_on_the_container(self):
        data = make_creators(30, n_posts=(0, 5), n_topics=2, random_state=0)
        pf = PostEncoder([("stats", TextStats())], engagement_fields=["likes"]).fit_transform(
            data.accounts)
        model = make_pipeline(PostPooler(["mean", "weighted"]), LogisticRegression(max_iter=500))
        scores = cross_val_score(model, pf, data.topic, cv=3)
        assert len(scores) == 3 and np.isfinite(scores).all()

    def test_skorch_dataset_slices_by_account(self):
        skorch = pytest.importorskip("skorch")
        pf = ragged([2, 0, 3, 1, 4, 2])
        y = np.arange(6) % 2
        ds = skorch.dataset.Dataset(pf, y)
        assert len(ds) == 6
        xi, yi = ds[2]
        assert isinstance(xi, PostFeatures) and len(xi) == 1 and xi.n_posts == 3 and yi == 0
        # what a collate function does with a mini-batch of accounts
        batch = PostFeatures.concat([ds[i][0] for i in (0, 2, 4)])
        values, mask = batch.to_padded()
        assert values.shape == (3, 4, 3)
        assert mask.sum(axis=1).tolist() == [int(pf.mask[a:b].sum()) for a, b in
                                             ((0, 2), (2, 5), (6, 10))]
        train, valid = skorch.dataset.ValidSplit(3)(ds, y)
        assert len(train) + len(valid) == 6
        assert isinstance(skorch.utils.multi_indexing(pf, np.array([1, 3])), PostFeatures)


# ----------------------------------------------------------------------------- pooling


def reference_pool(pf, how, weights=None, fill=0.0):
    out = []
    for i, r in enumerate(per_account(pf)):
        v, m = r["values"][r["mask"]].astype(np.float64), r["mask"]
        if len(v) == 0:
            out.append(np.full(pf.n_features, fill))
        elif how == "mean":
            out.append(v.mean(axis=0))
        elif how == "max":
            out.append(v.max(axis=0))
        else:
            a, b = pf.offsets[i], pf.offsets[i + 1]
            w = np.nan_to_num(weights[a:b][m], nan=0.0)
            out.append((v * w[:, None]).sum(0) / w.sum() if w.sum() > 0 else v.mean(axis=0))
    return np.array(out).reshape(len(pf), pf.n_features)


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(0, 6), min_size=1, max_size=10),
       how=st.sampled_from(["mean", "max", "weighted"]), fill=st.sampled_from([0.0, np.nan, -1.0]))
def test_pool_posts_matches_reference(lengths, how, fill):
    pf = ragged(lengths, seed=sum(lengths))
    w = pf.extras["engagement"].copy()
    w[::3] = np.nan
    w[1::4] = 0.0
    got = pool_posts(pf.values, pf.offsets, pf.mask, how, weights=w, fill_value=fill)
    np.testing.assert_allclose(got, reference_pool(pf, how, w, fill), rtol=1e-5, atol=1e-6,
                               equal_nan=True)


def test_pool_posts_errors():
    v, off = np.ones((2, 1)), [0, 2]
    with pytest.raises(ValueError, match="how must be"):
        pool_posts(v, off, how="median")
    with pytest.raises(ValueError, match="weights"):
        pool_posts(v, off, how="weighted")
    with pytest.raises(ValueError, match="non-negative"):
        pool_posts(v, off, how="weighted", weights=np.array([1.0, -1.0]))


class TestPostPooler:
    def test_methods_names_and_output(self):
        pf = ragged([2, 0, 3])
        pooler = PostPooler(["mean", "max", "weighted"], fill_value=np.nan).fit(pf)
        out = pooler.transform(pf)
        assert out.shape == (3, 9)
        w = np.log1p(pf.extras["engagement"])
        np.testing.assert_allclose(out[:, :3], reference_pool(pf, "mean", fill=np.nan), rtol=1e-5,
                                   equal_nan=True)
        np.testing.assert_allclose(out[:, 6:], reference_pool(pf, "weighted", w, np.nan),
                                   rtol=1e-5, equal_nan=True)
        assert pooler.get_feature_names_out()[[0, 3, 6]].tolist() == [
            "mean__f0", "max__f0", "weighted__f0"]
        # set_output is scikit-learn's own wrapping: the container is not a DataFrame, so
        # the pandas output has a fresh RangeIndex (the container's index is in pf.index)
        df = pooler.set_output(transform="pandas").transform(pf)
        assert isinstance(df, pd.DataFrame) and df.columns[0] == "mean__f0"
        np.testing.assert_array_equal(df.to_numpy(), out)
        assert "_sklearn_output_config" not in vars(PostPooler())

    def test_identity_weights(self):
        pf = PostFeatures([[1.0], [3.0]], [0, 2], extras={"engagement": np.array([1.0, 3.0])})
        assert PostPooler("weighted", weight_transform="identity").fit_transform(pf).item() == 2.5

    def test_errors(self):
        pf = ragged([1, 2], extras=False)
        with pytest.raises(TypeError, match="PostFeatures container"):
            PostPooler().fit(np.zeros((2, 3)))
        with pytest.raises(ValueError, match="engagement_fields"):
            PostPooler("weighted").fit(pf)
        with pytest.raises(ValueError, match="The 'method' parameter of PostPooler"):
            PostPooler("median").fit(pf)
        fitted = PostPooler().fit(pf)
        with pytest.raises(ValueError, match="fitted with 3"):
            fitted.transform(ragged([1], n_features=2))
        with pytest.raises(ValueError, match="The 'fill_value' parameter"):
            PostPooler(fill_value="zero").fit(pf)


# ----------------------------------------------------------------------------- encoder


# The shared checks of PostEncoder and PostPooler run in tests/test_common.py.


@pytest.fixture(scope="module")
def data():
    return make_creators(24, n_posts=(0, 6), n_topics=2, random_state=1)


class TestPostEncoder:
    @pytest.mark.requires_extras("text")
    def test_combines_extractors_and_carries_post_arrays(self, data):
        frame = data.accounts.copy()
        enc = PostEncoder(
            [("stats", TextStats(features=["hashtags", "chars"])),
             ("sent", SentimentFeatures(scores=["compound"]))],
            label_field="label", engagement_fields=["likes", "comments"], extra_fields=["timestamp"],
        )
        pf = enc.fit_transform(frame)
        flat = unnest_posts(frame)
        assert len(pf) == len(frame) and pf.n_posts == len(flat)
        assert pf.feature_names.tolist() == ["stats__hashtags", "stats__chars",
                                             "sent__sentiment_compound"]
        stats = TextStats(features=["hashtags", "chars"]).fit(frame).transform_posts(frame)
        np.testing.assert_array_equal(pf.values[:, :2], stats.values)
        assert pf.extras["label"].tolist() == flat["label"].tolist()
        np.testing.assert_allclose(pf.extras["engagement"],
                                   flat["likes"].to_numpy(float) + flat["comments"].to_numpy(float))
        seconds = flat["timestamp"].astype("int64").to_numpy() / 1e9
        np.testing.assert_allclose(pf.extras["timestamp"], seconds)
        sent_mask = SentimentFeatures().fit(frame).transform_posts(frame).mask
        np.testing.assert_array_equal(pf.mask, sent_mask)  # mask_mode="all": stats are always valid
        np.testing.assert_array_equal(pf.extras["sent_mask"], sent_mask)
        assert pf.extras["stats_mask"].all()
        any_mask = enc.set_params(mask_mode="any").fit_transform(frame).mask
        assert any_mask.all()
        assert list(pf.index) == list(frame.index)

    def test_labels_travel_with_their_accounts_through_cv(self, data):
        frame = data.accounts
        pf = PostEncoder([("stats", TextStats())], label_field="label").fit_transform(frame)
        for _, test in KFold(3, shuffle=True, random_state=0).split(pf):
            sub = _safe_indexing(pf, test)
            expected = unnest_posts(frame.iloc[test])["label"].tolist()
            assert sub.extras["label"].tolist() == expected

    def test_missing_engagement_is_nan_only_when_all_fields_missing(self):
        frame = nest_posts(pd.DataFrame({"account_id": ["a"]}), pd.DataFrame({
            "account_id": ["a"] * 3, "text": ["x", "y", "z"],
            "likes": [1.0, np.nan, np.nan], "comments": [2.0, 5.0, np.nan]}))
        pf = PostEncoder([("s", TextStats())], engagement_fields=["likes", "comments"]).fit_transform(frame)
        np.testing.assert_array_equal(pf.extras["engagement"], [3.0, 5.0, np.nan])

    def test_nested_params_and_grid_search(self, data):
        enc = PostEncoder([("stats", TextStats())])
        params = enc.get_params()
        assert params["stats"] is enc.extractors[0][1] and params["stats__pooling"] == "mean"
        enc.set_params(stats__features=["words"])
        assert enc.extractors[0][1].features == ["words"]
        enc.set_params(stats=TextStats(features=["urls"]))
        assert enc.extractors[0][1].features == ["urls"]
        model = make_pipeline(PostEncoder([("stats", TextStats())]), PostPooler(),
                              LogisticRegression(max_iter=500))
        search = GridSearchCV(model, {"postencoder__stats__features": [["hashtags"], "all"],
                                      "postpooler__method": ["mean", "max"]}, cv=2)
        search.fit(data.accounts, data.topic)
        assert set(search.best_params_) == {"postencoder__stats__features", "postpooler__method"}
        groups = np.arange(len(data.topic)) % 3
        scores = cross_val_score(model, data.accounts, data.topic, cv=GroupKFold(3), groups=groups)
        assert np.isfinite(scores).all()

    def test_fit_clones_extractors(self, data):
        stats = TextStats()
        enc = PostEncoder([("stats", stats)]).fit(data.accounts)
        assert enc.extractors_[0][1] is not stats and not hasattr(stats, "features_")

    def test_set_output_is_accepted_and_keeps_the_container(self, data):
        model = make_pipeline(PostEncoder([("stats", TextStats())]), PostPooler())
        model.set_output(transform="pandas")
        out = model.fit_transform(data.accounts)
        assert isinstance(out, pd.DataFrame) and list(out.index) == list(data.accounts.index)

    @pytest.mark.parametrize("params, error, match", [
        ({"extractors": []}, ValueError, "The 'extractors' parameter of PostEncoder"),
        ({"extractors": [("a", TextStats()), ("a", TextStats())]}, ValueError, "distinct"),
        ({"extractors": [("a__b", TextStats())]}, ValueError, "distinct"),
        ({"extractors": [("lr", LogisticRegression())]}, TypeError, "transform_posts"),
        ({"extractors": [("a", TextStats())], "mask_mode": "some"}, ValueError, "mask_mode"),
        ({"extractors": [("a", TextStats())], "engagement_fields": "likes"}, ValueError,
         "engagement_fields"),
        ({"extractors": [("a", TextStats())], "extra_fields": ["label"]}, ValueError, "reserved"),
        ({"extractors": [("a", TextStats())], "label_field": "nope"}, ValueError, "nope"),
    ])
    def test_bad_parameters(self, data, params, error, match):
        with pytest.raises(error, match=match):
            PostEncoder(**params).fit(data.accounts)

    def test_rejects_non_frames(self):
        with pytest.raises(ValueError, match="account frame"):
            PostEncoder([("a", TextStats())]).fit(np.zeros((3, 2)))


# ------------------------------------------------------------ validate and flatten once


def _count_frame_work(call):
    """How often ``call()`` validates an account frame, converts its posts column and flattens it."""
    from unittest import mock

    from skinfluence import nested
    from skinfluence.features import _base

    with mock.patch.object(_base, "_validate_and_flatten", wraps=_base._validate_and_flatten) as val, \
            mock.patch.object(nested, "_posts_array", wraps=nested._posts_array) as conv, \
            mock.patch.object(nested, "_flatten_array", wraps=nested._flatten_array) as flat:
        call()
    return val.call_count, conv.call_count, flat.call_count


def test_one_public_call_validates_and_flattens_the_frame_once(data):
    X = data.accounts
    enc = PostEncoder([("stats", TextStats()), ("sent", SentimentFeatures())],
                      engagement_fields=["likes"])
    assert _count_frame_work(lambda: enc.fit(X)) == (1, 1, 1)
    assert all(hasattr(est, "feature_names_in_") for _, est in enc.extractors_)
    assert _count_frame_work(lambda: enc.transform(X)) == (1, 1, 1)
    stats = TextStats()
    assert _count_frame_work(lambda: stats.fit(X)) == (1, 1, 1)
    assert _count_frame_work(lambda: stats.transform(X)) == (1, 1, 1)
    assert _count_frame_work(lambda: stats.transform_posts(X)) == (1, 1, 1)
    # and the flat posts passed down give the same result as the extractors on their own
    pf = enc.transform(X)
    np.testing.assert_array_equal(pf.values[:, :8], stats.transform_posts(X).values)


def test_encoder_still_validates_its_extractors_parameters(data):
    with pytest.raises(ValueError, match="The 'pooling' parameter of TextStats"):
        PostEncoder([("stats", TextStats(pooling="median"))]).fit(data.accounts)


def test_encoder_checks_the_fields_its_extractors_read(data):
    enc = PostEncoder([("stats", TextStats(text_field="caption"))])
    assert get_tags(enc).input_tags.post_fields == ("caption",)
    with pytest.raises(ValueError, match="'caption'"):
        enc.fit(data.accounts)


def test_transform_returns_one_type_whatever_the_parameters(data):
    X = data.accounts
    enc = PostEncoder([("stats", TextStats(pooling=None))]).fit(X)
    assert isinstance(enc.transform(X), PostFeatures)
    np.testing.assert_array_equal(enc.transform_posts(X).values, enc.transform(X).values)
    outer = PostEncoder([("inner", PostEncoder([("s", TextStats(features=["chars"]))]))]).fit(X)
    assert list(outer.transform(X).feature_names) == ["inner__s__chars"]
    assert enc.set_output(transform="pandas") is enc and isinstance(enc.transform(X), PostFeatures)
    assert not hasattr(enc, "_sklearn_output_config")
    for pooling in ("mean", "max"):
        out = TextStats(pooling=pooling).fit(X).transform(X)
        assert isinstance(out, np.ndarray) and out.shape == (len(X), 8)
    with pytest.raises(ValueError, match="transform_posts"):
        TextStats(pooling=None).fit(X).transform(X)
