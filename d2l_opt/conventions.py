r"""How the optimizers of d2l, deeplearning.ai, CS231n, torch, Keras and optax map onto ours.

The same algorithm is written in several ways that are *not* interchangeable argument by
argument: :math:`\epsilon` inside or outside the square root; momentum as
:math:`v \leftarrow \beta v + g`, :math:`v \leftarrow \beta v + (1-\beta) g` or
:math:`v \leftarrow \mu v - \eta g`; Keras's :math:`\hat\epsilon`. :data:`CONVENTIONS` lists
each source's published form with the d2l_opt rule that reproduces it; every row is checked
in ``tests/test_conventions.py`` by running a from-scratch implementation of the source's
formula next to ours and comparing trajectories.

>>> rule = from_convention("dls", "momentum", alpha=0.1, beta=0.5)
>>> rule.lr, rule.momentum                 # v = beta v + (1-beta) g  ==  lr rescaled by 1-beta
(0.05, 0.5)
>>> from_convention("d2l", "rmsprop", eta=0.01, gamma=0.9).eps_inside_sqrt
True

Rows marked not exact say why; :func:`table` renders the table as Markdown for the book.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from . import rules

__all__ = ["Convention", "CONVENTIONS", "SOURCES", "from_convention", "lookup", "table"]


@dataclass(frozen=True)
class Convention:
    """One row of the table: a source's form of one optimizer and its d2l_opt translation.

    >>> row = lookup("d2l", "rmsprop")
    >>> row.maps_to, row.exact
    ('RMSprop(lr=eta, alpha=gamma, eps=eps, eps_inside_sqrt=True)', True)
    >>> row.rule(eta=0.1).lr
    0.1
    """

    source: str  #: short name: d2l, dls, cs231n, torch, keras, optax
    optimizer: str  #: momentum, nesterov, adagrad, rmsprop, adam, adamw
    formula: str  #: the source's update, LaTeX
    defaults: dict  #: the source's argument names and default values
    maps_to: str  #: the d2l_opt call, human-readable
    #: their keyword arguments -> rule; by default the call that ``maps_to`` writes
    translate: Callable | None = field(default=None, repr=False)
    exact: bool = True  #: True if trajectories agree up to rounding for every step
    notes: str = ""  #: caveats (first step, changing learning rates, ...)

    def __post_init__(self):
        if self.translate is None:
            object.__setattr__(self, "translate", _call_of(self.maps_to, self.defaults))

    def rule(self, **their_args):
        """Build the d2l_opt rule from the source's own argument names.

        >>> lookup("cs231n", "momentum").rule(learning_rate=0.1, mu=0.5).momentum
        0.5
        """
        unknown = set(their_args) - set(self.defaults)
        if unknown:
            raise TypeError(
                f"{self.source} {self.optimizer} has no argument(s) {sorted(unknown)}; "
                f"its arguments are {sorted(self.defaults)}"
            )
        return self.translate(**{**self.defaults, **their_args})


_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def _call_of(maps_to: str, defaults: dict) -> Callable:
    """The rule call that ``maps_to`` writes, as a function of the source's arguments:
    ``"Adam(same arguments)"`` forwards them; in ``"Adam(lr=alpha, betas=(b1, b2), eps=eps)"``
    each name is one of the source's arguments (all of them used), combined by + - * or constant;
    ``initial_accumulator_value=...`` passes the source's argument of the same name."""
    name, _, rest = maps_to.partition("(")
    cls = getattr(rules, name)
    if rest == "same arguments)":
        return lambda **their_args: cls(**their_args)
    call = ast.parse(maps_to, mode="eval").body
    for keyword in call.keywords:  # ``name=...``: the source's argument of that name
        if isinstance(keyword.value, ast.Constant) and keyword.value.value is Ellipsis:
            keyword.value = ast.Name(id=keyword.arg)
    used = {node.id for node in ast.walk(call) if isinstance(node, ast.Name)} - {name}
    if used != set(defaults):
        raise ValueError(f"{maps_to!r} uses {sorted(used)}, the source has {sorted(defaults)}")

    def value(node, args):
        if isinstance(node, ast.Name):
            return args[node.id]
        if isinstance(node, ast.Tuple):
            return tuple(value(item, args) for item in node.elts)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](value(node.left, args), value(node.right, args))
        return ast.literal_eval(node)

    return lambda **their_args: cls(**{k.arg: value(k.value, their_args) for k in call.keywords})


