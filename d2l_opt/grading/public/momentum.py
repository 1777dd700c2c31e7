"""The Momentum exercise's references, common mistakes and public checks (the heavy ball)."""

from __future__ import annotations

import math

from d2l_opt.rules import SGD

from .. import mistakes as M
from ._common import check_call, check_path, expect_number, expect_path

TRAJECTORY_MISTAKES = ["ema_form", "wrong_sign", "state_not_updated", "stale_velocity"]
MOMENTUM_MISTAKES = ["rate_not_squared", "gd_rate"]
#: (problem, x0, lr, beta, steps) of the public example
PUBLIC_TRAJECTORY = ("d2l", [-5.0, -2.0], 0.1, 0.5, 4)


def expect_trajectory(answer, problem, x0, lr, beta, steps, *, what="heavy_ball", hint=None):
    """``answer`` is the heavy ball's path: torch's SGD with momentum from :mod:`d2l_opt.rules`."""
    mistakes = (M.heavy_ball_trajectory, TRAJECTORY_MISTAKES)
    rule = SGD(lr=lr, momentum=beta)
    expect_path(answer, rule, mistakes, problem, x0, lr, beta, steps, what=what, hint=hint)


def expect_momentum(answer, kappa, *, what="optimal_momentum", hint=None):
    """Polyak's ((√κ − 1)/(√κ + 1))²."""
    reference = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    mistakes = M.variants(M.optimal_momentum, MOMENTUM_MISTAKES, kappa)
    expect_number(answer, reference, what=what, hint=hint, mistakes=mistakes)


def expect_lr(answer, lipschitz, mu, *, what="optimal_lr", hint=None):
    """The heavy ball's best step 4 / (√L + √μ)²."""
    reference = 4 / (math.sqrt(lipschitz) + math.sqrt(mu)) ** 2
    mistakes = {"gd_step": 2 / (lipschitz + mu)}
    expect_number(answer, reference, what=what, hint=hint, mistakes=mistakes)


def q1(ns: dict) -> int:
    return check_path(ns, "heavy_ball", expect_trajectory, PUBLIC_TRAJECTORY, hint="momentum_q1")


def q2(ns: dict) -> int:
    what, hint = "optimal_momentum(100)", "momentum_q2_beta"
    count = check_call(ns, "optimal_momentum", expect_momentum, 100.0, what=what, hint=hint)
    what, hint = "optimal_lr(L=4, mu=0.2)", "momentum_q2_lr"
    return count + check_call(ns, "optimal_lr", expect_lr, 4.0, 0.2, what=what, hint=hint)


#: The public check of each question (each returns how many checks it ran).
CHECKS = {"q1": q1, "q2": q2}

QUESTIONS = {
    "q1": {"names": ["heavy_ball"], "allow": ["numpy"]},
    "q2": {"names": ["optimal_momentum", "optimal_lr"], "allow": ["numpy"]},
}
