r"""The Python side of the contract with ``d2l_opt/static/adaptive_steps.js``.

The static view computes in the page what the live view computes with :mod:`d2l_opt`, so both
sides must agree on a few things, all declared here and compared with the JS module by
``tests/test_widgets_contract.py``:

* :data:`VERSION`, the version the JS module reports (``AdaptiveSteps.version``);
* the rules' defaults (each rule class's defaults against the JS ``RULE_DEFAULTS``) and the
  JSON a rule or a problem travels as (:func:`rule_spec`, :func:`problem_spec`);
* the trajectory explorer's optimizer names, in drawing order, with their colours, its
  problem names, and how a name plus the figure's settings becomes a rule
  (:func:`optimizer_rule`; ``optimizerSpec`` in JS) and a problem (:func:`explorer_problem`);
* the loss panels' fixed range, :data:`LOSS_DECADES`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import __version__
from .. import problems as _problems
from .. import rules as _rules
from ..plotting import COLORS  # the book's one palette, shared with the JS module

__all__ = [
    "VERSION",
    "OPTIMIZERS",
    "PROBLEM_NAMES",
    "RULE_SETTINGS",
    "COLORS",
    "EWMA_COLOR",
    "EIGEN_COLORS",
    "LOSS_DECADES",
    "optimizer_rule",
    "explorer_problem",
    "rule_spec",
    "problem_spec",
]

#: The version of the figures' JSON configuration; the JS module reports the same.
VERSION = __version__

#: The optimizers of the trajectory explorer, in drawing order.
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam")
#: Problem names of the trajectory explorer (keys of :data:`d2l_opt.problems.PROBLEMS`).
PROBLEM_NAMES = ("isotropic", "anisotropic", "d2l", "rosenbrock")
#: The settings :func:`optimizer_rule` reads, with the trajectory explorer's defaults.
RULE_SETTINGS = {
    "momentum": 0.9,
    "alpha": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-6,
    "eps_inside_sqrt": False,
}

EWMA_COLOR = COLORS["SGD"]
EIGEN_COLORS = (COLORS["SGD"], COLORS["Momentum"])

#: Loss panels show f(x_t) / f(x_0) on a fixed log range, 10^-10 ... 10^2, so that the axes
#: stay put while a slider moves.
LOSS_DECADES = {"decades_below": 10, "decades_above": 2}


def problem_key(name: str) -> str:
    """The explorer's name for a problem (case-insensitive); unknown names raise."""
    key = str(name).strip().lower()
    if key not in PROBLEM_NAMES:
        raise ValueError(f"unknown problem {name!r}; choose one of {', '.join(PROBLEM_NAMES)}")
    return key


def base_problem(name: str):
    """The unturned :mod:`d2l_opt.problems` problem for an explorer problem name."""
    return _problems.PROBLEMS[problem_key(name)]


def explorer_problem(name: str, theta: float = 0.0):
    """The :mod:`d2l_opt.problems` problem a trajectory explorer runs for ``name`` and ``theta``.

    >>> explorer_problem("d2l", 0.5).theta
    0.5
    """
    base = base_problem(name)
    return _problems.rotated(base, theta) if theta else base


def optimizer_name(name: str) -> str:
    """The explorer's spelling of an optimizer name (case-insensitive); unknown names raise."""
    for known in OPTIMIZERS:
        if known.lower() == str(name).strip().lower():
            return known
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


def optimizer_rule(name: str, *, lr: float, **settings):
    """The :mod:`d2l_opt.rules` rule the explorer uses for an optimizer name and settings.

    ``settings`` are those of :data:`RULE_SETTINGS` (missing ones take its defaults; any other
    name raises ``TypeError``, so a misspelt setting cannot be ignored). ``Momentum`` is
    torch's heavy ball (``SGD(momentum=...)``), ``Nesterov`` the same with ``nesterov=True``
    (plain SGD when the momentum is 0); ``alpha`` is RMSProp's decay rate (:math:`\\gamma` in
    d2l). The JS module builds the same rules (``optimizerSpec``).

    >>> optimizer_rule("adam", lr=0.1, beta1=0.8).betas
    (0.8, 0.999)
    >>> try:
    ...     optimizer_rule("adam", lr=0.1, betta1=0.8)
    ... except TypeError as error:
    ...     print(error)
    unknown setting 'betta1'; known: lr, momentum, alpha, beta1, beta2, eps, eps_inside_sqrt
    """
    unknown = [key for key in settings if key not in RULE_SETTINGS]
    if unknown:
        known = ", ".join(["lr", *RULE_SETTINGS])
        raise TypeError(f"unknown setting {unknown[0]!r}; known: {known}")
    s = {**RULE_SETTINGS, **settings}
    key = optimizer_name(name)
    eps, inside = s["eps"], s["eps_inside_sqrt"]
    if key == "SGD" or (key == "Nesterov" and s["momentum"] == 0):
        return _rules.SGD(lr=lr)
    if key == "Momentum":
        return _rules.SGD(lr=lr, momentum=s["momentum"])
    if key == "Nesterov":
        return _rules.SGD(lr=lr, momentum=s["momentum"], nesterov=True)
    if key == "Adagrad":
        return _rules.Adagrad(lr=lr, eps=eps, eps_inside_sqrt=inside)
    if key == "RMSProp":
        return _rules.RMSprop(lr=lr, alpha=s["alpha"], eps=eps, eps_inside_sqrt=inside)
    return _rules.Adam(lr=lr, betas=(s["beta1"], s["beta2"]), eps=eps, eps_inside_sqrt=inside)


def rule_spec(rule) -> dict:
    """A rule as the JSON the JS module understands: ``{"type": "adam", "lr": ..., ...}``.

    >>> rule_spec(_rules.SGD(lr=0.1, momentum=0.9))["type"]
    'sgd'
    """
    spec: dict[str, Any] = {"type": type(rule).__name__.lower()}
    for key, value in rule.hyperparameters().items():
        if isinstance(value, tuple):
            value = [float(v) for v in value]
        elif isinstance(value, np.ndarray):
            raise ValueError("the JS module runs one setting at a time: scalar hyper-parameters")
        spec[key] = value
    return spec


def problem_spec(problem) -> dict:
    """A :mod:`d2l_opt.problems` problem as the JSON the JS module understands.

    >>> problem_spec(_problems.D2L_ROTATED)["type"]
    'quadratic'
    """
    if isinstance(problem, _problems.Quadratic):
        return {"type": "quadratic", "a": problem.a, "b": problem.b, "theta": problem.theta}
    if isinstance(problem, _problems.Rosenbrock):
        return {"type": "rosenbrock", "a": problem.a, "b": problem.b}
    if isinstance(problem, _problems.Rotated):
        return {"type": "rotated", "theta": problem.theta, "problem": problem_spec(problem.problem)}
    raise TypeError(f"no JS version of problem {problem!r}")
