"""Grade submissions against master notebooks.

For each question of a submission the grader

1. picks the submission's code cells for that question (setup cells, the sections it needs,
   its own section; see :mod:`d2l_opt.grading.notebook`);
2. runs them, then the question's calls, in a fresh sandboxed child
   (:func:`d2l_opt.grading.sandbox.run_child`), which returns plain data only;
3. runs the question's tests *here*, on that data, against references computed here.

Nothing the child prints, exits with or writes decides a score: a question scores the points
of the tests that pass on the data it returned. Each question has its own child, so a
submission that breaks one question (exits, loops, patches numpy) loses only that question.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import json
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from ..data import find_data_dir
from . import allow as allow_rules
from . import helpers
from . import notebook as nbtools
from .child import transform_magics
from .messages import render
from .sandbox import ChildOutcome, Limits, default_mode, run_child
from .spec import Answers, Exercise, Fail, Question
from .submission import SubmissionError, read_submission

__all__ = ["GradeOptions", "Master", "grade", "grade_submission", "load_master", "load_masters"]


@dataclass
class Master:
    path: Path
    exercise: Exercise


@dataclass
class GradeOptions:
    mode: str | None = None  # "bwrap", "subprocess" or None for the best available
    skip_slow: bool = False
    only: list[str] | None = None  # question keys to grade (others skipped)
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    data_dir: Path | None = None
    masked_dirs: list[Path] = field(default_factory=list)
    #: zero a question whose code uses what it does not allow (:func:`d2l_opt.grading.allow.scan`)
    static_check: bool = True


def load_master(path: str | Path) -> Master:
    """Read a master notebook and build its :class:`Exercise` from its hidden-tests cells."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    name = nbtools.exercise_name(nb)
    if name is None:
        raise ValueError(f"{path}: metadata d2l_opt.exercise is missing")
    source = nbtools.hidden_source(nb)
    namespace: dict[str, Any] = {"__name__": f"d2l_opt_master_{name}", "__file__": str(path)}
    exec(compile(source, f"{path} [hidden-tests]", "exec"), namespace)  # trusted master code
    found = [v for v in namespace.values() if isinstance(v, Exercise)]
    if len(found) != 1:
        raise ValueError(f"{path}: the hidden-tests cells must define exactly one Exercise")
    if found[0].name != name:
        raise ValueError(f"{path}: Exercise {found[0].name!r} but metadata says {name!r}")
    return Master(path, found[0])


def load_masters(where: str | Path) -> dict[str, Master]:
    """All masters in a folder (``*.ipynb``), or the one master file given, by exercise name."""
    where = Path(where)
    paths = sorted(where.glob("*.ipynb")) if where.is_dir() else [where]
    masters = {}
    for path in paths:
        master = load_master(path)
        masters[master.exercise.name] = master
    if not masters:
        raise ValueError(f"no master notebooks in {where}")
    return masters


def _question_limits(q: Question, base: Limits) -> Limits:
    changes: dict[str, Any] = {}
    if q.wall_seconds:
        changes["wall_seconds"] = max(base.wall_seconds, q.wall_seconds)
    if q.cpu_seconds:
        changes["cpu_seconds"] = max(base.cpu_seconds or 0, q.cpu_seconds)
    if q.memory_bytes:
        changes["memory_bytes"] = max(base.memory_bytes or 0, q.memory_bytes)
    return base.scaled(**changes) if changes else base


def _blank_result(path: Path, student: str, exercise: str | None, problem: str) -> dict:
    return {
        "submission": str(path),
        "student": student,
        "exercise": exercise,
        "score": 0.0,
        "max_score": 0.0,
        "percent": 0.0,
        "problem": problem,
        "notes": [],
        "questions": [],
    }


def grade_submission(
    path: str | Path, masters: dict[str, Master], options: GradeOptions | None = None
) -> dict:
    """Grade one submission; never raises for anything the submission contains."""
    return grade([path], masters, options)[0]


