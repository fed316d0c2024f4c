"""AudienceQuality: each influencer's fake-follower share (with a confidence interval),
inactive share and real reach, from a nested sample of its follower accounts."""

from __future__ import annotations

import numbers
from statistics import NormalDist

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import (
    FlatPosts,
    _account_labels,
    _numeric_column,
    _show,
    flatten_posts,
    segment_reduce,
)
from ..registry import register
from ..schemas import FAKE_ACCOUNT_COLUMNS
from ..utils.validation import check_account_frame, check_post_fields_seen
from ._fake import FakeFollowerDetector

__all__ = ["AudienceQuality", "AUDIENCE_FEATURES", "share_interval"]

#: Output columns of :class:`AudienceQuality`, in order, with their meaning.
AUDIENCE_FEATURES: dict[str, str] = {
    "fake_share": "estimated share of fake followers (adjusted for detector error), in [0, 1]",
    "fake_share_low": "lower end of the confidence interval of fake_share",
    "fake_share_high": "upper end of the confidence interval of fake_share",
    "inactive_share": "share of sampled followers inactive for more than inactive_days days",
    "real_reach": "followers x (1 - fake_share)",
    "n_sampled": "number of follower accounts in the influencer's sample",
}

_METHODS = ("pacc", "acc", "pcc", "cc")
_COUNT_FIELDS = ("n_posts", "n_followers", "n_following", "bio_length", "fullname_words")


