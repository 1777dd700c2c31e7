"""Public checks of the Momentum exercise."""

from __future__ import annotations

import numpy as np

from d2l_opt.problems import D2L_QUADRATIC
from d2l_opt.rules import SGD
from d2l_opt.trajectory import run

from .. import mistakes as M
from ._common import expect, need

X0 = np.array([-5.0, -2.0])


def q1(ns: dict) -> int:
    f = need(ns, "heavy_ball")
    traj = f(D2L_QUADRATIC.grad, X0.copy(), 0.1, 0.5, 4)
    expect(
        traj,
        run(SGD(lr=0.1, momentum=0.5), D2L_QUADRATIC, X0, 4),
        what="heavy_ball(grad, (-5, -2), lr=0.1, beta=0.5, steps=4)",
        mistakes=M.variants(
            M.heavy_ball_trajectory,
            ["ema_form", "wrong_sign", "state_not_updated", "stale_velocity"],
            D2L_QUADRATIC.grad,
            X0,
            0.1,
            0.5,
            4,
        ),  # fmt: skip
        hint="v ← β v + g, then x ← x − η v; row 0 of the result is x0.",
    )
    return 1


def q2(ns: dict) -> int:
    f = need(ns, "optimal_momentum")
    expect(
        f(100.0),
        M.optimal_momentum(100.0),
        what="optimal_momentum(100)",
        mistakes=M.variants(M.optimal_momentum, ["rate_not_squared", "gd_rate"], 100.0),
        hint="the heavy ball converges at rate (√κ − 1)/(√κ + 1) when β is its square",
    )
    lr = need(ns, "optimal_lr")
    expect(lr(4.0, 0.2), 4.0 / (2.0 + 0.2**0.5) ** 2, what="optimal_lr(L=4, mu=0.2)",
           hint="η = 4 / (√L + √μ)²")  # fmt: skip
    return 2


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["heavy_ball"], "allow": ["numpy"]},
    "q2": {"names": ["optimal_momentum", "optimal_lr"], "allow": ["numpy"]},
}
