"""Exercise checks and a sandboxed grader for the book's exercise notebooks.

Students::

    from d2l_opt.grading import checker, export
    check = checker("rmsprop")
    check("q1")                       # instant public checks with hints
    export("rmsprop.ipynb")           # one file to hand in: submission.zip

Instructors (see ``python -m d2l_opt.grading --help``)::

    python -m d2l_opt.grading assign exercises/master/rmsprop.ipynb exercises/
    python -m d2l_opt.grading grade submissions/*.zip --master exercises/master --out results/

Design: the grader never trusts the student's process. Every question runs in a fresh
sandboxed child (:mod:`~d2l_opt.grading.sandbox`) that returns plain data only; the tests and
the reference values live in the master notebook and run in the grading process
(:mod:`~d2l_opt.grading.grader`).
"""

from __future__ import annotations

from .public import Checker, checker

__all__ = ["Checker", "checker", "export"]


def export(notebook=None, out="submission.zip", *, student=None):
    """Package a notebook as one submission file (see :func:`.submission.export`)."""
    from .submission import export as _export

    return _export(notebook, out, student=student)
