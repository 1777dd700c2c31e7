"""How a master notebook describes its grading: questions, calls, tests, mistakes.

A master's cells tagged ``hidden-tests`` build one :class:`Exercise`::

    from d2l_opt.grading.spec import Exercise, arr, expect_close, as_choice

    EXERCISE = Exercise("rmsprop")
    q1 = EXERCISE.question("q1", "gamma = 1", names=["rmsprop_trajectory"])
    q1.call("t", "rmsprop_trajectory", grad, arr([1.0, -1.0]), lr=0.01, gamma=1.0, ...)

    @q1.test(points=2, hidden=True)
    def trajectory(a):
        expect_close(a["t"], reference(...), what="the trajectory",
                     mistakes={"epsilon outside the square root": wrong(...)})

The grader runs the submission's cells and the question's *calls* in a sandboxed child, gets
the results back as plain data, and runs the question's *tests* here, in the trusted parent.
A test passes by returning and fails by raising :class:`Fail` (any other exception is a bug
in the master and is reported as such without crashing the grader).

Names: ``names`` lists what the student defines; the child only evaluates calls and reads
values, the parent never executes anything from the submission.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .messages import describe, render
from .wire import CallError, arr, helper, name
from .wire import plain as _plain

__all__ = [
    "Answers",
    "Exercise",
    "Fail",
    "Question",
    "Test",
    "arr",
    "as_array",
    "as_choice",
    "as_float",
    "as_int",
    "expect_close",
    "helper",
    "name",
]


class Fail(AssertionError):
    """A failed test. ``message`` is shown to the student (also for hidden tests: keep it free
    of hidden inputs); ``mistake`` names a recognised common mistake; ``hint`` (public checks)
    says what to look at. ``Fail(..., hint=...)`` is the one way to attach a hint.

    ``message``, ``mistake`` and ``hint`` are each a key of :mod:`d2l_opt.grading.messages`
    (then ``fields`` fill the message's placeholders; a field named ``mistake`` is a mistake
    key too), a ``{"en": ..., "ko": ...}`` text, or plain text; :meth:`text` renders them in
    a language. ``.message`` and ``.mistake`` are the English renderings."""

    def __init__(self, message, mistake=None, hint=None, *, fields: dict | None = None):
        self.key, self.fields, self.mistake_key, self.hint = (
            message,
            dict(fields or {}),
            mistake,
            hint,
        )
        self.message = self.text("en")
        self.mistake = describe(mistake, "en")
        super().__init__(self.message)

    def text(self, lang: str = "en") -> str:
        fields = dict(self.fields)
        if "mistake" in fields:
            fields["mistake"] = describe(fields["mistake"], lang)
        return render(self.key, lang, **fields)

    def mistake_text(self, lang: str = "en") -> str | None:
        return describe(self.mistake_key, lang)

    def hint_text(self, lang: str = "en") -> str | None:
        return render(self.hint, lang) if self.hint else None


# call arguments: the parent → child format lives in wire.py (re-exported here for masters)


# -------------------------------------------------------------------------------- answers


class Answers:
    """The child's answers for one question, as seen by the tests (read-only plain data)."""

    def __init__(self, values: dict[str, Any], calls: dict[str, dict]):
        self._values = values
        self._calls = calls

    def __getitem__(self, key: str) -> Any:
        target = self._calls.get(key, {}).get("target", key)
        shown = target.split(":", 1)[-1]
        if key not in self._values:
            raise Fail("no_answer", fields={"name": shown})
        value = self._values[key]
        if isinstance(value, CallError):
            kind = value.split(":", 1)[0]
            if kind == "NameError":
                raise Fail("undefined", fields={"name": shown})
            if kind == "NotImplementedError":
                raise Fail("not_implemented", fields={"name": shown})
            raise Fail("raised", fields={"name": shown, "kind": kind})
        return value


# ---------------------------------------------------------------------------- conversions


def as_array(value: Any, *, shape: tuple[int, ...] | None = None, what: str = "the answer",
             finite: bool = False) -> np.ndarray:  # fmt: skip
    """``value`` as a float64 array; :class:`Fail` unless it is numbers of the right shape."""
    if isinstance(value, str | dict) or value is None:
        raise Fail(f"{what} should be an array of numbers, got {type(value).__name__}")
    try:
        out = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail("not_numbers", fields={"what": what}) from None
    if shape is not None and out.shape != tuple(shape):
        raise Fail("wrong_shape", fields={"what": what, "got": out.shape, "want": tuple(shape)})
    if finite and not np.isfinite(out).all():
        raise Fail(f"{what} contains nan or inf")
    return out


