"""Plain-data state for safe persistence (skops): a switch and the frame holder.

:func:`skinfluence.persistence.save` turns the switch on while skops walks an
estimator. Components then give a state made only of types skops can store without
code: numpy arrays, numbers, strings, lists, dicts and a few of the library's own
holders (this module's :class:`FrameState` and :class:`TimestampState`, the torch holders of
:mod:`skinfluence.utils._torch`). Pickle and joblib never see the switch: their state
is unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

__all__ = ["FrameState", "TimestampState", "portable_state", "restore_state", "safe_state", "saving_safely"]

_SAFE = contextvars.ContextVar("skinfluence_safe_state", default=False)


@contextlib.contextmanager
def safe_state():
    """Within the block, components give their plain-data state (see module docstring)."""
    token = _SAFE.set(True)
    try:
        yield
    finally:
        _SAFE.reset(token)


def saving_safely() -> bool:
    """Whether the state being asked for is for a safe (skops) file."""
    return _SAFE.get()


class FrameState:
    """A pandas DataFrame, Series or Index as numpy columns, rebuilt by :meth:`restore`.

    Column values are stored as numpy arrays (object arrays for strings), the index
    likewise; extension dtypes are restored by name (``"string"``, ``"Int64"``, Arrow
    types). skops cannot store a DataFrame itself (its block manager has no plain
    state).
    """

    def __init__(self, obj=None):
        if obj is None:  # skops builds the object empty, then sets its state
            return
        import pandas as pd

        self.kind = ("index" if isinstance(obj, pd.Index) else
                     "series" if isinstance(obj, pd.Series) else "frame")
        if self.kind == "index":
            obj = pd.Series(obj.to_numpy(), name=obj.name, dtype=obj.dtype)
        frame = obj.to_frame() if self.kind != "frame" else obj
        self.names = [_plain(c) for c in frame.columns]
        self.columns = [_array(frame.iloc[:, i]) for i in range(frame.shape[1])]
        self.dtypes = [str(d) for d in frame.dtypes]
        self.index = _array(frame.index.to_series())
        self.index_name = _plain(frame.index.name)
        self.index_dtype = str(frame.index.dtype)

    def restore(self):
        import pandas as pd

        index = pd.Index(_typed(self.index, self.index_dtype), name=self.index_name)
        # by position: column names may repeat
        data = {i: _typed(col, dtype) for i, (col, dtype) in
                enumerate(zip(self.columns, self.dtypes, strict=True))}
        frame = pd.DataFrame(data, index=index)
        frame.columns = list(self.names)
        if self.kind == "index":
            return pd.Index(frame.iloc[:, 0].to_numpy(), name=self.names[0], dtype=self.dtypes[0])
        return frame.iloc[:, 0] if self.kind == "series" else frame


def _plain(value):
    import pandas as pd

    if value is pd.NA:  # missing value of an extension column: restored by its dtype
        return None
    return value.item() if isinstance(value, np.generic) else value


def _array(values) -> np.ndarray:
    import pandas as pd

    if isinstance(values.dtype, pd.DatetimeTZDtype):  # UTC wall times; the zone in the dtype
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = values.to_numpy()
    if arr.dtype.kind in "biufcb?":
        return np.ascontiguousarray(arr)
    if arr.dtype.kind == "M" or arr.dtype.kind == "m":
        return arr
    return np.asarray([_plain(v) for v in arr], dtype=object)


def _typed(values, dtype: str):
    import pandas as pd

    if dtype.startswith("datetime64[") and "," in dtype:  # "datetime64[ns, Europe/Paris]"
        zone = dtype.partition(",")[2].strip(" ]")
        return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(zone).array
    try:
        return pd.array(values, dtype=dtype)
    except (TypeError, ValueError):
        return values


class TimestampState:
    """A pandas Timestamp as its ISO text and time zone (skops would rebuild it empty)."""

    def __init__(self, ts=None):
        if ts is None:
            return
        self.text = ts.isoformat()
        self.tz = None if ts.tz is None else str(ts.tz)
        self.unit = getattr(ts, "unit", "ns")

    def restore(self):
        import pandas as pd

        ts = pd.Timestamp(self.text)
        if self.tz is not None:
            ts = ts.tz_convert(self.tz)
        return ts.as_unit(self.unit) if hasattr(ts, "as_unit") else ts


_HOLDERS = (FrameState, TimestampState)


def portable_state(state: dict) -> dict:
    """``state`` with every DataFrame/Series/Index held in a :class:`FrameState`, every
    Timestamp in a :class:`TimestampState` (top-level values; pickle: unchanged)."""
    if not saving_safely():
        return state
    import pandas as pd

    state = dict(state)
    for key, value in state.items():
        if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
            state[key] = FrameState(value)
        elif isinstance(value, pd.Timestamp):
            state[key] = TimestampState(value)
    return state


def restore_state(state: dict) -> dict:
    """The inverse of :func:`portable_state` (a no-op on any other state)."""
    if not any(isinstance(v, _HOLDERS) for v in state.values()):
        return state
    return {k: v.restore() if isinstance(v, _HOLDERS) else v for k, v in state.items()}
