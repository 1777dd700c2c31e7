r"""``torch.optim.Optimizer`` subclasses built on the update rules of :mod:`d2l_opt.rules`.

Each class has torch's constructor signature (so ``d2l_opt.optim.Adam`` is a drop-in for
``torch.optim.Adam``) plus two arguments of our own:

``eps_inside_sqrt``
    ``False`` (torch's convention) divides by :math:`\sqrt{s}+\epsilon`, ``True`` (d2l's)
    by :math:`\sqrt{s+\epsilon}`. (Not on SGD, which has no epsilon.)
``nonfinite``
    ``"raise"`` (default): a nan/inf gradient raises :class:`NonFiniteGradientError` naming
    the parameter, before any parameter or state is modified. ``"skip"``: the whole step is
    skipped (parameters and state untouched), ``optimizer.skipped_steps`` is incremented and
    a ``RuntimeWarning`` is emitted.

The math is *not* written a second time here: :meth:`step` builds the rule dataclass from the
param group's hyper-parameters and runs the rule's own update code on each parameter tensor,
with a torch backend whose fused helpers work in place (``lerp_`` and ``addcmul_`` for leaky
averages and sums of squares, ``addcdiv_`` and ``add_`` for the parameter and momentum steps);
any other result is copied back (``p.copy_``, ``state[...].copy_``). The kernels are the ones
torch's single-tensor code uses, so a step costs about what ``torch.optim``'s default CPU path
(``foreach=False``) costs; torch's ``fused=True`` CPU kernels, one loop per tensor, are about
twice as fast (``bench/bench_optimizers.py`` prints all of them side by side).
Before anything is updated, every gradient is checked for nan/inf (one reduction per tensor).

State uses torch's keys and layout (``step`` as a scalar tensor, ``exp_avg``, ...), so
``state_dict()`` round-trips with the matching ``torch.optim`` class in both directions.
Differences from torch: ``eps`` must be > 0, ``differentiable``, ``capturable`` and ``fused``
are not supported, sparse gradients are refused, and ``foreach`` is accepted but ignored.

>>> import torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
>>> opt = Adam([w], lr=0.1)
>>> w.grad = torch.tensor([2.0, -3.0])
>>> opt.step()
>>> w.detach()
tensor([ 0.9000, -0.9000])
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import torch
from torch.optim import Optimizer

from . import inplace, rules
from .rules import NonFiniteGradientError

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NonFiniteGradientError"]


def _scalar_dtype() -> torch.dtype:
    """dtype torch uses for the ``step`` counter (float64 only if that is the default)."""
    return torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32


#: The types help() and the docs show for the arguments whose default does not tell.
_ANNOTATIONS = {"betas": "tuple[float, float]", "foreach": "bool | None", "fused": "bool | None"}
#: Our keyword-only arguments beyond torch's (see the module docstring).
_OURS = {"eps_inside_sqrt": False, "nonfinite": "raise"}


def _constructor(positional: dict[str, Any], keyword_only: dict[str, Any], **fixed: Any):
    """An ``__init__(self, params, ...)`` with exactly these arguments and defaults, in order.

    Each optimizer states torch's signature once, as data; the bound arguments (plus ``fixed``
    values the caller may not choose) become torch's param-group ``defaults``. Unknown,
    repeated or surplus arguments raise ``TypeError`` as a written-out signature would.
    """
    kind = inspect.Parameter

    def parameter(name, default, how):
        numeric = isinstance(default, int | float) and not isinstance(default, bool)
        annotation = _ANNOTATIONS.get(name) or ("float" if numeric else type(default).__name__)
        return kind(name, how, default=default, annotation=annotation)

    signature = inspect.Signature(
        [kind("self", kind.POSITIONAL_OR_KEYWORD), kind("params", kind.POSITIONAL_OR_KEYWORD)]
        + [parameter(n, d, kind.POSITIONAL_OR_KEYWORD) for n, d in positional.items()]
        + [parameter(n, d, kind.KEYWORD_ONLY) for n, d in keyword_only.items()]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}() {exc}") from None
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments["self"]
        params = arguments.pop("params")
        _RuleOptimizer.__init__(self, params, {**arguments, **fixed})

    __init__.__signature__ = signature
    return __init__


def _float(x: Any) -> float:
    return float(x.item()) if isinstance(x, torch.Tensor) else float(x)


class _RuleOptimizer(Optimizer):
    """Shared machinery: build the rule from a param group, apply it tensor by tensor."""

    _rule_class: type = rules.SGD
    #: param-group keys that become rule arguments of the same name
    _rule_args: tuple[str, ...] = ()
    #: whether torch stores a ``step`` tensor in this optimizer's state
    _has_step = True
    #: defaults for keys that old or foreign state dicts may lack (filled in __setstate__)
    _group_fallbacks: dict[str, Any] = {}
    #: whether torch creates the state when the optimizer is made (Adagrad) or at the first step
    _eager_state = False

    def __init__(self, params, defaults: dict[str, Any]):
        for flag in ("differentiable", "capturable", "fused"):
            if defaults.get(flag):
                raise ValueError(f"d2l_opt.optim.{type(self).__name__} does not support {flag}")
        self._rule_cache: dict[tuple, Any] = {}
        self.skipped_steps = 0
        super().__init__(params, defaults)
        if self._eager_state:  # so that state_dict() matches torch's before the first step
            for group in self.param_groups:
                rule = self._rule_for(group)
                for p in group["params"]:
                    self.state[p].update(self._init_state(p, rule))

    # -- hyper-parameters ---------------------------------------------------------------------

    def _rule_kwargs(self, group: dict) -> dict[str, Any]:
        kwargs = {}
        for key in self._rule_args:
            value = group[key]
            if key == "betas":
                value = tuple(_float(b) for b in value)
            elif isinstance(value, torch.Tensor):
                value = _float(value)
            kwargs[key] = value
        return kwargs

    def _rule_for(self, group: dict):
        """The (cached) rule dataclass for a group's current hyper-parameters."""
        kwargs = self._rule_kwargs(group)
        key = tuple(kwargs.items())
        rule = self._rule_cache.get(key)
        if rule is None:
            rule = self._rule_class(**kwargs)  # validates, with torch's messages
            if len(self._rule_cache) > 64:
                self._rule_cache.clear()
            self._rule_cache[key] = rule
        return rule

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a param group (torch's method) and validate its hyper-parameters at once."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        if group.get("nonfinite") not in ("raise", "skip"):
            self.param_groups.pop()
            raise ValueError(f"nonfinite must be 'raise' or 'skip', got {group.get('nonfinite')!r}")
        try:
            self._rule_for(group)
        except ValueError:
            self.param_groups.pop()
            raise

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._rule_cache = {}
        self.__dict__.setdefault("skipped_steps", 0)
        for group in self.param_groups:
            for key, value in self._group_fallbacks.items():
                group.setdefault(key, value)
            group.setdefault("eps_inside_sqrt", False)
            group.setdefault("nonfinite", "raise")
            if not self._has_step:
                continue
            for p in group["params"]:
                p_state = self.state.get(p)
                if p_state and not torch.is_tensor(p_state.get("step", 0)):
                    p_state["step"] = torch.tensor(float(p_state["step"]), dtype=_scalar_dtype())

    # -- state conversion (torch layout <-> rule layout) --------------------------------------

    def _init_state(self, p: torch.Tensor, rule) -> dict[str, Any]:
        state = {key: value for key, value in rule.init(p).items() if key != "step"}
        if self._has_step:
            state = {"step": torch.tensor(0.0, dtype=_scalar_dtype()), **state}
        return state

    def _rule_state(self, p: torch.Tensor, state: dict, rule) -> dict[str, Any]:
        if not state:
            state.update(self._init_state(p, rule))
        out = {"step": int(state["step"].item())}
        for key in rule.state_keys:
            if key not in state:  # e.g. amsgrad switched on after some steps
                state[key] = torch.zeros_like(p, memory_format=torch.preserve_format)
            out[key] = state[key]
        return out

    def _store_state(self, state: dict, new_state: dict, rule) -> None:
        for key in rule.state_keys:
            if new_state[key] is not state[key]:
                state[key].copy_(new_state[key])
        state["step"] += 1

    # -- the step ------------------------------------------------------------------------------

    def _collect(self) -> list[tuple[torch.Tensor, dict, Any]]:
        work = []
        for group in self.param_groups:
            rule = self._rule_for(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(
                        f"d2l_opt.optim.{type(self).__name__} does not support sparse gradients"
                    )
                if p.is_complex():
                    raise RuntimeError(
                        f"d2l_opt.optim.{type(self).__name__} does not support complex parameters"
                    )
                work.append((p, group, rule))
        return work

    def _find_nonfinite(self, work) -> list[tuple[torch.Tensor, dict]]:
        # The sum of a gradient is finite when every entry is, and inf/nan otherwise: one
        # cheap reduction per tensor (multi-threaded) and a single sync. A huge but finite
        # gradient can overflow the sum; only then do we look at the entries themselves.
        if not work:
            return []
        sums = torch.stack([p.grad.sum(dtype=torch.float32) for p, _, _ in work])
        if bool(torch.isfinite(sums).all()):
            return []
        return [(p, group) for p, group, _ in work if not bool(torch.isfinite(p.grad).all())]

    def _describe(self, p: torch.Tensor, group: dict) -> str:
        for gi, g in enumerate(self.param_groups):
            for pi, q in enumerate(g["params"]):
                if q is p:
                    names = g.get("param_names")
                    name = f"'{names[pi]}' " if names else ""
                    return f"parameter {name}(param group {gi}, index {pi}, shape {tuple(p.shape)})"
        return f"parameter of shape {tuple(p.shape)}"

    def step(self, closure=None):
        """Perform one optimization step (torch's contract); returns the closure's loss.

        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = SGD([w], lr=0.5)
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w**2).sum()       # gradient 2w
        ...     loss.backward()
        ...     return loss
        >>> loss = opt.step(closure)
        >>> loss.item(), w.item()
        (1.0, 0.0)
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            work = self._collect()
            bad = self._find_nonfinite(work)
            if bad:
                raising = [(p, g) for p, g in bad if g["nonfinite"] == "raise"]
                p, group = (raising or bad)[0]
                where = self._describe(p, group)
                if raising:
                    raise NonFiniteGradientError(
                        f"Non-finite gradient (nan or inf) in {where}; no parameter or "
                        "optimizer state was modified. Pass nonfinite='skip' to skip such steps."
                    )
                self.skipped_steps += 1
                warnings.warn(
                    f"Non-finite gradient in {where}: step skipped "
                    f"({self.skipped_steps} skipped so far)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return loss
            # The rule's own math, run with a torch backend that updates the state and
            # parameter tensors in place where the rule allows it (lerp_, addcdiv_); anything
            # else comes back as a new tensor and is copied in.
            for p, _, rule in work:
                state = self.state[p]
                rule_state = self._rule_state(p, state, rule)
                new_p, new_state = inplace.update_tensor(rule, p, p.grad, rule_state)
                if new_p is not p:
                    p.copy_(new_p)
                self._store_state(state, new_state, rule)
        return loss


class SGD(_RuleOptimizer):
    r"""SGD with heavy-ball/Nesterov momentum, dampening and weight decay (torch's form).

    Same signature and state (``momentum_buffer``) as ``torch.optim.SGD``; the update is
    :class:`d2l_opt.rules.SGD`:

    .. math::

        v_t = \mu v_{t-1} + (1-\tau) g_t \ (v_1 = g_1), \qquad
        w_t = w_{t-1} - \eta\,(g_t + \mu v_t \text{ if nesterov else } v_t)

    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = torch.tensor([1.0])
    ...     opt.step()
    >>> round(w.item(), 6), opt.state[w]["momentum_buffer"].item()
    (0.71, 1.899999976158142)
    """

    _rule_class = rules.SGD
    _rule_args = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize")
    _has_step = False
    _group_fallbacks = {"nesterov": False, "maximize": False, "foreach": None}

    __init__ = _constructor(
        dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False),
        dict(maximize=False, foreach=None, differentiable=False, fused=None, nonfinite="raise"),
    )

    def _init_state(self, p, rule):
        return {}

    def _rule_state(self, p, state, rule):
        buf = state.get("momentum_buffer")
        # torch marks "no step yet" by a missing (or None) buffer; then v_1 = g_1
        return {"step": 0 if buf is None else 1, "momentum_buffer": buf}

    def _store_state(self, state, new_state, rule):
        if "momentum_buffer" not in rule.state_keys:
            return
        buf = state.get("momentum_buffer")
        if buf is None:
            state["momentum_buffer"] = new_state["momentum_buffer"]  # a fresh copy of g
        else:
            buf.copy_(new_state["momentum_buffer"])


class Adagrad(_RuleOptimizer):
    r"""Adagrad with ``lr_decay`` and ``initial_accumulator_value`` (torch's form).

    Update :class:`d2l_opt.rules.Adagrad`:
    :math:`s_t = s_{t-1} + g_t^2`, :math:`w_t = w_{t-1} - \tilde\eta_t g_t/(\sqrt{s_t}+\epsilon)`
    with :math:`\tilde\eta_t = \eta/(1+(t-1)\,\text{lr\_decay})`.

    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = Adagrad([w], lr=0.5)
    >>> w.grad = torch.tensor([4.0])
    >>> opt.step()
    >>> w.item(), opt.state[w]["sum"].item()
    (0.5, 16.0)
    """

    _rule_class = rules.Adagrad
    _rule_args = (
        "lr",
        "lr_decay",
        "weight_decay",
        "initial_accumulator_value",
        "eps",
        "eps_inside_sqrt",
        "maximize",
    )
    _group_fallbacks = {"maximize": False, "foreach": None, "initial_accumulator_value": 0}

    _eager_state = True
    # fmt: off
    __init__ = _constructor(
        dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
             foreach=None),
        dict(maximize=False, differentiable=False, fused=None, **_OURS),
    )
    # fmt: on


class RMSprop(_RuleOptimizer):
    r"""RMSprop with momentum and the centered variant (torch's form, plus eps_inside_sqrt).

    Update :class:`d2l_opt.rules.RMSprop`: :math:`s_t = \alpha s_{t-1} + (1-\alpha) g_t^2`,
    :math:`w_t = w_{t-1} - \eta\, g_t/(\sqrt{s_t}+\epsilon)` (momentum and centering as there).

    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = RMSprop([w], lr=0.01, alpha=0.9, eps=1e-6, eps_inside_sqrt=True)  # d2l's form
    >>> w.grad = torch.tensor([2.0])
    >>> opt.step()
    >>> round(w.item(), 6)
    0.968377
    """

    _rule_class = rules.RMSprop
    _rule_args = (
        "lr",
        "alpha",
        "eps",
        "weight_decay",
        "momentum",
        "centered",
        "eps_inside_sqrt",
        "maximize",
    )
    _group_fallbacks = {
        "momentum": 0,
        "centered": False,
        "foreach": None,
        "maximize": False,
        "capturable": False,
    }

    # fmt: off
    __init__ = _constructor(
        dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
             capturable=False, foreach=None, maximize=False, differentiable=False),
        _OURS,
    )
    # fmt: on


class Adam(_RuleOptimizer):
    r"""Adam with AMSGrad and L2 or decoupled weight decay (torch's form, plus eps_inside_sqrt).

    Update :class:`d2l_opt.rules.Adam`:

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
        w_t = w_{t-1} - \frac{\eta}{1-\beta_1^t}\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}

    A ``torch.optim.Adam`` state dict loads into this class and vice versa.

    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = torch.tensor([-5.0])
    >>> opt.step()
    >>> round(w.item(), 6), opt.state[w]["step"].item()
    (1.1, 1.0)
    """

    _rule_class = rules.Adam
    _rule_args = (
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "decoupled_weight_decay",
        "amsgrad",
        "eps_inside_sqrt",
        "maximize",
    )
    _group_fallbacks = {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "fused": None,
    }

    # fmt: off
    __init__ = _constructor(
        dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
        dict(foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
             decoupled_weight_decay=False, **_OURS),
    )
    # fmt: on


class AdamW(Adam):
    r"""AdamW: :class:`Adam` with decoupled weight decay, default :math:`\lambda=10^{-2}`.

    The parameter first shrinks, :math:`w \leftarrow (1-\eta\lambda) w`, then takes the Adam
    step (:class:`d2l_opt.rules.AdamW`).

    >>> w = torch.nn.Parameter(torch.tensor([2.0]))
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = torch.tensor([0.0])
    >>> opt.step()
    >>> round(w.item(), 6)
    1.9
    """

    # torch's AdamW has no decoupled_weight_decay argument: it is always on
    # fmt: off
    __init__ = _constructor(
        dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
        dict(maximize=False, foreach=None, capturable=False, differentiable=False, fused=None,
             **_OURS),
        decoupled_weight_decay=True,
    )
    # fmt: on

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
