"""Public API checks for skinfluence components, including the non-tabular ones.

scikit-learn's ``parametrize_with_checks`` only exercises estimators on 2-D
arrays: a component whose ``X`` is an account frame (nested posts), text or
images gets ``check_estimator_cloneable`` and nothing else. These checks cover
that gap on a small account frame built here (with empty post lists and a
zero-follower account), and plugin authors can run them on their own
components:

>>> from skinfluence import PostsText
>>> from skinfluence.utils.estimator_checks import check_component
>>> check_component(PostsText())  # raises AssertionError on the first failure

or, in a pytest module::

    from skinfluence.utils.estimator_checks import parametrize_with_skinfluence_checks

    @parametrize_with_skinfluence_checks([MyExtractor()])
    def test_skinfluence_api(estimator, check):
        check(estimator)
"""

from __future__ import annotations

import inspect
import pickle
from functools import partial
from unittest import mock

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold, cross_val_score
from sklearn.utils import _safe_indexing, get_tags

from ..exceptions import AccountFrameError, MissingDependencyError
from ._bad_input import bad_input_checks
from ._check_inputs import (  # noqa: F401  (the helpers are part of this module's namespace)
    _as_array,
    _assert_same,
    _check_frame,
    _empty_rows,
    _fit,
    _fitted,
    _input_tags,
    _is_posts,
    _n_rows,
    _needs_y,
    _output,
    _requires_fit,
    _with_audience,
    _with_images,
    make_check_frame,
    make_check_pairs,
    make_check_posts,
    make_check_queries,
    make_check_table,
)

__all__ = [
    "make_check_frame",
    "make_check_pairs",
    "make_check_table",
    "make_check_posts",
    "make_check_queries",
    "check_query_ranker",
    "check_skops_round_trip",
    "bad_input_checks",
    "check_component",
    "parametrize_with_skinfluence_checks",
    "yield_skinfluence_checks",
]


# ----------------------------------------------------------------------------- checks


def check_init_stores_params(estimator):
    """``__init__`` stores its arguments unchanged and does nothing else."""
    cls = type(estimator)
    params = estimator.get_params(deep=False)
    sig = inspect.signature(cls.__init__)
    names = [p for p in sig.parameters if p != "self"]
    assert sorted(params) == sorted(names), (
        f"{cls.__name__}.get_params() keys {sorted(params)} differ from __init__ arguments {sorted(names)}"
    )
    rebuilt = cls(**params)
    for name, value in params.items():
        assert getattr(rebuilt, name) is value, (
            f"{cls.__name__}.__init__ changed parameter {name!r}: it must store arguments unchanged"
        )
    fitted_attrs = [a for a in vars(rebuilt) if a.endswith("_") and not a.startswith("__")]
    assert not fitted_attrs, f"{cls.__name__}.__init__ sets fitted attributes {fitted_attrs}"


