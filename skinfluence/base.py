"""Base mixin and tags of every skinfluence component.

:class:`ComponentMixin` goes on the left of scikit-learn's mixins and
``BaseEstimator`` (``class X(ComponentMixin, TransformerMixin, BaseEstimator)``).

What a component accepts is declared the scikit-learn way, in ``__sklearn_tags__``:
``ComponentMixin`` turns scikit-learn's ``Tags`` into :class:`SkinfluenceTags`, whose
``input_tags`` is a :class:`SkinfluenceInputTags` with one flag per kind of input that
scikit-learn has no word for (account frames, ragged posts, pairs, queries). A component
sets them in its own ``__sklearn_tags__`` after calling ``super()``::

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        return tags

``sklearn.utils.get_tags(est)`` returns them, and scikit-learn's own tag checks accept
them (they are subclasses of its dataclasses). scikit-learn's shared checks skip every
estimator whose input is not a 2-D array; :mod:`skinfluence.utils.estimator_checks`
reads these tags to build the right input from the data generators and runs the
library's own API checks on it.

``ComponentMixin`` also gives ``get_test_params()`` (cheap constructor arguments for
the shared tests, plugins included) and ``_check_extras()`` (one clear error naming the
extra to install, at fit time).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sklearn.utils import InputTags, Tags

from .exceptions import MissingDependencyError
from .registry._registry import declared_extras
from .utils._optional import EXTRAS, install_hint, missing_modules
from .utils._safe_state import portable_state, restore_state

__all__ = ["ComponentMixin", "SkinfluenceInputTags", "SkinfluenceTags"]


@dataclass(slots=True)
class SkinfluenceInputTags(InputTags):
    """scikit-learn's input tags plus the kinds of input skinfluence components take.

    Parameters
    ----------
    account_frame : bool, default=False
        ``X`` is an account frame: one row per account, its posts nested in a column.
    posts : bool, default=False
        ``X`` is a :class:`~skinfluence.PostFeatures` container (ragged per-post values).
    pairs : bool, default=False
        ``X`` describes pairs of accounts (A, B), one row per pair.
    queries : bool, default=False
        Rows belong to queries (a ``qid`` per row, e.g. one brand's candidates).
    requires_posts : bool, default=True
        For account-frame components: whether the nested posts column is required
        (False for components that read profile columns only).
    post_fields : tuple of str, default=()
        Post fields the component reads (e.g. ``("caption",)`` or ``("image",)``); the
        shared checks generate account frames whose posts carry them.
    nested_param : str or None, default=None
        The parameter naming the nested column, when it is not ``posts_column``.
    """

    account_frame: bool = False
    posts: bool = False
    pairs: bool = False
    queries: bool = False
    requires_posts: bool = True
    post_fields: tuple = ()
    nested_param: str | None = None


@dataclass(slots=True)
class SkinfluenceTags(Tags):
    """scikit-learn's ``Tags`` with skinfluence's input tags and declared extras.

    Parameters
    ----------
    extras : tuple of str, default=()
        The skinfluence extras (``pip install "skinfluence[extra]"``) the component
        needs at fit time, as declared with ``@register(kind, extras=...)`` (the
        registry keeps them; see :class:`~skinfluence.registry.ComponentInfo`).
    """

    extras: tuple = ()


def _as_skinfluence_tags(tags: Tags) -> SkinfluenceTags:
    if isinstance(tags, SkinfluenceTags):
        return tags
    values = {f.name: getattr(tags, f.name) for f in fields(Tags)}
    inp = values["input_tags"]
    values["input_tags"] = SkinfluenceInputTags(
        **{f.name: getattr(inp, f.name) for f in fields(InputTags)}
    )
    return SkinfluenceTags(**values)


class ComponentMixin:
    """Mixin of every skinfluence component (tags, test parameters, extras)."""

    def __sklearn_tags__(self):
        tags = _as_skinfluence_tags(super().__sklearn_tags__())
        # kind and extras are registry metadata (declared once, with @register)
        tags.extras = declared_extras(type(self))
        return tags

    def __getstate__(self):
        # for a safe (skops) file, frames become numpy columns; pickle is unaffected
        return portable_state(super().__getstate__())

    def __setstate__(self, state):
        super().__setstate__(restore_state(dict(state)))

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
        for extra in declared_extras(type(self)):
            modules = [m for m, _ in EXTRAS[extra]]
            missing = missing_modules(modules)
            if missing:
                raise MissingDependencyError(
                    f"{type(self).__name__} requires {', '.join(missing)}, which "
                    f"{'is' if len(missing) == 1 else 'are'} not installed. Install "
                    f"{'it' if len(missing) == 1 else 'them'} with: {install_hint(missing, extra)}"
                )