def grade(
    paths: list[str | Path],
    masters: dict[str, Master],
    options: GradeOptions | None = None,
    on_result: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Grade several submissions; one result dict each (see :mod:`d2l_opt.grading.report`).

    ``on_result(result)`` is called (in this thread) for each submission as soon as all its
    questions are graded, in the order they finish."""
    options = options or GradeOptions()
    mode = options.mode or default_mode()
    data_dir = options.data_dir or find_data_dir()
    masked = [m.path.resolve().parent for m in masters.values()] + list(options.masked_dirs)
    masked += [Path(p).resolve().parent for p in paths]
    results: list[dict] = []
    jobs: list[tuple[dict, Question, list[tuple[int, str]], Path]] = []
    owner: dict[int, dict] = {}  # id(question entry) -> its submission's result
    for raw_path in paths:
        path = Path(raw_path)
        try:
            sub = read_submission(path)
        except SubmissionError as exc:
            results.append(_blank_result(path, path.stem, None, str(exc)))
            continue
        if sub.exercise is None and len(masters) == 1:
            sub.exercise = next(iter(masters))
            sub.notes.append("the notebook does not name its exercise; graded as the only one")
        master = masters.get(sub.exercise or "")
        if master is None:
            results.append(
                _blank_result(path, sub.student, sub.exercise, "unknown exercise: no master for it")
            )
            continue
        exercise = master.exercise
        result = _blank_result(path, sub.student, exercise.name, "")
        result["problem"] = None
        result["notes"] = sub.notes
        result["sandbox"] = mode
        result["lang"] = nbtools.language(sub.notebook)
        results.append(result)
        for q in exercise.questions.values():
            entry = {
                "question": q.name,
                "title": q.title,
                "points": q.points,
                "score": 0.0,
                "status": "pending",
                "tests": [],
                "problem": None,
                "cell_errors": [],
                "seconds": 0.0,
            }
            result["questions"].append(entry)
            if (options.skip_slow and q.slow) or (options.only and q.name not in options.only):
                entry["status"] = "skipped"
                continue
            cells = nbtools.question_cells(sub.notebook, q.name, q.needs)
            jobs.append((entry, q, cells, path))
            owner[id(entry)] = result
            entry["lang"] = result["lang"]

    shared = _Shared(data_dir)

    def work(job):
        entry, q, cells, path = job
        if options.static_check:
            found = allow_rules.scan([transform_magics(source) for _, source in cells], q.allow)
            if found:
                return ChildOutcome(problem=_not_allowed(q, cells, found), mode=mode)
        try:
            outcome = run_child(
                [source for _, source in cells],
                list(q.calls.values()),
                submission=path,
                limits=_question_limits(q, options.limits),
                masked_dirs=masked,
                data_dir=data_dir,
                mode=mode,
                allow=_sandbox_allow(q),
                shared=shared.for_question(q),
            )
        except Exception as exc:  # noqa: BLE001 - the grader reports and goes on
            outcome = ChildOutcome(problem=f"the grader could not start the sandbox ({exc})")
        return outcome

    # Submissions are finished (scored, handed to ``on_result``) as soon as their last
    # question comes back, so that a long run that is stopped keeps what it finished.
    remaining = {id(r): 0 for r in results}
    for job in jobs:
        remaining[id(owner[id(job[0])])] += 1

    def finish(result: dict) -> None:
        _total(result)
        if on_result is not None:
            on_result(result)

    for result in results:
        if remaining[id(result)] == 0:
            finish(result)
    workers = max(1, options.jobs)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(work, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                entry, q, cells, _ = futures[future]
                _score(entry, q, cells, future.result())
                result = owner[id(entry)]
                remaining[id(result)] -= 1
                if remaining[id(result)] == 0:
                    finish(result)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return results


def _total(result: dict) -> None:
    graded = [e for e in result["questions"] if e["status"] != "skipped"]
    result["score"] = round(sum(e["score"] for e in graded), 6)
    result["max_score"] = sum(e["points"] for e in graded)
    result["percent"] = (
        round(100.0 * result["score"] / result["max_score"], 2) if result["max_score"] else 0.0
    )
    result["skipped"] = [e["question"] for e in result["questions"] if e["status"] == "skipped"]


def _sandbox_allow(q: Question) -> list[str] | None:
    """What the child must be able to import: the question's ``allow`` plus what the trusted
    helpers its calls use need (the static check still holds answers to ``allow`` alone)."""
    if q.allow is None:
        return None
    calls = json.dumps(q.calls)
    extra = [m for name, needs in helpers.NEEDS.items() if name in calls for m in needs]
    return list(dict.fromkeys([*q.allow, *extra]))


class _Shared:
    """Files prepared once per grading run for the children's helpers (the Fashion-MNIST
    training subset), removed when the run ends."""

    def __init__(self, data_dir: Path | None):
        self.data_dir = data_dir
        self.folder: Path | None = None
        self.lock = threading.Lock()

    def for_question(self, q: Question) -> dict[str, Path]:
        if "fashion_mnist" not in json.dumps(q.calls):
            return {}
        with self.lock:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="d2l-grade-shared-"))
                self.folder.chmod(0o755)
                atexit.register(shutil.rmtree, self.folder, True)
            subset = helpers.fashion_training_set(self.folder)
        return {helpers.FASHION_SUBSET_ENV: subset}


def _not_allowed(q: Question, cells: list[tuple[int, str]], found) -> str:
    """One sentence per finding: "q1 uses torch.optim, which this question does not allow …
    (cell 5, line 2)"."""
    sentences = [f"{f.sentence(q.name)} (cell {cells[f.cell][0]}, line {f.line})" for f in found]
    return "; ".join(sentences[:5]) + ("; …" if len(sentences) > 5 else "")


