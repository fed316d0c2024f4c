"""The inputs of the shared checks, and the helpers every check uses.

Kept apart from :mod:`skinfluence.utils.estimator_checks` so that the API checks and
the bad-input suite (:mod:`skinfluence.utils._bad_input`) both build on them without
importing each other. Test tooling only: production code never imports this module
(an import contract says so).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor
from sklearn.utils import get_tags

from ..nested import POSTS_COLUMN, nest_posts, unnest_posts

# ----------------------------------------------------------------------------- data


def make_check_frame(n_accounts: int = 24, random_state: int = 0):
    """A small account frame exercising the edge cases of the data contract.

    Two topics with distinct vocabularies, 0-6 posts per account (three
    accounts have none), one account with zero followers, missing ``views`` on
    some posts, NaN likes on one post, emoji and non-ASCII text.

    Returns
    -------
    frame : DataFrame
        Account frame with columns account_id, followers, following, n_posts, posts.
    y : ndarray of shape (n_accounts,)
        Binary topic label (0/1), balanced.
    """
    rng = np.random.default_rng(random_state)
    y = np.arange(n_accounts) % 2
    vocab = [
        ["lipstick", "serum", "glow", "makeup", "skincare", "#beauty", "💄"],
        ["squat", "protein", "run", "gym", "workout", "#fitness", "💪"],
    ]
    n_posts = rng.integers(1, 7, n_accounts)
    n_posts[[1, 4, 7]] = 0
    followers = np.round(10 ** rng.uniform(2, 6, n_accounts))
    followers[2] = 0
    profiles = pd.DataFrame({
        "account_id": [f"acc{i:03d}" for i in range(n_accounts)],
        "followers": followers,
        "following": rng.integers(0, 2000, n_accounts).astype(float),
        "n_posts": n_posts + rng.integers(0, 50, n_accounts),
    })
    owner = np.repeat(np.arange(n_accounts), n_posts)
    n = len(owner)
    words = [
        " ".join(rng.choice(vocab[y[a]], size=4)) + (" café" if k % 5 == 0 else "")
        for k, a in enumerate(owner)
    ]
    likes = np.round(followers[owner] * rng.uniform(0.01, 0.1, n))
    likes[0] = np.nan
    views = likes * rng.uniform(5, 20, n)
    views[::4] = np.nan
    posts = pd.DataFrame({
        "account_id": profiles["account_id"].to_numpy()[owner],
        "post_id": [f"p{k}" for k in range(n)],
        "text": words,
        "likes": likes,
        "comments": np.round(likes * 0.05),
        "views": views,
        "shares": rng.integers(0, 20, n).astype(float),
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC")
        + pd.to_timedelta(np.sort(rng.integers(0, 300, n)), unit="D"),
        "label": np.where(y[owner] == 1, "fitness", "beauty"),
    })
    return nest_posts(profiles, posts), y


# ---------------------------------------------------------------------------- helpers


def make_check_posts(n_accounts: int = 24, random_state: int = 0):
    """Per-post check input: :func:`make_check_frame` through a ``PostEncoder``.

    A :class:`~skinfluence.features.PostFeatures` container with a few text
    statistics per post, the post label (``"label"``) and engagement
    (``"engagement"``) as extra arrays, and three accounts without posts.

    Returns
    -------
    posts : PostFeatures
    y : ndarray of shape (n_accounts,)
    """
    from skinfluence.features import PostEncoder, TextStats

    frame, y = make_check_frame(n_accounts, random_state)
    encoder = PostEncoder(
        [("stats", TextStats(features=["words", "chars", "hashtags", "emoji"], pooling=None))],
        label_field="label", engagement_fields=["likes", "comments"],
    )
    return encoder.fit_transform(frame), y


def _check_frame(estimator, n_accounts: int = 24, random_state: int = 0):
    """The check input of ``estimator``, chosen by its input tags.

    Every input is built from :func:`make_check_frame` and the public data
    generators of :mod:`skinfluence.datasets`, never by the component itself:

    - ``posts`` components (per-post features) get :func:`make_check_posts`;
    - query rankers (``queries``) get the rows of :func:`make_check_queries`;
    - an account frame whose nested column is not the posts (``nested_param ==
      "audience_column"``, e.g. ``AudienceQuality``) gets a nested sample of follower
      accounts from :func:`~skinfluence.datasets.make_audiences`;
    - ``"image"`` in ``post_fields`` adds a small PNG to every post, drawn by
      :func:`~skinfluence.datasets.make_creators`;
    - otherwise the account frame of :func:`make_check_frame`.

    Returns
    -------
    X : DataFrame or PostFeatures
    y : ndarray of shape (n_accounts,)
    """
    tags = _input_tags(estimator)
    if tags.posts:
        return make_check_posts(n_accounts, random_state)
    if tags.queries:
        X, y, _ = make_check_queries(random_state=random_state)
        return X, y
    frame, y = make_check_frame(n_accounts, random_state)
    if "image" in tags.post_fields:
        frame = _with_images(frame, random_state)
    if tags.nested_param == "audience_column":
        frame = _with_audience(frame, getattr(estimator, tags.nested_param, "audience"),
                               random_state)
    return frame, y


def _with_images(frame, random_state):
    """``frame`` with an ``image`` field (8x8 PNG bytes) on every post."""
    from ..datasets import make_creators

    posts = unnest_posts(frame)
    images = unnest_posts(
        make_creators(max(len(posts), 1), n_posts=1, images="bytes", image_size=8,
                      random_state=random_state).accounts
    )["image"]
    posts["image"] = images.to_numpy()[: len(posts)]
    return nest_posts(frame.drop(columns=[POSTS_COLUMN]), posts)


def _with_audience(frame, column, random_state):
    """``frame`` with a nested sample of 20-40 follower accounts per row in ``column``.

    Half the followers are labelled. The accounts without posts (rows 1, 4 and 7) and
    those with zero followers get an empty sample, so the edge cases of the account
    frame are edge cases of the audience too.
    """
    from ..datasets import make_audiences

    data = make_audiences(len(frame), followers_per_sample=(20, 40), labelled=0.5,
                          random_state=random_state)
    empty = {i for i in (1, 4, 7) if i < len(frame)}
    empty |= set(np.flatnonzero(frame["followers"].to_numpy() == 0).tolist())
    frame = frame.copy()
    frame[column] = _empty_rows(data.accounts["audience"], sorted(empty)).set_axis(frame.index)
    return frame


def _empty_rows(nested: pd.Series, rows) -> pd.Series:
    """The nested (Arrow list) column with the lists of ``rows`` emptied."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(nested.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    keep = np.ones(len(arr), dtype=bool)
    keep[list(rows)] = False
    lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    owner = np.repeat(np.arange(len(arr)), lengths)
    values = arr.flatten().filter(pa.array(keep[owner]))
    offsets = np.concatenate([[0], np.cumsum(np.where(keep, lengths, 0))]).astype(np.int32)
    out = pa.ListArray.from_arrays(pa.array(offsets), values)
    return pd.Series(pd.arrays.ArrowExtensionArray(out), index=nested.index, name=nested.name)


