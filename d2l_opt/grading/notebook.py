"""Notebook conventions shared by the master, the student notebook and the grader.

Cell tags (``metadata.tags``):

``question:<key>``
    Starts the section of question ``<key>`` (put it on the question's heading cell). Code cells
    up to the next such tag belong to that question, including cells a student adds. Cells
    before the first question are *setup* and run for every question.
``grader-skip``
    The grader does not run this cell (plots, a learning-rate sweep): keep slow or purely visual
    work there.
``hidden-tests``
    Master only: the grading specification (:mod:`d2l_opt.grading.spec`). Removed from the
    student notebook.
``solution``
    Master only: the whole cell is removed from the student notebook.

Inside code cells of the master, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
become ``# YOUR CODE HERE`` / ``raise NotImplementedError`` (same indentation), and a line
ending in ``# SOLUTION`` such as ``answer = "b"  # SOLUTION`` becomes ``answer = ...``.

Notebook metadata ``d2l_opt.exercise`` names the exercise; the master also has
``d2l_opt.master = true``; ``d2l_opt.lang`` (``"ko"`` in the Korean notebooks) chooses the
language of the grader's feedback.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

__all__ = [
    "HIDDEN_TAG",
    "SKIP_TAG",
    "SOLUTION_TAG",
    "QUESTION_PREFIX",
    "AssignError",
    "assign",
    "exercise_name",
    "language",
    "hidden_source",
    "question_cells",
    "strip_solutions",
    "student_notebook",
]

HIDDEN_TAG = "hidden-tests"
SKIP_TAG = "grader-skip"
SOLUTION_TAG = "solution"
QUESTION_PREFIX = "question:"
BEGIN = re.compile(r"^(\s*)#\s*BEGIN SOLUTION\b.*$")
END = re.compile(r"^\s*#\s*END SOLUTION\b.*$")
INLINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*.*#\s*SOLUTION\s*$")


class AssignError(ValueError):
    """The master notebook is malformed (unbalanced solution markers, ...)."""


def tags(cell) -> list[str]:
    value = cell.get("metadata", {}).get("tags", [])
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace solution regions of one code cell by stubs (see the module docstring)."""
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        if inside:
            if BEGIN.match(line):
                raise AssignError(f"{where}: nested BEGIN SOLUTION")
            if END.match(line):
                inside = False
            continue
        begin = BEGIN.match(line)
        if begin:
            indent = begin.group(1)
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"]
            inside = True
            continue
        if END.match(line):
            raise AssignError(f"{where}: END SOLUTION without BEGIN SOLUTION")
        inline = INLINE.match(line)
        if inline:
            out.append(f"{inline.group(1)}{inline.group(2)} = ...  # YOUR ANSWER HERE")
            continue
        out.append(line)
    if inside:
        raise AssignError(f"{where}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def language(nb) -> str:
    """The language of a notebook's feedback: ``metadata["d2l_opt"]["lang"]`` (``"en"`` or
    ``"ko"``), English when absent or unknown."""
    from ..i18n import DEFAULT_LANGUAGE, LANGUAGES

    meta = nb.get("metadata", {}).get("d2l_opt", {})
    lang = meta.get("lang") if isinstance(meta, dict) else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def exercise_name(nb) -> str | None:
    meta = nb.get("metadata", {}).get("d2l_opt", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    return name if isinstance(name, str) and re.fullmatch(r"[a-z0-9_-]{1,40}", name) else None


def student_notebook(master):
    """The student version of a master notebook (a new object; the master is not changed)."""
    nb = copy.deepcopy(master)
    cells = []
    for index, cell in enumerate(nb.cells):
        cell_tags = tags(cell)
        if HIDDEN_TAG in cell_tags or SOLUTION_TAG in cell_tags:
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where=f"cell {index}")
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    meta = nb.metadata.setdefault("d2l_opt", {})
    meta.pop("master", None)
    nb.metadata.pop("widgets", None)
    return nb


def assign(master_path: str | Path, out_dir: str | Path) -> Path:
    """Write the student notebook for ``master_path`` into ``out_dir`` (same file name)."""
    master_path = Path(master_path)
    master = nbformat.read(master_path, as_version=4)
    if exercise_name(master) is None:
        raise AssignError(f"{master_path}: metadata d2l_opt.exercise is missing")
    nb = student_notebook(master)
    target = Path(out_dir) / master_path.name
    if target.resolve() == master_path.resolve():
        raise AssignError("the student notebook would overwrite its master")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def hidden_source(master) -> str:
    """The grading specification: the master's ``hidden-tests`` cells, in order."""
    return "\n\n".join(c.source for c in master.cells if HIDDEN_TAG in tags(c))


def question_cells(nb, key: str, needs: list[str] | tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """``(notebook cell number, source)`` of the code cells the grader runs for question
    ``key``: setup cells, then the sections of ``needs`` and of ``key``, in notebook order;
    ``grader-skip`` and hidden cells left out. Cell numbers count from 1, all cells."""
    wanted = {None, key, *needs}
    section: str | None = None
    out = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict):
            continue
        cell_tags = tags(cell)
        for tag in cell_tags:
            if tag.startswith(QUESTION_PREFIX):
                section = tag[len(QUESTION_PREFIX) :]
        if cell.get("cell_type") != "code" or SKIP_TAG in cell_tags or HIDDEN_TAG in cell_tags:
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        if section in wanted:
            out.append((number, source))
    return out
