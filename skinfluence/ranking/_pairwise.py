"""PairwiseRanker: who is more influential, A or B? A classifier over pairs of accounts.

The pair frame comes from :func:`~skinfluence.ranking.make_pairs` (``_pairs.py``); what the
model sees of a pair is built in ``_pair_features.py``, the LightGBM model is trained in
``_booster.py`` and the per-account strengths in ``_strengths.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import sklearn
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..registry import register
from ..utils._param_validation import (
    HasMethods,
    Integral,
    Interval,
    OptionList,
    Real,
    fit_context,
)
from ._booster import MAX_LEAVES, fit_pairwise_booster
from ._pair_features import PAIR_FEATURES, logistic, pair_feature_names, pair_features, slog
from ._strengths import AccountIndex, distinct_rows, fit_strengths

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PairwiseRanker"]

# sklearn shared checks that fit on arrays with an odd number of columns (3 or 5)
_SKLEARN_BEFORE_1_7 = tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 7)

_ODD_WIDTH_CHECKS = (
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_dtypes",
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_predict1d",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_pipeline_consistency",
    "check_sample_weights_list",
    "check_supervised_y_2d",
)

# log-odds are clipped here for classifiers that output probabilities of exactly 0 or 1
_EPS = 1e-15
# pairs scored per chunk by score_items against the reference accounts
_CHUNK = 500_000


@register("ranker")
class PairwiseRanker(ComponentMixin, ClassifierMixin, BaseEstimator):
    """Predict which of two accounts is more influential, with a global score per account.

    A binary classifier over **pairs**: each row of ``X`` holds the features of an
    account A and the same features of an account B (the "wide pair frame"), and
    ``y`` says whether A won (``classes_[1]``, e.g. 1) or B won (``classes_[0]``).
    It is exactly antisymmetric: ``predict_proba`` of (A, B) equals 1 minus that of
    (B, A), bit for bit. With the default ``features="item"`` it scores each account
    on its own (``u(A) - u(B)`` is the log-odds that A wins, a Bradley-Terry model
    whose strengths are a boosted function of the features), so :meth:`score_items`
    and :meth:`rank` give a global influence score that agrees exactly with every
    pair prediction.

    Parameters
    ----------
    estimator : sklearn classifier or None, default=None
        None: LightGBM gradient boosting trained with a pairwise logistic objective,
        configured by the LightGBM parameters below (``n_estimators`` ...
        ``n_jobs``). A scikit-learn classifier (with ``predict_proba`` or
        ``decision_function``), e.g. ``LogisticRegression()``: a clone is trained on
        both orientations of every pair (A, B -> y and B, A -> 1 - y) and its
        log-odds are antisymmetrised (see Notes); the LightGBM parameters are
        then not used.
    features : {"item", "logdiff", "ratio", "raw"} or list of them, default="item"
        What the model sees of a pair (A, B); a list concatenates the blocks:

        - ``"item"``: the signed log ``sign(a) log1p(|a|)`` of A's own features
          only; the model is then exactly a difference ``u(A) - u(B)`` of
          per-account scores;
        - ``"logdiff"``: log-differences ``slog(a) - slog(b)``;
        - ``"ratio"``: relative differences ``(a - b) / (|a| + |b|)`` (0 where
          both are 0), i.e. ``2 a / (a + b) - 1`` for counts;
        - ``"raw"``: the raw values of both sides, ``a`` then ``b``.
    prefixes : tuple of two str, default: ``("A_", "B_")``
        Column prefixes of the two sides when ``X`` is a DataFrame: ``A_<feature>``
        and ``B_<feature>`` must name the same features. A 2-D array (or a frame
        without string column names) is split in the middle: the first half of the
        columns is A, the second half B, in the same feature order.
    id_column : str or None, default="account_id"
        Columns ``<prefix><id_column>`` (e.g. ``A_account_id`` and ``B_account_id``),
        when present in a DataFrame ``X``, hold account identities (any values,
        not used as features); see :func:`make_pairs`. Without them, accounts are
        identified by their feature vectors (identical values on every feature on
        either side = the same account). None: every column is a feature.
    strengths : bool, default=False
        Fit a latent strength per training account (Bradley-Terry), regularised
        towards the feature model: the log-odds become ``m(A, B) + s_A - s_B``.
        The strengths are fitted in ``fit`` on the training pairs only, around the
        feature model's out-of-fold margins (``strength_cv`` folds), so cross-
        validation stays honest; an account not seen in ``fit`` has strength 0 and
        is scored from its features alone.
    strength_alpha : float, default=3.0
        Ridge penalty of the strengths (the prior precision: ``s ~ N(0, 1/alpha)``).
        Larger values keep the predictions closer to the feature model.
    strength_cv : int, default=5
        Folds of the out-of-fold margins the strengths are fitted around; costs
        ``strength_cv`` extra fits of the feature model.
    n_reference : int, default=256
        For models that are not a pure difference (``features`` other than
        ``"item"``): :meth:`score_items` scores an account by its mean log-odds
        against up to this many distinct training accounts.
    n_estimators : int, default=100
        Boosting rounds (LightGBM only, as are the following parameters).
    learning_rate : float, default=0.1
        Shrinkage.
    num_leaves : int, default=31
        Maximum leaves per tree, from 2 to 131072 (LightGBM's limit).
    max_depth : int, default=-1
        Maximum tree depth; <= 0 means no limit.
    min_child_samples : int, default=20
        Minimum number of rows in a leaf; each pair gives two rows (one per
        orientation).
    min_child_weight : float, default=1e-3
        Minimum sum of Hessians in a leaf.
    subsample : float, default=1.0
        Fraction of rows used per tree (with ``subsample_freq > 0``).
    subsample_freq : int, default=0
        Resample rows every this many rounds; 0 disables subsampling.
    colsample_bytree : float, default=1.0
        Fraction of features used per tree.
    reg_alpha, reg_lambda : float, default=0.0
        L1 and L2 penalties on leaf values.
    min_split_gain : float, default=0.0
        Minimum loss reduction to split a leaf.
    random_state : int, RandomState instance or None, default=None
        Seeds LightGBM, the folds of ``strengths`` and the sample of reference
        accounts. A user-given ``estimator`` keeps its own ``random_state``.
    n_jobs : int or None, default=None
        LightGBM threads; None uses LightGBM's default (all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        ``classes_[1]`` means "A is more influential", ``classes_[0]`` "B is".
    booster_ : lightgbm.Booster or None
        The fitted LightGBM model (``estimator=None``); None if no feature varies
        in the training pairs (every pair then gets probability 0.5).
    estimator_ : classifier or None
        The fitted clone of ``estimator``.
    side_feature_names_ : ndarray of str
        The per-account features, without prefix (``x0``, ``x1`` ... for arrays).
    pair_feature_names_ : ndarray of str
        Names of the columns the model is trained on.
    difference_model_ : bool
        Whether the log-odds are exactly ``score(A) - score(B)`` (``features="item"``).
    n_accounts_ : int or None
        Distinct accounts in the training pairs (with ``strengths=True``).
    strengths_ : ndarray of shape (`n_accounts_`,) or None
        The fitted latent strength of each training account.
    reference_ : ndarray or None
        Raw features of the reference accounts used by :meth:`score_items`
        when ``difference_model_`` is False.
    n_features_in_ : int
        Number of feature columns of ``X`` in ``fit`` (both sides, ids excluded).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Their names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    make_pairs : Build the wide pair frame from an items table and a list of pairs.

    Notes
    -----
    **Antisymmetry.** With LightGBM the model is ``m(A, B) = F(z(A, B)) - F(z(B, A))``
    for one boosted function ``F`` of the pair features ``z``; ``F`` is trained
    with the logistic loss of ``m`` (gradients on the two rows of each pair), on
    ``2 x n_pairs`` rows as wide as ``z``. For any other classifier ``q``, trained
    on both orientations, ``m(A, B) = (logit q(z(A, B)) - logit q(z(B, A))) / 2``
    (``q`` clipped to [1e-15, 1 - 1e-15]; the decision function is used when there
    is no ``predict_proba``). Either way ``m(B, A) = -m(A, B)`` exactly, and the
    probability is computed for the favourite (``sigmoid(|m|)``, in [0.5, 1], where
    ``1 - p`` is exact) and its complement for the other side, so
    ``p(B, A) == 1 - p(A, B)`` holds bit for bit.

    **Global score.** With ``features="item"`` the log-odds are ``u(A) - u(B)``
    (``u = F`` or ``logit(q) / 2``, plus the strength), so :meth:`score_items`
    returns ``u`` and the ranking agrees with every pair prediction. With other
    features it returns the mean log-odds against ``n_reference`` training
    accounts: the least-squares projection of the pair model onto a difference
    model on a complete comparison graph (Borda-like); pair predictions then agree
    with it for most, not all, pairs.

    Input must be finite (NaN and infinity raise).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skinfluence.ranking import PairwiseRanker
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.lognormal(5, 2, (2, 400, 2))
    >>> X = pd.DataFrame({"A_followers": a[:, 0], "A_posts": a[:, 1],
    ...                   "B_followers": b[:, 0], "B_posts": b[:, 1]})
    >>> y = (a[:, 0] > b[:, 0]).astype(int)
    >>> ranker = PairwiseRanker(n_estimators=20, random_state=0).fit(X, y)
    >>> ranker.score(X, y) > 0.95
    True
    >>> swapped = X.rename(columns=lambda c: ("B_" if c[0] == "A" else "A_") + c[2:])
    >>> bool((ranker.predict_proba(X) == ranker.predict_proba(swapped[X.columns])[:, ::-1]).all())
    True
    >>> items = pd.DataFrame({"followers": [10.0, 1e6, 1e3], "posts": [5.0, 5.0, 5.0]})
    >>> ranker.rank(items)["rank"].tolist()
    [1, 2, 3]
    >>> ranker.rank(items).index.tolist()
    [1, 2, 0]
    """


    _parameter_constraints: dict = {
        "estimator": [
            None,
            HasMethods(["fit", "predict_proba"]),
            HasMethods(["fit", "decision_function"]),
        ],
        "features": [OptionList(PAIR_FEATURES)],
        "prefixes": [tuple, list],  # the two prefixes together are checked in fit
        "id_column": [str, None],
        "strengths": ["boolean"],
        "strength_alpha": [Interval(Real, 0, None, closed="neither")],
        "strength_cv": [Interval(Integral, 2, None, closed="left")],
        "n_reference": [Interval(Integral, 1, None, closed="left")],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "num_leaves": [Interval(Integral, 2, MAX_LEAVES, closed="both")],
        "max_depth": [Integral],  # <= 0: no limit
        "min_child_samples": [Interval(Integral, 0, None, closed="left")],
        "min_child_weight": [Interval(Real, 0, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "subsample_freq": [Interval(Integral, 0, None, closed="left")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "reg_alpha": [Interval(Real, 0, None, closed="left")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "min_split_gain": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator: ClassifierMixin | None = None,
        *,
        features: str | Sequence[str] = "item",
        prefixes: tuple[str, str] = ("A_", "B_"),
        id_column: str | None = "account_id",
        strengths: bool = False,
        strength_alpha: float = 3.0,
        strength_cv: int = 5,
        n_reference: int = 256,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        num_leaves: int = 31,
        max_depth: int = -1,
        min_child_samples: int = 20,
        min_child_weight: float = 1e-3,
        subsample: float = 1.0,
        subsample_freq: int = 0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        min_split_gain: float = 0.0,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.features = features
        self.prefixes = prefixes
        self.id_column = id_column
        self.strengths = strengths
        self.strength_alpha = strength_alpha
        self.strength_cv = strength_cv
        self.n_reference = n_reference
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.subsample_freq = subsample_freq
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.min_split_gain = min_split_gain
        self.random_state = random_state
        self.n_jobs = n_jobs

    @classmethod
    def get_test_params(cls):
        """Small configurations for the shared tests: LightGBM, strengths, a linear model."""
        from sklearn.linear_model import LogisticRegression

        return [
            {"n_estimators": 10, "n_jobs": 1},
            {"n_estimators": 5, "features": ["logdiff", "raw"], "strengths": True,
             "strength_cv": 2, "n_jobs": 1},
            {"estimator": LogisticRegression(), "features": "logdiff"},
        ]

    def _expected_failed_checks(self):
        odd = (
            "fits on an array with an odd number of columns; a pair array holds A's then B's "
            "features, so PairwiseRanker raises (tests/test_pairwise.py covers it on pairs)"
        )
        checks = dict.fromkeys(_ODD_WIDTH_CHECKS, odd)
        if self.estimator is None:
            checks["check_sample_weight_equivalence_on_dense_data"] = (
                "LightGBM's min_child_samples counts rows, not weights, so repeating a pair "
                "is not the same as doubling its weight (LightGBM lists the same failure)"
            )
        elif _SKLEARN_BEFORE_1_7:
            checks["check_sample_weight_equivalence_on_dense_data"] = (
                "scikit-learn < 1.7 makes y binary separately for the shuffled weighted and the "
                "repeated data (relative to each array's first label), so the two fits see "
                "different labels; fixed in 1.7, where this check passes"
            )
        return checks

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairs = True
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------------ params

    def _check_prefixes(self):
        """The two prefixes together, and a non-empty id column: what the constraints cannot say."""
        p = self.prefixes
        if (len(p) != 2 or not all(isinstance(s, str) and s for s in p)
                or p[0].startswith(p[1]) or p[1].startswith(p[0])):
            raise ValueError(
                "The 'prefixes' parameter of PairwiseRanker must be a pair of non-empty strings, "
                f"neither a prefix of the other. Got {p!r} instead."
            )
        if self.id_column == "":
            raise ValueError(
                "The 'id_column' parameter of PairwiseRanker must be a non-empty str or None. "
                "Got '' instead."
            )

    # ------------------------------------------------------------------- input

    def _id_columns(self, X):
        """Split account-id columns off a DataFrame: (frame of features, ids_a, ids_b)."""
        import pandas as pd

        if not isinstance(X, pd.DataFrame) or self.id_column is None:
            return X, None, None
        names = [f"{p}{self.id_column}" for p in self.prefixes]
        present = [n in X.columns for n in names]
        if not any(present):
            return X, None, None
        if not all(present):
            missing = names[present.index(False)]
            raise ValueError(
                f"X has the account-id column {names[present.index(True)]!r} but not "
                f"{missing!r}: give ids for both sides or neither (id_column={self.id_column!r})"
            )
        ids = [X[n].to_numpy(dtype=object) for n in names]
        bad = np.flatnonzero(pd.isna(ids[0]) | pd.isna(ids[1]))
        if len(bad):
            raise ValueError(
                f"missing account ids in {names} at rows {bad[:5].tolist()}"
                f"{' ...' if len(bad) > 5 else ''} (positions in X)"
            )
        return X.drop(columns=names), ids[0], ids[1]

    def _check_frame_columns(self, X):
        """Clear errors for a DataFrame whose columns are not numeric A/B features."""
        import pandas as pd

        if not isinstance(X, pd.DataFrame):
            return
        names = list(X.columns)
        if names and all(isinstance(n, str) for n in names):
            pa, pb = self.prefixes
            neither = [n for n in names if not (n.startswith(pa) or n.startswith(pb))]
            if neither:
                # checked before the dtypes: with the wrong prefixes, the id columns would
                # otherwise be reported as non-numeric features
                which = "none of its columns" if len(neither) == len(names) else f"column(s) {neither}"
                raise AccountFrameError(
                    f"the prefixes {tuple(self.prefixes)!r} do not match the columns of X: "
                    f"{which} start with neither prefix {pa!r} nor {pb!r} (X has the columns "
                    f"{names}). Every column of a pair frame belongs to side A or B: pass the "
                    "prefixes these columns use (parameter prefixes)"
                )
        types = pd.api.types
        non_numeric = [c for c, dtype in X.dtypes.items()
                       if not types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)]
        if non_numeric:
            hint = (f"; account ids go in columns named {self.prefixes[0]}{self.id_column!s} and "
                    f"{self.prefixes[1]}{self.id_column!s} (parameter id_column)")
            raise ValueError(f"PairwiseRanker needs numeric features; column(s) {non_numeric} "
                             f"are not numeric{hint}")

    def _columns_as_in_fit(self, X):
        """The pair columns of a DataFrame in the order seen in ``fit``, selected by name.

        ``fit`` finds the sides by name, so any column order is accepted there; the same
        holds here (scikit-learn's check would reject another order).
        """
        import pandas as pd

        if not (isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_")):
            return X
        expected = list(self.feature_names_in_)
        names = list(X.columns)
        if names == expected or not all(isinstance(n, str) for n in names):
            return X
        missing = [n for n in expected if n not in set(names)]
        extra = [n for n in names if n not in set(expected)]
        if missing or extra:
            raise AccountFrameError(
                "X must have the pair columns seen in fit (in any order)"
                + (f"; missing: {missing}" if missing else "")
                + (f"; not seen in fit: {extra}" if extra else "")
                + f". Expected the columns {expected}"
            )
        return X[expected]

    def _sides_from_names(self, names):
        pa, pb = self.prefixes
        a = {n[len(pa):]: i for i, n in enumerate(names) if n.startswith(pa)}
        b = {n[len(pb):]: i for i, n in enumerate(names) if n.startswith(pb)}
        neither = [n for n in names if not (n.startswith(pa) or n.startswith(pb))]
        if neither:
            raise ValueError(
                f"column(s) {neither} start with neither prefix {pa!r} nor {pb!r}: every feature "
                f"column of a pair frame belongs to side A or B (parameter prefixes)"
            )
        only_a, only_b = [f for f in a if f not in b], [f for f in b if f not in a]
        if only_a or only_b:
            raise ValueError(
                "the two sides must have the same features; "
                + "; ".join(
                    f"{p + f!r} has no counterpart {q + f!r}"
                    for p, q, fs in ((pa, pb, only_a), (pb, pa, only_b)) for f in fs)
            )
        if not a:
            raise ValueError(f"X has no feature column starting with {pa!r} or {pb!r}")
        order = list(a)
        return (np.array([a[f] for f in order]), np.array([b[f] for f in order]),
                np.asarray(order, dtype=object))

    def _pair_features(self, first, second):
        return pair_features(first, second, self._modes_)

    # --------------------------------------------------------------------- fit

    @fit_context(prefer_skip_nested_validation=False)  # ``estimator`` is the user's
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> PairwiseRanker:
        """Fit the pair model (and the account strengths if asked).

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_pairs, 2 * n_side_features)
            The wide pair frame: A's features then B's (see ``prefixes`` and
            ``id_column``).
        y : array-like of shape (n_pairs,)
            Two classes; ``classes_[1]`` (e.g. 1) means A is more influential.
        sample_weight : array-like of shape (n_pairs,), default=None
            Weights of the pairs.

        Returns
        -------
        self : PairwiseRanker
        """
        self._check_extras()
        self._check_prefixes()
        self._modes_ = [self.features] if isinstance(self.features, str) else list(self.features)
        X, ids_a, ids_b = self._id_columns(X)
        self._check_frame_columns(X)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            raise ValueError(
                "Only binary classification is supported: y says for each pair whether A or B is "
                f"more influential. The type of the target is {y_type}."
            )
        weight = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        classes, y_index = np.unique(y, return_inverse=True)
        present = classes if weight is None else np.unique(y[weight > 0])
        if len(classes) != 2 or len(present) != 2:
            raise ValueError(
                "PairwiseRanker needs both classes in y (B more influential, A more influential)"
                f"{'' if weight is None else ' among the pairs with non-zero sample_weight'}; "
                f"got one class only: {present.tolist()}"
            )
        rng = self._set_layout(X, has_ids=ids_a is not None)
        y01 = y_index.astype(np.float64)

        A, B = X[:, self._a_idx], X[:, self._b_idx]
        booster, estimator = self._fit_base(A, B, y01, weight)

        strengths = n_accounts = None
        self._accounts = None
        if self.strengths:
            accounts = AccountIndex(np.vstack([A, B]),
                                    None if ids_a is None else np.r_[ids_a, ids_b])
            n = len(y01)
            code_a, code_b = accounts.codes[:n], accounts.codes[n:]
            offset = self._out_of_fold_margins(A, B, y01, weight, rng)
            strengths = fit_strengths(code_a, code_b, y01, offset, weight,
                                      float(self.strength_alpha), len(accounts))
            self._accounts, n_accounts = accounts, len(accounts)

        self.classes_ = classes
        self.booster_, self.estimator_ = booster, estimator
        self.n_accounts_, self.strengths_ = n_accounts, strengths
        self.reference_ = self._reference_ids = None
        if not self.difference_model_:
            self._choose_reference(A, B, ids_a, ids_b, rng)
        return self

    def _set_layout(self, X, *, has_ids):
        """Where each side's features sit in the validated ``X``; the seed. Returns the RNG.

        Shared by :meth:`fit` and the Dask training (:func:`~skinfluence.ranking.fit_dask`),
        which validates one partition and trains on all of them.
        """
        if hasattr(self, "feature_names_in_"):
            a_idx, b_idx, names = self._sides_from_names(list(self.feature_names_in_))
        else:
            if X.shape[1] % 2:
                raise ValueError(
                    f"X has {X.shape[1]} columns; a pair array needs an even number: the first "
                    f"half are A's features, the second half B's, in the same order"
                )
            k = X.shape[1] // 2
            a_idx, b_idx = np.arange(k), np.arange(k, 2 * k)
            names = np.asarray([f"x{i}" for i in range(k)], dtype=object)
        self._a_idx, self._b_idx = a_idx, b_idx
        self.side_feature_names_ = names
        self.pair_feature_names_ = pair_feature_names(self._modes_, names, self.prefixes)
        self.difference_model_ = self._modes_ == ["item"]
        self._has_ids = has_ids
        rng = check_random_state(self.random_state)
        self._seed = None if self.random_state is None else int(rng.randint(np.iinfo(np.int32).max))
        return rng

    def _booster_params(self):
        """LightGBM's parameters of the pair model (native names), without the objective."""
        params = {
            "learning_rate": float(self.learning_rate),
            "num_leaves": int(self.num_leaves),
            "max_depth": int(self.max_depth),
            "min_data_in_leaf": int(self.min_child_samples),
            "min_sum_hessian_in_leaf": float(self.min_child_weight),
            "bagging_fraction": float(self.subsample),
            "bagging_freq": int(self.subsample_freq),
            "feature_fraction": float(self.colsample_bytree),
            "lambda_l1": float(self.reg_alpha),
            "lambda_l2": float(self.reg_lambda),
            "min_gain_to_split": float(self.min_split_gain),
            "num_threads": 0 if self.n_jobs is None else int(self.n_jobs),
            "verbosity": -1,
        }
        if self._seed is not None:
            params["seed"] = self._seed
        return params

    def _fit_base(self, A, B, y01, weight):
        """Fit the feature model on the pairs: (booster, None) or (None, classifier)."""
        z_ab, z_ba = self._pair_features(A, B), self._pair_features(B, A)
        if self.estimator is None:
            return self._fit_booster(z_ab, z_ba, y01, weight), None
        est = clone(self.estimator)
        fit_params = {}
        if weight is not None:
            if not has_fit_parameter(est, "sample_weight"):
                raise ValueError(f"sample_weight was given but {type(est).__name__}.fit does not "
                                 f"accept sample_weight")
            fit_params["sample_weight"] = np.r_[weight, weight]
        est.fit(np.vstack([z_ab, z_ba]), np.r_[y01, 1.0 - y01].astype(np.int64), **fit_params)
        return None, est

    def _fit_booster(self, z_ab, z_ba, y01, weight):
        return fit_pairwise_booster(z_ab, z_ba, y01, weight, self._booster_params(),
                                    self.n_estimators)

    def _out_of_fold_margins(self, A, B, y01, weight, rng):
        from sklearn.model_selection import KFold

        n = len(y01)
        n_splits = min(int(self.strength_cv), n)
        if n_splits < 2:
            return np.zeros(n)
        offset = np.empty(n)
        folds = KFold(n_splits, shuffle=True, random_state=rng.randint(np.iinfo(np.int32).max))
        for train, held_out in folds.split(A):
            w = None if weight is None else weight[train]
            model = self._fit_base(A[train], B[train], y01[train], w)
            offset[held_out] = self._base_margin(model, A[held_out], B[held_out])
        return offset

    def _choose_reference(self, A, B, ids_a, ids_b, rng):
        sides = np.vstack([A, B])
        ids = None if ids_a is None else np.r_[ids_a, ids_b]
        index = AccountIndex(sides, ids)
        first = np.zeros(len(index), dtype=np.intp)
        first[index.codes[::-1]] = np.arange(len(sides))[::-1]  # first appearance of each
        if len(first) > self.n_reference:
            first = np.sort(rng.choice(first, int(self.n_reference), replace=False))
        self.reference_ = sides[first]
        self._reference_ids = None if ids is None else ids[first]

    # ----------------------------------------------------------------- predict

    def _half_scores(self, model, z):
        """``h(z)`` such that the base log-odds of (A, B) are ``h(z(A, B)) - h(z(B, A))``."""
        booster, est = model
        if booster is None and est is None:  # constant features: see _fit_booster
            return np.zeros(len(z))
        if booster is not None:
            return booster.predict(z, raw_score=True,
                                   num_threads=0 if self.n_jobs is None else int(self.n_jobs))
        if hasattr(est, "predict_proba"):
            column = int(np.flatnonzero(est.classes_ == 1)[0])
            q = np.clip(est.predict_proba(z)[:, column], _EPS, 1.0 - _EPS)
            return 0.5 * (np.log(q) - np.log1p(-q))
        decision = np.asarray(est.decision_function(z), dtype=np.float64)
        return 0.5 * (decision if est.classes_[1] == 1 else -decision)

    def _base_margin(self, model, A, B):
        if self._modes_ == ["item"]:
            u = self._item_base_scores(model, np.vstack([A, B]))
            return u[: len(A)] - u[len(A):]
        # two separate calls: (B, A) then scores the same two batches as (A, B)
        return (self._half_scores(model, self._pair_features(A, B))
                - self._half_scores(model, self._pair_features(B, A)))

    def _item_base_scores(self, model, sides):
        """``u(x)`` of a difference model, computed once per distinct row, in a canonical order.

        Scoring the distinct rows in an order that does not depend on where they sit in
        the input makes (A, B) and (B, A) see bit-identical scores, whatever the model's
        arithmetic; it is also cheaper, as accounts recur across pairs.
        """
        distinct, inverse = distinct_rows(sides)
        scores = self._half_scores(model, slog(distinct))
        return scores[inverse.reshape(-1)]

    def _strength_of(self, sides, ids):
        if self.strengths_ is None:
            return np.zeros(len(sides))
        index = self._accounts.lookup(sides, ids)
        return np.where(index >= 0, self.strengths_[np.maximum(index, 0)], 0.0)

    def _validate_pairs(self, X):
        check_is_fitted(self)
        X, ids_a, ids_b = self._id_columns(X)
        self._check_frame_columns(X)
        X = self._columns_as_in_fit(X)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if self.strengths_ is not None and self._has_ids and ids_a is None:
            raise ValueError(
                f"this PairwiseRanker was fitted with account ids in columns "
                f"{[p + self.id_column for p in self.prefixes]}; X must have them too (the "
                f"strengths are looked up by id)"
            )
        return X[:, self._a_idx], X[:, self._b_idx], ids_a, ids_b

    def _margin(self, A, B, ids_a, ids_b):
        model = (self.booster_, self.estimator_)
        if self.difference_model_:
            u = self._scores(model, np.vstack([A, B]),
                             None if ids_a is None else np.r_[ids_a, ids_b])
            return u[: len(A)] - u[len(A):]
        margin = self._base_margin(model, A, B)
        if self.strengths_ is not None:
            margin = margin + (self._strength_of(A, ids_a) - self._strength_of(B, ids_b))
        return margin

    def _scores(self, model, sides, ids):
        u = self._item_base_scores(model, sides)
        if self.strengths_ is not None:
            u = u + self._strength_of(sides, ids)
        return u

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Log-odds that A is more influential than B; ``f(B, A) == -f(A, B)`` exactly.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_pairs, n_features)
            Pairs, as in ``fit``.

        Returns
        -------
        margin : ndarray of shape (n_pairs,)
        """
        return self._margin(*self._validate_pairs(X))

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Probabilities of ``classes_``: column 1 is P(A more influential than B).

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_pairs, n_features)
            Pairs, as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_pairs, 2)
        """
        p = logistic(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: ArrayLike) -> np.ndarray:
        """``classes_[1]`` where A is predicted more influential (log-odds > 0), else ``classes_[0]``.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_pairs, n_features)
            Pairs, as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_pairs,)
        """
        margin = self.decision_function(X)
        return self.classes_[(margin > 0).astype(np.intp)]

    # ------------------------------------------------------------- global score

    def _validate_items(self, items):
        import pandas as pd

        check_is_fitted(self)
        ids = None
        if isinstance(items, pd.DataFrame):
            if self.id_column is not None and self.id_column in items.columns:
                ids = items[self.id_column].to_numpy(dtype=object)
            names = list(self.side_feature_names_)
            if hasattr(self, "feature_names_in_"):
                missing = [n for n in names if n not in items.columns]
                if missing:
                    raise ValueError(
                        f"items lack the feature column(s) {missing}; expected the per-account "
                        f"features {names} (the pair columns without their prefixes)"
                    )
                items = items[names]
            else:
                items = items.drop(columns=[self.id_column]) if ids is not None else items
        values = np.asarray(items, dtype=np.float64) if not hasattr(items, "to_numpy") \
            else items.to_numpy(dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.side_feature_names_):
            raise ValueError(
                f"items must be 2-D with {len(self.side_feature_names_)} feature columns (one row "
                f"per account); got shape {values.shape}"
            )
        if not np.isfinite(values).all():
            rows = np.flatnonzero(~np.isfinite(values).all(axis=1))
            raise ValueError(f"items hold NaN or infinite values at rows {rows[:5].tolist()}")
        if self.strengths_ is not None and self._has_ids and ids is None:
            raise ValueError(
                f"this PairwiseRanker was fitted with account ids; items need the column "
                f"{self.id_column!r} to look their strengths up"
            )
        return values, ids

    def score_items(self, items: ArrayLike) -> np.ndarray:
        """One global influence score per account; higher means more influential.

        With ``features="item"`` the pair log-odds are exactly
        ``score(A) - score(B)``. Otherwise the score is the mean log-odds of the
        account against the reference accounts (see Notes of the class).

        Parameters
        ----------
        items : DataFrame or array-like of shape (n_accounts, n_side_features)
            One row per account. A DataFrame needs the per-account feature columns
            (the pair columns without prefix, e.g. ``follower_count``; other columns
            are ignored) and, when the ranker was fitted with account ids, the
            ``id_column``. An array has the features in the order of one side.

        Returns
        -------
        scores : ndarray of shape (n_accounts,)
        """
        values, ids = self._validate_items(items)
        model = (self.booster_, self.estimator_)
        if self.difference_model_:
            return self._scores(model, values, ids)
        ref, ref_ids = self.reference_, self._reference_ids
        n_ref = len(ref)
        scores = np.empty(len(values))
        step = max(1, _CHUNK // n_ref)
        for start in range(0, len(values), step):
            block = values[start:start + step]
            A = np.repeat(block, n_ref, axis=0)
            B = np.tile(ref, (len(block), 1))
            ida = None if ids is None else np.repeat(ids[start:start + step], n_ref)
            idb = None if ref_ids is None else np.tile(ref_ids, len(block))
            if self.strengths_ is None:
                ida = idb = None
            margin = self._margin(A, B, ida, idb)
            scores[start:start + step] = margin.reshape(len(block), n_ref).mean(axis=1)
        return scores

    def rank(self, items: ArrayLike) -> pd.DataFrame:
        """Rank accounts by their global score, most influential first.

        Parameters
        ----------
        items : DataFrame or array-like of shape (n_accounts, n_side_features)
            As in :meth:`score_items`.

        Returns
        -------
        ranking : DataFrame
            One row per account, sorted by rank, indexed like ``items`` (row
            positions for an array): the ``id_column`` when ``items`` has it,
            ``score`` and ``rank`` (1 = most influential; ties share the best rank).
        """
        import pandas as pd

        scores = self.score_items(items)
        index = items.index if isinstance(items, pd.DataFrame) else pd.RangeIndex(len(scores))
        out = pd.DataFrame({"score": scores}, index=index)
        if (isinstance(items, pd.DataFrame) and self.id_column is not None
                and self.id_column in items.columns):
            out.insert(0, self.id_column, items[self.id_column].to_numpy())
        out["rank"] = out["score"].rank(method="min", ascending=False).astype(np.int64)
        return out.sort_values("rank", kind="stable")
