"""Public checks of the Adagrad exercise."""

from __future__ import annotations

import numpy as np

from d2l_opt.problems import D2L_QUADRATIC
from d2l_opt.rules import Adagrad
from d2l_opt.trajectory import run

from .. import mistakes as M
from ._common import expect, need

X0 = np.array([-5.0, -2.0])


def q1(ns: dict) -> int:
    f = need(ns, "adagrad")
    expect(
        f(D2L_QUADRATIC.grad, X0.copy(), 0.4, 0.1, 4),
        run(Adagrad(lr=0.4, eps=0.1), D2L_QUADRATIC, X0, 4),
        what="adagrad(grad, (-5, -2), lr=0.4, eps=0.1, steps=4)",
        mistakes=M.variants(
            M.adagrad_trajectory,
            ["eps_inside", "g_not_squared", "wrong_sign", "state_not_updated", "sqrt_missing"],
            D2L_QUADRATIC.grad,
            X0,
            0.4,
            0.1,
            4,
        ),
        hint="s ← s + g², x ← x − η g / (√s + ε); this exercise puts ε outside the root.",
    )
    return 1


def q2(ns: dict) -> int:
    f = need(ns, "effective_rates")
    grads = np.ones((5, 2))
    expect(
        f(grads, 0.5, 1e-8),
        M.adagrad_effective_rates(grads, 0.5, 1e-8),
        what="effective_rates(ones((5, 2)), lr=0.5, eps=1e-8)",
        mistakes=M.variants(
            M.adagrad_effective_rates,
            ["rate_before_update", "eps_inside", "state_not_updated"],
            grads,
            0.5,
            1e-8,
        ),
        hint="row t is η / (√s_t + ε) with s_t the sum of g² up to and including step t",
    )
    return 1


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["adagrad"], "allow": ["numpy"]},
    "q2": {"names": ["effective_rates"], "allow": ["numpy"]},
}