def _same_param(a, b) -> bool:
    """Whether two parameter values are equal as ``clone`` promises (estimators by params)."""
    if hasattr(a, "get_params") and not isinstance(a, type):
        return (
            type(a) is type(b)
            and a.get_params(deep=False).keys() == b.get_params(deep=False).keys()
            and all(
                _same_param(v, b.get_params(deep=False)[k])
                for k, v in a.get_params(deep=False).items()
            )
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same_param, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    try:
        return bool(a == b) or a is b
    except Exception:  # objects without a usable ==: identity is all clone can promise
        return a is b


def check_clone_and_set_params(estimator):
    """``clone`` keeps every parameter's value; ``set_params`` stores each value as given."""
    name = type(estimator).__name__
    params = estimator.get_params(deep=False)
    cloned = clone(estimator)
    cloned_params = cloned.get_params(deep=False)
    assert cloned_params.keys() == params.keys(), (
        f"{name}: clone changed the parameter names {sorted(params)} -> {sorted(cloned_params)}"
    )
    for key, value in params.items():
        assert _same_param(value, cloned_params[key]), (
            f"{name}: clone changed parameter {key!r}: {value!r} -> {cloned_params[key]!r}"
        )
    fresh = {key: clone(v) if hasattr(v, "get_params") else v for key, v in params.items()}
    assert cloned.set_params(**fresh) is cloned, f"{name}.set_params must return self"
    for key, value in fresh.items():
        assert getattr(cloned, key) is value, f"{name}.set_params did not store {key!r} as given"
    assert repr(cloned) == repr(estimator), f"{name}: repr differs after clone + set_params"


def check_not_fitted(estimator):
    """Using an unfitted component raises sklearn's ``NotFittedError``."""
    if not _requires_fit(estimator):
        return
    X, _ = _check_frame(estimator)
    for method in ("transform", "predict", "predict_proba"):
        if hasattr(estimator, method):
            try:
                getattr(clone(estimator), method)(X)
            except NotFittedError:
                continue
            raise AssertionError(
                f"{type(estimator).__name__}.{method} before fit did not raise NotFittedError"
            )


def check_fit_returns_self_and_is_deterministic(estimator):
    """``fit`` returns self; two fits give the same output (random_state fixed)."""
    X, y = _check_frame(estimator)
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    assert _fit(est, X, y) is est, f"{type(est).__name__}.fit must return self"
    out1 = _output(est, X)
    assert _n_rows(out1) == len(X), (
        f"{type(est).__name__} returned {_n_rows(out1)} rows for {len(X)} accounts: one row per account expected"
    )
    _assert_same(out1, _output(est, X), "two calls on the same fitted component differ")
    est2 = _fit(clone(est), X, y)
    _assert_same(out1, _output(est2, X), "two fits with the same random_state differ")


def check_rows_independent(estimator):
    """The output for a subset of accounts is the subset of the output (no leakage across rows)."""
    X, y = _check_frame(estimator)
    est = _fit(clone(estimator), X, y)
    rows = np.array([5, 1, 0, 2, 9])
    full = _output(est, X)
    full = full if _is_posts(full) else _as_array(full)
    sub = _output(est, _safe_indexing(X, rows))
    _assert_same(full[rows], sub, "output on a subset of accounts differs from the subset of the output")


def check_edge_accounts(estimator):
    """Accounts without posts and with zero followers flow through, with finite numeric output."""
    X, y = _check_frame(estimator)
    est = _fit(clone(estimator), X, y)
    out = _output(est, _safe_indexing(X, np.array([1, 2, 4, 7])))
    assert _n_rows(out) == 4
    out = _as_array(out)
    if out.dtype.kind in "fc":
        assert np.isfinite(out[~np.isnan(out)]).all(), "infinite output for edge-case accounts"


def check_pickle(estimator):
    """A fitted component pickles and gives the same output after loading."""
    X, y = _check_frame(estimator)
    est = _fit(clone(estimator), X, y)
    loaded = pickle.loads(pickle.dumps(est))
    _assert_same(_output(est, X), _output(loaded, X), "output differs after a pickle round trip")


def check_skops_round_trip(estimator):
    """A fitted component saves and loads with skops (safely) and joblib, same output.

    Through :func:`skinfluence.persistence.save` / :func:`~skinfluence.persistence.load`:
    the file holds no type outside :func:`~skinfluence.persistence.trusted_types` and
    skops' defaults (``load`` refuses any other), and no torch weights as pickled bytes.
    Skipped when skops is not installed.
    """
    import os
    import tempfile
    import unittest

    import joblib

    from ..persistence import load, save
    from ..utils._optional import is_installed

    if not is_installed("skops"):
        raise unittest.SkipTest("skops is not installed (pip install skops)")
    name = type(estimator).__name__
    est, X = _fitted(estimator)
    expected = _output(est, X)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "component.skops")
        save(est, path)
        loaded = load(path)  # raises UntrustedTypesError on a type it does not know
        _assert_same(expected, _output(loaded, X), f"{name}: output differs after a skops round trip")
        path = os.path.join(folder, "component.joblib")
        joblib.dump(est, path)
        _assert_same(expected, _output(joblib.load(path), X),
                     f"{name}: output differs after a joblib round trip")
    assert type(loaded) is type(est) and repr(loaded) == repr(est), (
        f"{name}: the skops round trip changed the parameters")


def check_cross_validation(estimator):
    """Account frames split by sklearn's splitters; predictors work in ``cross_val_score``."""
    X, y = _check_frame(estimator)
    if is_classifier(estimator) or is_regressor(estimator):
        scores = cross_val_score(clone(estimator), X, y, cv=3)
        assert len(scores) == 3 and np.isfinite(scores).all()
        return
    for train, test in KFold(3, shuffle=True, random_state=0).split(X):
        est = _fit(clone(estimator), _safe_indexing(X, train), y[train])
        assert _n_rows(_output(est, _safe_indexing(X, test))) == len(test)