def as_float(value: Any, *, what: str = "the answer", finite: bool = True) -> float:
    """A single real number."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.ndarray | list):
        raise Fail(f"{what} should be a number, got {type(value).__name__}")
    out = as_array(value, what=what)
    if out.size != 1:
        raise Fail(f"{what} should be a single number, got {out.size} numbers")
    x = float(out.reshape(-1)[0])
    if finite and not math.isfinite(x):
        raise Fail(f"{what} is not finite")
    return x


def as_int(value: Any, *, what: str = "the answer") -> int:
    x = as_float(value, what=what)
    if x != round(x):
        raise Fail(f"{what} should be a whole number, got {x}")
    return int(round(x))


def as_choice(value: Any, choices: Iterable[str], *, what: str = "your choice") -> str:
    """One of ``choices`` (case and surrounding blanks ignored)."""
    choices = [c.lower() for c in choices]
    if not isinstance(value, str):
        raise Fail(f"{what} should be one of {', '.join(repr(c) for c in choices)} (a string)")
    choice = value.strip().strip("()").lower()
    if choice not in choices:
        raise Fail(
            "not_a_choice", fields={"what": what, "choices": ", ".join(repr(c) for c in choices)}
        )
    return choice


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def expect_close(
    value: Any,
    reference: Any,
    *,
    what: str = "the answer",
    mistakes: dict[str, Any | Callable[[], Any]] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: str | None = None,
) -> None:
    """Pass when ``value`` matches ``reference``; otherwise name the mistake it matches.

    ``mistakes`` maps a common mistake (a key of :data:`d2l_opt.grading.messages.MISTAKES`,
    or its description) to the value that mistake produces on the same input (or a function
    computing it). Shape is checked first. ``hint`` goes with
    every :class:`Fail` this raises.
    """
    try:
        _expect_close(value, reference, what, mistakes or {}, rtol, atol)
    except Fail as fail:
        fail.hint = hint
        raise


def _expect_close(value, reference, what, mistakes, rtol, atol) -> None:
    ref = np.asarray(reference, dtype=np.float64)
    got = as_array(value, shape=ref.shape, what=what)
    if _close(got, ref, rtol, atol):
        return
    for description, wrong in mistakes.items():
        try:
            wrong_value = wrong() if callable(wrong) else wrong
            wrong_arr = np.asarray(wrong_value, dtype=np.float64)
        except Exception:  # noqa: BLE001 - a mistake that cannot be computed cannot match
            continue
        if _close(got, wrong_arr, rtol, atol):
            raise Fail(
                "matches_mistake",
                mistake=description,
                fields={"what": what, "mistake": description},
            )
    if not np.isfinite(got).all() and np.isfinite(ref).all():
        raise Fail("not_finite", fields={"what": what})
    raise Fail("mismatch", fields={"what": what})


# ------------------------------------------------------------------------------ structure


@dataclass
class Test:
    name: str
    points: float
    hidden: bool
    func: Callable[[Answers], Any]


@dataclass
class Question:
    """One question: the student's names, the calls made in the child, the tests run here."""

    name: str
    title: str
    names: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    #: libraries and ``d2l_opt`` modules an answer may use (:mod:`d2l_opt.grading.allow`);
    #: ``None``: no restriction
    allow: list[str] | None = None
    slow: bool = False
    wall_seconds: float | None = None
    memory_bytes: int | None = None
    cpu_seconds: int | None = None
    calls: dict[str, dict] = field(default_factory=dict)
    tests: list[Test] = field(default_factory=list)

    @property
    def points(self) -> float:
        return float(sum(t.points for t in self.tests))

    def call(self, key: str, target: str, *args: Any, **kwargs: Any) -> None:
        """Ask the child for ``target(*args, **kwargs)`` (a student's name, or
        ``"$helper:<function>"`` for a trusted helper); the result is ``answers[key]``."""
        if key in self.calls:
            raise ValueError(f"{self.name}: duplicate call key {key!r}")
        self.calls[key] = {
            "id": key,
            "target": target,
            "args": [_plain(a) for a in args],
            "kwargs": {k: _plain(v) for k, v in kwargs.items()},
        }

    def value(self, key: str, identifier: str) -> None:
        """Ask the child for the value bound to ``identifier`` (e.g. a multiple-choice letter)."""
        self.calls[key] = {"id": key, "target": f"$value:{identifier}", "args": [], "kwargs": {}}

    def test(self, points: float = 1.0, *, hidden: bool = False, name: str | None = None):
        """Decorator registering a test ``func(answers)``."""

        def register(func: Callable[[Answers], Any]) -> Callable[[Answers], Any]:
            label = name or (func.__doc__ or func.__name__).strip().splitlines()[0]
            self.tests.append(Test(label, float(points), hidden, func))
            return func

        return register


class Exercise:
    """All questions of one exercise notebook, in order."""

    def __init__(self, name: str, title: str = ""):
        self.name = name
        self.title = title or name
        self.questions: dict[str, Question] = {}

    def question(self, key: str, title: str, **options: Any) -> Question:
        if key in self.questions:
            raise ValueError(f"question {key!r} defined twice")
        q = Question(key, title, **options)
        self.questions[key] = q
        return q

    @property
    def points(self) -> float:
        return float(sum(q.points for q in self.questions.values()))
