"""Public checks of the Adam exercise (torch's form: ε outside the square root)."""

from __future__ import annotations

import numpy as np

from d2l_opt.rules import Adam

from .. import mistakes as M
from ._common import expect, need

ADAM_MISTAKES = ["no_bias_correction", "off_by_one_t", "one_minus_swapped", "g_not_squared",
                 "eps_inside", "wrong_sign", "state_not_updated"]  # fmt: skip


def reference_adam(param, grad, m, v, t, lr, b1, b2, eps, amsgrad=False, vmax=None):
    rule = Adam(lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad)
    state = {"step": t - 1, "exp_avg": np.array(m, float), "exp_avg_sq": np.array(v, float)}
    if amsgrad:
        state["max_exp_avg_sq"] = np.array(vmax, float)
    new, st = rule.update(np.array(param, float), np.array(grad, float), state)
    out = [new, st["exp_avg"], st["exp_avg_sq"]]
    return np.stack(out + ([st["max_exp_avg_sq"]] if amsgrad else []))


def q1(ns: dict) -> int:
    f = need(ns, "adam_step")
    args = (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.zeros(2), np.zeros(2), 1, 0.1,
            0.9, 0.999, 1e-8)  # fmt: skip
    expect(np.stack(f(*[np.copy(a) for a in args])), reference_adam(*args),
           what="adam_step at t = 1 from zero moments (param, m, v)",
           mistakes={M.describe(k): (lambda k=k: np.stack(M.adam_step(*args, mistake=k)))
                     for k in ADAM_MISTAKES},
           hint="m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², divide m by 1 − β1**t and v by "
                "1 − β2**t, step η m̂ / (√v̂ + ε)")  # fmt: skip
    return 1


def q2(ns: dict) -> int:
    f = need(ns, "amsgrad_step")
    args = (np.array([1.0, -1.0]), np.array([0.5, 0.1]), np.array([0.1, 0.1]),
            np.array([0.2, 0.3]), np.array([0.5, 0.2]), 3, 0.1, 0.9, 0.99, 1e-8)  # fmt: skip
    ref = reference_adam(*args[:4], *args[5:], amsgrad=True, vmax=args[4])
    expect(np.stack(f(*[np.copy(a) for a in args])), ref,
           what="amsgrad_step at t = 3 (param, m, v, vmax)",
           mistakes={M.describe(k): (lambda k=k: np.stack(M.amsgrad_step(*args, mistake=k)))
                     for k in ["no_max", "max_not_stored"]},
           hint="vmax ← max(vmax, v) of the raw (uncorrected) v; the step divides by "
                "√(vmax / (1 − β2**t)) + ε")  # fmt: skip
    return 1


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["adam_step"], "allow": ["numpy"]},
    "q2": {"names": ["amsgrad_step"], "allow": ["numpy"]},
}
