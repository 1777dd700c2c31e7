"""The Adagrad exercise's references, common mistakes and public checks (ε outside the root).

The master's hidden tests and the public checks both use :func:`expect_trajectory` and
:func:`expect_rates`: the references and mistake lists live here only.
"""

from __future__ import annotations

import numpy as np

from d2l_opt.rules import Adagrad

from .. import mistakes as M
from ..spec import expect_close
from ._common import check_call, check_path, expect_path

TRAJECTORY_MISTAKES = [
    "eps_inside",
    "g_not_squared",
    "wrong_sign",
    "state_not_updated",
    "sqrt_missing",
]
RATE_MISTAKES = ["rate_before_update", "eps_inside", "state_not_updated", "g_not_squared"]
#: (problem, x0, lr, eps, steps) of the public example
PUBLIC_TRAJECTORY = ("d2l", [-5.0, -2.0], 0.4, 0.1, 4)
#: (grads, lr, eps) of the public example
PUBLIC_RATES = (np.ones((5, 2)), 0.5, 1e-8)


def expect_trajectory(answer, problem, x0, lr, eps, steps, *, what="adagrad", hint=None):
    """``answer`` is Adagrad's path on ``PROBLEMS[problem]`` (:class:`d2l_opt.rules.Adagrad`)."""
    mistakes = (M.adagrad_trajectory, TRAJECTORY_MISTAKES)
    case = (problem, x0, lr, eps, steps)
    expect_path(answer, Adagrad(lr=lr, eps=eps), mistakes, *case, what=what, hint=hint)


def expect_rates(answer, grads, lr, eps, *, what="effective_rates", hint=None):
    """Row t - 1 of ``answer`` is lr / (√s_t + ε), s_t the sum of g² up to step t."""
    grads = np.asarray(grads, dtype=float)
    reference = lr / (np.sqrt(np.cumsum(grads**2, axis=0)) + eps)
    mistakes = M.variants(M.adagrad_effective_rates, RATE_MISTAKES, grads, lr, eps)
    expect_close(answer, reference, what=what, mistakes=mistakes, hint=hint)


def q1(ns: dict) -> int:
    return check_path(ns, "adagrad", expect_trajectory, PUBLIC_TRAJECTORY, hint="adagrad_q1")


def q2(ns: dict) -> int:
    what, hint = "effective_rates(ones((5, 2)), lr=0.5, eps=1e-8)", "adagrad_q2"
    return check_call(ns, "effective_rates", expect_rates, *PUBLIC_RATES, what=what, hint=hint)


#: The public check of each question (each returns how many checks it ran).
CHECKS = {"q1": q1, "q2": q2}

QUESTIONS = {
    "q1": {"names": ["adagrad"], "allow": ["numpy"]},
    "q2": {"names": ["effective_rates"], "allow": ["numpy"]},
}
