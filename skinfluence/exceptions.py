"""Exceptions and warnings raised by skinfluence.

Every error subclasses :class:`SkinfluenceError` *and* the matching builtin or
scikit-learn error, so code can catch either (``except ValueError`` keeps
working for users who do not know skinfluence's hierarchy).
"""

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "SkinfluenceError",
    "AccountFrameError",
    "DataLoadError",
    "MissingDependencyError",
    "ModelLoadError",
    "NotFittedError",
    "PluginLoadWarning",
    "LeakageWarning",
    "UntrustedTypesError",
    "VersionMismatchWarning",
]


class SkinfluenceError(Exception):
    """Base class of every error raised by skinfluence."""


class AccountFrameError(SkinfluenceError, ValueError):
    """An account frame or post table breaks the data contract.

    The message names the column, the account id(s) or row(s) concerned and
    what was expected (see ``docs/data.md``).
    """


class DataLoadError(SkinfluenceError, ValueError):
    """A data file could not be read into the documented schema.

    The message names the file, and the column or row where reading failed.
    """


class MissingDependencyError(SkinfluenceError, ImportError):
    """An optional dependency of a component is not installed.

    The message names the missing package(s) and the ``pip install`` command
    of the skinfluence extra that provides them.
    """


class ModelLoadError(SkinfluenceError, OSError):
    """A pretrained model or a weights file could not be loaded.

    Raised in ``fit`` by the components that load a backbone (offline without a
    cached copy, a file that is not a checkpoint of the named architecture...).
    The message names the model or file, what was expected and how to fix it;
    the error of the library that failed (huggingface_hub, timm, torch) is
    chained as ``__cause__``.
    """


class UntrustedTypesError(SkinfluenceError, TypeError):
    """A saved file holds types that loading it would have to trust blindly.

    Raised by :func:`skinfluence.persistence.load` before anything is built; the
    message lists the types and how to trust them after inspecting the file.
    The ``types`` attribute holds them as a list of dotted names.
    """

    def __init__(self, message: str, types=()):
        super().__init__(message)
        self.types = list(types)


class NotFittedError(SkinfluenceError, _SklearnNotFittedError):
    """A component was used before ``fit``; also a scikit-learn ``NotFittedError``."""


class PluginLoadWarning(UserWarning):
    """A third-party component plugin could not be loaded.

    The registry keeps working without it; the warning names the entry point,
    the distribution that declares it and the error.
    """


class LeakageWarning(UserWarning):
    """A target is (nearly) a function of one input feature.

    Raised by :func:`skinfluence.make_influencer_labels` consumers' checks when a
    label is (near-)deterministic in a feature the model is trained on (for
    example "top 5 % by followers" with ``followers`` among the inputs): the
    score then measures the labelling rule, not the model. The warning names the
    feature and how well it alone predicts the label.
    """


class VersionMismatchWarning(UserWarning):
    """A saved component is loaded with other library versions than it was saved with.

    Raised by :func:`skinfluence.persistence.load`; the message lists each package
    whose version changed (``scikit-learn: 1.6.1 -> 1.9.1``). Predictions may differ;
    refit, or install the versions the file names, to be sure.
    """