def share_interval(n_labelled, n_labelled_fake, n_unlabelled, score_sum, *, mean_fake, mean_real,
                   var_fake, var_real, var_mean_fake=0.0, var_mean_real=0.0, confidence=0.95):
    """Point estimate and score interval of the fake share, vectorised over influencers.

    The estimator behind :class:`AudienceQuality`: followers with a known label
    count as such, each unlabelled follower contributes its detector score
    ``s``, corrected for the detector's error: with ``mean_fake = E[s | fake]``
    and ``mean_real = E[s | genuine]``, ``E[s] = mean_real + share (mean_fake -
    mean_real)``. The interval is the set of shares ``p`` in [0, 1] not rejected
    by a z-test of this equation, with the variance evaluated at ``p`` (as in
    Wilson's interval, to which it reduces when every follower is labelled);
    see ``docs/audience.md`` for the formulas.

    Parameters
    ----------
    n_labelled, n_labelled_fake, n_unlabelled, score_sum : array-like of shape (n_influencers,)
        Per influencer: labelled followers, those labelled fake, unlabelled
        followers and the sum of their scores.
    mean_fake, mean_real : float
        Mean score of fake and of genuine followers (``tpr``/``fpr`` for hard
        predictions); ``mean_fake > mean_real``.
    var_fake, var_real : float
        Variance of the score of fake and of genuine followers.
    var_mean_fake, var_mean_real : float, default=0.0
        Variance of the estimates ``mean_fake`` and ``mean_real`` (their
        uncertainty, shared by all influencers).
    confidence : float, default=0.95
        Nominal coverage.

    Returns
    -------
    share, low, high : ndarray of shape (n_influencers,)
        NaN where an influencer has no sampled follower.

    Examples
    --------
    >>> from skinfluence.audience import share_interval
    >>> share, low, high = share_interval([0], [0], [100], [30.0], mean_fake=0.9, mean_real=0.1,
    ...                                   var_fake=0.03, var_real=0.03)
    >>> round(float(share[0]), 3), round(float(low[0]), 3), round(float(high[0]), 3)
    (0.25, 0.166, 0.353)
    """
    L = np.asarray(n_labelled, dtype=np.float64)
    k = np.asarray(n_labelled_fake, dtype=np.float64)
    U = np.asarray(n_unlabelled, dtype=np.float64)
    S = np.asarray(score_sum, dtype=np.float64)
    n = L + U
    delta = float(mean_fake) - float(mean_real)
    if not delta > 0:
        raise ValueError(
            f"mean_fake ({mean_fake!r}) must be larger than mean_real ({mean_real!r}): the detector "
            "must score fake followers higher than genuine ones"
        )
    if not (isinstance(confidence, numbers.Real) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    z2 = z * z
    s0, s1, v0, v1 = float(var_real), float(var_fake), float(var_mean_real), float(var_mean_fake)
    d2 = delta * delta
    # D(p) = A - B p has mean 0 at the true share p; Var D(p) = c0 + c1 p + c2 p^2
    A = delta * k + S - U * float(mean_real)
    B = n * delta
    c0 = U * s0 + U * U * v0
    c1 = d2 * L + U * (s1 - s0 + d2) - 2.0 * U * U * v0
    c2 = -n * d2 + U * U * (v0 + v1)
    # (A - B p)^2 <= z^2 Var D(p)  <=>  a p^2 - b p + c <= 0
    a = B * B - z2 * c2
    b = 2.0 * A * B + z2 * c1
    c = A * A - z2 * c0
    share = np.full(n.shape, np.nan)
    low = np.full(n.shape, np.nan)
    high = np.full(n.shape, np.nan)
    has = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share[has] = np.clip(A[has] / B[has], 0.0, 1.0)
        disc = b * b - 4.0 * a * c
        root = np.sqrt(np.maximum(disc, 0.0))
        lo = (b - root) / (2.0 * a)
        hi = (b + root) / (2.0 * a)
    bounded = has & (a > 0)
    low[bounded] = np.clip(lo[bounded], 0.0, 1.0)
    high[bounded] = np.clip(hi[bounded], 0.0, 1.0)
    # no share in [0, 1] is accepted (the sample lies beyond what the error rates allow):
    # the interval collapses onto the clipped estimate, which is 0 or 1
    empty = bounded & ((disc < 0) | (hi < 0) | (lo > 1))
    low[empty] = share[empty]
    high[empty] = share[empty]
    # the estimate is clipped to [0, 1] while the test's accepted set may lie wholly above
    # (or below) it, e.g. one unlabelled follower scored below a zero-variance mean_real:
    # widen the interval to hold the reported estimate, never report a share outside it
    low[bounded] = np.minimum(low[bounded], share[bounded])
    high[bounded] = np.maximum(high[bounded], share[bounded])
    # the uncertainty of the error rates dominates (huge sample, few labelled): no bound
    unbounded = has & ~(a > 0)
    low[unbounded], high[unbounded] = 0.0, 1.0
    return share, low, high


@register("detector")
class AudienceQuality(ComponentMixin, TransformerMixin, BaseEstimator):
    """Each influencer's fake-follower share with a confidence interval, inactive share and real reach.

    The input is an account frame of influencers whose ``audience`` column
    holds, for each influencer, a random sample of its follower accounts
    (nested like posts: a ``list<struct>`` column) in the
    :data:`~skinfluence.datasets.FAKE_ACCOUNT_COLUMNS` schema, optionally with
    an activity field and an ``is_fake`` label on some followers (null on the
    others), as made by :func:`~skinfluence.datasets.make_audiences`.

    **Fitting.** Everything needed travels inside ``X``, so the component works
    in a Pipeline, ``cross_val_score`` and ``GridSearchCV`` without routing:

    - by default (``detector`` a plain classifier or None), ``fit`` trains a
      clone of the detector on the labelled followers found in the audiences,
      and estimates its error rates by stratified ``cv``-fold cross-validation
      on them;
    - with a detector already trained elsewhere (e.g. on the real fake-account
      sets), pass it wrapped in :class:`sklearn.frozen.FrozenEstimator`: it is
      not refitted, and its error rates are measured on the labelled followers
      (held out, since it never saw them).

    Either way the error rates come from labelled followers of the audiences
    being scored: rates measured on another population would not hold there
    (see the transfer AUCs in ``docs/benchmarks.md``). With ``method="pcc"``
    or ``"cc"`` (naive, uncorrected) no label is needed for a frozen detector.

    **Estimation.** The share of fake followers is not the mean of the
    detector's predictions, which is biased towards the detector's error
    rates (a detector with a 5 % false-positive rate sees 5 % fakes in a
    clean audience). ``method="pacc"`` (probabilistic adjusted classify and
    count, Bella et al. 2010; ``"acc"``: Forman 2008, with hard predictions)
    inverts ``E[s] = mean_real + share (mean_fake - mean_real)``, where ``s``
    is the detector's probability of "fake". Followers whose label is known
    count as labelled. The interval inverts a z-test with the variance at the
    tested share, including the sampling of the followers, the score noise
    and the uncertainty of ``mean_fake`` and ``mean_real``
    (:func:`share_interval`, ``docs/audience.md``).

    Parameters
    ----------
    detector : classifier, FrozenEstimator or None, default=None
        The follower classifier; None: ``FakeFollowerDetector(random_state=random_state)``.
        It is given a DataFrame of the follower fields (see ``feature_fields``)
        and must have ``predict_proba`` (``"pacc"``, ``"pcc"``) or ``predict``
        (``"acc"``, ``"cc"``), with classes 0 (genuine) and 1 (fake).
    method : {"pacc", "acc", "pcc", "cc"}, default="pacc"
        ``"pacc"``/``"acc"``: adjusted estimates from probabilities / hard
        predictions; ``"pcc"``/``"cc"``: naive mean of probabilities /
        predictions (biased; for comparison), with a Wilson interval that
        ignores detector error.
    confidence : float in (0, 1), default=0.95
        Nominal coverage of ``[fake_share_low, fake_share_high]``.
    cv : int or cross-validation splitter, default=5
        Folds for the error rates of a detector trained in ``fit`` (an int
        means ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``).
    feature_fields : list of str or None, default=None
        Follower fields given to the detector. None: those of
        ``FAKE_ACCOUNT_COLUMNS`` present in the audiences at fit (for a frozen
        detector with ``feature_names_in_``: those names).
    audience_column : str, default="audience"
        The nested column of follower samples.
    followers_column : str, default="followers"
        The influencer's follower count (for ``real_reach``).
    label_field : str, default="is_fake"
        Follower field with the known label (1/True fake, 0/False genuine,
        null unknown). Optional at transform.
    activity_field : str, default="last_active_days"
        Follower field with the days since the follower's last activity; when
        absent, ``inactive_share`` is NaN.
    inactive_days : float, default=90
        A follower is inactive when ``activity_field > inactive_days``.
    random_state : int, RandomState instance or None, default=None
        Seed of the cross-validation splits and of the default detector.

    Attributes
    ----------
    detector_ : classifier
        The fitted detector (the frozen one itself when frozen).
    feature_fields_ : list of str
        Follower fields given to the detector.
    mean_score_fake_, mean_score_real_ : float
        Mean score of labelled fake / genuine followers (out of fold when the
        detector is trained in ``fit``); ``tpr``/``fpr`` for ``"acc"``; 1 and
        0 for the naive methods.
    var_score_fake_, var_score_real_ : float
        Variance of those scores.
    n_labelled_fake_, n_labelled_real_ : int
        Labelled followers of each class seen in ``fit``.
    n_features_in_ : int
        Number of columns of the influencer frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the influencer frame seen in ``fit``.

    See Also
    --------
    FakeFollowerDetector : The default detector.
    share_interval : The estimator and its interval, as a function.
    skinfluence.datasets.make_audiences : Synthetic influencers with known shares.

    Notes
    -----
    - An influencer with an empty sample gets NaN ``fake_share``,
      ``fake_share_low``, ``fake_share_high``, ``inactive_share`` and
      ``real_reach`` (``n_sampled`` 0), unless it has 0 followers: then
      ``real_reach`` is 0. A missing follower count gives a NaN ``real_reach``.
    - The interval is for the share in the influencer's whole follower base,
      assuming the sample is a uniform random sample of it and that fake and
      genuine followers look alike across influencers (the detector's error
      rates on the labelled followers hold for every audience).
    - ``inactive_share`` is the share among sampled followers whose activity
      is known (NaN when none is).
    - Follower count fields (``n_posts``, ``n_followers``, ``n_following``,
      ``bio_length``, ``fullname_words``) must be non-negative; labels 0/1.

    Examples
    --------
    >>> from skinfluence.audience import AudienceQuality, FakeFollowerDetector
    >>> from skinfluence.datasets import make_audiences
    >>> data = make_audiences(40, followers_per_sample=(40, 120), labelled=0.3, random_state=0)
    >>> aq = AudienceQuality(cv=3, random_state=0).set_output(transform="pandas")
    >>> out = aq.fit_transform(data.accounts)
    >>> list(out.columns)
    ['fake_share', 'fake_share_low', 'fake_share_high', 'inactive_share', 'real_reach', 'n_sampled']
    >>> inside = (out.fake_share_low <= data.fake_share) & (data.fake_share <= out.fake_share_high)
    >>> bool(inside.mean() > 0.85)
    True
    """

    # the parameter naming the nested column (the shared checks drop it to test the error)

    def __init__(
        self,
        detector=None,
        *,
        method="pacc",
        confidence=0.95,
        cv=5,
        feature_fields=None,
        audience_column="audience",
        followers_column="followers",
        label_field="is_fake",
        activity_field="last_active_days",
        inactive_days=90,
        random_state=None,
    ):
        self.detector = detector
        self.method = method
        self.confidence = confidence
        self.cv = cv
        self.feature_fields = feature_fields
        self.audience_column = audience_column
        self.followers_column = followers_column
        self.label_field = label_field
        self.activity_field = activity_field
        self.inactive_days = inactive_days
        self.random_state = random_state

    # ---------------------------------------------------------------- params

    def _check_params(self):
        name = type(self).__name__
        if self.method not in _METHODS:
            raise ValueError(
                f"The 'method' parameter of {name} must be one of {list(_METHODS)}. "
                f"Got {self.method!r} instead."
            )
        if not (isinstance(self.confidence, numbers.Real) and not isinstance(self.confidence, bool)
                and 0 < self.confidence < 1):
            raise ValueError(
                f"The 'confidence' parameter of {name} must be a float in (0, 1). "
                f"Got {self.confidence!r} instead."
            )
        if isinstance(self.cv, bool) or not (
                (isinstance(self.cv, numbers.Integral) and self.cv >= 2) or hasattr(self.cv, "split")):
            raise ValueError(
                f"The 'cv' parameter of {name} must be an int >= 2 or a cross-validation splitter. "
                f"Got {self.cv!r} instead."
            )
        for param in ("audience_column", "followers_column", "label_field", "activity_field"):
            if not isinstance(getattr(self, param), str):
                raise ValueError(
                    f"The {param!r} parameter of {name} must be a str. "
                    f"Got {getattr(self, param)!r} instead."
                )
        if not (isinstance(self.inactive_days, numbers.Real) and not isinstance(self.inactive_days, bool)
                and np.isfinite(self.inactive_days) and self.inactive_days >= 0):
            raise ValueError(
                f"The 'inactive_days' parameter of {name} must be a non-negative number. "
                f"Got {self.inactive_days!r} instead."
            )
        ff = self.feature_fields
        if ff is not None and (isinstance(ff, str) or not all(isinstance(f, str) for f in ff)
                               or not list(ff) or len(set(ff)) != len(list(ff))):
            raise ValueError(
                f"The 'feature_fields' parameter of {name} must be None or a non-empty list of "
                f"distinct field names. Got {ff!r} instead."
            )
        if self.detector is not None and not hasattr(self.detector, "fit"):
            raise ValueError(
                f"The 'detector' parameter of {name} must be None, a classifier or a FrozenEstimator "
                f"wrapping a fitted classifier. Got {self.detector!r} instead."
            )

    def _frozen(self) -> bool:
        from sklearn.frozen import FrozenEstimator

        return isinstance(self.detector, FrozenEstimator)

    # ---------------------------------------------------------------- reading the audience

    def _validate(self, X, reset):
        return check_account_frame(
            self, X, reset=reset, posts_column=self.audience_column,
            required_columns=[self.followers_column],
        )

    def _resolve_fields(self, flat: FlatPosts) -> list[str]:
        if self.feature_fields is not None:
            fields = list(self.feature_fields)
        elif self._frozen() and hasattr(self.detector, "feature_names_in_"):
            fields = [str(f) for f in self.detector.feature_names_in_]
        else:
            fields = [f for f in FAKE_ACCOUNT_COLUMNS if f in flat.fields]
            if not fields:
                raise AccountFrameError(
                    f"the follower records of column {self.audience_column!r} have none of the "
                    f"follower fields {list(FAKE_ACCOUNT_COLUMNS)}; their fields are {flat.fields}. "
                    "Name the fields to use with feature_fields=[...]"
                )
        return fields

    def _features(self, X, flat: FlatPosts, fields) -> pd.DataFrame:
        missing = [f for f in fields if f not in flat.fields]
        if missing:
            raise AccountFrameError(
                f"the follower records of column {self.audience_column!r} lack the field(s) {missing} "
                f"the detector uses; their fields are {flat.fields}"
            )
        cols = {}
        for f in fields:
            col = flat.column(f)
            if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                    or pa.types.is_boolean(col.type) or pa.types.is_null(col.type)):
                raise AccountFrameError(
                    f"follower field {f!r} of column {self.audience_column!r} must be numeric, got "
                    f"Arrow type {col.type}"
                )
            values = flat.numeric(f)
            bad = np.isinf(values)
            if f in _COUNT_FIELDS:
                bad |= values < 0
            if bad.any():
                raise AccountFrameError(
                    f"follower field {f!r} must be finite" + (" and non-negative" if f in _COUNT_FIELDS else "")
                    + f" (NaN marks a missing value); {self._where(X, flat, np.flatnonzero(bad))} "
                    f"hold(s) {_show(values[bad])}"
                )
            cols[f] = values
        return pd.DataFrame(cols, columns=fields)

    def _where(self, X, flat, idx) -> str:
        owner = flat.account_index()[idx]
        within = idx - flat.offsets[owner]
        ids = _account_labels(X, owner, "account_id")
        shown = ", ".join(f"follower #{w} of influencer {a!r}"
                          for a, w in list(zip(ids, within, strict=True))[:5])
        return shown + (f" and {len(idx) - 5} more" if len(idx) > 5 else "")

    def _labels(self, X, flat: FlatPosts) -> np.ndarray:
        """Known labels as 0.0/1.0, NaN where unknown (all NaN without the field)."""
        if self.label_field not in flat.fields:
            return np.full(flat.n_posts, np.nan)
        col = flat.column(self.label_field)
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                or pa.types.is_boolean(col.type) or pa.types.is_null(col.type)):
            raise AccountFrameError(
                f"follower field {self.label_field!r} (the label) must hold 1/True (fake), 0/False "
                f"(genuine) or null, got Arrow type {col.type}"
            )
        y = flat.numeric(self.label_field)
        bad = ~np.isnan(y) & (y != 0) & (y != 1)
        if bad.any():
            raise AccountFrameError(
                f"follower field {self.label_field!r} (the label) must be 1 (fake), 0 (genuine) or null; "
                f"{self._where(X, flat, np.flatnonzero(bad))} hold(s) {_show(y[bad])}"
            )
        return y

    def _scores(self, detector, F: pd.DataFrame) -> np.ndarray:
        if len(F) == 0:
            return np.zeros(0)
        if self.method in ("pacc", "pcc"):
            if not hasattr(detector, "predict_proba"):
                raise ValueError(
                    f"method={self.method!r} needs a detector with predict_proba; "
                    f"{type(detector).__name__} has none. Use method='acc' or 'cc'"
                )
            proba = detector.predict_proba(F)
            return proba[:, self._positive_column(detector)]
        return (np.asarray(detector.predict(F)) == 1).astype(np.float64)

    @staticmethod
    def _positive_column(detector) -> int:
        classes = list(np.asarray(detector.classes_).tolist())
        if 1 not in classes:
            raise ValueError(
                f"the detector's classes_ are {classes}; AudienceQuality needs class 1 (fake)"
            )
        return classes.index(1)

    # ---------------------------------------------------------------- fit

    def fit(self, X, y=None):
        """Fit the detector (unless frozen) and estimate its error rates on labelled followers.

        Parameters
        ----------
        X : DataFrame of shape (n_influencers, n_columns)
            Influencer frame with the nested ``audience_column`` (follower
            records, some labelled in ``label_field``) and ``followers_column``.
        y : Ignored

        Returns
        -------
        self : AudienceQuality
        """
        self._check_extras()
        self._check_params()
        self._validate(X, reset=True)
        flat = flatten_posts(X, posts_column=self.audience_column)
        # the activity field, read when present at fit, must stay (else NaN inactive shares)
        check_post_fields_seen(self, [self.activity_field], flat.fields, reset=True)
        fields = self._resolve_fields(flat)
        F = self._features(X, flat, fields)
        labels = self._labels(X, flat)
        known = ~np.isnan(labels)
        F_lab, y_lab = F[known].reset_index(drop=True), labels[known].astype(np.int64)
        n_fake, n_real = int((y_lab == 1).sum()), int((y_lab == 0).sum())
        naive = self.method in ("pcc", "cc")
        frozen = self._frozen()

        if frozen:
            detector = self.detector
            oof = self._scores(detector, F_lab) if not naive else None
        else:
            detector = clone(self.detector) if self.detector is not None else \
                FakeFollowerDetector(random_state=self.random_state)
            min_per_class = self._n_splits() if not naive else 1
            if min(n_fake, n_real) < min_per_class:
                raise ValueError(
                    f"AudienceQuality needs labelled followers of both classes to train its detector "
                    f"(at least {min_per_class} of each"
                    + (f" for cv={self.cv!r}" if not naive else "")
                    + f"); the audiences hold {n_fake} labelled fake and {n_real} labelled genuine "
                    f"followers (field {self.label_field!r} of column {self.audience_column!r}). "
                    "Label more followers, or pass a detector trained elsewhere as "
                    "FrozenEstimator(detector)"
                )
            oof = None
            if not naive:
                oof = self._cross_val_scores(detector, F_lab, y_lab)
            detector.fit(F_lab, y_lab)

        if naive:
            mean_fake, mean_real, var_fake, var_real = 1.0, 0.0, 0.0, 0.0
        else:
            if min(n_fake, n_real) < 2:
                raise ValueError(
                    f"method={self.method!r} estimates the detector's error rates on labelled followers "
                    f"and needs at least 2 of each class; the audiences hold {n_fake} labelled fake and "
                    f"{n_real} labelled genuine followers (field {self.label_field!r})"
                )
            s_fake, s_real = oof[y_lab == 1], oof[y_lab == 0]
            mean_fake, mean_real = float(s_fake.mean()), float(s_real.mean())
            var_fake, var_real = float(s_fake.var(ddof=1)), float(s_real.var(ddof=1))
            if not mean_fake > mean_real:
                raise ValueError(
                    f"the detector does not separate the labelled followers: mean score of fake "
                    f"followers {mean_fake:.3f} <= genuine {mean_real:.3f}; the adjusted estimate is "
                    "undefined. Use a better detector or more labelled followers"
                )
        self.detector_ = detector
        self.feature_fields_ = fields
        self.mean_score_fake_, self.mean_score_real_ = mean_fake, mean_real
        self.var_score_fake_, self.var_score_real_ = var_fake, var_real
        self.n_labelled_fake_, self.n_labelled_real_ = n_fake, n_real
        return self

    def _n_splits(self) -> int:
        return int(self.cv) if isinstance(self.cv, numbers.Integral) else self.cv.get_n_splits()

    def _cross_val_scores(self, detector, F, y) -> np.ndarray:
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        cv = self.cv
        if isinstance(cv, numbers.Integral):
            cv = StratifiedKFold(int(cv), shuffle=True, random_state=self.random_state)
        method = "predict_proba" if self.method == "pacc" else "predict"
        out = cross_val_predict(clone(detector), F, y, cv=cv, method=method)
        if method == "predict_proba":
            return out[:, 1]  # cross_val_predict orders columns by the sorted labels 0, 1
        return (out == 1).astype(np.float64)

    # ---------------------------------------------------------------- transform

    def transform(self, X):
        """Estimate the audience quality of each influencer.

        Parameters
        ----------
        X : DataFrame of shape (n_influencers, n_columns)
            Influencer frame with the nested ``audience_column`` and
            ``followers_column``.

        Returns
        -------
        quality : ndarray of shape (n_influencers, 6)
            Columns as in ``get_feature_names_out()``: fake_share,
            fake_share_low, fake_share_high, inactive_share, real_reach,
            n_sampled.
        """
        check_is_fitted(self, "detector_")
        self._validate(X, reset=False)
        flat = flatten_posts(X, posts_column=self.audience_column)
        check_post_fields_seen(self, [self.activity_field], flat.fields, reset=False)
        F = self._features(X, flat, self.feature_fields_)
        labels = self._labels(X, flat)
        known = ~np.isnan(labels)
        scores = np.zeros(flat.n_posts)
        if (~known).any():
            scores[~known] = self._scores(self.detector_, F[~known])
        off = flat.offsets
        n_lab = segment_reduce(known.astype(np.float64), off, "sum")
        n_lab_fake = segment_reduce(np.where(known, labels, 0.0), off, "sum")
        n_unlab = segment_reduce((~known).astype(np.float64), off, "sum")
        score_sum = segment_reduce(np.where(known, 0.0, scores), off, "sum")
        naive = self.method in ("pcc", "cc")
        n_cls = (self.n_labelled_fake_, self.n_labelled_real_)
        share, low, high = share_interval(
            n_lab, n_lab_fake, n_unlab, score_sum,
            mean_fake=self.mean_score_fake_, mean_real=self.mean_score_real_,
            var_fake=self.var_score_fake_, var_real=self.var_score_real_,
            var_mean_fake=0.0 if naive else self.var_score_fake_ / n_cls[0],
            var_mean_real=0.0 if naive else self.var_score_real_ / n_cls[1],
            confidence=self.confidence,
        )
        if self.activity_field in flat.fields:
            days = flat.numeric(self.activity_field)
            inactive = np.where(np.isnan(days), np.nan, (days > self.inactive_days).astype(np.float64))
            inactive_share = segment_reduce(inactive, off, "mean")
        else:
            inactive_share = np.full(flat.n_accounts, np.nan)
        followers = _numeric_column(X, self.followers_column, "account_id")
        if (followers < 0).any() or np.isinf(followers).any():
            bad = np.flatnonzero((followers < 0) | np.isinf(followers))
            raise AccountFrameError(
                f"column {self.followers_column!r} must hold non-negative follower counts (NaN when "
                f"unknown); influencer(s) {_show(_account_labels(X, bad, 'account_id'))} hold "
                f"{_show(followers[bad])}"
            )
        real_reach = np.where(followers == 0, 0.0, followers * (1.0 - share))
        n_sampled = np.diff(off).astype(np.float64)
        return np.column_stack([share, low, high, inactive_share, real_reach, n_sampled])

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        names : ndarray of str
            ``fake_share, fake_share_low, fake_share_high, inactive_share,
            real_reach, n_sampled``.
        """
        check_is_fitted(self, "detector_")
        return np.asarray(list(AUDIENCE_FEATURES), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.nested_param = "audience_column"
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = True
        return tags

    @classmethod
    def get_test_params(cls):
        from sklearn.ensemble import HistGradientBoostingClassifier

        small = FakeFollowerDetector(HistGradientBoostingClassifier(max_iter=15, max_depth=3))
        return [
            {"detector": small, "cv": 3, "random_state": 0},
            {"detector": small, "method": "acc", "cv": 3, "confidence": 0.9, "random_state": 0},
        ]