def check_rejects_bad_input(estimator):
    """A 2-D array, or a frame without the columns the component reads, gives a clear error."""
    X, y = _check_frame(estimator)
    name = type(estimator).__name__
    try:
        _fit(clone(estimator), np.zeros((len(X), 3)), y)
    except (AccountFrameError, ValueError, TypeError) as exc:
        assert "account frame" in str(exc) or "DataFrame" in str(exc), (
            f"{name}: the error for a numeric array should say an account frame was expected; got: {exc}"
        )
    else:
        raise AssertionError(f"{name} accepted a 2-D numeric array where an account frame is expected")
    est = _fit(clone(estimator), X, y)
    if not _input_tags(estimator).requires_posts:
        _output(est, X.drop(columns=["posts"]))  # a profile table without posts is valid input
        try:
            _output(est, X[["account_id"]])
        except (AccountFrameError, ValueError) as exc:
            assert "missing" in str(exc), f"{name}: the error should name the missing column(s); got: {exc}"
        else:
            raise AssertionError(f"{name} accepted a frame without the profile columns it read in fit")
        return
    nested_param = _input_tags(estimator).nested_param or "posts_column"
    posts_column = estimator.get_params().get(nested_param, "posts")
    try:
        _output(est, X.drop(columns=[posts_column]))
    except (AccountFrameError, ValueError) as exc:
        assert posts_column in str(exc), f"{name}: the error should name the missing column; got: {exc}"
    else:
        raise AssertionError(f"{name} accepted a frame without its {posts_column!r} column")


def check_rejects_account_frame(estimator):
    """A component reading per-post features says what it expects when given an account frame."""
    frame, y = make_check_frame()
    name = type(estimator).__name__
    for X in (frame, np.zeros((len(frame), 3))):
        try:
            _fit(clone(estimator), X, y)
        except (TypeError, ValueError) as exc:
            assert "PostFeatures" in str(exc), (
                f"{name}: the error for {type(X).__name__} input should name the PostFeatures "
                f"container it expects; got: {exc}"
            )
        else:
            raise AssertionError(f"{name} accepted a {type(X).__name__} where PostFeatures are expected")


def check_feature_names_out(estimator):
    """``get_feature_names_out`` matches the output and ``set_output(transform="pandas")`` works."""
    if not hasattr(estimator, "get_feature_names_out") or not hasattr(estimator, "transform"):
        return
    X, y = _check_frame(estimator)
    est = _fit(clone(estimator), X, y)
    out = est.transform(X)
    if _is_posts(out):  # per-post output: the container carries the names
        assert list(out.feature_names) == list(est.get_feature_names_out()), (
            "get_feature_names_out differs from the feature names of the PostFeatures output"
        )
        return
    sparse_output = hasattr(out, "toarray")
    out = _as_array(out)
    if out.ndim != 2:
        return
    names = est.get_feature_names_out()
    assert len(names) == out.shape[1], "get_feature_names_out length differs from the output width"
    if sparse_output:  # like a vectorizer's: scikit-learn's set_output takes no sparse data
        return
    est.set_output(transform="pandas")
    df = est.transform(X)
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(names)
    index = X.index if X.index is not None else range(len(X))
    assert list(df.index) == list(index), "set_output('pandas') must keep the account frame's index"


def check_missing_extra_raises_at_fit(estimator):
    """With a declared extra missing, construction works and ``fit`` raises one clear error."""
    extras = getattr(get_tags(estimator), "extras", ())
    if not extras:
        return
    X, y = _check_frame(estimator)
    est = clone(estimator)  # constructing and cloning must not need the extra
    with mock.patch("skinfluence.base.missing_modules", side_effect=lambda mods: list(mods)):
        try:
            _fit(est, X, y)
        except MissingDependencyError as exc:
            assert "pip install" in str(exc) and "skinfluence[" in str(exc), str(exc)
        else:
            raise AssertionError(f"{type(est).__name__}.fit did not call self._check_extras()")


