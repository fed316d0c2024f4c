"""Influencer labels, and detection of labels that leak from one input feature.

A common shortcut labels "influencers" by a rule on a profile count (the top
5 % of accounts by followers) and then trains a model on features that include
that count. The model rediscovers the rule and scores perfectly: the score
measures the labelling rule, not the model. :func:`make_influencer_labels`
builds such labels (documenting the rule exactly), and
:func:`check_label_leakage` / :class:`LeakageGuard` detect a label that is
(near-)deterministic in one input feature, with a
:class:`~skinfluence.exceptions.LeakageWarning`. See
``docs/profile_and_labels.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .base import ComponentMixin
from .exceptions import AccountFrameError, LeakageWarning
from .nested import ID_COLUMN, _account_labels, _numeric_column, _show
from .registry import register
from .utils._param_validation import (
    HasMethods,
    Interval,
    Real,
    StrOptions,
    fit_context,
    validate_parameter_constraints,
)

__all__ = ["make_influencer_labels", "leakage_scores", "check_label_leakage", "LeakageGuard"]


# ------------------------------------------------------------------------- labels


def make_influencer_labels(
    frame: pd.DataFrame | ArrayLike,
    by: str = "followers",
    quantile: float = 0.95,
    *,
    return_threshold: bool = False,
) -> np.ndarray | tuple[np.ndarray, float]:
    """Label accounts as influencers (1) when their ``by`` value is in the top share.

    Reproduces the target of the UCLA DataRes "Demystifying TikTok" study
    (Nov 2020): a creator is an influencer when its follower count is in the
    top 5 % of the data set (``by="followers", quantile=0.95``).

    .. warning::
       The label is a function of ``by``. A model given ``by`` (or anything
       computed from it, such as ``log1p(followers)``, a follower tier, or
       engagement per follower next to engagement) as an input learns the
       labelling rule and scores perfectly: the study reported perfect
       accuracy for this reason. Remove these features from the inputs, and
       wrap the model in :class:`LeakageGuard` (or call
       :func:`check_label_leakage`), which warns when a label is
       (near-)deterministic in one input feature.

    Parameters
    ----------
    frame : DataFrame or array-like of shape (n_accounts,)
        An account frame or profile table holding the ``by`` column, or the
        values themselves (a Series or a 1-D array).
    by : str, default="followers"
        Column to rank accounts by (ignored when ``frame`` holds the values).
    quantile : float in (0, 1), default=0.95
        Accounts at or above this quantile of ``by`` are labelled 1: the top
        ``1 - quantile`` share.

    Returns
    -------
    labels : ndarray of shape (n_accounts,), dtype=int64
        1 for influencers, 0 otherwise, in row order.
    threshold : float
        Only with ``return_threshold=True``: the ``by`` value from which an
        account is an influencer.

    Other Parameters
    ----------------
    return_threshold : bool, default=False
        Also return the threshold.

    Raises
    ------
    AccountFrameError
        When ``by`` is not a column of ``frame``, is not numeric (strings such
        as ``"3.3k"``: parse them with
        :func:`~skinfluence.datasets.parse_count`), or is missing or infinite
        for some accounts (named in the message). Missing values are never
        ranked: decide first whether such accounts are dropped or filled.

    See Also
    --------
    check_label_leakage : Warn when a label is (near-)deterministic in one feature.
    LeakageGuard : A meta-estimator that runs that check at every fit.

    Notes
    -----
    The threshold is ``numpy.quantile(values, quantile)`` with linear
    interpolation (the default of numpy and of pandas' ``Series.quantile``)
    over all accounts given, and an account is labelled 1 when its value is
    ``>= threshold``. Ties are never split: accounts with equal values get the
    same label, so when many accounts share the threshold value the
    influencer share exceeds ``1 - quantile``. Labels depend on the whole
    ``frame`` (the quantile is taken over it): computed once on the full data
    set before any split, the label is a fixed target definition.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.labels import make_influencer_labels
    >>> frame = pd.DataFrame({"account_id": list("abcdefghij"),
    ...                       "followers": [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]})
    >>> make_influencer_labels(frame, quantile=0.8, return_threshold=True)
    (array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]), 82.0)
    """
    validate_parameter_constraints(
        {
            "by": [str],
            "quantile": [Interval(Real, 0, 1, closed="neither")],
            "return_threshold": ["boolean"],
        },
        {"by": by, "quantile": quantile, "return_threshold": return_threshold},
        caller_name="make_influencer_labels",
    )
    if isinstance(frame, pd.DataFrame):
        if by not in frame.columns:
            raise AccountFrameError(
                f"make_influencer_labels: the table has no column {by!r} to rank accounts by; its "
                f"columns are {list(frame.columns)}"
            )
        values = _numeric_column(frame, by, ID_COLUMN)

        def who(idx):
            return f"account(s) {_show(_account_labels(frame, idx, ID_COLUMN))}"

        where = f"column {by!r}"
    else:
        if np.ndim(frame) != 1:
            raise AccountFrameError(
                f"make_influencer_labels: expected a DataFrame with a {by!r} column or a 1-D array "
                f"of values, got {type(frame).__name__} with {np.ndim(frame)} dimension(s)"
            )
        series = frame if isinstance(frame, pd.Series) else pd.Series(np.asarray(frame))
        values = _numeric_column(series.reset_index(drop=True).to_frame("values"), "values",
                                 ID_COLUMN)

        def who(idx):
            return f"row(s) {_show(idx)}"

        where = "the values"
    if values.size == 0:
        raise AccountFrameError("make_influencer_labels: no account to label (empty input)")
    bad = np.isnan(values)
    if bad.any():
        idx = np.flatnonzero(bad)
        raise AccountFrameError(
            f"make_influencer_labels: {where} is missing (NaN) for {len(idx)} {who(idx)}; missing "
            "values cannot be ranked: drop those accounts or fill them first"
        )
    bad = np.isinf(values)
    if bad.any():
        idx = np.flatnonzero(bad)
        raise AccountFrameError(
            f"make_influencer_labels: {where} is infinite for {len(idx)} {who(idx)}; expected "
            "finite values"
        )
    threshold = float(np.quantile(values, quantile))
    labels = (values >= threshold).astype(np.int64)
    if return_threshold:
        return labels, threshold
    return labels


# ------------------------------------------------------------------------ leakage

_TASKS = ("auto", "classification", "regression")


def _feature_columns(X, feature_names):
    """(names, list of 1-D float arrays or None for a non-numeric column, n_samples)."""
    import scipy.sparse as sp

    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
        cols = []
        for c in X.columns:
            s = X[c]
            if pd.api.types.is_bool_dtype(s.dtype):
                cols.append(s.to_numpy(dtype=np.float64, na_value=np.nan))
            elif pd.api.types.is_numeric_dtype(s.dtype):
                cols.append(s.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                cols.append(None)  # ids, text, nested posts: not scored
        n = len(X)
    elif sp.issparse(X):
        X = sp.csc_array(X)
        names = [f"x{j}" for j in range(X.shape[1])]
        cols = [X[:, [j]].toarray().ravel().astype(np.float64) for j in range(X.shape[1])]
        n = X.shape[0]
    else:
        arr = np.asarray(X)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"expected a 2-D X (n_samples, n_features), got shape {arr.shape}")
        names = [f"x{j}" for j in range(arr.shape[1])]
        n = arr.shape[0]
        cols = []
        for j in range(arr.shape[1]):
            try:
                cols.append(arr[:, j].astype(np.float64))
            except (TypeError, ValueError):
                cols.append(None)
    if feature_names is not None:
        feature_names = [str(n) for n in feature_names]
        if len(feature_names) != len(cols):
            raise ValueError(
                f"feature_names has {len(feature_names)} name(s) but X has {len(cols)} feature(s)"
            )
        names = feature_names
    return names, cols, n


def _pairwise_auc(x, codes, n_classes):
    """Mean over class pairs of max(AUC, 1 - AUC) of ``x`` separating the two classes.

    Pairs are weighted by their number of sample pairs (n_a * n_b), so tiny
    classes, whose AUC is 0 or 1 by chance, weigh little.
    """
    ok = ~np.isnan(x)
    x, codes = x[ok], codes[ok]
    present = np.unique(codes)
    if len(present) < 2:
        return np.nan
    sizes = np.bincount(codes, minlength=n_classes).astype(np.float64)
    # below[a, b]: number of (i in a, j in b) pairs with x_i < x_j, ties counting 1/2
    below = np.zeros((n_classes, n_classes))
    for a in present:
        xa = np.sort(x[codes == a])
        lt = np.searchsorted(xa, x, side="left")
        le = np.searchsorted(xa, x, side="right")
        below[a] = np.bincount(codes, weights=lt + 0.5 * (le - lt), minlength=n_classes)
    scores, weights = [], []
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            pairs = sizes[a] * sizes[b]
            auc = below[a, b] / pairs
            scores.append(max(auc, 1.0 - auc))
            weights.append(pairs)
    return float(np.average(scores, weights=weights))


def _spearman(x, y):
    from scipy.stats import rankdata

    ok = ~np.isnan(x)
    if ok.sum() < 3:
        return np.nan
    rx, ry = rankdata(x[ok]), rankdata(y[ok])
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return np.nan
    return float(abs(np.corrcoef(rx, ry)[0, 1]))


#: A numeric target with more distinct values than this is a regression target for task="auto".
MAX_AUTO_CLASSES = 20


def _resolve_task(y, task):
    kind = type_of_target(y, input_name="y")
    if kind not in ("binary", "multiclass", "continuous"):
        raise ValueError(
            f"leakage checks need a 1-D target (class labels or numbers); got a {kind!r} target"
        )
    if task != "auto":
        return task
    if kind == "continuous":
        return "regression"
    if kind == "multiclass" and np.asarray(y).dtype.kind in "iuf" and (
            len(np.unique(y)) > MAX_AUTO_CLASSES):
        return "regression"  # a count-like target, e.g. followers as integers
    return "classification"


_LEAKAGE_CONSTRAINTS: dict = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "feature_names": ["array-like", None],
    "task": [StrOptions(set(_TASKS))],
}


def leakage_scores(
    X: ArrayLike,
    y: ArrayLike,
    *,
    feature_names: Sequence[str] | None = None,
    task: str = "auto",
) -> tuple[list[str], np.ndarray]:
    """How well each feature alone predicts ``y``, from 0.5 (not at all) to 1 (exactly).

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The model's inputs. Non-numeric DataFrame columns (ids, text, nested
        posts) are not scored (NaN).
    y : array-like of shape (n_samples,)
        The target.
    feature_names : list of str, default=None
        Names of the features (default: the DataFrame's columns, else
        ``x0, x1, ...``).
    task : {"auto", "classification", "regression"}, default="auto"
        "auto": regression for continuous targets and for numeric targets
        with more than 20 distinct values (counts such as followers),
        classification otherwise (binary, multiclass or string labels).

    Returns
    -------
    names : list of str
        The feature names.
    scores : ndarray of shape (n_features,)
        Per feature, on the samples where the feature is not missing:

        - classification: the ROC AUC of the feature as a score for one class
          against another, direction-free (``max(AUC, 1 - AUC)``), averaged
          over all pairs of classes weighted by their numbers of sample pairs;
          ties count one half. It is 1.0 exactly
          when a threshold on the feature (or, for several classes, ordered
          thresholds, such as follower tiers) reproduces the label, 0.5 for an
          unrelated feature;
        - regression: the absolute Spearman rank correlation (1.0 when the
          target is a monotone function of the feature).

        NaN for a non-numeric feature, or when fewer than two classes (three
        samples for regression) have a value.

    Examples
    --------
    >>> import numpy as np
    >>> from skinfluence.labels import leakage_scores
    >>> followers = np.array([5, 80, 12, 900, 40, 7000, 3, 60])
    >>> noise = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    >>> names, scores = leakage_scores(np.c_[followers, noise], followers >= 900,
    ...                                feature_names=["followers", "noise"])
    >>> names, scores.round(3).tolist()
    (['followers', 'noise'], [1.0, 0.542])
    """
    validate_parameter_constraints(
        _LEAKAGE_CONSTRAINTS,
        {"X": X, "y": y, "feature_names": feature_names, "task": task},
        caller_name="leakage_scores",
    )
    names, scores, _ = _scores(X, y, feature_names, task)
    return names, scores


def _scores(X, y, feature_names, task):
    names, cols, n = _feature_columns(X, feature_names)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if len(y) != n:
        raise ValueError(f"X has {n} sample(s) but y has {len(y)}")
    task = _resolve_task(y, task)
    scores = np.full(len(cols), np.nan)
    if task == "classification":
        _, codes = np.unique(y, return_inverse=True)
        n_classes = int(codes.max()) + 1 if len(codes) else 0
        for j, col in enumerate(cols):
            if col is not None:
                scores[j] = _pairwise_auc(col, codes, n_classes)
    else:
        yf = y.astype(np.float64)
        for j, col in enumerate(cols):
            if col is not None:
                scores[j] = _spearman(col, yf)
    return names, scores, task


def _warn_leaks(flagged, threshold, task, stacklevel):
    what = "ROC AUC" if task == "classification" else "|Spearman correlation|"
    listed = ", ".join(f"{name!r} ({score:.3f})" for name, score in flagged)
    warnings.warn(
        f"The target is (near-)deterministic in {len(flagged)} input feature(s): {listed}; "
        f"single-feature {what} >= threshold {threshold}. A model given "
        f"{'this feature' if len(flagged) == 1 else 'these features'} learns the labelling rule, "
        "and its score measures that rule, not the model. If the label was computed from "
        f"{'it' if len(flagged) == 1 else 'them'} (e.g. top 5 % by followers), remove "
        f"{'it' if len(flagged) == 1 else 'them'} and every feature derived from "
        f"{'it' if len(flagged) == 1 else 'them'} from the inputs.",
        LeakageWarning,
        stacklevel=stacklevel + 1,
    )


_THRESHOLD = Interval(Real, 0.5, 1, closed="right")


def check_label_leakage(
    X: ArrayLike,
    y: ArrayLike,
    *,
    threshold: float = 0.98,
    feature_names: Sequence[str] | None = None,
    task: str = "auto",
) -> list[tuple[str, float]]:
    """Warn when the target is (near-)deterministic in one input feature.

    Scores each feature alone with :func:`leakage_scores` and emits one
    :class:`~skinfluence.exceptions.LeakageWarning` naming every feature whose
    score reaches ``threshold``, with its score. Turn the warning into an error
    with ``warnings.simplefilter("error", LeakageWarning)``.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        The model's inputs.
    y : array-like of shape (n_samples,)
        The target.
    threshold : float in (0.5, 1], default=0.98
        Score from which a feature is reported.
    feature_names : list of str, default=None
        Names of the features (default: the DataFrame's columns, else
        ``x0, x1, ...``).
    task : {"auto", "classification", "regression"}, default="auto"
        See :func:`leakage_scores`.

    Returns
    -------
    leaks : list of (str, float)
        The reported features and their scores, highest score first (empty
        when none reaches ``threshold``).

    See Also
    --------
    LeakageGuard : Run this check at every fit of a model.
    make_influencer_labels : Labels of this kind.

    Notes
    -----
    The check looks at one feature at a time and at monotone relations (a
    threshold, or ordered thresholds): a label computed from two features
    (e.g. ``followers`` recovered from ``engagement_rate`` and mean
    engagement), or a non-monotone function of one, is not detected. A
    feature can also score high because it genuinely predicts the target
    very well; the warning says the score would then measure that feature
    alone. With few samples of a class, unrelated features can reach high
    scores by chance (with classes of one sample each, any feature with
    distinct values separates every pair: such a target is only meaningful
    as a regression target).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skinfluence.labels import check_label_leakage, make_influencer_labels
    >>> rng = np.random.default_rng(0)
    >>> followers = rng.lognormal(10, 2, 500)
    >>> X = np.c_[followers, rng.normal(size=500)]
    >>> y = make_influencer_labels(followers)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     leaks = check_label_leakage(X, y, feature_names=["followers", "noise"])
    >>> leaks
    [('followers', 1.0)]
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    The target is (near-)deterministic in 1 input feature(s): 'followers' (1.000); ...
    """
    validate_parameter_constraints(
        {**_LEAKAGE_CONSTRAINTS, "threshold": [_THRESHOLD]},
        {"X": X, "y": y, "feature_names": feature_names, "task": task, "threshold": threshold},
        caller_name="check_label_leakage",
    )
    return _check(X, y, threshold=threshold, feature_names=feature_names, task=task,
                  stacklevel=3)[0]


def _check(X, y, *, threshold, feature_names, task, stacklevel):
    names, scores, task = _scores(X, y, feature_names, task)
    hit = np.flatnonzero(np.nan_to_num(scores, nan=0.0) >= threshold)
    order = hit[np.argsort(-scores[hit], kind="stable")]
    flagged = [(names[j], float(scores[j])) for j in order]
    if flagged:
        _warn_leaks(flagged, threshold, task, stacklevel)
    return flagged, names, scores


# --------------------------------------------------------------------- LeakageGuard


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


@register("detector")
class LeakageGuard(ComponentMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit a model, and warn when its target is (near-)deterministic in one of its input features.

    A meta-estimator: ``fit`` fits a clone of ``estimator``, then runs
    :func:`check_label_leakage` on the features the final estimator was
    trained on, emitting one :class:`~skinfluence.exceptions.LeakageWarning`
    per fit that finds a leak. Everything else (``predict``,
    ``predict_proba``, ``decision_function``, ``score``, ``transform``,
    ``classes_``) is delegated, so the guard goes wherever the model goes:
    ``cross_val_score``, ``GridSearchCV``, ``Pipeline``.

    Parameters
    ----------
    estimator : estimator object
        The model to fit (a classifier or regressor, or a Pipeline ending in
        one).
    threshold : float in (0.5, 1], default=0.98
        Single-feature score from which a feature is reported (see
        :func:`leakage_scores`).

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    checked_features_ : ndarray of str
        The features checked: the final estimator's input features (see
        Notes).
    leakage_scores_ : ndarray of shape (n_checked_features,)
        Single-feature score of each checked feature (NaN for non-numeric ones).
    leaks_ : list of (str, float)
        The features that reached ``threshold`` and their scores, highest first.
    classes_ : ndarray
        The classes of a fitted classifier.
    n_features_in_ : int
        Number of features seen in ``fit`` (when the estimator records it).
    feature_names_in_ : ndarray of str
        Names of the features seen in ``fit`` (when the estimator records them).

    See Also
    --------
    check_label_leakage : The check, as a function.
    make_influencer_labels : Labels of the kind this guards against.

    Notes
    -----
    When ``estimator`` is a :class:`~sklearn.pipeline.Pipeline`, the check
    runs on what its last step is trained on (the output of the earlier
    steps, transformed once more after fitting, with names from their
    ``get_feature_names_out`` when available), not on the raw input: a raw
    account frame carries ``followers`` even when the pipeline's features
    leave it out. Otherwise it runs on ``X`` (non-numeric columns skipped).
    The check needs ``y``; ``fit`` parameters are passed to the estimator.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skinfluence import LeakageGuard, make_influencer_labels
    >>> rng = np.random.default_rng(0)
    >>> log_followers = rng.normal(10, 2, 300)
    >>> engagement = rng.normal(size=300)
    >>> y = make_influencer_labels(log_followers)
    >>> guard = LeakageGuard(LogisticRegression())
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = guard.fit(np.c_[log_followers, engagement], y)
    >>> guard.leaks_
    [('x0', 1.0)]
    >>> caught[0].category.__name__
    'LeakageWarning'
    >>> guard.predict(np.c_[log_followers, engagement])[:5]
    array([0, 0, 0, 0, 0])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "threshold": [_THRESHOLD],
    }

    def __init__(self, estimator: BaseEstimator, *, threshold: float = 0.98) -> None:
        self.estimator = estimator
        self.threshold = threshold

    @fit_context(prefer_skip_nested_validation=False)  # ``estimator`` is the user's
    def fit(self, X: ArrayLike, y: ArrayLike, **fit_params) -> LeakageGuard:
        """Fit a clone of the estimator, then check its input features for leakage.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Training inputs.
        y : array-like of shape (n_samples,)
            Target (required: the check compares each feature with it).
        **fit_params : dict
            Passed to ``estimator.fit``. With metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``), only the
            metadata that the estimator requests (e.g.
            ``estimator.set_fit_request(sample_weight=True)``) is routed to it.

        Returns
        -------
        self : LeakageGuard
        """
        self._check_extras()
        if y is None:
            raise ValueError(
                "LeakageGuard requires y to be passed, but the target y is None: the leakage "
                "check compares each input feature with the target"
            )
        estimator = clone(self.estimator).fit(X, y, **self._route("fit", fit_params))
        self.estimator_ = estimator
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, attr):
                setattr(self, attr, getattr(estimator, attr))
        Xt, names = self._final_input(estimator, X)
        task = "regression" if get_tags(estimator).estimator_type == "regressor" else "auto"
        leaks, names, scores = _check(Xt, y, threshold=self.threshold, feature_names=names,
                                      task=task, stacklevel=3)
        self.checked_features_ = np.asarray(names, dtype=object)
        self.leakage_scores_ = scores
        self.leaks_ = leaks
        return self

    @staticmethod
    def _final_input(estimator, X):
        from sklearn.pipeline import Pipeline

        if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
            head = estimator[:-1]
            Xt = head.transform(X)
            try:
                names = list(head.get_feature_names_out())
            except (AttributeError, ValueError, TypeError):
                names = None
            if isinstance(Xt, pd.DataFrame):
                names = None  # the frame's own columns
            return Xt, names
        return X, None

    @property
    def classes_(self):
        """The classes of the fitted classifier."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.classes_

    @available_if(_estimator_has("predict"))
    def predict(self, X: ArrayLike, **params):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Input samples.
        **params : dict
            Passed to the estimator's ``predict`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The estimator's predictions.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X, **self._route("predict", params))

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: ArrayLike, **params):
        """Class probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Input samples.
        **params : dict
            Passed to the estimator's ``predict_proba`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The estimator's class probabilities.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X, **self._route("predict_proba", params))

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: ArrayLike, **params):
        """Class log-probabilities from the fitted estimator.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Input samples.
        **params : dict
            Passed to the estimator's ``predict_log_proba`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The estimator's class log-probabilities.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X, **self._route("predict_log_proba", params))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: ArrayLike, **params):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Input samples.
        **params : dict
            Passed to the estimator's ``decision_function`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The estimator's decision function.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X, **self._route("decision_function", params))

    @available_if(_estimator_has("transform"))
    def transform(self, X: ArrayLike, **params):
        """Transform with the fitted estimator.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Input samples.
        **params : dict
            Passed to the estimator's ``transform`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        X_out : array-like
            The estimator's output.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.transform(X, **self._route("transform", params))

    @available_if(_estimator_has("score"))
    def score(self, X: ArrayLike, y: ArrayLike, **params) -> float:
        """The fitted estimator's score.

        Parameters
        ----------
        X : array-like, DataFrame or whatever ``estimator`` takes
            Test samples.
        y : array-like of shape (n_samples,)
            True targets.
        **params : dict
            Passed to the estimator's ``score`` (routed, when metadata routing is
            enabled).

        Returns
        -------
        score : float
            The estimator's score.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.score(X, y, **self._route("score", params))

    def _route(self, method, params):
        """The parameters of ``method`` for the wrapped estimator.

        Routing off (scikit-learn's default): all of them, unchanged. Routing on: those
        the estimator requested for ``method``; scikit-learn raises, naming the
        ``set_<method>_request`` call, for metadata given but not requested.
        """
        if not get_config()["enable_metadata_routing"]:
            return params
        return process_routing(self, method, **params).estimator[method]

    def get_metadata_routing(self) -> MetadataRouter:
        """How metadata passed to the guard's methods reach the wrapped estimator.

        Each method is routed to the same method of ``estimator`` (``fit`` to
        ``fit``, ``predict`` to ``predict``, ...), so ``cross_validate(guard, X, y,
        params={"sample_weight": w})`` weighs the folds as it would the bare
        estimator. Used only with ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping()
        for method in ("fit", "predict", "predict_proba", "predict_log_proba",
                       "decision_function", "transform", "score"):
            mapping.add(caller=method, callee=method)
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator, method_mapping=mapping)

    def __sklearn_tags__(self):
        import copy

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.transformer_tags = copy.deepcopy(inner.transformer_tags)
        tags.input_tags = copy.deepcopy(inner.input_tags)
        tags.target_tags = copy.deepcopy(inner.target_tags)
        tags.target_tags.required = True
        tags.non_deterministic = inner.non_deterministic
        return tags

    @classmethod
    def get_test_params(cls):
        from sklearn.linear_model import LogisticRegression

        return [{"estimator": LogisticRegression()}]
