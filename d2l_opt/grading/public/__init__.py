"""Public checks: instant feedback in the student's own kernel, on public inputs only.

>>> from d2l_opt.grading import checker
>>> check = checker("rmsprop")      # doctest: +SKIP
>>> check("q1")                     # doctest: +SKIP
✅ q1: 3 public checks passed. The grader runs further, hidden tests on submission.

These checks run inside the student's process, so they can be fooled by that process (a
patched numpy, a redefined ``check``): they are a help, not a grade. Grades come from
``python -m d2l_opt.grading grade``, which re-runs the code in a sandbox and compares in a
separate, trusted process. Nothing here is a hidden test.

Each exercise's module defines ``CHECKS`` (question → its public check, which returns how many
checks it ran) and ``QUESTIONS`` (question → the names the student defines and what an answer may
use, see :mod:`d2l_opt.grading.allow`); the master builds its questions from these.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from ...i18n import get_language
from ..messages import render
from ..spec import Fail

#: Set by the grader in its sandboxed children (see :data:`d2l_opt.grading.sandbox.CHILD_ENV`).
_CHILD_ENV = "D2L_OPT_GRADING_CHILD"

__all__ = ["Checker", "checker", "EXERCISES"]

EXERCISES = ("ewma", "momentum", "adagrad", "rmsprop", "adam")


class Checker:
    """``check("q1")`` runs the public checks of question q1 on the caller's names."""

    def __init__(self, exercise: str):
        if exercise not in EXERCISES:
            raise ValueError(f"unknown exercise {exercise!r}; one of {', '.join(EXERCISES)}")
        self.exercise = exercise
        # In the grader's sandbox the checks' references are absent, and the grader checks
        # for itself: there a checker does nothing.
        self.silent = os.environ.get(_CHILD_ENV) == "1"
        if self.silent:
            self.module, self.checks, self.questions = None, {}, {}
            return
        self.module = importlib.import_module(f"{__name__}.{exercise}")
        self.checks: dict[str, Callable[[dict], int]] = self.module.CHECKS
        self.questions: dict[str, dict] = getattr(self.module, "QUESTIONS", {})

    def __call__(self, question: str, namespace: dict | None = None) -> bool | None:
        if self.silent:
            return None
        if question not in self.checks:
            raise ValueError(f"no question {question!r}; one of {', '.join(self.checks)}")
        ns = namespace if namespace is not None else sys._getframe(1).f_globals
        lang = get_language()
        self._warn_not_allowed(question, ns, lang)

        def failed(reason: str) -> bool:
            print(render("check_failed", lang, question=question, reason=reason))
            return False

        try:
            count = self.checks[question](ns)
        except Fail as fail:
            failed(fail.text(lang))
            if fail.hint:
                print(render("check_hint", lang, hint=fail.hint_text(lang)))
            return False
        except KeyError as exc:
            return failed(render("check_undefined", lang, name=exc.args[0]))
        except NotImplementedError:
            return failed(render("check_not_implemented", lang))
        except Exception as exc:  # noqa: BLE001 - the student's code raised
            return failed(render("check_raised", lang, error=f"{type(exc).__name__}: {exc}"))
        print(render("check_passed", lang, question=question, count=count))
        return True

    def _warn_not_allowed(self, question: str, ns: dict, lang: str) -> None:
        """Warn when the question's functions use what the question does not allow (the grader
        gives such a question 0)."""
        from ..allow import uses

        spec = self.questions.get(question, {})
        allow = spec.get("allow")
        if allow is None:
            return
        reasons: list[str] = []
        for name in spec.get("names", []):
            reasons += [r for r in uses(ns.get(name), ns, allow) if r not in reasons]
        for reason in reasons[:3]:
            print(render("check_not_allowed", lang, question=question, reason=reason))

    def all(self, namespace: dict | None = None) -> dict[str, bool]:
        ns = namespace if namespace is not None else sys._getframe(1).f_globals
        return {q: self(q, ns) for q in self.checks}


def checker(exercise: str) -> Checker:
    return Checker(exercise)
