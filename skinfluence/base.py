"""Base mixin of every skinfluence component.

:class:`ComponentMixin` goes on the left of scikit-learn's mixins and
``BaseEstimator`` (``class X(ComponentMixin, TransformerMixin, BaseEstimator)``)
and adds what the registry and the shared tests need:

- ``get_test_params()``: cheap constructor arguments for the shared tests, so
  every registered component (plugins too) is checked without a central table;
- ``_skinfluence_input``: what ``X`` is (``"array"``, ``"account_frame"``, ...);
  sklearn's shared checks only exercise 2-D array input, so components of the
  other kinds are covered by :mod:`skinfluence.utils.estimator_checks`;
- ``_expected_failed_checks()``: sklearn checks known to fail, each with its reason;
- ``_check_extras()``: one clear error naming the extra to install, at fit time.
"""

from __future__ import annotations

from typing import ClassVar

from .exceptions import MissingDependencyError
from .utils._optional import EXTRAS, install_hint, missing_modules

__all__ = ["ComponentMixin", "INPUT_KINDS"]

#: What a component accepts as ``X``.
INPUT_KINDS = ("array", "account_frame", "text", "images", "pairs", "posts")


class ComponentMixin:
    """Mixin of every skinfluence component (registry and shared-test hooks)."""

    _skinfluence_kind: ClassVar[str | None] = None
    _skinfluence_extras: ClassVar[tuple[str, ...]] = ()
    _skinfluence_input: ClassVar[str] = "array"
    #: For account-frame components: whether the nested posts column is required
    #: (False for components that read profile columns only, e.g. ProfileFeatures).
    _skinfluence_requires_posts: ClassVar[bool] = True

    @classmethod
    def get_test_params(cls) -> list[dict]:
        """Constructor arguments for cheap instances used by the shared tests.

        Returns
        -------
        params : list of dict
            Each dict builds one instance: ``cls(**params)``. Override to make
            instances fast (few epochs, tiny models) or to cover parameter
            combinations that change behaviour.
        """
        return [{}]

    def _expected_failed_checks(self) -> dict[str, str]:
        """sklearn shared checks this instance is known to fail: name -> reason."""
        return {}

    def _check_extras(self) -> None:
        """Raise :class:`MissingDependencyError` if a declared extra is not installed."""
        for extra in self._skinfluence_extras:
            modules = [m for m, _ in EXTRAS[extra]]
            missing = missing_modules(modules)
            if missing:
                raise MissingDependencyError(
                    f"{type(self).__name__} requires {', '.join(missing)}, which "
                    f"{'is' if len(missing) == 1 else 'are'} not installed. Install "
                    f"{'it' if len(missing) == 1 else 'them'} with: {install_hint(missing, extra)}"
                )
