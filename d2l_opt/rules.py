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
``maximum`` and friends, go through :func:`array_namespace` of :mod:`d2l_opt.backends`).
:mod:`d2l_opt.optim` wraps these
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

import warnings
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np

from . import hyperparameters as hp
from .backends import all_finite, array_namespace

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
    "NonFiniteGradientError",
]


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
        self.check_shapes(param, grad, state)
        new_param, new_state = self._step(array_namespace(param), param, grad, state)
        return hp.finish(param, new_param, new_state)

    # -- the internal interface of the in-place machinery (d2l_opt.inplace) ------------------

    def step_with(self, ops, param, grad, state):
        """The rule's math on a backend of :mod:`d2l_opt.backends`, with no checks.

        :meth:`update` is this plus the shape checks and dtype handling; :mod:`d2l_opt.inplace`
        passes an in-place backend (which may overwrite ``param`` and the state arrays).
        """
        return self._step(ops, param, grad, state)

    def check_shapes(self, param, grad, state, keys=None) -> None:
        """Raise ``ValueError`` unless ``grad`` and the state arrays have ``param``'s shape."""
        hp.check_shapes(param, grad, state, self.state_keys if keys is None else keys)

    def _gradient(self, param, grad):
        r"""The gradient the rule steps with: negated when ``maximize``, plus the L2 term.

        :math:`g \leftarrow \pm g + \lambda w` with :math:`\lambda` the ``weight_decay``,
        unless the decay is decoupled (AdamW's, applied to :math:`w` instead).
        """
        g = -grad if self.maximize else grad
        coupled = not getattr(self, "decoupled_weight_decay", False)
        if coupled and hp.nonzero(self.weight_decay):
            g = g + self.weight_decay * param
        return g

    def array_hyperparameters(self) -> list[str]:
        """Names of the hyper-parameters given as arrays (several settings side by side)."""
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
            object.__setattr__(self, name, hp.as_hyper(getattr(self, name)))
        hp.check_lr(self.lr)
        hp.check_momentum(self.momentum)
        hp.check_weight_decay(self.weight_decay)
        if self.nesterov and (np.any(np.asarray(self.momentum) <= 0) or hp.nonzero(self.dampening)):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    @cached_property
    def state_keys(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if hp.nonzero(self.momentum) else ()

    def init(self, param) -> dict:
        """Return the initial state: step 0 and, with momentum, a zero buffer.

        >>> SGD(lr=0.1, momentum=0.5).init(np.zeros(2))
        {'step': 0, 'momentum_buffer': array([0., 0.])}
        """
        ops = array_namespace(param)
        state = {"step": 0}
        if hp.nonzero(self.momentum):
            state["momentum_buffer"] = ops.zeros_like(param)
        return state

    def _step(self, ops, param, grad, state):
        """The update rule itself (see the class docstring); called by :meth:`update`.

        >>> SGD(lr=0.5).update(np.array([1.0]), np.array([2.0]), {"step": 0})[0]
        array([0.])
        """
        step = state["step"] + 1
        g = self._gradient(param, grad)
        new_state = {"step": step}
        if hp.nonzero(self.momentum):
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
            object.__setattr__(self, name, hp.as_hyper(getattr(self, name)))
        hp.check_lr(self.lr)
        hp.check(self.lr_decay, lambda a: a >= 0, f"Invalid lr_decay value: {self.lr_decay}")
        hp.check_weight_decay(self.weight_decay)
        hp.check(
            self.initial_accumulator_value,
            lambda a: a >= 0,
            f"Invalid initial_accumulator_value value: {self.initial_accumulator_value}",
        )
        hp.check_eps(self.eps)

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
        g = self._gradient(param, grad)
        lr_t = self.lr / (1 + (step - 1) * self.lr_decay)
        s = ops.add_square(state["sum"], g)  # s + g^2
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
            object.__setattr__(self, name, hp.as_hyper(getattr(self, name)))
        hp.check_lr(self.lr)
        hp.check_eps(self.eps)
        hp.check_momentum(self.momentum)
        hp.check_weight_decay(self.weight_decay)
        hp.check_unit(self.alpha, f"Invalid alpha value: {self.alpha}")

    @cached_property
    def state_keys(self) -> tuple[str, ...]:
        keys = ("square_avg",)
        if hp.nonzero(self.momentum):
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
        g = self._gradient(param, grad)
        # leaky_average(old, new, a) = a * old + (1 - a) * new
        s = ops.leaky_average_sq(state["square_avg"], g, self.alpha)
        new_state = {"step": step, "square_avg": s}
        if self.centered:
            g_avg = ops.leaky_average(state["grad_avg"], g, self.alpha)
            new_state["grad_avg"] = g_avg
            s = s - g_avg * g_avg
        denom = ops.sqrt_eps(s, self.eps, self.eps_inside_sqrt)  # sqrt(s + eps) or sqrt(s) + eps
        if hp.nonzero(self.momentum):
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
            object.__setattr__(self, name, hp.as_hyper(getattr(self, name)))
        betas = tuple(self.betas)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        object.__setattr__(self, "betas", tuple(hp.as_hyper(b) for b in betas))
        hp.check_lr(self.lr)
        hp.check_eps(self.eps)
        for i, beta in enumerate(self.betas):
            hp.check_unit(beta, f"Invalid beta parameter at index {i}: {beta}")
        hp.check_weight_decay(self.weight_decay)

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
        g = self._gradient(param, grad)
        if self.decoupled_weight_decay and hp.nonzero(self.weight_decay):
            param_d = param * (1 - self.lr * self.weight_decay)
        else:
            param_d = param
        # leaky_average(old, new, b) = b * old + (1 - b) * new
        m = ops.leaky_average(state["exp_avg"], g, beta1)
        v = ops.leaky_average_sq(state["exp_avg_sq"], g, beta2)
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


def check_nonfinite_mode(nonfinite: str) -> None:
    """Raise ``ValueError`` unless ``nonfinite`` is ``"raise"`` or ``"skip"``."""
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
    check_nonfinite_mode(nonfinite)
    if not all_finite(grad):
        if nonfinite == "raise":
            raise NonFiniteGradientError("Non-finite gradient (nan or inf); nothing was updated")
        warnings.warn("Non-finite gradient: step skipped", RuntimeWarning, stacklevel=2)
        return param, state
    return rule.update(param, grad, state)
