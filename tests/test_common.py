"""Shared checks on every registered component (built-ins and installed plugins).

Two layers, as in imbalanced-learn: scikit-learn's shared checks (which only
exercise 2-D array input) with every expected failure listed with its reason,
and skinfluence's own API checks for account-frame, text and image input,
which sklearn skips silently.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skinfluence import all_components
from skinfluence.utils.estimator_checks import parametrize_with_skinfluence_checks

COMPONENTS = all_components()
INSTANCES = [info.cls(**params) for info in COMPONENTS for params in info.cls.get_test_params()]
AVAILABLE = [
    info.cls(**params)
    for info in COMPONENTS
    if info.available
    for params in info.cls.get_test_params()
]


def test_every_component_has_test_instances():
    assert COMPONENTS, "the registry lists no component"
    for info in COMPONENTS:
        params = info.cls.get_test_params()
        assert isinstance(params, list) and params, f"{info.name}.get_test_params() must be a non-empty list"


@pytest.mark.parametrize("estimator", INSTANCES, ids=repr)
def test_expected_failures_have_reasons(estimator):
    for check, reason in estimator._expected_failed_checks().items():
        assert isinstance(reason, str) and len(reason) > 15, (
            f"{type(estimator).__name__}: expected failure of {check} needs a written reason"
        )


# sklearn's toy data has features that separate its labels perfectly: LeakageGuard rightly
# warns about them there; the warning is tested in tests/test_labels.py.
@pytest.mark.filterwarnings("ignore::skinfluence.exceptions.LeakageWarning")
@parametrize_with_checks(AVAILABLE, expected_failed_checks=lambda est: est._expected_failed_checks())
def test_sklearn_compatible(estimator, check):
    check(estimator)


@parametrize_with_skinfluence_checks(AVAILABLE)
def test_skinfluence_api(estimator, check):
    check(estimator)
