"""Public checks of the EWMA exercise."""

from __future__ import annotations

import numpy as np

from d2l_opt import ewma as reference

from .. import mistakes as M
from ._common import expect, need


def q1(ns: dict) -> int:
    f = need(ns, "ewma_corrected")
    xs = np.array([1.0, 2.0, 3.0, 4.0])
    expect(
        f(xs, 0.9),
        reference.ewma(xs, 0.9, bias_correction=True),
        what="ewma_corrected([1, 2, 3, 4], 0.9)",
        mistakes=M.variants(
            M.ewma_bias_corrected,
            ["no_bias_correction", "one_minus_swapped", "off_by_one_t"],
            xs,
            0.9,
        ),  # fmt: skip
        hint="v_t = β v_{t-1} + (1 - β) x_t from v_0 = 0, then divide by 1 - β**t (t from 1).",
    )
    expect(f(np.full(5, 3.0), 0.5), np.full(5, 3.0), what="ewma_corrected of a constant series",
           hint="a bias-corrected average of a constant series is that constant")  # fmt: skip
    return 2


def q2(ns: dict) -> int:
    hl = need(ns, "half_life")
    expect(hl(0.9), reference.half_life(0.9), what="half_life(0.9)",
           mistakes=M.variants(M.half_life, ["window_instead", "inverted_log"], 0.9),
           hint="solve β**k = 1/2 for k")  # fmt: skip
    window = need(ns, "effective_window")
    expect(
        window(0.9),
        reference.effective_window(0.9),
        what="effective_window(0.9)",
        hint="the weights (1 - β) β**k sum to 1; how many terms of weight 1 - β is that?",
    )
    return 2


CHECKS = {"q1": q1, "q2": q2}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["ewma_corrected"], "allow": ["numpy"]},
    "q2": {"names": ["half_life", "effective_window"], "allow": ["numpy"]},
}