def _score(entry: dict, q: Question, cells: list[tuple[int, str]], outcome: ChildOutcome) -> None:
    start = time.perf_counter()
    lang = entry.pop("lang", "en")
    entry["problem"] = outcome.problem
    numbers = [number for number, _ in cells]
    entry["cell_errors"] = [
        {
            "cell": numbers[e["index"]] if 0 <= e["index"] < len(numbers) else None,
            "error": e["error"],
        }
        for e in outcome.cell_errors
    ]
    answers = Answers(outcome.answers, q.calls)
    hidden_number = 0
    for test in q.tests:
        if test.hidden:
            hidden_number += 1
            label = render("hidden_test", lang, number=hidden_number)
        else:
            label = test.name
        record = {"name": label, "hidden": test.hidden, "points": test.points, "passed": False}
        try:
            test.func(answers)
            record["passed"] = True
            record["feedback"] = render("passed", lang)
        except Fail as fail:
            if test.hidden and fail.mistake:
                mistake = fail.mistake_text(lang)
                record["feedback"] = render("failed_mistake", lang, mistake=mistake)
            elif test.hidden:
                record["feedback"] = render("failed", lang)
            else:
                record["feedback"] = fail.text(lang)
            if fail.mistake:
                record["mistake"] = fail.mistake  # English, for the instructor's tables
        except Exception:  # noqa: BLE001 - a bug in the master must not stop the grader
            record["feedback"] = render("grader_error", lang)
            with allow_rules.PARSE_LOCK:  # 3.11's tracebacks parse source lines for carets
                record["grader_error"] = traceback.format_exc(limit=3)[-1500:]
        entry["tests"].append(record)
    entry["score"] = float(sum(t["points"] for t in entry["tests"] if t["passed"]))
    entry["status"] = "graded"
    entry["seconds"] = round(outcome.seconds + time.perf_counter() - start, 3)
    entry["sandbox"] = outcome.mode


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
