"""Similarity flags: a renamed, re-commented, reordered copy is flagged; two independently
written correct solutions are not; untouched starter notebooks are not; the threshold holds."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from d2l_opt.grading import grader, similarity
from d2l_opt.grading.__main__ import main as cli
from d2l_opt.grading.notebook import HIDDEN_TAG, tags

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"

# Two students' own Adagrad answers: one loop-based, one written around a helper and cumsum.
ANN = {
    "def adagrad(": '''def adagrad(grad, x0, lr, eps, steps):
    """Adagrad: accumulate squared gradients, divide the step by their root."""
    x = np.array(x0, dtype=float)
    s = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        g = np.asarray(grad(x), dtype=float)
        s += g * g
        x = x - lr * g / (np.sqrt(s) + eps)
        path.append(x.copy())
    return np.stack(path)
''',
    "def effective_rates(": """def effective_rates(grads, lr, eps):
    g = np.asarray(grads, dtype=float)
    total = np.zeros(g.shape[1])
    rows = []
    for row in g:
        total = total + row**2
        rows.append(lr / (np.sqrt(total) + eps))
    return np.array(rows)
""",
}
BEN = {
    "def adagrad(": """def _one_step(point, accumulated, gradient, rate, floor):
    accumulated = accumulated + np.square(gradient)
    return point - rate * gradient / (floor + accumulated ** 0.5), accumulated


def adagrad(grad, x0, lr, eps, steps):
    iterates = np.empty((steps + 1, len(x0)))
    iterates[0] = x0
    acc = np.zeros(len(x0))
    t = 0
    while t < steps:
        iterates[t + 1], acc = _one_step(iterates[t], acc, np.asarray(grad(iterates[t])), lr, eps)
        t += 1
    return iterates
""",
    "def effective_rates(": """def effective_rates(grads, lr, eps):
    running = np.cumsum(np.asarray(grads, dtype=float) ** 2, axis=0)
    return lr / (eps + np.sqrt(running))
""",
}


def notebook_with(answers: dict[str, str]):
    nb = nbformat.read(MASTERS / "adagrad.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    for start, code in answers.items():
        cell = next(c for c in nb.cells if c.source.startswith(start))
        cell.source = code
    return nb


RENAMES = {"x": "pos", "s": "acc2", "path": "history", "g": "grd", "total": "running_sq",
           "rows": "out_rows", "row": "r", "grads": "gradients"}  # fmt: skip


def disguise(code: str) -> str:
    """Every local name changed, the docstring replaced by a comment, comments added."""
    code = re.sub(r'\n    """.*?"""', "\n    # written from scratch", code, flags=re.S)
    for old, new in RENAMES.items():
        code = re.sub(rf"\b{old}\b", new, code)
    return code.replace(":\n", ":  # step\n", 1) + "# checked by hand\n"


def disguised_copy(answers: dict[str, str]):
    return notebook_with({start: disguise(code) for start, code in answers.items()})


def test_reordered_cells_change_nothing():
    a = ANN["def adagrad("] + "\n\n" + ANN["def effective_rates("]
    b = disguise(ANN["def effective_rates("]) + "\n\n" + disguise(ANN["def adagrad("])
    assert similarity.similarity(a, b) >= 0.8  # the default threshold


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    notebooks = {
        "ann": notebook_with(ANN),
        "ben": notebook_with(BEN),
        "copy": disguised_copy(ANN),
        "blank1": nbformat.read(REPO / "exercises" / "adagrad.ipynb", as_version=4),
        "blank2": nbformat.read(REPO / "exercises" / "adagrad.ipynb", as_version=4),
    }
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    masters = grader.load_masters(MASTERS / "adagrad.ipynb")
    results = grader.grade(sorted(folder.glob("*.ipynb")), masters,
                           grader.GradeOptions(jobs=2, mode="subprocess"))  # fmt: skip
    return folder, masters, results


def pair(pairs, a, b):
    return next(p for p in pairs if {p["a"], p["b"]} == {f"{a}.ipynb", f"{b}.ipynb"})


def test_the_three_answers_are_right(graded):
    _, _, results = graded
    scores = {Path(r["submission"]).stem: r["percent"] for r in results}
    assert scores["ann"] == scores["ben"] == scores["copy"] == 100.0, scores


def test_copy_flagged_independent_solutions_and_blanks_not(graded):
    _, masters, results = graded
    pairs = similarity.similar_pairs(results, masters, threshold=0.8)
    assert pair(pairs, "ann", "copy")["flagged"], pair(pairs, "ann", "copy")
    assert not pair(pairs, "ann", "ben")["flagged"], pair(pairs, "ann", "ben")
    assert not pair(pairs, "blank1", "blank2")["flagged"]  # the starter code is left out
    assert [p for p in pairs if p["flagged"]] == [pair(pairs, "ann", "copy")]


def test_threshold_is_configurable(graded):
    _, masters, results = graded
    share = pair(similarity.similar_pairs(results, masters), "ann", "copy")["similarity"]
    stricter = similarity.similar_pairs(results, masters, threshold=min(1.0, share + 0.01))
    assert share == 1.0 or not pair(stricter, "ann", "copy")["flagged"]
    with pytest.raises(ValueError):
        similarity.similar_pairs(results, masters, threshold=0)


def test_grade_writes_similarity_csv_and_report_section(graded, tmp_path):
    folder, _, _ = graded
    out = tmp_path / "out"
    args = ["grade", str(folder), "--master", str(MASTERS / "adagrad.ipynb"), "--out", str(out),
            "--sandbox", "subprocess", "--progress", "off"]  # fmt: skip
    assert cli(args) == 0
    rows = (out / "similarity.csv").read_text().splitlines()
    assert rows[0] == "exercise,a,b,similarity,flagged" and len(rows) == 1 + 10
    report = (out / "report.md").read_text()
    assert "## Similar submissions" in report and "`copy.ipynb`" in report


def test_grading_without_the_instructors_extra_still_grades(graded, tmp_path, monkeypatch, capsys):
    # copydetect is d2l-opt[grading]: without it `grade` writes every result and says why the
    # similarity report is missing, instead of failing after the grading.
    import sys

    monkeypatch.setitem(sys.modules, "copydetect", None)  # makes `import copydetect` fail
    folder, _, _ = graded
    out = tmp_path / "out"
    args = ["grade", str(folder), "--master", str(MASTERS / "adagrad.ipynb"), "--out", str(out),
            "--sandbox", "subprocess", "--progress", "off"]  # fmt: skip
    assert cli(args) == 0
    err = capsys.readouterr().err
    assert "no similarity report" in err and "d2l-opt[grading]" in err
    assert (out / "report.md").exists() and not (out / "similarity.csv").exists()
    assert "## Similar submissions" not in (out / "report.md").read_text()