def _input_tags(estimator):
    """The estimator's input tags, with skinfluence's flags (False for plain sklearn tags)."""
    tags = get_tags(estimator).input_tags
    defaults = {"account_frame": False, "posts": False, "pairs": False, "queries": False,
                "requires_posts": True, "post_fields": (), "nested_param": None}
    missing = {k: v for k, v in defaults.items() if not hasattr(tags, k)}
    if missing:  # a plain scikit-learn estimator: none of skinfluence's input kinds
        return SimpleNamespace(**{k: getattr(tags, k, v) for k, v in defaults.items()})
    return tags


def _is_posts(out) -> bool:
    """Whether ``out`` is a ragged per-post container (duck-typed: values, offsets, mask)."""
    return all(hasattr(out, a) for a in ("values", "offsets", "mask", "extras"))


def _n_rows(out) -> int:
    """Number of rows (accounts) of an output; a sparse matrix has no ``len``."""
    return out.shape[0] if hasattr(out, "toarray") else len(out)


def _requires_fit(estimator) -> bool:
    return estimator.__sklearn_tags__().requires_fit


def _output(estimator, X):
    """The component's main output on X: transform, else predict_proba/predict."""
    for method in ("transform", "predict_proba", "decision_function", "predict"):
        if hasattr(estimator, method):
            return getattr(estimator, method)(X)
    raise AssertionError(f"{type(estimator).__name__} has no transform or predict method")


def _fit(estimator, X, y):
    if is_classifier(estimator) or is_regressor(estimator) or _needs_y(estimator):
        return estimator.fit(X, y)
    return estimator.fit(X)


def _needs_y(estimator) -> bool:
    return estimator.__sklearn_tags__().target_tags.required


def _as_array(out):
    if _is_posts(out):
        return out.values
    if isinstance(out, (pd.DataFrame, pd.Series)):
        return out.to_numpy()
    if hasattr(out, "toarray"):
        return out.toarray()
    return np.asarray(out)


