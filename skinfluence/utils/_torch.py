"""Torch helpers of the model-backed components: device resolution and pickling.

torch is imported only inside the functions, so importing this module (and every
component that uses it) does not import torch.
"""

from __future__ import annotations

import io
import sys
import warnings

from ._param_validation import InvalidParameterError
from ._safe_state import saving_safely

__all__ = [
    "ModuleState",
    "NetState",
    "getstate_torch",
    "is_torch_module",
    "prepared_module",
    "resolve_device",
    "setstate_torch",
]


def resolve_device(device, caller: str) -> str:
    """'auto' -> 'cuda' when available else 'cpu'; validate explicit devices."""
    from ._optional import import_optional

    torch = import_optional("torch", extra="torch", caller=caller)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not (
        device == "cpu" or device == "mps" or device.startswith("cuda")
    ):
        raise InvalidParameterError(
            f"The 'device' parameter of {caller} must be 'auto', 'cpu', 'cuda', 'cuda:<n>', "
            f"'mps' or a torch.device. Got {device!r} instead."
        )
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"{caller}: device={device!r} but CUDA is not available on this machine; use "
            "device='auto' (CUDA when available, else CPU) or device='cpu'"
        )
    return device


class _TorchBlob:
    """A torch module serialised with ``torch.save``, restored with a CPU fallback."""

    def __init__(self, module):
        import torch

        buf = io.BytesIO()
        torch.save(module, buf)
        self.data = buf.getvalue()

    def load(self):
        import torch

        location = None if torch.cuda.is_available() else "cpu"
        return torch.load(io.BytesIO(self.data), map_location=location, weights_only=False)


def is_torch_module(obj) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def getstate_torch(state: dict, keys, drop=(), caller: str = "This component") -> dict:
    """Pickle-safe state: torch modules as bytes (loadable without CUDA), ``drop`` keys removed.

    For a safe (skops) file, fitted modules are kept as :class:`ModuleState` (weights
    as numpy arrays; the estimator rebuilds the architecture by name) and a module
    passed by the user as a parameter is refused: nothing safe could rebuild it.
    """
    state = dict(state)
    for key in drop:
        if key in state:
            state[key] = None
    if saving_safely():
        for key in keys:
            value = state.get(key)
            if not is_torch_module(value):
                continue
            if not key.endswith("_"):
                raise TypeError(
                    f"{caller} holds a torch module instance as its {key!r} parameter, which a "
                    f"safe (skops) file cannot rebuild without running code. Pass the model by "
                    f"name or local folder instead, or save with joblib (your own files only)."
                )
            state[key] = ModuleState(value)
        return state
    blobs = {}
    for key in keys:
        value = state.get(key)
        if is_torch_module(value):
            same = [k for k, blob_of in blobs.items() if blob_of[0] is value]
            if same:  # the same module under two names (param and fitted attribute)
                state[key] = ("__same_module_as__", same[0])
            else:
                blobs[key] = (value, _TorchBlob(value))
                state[key] = blobs[key][1]
    return state


def setstate_torch(state: dict, keys, caller: str) -> dict:
    for key in keys:
        value = state.get(key)
        if isinstance(value, _TorchBlob):
            state[key] = value.load()
    for key in keys:
        value = state.get(key)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "__same_module_as__":
            state[key] = state[value[1]]
    device = state.get("device_")
    if isinstance(device, str) and device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            if state.get("device") not in ("auto", None):
                warnings.warn(
                    f"{caller} was fitted on {device!r}, which is not available here; it runs on "
                    "the CPU instead",
                    UserWarning,
                    stacklevel=3,
                )
            state["device_"] = "cpu"
            for key in keys:
                if is_torch_module(state.get(key)):
                    state[key] = state[key].to("cpu")
    return state


def _on_device(module, device: str) -> bool:
    import torch

    want = torch.device(device)
    for tensor in list(module.parameters()) + list(module.buffers()):
        have = tensor.device
        if have.type != want.type or (want.index is not None and have.index != want.index):
            return False
    return True


def prepared_module(module, device: str, **attributes):
    """``module`` in eval mode on ``device`` with ``attributes`` set, without changing ``module``.

    Estimators never mutate what the user passed: when the module already is in
    eval mode on ``device`` with those attribute values, it is returned as is
    (no copy of the weights); otherwise a deep copy is prepared and returned.

    Parameters
    ----------
    module : torch.nn.Module
        The user's model instance.
    device : str
        A resolved device (see :func:`resolve_device`).
    **attributes
        Attribute values the model must have (e.g. ``max_seq_length=128``).

    Returns
    -------
    module : torch.nn.Module
    """
    ready = (not module.training and _on_device(module, device)
             and all(getattr(module, k, None) == v for k, v in attributes.items()))
    if ready:
        return module
    import copy

    module = copy.deepcopy(module)
    for key, value in attributes.items():
        setattr(module, key, value)
    module.to(device)
    module.eval()
    return module


class PickledNet:
    """A fitted skorch net pickled on its own, inside an estimator's state."""

    def __init__(self, data: bytes):
        self.data = data


def getstate_net(state: dict) -> dict:
    """Pickle ``state["net_"]`` on its own, so that :func:`setstate_net` can load it under
    the estimator's device policy (skorch warns on every CUDA -> CPU move)."""
    import pickle

    if saving_safely() and state.get("net_") is not None:
        state["net_"] = NetState(state["net_"])
        state.pop("history_", None)  # the net's own history; restored from it
        return state
    if state.get("net_") is not None and not isinstance(state["net_"], PickledNet):
        state["net_"] = PickledNet(pickle.dumps(state["net_"]))
        state.pop("history_", None)  # the net's own history; restored from it
    return state


