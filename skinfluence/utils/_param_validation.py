"""Declarative parameter validation: the one door to scikit-learn's validator.

Every component declares ``_parameter_constraints`` (a dict: parameter name -> list of
constraints) and decorates ``fit`` with :func:`fit_context`. The parameters are then
checked once, when ``fit`` starts, with scikit-learn's own validator and its own error
wording ("The 'k' parameter of KMeansSegmenter must be ... Got ... instead."), and the
error is an :class:`InvalidParameterError` (a ``ValueError`` and a ``TypeError``).

scikit-learn's validator lives in a private module. This file is the only place that
imports it, behind a version guard, so a change upstream is fixed here alone. The
constraints that scikit-learn does not have (a string or a list of distinct options)
are written here on its public constraint protocol (``is_satisfied_by`` and ``__str__``).
"""

from __future__ import annotations

import functools
from numbers import Integral, Real

from sklearn import config_context, get_config

try:  # scikit-learn >= 1.3 (skinfluence needs >= 1.6)
    from sklearn.utils._param_validation import (
        HasMethods,
        Hidden,
        Interval,
        InvalidParameterError,
        Options,
        StrOptions,
        validate_parameter_constraints,
    )
except ImportError as exc:  # pragma: no cover - guarded by the scikit-learn>=1.6 pin
    raise ImportError(
        "skinfluence needs scikit-learn's parameter validation (scikit-learn >= 1.6); "
        f"the installed scikit-learn does not provide it: {exc}"
    ) from exc

__all__ = [
    "HasMethods",
    "Hidden",
    "Integral",
    "Interval",
    "InvalidParameterError",
    "OptionList",
    "Options",
    "Real",
    "StrOptions",
    "fit_context",
    "validate_parameter_constraints",
]


class OptionList(Options):
    """One option, or a non-empty list or tuple of distinct options, from ``options``.

    Used for parameters such as ``features="all"`` or ``features=["mean", "max"]``.

    Parameters
    ----------
    options : collection of str
        The allowed options.
    allow_single : bool, default=True
        Whether a single string (not in a list) is accepted.
    extra : collection of str, default=()
        Strings accepted on their own but not inside a list (e.g. ``"all"``).
    """

    # A subclass of scikit-learn's Options (not only of its _Constraint base): its
    # validator accepts constraint objects of its own classes only.

    def __init__(self, options, *, allow_single=True, extra=()):
        super().__init__(str, set(options))
        self.options = tuple(options)
        self.allow_single = allow_single
        self.extra = tuple(extra)

    def is_satisfied_by(self, val):
        if isinstance(val, str):
            return val in self.extra or (self.allow_single and val in self.options)
        if not isinstance(val, (list, tuple)) or len(val) == 0:
            return False
        if not all(isinstance(v, str) and v in self.options for v in val):
            return False
        return len(set(val)) == len(val)

    def __str__(self):
        shown = ", ".join(repr(o) for o in self.options)
        single = [repr(e) for e in self.extra] + (["one of them"] if self.allow_single else [])
        prefix = f"{' or '.join(single)} or " if single else ""
        return f"{prefix}a non-empty list of distinct options among {{{shown}}}"


def fit_context(method=None, *, prefer_skip_nested_validation: bool = True):
    """Validate ``self._parameter_constraints`` once, when ``method`` starts.

    The counterpart of scikit-learn's private ``_fit_context``: the parameters are
    checked unless scikit-learn's ``skip_parameter_validation`` is set, and the
    scikit-learn estimators and functions that ``method`` calls skip their own
    validation when ``prefer_skip_nested_validation`` is true (set it to false in
    meta-estimators that take user estimators as parameters).

    Parameters
    ----------
    method : callable
        Usually ``fit``; decorate with ``@fit_context`` or
        ``@fit_context(prefer_skip_nested_validation=False)``.
    prefer_skip_nested_validation : bool, default=True
        Whether nested scikit-learn calls skip their parameter validation.
    """

    def decorate(fit):
        @functools.wraps(fit)
        def wrapper(estimator, *args, **kwargs):
            skip = get_config()["skip_parameter_validation"]
            if not skip:
                validate_parameter_constraints(
                    estimator._parameter_constraints,
                    estimator.get_params(deep=False),
                    caller_name=type(estimator).__name__,
                )
            with config_context(skip_parameter_validation=prefer_skip_nested_validation or skip):
                return fit(estimator, *args, **kwargs)

        return wrapper

    return decorate(method) if method is not None else decorate
