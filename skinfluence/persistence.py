"""Save and load fitted components safely, with skops.

:func:`save` writes a skops file (a zip of JSON and ``.npy`` arrays: no pickle) and
records the versions of the library and of its dependencies in it; :func:`load`
builds only the types of :func:`trusted_types` (the library's own, the registered
plugins', and the few third-party types they hold) plus the types skops trusts by
default (numpy, scipy, scikit-learn's public estimators), and refuses any other type
with :class:`~skinfluence.exceptions.UntrustedTypesError` before anything is built.

Torch components are stored as plain data: the weights as numpy arrays (on no
device) and the classes that rebuild the nets by name, so a file saved on a GPU
loads on a CPU and loading never unpickles bytes. joblib and pickle stay the fast
way for your own files (see ``docs/persistence.md``).

>>> import numpy as np, pandas as pd
>>> from skinfluence import FakeFollowerDetector
>>> from skinfluence.persistence import save, load
>>> X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=list("abc"))
>>> detector = FakeFollowerDetector(random_state=0).fit(X, np.arange(40) % 2)
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "detector.skops")
>>> save(detector, path)
>>> np.allclose(load(path).predict_proba(X), detector.predict_proba(X))
True
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
from importlib.metadata import PackageNotFoundError, version

from .exceptions import UntrustedTypesError, VersionMismatchWarning
from .registry import all_components
from .utils._optional import import_optional
from .utils._safe_state import safe_state

__all__ = ["THIRD_PARTY_TRUSTED", "load", "read_versions", "save", "trusted_types"]

#: Types of other packages that fitted components hold and that skops does not trust
#: by default, trusted by :func:`load`. Each is restored from plain data (LightGBM's
#: booster from its model text; scikit-learn's tree predictors and calibrators from
#: arrays and numbers; a NumPy dtype, which scikit-learn's imputers keep, from its name).
THIRD_PARTY_TRUSTED = (
    "collections.OrderedDict",
    "lightgbm.basic.Booster",
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)

#: The library's types inside fitted components, beside the components themselves:
#: holders of plain-data state (frames, torch nets and weights) and fitted helpers.
_OWN_TYPES = (
    "skinfluence.ranking._strengths.AccountIndex",
    "skinfluence.utils._safe_state.FrameState",
    "skinfluence.utils._safe_state.TimestampState",
    "skinfluence.utils._torch.ModuleState",
    "skinfluence.utils._torch.NetState",
)

#: Distributions whose versions a saved file records (those installed).
VERSIONED = ("skinfluence", "scikit-learn", "numpy", "scipy", "pandas", "torch", "skorch",
             "lightgbm", "timm", "sentence-transformers", "skops")

_META = "skinfluence.json"  # the zip member holding the versions
_FORMAT = 1


def _skops(caller: str):
    return import_optional("skops.io", extra="scale", caller=caller)


def _versions() -> dict[str, str]:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def _dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def trusted_types() -> list[str]:
    """The types :func:`load` builds without being told to, as dotted names.

    Every registered component (built-ins and installed plugins: code you installed),
    the library's holders of plain-data state and fitted helpers, and
    :data:`THIRD_PARTY_TRUSTED`. Types
    skops trusts by default (numpy, scipy, scikit-learn's public estimators, builtins)
    are trusted as well and not listed here.

    Returns
    -------
    types : list of str
        Sorted dotted names, e.g. ``"skinfluence.ranking._pairwise.PairwiseRanker"``.
    """
    own = {_dotted(info.cls) for info in all_components()}
    return sorted(own | set(_OWN_TYPES) | set(THIRD_PARTY_TRUSTED))


def save(estimator, path) -> None:
    """Save a (fitted) component to a skops file, with the library versions.

    Parameters
    ----------
    estimator : estimator instance
        Any component, pipeline or scikit-learn estimator.
    path : str or path-like
        The file to write (``.skops`` by convention); replaced if it exists.

    Raises
    ------
    TypeError
        If ``estimator`` holds something that cannot be stored as plain data (a torch
        model passed as an instance rather than by name); the message says what to do.
    """
    sio = _skops("skinfluence.persistence.save")
    path = os.fspath(path)
    with safe_state():
        sio.dump(estimator, path, compression=zipfile.ZIP_DEFLATED)
    meta = {"format": _FORMAT, "versions": _versions()}
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(_META, json.dumps(meta, indent=1))


def read_versions(path) -> dict[str, str]:
    """The package versions a file of :func:`save` was written with (empty if none).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    versions : dict of str to str
        Distribution name to version, for those installed when the file was saved.
    """
    with zipfile.ZipFile(os.fspath(path)) as zf:
        if _META not in zf.namelist():
            return {}
        try:
            return dict(json.loads(zf.read(_META))["versions"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{os.fspath(path)!r}: its {_META} member is not what "
                             "skinfluence.persistence.save writes") from exc


def load(path, *, trusted=None):
    """Load a component saved by :func:`save` (or any skops file), refusing unknown types.

    Parameters
    ----------
    path : str or path-like
        A skops file.
    trusted : sequence of str, default=None
        Extra types to trust, as dotted names, beyond :func:`trusted_types` and skops'
        defaults. Only list types you have checked (``skops.io.get_untrusted_types``
        lists what a file holds).

    Returns
    -------
    estimator : object
        The saved object.

    Raises
    ------
    UntrustedTypesError
        If the file holds types that are neither trusted by default nor listed in
        ``trusted``; nothing is built. The message lists them.

    Warns
    -----
    VersionMismatchWarning
        If the file was saved with other versions of the library or its dependencies;
        the message lists what changed.
    """
    sio = _skops("skinfluence.persistence.load")
    path = os.fspath(path)
    if isinstance(trusted, str) or trusted is True:
        raise TypeError(
            "The 'trusted' parameter of load must be a list of type names (dotted, as "
            f"skops.io.get_untrusted_types gives them) or None. Got {trusted!r} instead."
        )
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"load: {path!r} is not a skops file (a zip archive); was it written "
                         "by skinfluence.persistence.save or skops.io.dump?")
    found = sio.get_untrusted_types(file=path)
    allowed = set(trusted_types()) | set(trusted or ())
    unknown = sorted(t for t in found if t not in allowed)
    if unknown:
        raise UntrustedTypesError(
            f"load: {path!r} holds {len(unknown)} type(s) that skinfluence does not trust: "
            f"{', '.join(unknown)}. Loading them could run code from the file. If you know "
            f"where the file comes from and these types are safe, pass them: "
            f"load(path, trusted={unknown!r}).",
            unknown,
        )
    _warn_versions(path)
    return sio.load(path, trusted=list(found))


def _warn_versions(path: str) -> None:
    saved = read_versions(path)
    here = _versions()
    changed = [f"{name}: {ver} -> {here.get(name, 'not installed')}"
               for name, ver in sorted(saved.items()) if here.get(name) != ver]
    if changed:
        warnings.warn(
            f"{os.path.basename(path)} was saved with other package versions than these: "
            f"{'; '.join(changed)}. Its predictions may differ; refit it, or install the "
            "saved versions, to be sure.",
            VersionMismatchWarning,
            stacklevel=3,
        )
