r"""The single definition of each update rule used in the book.

Every optimizer is a small frozen dataclass holding its hyper-parameters, with two methods:

``init(param) -> state``
    A dict with an integer ``"step"`` and zero (or constant) arrays shaped like ``param``.
    Array keys use torch's names (``momentum_buffer``, ``sum``, ``square_avg``, ``grad_avg``,
    ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``), so a state maps one-to-one onto
    ``torch.optim`` state.
``update(param, grad, state) -> (new_param, new_state)``
    Pure: it never modifies its inputs and returns fresh arrays.

The same lines run on numpy arrays and on torch tensors (the only library calls, ``sqrt``,
``maximum`` and friends, go through :func:`array_namespace`). :mod:`d2l_opt.optim` wraps these
rules as ``torch.optim.Optimizer`` subclasses, and :mod:`d2l_opt.trajectory` runs them on many
settings at once: a hyper-parameter may be a numpy array that broadcasts against the parameter,
e.g. ``lr`` of shape ``(n, 1)`` with parameters of shape ``(n, 2)`` runs ``n`` learning rates
side by side.

Conventions (the ones that make learners think a framework is wrong):

* ``eps_inside_sqrt=False`` (torch, Keras Adam, deeplearning.ai, CS231n) divides by
  :math:`\sqrt{s}+\epsilon`; ``eps_inside_sqrt=True`` (d2l, Keras RMSprop/Adagrad, optax
  RMSProp/Adagrad) divides by :math:`\sqrt{s+\epsilon}`.
* Momentum is torch's heavy ball :math:`v \leftarrow \mu v + g`, :math:`w \leftarrow w - \eta v`
  with :math:`v_1 = g_1`. See :mod:`d2l_opt.conventions` for the exact translations of
  :math:`v \leftarrow \beta v + (1-\beta) g` and :math:`v \leftarrow \mu v - \eta g`.

Hyper-parameters are validated when the rule is built, with torch's messages:

>>> Adam(lr=-0.1)
Traceback (most recent call last):
...
ValueError: Invalid learning rate: -0.1
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import warnings
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "RULES",
    "Rule",
    "array_namespace",
    "all_finite",
    "apply",
    "step_inplace",
    "NonFiniteGradientError",
]


# --------------------------------------------------------------------------------------------
# numpy / torch dispatch
# --------------------------------------------------------------------------------------------


class _NumpyOps:
    """The handful of array functions the rules need, for numpy inputs."""

    name = "numpy"
    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def zeros_like(x):
        return np.zeros_like(x)

    @staticmethod
    def full_like(x, value):
        return np.zeros_like(x) + value

    @staticmethod
    def copy(x):
        return np.array(x, copy=True)

    @staticmethod
    def leaky_average(old, new, beta):
        if np.ndim(beta) == 0 and np.shape(old) == np.shape(new):
            # old + (1 - beta) (new - old), in place on one fresh temporary
            out = np.subtract(new, old)
            out *= 1 - beta
            out += old
            return out
        return beta * old + (1 - beta) * new

    @staticmethod
    def addcdiv(x, a, b, value):
        if np.ndim(value) == 0 and np.shape(x) == np.shape(a) == np.shape(b):
            out = np.divide(a, b)
            out *= value
            out += x
            return out
        return x + value * (a / b)

    @staticmethod
    def axpby(x, a, y, b):
        return (x if np.ndim(a) == 0 and a == 1 else a * x) + b * y

    @staticmethod
    def sqrt_eps(s, eps, inside):
        if inside:  # sqrt(s + eps)
            out = s + eps
            if isinstance(out, np.ndarray):
                return np.sqrt(out, out=out)
            return np.sqrt(out)
        out = np.sqrt(s)  # sqrt(s) + eps
        if isinstance(out, np.ndarray) and np.ndim(eps) == 0:
            out += eps
            return out
        return out + eps

    @staticmethod
    def all_finite(x) -> bool:
        return bool(np.isfinite(x).all())


class _TorchOps:
    """The same functions for torch tensors (torch is imported only when a tensor shows up)."""

    name = "torch"

    def __init__(self, torch):
        self._torch = torch
        self.sqrt = torch.sqrt
        self.maximum = torch.maximum

    def zeros_like(self, x):
        return self._torch.zeros_like(x, memory_format=self._torch.preserve_format)

    def full_like(self, x, value):
        return self._torch.full_like(x, value, memory_format=self._torch.preserve_format)

    @staticmethod
    def copy(x):
        return x.detach().clone()

    def leaky_average(self, old, new, beta):
        # one fused kernel: old + (1 - beta) * (new - old)
        return self._torch.lerp(old, new, 1 - beta)

    def addcdiv(self, x, a, b, value):
        return self._torch.addcdiv(x, a, b, value=value)

    def axpby(self, x, a, y, b):
        return self._torch.add(x if a == 1 else x * a, y, alpha=b)

    def sqrt_eps(self, s, eps, inside):
        # one new tensor either way: sqrt(s + eps) or sqrt(s) + eps
        return (s + eps).sqrt_() if inside else self._torch.sqrt(s).add_(eps)

    def all_finite(self, x) -> bool:
        return bool(self._torch.isfinite(x).all())


class _NumpyInplaceOps(_NumpyOps):
    """numpy backend that overwrites the *first* argument of the fused helpers.

    Only for callers that own those arrays and want them updated in place
    (:func:`step_inplace` passes views of its own state and parameter). The rules' ``_step``
    methods are written so that a value passed as that first argument is never read again.
    """

    name = "numpy-inplace"

    @staticmethod
    def leaky_average(old, new, beta):
        step = np.subtract(new, old)
        step *= 1 - beta
        old += step  # old <- old + (1 - beta)(new - old) = beta old + (1 - beta) new
        return old

    @staticmethod
    def addcdiv(x, a, b, value):
        step = np.divide(a, b)
        step *= value
        x += step
        return x

    @staticmethod
    def axpby(x, a, y, b):
        if a != 1:
            x *= a
        x += b * y
        return x


class _TorchInplaceOps(_TorchOps):
    """torch backend that overwrites the first argument of the fused helpers (see above).

    Used by :mod:`d2l_opt.optim`, which owns the parameter and state tensors: the update then
    costs the same kernels as ``torch.optim``'s single-tensor code (``lerp_``, ``addcdiv_``)
    instead of fresh tensors plus copies.
    """

    name = "torch-inplace"

    def leaky_average(self, old, new, beta):
        return old.lerp_(new, 1 - beta)

    def addcdiv(self, x, a, b, value):
        return x.addcdiv_(a, b, value=value)

    def axpby(self, x, a, y, b):
        return (x if a == 1 else x.mul_(a)).add_(y, alpha=b)


_NUMPY_OPS = _NumpyOps()
_NUMPY_INPLACE_OPS = _NumpyInplaceOps()
_TORCH_OPS: _TorchOps | None = None
_TORCH_INPLACE_OPS: _TorchInplaceOps | None = None


def _torch_inplace_ops() -> _TorchInplaceOps:
    global _TORCH_INPLACE_OPS
    if _TORCH_INPLACE_OPS is None:
        _TORCH_INPLACE_OPS = _TorchInplaceOps(sys.modules["torch"])
    return _TORCH_INPLACE_OPS


def array_namespace(x):
    r"""Return the small set of array functions (numpy's or torch's) that matches ``x``.

    The rules call ``ops.sqrt``, ``ops.maximum``, ``ops.zeros_like``, ``ops.full_like``,
    ``ops.copy`` and two fused helpers on the object returned here, so one implementation
    serves both libraries:

    * ``ops.leaky_average(old, new, beta)`` :math:`= \beta\,\text{old} + (1-\beta)\,\text{new}`
      (one ``torch.lerp`` kernel for tensors),
    * ``ops.addcdiv(x, a, b, value)`` :math:`= x + \text{value}\cdot a/b`
      (one ``torch.addcdiv`` kernel),
    * ``ops.axpby(x, a, y, b)`` :math:`= a x + b y` (``add_(y, alpha=b)``),
    * ``ops.sqrt_eps(s, eps, inside)`` :math:`= \sqrt{s+\epsilon}` if ``inside`` else
      :math:`\sqrt{s}+\epsilon`: the eps convention lives in this one place.
    Anything that is not a ``torch.Tensor`` (numpy arrays, numpy scalars, Python floats) is
    handled by numpy. Torch is never imported by this function: a tensor can only exist if
    torch was imported already.

    >>> import numpy as np
    >>> array_namespace(np.ones(3)).name
    'numpy'
    >>> float(array_namespace(4.0).sqrt(4.0))
    2.0
    >>> array_namespace(np.ones(1)).leaky_average(np.array([10.0]), np.array([0.0]), 0.9)
    array([9.])
    """
    global _TORCH_OPS
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        if _TORCH_OPS is None:
            _TORCH_OPS = _TorchOps(torch)
        return _TORCH_OPS
    return _NUMPY_OPS


def all_finite(x) -> bool:
    r"""Return True when every entry of ``x`` is finite (no ``nan``, ``+inf`` or ``-inf``).

    Works on numpy arrays and torch tensors: :math:`\forall i:\ |x_i| < \infty`.

    >>> import numpy as np
    >>> all_finite(np.array([1.0, -2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    return array_namespace(x).all_finite(x)


# --------------------------------------------------------------------------------------------
# hyper-parameter handling and validation
# --------------------------------------------------------------------------------------------


def _as_hyper(value: Any) -> Any:
    """Scalars become Python floats; anything array-like becomes a float64 numpy array."""
    if isinstance(value, bool):
        return value
    if np.ndim(value) == 0:
        return float(value)
    return np.asarray(value, dtype=np.float64)


def _check(value: Any, ok, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok`` holds for every entry of ``value``."""
    arr = np.asarray(value, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        good = np.all(ok(arr))
    if not good:
        raise ValueError(message)


def _check_lr(lr):
    _check(lr, lambda a: a >= 0, f"Invalid learning rate: {lr}")


def _check_eps(eps):
    # torch accepts eps == 0; we do not: with eps outside the square root a zero gradient
    # history then divides 0 by 0 and silently produces nan.
    _check(eps, lambda a: a > 0, f"Invalid epsilon value: {eps}")


def _check_weight_decay(wd):
    _check(wd, lambda a: a >= 0, f"Invalid weight_decay value: {wd}")


def _check_momentum(m):
    _check(m, lambda a: a >= 0, f"Invalid momentum value: {m}")


def _check_unit(value, message):
    """A decay rate must lie in [0, 1)."""
    _check(value, lambda a: (a >= 0) & (a < 1), message)


def _nonzero(x) -> bool:
    """True when a scalar or array hyper-parameter has any non-zero entry."""
    if isinstance(x, np.ndarray):
        return bool(np.any(x != 0))
    return x != 0


def _shape(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def _check_shapes(param, grad, state, keys) -> None:
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


def _finish(param, new_param, new_state: dict):
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


class _RuleBase:
    """Behaviour shared by the rule dataclasses."""

    #: state keys holding arrays, in torch's names
    state_keys: tuple[str, ...] = ()

    def replace(self, **changes):
        """Return a copy of the rule with some hyper-parameters changed (validated again).

        >>> SGD(lr=0.1).replace(momentum=0.9).momentum
        0.9
        """
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        values.update(changes)
        return type(self)(**values)

    def hyperparameters(self) -> dict:
        """The rule's hyper-parameters as a dict (field name -> value).

        >>> RMSprop(lr=0.1).hyperparameters()["alpha"]
        0.99
        """
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}

    def update(self, param, grad, state):
        """Return ``(new_param, new_state)`` after one step; the inputs are not modified.

        Checks that ``grad`` and the state arrays have the parameter's shape, runs the rule's
        math (``_step``, written out in each class) with numpy or torch operations to match
        ``param``, and keeps numpy dtypes (float32 stays float32).

        >>> import numpy as np
        >>> rule = SGD(lr=0.5)
        >>> w = np.array([1.0, 2.0])
        >>> rule.update(w, np.array([2.0, 2.0]), rule.init(w))
        (array([0., 1.]), {'step': 1})
        """
        _check_shapes(param, grad, state, self.state_keys)
        new_param, new_state = self._step(array_namespace(param), param, grad, state)
        return _finish(param, new_param, new_state)

    def _array_fields(self) -> list[str]:
        names = []
        for key, value in self.hyperparameters().items():
            if isinstance(value, np.ndarray) or (
                isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value)
            ):
                names.append(key)
        return names


# --------------------------------------------------------------------------------------------
# SGD with (heavy-ball / Nesterov) momentum
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SGD(_RuleBase):
    r"""Stochastic gradient descent with optional heavy-ball or Nesterov momentum (torch's form).

    With :math:`g_t` the gradient (negated when ``maximize``), :math:`\lambda` the
    ``weight_decay``, :math:`\mu` the ``momentum`` and :math:`\tau` the ``dampening``:

    .. math::

        g_t &\leftarrow g_t + \lambda w_{t-1} \\
        v_t &\leftarrow \begin{cases} g_t & t = 1 \\
                                      \mu v_{t-1} + (1-\tau) g_t & t > 1 \end{cases} \\
        d_t &\leftarrow \begin{cases} g_t + \mu v_t & \text{nesterov} \\
                                      v_t & \text{otherwise} \end{cases} \\
        w_t &\leftarrow w_{t-1} - \eta\, d_t

    With ``momentum=0`` this is plain gradient descent :math:`w \leftarrow w - \eta g`.
    Note the first step: the buffer starts at the gradient itself, not at
    :math:`(1-\tau) g_1`, so ``dampening`` does not act on step 1.

    >>> import numpy as np
    >>> rule = SGD(lr=0.1, momentum=0.9)
    >>> w = np.array([1.0, -2.0])
    >>> state = rule.init(w)
    >>> w, state = rule.update(w, np.array([1.0, 1.0]), state)   # v = g
    >>> w, state = rule.update(w, np.array([1.0, 1.0]), state)   # v = 0.9 g + g
    >>> w.round(6), state["momentum_buffer"].round(6), state["step"]
    (array([ 0.71, -2.29]), array([1.9, 1.9]), 2)
    """

    lr: Any = 1e-3
    momentum: Any = 0.0
    dampening: Any = 0.0
    nesterov: bool = False
    weight_decay: Any = 0.0
    maximize: bool = False

    def __post_init__(self):
        for name in ("lr", "momentum", "dampening", "weight_decay"):
            object.__setattr__(self, name, _as_hyper(getattr(self, name)))
        _check_lr(self.lr)
        _check_momentum(self.momentum)
        _check_weight_decay(self.weight_decay)
        if self.nesterov and (np.any(np.asarray(self.momentum) <= 0) or _nonzero(self.dampening)):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    @cached_property
    def state_keys(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if _nonzero(self.momentum) else ()

    def init(self, param) -> dict:
        """Return the initial state: step 0 and, with momentum, a zero buffer.

        >>> SGD(lr=0.1, momentum=0.5).init(np.zeros(2))
        {'step': 0, 'momentum_buffer': array([0., 0.])}
        """
        ops = array_namespace(param)
        state = {"step": 0}
        if _nonzero(self.momentum):
            state["momentum_buffer"] = ops.zeros_like(param)
        return state

    def _step(self, ops, param, grad, state):
        """The update rule itself (see the class docstring); called by :meth:`update`.

        >>> SGD(lr=0.5).update(np.array([1.0]), np.array([2.0]), {"step": 0})[0]
        array([0.])
        """
        step = state["step"] + 1
        g = -grad if self.maximize else grad
        if _nonzero(self.weight_decay):
            g = g + self.weight_decay * param
        new_state = {"step": step}
        if _nonzero(self.momentum):
            if step == 1:
                v = ops.copy(g)  # torch's first step: the buffer is the gradient itself
            else:
                v = ops.axpby(state["momentum_buffer"], self.momentum, g, 1 - self.dampening)
            new_state["momentum_buffer"] = v
            g = g + self.momentum * v if self.nesterov else v
        new_param = ops.axpby(param, 1.0, g, -self.lr)  # w - lr * g
        return new_param, new_state


# --------------------------------------------------------------------------------------------
# Adagrad
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adagrad(_RuleBase):
    r"""Adagrad: divide by the root of the running *sum* of squared gradients (torch's form).

    .. math::

        g_t &\leftarrow g_t + \lambda w_{t-1} \\
        \tilde\eta_t &\leftarrow \frac{\eta}{1 + (t-1)\,\text{lr\_decay}} \\
        s_t &\leftarrow s_{t-1} + g_t^2, \qquad s_0 = \text{initial\_accumulator\_value} \\
        w_t &\leftarrow w_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t} + \epsilon}
        \quad\text{or, with eps\_inside\_sqrt,}\quad
        w_{t-1} - \tilde\eta_t \frac{g_t}{\sqrt{s_t + \epsilon}}

    >>> import numpy as np
    >>> rule = Adagrad(lr=0.5)
    >>> w = np.array([1.0, 1.0])
    >>> w, state = rule.update(w, np.array([2.0, -4.0]), rule.init(w))
    >>> w.round(6), state["sum"]
    (array([0.5, 1.5]), array([ 4., 16.]))
    """

    lr: Any = 1e-2
    lr_decay: Any = 0.0
    weight_decay: Any = 0.0
    initial_accumulator_value: Any = 0.0
    eps: Any = 1e-10
    eps_inside_sqrt: bool = False
    maximize: bool = False

    state_keys = ("sum",)

    def __post_init__(self):
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            object.__setattr__(self, name, _as_hyper(getattr(self, name)))
        _check_lr(self.lr)
        _check(self.lr_decay, lambda a: a >= 0, f"Invalid lr_decay value: {self.lr_decay}")
        _check_weight_decay(self.weight_decay)
        _check(
            self.initial_accumulator_value,
            lambda a: a >= 0,
            f"Invalid initial_accumulator_value value: {self.initial_accumulator_value}",
        )
        _check_eps(self.eps)

    def init(self, param) -> dict:
        """Return step 0 and the accumulator filled with ``initial_accumulator_value``.

        >>> Adagrad(initial_accumulator_value=0.1).init(np.zeros(2))
        {'step': 0, 'sum': array([0.1, 0.1])}
        """
        ops = array_namespace(param)
        return {"step": 0, "sum": ops.full_like(param, self.initial_accumulator_value)}

    def _step(self, ops, param, grad, state):
        """The update rule itself (see the class docstring); called by :meth:`update`.

        >>> rule = Adagrad(lr=1.0, eps_inside_sqrt=True, eps=1e-12)
        >>> rule.update(np.array([0.0]), np.array([3.0]), rule.init(np.zeros(1)))[0].round(9)
        array([-1.])
        """
        step = state["step"] + 1
        g = -grad if self.maximize else grad
        if _nonzero(self.weight_decay):
            g = g + self.weight_decay * param
        lr_t = self.lr / (1 + (step - 1) * self.lr_decay)
        s = state["sum"] + g * g
        denom = ops.sqrt_eps(s, self.eps, self.eps_inside_sqrt)  # sqrt(s + eps) or sqrt(s) + eps
        new_param = ops.addcdiv(param, g, denom, -lr_t)  # w - lr_t * g / denom
        return new_param, {"step": step, "sum": s}


# --------------------------------------------------------------------------------------------
# RMSprop
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RMSprop(_RuleBase):
    r"""RMSProp: divide by the root of a leaky average of squared gradients (torch's form).

    :math:`\alpha` (``alpha``) is the decay rate, called :math:`\gamma` in d2l, ``rho`` in
    Keras, ``decay`` in optax and :math:`\beta_2` in deeplearning.ai.

    .. math::

        g_t &\leftarrow g_t + \lambda w_{t-1} \\
        s_t &\leftarrow \alpha s_{t-1} + (1-\alpha) g_t^2 \\
        \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t
            \quad\text{(centered only; then } s_t \text{ below becomes }
            s_t - \bar g_t^2\text{)} \\
        r_t &\leftarrow \sqrt{s_t} + \epsilon
            \quad\text{or, with eps\_inside\_sqrt,}\quad \sqrt{s_t + \epsilon} \\
        b_t &\leftarrow \mu b_{t-1} + g_t / r_t \quad (b_0 = 0) \\
        w_t &\leftarrow w_{t-1} - \eta\, b_t

    Without momentum (:math:`\mu=0`) the last two lines are :math:`w_t = w_{t-1} - \eta g_t/r_t`.

    >>> import numpy as np
    >>> rule = RMSprop(lr=0.01, alpha=0.9, eps=1e-6, eps_inside_sqrt=True)   # d2l's form
    >>> w = np.array([1.0])
    >>> w, state = rule.update(w, np.array([2.0]), rule.init(w))
    >>> state["square_avg"].round(6), w.round(6)
    (array([0.4]), array([0.968377]))
    """

    lr: Any = 1e-2
    alpha: Any = 0.99
    eps: Any = 1e-8
    weight_decay: Any = 0.0
    momentum: Any = 0.0
    centered: bool = False
    eps_inside_sqrt: bool = False
    maximize: bool = False

    def __post_init__(self):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            object.__setattr__(self, name, _as_hyper(getattr(self, name)))
        _check_lr(self.lr)
        _check_eps(self.eps)
        _check_momentum(self.momentum)
        _check_weight_decay(self.weight_decay)
        _check_unit(self.alpha, f"Invalid alpha value: {self.alpha}")

    @cached_property
    def state_keys(self) -> tuple[str, ...]:
        keys = ("square_avg",)
        if _nonzero(self.momentum):
            keys += ("momentum_buffer",)
        if self.centered:
            keys += ("grad_avg",)
        return keys

    def init(self, param) -> dict:
        """Return step 0 and zero arrays for the averages (and momentum buffer).

        >>> sorted(RMSprop(momentum=0.9, centered=True).init(np.zeros(1)))
        ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
        """
        ops = array_namespace(param)
        return {"step": 0, **{key: ops.zeros_like(param) for key in self.state_keys}}

    def _step(self, ops, param, grad, state):
        """The update rule itself (see the class docstring); called by :meth:`update`.

        >>> rule = RMSprop(lr=0.1, alpha=0.0)        # alpha = 0: sign-like steps of size lr
        >>> rule.update(np.array([0.0]), np.array([-5.0]), rule.init(np.zeros(1)))[0].round(6)
        array([0.1])
        """
        step = state["step"] + 1
        g = -grad if self.maximize else grad
        if _nonzero(self.weight_decay):
            g = g + self.weight_decay * param
        # leaky_average(old, new, a) = a * old + (1 - a) * new
        s = ops.leaky_average(state["square_avg"], g * g, self.alpha)
        new_state = {"step": step, "square_avg": s}
        if self.centered:
            g_avg = ops.leaky_average(state["grad_avg"], g, self.alpha)
            new_state["grad_avg"] = g_avg
            s = s - g_avg * g_avg
        denom = ops.sqrt_eps(s, self.eps, self.eps_inside_sqrt)  # sqrt(s + eps) or sqrt(s) + eps
        if _nonzero(self.momentum):
            b = ops.addcdiv(self.momentum * state["momentum_buffer"], g, denom, 1.0)
            new_state["momentum_buffer"] = b  # mu * b + g / denom
            new_param = param - self.lr * b
        else:
            new_param = ops.addcdiv(param, g, denom, -self.lr)  # w - lr * g / denom
        return new_param, new_state


# --------------------------------------------------------------------------------------------
# Adam / AdamW
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adam(_RuleBase):
    r"""Adam with bias correction, optional AMSGrad and L2 or decoupled weight decay.

    .. math::

        w_{t-1} &\leftarrow (1 - \eta\lambda)\, w_{t-1}
            \quad\text{(decoupled\_weight\_decay, i.e. AdamW)} \\
        g_t &\leftarrow g_t + \lambda w_{t-1}
            \quad\text{(otherwise: L2 penalty folded into the gradient)} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat v_t &\leftarrow \max(\hat v_{t-1}, v_t) \text{ (amsgrad) or } v_t \\
        w_t &\leftarrow w_{t-1} - \frac{\eta}{1-\beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t / (1-\beta_2^t)} + \epsilon}
        \quad\text{or, with eps\_inside\_sqrt,}\quad
            \ldots\frac{m_t}{\sqrt{\hat v_t / (1-\beta_2^t) + \epsilon}}

    The bias corrections make the first step exactly :math:`\eta\, g_1/(|g_1|+\epsilon)`,
    i.e. about :math:`\eta` per coordinate, whatever the betas.

    >>> import numpy as np
    >>> rule = Adam(lr=0.1)
    >>> w = np.array([1.0, 1.0])
    >>> w, state = rule.update(w, np.array([3.0, -0.5]), rule.init(w))
    >>> w.round(6), state["step"]
    (array([0.9, 1.1]), 1)
    """

    lr: Any = 1e-3
    betas: Any = (0.9, 0.999)
    eps: Any = 1e-8
    weight_decay: Any = 0.0
    decoupled_weight_decay: bool = False
    amsgrad: bool = False
    eps_inside_sqrt: bool = False
    maximize: bool = False

    def __post_init__(self):
        for name in ("lr", "eps", "weight_decay"):
            object.__setattr__(self, name, _as_hyper(getattr(self, name)))
        betas = tuple(self.betas)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        object.__setattr__(self, "betas", tuple(_as_hyper(b) for b in betas))
        _check_lr(self.lr)
        _check_eps(self.eps)
        for i, beta in enumerate(self.betas):
            _check_unit(beta, f"Invalid beta parameter at index {i}: {beta}")
        _check_weight_decay(self.weight_decay)

    @cached_property
    def state_keys(self) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    def init(self, param) -> dict:
        """Return step 0 and zero moment estimates.

        >>> sorted(Adam(amsgrad=True).init(np.zeros(3)))
        ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']
        """
        ops = array_namespace(param)
        return {"step": 0, **{key: ops.zeros_like(param) for key in self.state_keys}}

    def _step(self, ops, param, grad, state):
        """The update rule itself (see the class docstring); called by :meth:`update`.

        >>> rule = Adam(lr=0.1, maximize=True)       # maximize: step *up* the gradient
        >>> rule.update(np.array([0.0]), np.array([2.0]), rule.init(np.zeros(1)))[0].round(6)
        array([0.1])
        """
        beta1, beta2 = self.betas
        step = state["step"] + 1
        g = -grad if self.maximize else grad
        if _nonzero(self.weight_decay):
            if self.decoupled_weight_decay:
                param_d = param * (1 - self.lr * self.weight_decay)
            else:
                param_d = param
                g = g + self.weight_decay * param
        else:
            param_d = param
        # leaky_average(old, new, b) = b * old + (1 - b) * new
        m = ops.leaky_average(state["exp_avg"], g, beta1)
        v = ops.leaky_average(state["exp_avg_sq"], g * g, beta2)
        new_state = {"step": step, "exp_avg": m, "exp_avg_sq": v}
        if self.amsgrad:
            v = ops.maximum(state["max_exp_avg_sq"], v)
            new_state["max_exp_avg_sq"] = v
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        # lr/bc1 * m / (sqrt(v/bc2) + eps) == step_size * m / (sqrt(v) + eps*sqrt(bc2)):
        # the scalar sqrt(bc2) moves out of the array expression (two array operations fewer)
        root_bc2 = bias_correction2**0.5
        step_size = self.lr * root_bc2 / bias_correction1
        if self.eps_inside_sqrt:  # sqrt(v/bc2 + eps) * sqrt(bc2) = sqrt(v + eps*bc2)
            denom = ops.sqrt_eps(v, self.eps * bias_correction2, True)
        else:  # (sqrt(v/bc2) + eps) * sqrt(bc2) = sqrt(v) + eps*sqrt(bc2)
            denom = ops.sqrt_eps(v, self.eps * root_bc2, False)
        new_param = ops.addcdiv(param_d, m, denom, -step_size)
        return new_param, new_state


@dataclass(frozen=True)
class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), torch's ``AdamW`` defaults.

    Identical to :class:`Adam` with ``decoupled_weight_decay=True``:
    :math:`w \leftarrow (1-\eta\lambda) w` before the Adam step, so the decay does not pass
    through the adaptive denominator. Default :math:`\lambda = 10^{-2}` as in torch.

    >>> import numpy as np
    >>> rule = AdamW(lr=0.1, weight_decay=0.5)
    >>> w = np.array([2.0])
    >>> rule.update(w, np.array([0.0]), rule.init(w))[0]    # zero gradient: only the decay
    array([1.9])
    """

    weight_decay: Any = 1e-2
    decoupled_weight_decay: bool = True


#: Rule classes by lower-case name.
RULES: dict[str, type] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}

Rule = SGD | Adagrad | RMSprop | Adam | AdamW


# --------------------------------------------------------------------------------------------
# checked and in-place application
# --------------------------------------------------------------------------------------------


class NonFiniteGradientError(FloatingPointError, ValueError):
    """Raised when a gradient holds nan or inf and the caller asked for ``nonfinite="raise"``."""


def _check_nonfinite_mode(nonfinite: str) -> None:
    if nonfinite not in ("raise", "skip"):
        raise ValueError(f"nonfinite must be 'raise' or 'skip', got {nonfinite!r}")


def apply(rule, param, grad, state, *, nonfinite: str = "raise"):
    r"""Like ``rule.update`` but refuses non-finite gradients instead of spreading nan.

    ``nonfinite="raise"`` raises :class:`NonFiniteGradientError`; ``"skip"`` returns the
    inputs unchanged (:math:`w_t = w_{t-1}`, state untouched) and emits a ``RuntimeWarning``.

    >>> import numpy as np
    >>> rule = SGD(lr=0.1)
    >>> w = np.array([1.0])
    >>> apply(rule, w, np.array([np.inf]), rule.init(w))
    Traceback (most recent call last):
    ...
    d2l_opt.rules.NonFiniteGradientError: Non-finite gradient (nan or inf); nothing was updated
    """
    _check_nonfinite_mode(nonfinite)
    if not all_finite(grad):
        if nonfinite == "raise":
            raise NonFiniteGradientError("Non-finite gradient (nan or inf); nothing was updated")
        warnings.warn("Non-finite gradient: step skipped", RuntimeWarning, stacklevel=2)
        return param, state
    return rule.update(param, grad, state)


def _all_finite_fast(flat: np.ndarray) -> bool:
    # The sum is finite if every entry is, and inf/nan otherwise: one pass, no temporary (and
    # no BLAS threads). A finite but huge gradient can overflow the sum: then check exactly.
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(np.add.reduce(flat)):
            return True
    return bool(np.isfinite(flat).all())


_POOL = None


def _pool(threads: int):
    """A shared thread pool (numpy releases the GIL inside its array loops)."""
    global _POOL
    if _POOL is None or _POOL._max_workers < threads:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="d2l_opt")
    return _POOL


_TORCH_DTYPES = ("float16", "float32", "float64")


def _pick_backend(backend: str, dtype) -> str:
    if backend not in ("auto", "numpy", "torch"):
        raise ValueError(f"backend must be 'auto', 'numpy' or 'torch', got {backend!r}")
    if backend != "auto":
        return backend
    if np.dtype(dtype).name in _TORCH_DTYPES and importlib.util.find_spec("torch") is not None:
        return "torch"
    return "numpy"


def step_inplace(
    rule,
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    backend: str = "auto",
    block: int | None = None,
    threads: int = 1,
    nonfinite: str = "raise",
) -> bool:
    r"""Apply ``rule`` to numpy arrays *in place*, block by block, for speed on big arrays.

    This runs the rule's own update code (the ``_step`` that ``rule.update`` runs) on
    ``block``-element views of the flattened arrays, with a backend whose fused helpers write
    into the views (any other result is copied in). Small blocks keep the temporaries in the
    CPU cache, so memory traffic stays close to the minimum: read ``param``, ``grad`` and the
    state once, write ``param`` and the state once. ``state["step"]`` advances once.
    Hyper-parameters must be scalars here.

    ``backend``: ``"numpy"`` uses numpy ufuncs (blocks of 16k elements, ``threads`` threads;
    numpy releases the GIL inside its loops, but on small blocks the GIL hand-over usually
    eats the gain). ``"torch"`` wraps the same numpy memory as torch tensors
    (``torch.from_numpy``, no copy) and uses torch's fused, multi-threaded kernels (blocks of
    128k elements): the same rule, the same arrays, about twice the speed of the numpy
    ufuncs. ``"auto"`` (default) picks torch when it is installed and the dtype is a float.

    Returns True if a step was taken, False if it was skipped (``nonfinite="skip"`` and a
    non-finite gradient; a ``RuntimeWarning`` says so). With ``"raise"`` a non-finite
    gradient raises :class:`NonFiniteGradientError` before anything is modified.

    >>> import numpy as np
    >>> rule = Adam(lr=0.1)
    >>> w = np.ones(100_000, dtype=np.float32)
    >>> state = rule.init(w)
    >>> step_inplace(rule, w, np.full_like(w, 2.0), state, backend="numpy")
    True
    >>> round(float(w[0]), 6), w.dtype, state["step"]
    (0.9, dtype('float32'), 1)
    """
    _check_nonfinite_mode(nonfinite)
    if rule._array_fields():
        raise ValueError("step_inplace needs scalar hyper-parameters; use rule.update instead")
    if not isinstance(param, np.ndarray) or not isinstance(grad, np.ndarray):
        raise TypeError("step_inplace works on numpy arrays; use d2l_opt.optim for torch")
    keys = [key for key in rule.state_keys if state.get(key) is not None]
    _check_shapes(param, grad, state, keys)
    arrays = [param, grad] + [state[key] for key in keys]
    for key, arr in zip(keys, arrays[2:], strict=True):
        if arr.dtype != param.dtype:
            raise ValueError(f"State '{key}' has dtype {arr.dtype}, parameter {param.dtype}")
    if not all(a.flags.writeable for a in arrays[:1] + arrays[2:]):
        raise ValueError("param and state arrays must be writeable")
    contiguous = all(a.flags.c_contiguous and a.dtype.isnative for a in arrays)
    backend = _pick_backend(backend, param.dtype) if contiguous else "numpy"
    if block is None:
        block = 131072 if backend == "torch" else 16384
    if block < 1:
        raise ValueError(f"block must be positive, got {block}")
    flat_grad = grad.reshape(-1) if contiguous else np.ravel(grad)
    if backend == "torch":
        torch = importlib.import_module("torch")
        flat_grad = torch.from_numpy(flat_grad)
        finite = _all_finite_torch(torch, flat_grad)
    else:
        finite = _all_finite_fast(flat_grad)
    if not finite:
        if nonfinite == "raise":
            raise NonFiniteGradientError(
                "Non-finite gradient (nan or inf); nothing was updated. "
                "Pass nonfinite='skip' to skip such steps."
            )
        warnings.warn("Non-finite gradient: step skipped", RuntimeWarning, stacklevel=2)
        return False
    step = state["step"]
    if not contiguous:
        new_param, new_state = rule.update(param, grad, state)
        np.copyto(param, new_param)
        for key in keys:
            np.copyto(state[key], new_state[key])
        state["step"] = new_state["step"]
        return True
    if backend == "torch":
        ops, wrap = _torch_inplace_ops(), torch.from_numpy
    else:
        ops, wrap = _NUMPY_INPLACE_OPS, (lambda a: a)
    flat_param = wrap(param.reshape(-1))
    flat_state = {key: wrap(state[key].reshape(-1)) for key in keys}
    size = param.size

    def run_blocks(first: int, last: int) -> None:
        for start in range(first, last, block):
            stop = min(start + block, last)
            p = flat_param[start:stop]
            sub = {"step": step}
            for key, arr in flat_state.items():
                sub[key] = arr[start:stop]
            # the in-place backend writes most results straight into the views
            new_p, new_sub = rule._step(ops, p, flat_grad[start:stop], sub)
            if new_p is not p:
                p[...] = new_p
            for key in flat_state:
                if new_sub[key] is not sub[key]:
                    sub[key][...] = new_sub[key]

    n_blocks = -(-size // block)
    threads = 1 if backend == "torch" else max(1, min(threads, n_blocks))
    if threads == 1:
        if backend == "torch":
            with torch.no_grad():
                run_blocks(0, size)
        else:
            run_blocks(0, size)
    else:
        # contiguous runs of whole blocks, one per thread
        edges = [min(size, (n_blocks * i // threads) * block) for i in range(threads)]
        edges.append(size)
        futures = [
            _pool(threads).submit(run_blocks, edges[i], edges[i + 1]) for i in range(threads)
        ]
        for future in futures:
            future.result()
    state["step"] = step + 1
    return True


def _all_finite_torch(torch, flat) -> bool:
    # as _all_finite_fast, with torch's multi-threaded reduction
    dtype = torch.float64 if flat.dtype == torch.float64 else torch.float32
    if math.isfinite(float(flat.sum(dtype=dtype))):
        return True
    return bool(torch.isfinite(flat).all())
