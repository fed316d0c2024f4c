"""The shared API checks fail on components that break the contract they check.

A check that cannot fail is a defect: each case below builds a small component that
breaks exactly one rule and asserts that the matching check rejects it, next to a
correct twin that passes.
"""

import copy

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from skinfluence.base import ComponentMixin
from skinfluence.utils.estimator_checks import (
    check_clone_and_set_params,
    check_init_stores_params,
)


class _Scaler(ComponentMixin, TransformerMixin, BaseEstimator):
    def __init__(self, factor=2.0, columns=("a", "b"), inner=None):
        self.factor = factor
        self.columns = columns
        self.inner = inner

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) * self.factor


class _CopiesInSetParams(_Scaler):
    def set_params(self, **params):
        return super().set_params(**{k: copy.deepcopy(v) for k, v in params.items()})


class _ChangesInInit(_Scaler):
    def __init__(self, factor=2.0, columns=("a", "b"), inner=None):
        super().__init__(factor=float(factor) * 1, columns=list(columns), inner=inner)


class _ReprDrift(_Scaler):
    _calls = 0

    def __repr__(self, N_CHAR_MAX=700):
        type(self)._calls += 1
        return f"_ReprDrift#{type(self)._calls}"


def test_clone_and_set_params_accepts_a_correct_component():
    check_clone_and_set_params(_Scaler(factor=3.0, inner=_Scaler(factor=0.5)))


def test_clone_and_set_params_rejects_set_params_that_copies():
    with pytest.raises(AssertionError, match="did not store 'columns' as given"):
        check_clone_and_set_params(_CopiesInSetParams(columns=["a", "b"]))


def test_clone_and_set_params_rejects_unstable_repr():
    with pytest.raises(AssertionError, match="repr differs"):
        check_clone_and_set_params(_ReprDrift())


def test_init_stores_params_rejects_init_that_converts():
    with pytest.raises(AssertionError, match="changed parameter 'columns'"):
        check_init_stores_params(_ChangesInInit())


def test_init_stores_params_accepts_a_correct_component():
    check_init_stores_params(_Scaler())
