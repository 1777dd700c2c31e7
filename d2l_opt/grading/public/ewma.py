"""The EWMA exercise's references, common mistakes and public checks."""

from __future__ import annotations

import numpy as np

from d2l_opt import ewma as reference

from .. import mistakes as M
from ..spec import expect_close
from ._common import check_call, expect_number

BIAS_MISTAKES = ["no_bias_correction", "one_minus_swapped", "off_by_one_t"]
HALF_LIFE_MISTAKES = ["window_instead", "inverted_log"]
#: (series, beta) of the public example
PUBLIC_SERIES = (np.array([1.0, 2.0, 3.0, 4.0]), 0.9)


def expect_corrected(answer, xs, beta, *, what="ewma_corrected", hint=None):
    """``answer`` is the bias-corrected EWMA of ``xs`` (:func:`d2l_opt.ewma.ewma`)."""
    xs = np.asarray(xs, dtype=float)
    expect_close(
        answer,
        reference.ewma(xs, beta, bias_correction=True),
        what=what,
        hint=hint,
        mistakes=M.variants(M.ewma_bias_corrected, BIAS_MISTAKES, xs, beta),
    )


def expect_half_life(answer, beta, *, what="half_life", hint=None):
    mistakes = M.variants(M.half_life, HALF_LIFE_MISTAKES, beta)
    expect_number(answer, reference.half_life(beta), what=what, hint=hint, mistakes=mistakes)


def expect_window(answer, beta, *, what="effective_window", hint=None):
    mistakes = {"window_ratio": beta / (1 - beta)}
    expect_number(answer, reference.effective_window(beta), what=what, hint=hint, mistakes=mistakes)


def q1(ns: dict) -> int:
    what, hint = "ewma_corrected([1, 2, 3, 4], 0.9)", "ewma_q1"
    count = check_call(ns, "ewma_corrected", expect_corrected, *PUBLIC_SERIES, what=what, hint=hint)
    what, hint = "ewma_corrected of a constant series", "ewma_q1_constant"
    constant = (np.full(5, 3.0), 0.5)
    return count + check_call(
        ns, "ewma_corrected", expect_corrected, *constant, what=what, hint=hint
    )


def q2(ns: dict) -> int:
    hint = "ewma_q2_half_life"
    count = check_call(ns, "half_life", expect_half_life, 0.9, what="half_life(0.9)", hint=hint)
    what, hint = "effective_window(0.9)", "ewma_q2_window"
    return count + check_call(ns, "effective_window", expect_window, 0.9, what=what, hint=hint)


#: The public check of each question (each returns how many checks it ran).
CHECKS = {"q1": q1, "q2": q2}

QUESTIONS = {
    "q1": {"names": ["ewma_corrected"], "allow": ["numpy"]},
    "q2": {"names": ["half_life", "effective_window"], "allow": ["numpy"]},
}
