"""The account-frame data contract: nesting, round trips, validation, CV, segment reductions."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skinfluence import (
    PostsText,
    flatten_posts,
    nest_posts,
    segment_reduce,
    unnest_posts,
    validate_account_frame,
)
from skinfluence.exceptions import AccountFrameError
from skinfluence.utils.estimator_checks import make_check_frame

# ------------------------------------------------------------------ round trips


@st.composite
def profiles_and_posts(draw):
    n_accounts = draw(st.integers(0, 8))
    ids = draw(st.lists(st.integers(-1000, 1000), min_size=n_accounts, max_size=n_accounts, unique=True))
    profiles = pd.DataFrame({
        "account_id": np.asarray(ids, dtype=np.int64),
        "followers": draw(st.lists(st.integers(0, 10**9), min_size=n_accounts, max_size=n_accounts)),
    })
    n_posts = draw(st.integers(0, 25)) if n_accounts else 0
    owner = draw(st.lists(st.sampled_from(ids), min_size=n_posts, max_size=n_posts)) if n_accounts else []
    text = st.one_of(st.none(), st.text(max_size=12))
    posts = pd.DataFrame({
        "account_id": np.asarray(owner, dtype=np.int64),
        "text": pd.Series(draw(st.lists(text, min_size=n_posts, max_size=n_posts)), dtype="str"),
        "likes": np.asarray(draw(st.lists(st.integers(0, 10**7), min_size=n_posts, max_size=n_posts)), dtype=np.int64),
        "views": np.asarray(draw(st.lists(
            st.one_of(st.just(np.nan), st.floats(0, 1e9)), min_size=n_posts, max_size=n_posts)), dtype=float),
        "sponsored": np.asarray(draw(st.lists(st.booleans(), min_size=n_posts, max_size=n_posts)), dtype=bool),
        "timestamp": pd.to_datetime(
            draw(st.lists(st.integers(0, 2 * 10**9), min_size=n_posts, max_size=n_posts)), unit="s", utc=True
        ),
    })
    return profiles, posts


@settings(max_examples=60, deadline=None)
@given(profiles_and_posts())
def test_unnest_inverts_nest(data):
    profiles, posts = data
    frame = nest_posts(profiles, posts)
    assert list(frame.index) == list(profiles.index)
    pd.testing.assert_frame_equal(frame.drop(columns="posts"), profiles)
    # posts come back grouped by account in profile order, in their original order within each
    position = pd.Index(profiles["account_id"]).get_indexer(posts["account_id"])
    expected = posts.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)
    pd.testing.assert_frame_equal(unnest_posts(frame), expected)


@settings(max_examples=60, deadline=None)
@given(profiles_and_posts(), st.randoms(use_true_random=False))
def test_nest_inverts_unnest(data, rnd):
    profiles, posts = data
    frame = nest_posts(profiles, posts)
    again = nest_posts(profiles, unnest_posts(frame))
    pd.testing.assert_frame_equal(again, frame)
    # ... and the round trip survives any row selection (a CV split) of the account frame
    rows = list(range(len(frame)))
    rnd.shuffle(rows)
    subset = frame.iloc[rows[: len(rows) // 2 + 1]] if rows else frame
    pd.testing.assert_frame_equal(nest_posts(subset.drop(columns="posts"), unnest_posts(subset)), subset)


def test_sliced_frames_see_only_their_posts():
    # frame.iloc[a:b] is a view on the Arrow array (an offset and a length), unlike a take
    frame, _ = make_check_frame(n_accounts=20)
    flat_all = flatten_posts(frame)
    for a, b in [(0, 5), (3, 11), (12, 20), (7, 8)]:
        part = frame.iloc[a:b]
        flat = flatten_posts(part)
        lo, hi = flat_all.offsets[a], flat_all.offsets[b]
        assert flat.n_posts == hi - lo == flat.table.num_rows
        np.testing.assert_array_equal(flat.numeric("likes"), flat_all.numeric("likes")[lo:hi])
        pd.testing.assert_frame_equal(unnest_posts(part), unnest_posts(frame.iloc[list(range(a, b))]))
        assert PostsText().fit_transform(part).tolist() == PostsText().fit_transform(frame)[a:b].tolist()


def test_posts_are_columnar_arrow():
    frame, _ = make_check_frame()
    assert isinstance(frame["posts"].dtype, pd.ArrowDtype)
    assert pa.types.is_list(frame["posts"].dtype.pyarrow_dtype)
    assert pa.types.is_struct(frame["posts"].dtype.pyarrow_dtype.value_type)


def test_empty_posts_and_zero_followers_are_valid():
    profiles = pd.DataFrame({"account_id": ["a", "b"], "followers": [0, 5]})
    posts = pd.DataFrame({"account_id": ["b"], "likes": [3]})
    frame = nest_posts(profiles, posts)
    assert frame["posts"].list.len().tolist() == [0, 1]
    validate_account_frame(frame)
    # no post at all
    empty = nest_posts(profiles, posts.iloc[:0])
    assert empty["posts"].list.len().tolist() == [0, 0]
    assert len(unnest_posts(empty)) == 0


def test_python_lists_of_dicts_are_accepted():
    frame = pd.DataFrame({
        "account_id": ["a", "b"],
        "posts": [[{"text": "hi", "likes": 3}], []],
    })
    validate_account_frame(frame)
    assert flatten_posts(frame).offsets.tolist() == [0, 1, 1]
    assert PostsText().fit_transform(frame).tolist() == ["hi", ""]


# ------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "profiles, posts, match",
    [
        (pd.DataFrame({"id": [1]}), pd.DataFrame({"account_id": [1]}),
         r"profiles has no account id column 'account_id'.*columns are \['id'\]"),
        (pd.DataFrame({"account_id": [1, 2, 2]}), pd.DataFrame({"account_id": [1]}),
         r"'account_id' has 1 duplicated account id\(s\): \[2\]"),
        (pd.DataFrame({"account_id": [1.0, None]}), pd.DataFrame({"account_id": [1.0]}),
         r"'account_id' is missing \(null\) in 1 row\(s\): rows \[1\]"),
        (pd.DataFrame({"account_id": [1, 2]}), pd.DataFrame({"account_id": [1, 7, 9, 7]}),
         r"2 account id\(s\) in posts\['account_id'\] are not in profiles\['account_id'\]: \[7, 9\] "
         r"\(post rows \[1, 2, 3\]\)"),
        (pd.DataFrame({"account_id": ["a", "b"], "followers": [5, -3]}), pd.DataFrame({"account_id": ["a"]}),
         r"column 'followers' must be non-negative counts; 1 negative value\(s\) \[-3.0\] for account\(s\) \['b'\]"),
        (pd.DataFrame({"account_id": ["a", "b"], "followers": ["3.3k", "12"]}), pd.DataFrame({"account_id": ["a"]}),
         r"column 'followers' must be numeric.*'3.3k'.*account\(s\) \['a'\].*parse_count"),
        (pd.DataFrame({"account_id": ["a", "b"]}), pd.DataFrame({"account_id": ["a", "b", "b"], "likes": [1, 2, -5]}),
         r"post field 'likes' must be non-negative counts.*#1 of account 'b'"),
        (pd.DataFrame({"account_id": ["a"]}), pd.DataFrame({"account_id": ["a"], "likes": ["many"]}),
         r"post field 'likes' must be numeric, got Arrow type (large_)?string"),
        (pd.DataFrame({"account_id": ["a"], "followers": [np.inf]}), pd.DataFrame({"account_id": ["a"]}),
         r"column 'followers' must be finite counts"),
    ],
)
def test_errors_name_column_account_and_expectation(profiles, posts, match):
    with pytest.raises(AccountFrameError, match=match):
        nest_posts(profiles, posts)


def test_account_frame_errors_are_value_errors():
    with pytest.raises(ValueError):
        validate_account_frame(np.zeros((3, 2)))


def test_null_posts_cell_is_an_error_not_an_empty_list():
    frame = pd.DataFrame({"account_id": ["a", "b"], "posts": [[{"likes": 1}], None]})
    with pytest.raises(AccountFrameError, match=r"'posts' is missing \(null\) for account\(s\) \['b'\]"):
        validate_account_frame(frame)


def test_bad_posts_cell_type_names_the_account():
    frame = pd.DataFrame({"account_id": ["a", "b"], "posts": [[{"likes": 1}], "oops"]})
    with pytest.raises(AccountFrameError, match=r"account 'b' holds a str"):
        validate_account_frame(frame)


def test_required_columns_and_fields():
    frame, _ = make_check_frame()
    with pytest.raises(AccountFrameError, match=r"missing required column\(s\) \['brand'\]"):
        validate_account_frame(frame, required_columns=["brand"])
    with pytest.raises(AccountFrameError, match=r"posts are missing required field\(s\) \['image'\]"):
        validate_account_frame(frame, required_post_fields=["image"])


def test_posts_column_collision():
    with pytest.raises(AccountFrameError, match="already has a column 'posts'"):
        nest_posts(pd.DataFrame({"account_id": [1], "posts": [0]}), pd.DataFrame({"account_id": [1]}))


# --------------------------------------------------------- scikit-learn on frames


def test_splitters_and_cross_val_score_split_accounts():
    frame, y = make_check_frame(n_accounts=40)
    n_posts = frame["posts"].list.len().to_numpy()
    for cv in (KFold(4), StratifiedKFold(4), GroupKFold(4)):
        groups = frame["account_id"] if isinstance(cv, GroupKFold) else None
        for train, test in cv.split(frame, y, groups=groups):
            part = frame.iloc[test]
            assert set(part["account_id"]).isdisjoint(frame.iloc[train]["account_id"])
            # each account keeps all its posts: no post crosses the split
            assert part["posts"].list.len().tolist() == n_posts[test].tolist()
            assert set(unnest_posts(part)["account_id"]) <= set(part["account_id"])
    model = make_pipeline(PostsText(), TfidfVectorizer(), LogisticRegression())
    scores = cross_val_score(model, frame, y, cv=StratifiedKFold(4))
    assert scores.mean() > 0.8  # the two topics have disjoint vocabularies


# -------------------------------------------------------------- segment reduce


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.just(np.nan), st.floats(-1e6, 1e6)), max_size=7), min_size=1, max_size=9),
    st.sampled_from(["sum", "mean", "count", "min", "max", "std", "var", "median", "first", "last"]),
)
def test_segment_reduce_matches_pandas_groupby(groups, how):
    values = np.array([v for g in groups for v in g], dtype=float)
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in groups])])
    got = segment_reduce(values, offsets, how)
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    grouped = pd.Series(values).groupby(owner)
    expected = {
        "sum": grouped.sum(), "mean": grouped.mean(), "count": grouped.count(), "min": grouped.min(),
        "max": grouped.max(), "std": grouped.std(ddof=0), "var": grouped.var(ddof=0),
        "median": grouped.median(), "first": grouped.first(), "last": grouped.last(),
    }[how].reindex(range(len(groups)))
    if how in ("sum", "count"):
        expected = expected.fillna(0.0)
    np.testing.assert_allclose(got, expected.to_numpy(dtype=float), rtol=1e-7, atol=1e-6, equal_nan=True)


def test_segment_reduce_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="how must be one of"):
        segment_reduce([1.0], [0, 1], "mode")


# ------------------------------------------------------------------ one ragged core


def test_one_segment_engine_and_one_offsets_machinery():
    import skinfluence
    from skinfluence import nested, ragged
    from skinfluence.ragged import PostFeatures, RaggedIndex

    assert skinfluence.segment_reduce is ragged.segment_reduce is nested.segment_reduce
    assert issubclass(nested.FlatPosts, RaggedIndex) and issubclass(PostFeatures, RaggedIndex)
    frame, _ = make_check_frame(12, random_state=1)
    flat = flatten_posts(frame)
    pf = PostFeatures(np.zeros((flat.n_posts, 1)), flat.offsets)
    assert len(flat) == len(pf) == len(frame) and flat.n_posts == pf.n_posts
    np.testing.assert_array_equal(flat.counts(), pf.lengths)
    np.testing.assert_array_equal(flat.account_index(), pf.account_index())


def test_pool_posts_runs_on_the_segment_engine():
    from unittest import mock

    from skinfluence import pool_posts
    from skinfluence.features import _pooling

    values = np.arange(10.0, dtype=np.float32).reshape(5, 2)
    with mock.patch.object(_pooling, "segment_sum", wraps=_pooling.segment_sum) as sums, \
            mock.patch.object(_pooling, "segment_max", wraps=_pooling.segment_max) as maxes:
        mean = pool_posts(values, [0, 2, 2, 5], how="mean")
        top = pool_posts(values, [0, 2, 2, 5], how="max")
    assert sums.call_count >= 2 and maxes.call_count == 1
    assert mean.dtype == np.float32 and mean.tolist() == [[1.0, 2.0], [0.0, 0.0], [6.0, 7.0]]
    assert top.tolist() == [[2.0, 3.0], [0.0, 0.0], [8.0, 9.0]]
    np.testing.assert_array_equal(mean[:, 0], np.nan_to_num(segment_reduce(values[:, 0], [0, 2, 2, 5], "mean")))


def test_timestamps_are_converted_in_one_place():
    frame, _ = make_check_frame(12, random_state=1)
    flat = flatten_posts(frame)
    expected = (unnest_posts(frame)["timestamp"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    np.testing.assert_array_equal(flat.seconds("timestamp"), expected.to_numpy())
    with pytest.raises(AccountFrameError, match="'likes' must hold timestamps"):
        flat.seconds("likes")


# ------------------------------------------------ one string type, degraded columns (issue 13)


def _creators():
    from skinfluence import make_creators

    return make_creators(12, random_state=0).accounts


CREATORS = _creators()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, len(CREATORS) - 1), unique=True, max_size=len(CREATORS)))
def test_nest_inverts_unnest_on_make_creators_row_subsets(rows):
    # before: the round trip turned make_creators' string text into large_string
    subset = CREATORS.iloc[rows]
    again = nest_posts(subset.drop(columns="posts"), unnest_posts(subset))
    pd.testing.assert_frame_equal(again, subset)


def test_text_has_one_string_type_whatever_built_the_frame():
    fields = CREATORS["posts"].dtype.pyarrow_dtype.value_type
    assert fields.field("text").type == fields.field("label").type == pa.large_string()
    assert CREATORS["username"].dtype == pd.Series(["x"], dtype="str").dtype  # as the loaders
    # text given as string, large_string, pandas' str or Python objects: one type
    profiles = pd.DataFrame({"account_id": [1, 2]})
    for values in (pd.array(["a", None], dtype=pd.ArrowDtype(pa.string())),
                   pd.array(["a", None], dtype=pd.ArrowDtype(pa.large_string())),
                   pd.Series(["a", None], dtype="str"), pd.Series(["a", None], dtype=object)):
        frame = nest_posts(profiles, pd.DataFrame({"account_id": [1, 2], "text": values}))
        assert frame["posts"].dtype.pyarrow_dtype.value_type.field("text").type == pa.large_string()
    # so pandas.concat keeps a make_creators frame and a nest_posts frame columnar
    other = CREATORS.assign(account_id=CREATORS["account_id"] + 100)
    rebuilt = nest_posts(other.drop(columns="posts"), unnest_posts(other))
    both = pd.concat([CREATORS, rebuilt], ignore_index=True)
    assert both["posts"].dtype == CREATORS["posts"].dtype
    assert pa.types.is_timestamp(flatten_posts(both).table.schema.field("timestamp").type)


def test_a_posts_column_pandas_degraded_to_objects_is_named():
    # before: "post field 'timestamp' must hold timestamps, got Arrow type int64"
    other = nest_posts(pd.DataFrame({"account_id": [500]}),
                       pd.DataFrame({"account_id": [500], "likes": [1.5]}))
    degraded = pd.concat([CREATORS, other])
    assert degraded["posts"].dtype == object
    for frame in (degraded, CREATORS.astype({"posts": object})):
        with pytest.raises(AccountFrameError) as info:
            validate_account_frame(frame)
        msg = str(info.value)
        assert msg.startswith("column 'posts' has dtype object and holds NumPy arrays")
        assert "pandas.concat" in msg and "concat_accounts" in msg and "nest_posts" in msg


def test_concat_accounts_keeps_the_posts_columnar():
    from skinfluence import concat_accounts

    other = nest_posts(pd.DataFrame({"account_id": [500, 501], "followers": [3, 4]}),
                       pd.DataFrame({"account_id": [500], "likes": [1.5], "extra": ["x"]}))
    both = concat_accounts([CREATORS, other], ignore_index=True)
    assert list(both.columns) == list(CREATORS.columns)
    assert both.index.tolist() == list(range(len(CREATORS) + 2))
    flat = flatten_posts(both)
    assert flat.table.schema.field("likes").type == pa.float64()  # int64 and double joined
    assert pa.types.is_timestamp(flat.table.schema.field("timestamp").type)
    posts = unnest_posts(both)
    pd.testing.assert_series_equal(posts["text"].iloc[:-1], unnest_posts(CREATORS)["text"])
    assert posts["extra"].iloc[-1] == "x" and posts["extra"].iloc[:-1].isna().all()
    assert posts["timestamp"].iloc[-1] is pd.NaT and posts["likes"].iloc[-1] == 1.5
    assert both["posts"].list.len().tolist()[-2:] == [1, 0]
    # slices concatenate too, and ids stay unique
    part = concat_accounts([CREATORS.iloc[3:5], CREATORS.iloc[[0]]])
    pd.testing.assert_frame_equal(part, CREATORS.iloc[[3, 4, 0]])
    with pytest.raises(AccountFrameError, match="duplicated account id"):
        concat_accounts([CREATORS, CREATORS])
    with pytest.raises(AccountFrameError, match=r"frame 1 must be an account frame"):
        concat_accounts([CREATORS, CREATORS.drop(columns="posts")])


def test_rename_post_fields():
    from skinfluence import rename_post_fields

    frame, _ = make_check_frame(n_accounts=10)
    frame.index = frame.index + 7
    renamed = rename_post_fields(frame, {"likes": "like_count", "text": "caption"})
    assert renamed.index.equals(frame.index) and list(renamed.columns) == list(frame.columns)
    expected = unnest_posts(frame).rename(columns={"likes": "like_count", "text": "caption"})
    pd.testing.assert_frame_equal(unnest_posts(renamed), expected)
    pd.testing.assert_frame_equal(rename_post_fields(renamed, {"like_count": "likes", "caption": "text"}),
                                  frame)
    # row subsets, sliced or taken, keep their own posts
    for part in (frame.iloc[2:6], frame.iloc[[5, 0, 3]]):
        pd.testing.assert_frame_equal(unnest_posts(rename_post_fields(part, {"likes": "n"})),
                                      unnest_posts(part).rename(columns={"likes": "n"}))
    # Python lists of dicts are renamed too
    lists = pd.DataFrame({"account_id": ["a", "b"], "posts": [[{"like_count": 3}], []]})
    assert flatten_posts(rename_post_fields(lists, {"like_count": "likes"})).fields == ["likes"]


def test_rename_post_fields_errors():
    from skinfluence import rename_post_fields

    frame, _ = make_check_frame(n_accounts=8)
    with pytest.raises(AccountFrameError, match=r"post field\(s\) \['like'\] to rename are not in the "
                                                r"posts; posts have fields \[.*'likes'.*\]; did you "
                                                r"mean 'likes' for 'like'\?"):
        rename_post_fields(frame, {"like": "likes"})
    with pytest.raises(AccountFrameError, match=r"would give two post fields the name\(s\) \['likes'\]"):
        rename_post_fields(frame, {"comments": "likes"})
    with pytest.raises(TypeError, match="'mapping' parameter of rename_post_fields must be a dict"):
        rename_post_fields(frame, [("likes", "x")])
    with pytest.raises(AccountFrameError, match="nested 'posts' column"):
        rename_post_fields(frame.drop(columns="posts"), {"likes": "x"})


def test_numbers_stored_as_text_name_the_column_values_and_fix():
    # before: "must be numeric, got dtype str with values such as [] for account(s) []"
    frame = pd.DataFrame({"account_id": ["a", "b"], "followers": pd.Series(["10", "2000"], dtype="str")})
    with pytest.raises(AccountFrameError) as info:
        validate_account_frame(frame)
    msg = str(info.value)
    assert "column 'followers' must be numeric" in msg
    assert "values such as ['10', '2000'] for account(s) ['a', 'b']" in msg
    assert "pandas.to_numeric(frame['followers'])" in msg and "numbers stored as text" in msg
    mixed = frame.assign(followers=pd.Series(["10", "lots"], dtype="str"))
    with pytest.raises(AccountFrameError, match=r"values such as \['lots'\] for account\(s\) \['b'\]\. "
                                                r"Convert the column with pandas.to_numeric"):
        validate_account_frame(mixed)


def test_missing_required_fields_list_the_closest_names():
    frame = nest_posts(pd.DataFrame({"account_id": [1]}),
                       pd.DataFrame({"account_id": [1], "texts": ["hi"], "image_url": ["x"]}))
    with pytest.raises(AccountFrameError) as info:
        validate_account_frame(frame, required_post_fields=["text"])
    msg = str(info.value)
    assert msg.startswith("posts are missing required field(s) ['text']; posts have fields "
                          "['image_url', 'texts']; did you mean 'texts'? Map it with "
                          "skinfluence.rename_post_fields(frame, {'texts': 'text'})")