def check_query_ranker(estimator):
    """A query ranker: any row order, per-row scores, per-query ``score``, ``top_k``.

    - fitting on the rows in another order gives the same model (up to float noise);
    - ``predict`` gives one finite score per row and permuting the rows permutes them;
    - ``score`` is the mean per-query NDCG@10 (in [0, 1]), with the query ids carried by
      ``X`` or given as ``qid``, and the same whatever the row order;
    - ``top_k`` lists each query's best rows, by descending score.
    """
    from ..metrics import ndcg_at_k

    name = type(estimator).__name__
    X, y, qid = make_check_queries()
    est = clone(estimator).fit(X, y, qid=qid)
    scores = est.predict(X)
    assert scores.shape == (len(y),) and np.isfinite(scores).all(), (
        f"{name}.predict must give one finite score per row")
    perm = np.random.default_rng(1).permutation(len(y))
    np.testing.assert_allclose(est.predict(X[perm]), scores[perm], rtol=1e-5, atol=1e-6,
                               err_msg=f"{name}: permuting the rows must permute the scores")
    refit = clone(estimator).fit(X[perm], y[perm], qid=qid[perm])
    np.testing.assert_allclose(refit.predict(X), scores, rtol=1e-3, atol=1e-4,
                               err_msg=f"{name}: the model must not depend on the row order")
    expected = ndcg_at_k(y, scores, qid=qid, k=10)
    for value in (est.score(X, y), est.score(X, y, qid=qid), est.score(X[perm], y[perm])):
        assert value == pytest_approx(expected), (
            f"{name}.score must be the per-query NDCG@10 ({expected:.6f}); got {value}")
    top = est.top_k(X, k=3)
    assert (top.groupby("query").size() <= 3).all()
    for _, rows in top.groupby("query"):
        assert (np.diff(rows["score"].to_numpy()) <= 1e-12).all(), (
            f"{name}.top_k must list each query's rows by descending score")


def pytest_approx(value, rel=1e-6):
    """A tolerance object like ``pytest.approx`` (pytest is not a runtime dependency)."""

    class _Approx:
        def __eq__(self, other):
            return abs(other - value) <= rel * max(abs(value), 1e-12)

    return _Approx()


_FRAME_CHECKS = (
    check_init_stores_params,
    check_clone_and_set_params,
    check_missing_extra_raises_at_fit,
    check_not_fitted,
    check_fit_returns_self_and_is_deterministic,
    check_rows_independent,
    check_edge_accounts,
    check_pickle,
    check_cross_validation,
    check_rejects_bad_input,
    check_feature_names_out,
)
_POSTS_CHECKS = (
    check_init_stores_params,
    check_clone_and_set_params,
    check_missing_extra_raises_at_fit,
    check_not_fitted,
    check_fit_returns_self_and_is_deterministic,
    check_rows_independent,
    check_edge_accounts,
    check_pickle,
    check_cross_validation,
    check_rejects_account_frame,
    check_feature_names_out,
)
_GENERIC_CHECKS = (check_init_stores_params, check_clone_and_set_params, check_missing_extra_raises_at_fit)
_QUERY_CHECKS = _GENERIC_CHECKS + (check_query_ranker,)
# every kind, fitted on its check input (pairs and numeric tables too)
_PERSISTENCE_CHECKS = (check_skops_round_trip,)


def yield_skinfluence_checks(estimator):
    """Yield the checks that apply to ``estimator`` (by its input tags).

    The API checks of its input kind, the persistence check
    (:func:`check_skops_round_trip`, for every kind), then the bad-input suite
    (:func:`bad_input_checks`): malformed input of the same kind, each case asserting
    an error that names the offending column, field or parameter, or a documented
    result.
    """
    tags = _input_tags(estimator)
    if tags.account_frame:
        yield from _FRAME_CHECKS
    elif tags.posts:
        yield from _POSTS_CHECKS
    elif tags.queries:
        yield from _QUERY_CHECKS
    else:
        yield from _GENERIC_CHECKS
    yield from _PERSISTENCE_CHECKS
    yield from bad_input_checks(estimator)


def check_component(estimator) -> None:
    """Run every applicable skinfluence check on ``estimator``; raise on the first failure.

    A check that cannot run here (an optional package missing) is skipped.
    """
    import unittest

    for check in yield_skinfluence_checks(estimator):
        try:
            check(estimator)
        except unittest.SkipTest:
            continue


def _check_id(obj):
    if isinstance(obj, partial):
        return obj.func.__name__
    if callable(obj) and not hasattr(obj, "get_params"):
        return getattr(obj, "__name__", repr(obj))
    return repr(obj).replace("\n", "")


def parametrize_with_skinfluence_checks(estimators):
    """pytest decorator: one test per (estimator, check), like sklearn's ``parametrize_with_checks``."""
    import pytest

    pairs = [(est, check) for est in estimators for check in yield_skinfluence_checks(est)]
    return pytest.mark.parametrize("estimator, check", pairs, ids=[
        f"{_check_id(e)}-{c.__name__}" for e, c in pairs
    ])
