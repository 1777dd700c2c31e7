"""Hyper-parameter conversion and validation for :mod:`d2l_opt.rules`, with torch's messages.

Also the shape checks a step makes and the dtype fix-up of its numpy results; the rules'
dataclasses call these so that their own code reads as the update rule and nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "as_hyper",
    "check",
    "check_lr",
    "check_eps",
    "check_weight_decay",
    "check_momentum",
    "check_unit",
    "nonzero",
    "check_shapes",
    "finish",
]


def as_hyper(value: Any) -> Any:
    """Scalars become Python floats; anything array-like becomes a float64 numpy array."""
    if isinstance(value, bool):
        return value
    if np.ndim(value) == 0:
        return float(value)
    return np.asarray(value, dtype=np.float64)


def check(value: Any, ok, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok`` holds for every entry of ``value``."""
    arr = np.asarray(value, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        good = np.all(ok(arr))
    if not good:
        raise ValueError(message)


def check_lr(lr):
    check(lr, lambda a: a >= 0, f"Invalid learning rate: {lr}")


def check_eps(eps):
    # torch accepts eps == 0; we do not: with eps outside the square root a zero gradient
    # history then divides 0 by 0 and silently produces nan.
    check(eps, lambda a: a > 0, f"Invalid epsilon value: {eps}")


def check_weight_decay(wd):
    check(wd, lambda a: a >= 0, f"Invalid weight_decay value: {wd}")


def check_momentum(m):
    check(m, lambda a: a >= 0, f"Invalid momentum value: {m}")


def check_unit(value, message):
    """A decay rate must lie in [0, 1)."""
    check(value, lambda a: (a >= 0) & (a < 1), message)


def nonzero(x) -> bool:
    """True when a scalar or array hyper-parameter has any non-zero entry."""
    if isinstance(x, np.ndarray):
        return bool(np.any(x != 0))
    return x != 0


def _shape(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def check_shapes(param, grad, state, keys) -> None:
    """Raise ``ValueError`` unless ``grad`` and the state arrays ``keys`` match ``param``."""
    pshape = getattr(param, "shape", None)
    if pshape is not None and getattr(grad, "shape", None) == pshape:
        # fast path (arrays and tensors); the loop below only builds messages
        if all(getattr(state.get(key), "shape", pshape) == pshape for key in keys):
            return
    pshape = _shape(param)
    if _shape(grad) != pshape:
        raise ValueError(f"Gradient shape {_shape(grad)} does not match parameter shape {pshape}")
    for key in keys:
        value = state.get(key)
        if value is not None and _shape(value) != pshape:
            raise ValueError(
                f"State '{key}' has shape {_shape(value)} but the parameter has shape {pshape}"
            )


def finish(param, new_param, new_state: dict):
    """Check that hyper-parameter arrays did not grow the parameter; keep numpy dtypes."""
    if _shape(new_param) != _shape(param):
        raise ValueError(
            f"Hyper-parameter arrays broadcast the parameter from shape {_shape(param)} to "
            f"{_shape(new_param)}; give the parameter the full batch shape first "
            "(e.g. np.broadcast_to(x0, shape).copy())"
        )
    dtype = getattr(param, "dtype", None)
    if isinstance(param, np.ndarray | np.generic) and new_param.dtype != dtype:
        new_param = new_param.astype(dtype)
        for key, value in new_state.items():
            if key != "step" and value is not None:
                new_state[key] = value.astype(dtype)
    return new_param, new_state
