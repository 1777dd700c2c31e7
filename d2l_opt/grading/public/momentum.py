"""The Momentum exercise's references, common mistakes and public checks (the heavy ball)."""

from __future__ import annotations

import math

import numpy as np

from d2l_opt.problems import PROBLEMS
from d2l_opt.rules import SGD
from d2l_opt.trajectory import run

from .. import mistakes as M
from ..spec import as_float, expect_close
from ._common import need

TRAJECTORY_MISTAKES = ["ema_form", "wrong_sign", "state_not_updated", "stale_velocity"]
MOMENTUM_MISTAKES = ["rate_not_squared", "gd_rate"]
#: (problem, x0, lr, beta, steps) of the public example
PUBLIC_TRAJECTORY = ("d2l", [-5.0, -2.0], 0.1, 0.5, 4)


def expect_trajectory(answer, problem, x0, lr, beta, steps, *, what="heavy_ball", hint=None):
    """``answer`` is the heavy ball's path: torch's SGD with momentum from :mod:`d2l_opt.rules`."""
    p, x0 = PROBLEMS[problem], np.asarray(x0, dtype=float)
    mistakes = M.variants(M.heavy_ball_trajectory, TRAJECTORY_MISTAKES, p.grad, x0, lr, beta, steps)
    expect_close(
        answer,
        run(SGD(lr=lr, momentum=beta), p, x0, steps),
        what=what,
        mistakes=mistakes,
        hint=hint,
    )


def expect_momentum(answer, kappa, *, what="optimal_momentum", hint=None):
    """Polyak's ((√κ − 1)/(√κ + 1))²."""
    reference = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    expect_close(
        as_float(answer, what=what),
        reference,
        what=what,
        hint=hint,
        mistakes=M.variants(M.optimal_momentum, MOMENTUM_MISTAKES, kappa),
    )


def expect_lr(answer, lipschitz, mu, *, what="optimal_lr", hint=None):
    """The heavy ball's best step 4 / (√L + √μ)²."""
    reference = 4 / (math.sqrt(lipschitz) + math.sqrt(mu)) ** 2
    expect_close(
        as_float(answer, what=what),
        reference,
        what=what,
        hint=hint,
        mistakes={"gd_step": 2 / (lipschitz + mu)},
    )


def q1(ns: dict) -> int:
    f = need(ns, "heavy_ball")
    problem, x0, lr, beta, steps = PUBLIC_TRAJECTORY
    expect_trajectory(
        f(PROBLEMS[problem].grad, np.array(x0), lr, beta, steps),
        *PUBLIC_TRAJECTORY,
        what="heavy_ball(grad, (-5, -2), lr=0.1, beta=0.5, steps=4)",
        hint="momentum_q1",
    )
    return 1


def q2(ns: dict) -> int:
    expect_momentum(
        need(ns, "optimal_momentum")(100.0),
        100.0,
        what="optimal_momentum(100)",
        hint="momentum_q2_beta",
    )
    expect_lr(
        need(ns, "optimal_lr")(4.0, 0.2),
        4.0,
        0.2,
        what="optimal_lr(L=4, mu=0.2)",
        hint="momentum_q2_lr",
    )
    return 2


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["heavy_ball"], "allow": ["numpy"]},
    "q2": {"names": ["optimal_momentum", "optimal_lr"], "allow": ["numpy"]},
}