SOURCES = {
    "d2l": "Dive into Deep Learning, chapter 12 (from-scratch code)",
    "dls": "deeplearning.ai Deep Learning Specialization, course 2 (lectures and assignment)",
    "cs231n": "Stanford CS231n lecture notes, 'Neural Networks Part 3'",
    "torch": "torch.optim",
    "keras": "Keras 3 keras.optimizers",
    "optax": "optax (JAX)",
}


def _not_supported(flag: str, source: str):
    raise ValueError(f"{source}'s {flag} option has no d2l_opt equivalent")


def _optax_rmsprop(learning_rate, decay, eps, initial_scale, eps_in_sqrt, centered, momentum,
                   nesterov, bias_correction):  # fmt: skip
    if initial_scale != 0:
        _not_supported("initial_scale != 0", "optax rmsprop")
    if nesterov:
        _not_supported("nesterov", "optax rmsprop")
    if bias_correction:
        _not_supported("bias_correction", "optax rmsprop")
    return rules.RMSprop(
        lr=learning_rate,
        alpha=decay,
        eps=eps,
        eps_inside_sqrt=eps_in_sqrt,
        centered=centered,
        momentum=momentum or 0.0,
    )


def _optax_adam(learning_rate, b1, b2, eps, eps_root, weight_decay=None):
    # optax.adamw = scale_by_adam, add_decayed_weights, scale(-lr): torch's AdamW exactly
    cls = rules.Adam if weight_decay is None else rules.AdamW
    extra = {} if weight_decay is None else {"weight_decay": weight_decay}
    if eps_root == 0:
        return cls(lr=learning_rate, betas=(b1, b2), eps=eps, **extra)
    if eps == 0:
        return cls(lr=learning_rate, betas=(b1, b2), eps=eps_root, eps_inside_sqrt=True, **extra)
    raise ValueError(
        "optax adam with both eps and eps_root non-zero, sqrt(nu_hat + eps_root) + eps, has "
        "no d2l_opt equivalent (we put eps either inside or outside the root, not both)"
    )


