"""The bad-input suite: malformed input of each kind, fed to every registered component.

Each case corrupts the component's own check input (see
:func:`skinfluence.utils.estimator_checks.yield_skinfluence_checks` for how that input
is chosen by the input tags) in one way and asserts one of two outcomes:

- **an error** of the library's exception types (``AccountFrameError`` for account
  frames; ``ValueError`` or ``TypeError`` -- which every skinfluence error also is --
  for arrays and containers) whose message names the offending column, field or
  parameter; or
- **a documented result**: for a column or field the component does not read, the
  output is exactly what it is on the clean input (extra fields and columns are
  ignored, never guessed at).

A crash from deep inside pandas, numpy or torch (``KeyError``, ``AttributeError``,
``RuntimeError`` ...) fails the case, as does silent acceptance of a value the
component does read.

The cases are generated per component by :func:`bad_input_checks`; each is a
function named ``check_bad_input_<case>``, so a pytest id says which input broke
which component.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.utils import get_tags

from ..exceptions import AccountFrameError, SkinfluenceError
from ..nested import POSTS_COLUMN, nest_posts, unnest_posts

__all__ = ["bad_input_checks"]

_PROFILE_COLUMNS = ("followers", "following", "n_posts")
_NUMERIC_POST_FIELDS = ("likes", "comments", "views", "shares")
_ERRORS = (SkinfluenceError, ValueError, TypeError)


# ------------------------------------------------------------------------ outcomes


def _expect_error(call, names, where, types=_ERRORS):
    """``call()`` must raise one of ``types`` whose message contains every name."""
    try:
        call()
    except types as exc:
        message = str(exc)
        missing = [n for n in names if n not in message]
        if missing:
            raise AssertionError(
                f"{where}: the error should name {missing}; got {type(exc).__name__}: "
                f"{message}") from exc
        return exc
    raise AssertionError(f"{where}: accepted silently; expected an error naming {list(names)}")


def _error_or_same(call, clean, names, where):
    """An error naming ``names``, or exactly the clean output (the input is not read)."""
    from . import _check_inputs as ec

    try:
        out = call()
    except AccountFrameError as exc:
        message = str(exc)
        missing = [n for n in names if n not in message]
        if missing:
            raise AssertionError(f"{where}: the error should name {missing}; got: {message}") \
                from exc
        return
    except (ValueError, TypeError) as exc:
        raise AssertionError(
            f"{where}: expected an AccountFrameError naming {list(names)} (or the clean "
            f"output, if the component does not read it); got {type(exc).__name__}: {exc}"
        ) from exc
    ec._assert_same(clean, out, f"{where}: no error, but the output differs from the clean "
                                f"input's; a value the component reads was accepted silently")


def _fit_output(estimator, X, y):
    from . import _check_inputs as ec

    return ec._output(ec._fit(clone(estimator), X, y), X)


def _posts_column(estimator):
    from . import _check_inputs as ec

    nested = ec._input_tags(estimator).nested_param
    if nested is None or nested == "posts_column":
        return estimator.get_params().get("posts_column", POSTS_COLUMN)
    return None  # the nested column holds something else (e.g. an audience)


def _with_posts(frame, column, edit):
    """``frame`` with its nested posts rebuilt after ``edit(posts) -> posts``."""
    posts = edit(unnest_posts(frame, posts_column=column))
    # not validated here: the component's own validation is what is checked
    return nest_posts(frame.drop(columns=[column]), posts, posts_column=column, validate=False)


def _first_post_row(posts, field):
    """Index of the first post with a known (non-null) value of ``field``."""
    known = np.flatnonzero(posts[field].notna().to_numpy())
    return int(known[0]) if len(known) else 0


# --------------------------------------------------------------- account frames


def _account_frame_cases(estimator):
    from . import _check_inputs as ec

    tags = ec._input_tags(estimator)
    column = _posts_column(estimator)
    cases = {}

    def clean():
        X, y = ec._check_frame(estimator)
        return X, y

    def empty_frame():
        X, y = clean()
        _expect_error(lambda: ec._fit(clone(estimator), X.iloc[:0], y[:0]), ["account"],
                      "an account frame with no rows", (AccountFrameError, ValueError))

    cases["empty_frame"] = empty_frame

    for col in _PROFILE_COLUMNS:
        for how in ("negative", "infinite", "numeric_strings"):
            def profile_case(col=col, how=how):
                X, y = clean()
                reference = _fit_output(estimator, X, y)
                bad = X.copy()
                if how == "numeric_strings":
                    bad[col] = bad[col].astype(str)
                else:
                    values = bad[col].to_numpy(dtype=float, copy=True)
                    values[3] = -5.0 if how == "negative" else np.inf
                    bad[col] = values
                _error_or_same(lambda: _fit_output(estimator, bad, y), reference, [col],
                               f"profile column {col!r} with a {how.replace('_', ' ')} value")

            cases[f"profile_{col}_{how}"] = profile_case

    def extra_columns_ignored():
        X, y = clean()
        reference = _fit_output(estimator, X, y)
        bad = X.assign(unused_column="x")
        if column is not None:
            bad = _with_posts(bad, column, lambda p: p.assign(unused_field=1.5))
        ec._assert_same(reference, _fit_output(estimator, bad, y),
                        "an extra profile column and post field must be ignored")

    cases["extra_columns_and_fields_ignored"] = extra_columns_ignored
    if column is None or not tags.requires_posts:
        return cases

    def degraded_posts_column():
        X, y = clean()
        reference = _fit_output(estimator, X, y)
        bad = X.copy()
        bad[column] = pd.Series(list(X[column]), index=X.index, dtype=object)
        _error_or_same(lambda: _fit_output(estimator, bad, y), reference, [column],
                       f"the {column!r} column degraded to object dtype")

    cases["posts_column_degraded_to_object"] = degraded_posts_column

    for field in tags.post_fields:
        def missing_field(field=field):
            X, y = clean()
            bad = _with_posts(X, column, lambda p: p.drop(columns=[field]))
            _expect_error(lambda: ec._fit(clone(estimator), bad, y), [field],
                          f"posts without the field {field!r} it reads", (AccountFrameError,))

        def renamed_field(field=field):
            X, y = clean()
            bad = _with_posts(X, column, lambda p: p.rename(columns={field: f"my_{field}"}))
            _expect_error(lambda: ec._fit(clone(estimator), bad, y), [field, f"my_{field}"],
                          f"posts with the field {field!r} renamed 'my_{field}'",
                          (AccountFrameError,))

        def field_lost_after_fit(field=field):
            X, y = clean()
            est = ec._fit(clone(estimator), X, y)
            bad = _with_posts(X, column, lambda p: p.drop(columns=[field]))
            _expect_error(lambda: ec._output(est, bad), [field],
                          f"transform on posts without the field {field!r} seen at fit",
                          (AccountFrameError,))

        cases[f"missing_post_field_{field}"] = missing_field
        cases[f"renamed_post_field_{field}"] = renamed_field
        cases[f"post_field_{field}_lost_after_fit"] = field_lost_after_fit

    for field in _NUMERIC_POST_FIELDS:
        for how in ("negative", "infinite", "numeric_strings"):
            def post_case(field=field, how=how):
                X, y = clean()
                reference = _fit_output(estimator, X, y)

                def edit(posts):
                    posts = posts.copy()
                    if how == "numeric_strings":
                        posts[field] = posts[field].astype(str)
                    else:
                        values = posts[field].to_numpy(dtype=float, copy=True)
                        values[_first_post_row(posts, field)] = (-3.0 if how == "negative"
                                                                 else np.inf)
                        posts[field] = values
                    return posts

                bad = _with_posts(X, column, edit)
                _error_or_same(lambda: _fit_output(estimator, bad, y), reference, [field],
                               f"post field {field!r} with a {how.replace('_', ' ')} value")

            cases[f"post_{field}_{how}"] = post_case

    def garbage_timestamps():
        X, y = clean()
        reference = _fit_output(estimator, X, y)
        bad = _with_posts(X, column, lambda p: p.assign(
            timestamp=np.array(["not a date"] * len(p), dtype=object)))
        _error_or_same(lambda: _fit_output(estimator, bad, y), reference, ["timestamp"],
                       "post timestamps that are not dates")

    def numbers_as_text():
        X, y = clean()
        reference = _fit_output(estimator, X, y)
        bad = _with_posts(X, column, lambda p: p.assign(text=np.arange(len(p), dtype=float)))
        _error_or_same(lambda: _fit_output(estimator, bad, y), reference, ["text"],
                       "a text field holding numbers")

    cases["post_timestamp_not_dates"] = garbage_timestamps
    cases["post_text_numbers"] = numbers_as_text
    return cases


# ------------------------------------------------------------------ other kinds


def _posts_cases(estimator):
    from . import _check_inputs as ec

    cases = {}

    def non_finite_values():
        X, y = ec._check_frame(estimator)
        X.values = X.values.copy()
        X.values[np.flatnonzero(X.mask)[0], 0] = np.nan
        _expect_error(lambda: ec._fit(clone(estimator), X, y), ["finite"],
                      "per-post features with a NaN on a valid post")

    def empty():
        X, y = ec._check_frame(estimator)
        _expect_error(lambda: ec._fit(clone(estimator), X[np.zeros(0, dtype=int)], y[:0]),
                      ["account"], "a container with no accounts")

    cases["non_finite_post_values"] = non_finite_values
    cases["no_accounts"] = empty
    return cases


def _query_cases(estimator):
    from . import _check_inputs as ec

    cases = {}

    def missing_relevance():
        X, y, qid = ec.make_check_queries()
        y = y.copy()
        y[5] = np.nan
        _expect_error(lambda: clone(estimator).fit(X, y, qid=qid), ["row 5"],
                      "a missing (NaN) relevance")

    def qid_length():
        X, y, qid = ec.make_check_queries()
        _expect_error(lambda: clone(estimator).fit(X, y, qid=qid[:-1]), ["qid"],
                      "a qid shorter than the rows")

    def non_finite_features():
        X, y, qid = ec.make_check_queries()
        bad = {m: np.array(v, dtype=float) for m, v in X.candidates.items()}
        modality = next(iter(bad))
        bad[modality][2, 0] = np.inf

        def build_and_fit():
            Xb = type(X)(X.queries, bad, X.query_index, X.candidate_index,
                         query_ids=X.query_ids, candidate_ids=X.candidate_ids)
            return clone(estimator).fit(Xb, y, qid=qid)

        _expect_error(build_and_fit, [modality], "a candidate feature that is infinite")

    cases["missing_relevance"] = missing_relevance
    cases["qid_length_mismatch"] = qid_length
    cases["non_finite_features"] = non_finite_features
    return cases


def _pair_cases(estimator):
    from . import _check_inputs as ec

    pairs = ec.make_check_pairs

    def columns_reordered():
        X, y = pairs()
        est = clone(estimator).fit(X, y)
        b_cols = [c for c in X.columns if c.startswith("B_")]
        shuffled = X[[c for c in X.columns if not c.startswith("B_")] + b_cols[::-1]]
        ec._assert_same(ec._output(est, X), ec._output(est, shuffled),
                        "pair columns in another order must give the same output")

    def wrong_prefixes():
        X, y = pairs()
        est = clone(estimator).set_params(prefixes=("L_", "R_"))
        _expect_error(lambda: est.fit(X, y), ["L_"], "prefixes that match no column")

    def single_class():
        X, y = pairs()
        _expect_error(lambda: clone(estimator).fit(X, np.ones_like(y)), ["class"],
                      "a target with a single class", (ValueError,))

    cases = {"pair_columns_reordered": columns_reordered, "single_class": single_class}
    if "prefixes" in estimator.get_params():
        cases["wrong_prefixes"] = wrong_prefixes
    return cases


def _tabular_cases(estimator):
    cases = {}
    rng = np.random.default_rng(0)

    def table():
        X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
        y = np.arange(40) % 2
        return X, y

    def string_column():
        X, y = table()
        X["bio"] = "loves coffee"
        from . import _check_inputs as ec

        _expect_error(lambda: ec._fit(clone(estimator), X, y), ["bio"],
                      "a string column in a numeric table")

    def infinite_value():
        X, y = table()
        X.loc[4, "b"] = np.inf
        from . import _check_inputs as ec

        _expect_error(lambda: ec._fit(clone(estimator), X, y), ["infinity"],
                      "an infinite value in a numeric table")

    def empty_table():
        X, y = table()
        from . import _check_inputs as ec

        _expect_error(lambda: ec._fit(clone(estimator), X.iloc[:0], y[:0]), ["0 sample"],
                      "a table with no rows")

    cases["string_column"] = string_column
    cases["infinite_value"] = infinite_value
    cases["empty_table"] = empty_table
    return cases


def _single_class_case(estimator):
    from . import _check_inputs as ec

    def single_class():
        X, y = ec._check_frame(estimator) if _has_check_frame(estimator) else (
            pd.DataFrame(np.random.default_rng(0).normal(size=(30, 3)),
                         columns=["a", "b", "c"]), np.zeros(30, dtype=int))
        y = np.ones_like(y)
        _expect_error(lambda: ec._fit(clone(estimator), X, y), ["class"],
                      "a target with a single class", (ValueError,))

    return {"single_class": single_class}


def _has_check_frame(estimator):
    from . import _check_inputs as ec

    tags = ec._input_tags(estimator)
    return tags.account_frame or tags.posts


# ------------------------------------------------------------------------ public


def bad_input_checks(estimator):
    """The bad-input checks that apply to ``estimator``, chosen by its input tags.

    Parameters
    ----------
    estimator : estimator instance
        A skinfluence component (or a plugin's).

    Returns
    -------
    checks : list of callable
        Each takes the estimator and raises ``AssertionError`` on failure; its
        ``__name__`` is ``check_bad_input_<case>``.
    """
    from . import _check_inputs as ec

    tags = ec._input_tags(estimator)
    if tags.account_frame:
        cases = _account_frame_cases(estimator)
    elif tags.posts:
        cases = _posts_cases(estimator)
    elif tags.queries:
        cases = _query_cases(estimator)
    elif tags.pairs:
        cases = _pair_cases(estimator)
    elif hasattr(get_tags(estimator).input_tags, "account_frame"):
        cases = _tabular_cases(estimator)  # declares its input: a numeric table
    else:
        # plain scikit-learn input tags (a wrapper such as LeakageGuard): the input is
        # whatever the wrapped estimator takes, and so are its errors
        cases = {}
    if is_classifier(estimator) and not tags.pairs:
        cases.update(_single_class_case(estimator))
    checks = []
    for case, run in cases.items():
        def check(est, run=run, case=case):
            try:
                run()
            except AssertionError as exc:
                raise AssertionError(f"{type(est).__name__}: {exc}") from exc

        check.__name__ = check.__qualname__ = f"check_bad_input_{case}"
        checks.append(check)
    return checks