def _assert_same(a, b, msg):
    if _is_posts(a) or _is_posts(b):
        assert _is_posts(a) and _is_posts(b), f"{msg}: one output is a PostFeatures container, one is not"
        _assert_same(a.offsets, b.offsets, f"{msg} (offsets)")
        _assert_same(a.mask, b.mask, f"{msg} (mask)")
        assert sorted(a.extras) == sorted(b.extras), f"{msg}: extra arrays differ"
        for key in a.extras:
            _assert_same(a.extras[key], b.extras[key], f"{msg} (extra {key!r})")
        sa, sb = getattr(a, "sparse", {}) or {}, getattr(b, "sparse", {}) or {}
        assert sorted(sa) == sorted(sb), f"{msg}: sparse channels differ"
        for key in sa:
            _assert_same(sa[key], sb[key], f"{msg} (sparse channel {key!r})")
        aa, ab = getattr(a, "account_extras", {}) or {}, getattr(b, "account_extras", {}) or {}
        assert sorted(aa) == sorted(ab), f"{msg}: account extras differ"
        for key in aa:
            _assert_same(aa[key], ab[key], f"{msg} (account extra {key!r})")
        a, b = a.values, b.values
    a, b = _as_array(a), _as_array(b)
    assert a.shape == b.shape, f"{msg}: shapes differ {a.shape} vs {b.shape}"
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True, err_msg=msg)
    else:
        assert (a == b).all(), msg



def make_check_pairs(n_pairs: int = 60, random_state: int = 0):
    """Pair-table check input: pairs of the accounts of :func:`make_check_frame`.

    Each row puts two different accounts side by side (``A_``/``B_`` columns, from
    :func:`~skinfluence.ranking.make_pairs`); the target says whether A has more
    followers than B.

    Returns
    -------
    X : DataFrame
    y : ndarray of shape (n_pairs,)
    """
    from ..ranking import make_pairs

    frame, _ = make_check_frame()
    items = frame.drop(columns=[POSTS_COLUMN])
    rng = np.random.default_rng(random_state)
    ids = items["account_id"].to_numpy()
    a = rng.integers(0, len(ids), n_pairs)
    b = (a + rng.integers(1, len(ids), n_pairs)) % len(ids)
    X = make_pairs(items, np.column_stack([ids[a], ids[b]]))
    y = (items["followers"].to_numpy()[a] > items["followers"].to_numpy()[b]).astype(int)
    return X, y


def make_check_table(n_rows: int = 40, random_state: int = 0):
    """A numeric table (three float columns) and a balanced binary target."""
    X = pd.DataFrame(np.random.default_rng(random_state).normal(size=(n_rows, 3)),
                     columns=["a", "b", "c"])
    return X, np.arange(n_rows) % 2


def _fitted(estimator):
    """A fitted clone of ``estimator`` on the check input of its kind, and that input.

    Every kind: account frames and per-post features (:func:`_check_frame`), query
    rows (with their ``qid``), pair tables (:func:`make_check_pairs`) and, for the rest,
    a numeric table (:func:`make_check_table`).
    """
    from sklearn.base import clone

    est = clone(estimator)
    tags = _input_tags(est)
    if tags.queries:
        X, y, qid = make_check_queries()
        return est.fit(X, y, qid=qid), X
    if tags.account_frame or tags.posts:
        X, y = _check_frame(est)
    elif tags.pairs:
        X, y = make_check_pairs()
    else:
        X, y = make_check_table()
    return _fit(est, X, y), X


def make_check_queries(n_queries: int = 8, n_candidates: int = 12, random_state: int = 0):
    """Small query-ranking input: every query against every candidate, rows shuffled.

    Queries and candidates have 6-D pooled vectors; a row's relevance (0, 1 or 2) grows
    with the dot product of its two vectors, so a ranker can learn it. One query has no
    relevant row (a query the metrics leave out).

    Returns
    -------
    X : QueryCandidates
    y : ndarray of shape (n_queries * n_candidates,)
    qid : ndarray of shape (n_queries * n_candidates,)
    """
    from ..ranking import make_queries

    rng = np.random.default_rng(random_state)
    q = rng.normal(size=(n_queries, 6)).astype(np.float32)
    c = rng.normal(size=(n_candidates, 6)).astype(np.float32)
    fit = q @ c.T
    relevance = np.digitize(fit, np.quantile(fit, [0.7, 0.9])).astype(float)
    relevance[0] = 0.0
    pairs = pd.DataFrame({
        "brand_id": np.repeat([f"q{i}" for i in range(n_queries)], n_candidates),
        "account_id": np.tile(np.arange(n_candidates), n_queries),
        "relevance": relevance.ravel(),
    }).sample(frac=1.0, random_state=random_state)
    return make_queries({"v": q}, [f"q{i}" for i in range(n_queries)], {"v": c},
                        np.arange(n_candidates), pairs)
