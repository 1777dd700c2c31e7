"""The EWMA exercise's references, common mistakes and public checks."""

from __future__ import annotations

import numpy as np

from d2l_opt import ewma as reference

from .. import mistakes as M
from ..spec import as_float, expect_close
from ._common import need

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
    expect_close(
        as_float(answer, what=what),
        reference.half_life(beta),
        what=what,
        hint=hint,
        mistakes=M.variants(M.half_life, HALF_LIFE_MISTAKES, beta),
    )


def expect_window(answer, beta, *, what="effective_window", hint=None):
    expect_close(
        as_float(answer, what=what),
        reference.effective_window(beta),
        what=what,
        hint=hint,
        mistakes={"window_ratio": beta / (1 - beta)},
    )


def q1(ns: dict) -> int:
    f = need(ns, "ewma_corrected")
    xs, beta = PUBLIC_SERIES
    expect_corrected(
        f(xs.copy(), beta),
        xs,
        beta,
        what="ewma_corrected([1, 2, 3, 4], 0.9)",
        hint="ewma_q1",
    )
    expect_corrected(
        f(np.full(5, 3.0), 0.5),
        np.full(5, 3.0),
        0.5,
        what="ewma_corrected of a constant series",
        hint="ewma_q1_constant",
    )
    return 2


def q2(ns: dict) -> int:
    expect_half_life(
        need(ns, "half_life")(0.9), 0.9, what="half_life(0.9)", hint="ewma_q2_half_life"
    )
    expect_window(
        need(ns, "effective_window")(0.9),
        0.9,
        what="effective_window(0.9)",
        hint="ewma_q2_window",
    )
    return 2


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["ewma_corrected"], "allow": ["numpy"]},
    "q2": {"names": ["half_life", "effective_window"], "allow": ["numpy"]},
}
