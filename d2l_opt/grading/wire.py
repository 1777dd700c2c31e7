"""Plain data between the sandboxed child and the trusted parent, both ways.

Parent → child: a question's call arguments are JSON with four markers the child resolves
(:func:`resolve`): ``{"$array": [...], "dtype": ...}`` (a numpy array, built by :func:`arr`),
``{"$tuple": [...]}``, ``{"$name": "x"}`` (the value the student's notebook bound to ``x``, by
:func:`name`) and ``{"$helper": "f", "args": [...]}`` (a trusted helper of
:mod:`d2l_opt.grading.helpers`, by :func:`helper`).

Child → parent: the child turns whatever the student's functions returned into JSON made of
``None``, bools, numbers, strings, lists, string-keyed dicts and arrays; the parent reads it with
:func:`decode`, which accepts nothing else. Arrays travel as ``{"__array__": {...}}`` with a
dtype from a short list, a shape and the raw little-endian bytes in base64, so that a float64
trajectory comes back bit for bit.

Nothing here executes or unpickles anything: a malformed document raises :class:`WireError`.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

__all__ = ["WireError", "arr", "decode", "encode", "helper", "loads", "name", "plain", "resolve",
           "ARRAY_KEY", "ERROR_KEY", "DTYPES"]  # fmt: skip

ARRAY_KEY = "__array__"
ERROR_KEY = "__error__"
#: dtypes allowed on the wire (little-endian)
DTYPES = ("float64", "float32", "int64", "int32", "bool")
MAX_DEPTH = 8
MAX_ITEMS = 5_000_000  # total array elements plus list items in one document
MAX_STRING = 20_000


class WireError(ValueError):
    """The child's output is not the plain data the parent expects."""


# ------------------------------------------------------------------------ parent → child


def arr(values: Any, dtype: str = "float64") -> dict:
    """A numpy array argument (built in the child with ``np.array(values, dtype)``)."""
    return {"$array": np.asarray(values, dtype=dtype).tolist(), "dtype": dtype}


def name(identifier: str) -> dict:
    """The value the student's notebook bound to ``identifier`` (e.g. their own function)."""
    return {"$name": identifier}


def helper(function: str, *args: Any) -> dict:
    """A trusted helper object built in the child, e.g. ``helper("problem_grad", "d2l")``."""
    return {"$helper": function, "args": [plain(a) for a in args]}


