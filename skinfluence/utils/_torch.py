"""Torch helpers of the model-backed components: device resolution and pickling.

torch is imported only inside the functions, so importing this module (and every
component that uses it) does not import torch.
"""

from __future__ import annotations

import io
import sys
import warnings

from ._param_validation import InvalidParameterError

__all__ = [
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


def getstate_torch(state: dict, keys, drop=()) -> dict:
    """Pickle-safe state: torch modules as bytes (loadable without CUDA), ``drop`` keys removed."""
    state = dict(state)
    for key in drop:
        if key in state:
            state[key] = None
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