CONVENTIONS: list[Convention] = [
    # ---------------------------------------------------------------- d2l
    Convention(
        "d2l",
        "momentum",
        r"v_t = \beta v_{t-1} + g_t,\ x_t = x_{t-1} - \eta v_t",
        {"eta": 0.01, "beta": 0.5},
        "SGD(lr=eta, momentum=beta)",
    ),
    Convention(
        "d2l",
        "adagrad",
        r"s_t = s_{t-1} + g_t^2,\ x_t = x_{t-1} - \eta\, g_t / \sqrt{s_t + \epsilon}",
        {"eta": 0.1, "eps": 1e-6},
        "Adagrad(lr=eta, eps=eps, eps_inside_sqrt=True)",
    ),
    Convention(
        "d2l",
        "rmsprop",
        r"s_t = \gamma s_{t-1} + (1-\gamma) g_t^2,\ x_t = x_{t-1} - \eta\, g_t/\sqrt{s_t+\epsilon}",
        {"eta": 0.01, "gamma": 0.9, "eps": 1e-6},
        "RMSprop(lr=eta, alpha=gamma, eps=eps, eps_inside_sqrt=True)",
        notes="eps inside the root; torch puts it outside (and uses alpha=0.99, eps=1e-8)",
    ),
    Convention(
        "d2l",
        "adam",
        r"v_t = \beta_1 v_{t-1} + (1-\beta_1) g_t,\ s_t = \beta_2 s_{t-1} + (1-\beta_2) g_t^2,"
        r"\ x_t = x_{t-1} - \eta\, \hat v_t / (\sqrt{\hat s_t} + \epsilon)",
        {"eta": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6},
        "Adam(lr=eta, betas=(beta1, beta2), eps=eps)",
        notes="d2l names the first moment v and the second s; eps outside the root as in torch",
    ),
    # ---------------------------------------------------------------- deeplearning.ai
    Convention(
        "dls",
        "momentum",
        r"v = \beta v + (1-\beta)\, dW,\ W = W - \alpha v",
        {"alpha": 0.01, "beta": 0.9},
        "SGD(lr=alpha * (1 - beta), momentum=beta)",
        notes=(
            "exact because both buffers start at 0: the DLS buffer is (1-beta) times torch's. "
            "SGD(lr=alpha, momentum=beta, dampening=beta) is NOT equivalent: torch's first "
            "step sets v_1 = g_1 undamped, so its buffer exceeds the DLS one by beta^t g_1"
        ),
    ),
    Convention(
        "dls",
        "rmsprop",
        r"S = \beta_2 S + (1-\beta_2)\, dW^2,\ W = W - \alpha\, dW / (\sqrt{S} + \epsilon)",
        {"alpha": 0.01, "beta2": 0.999, "epsilon": 1e-8},
        "RMSprop(lr=alpha, alpha=beta2, eps=epsilon)",
    ),
    Convention(
        "dls",
        "adam",
        r"v = \beta_1 v + (1-\beta_1) dW,\ s = \beta_2 s + (1-\beta_2) dW^2,"
        r"\ W = W - \alpha\, v^{corr} / (\sqrt{s^{corr}} + \epsilon)",
        {"alpha": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        "Adam(lr=alpha, betas=(beta1, beta2), eps=epsilon)",
    ),
    # ---------------------------------------------------------------- CS231n
    Convention(
        "cs231n",
        "momentum",
        r"v = \mu v - \eta\, dx,\ x = x + v",
        {"learning_rate": 0.01, "mu": 0.9},
        "SGD(lr=learning_rate, momentum=mu)",
        notes=(
            "v = -lr * (torch's buffer) while the learning rate is constant; with a schedule "
            "the two differ (CS231n's v keeps the old learning rates inside it)"
        ),
    ),
    Convention(
        "cs231n",
        "nesterov",
        r"v' = v,\ v = \mu v - \eta\, dx,\ x = x - \mu v' + (1+\mu) v",
        {"learning_rate": 0.01, "mu": 0.9},
        "SGD(lr=learning_rate, momentum=mu, nesterov=True)",
        notes="same constant-learning-rate caveat as CS231n momentum",
    ),
    Convention(
        "cs231n",
        "adagrad",
        r"c = c + dx^2,\ x = x - \eta\, dx / (\sqrt{c} + \epsilon)",
        {"learning_rate": 0.01, "eps": 1e-8},
        "Adagrad(lr=learning_rate, eps=eps)",
    ),
    Convention(
        "cs231n",
        "rmsprop",
        r"c = \rho c + (1-\rho) dx^2,\ x = x - \eta\, dx / (\sqrt{c} + \epsilon)",
        {"learning_rate": 0.01, "decay_rate": 0.99, "eps": 1e-8},
        "RMSprop(lr=learning_rate, alpha=decay_rate, eps=eps)",
    ),
    Convention(
        "cs231n",
        "adam",
        r"m = \beta_1 m + (1-\beta_1) dx,\ v = \beta_2 v + (1-\beta_2) dx^2,"
        r"\ x = x - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)",
        {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        "Adam(lr=learning_rate, betas=(beta1, beta2), eps=eps)",
    ),
    # ---------------------------------------------------------------- torch
    Convention(
        "torch",
        "momentum",
        r"b_t = \mu b_{t-1} + (1-\tau) g_t\ (b_1 = g_1),\ w_t = w_{t-1} - \eta b_t",
        {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
        "SGD(same arguments)",
    ),
    Convention(
        "torch",
        "adagrad",
        r"s_t = s_{t-1} + g_t^2,\ w_t = w_{t-1} - \tilde\eta_t\, g_t/(\sqrt{s_t} + \epsilon)",
        {
            "lr": 1e-2,
            "lr_decay": 0.0,
            "weight_decay": 0.0,
            "initial_accumulator_value": 0.0,
            "eps": 1e-10,
        },
        "Adagrad(same arguments)",
    ),
    Convention(
        "torch",
        "rmsprop",
        r"s_t = \alpha s_{t-1} + (1-\alpha) g_t^2,"
        r"\ w_t = w_{t-1} - \eta\, g_t/(\sqrt{s_t}+\epsilon)",
        {
            "lr": 1e-2,
            "alpha": 0.99,
            "eps": 1e-8,
            "weight_decay": 0.0,
            "momentum": 0.0,
            "centered": False,
        },
        "RMSprop(same arguments)",
    ),
    Convention(
        "torch",
        "adam",
        r"w_t = w_{t-1} - \frac{\eta}{1-\beta_1^t} m_t / (\sqrt{v_t/(1-\beta_2^t)} + \epsilon)",
        {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
        "Adam(same arguments)",
        notes="weight_decay here is an L2 term added to the gradient",
    ),
    Convention(
        "torch",
        "adamw",
        r"w \leftarrow (1-\eta\lambda) w, \text{ then the Adam step}",
        {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False},
        "AdamW(same arguments)",
    ),
    # ---------------------------------------------------------------- Keras
    Convention(
        "keras",
        "momentum",
        r"v = \mu v - \eta g,\ w = w + v \ \text{(nesterov: } w = w + \mu v - \eta g)",
        {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
        "SGD(lr=learning_rate, momentum=momentum, nesterov=nesterov)",
        notes="as CS231n: exact for a constant learning rate",
    ),
    Convention(
        "keras",
        "adagrad",
        r"a = a + g^2\ (a_0 = 0.1),\ w = w - \eta\, g / \sqrt{a + \epsilon}",
        {"learning_rate": 1e-3, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
        "Adagrad(lr=learning_rate, initial_accumulator_value=..., eps=epsilon, "
        "eps_inside_sqrt=True)",
        notes="Keras starts the accumulator at 0.1 (torch at 0) and puts epsilon inside the root",
    ),
    Convention(
        "keras",
        "rmsprop",
        r"v = \rho v + (1-\rho) g^2,\ m = \mu m + \eta\, g/\sqrt{v + \epsilon},\ w = w - m",
        {
            "learning_rate": 1e-3,
            "rho": 0.9,
            "momentum": 0.0,
            "epsilon": 1e-7,
            "centered": False,
        },
        "RMSprop(lr=learning_rate, alpha=rho, eps=epsilon, momentum=momentum, "
        "centered=centered, eps_inside_sqrt=True)",
        notes=(
            "epsilon inside the root (torch: outside); Keras's momentum buffer holds lr * "
            "(torch's), equal for a constant learning rate"
        ),
    ),
    Convention(
        "keras",
        "adam",
        r"\alpha_t = \eta \sqrt{1-\beta_2^t}/(1-\beta_1^t),\ w = w - \alpha_t m/(\sqrt{v}"
        r" + \hat\epsilon)",
        {
            "learning_rate": 1e-3,
            "beta_1": 0.9,
            "beta_2": 0.999,
            "epsilon": 1e-7,
            "amsgrad": False,
        },
        "Adam(lr=learning_rate, betas=(beta_1, beta_2), eps=epsilon, amsgrad=amsgrad)",
        exact=False,
        notes=(
            "Keras's epsilon is 'epsilon hat': it equals torch's eps / sqrt(1 - beta_2^t), "
            "which changes with t (about 31.6x larger at t = 1 for beta_2 = 0.999) and tends "
            "to eps. No constant eps reproduces it; the mapping is exact only in the limit of "
            "large t, or when sqrt(v_hat) is much larger than epsilon. Exact equivalent: "
            "at step t use Adam(eps=epsilon / sqrt(1 - beta_2**t))"
        ),
    ),
    # ---------------------------------------------------------------- optax
    Convention(
        "optax",
        "momentum",
        r"t = g + \mu t,\ u = -\eta t \ \text{(nesterov: } u = -\eta (g + \mu t))",
        {"learning_rate": 0.01, "momentum": None, "nesterov": False},
        "SGD(lr=learning_rate, momentum=momentum, nesterov=nesterov)",
        lambda learning_rate, momentum, nesterov: rules.SGD(
            lr=learning_rate, momentum=momentum or 0.0, nesterov=nesterov
        ),
        notes="optax.sgd's trace is torch's buffer (no dampening); momentum=None keeps no trace",
    ),
    Convention(
        "optax",
        "adagrad",
        r"s = s + g^2\ (s_0 = 0.1),\ u = -\eta\, g/\sqrt{s + \epsilon}",
        {"learning_rate": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-7},
        "Adagrad(lr=learning_rate, initial_accumulator_value=..., eps=eps, eps_inside_sqrt=True)",
    ),
    Convention(
        "optax",
        "rmsprop",
        r"\nu = d\,\nu + (1-d) g^2,\ u = -\eta\, g/\sqrt{\nu + \epsilon}",
        {
            "learning_rate": 0.01,
            "decay": 0.9,
            "eps": 1e-8,
            "initial_scale": 0.0,
            "eps_in_sqrt": True,
            "centered": False,
            "momentum": None,
            "nesterov": False,
            "bias_correction": False,
        },
        "RMSprop(lr=learning_rate, alpha=decay, eps=eps, eps_inside_sqrt=eps_in_sqrt, ...)",
        _optax_rmsprop,
        notes=(
            "eps inside the root by default (eps_in_sqrt=True); initial_scale != 0, nesterov "
            "and bias_correction have no d2l_opt equivalent and raise"
        ),
    ),
    Convention(
        "optax",
        "adam",
        r"u = -\eta\, \hat\mu / (\sqrt{\hat\nu + \epsilon_{root}} + \epsilon)",
        {"learning_rate": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0},
        "Adam(lr=learning_rate, betas=(b1, b2), eps=eps)",
        _optax_adam,
        notes=(
            "eps_root > 0 with eps = 0 maps to eps=eps_root, eps_inside_sqrt=True; both "
            "non-zero has no equivalent and raises"
        ),
    ),
    Convention(
        "optax",
        "adamw",
        r"u = -\eta\, (\hat\mu / (\sqrt{\hat\nu} + \epsilon) + \lambda w)",
        {
            "learning_rate": 1e-3,
            "b1": 0.9,
            "b2": 0.999,
            "eps": 1e-8,
            "eps_root": 0.0,
            "weight_decay": 1e-4,
        },
        "AdamW(lr=learning_rate, betas=(b1, b2), eps=eps, weight_decay=weight_decay)",
        _optax_adam,
        notes="optax's default weight_decay is 1e-4, torch's 1e-2",
    ),
]


def lookup(source: str, optimizer: str) -> Convention:
    """The :class:`Convention` row for ``source`` and ``optimizer`` (case-insensitive).

    >>> lookup("keras", "adam").exact
    False
    """
    key = (source.lower(), optimizer.lower())
    for row in CONVENTIONS:
        if (row.source, row.optimizer) == key:
            return row
    known = sorted({(r.source, r.optimizer) for r in CONVENTIONS})
    raise KeyError(f"no convention for {key}; known: {known}")


def from_convention(source: str, optimizer: str, **their_args):
    r"""Translate a source's optimizer and its own argument names into a d2l_opt rule.

    Missing arguments take the source's defaults. For example deeplearning.ai's momentum
    :math:`v = \beta v + (1-\beta) dW,\ W = W - \alpha v` is torch-style momentum with the
    learning rate rescaled:

    >>> from_convention("dls", "momentum", alpha=0.5, beta=0.9)
    SGD(lr=0.04999999999999999, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False)
    >>> from_convention("keras", "rmsprop").hyperparameters()["eps_inside_sqrt"]
    True
    """  # noqa: E501
    return lookup(source, optimizer).rule(**their_args)


def _cell(text: str) -> str:
    return str(text).replace("|", r"\|").replace("\n", " ")


def table(source: str | None = None) -> str:
    """The convention table as a Markdown string (optionally one source only).

    Columns: source, optimizer, the source's update rule, its argument names with defaults,
    the d2l_opt equivalent, whether the mapping is exact, and notes.

    >>> print(table("d2l").splitlines()[0])
    | Source | Optimizer | Their update | Their arguments (defaults) | d2l_opt | Exact | Notes |
    """
    header = (
        "| Source | Optimizer | Their update | Their arguments (defaults) | d2l_opt | Exact "
        "| Notes |\n|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for row in CONVENTIONS:
        if source is not None and row.source != source:
            continue
        args = ", ".join(f"{k}={v}" for k, v in row.defaults.items())
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    row.source,
                    row.optimizer,
                    f"${row.formula}$",
                    f"`{args}`",
                    f"`{row.maps_to}`",
                    "yes" if row.exact else "no",
                    row.notes,
                )
            )
            + " |"
        )
    return "\n".join(lines)