def plain(value: Any) -> Any:
    """A call argument as JSON-ready data (arrays and tuples marked for :func:`resolve`)."""
    if isinstance(value, np.ndarray):
        return arr(value)
    if isinstance(value, tuple):
        return {"$tuple": [plain(v) for v in value]}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def resolve(value: Any, namespace: dict) -> Any:
    """Child side: rebuild a call argument, looking ``$name`` up in the student's namespace
    and building ``$helper`` objects from :mod:`d2l_opt.grading.helpers`."""
    if isinstance(value, list):
        return [resolve(v, namespace) for v in value]
    if isinstance(value, dict):
        if "$array" in value:
            return np.array(value["$array"], dtype=value.get("dtype", "float64"))
        if "$tuple" in value:
            return tuple(resolve(v, namespace) for v in value["$tuple"])
        if "$name" in value:
            return namespace[value["$name"]]
        if "$helper" in value:
            from . import helpers

            func = getattr(helpers, value["$helper"])
            return func(*[resolve(v, namespace) for v in value.get("args", [])])
        return {k: resolve(v, namespace) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------ child → parent


def encode(value: Any, _budget: list[int] | None = None, _depth: int = 0) -> Any:
    """Turn ``value`` into JSON-ready plain data (child side); raise ``WireError`` otherwise.

    numpy arrays and scalars and torch tensors become arrays; tuples become lists.
    """
    budget = [MAX_ITEMS] if _budget is None else _budget
    if _depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise WireError(f"a string of {len(value)} characters is too long")
        return value
    if isinstance(value, int):
        if abs(value) > 2**62:
            return float(value)
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, np.generic):
        return encode(value.item(), budget, _depth + 1)
    torch = __import__("sys").modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return _array(value, budget)
    if isinstance(value, list | tuple):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise WireError("the value is too large")
        return [encode(v, budget, _depth + 1) for v in value]
    if isinstance(value, dict):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise WireError("the value is too large")
        out = {}
        for key, item in value.items():
            if isinstance(key, int | float | np.generic) and not isinstance(key, bool):
                key = repr(float(key))
            if not isinstance(key, str) or key in (ARRAY_KEY, ERROR_KEY):
                raise WireError(f"dict keys must be strings or numbers, not {type(key).__name__}")
            out[key] = encode(item, budget, _depth + 1)
        return out
    raise WireError(f"a value of type {type(value).__name__} is not plain data")


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"__float__": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _array(arr: np.ndarray, budget: list[int]) -> dict:
    if arr.dtype == object or arr.dtype.kind not in "fiub":
        raise WireError(f"arrays of dtype {arr.dtype} are not plain numbers")
    if arr.dtype.kind == "u" or arr.dtype.kind == "i":
        arr = arr.astype("<i8")
    elif arr.dtype.kind == "b":
        arr = arr.astype(bool)
    elif arr.dtype.itemsize <= 4:
        arr = arr.astype("<f4")
    else:
        arr = arr.astype("<f8")
    budget[0] -= arr.size
    if budget[0] < 0:
        raise WireError("the value is too large")
    data = np.ascontiguousarray(arr).tobytes()
    return {
        ARRAY_KEY: {
            "dtype": str(arr.dtype) if arr.dtype != bool else "bool",
            "shape": list(arr.shape),
            "data": base64.b64encode(data).decode("ascii"),
        }
    }


# ------------------------------------------------------------------ child → parent, read


def loads(text: str | bytes) -> Any:
    """Parse a JSON document from the child and :func:`decode` it."""
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not valid JSON ({str(exc)[:80]})") from None
    return decode(raw)


def _no_constant(name: str) -> Any:
    raise WireError(f"bare {name} is not allowed")


def decode(value: Any, _depth: int = 0) -> Any:
    """Rebuild plain data: arrays become read-only numpy arrays; anything odd raises."""
    if _depth > MAX_DEPTH + 2:
        raise WireError("nested too deeply")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise WireError("string too long")
        return value
    if isinstance(value, list):
        return [decode(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        if set(value) == {ARRAY_KEY}:
            return _decode_array(value[ARRAY_KEY])
        if set(value) == {"__float__"}:
            spec = value["__float__"]
            if spec not in ("nan", "inf", "-inf"):
                raise WireError("bad float")
            return float(spec)
        if set(value) == {ERROR_KEY}:
            return CallError(_short(value[ERROR_KEY]))
        return {str(k): decode(v, _depth + 1) for k, v in value.items()}
    raise WireError(f"unexpected {type(value).__name__}")


def _decode_array(spec: Any) -> np.ndarray:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
        raise WireError("malformed array")
    dtype, shape, data = spec["dtype"], spec["shape"], spec["data"]
    if dtype not in DTYPES:
        raise WireError(f"array dtype {dtype!r} not allowed")
    if not isinstance(shape, list) or len(shape) > 8:
        raise WireError("malformed array shape")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape):
        raise WireError("malformed array shape")
    if not isinstance(data, str):
        raise WireError("malformed array data")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("malformed array data") from None
    dt = np.dtype(bool) if dtype == "bool" else np.dtype(dtype).newbyteorder("<")
    size = int(np.prod(shape)) if shape else 1
    if size > MAX_ITEMS or len(raw) != size * dt.itemsize:
        raise WireError("array data does not match its shape")
    arr = np.frombuffer(raw, dtype=dt).reshape(shape).astype(dt.newbyteorder("="))
    arr.setflags(write=False)
    return arr


def _short(message: Any) -> str:
    return str(message)[:300]


class CallError(str):
    """Marks a call that raised in the child; the text is the exception, shortened."""

    __slots__ = ()