def setstate_net(state: dict, caller: str) -> dict:
    """Unpickle the net of :func:`getstate_net`; warn in the library's words when the
    device it was fitted on is gone and the user had asked for that device."""
    import pickle
    import warnings

    blob = state.get("net_")
    if isinstance(blob, NetState):  # from a safe file: rebuilt from arrays
        import warnings

        fitted_on = state.get("device_")
        device = _loadable_device(fitted_on)
        state["net_"] = net = blob.build(device, caller)
        state["history_"] = net.history
        state["device_"] = device
        if fitted_on != device and state.get("device", "auto") != "auto":
            warnings.warn(
                f"{caller} was fitted on {fitted_on!r}, which is not available here; it runs "
                f"on {device!r} instead",
                UserWarning,
                stacklevel=3,
            )
        return state
    if isinstance(blob, PickledNet):
        from skorch.exceptions import DeviceWarning

        with warnings.catch_warnings():
            # skorch maps a CUDA net onto the CPU when CUDA is gone and warns twice;
            # one warning in this library's words is given below instead
            warnings.simplefilter("ignore", DeviceWarning)
            net = pickle.loads(blob.data)
        fitted_on = state.get("device_")
        state["net_"] = net
        state["history_"] = net.history
        state["device_"] = str(net.device)
        moved = isinstance(fitted_on, str) and fitted_on != state["device_"]
        if moved and state.get("device", "auto") != "auto":
            warnings.warn(
                f"{caller} was fitted on {fitted_on!r}, which is not available here; it runs "
                f"on {state['device_']!r} instead",
                UserWarning,
                stacklevel=3,
            )
    return state


# ------------------------------------------------------------ safe (skops) state
# For a skops file (skinfluence.persistence.save), nets and modules are stored as
# plain data: weights as numpy arrays (on no device), the classes that rebuild them
# by dotted name. Loading never unpickles bytes: the classes are looked up among the
# allowed packages and must be torch modules; the weights are copied into them.

#: Packages whose torch module classes a safe file may name (rebuilt with keyword
#: arguments of plain data).
SAFE_MODULE_PACKAGES = ("skinfluence.", "torch.nn.")


def _dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _module_class(path: str, caller: str):
    """The torch module class named ``path``, if a safe file may name it."""
    import importlib

    import torch

    module_name, _, qualname = str(path).rpartition(".")
    cls = None
    if module_name.startswith(SAFE_MODULE_PACKAGES):
        try:
            cls = getattr(importlib.import_module(module_name), qualname, None)
        except ImportError:  # no such module: refused below like any other name
            cls = None
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise TypeError(
            f"{caller}: the file names {path!r} as a torch module class; a safe file may only "
            f"name torch module classes of {', '.join(p.rstrip('.') for p in SAFE_MODULE_PACKAGES)}"
        )
    return cls


def _to_plain(value):
    """Tensors (anywhere in lists/tuples/dicts) as ``("__tensor__", ndarray)``."""
    if is_torch_module(value):
        raise TypeError("a torch module cannot be stored as plain data")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return ("__tensor__", value.detach().cpu().numpy())
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_plain(v) for v in value)
    return value


def _from_plain(value):
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__tensor__":
        import torch

        return torch.from_numpy(value[1].copy())
    if isinstance(value, dict):
        return {k: _from_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_from_plain(v) for v in value)
    return value


def state_arrays(module) -> dict:
    """``module.state_dict()`` as numpy arrays on no device."""
    return {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def load_state_arrays(module, arrays: dict) -> None:
    import torch

    module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in arrays.items()})


def _jsonable(value):
    import json

    def default(obj):
        if hasattr(obj, "item"):
            return obj.item()
        return repr(obj)

    return json.loads(json.dumps(value, default=default))


class NetState:
    """A fitted skorch net as plain data, for a safe file.

    Keeps what prediction needs: the module class and its arguments, the criterion
    class and its arguments, the module's weights as numpy arrays, the training
    history (as JSON data) and a few scalar settings. The optimizer's state, the
    callbacks and the data loaders are not kept: a loaded net predicts, and a new
    ``fit`` trains from scratch as always.
    """

    _SCALARS = ("lr", "max_epochs", "batch_size", "verbose")

    def __init__(self, net=None):
        if net is None:  # skops builds the object empty, then sets its state
            return
        params = net.get_params(deep=False)
        self.module = _dotted(params["module"] if isinstance(params["module"], type)
                              else type(params["module"]))
        self.criterion = _dotted(params["criterion"] if isinstance(params["criterion"], type)
                                 else type(params["criterion"]))
        self.kwargs = {k: _to_plain(v) for k, v in params.items()
                       if k.startswith(("module__", "criterion__"))}
        self.settings = {k: params[k] for k in self._SCALARS if k in params}
        self.weights = state_arrays(net.module_)
        self.history = _jsonable(list(net.history))

    def build(self, device: str, caller: str):
        """The skorch net on ``device``, ready to predict."""
        import skorch
        from skorch.history import History

        net = skorch.NeuralNet(
            module=_module_class(self.module, caller),
            criterion=_module_class(self.criterion, caller),
            **{k: _from_plain(v) for k, v in self.kwargs.items()},
            **self.settings, train_split=None, predict_nonlinearity=None, device=device,
        )
        net.initialize()
        load_state_arrays(net.module_, self.weights)
        net.module_.to(device)
        net.module_.eval()
        net.history = History(self.history)
        return net


class ModuleState:
    """The weights of a torch module as numpy arrays; the estimator rebuilds the module."""

    def __init__(self, module=None):
        if module is None:
            return
        self.weights = state_arrays(module)


def _loadable_device(device) -> str:
    """``device`` when this machine has it, else the CPU."""
    if isinstance(device, str) and device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            return "cpu"
    return device if isinstance(device, str) else "cpu"
