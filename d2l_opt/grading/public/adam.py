"""The Adam exercise's references, common mistakes and public checks (torch's form: ε outside
the square root)."""

from __future__ import annotations

import numpy as np

from d2l_opt.rules import Adam

from .. import mistakes as M
from ..spec import expect_close
from ._common import need

STEP_MISTAKES = [
    "no_bias_correction",
    "off_by_one_t",
    "one_minus_swapped",
    "g_not_squared",
    "eps_inside",
    "wrong_sign",
    "state_not_updated",
]
AMSGRAD_MISTAKES = ["no_max", "max_not_stored"]
#: (param, grad, m, v, t, lr, beta1, beta2, eps) of the public example
PUBLIC_STEP = ([1.0, -1.0], [0.5, 2.0], [0.0, 0.0], [0.0, 0.0], 1, 0.1, 0.9, 0.999, 1e-8)
#: (param, grad, m, v, vmax, t, lr, beta1, beta2, eps) of the public example
PUBLIC_AMSGRAD = (
    [1.0, -1.0],
    [0.5, 0.1],
    [0.1, 0.1],
    [0.2, 0.3],
    [0.5, 0.2],
    3,
    0.1,
    0.9,
    0.99,
    1e-8,
)


def reference(param, grad, m, v, t, lr, b1, b2, eps, vmax=None) -> np.ndarray:
    """One step of :class:`d2l_opt.rules.Adam` (AMSGrad when ``vmax`` is given), stacked as
    ``(param, m, v[, vmax])``."""
    amsgrad = vmax is not None
    rule = Adam(lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad)
    state = {"step": t - 1, "exp_avg": np.array(m, float), "exp_avg_sq": np.array(v, float)}
    if amsgrad:
        state["max_exp_avg_sq"] = np.array(vmax, float)
    new, st = rule.update(np.array(param, float), np.array(grad, float), state)
    out = [new, st["exp_avg"], st["exp_avg_sq"]]
    return np.stack(out + ([st["max_exp_avg_sq"]] if amsgrad else []))


def reference_amsgrad(param, grad, m, v, vmax, *rest) -> np.ndarray:
    """:func:`reference` for AMSGrad, with its arguments in the exercise's order."""
    return reference(param, grad, m, v, *rest, vmax=vmax)


def _arrays(case, count):
    return [np.array(c, float) if i < count else c for i, c in enumerate(case)]


def _expect(answer, case, arrays, want, mistaken, names, *, what, hint):
    """``answer`` is ``want(*case)``, compared with ``mistaken(*case, mistake=k)`` for each of
    ``names``; the first ``arrays`` entries of ``case`` are arrays."""
    case = _arrays(case, arrays)
    mistakes = {k: (lambda k=k: np.stack(mistaken(*case, mistake=k))) for k in names}
    expect_close(answer, want(*case), what=what, mistakes=mistakes, hint=hint)


def expect_step(answer, *case, what="adam_step (param, m, v)", hint=None):
    _expect(answer, case, 4, reference, M.adam_step, STEP_MISTAKES, what=what, hint=hint)


def expect_amsgrad(answer, *case, what="amsgrad_step (param, m, v, vmax)", hint=None):
    want, mistaken = reference_amsgrad, M.amsgrad_step
    _expect(answer, case, 5, want, mistaken, AMSGRAD_MISTAKES, what=what, hint=hint)


def _check(ns, name, expect, case, arrays, *, what, hint) -> int:
    """Public check of the student's ``name(*case)``, stacked, with ``expect``."""
    answer = np.stack(need(ns, name)(*_arrays(case, arrays)))
    expect(answer, *case, what=what, hint=hint)
    return 1


def q1(ns: dict) -> int:
    what = "adam_step at t = 1 from zero moments (param, m, v)"
    return _check(ns, "adam_step", expect_step, PUBLIC_STEP, 4, what=what, hint="adam_q1")


def q2(ns: dict) -> int:
    what = "amsgrad_step at t = 3 (param, m, v, vmax)"
    return _check(ns, "amsgrad_step", expect_amsgrad, PUBLIC_AMSGRAD, 5, what=what, hint="adam_q2")


#: The public check of each question (each returns how many checks it ran).
CHECKS = {"q1": q1, "q2": q2}

QUESTIONS = {
    "q1": {"names": ["adam_step"], "allow": ["numpy"]},
    "q2": {"names": ["amsgrad_step"], "allow": ["numpy"]},
}
