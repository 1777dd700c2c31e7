"""Small helpers shared by the public check modules: the steps every exercise takes the same way
(fetch the student's function, compare a path or a number with its reference and its mistakes)."""

from __future__ import annotations

import inspect

import numpy as np

from d2l_opt.problems import PROBLEMS
from d2l_opt.trajectory import run

from .. import mistakes as M
from ..spec import as_choice, as_float, expect_close

__all__ = ["need", "choice", "expect_number", "expect_path", "check_call", "check_path"]


def need(ns: dict, name: str):
    if name not in ns:
        raise KeyError(f"`{name}`")
    value = ns[name]
    if value is Ellipsis:
        raise NotImplementedError
    return value


def choice(ns: dict, name: str, choices: str) -> None:
    """Public check of a multiple-choice answer: only that it is one of the letters."""
    value = need(ns, name)
    as_choice(value, list(choices), what=f"`{name}`")


def expect_number(answer, reference: float, *, what: str, hint=None, mistakes=None) -> None:
    """``answer`` is one number close to ``reference``; ``mistakes`` maps a mistake key to the
    number (or a thunk giving it) that mistake produces."""
    expect_close(as_float(answer, what=what), reference, what=what, hint=hint, mistakes=mistakes)


def expect_path(answer, rule, mistakes, problem, x0, *settings, what: str, hint=None):
    """``answer`` is ``rule``'s path from ``x0`` on ``PROBLEMS[problem]``.

    ``settings`` are the exercise function's arguments after ``x0`` and end with the number of
    steps; ``mistakes = (variant, keys)``, where ``variant(grad, x0, *settings, mistake=key)``
    gives the path of each mistake in ``keys``.
    """
    variant, keys = mistakes
    p, x0 = PROBLEMS[problem], np.asarray(x0, dtype=float)
    expect_close(
        answer,
        run(rule, p, x0, settings[-1]),
        what=what,
        mistakes=M.variants(variant, keys, p.grad, x0, *settings),
        hint=hint,
    )


def check_call(ns: dict, name: str, expect, *case, what: str, hint: str) -> int:
    """Public check of the student's ``name(*case)`` (arrays copied, so that the answer cannot
    change its own inputs) with ``expect(answer, *case, what=, hint=)``; one check."""
    args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in case]
    expect(need(ns, name)(*args), *case, what=what, hint=hint)
    return 1


def check_path(
    ns: dict, name: str, expect, case: tuple, *, what: str | None = None, hint: str
) -> int:
    """Public check of the student's ``name(grad, x0, *settings)`` on ``case = (problem, x0,
    *settings)``, with ``expect(answer, *case, what=, hint=)`` the exercise's comparison; one
    check. ``what`` defaults to the call written out, ``name(grad, (x0), setting=value, ...)``,
    the settings named as ``expect``'s parameters after ``x0``."""
    problem, x0, *settings = case
    if what is None:
        what = _written_call(name, expect, x0, settings)
    answer = need(ns, name)(PROBLEMS[problem].grad, np.array(x0), *settings)
    expect(answer, *case, what=what, hint=hint)
    return 1


def _written_call(name: str, expect, x0, settings) -> str:
    """``heavy_ball(grad, (-5, -2), lr=0.1, beta=0.5, steps=4)`` for :func:`check_path`."""
    parameters = list(inspect.signature(expect).parameters)
    keys = parameters[parameters.index("x0") + 1 :][: len(settings)]
    start = ", ".join(f"{v:g}" for v in x0)
    named = "".join(f", {k}={v:g}" for k, v in zip(keys, settings, strict=True))
    return f"{name}(grad, ({start}){named})"
