"""The grader: reference solutions score 100 %, blanks 0, mistakes are named, and submissions
that tamper with the grading are scored for what they really achieved."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import socket
import threading
import zipfile
from pathlib import Path

import nbformat
import pytest

from d2l_opt.grading import grader
from d2l_opt.grading.__main__ import main as cli
from d2l_opt.grading.notebook import HIDDEN_TAG, assign, strip_solutions, student_notebook, tags
from d2l_opt.grading.sandbox import Limits, bwrap_path
from d2l_opt.grading.submission import export

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"
NAMES = ["ewma", "momentum", "adagrad", "rmsprop", "adam"]
HAVE_BWRAP = bwrap_path() is not None
needs_bwrap = pytest.mark.skipif(
    not HAVE_BWRAP, reason="bubblewrap (bwrap) is missing: `apt-get install bubblewrap`"
)


@pytest.fixture(scope="module")
def masters():
    return grader.load_masters(MASTERS)


def master_nb(name: str):
    return nbformat.read(MASTERS / f"{name}.ipynb", as_version=4)


def solved_student(name: str):
    """The master without its hidden-tests cells: a student notebook with full solutions."""
    nb = master_nb(name)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    nb.metadata["d2l_opt"].pop("master", None)
    return nb


def write(nb, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def by_question(result: dict) -> dict:
    return {q["question"]: q for q in result["questions"]}


def fast(**changes) -> grader.GradeOptions:
    return grader.GradeOptions(skip_slow=True, jobs=2, **changes)


# ------------------------------------------------------------------------ scores of 100 and 0


def test_every_reference_solution_scores_100_percent(masters, tmp_path):
    paths = [write(solved_student(n), tmp_path / f"{n}.ipynb") for n in NAMES]
    results = grader.grade(paths, masters, fast())
    for result in results:
        assert result["problem"] is None
        assert result["score"] == result["max_score"] > 0, json.dumps(result, indent=1)
        assert result["percent"] == 100.0


@pytest.mark.slow
def test_fashion_mnist_question_tells_right_from_wrong(masters, tmp_path):
    """The reference earns q3; a bad learning rate and a wrong optimizer (Adagrad) do not."""
    good = write(solved_student("rmsprop"), tmp_path / "good.ipynb")
    bad_nb = solved_student("rmsprop")
    wrong_nb = solved_student("rmsprop")
    for cell in bad_nb.cells:
        cell.source = cell.source.replace("best_lr = 1e-3", "best_lr = 1.0")
    for cell in wrong_nb.cells:
        cell.source = cell.source.replace(
            "torch.optim.RMSprop(params", "torch.optim.Adagrad(params"
        )
    bad = write(bad_nb, tmp_path / "bad.ipynb")
    wrong = write(wrong_nb, tmp_path / "wrong.ipynb")
    results = grader.grade([good, bad, wrong], masters, grader.GradeOptions(only=["q3"], jobs=2))
    good_q3, bad_q3, wrong_q3 = (by_question(r)["q3"] for r in results)
    assert good_q3["score"] == good_q3["points"], good_q3
    assert bad_q3["score"] < bad_q3["points"]
    assert any("below" in t["feedback"] for t in bad_q3["tests"])
    assert wrong_q3["score"] < wrong_q3["points"]
    assert any("square_avg" in t["feedback"] for t in wrong_q3["tests"])
    assert any("below" in t["feedback"] for t in wrong_q3["tests"]), wrong_q3


@pytest.mark.parametrize("name", NAMES)
def test_generated_student_notebook_scores_zero(masters, name):
    result = grader.grade_submission(REPO / "exercises" / f"{name}.ipynb", masters, fast())
    assert result["problem"] is None
    assert result["score"] == 0 and result["max_score"] > 0
    feedback = " ".join(t["feedback"] for q in result["questions"] for t in q["tests"])
    assert "not implemented yet" in feedback


def test_blank_corrupt_and_foreign_submissions_score_zero(masters, tmp_path):
    empty = nbformat.v4.new_notebook()
    empty.metadata["d2l_opt"] = {"exercise": "rmsprop"}
    files = {
        "empty": write(empty, tmp_path / "empty.ipynb"),
        "no-cells-no-name": write(nbformat.v4.new_notebook(), tmp_path / "anon.ipynb"),
        "garbage": tmp_path / "garbage.zip",
        "truncated": tmp_path / "truncated.zip",
        "not-json": tmp_path / "text.ipynb",
        "missing": tmp_path / "missing.zip",
    }
    files["garbage"].write_bytes(os.urandom(2000))
    export(REPO / "exercises" / "ewma.ipynb", tmp_path / "ok.zip")
    files["truncated"].write_bytes((tmp_path / "ok.zip").read_bytes()[:300])
    files["not-json"].write_text("{ not a notebook")
    results = grader.grade(list(files.values()), masters, fast())
    assert len(results) == len(files)
    for result in results:
        assert result["score"] == 0
    problems = {Path(r["submission"]).stem: r["problem"] for r in results}
    assert problems["empty"] is None  # graded: every answer missing
    assert "unknown exercise" in problems["anon"]
    assert "cannot read" in problems["missing"]
    assert problems["garbage"] and problems["truncated"] and problems["text"]


# ----------------------------------------------------------------------- named mistakes

MUTATIONS = [
    ("rmsprop", "q1", "np.sqrt(s + eps)", "(np.sqrt(s) + eps)", "ε outside the square root"),
    ("rmsprop", "q1", "(1 - gamma) * g**2", "(1 - gamma) * g", "g instead of g²"),
    ("rmsprop", "q1", "x = x - lr * g / np.sqrt", "x = x + lr * g / np.sqrt", "wrong sign"),
    ("rmsprop", "q1", "s = gamma * s + (1 - gamma) * g**2\n        x = x - lr * g / np.sqrt(s +",
     "s_t = gamma * s + (1 - gamma) * g**2\n        x = x - lr * g / np.sqrt(s_t +",
     "state is not carried"),
    ("rmsprop", "q1", "s = gamma * s + (1 - gamma) * g**2", "s = (1 - gamma) * s + gamma * g**2",
     "β where 1 − β belongs"),
    ("adam", "q1", "m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)",
     "m_hat = m\n    v_hat = v", "missing bias correction"),
    ("adam", "q1", "m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)",
     "m_hat = m / (1 - beta1 ** (t + 1))\n    v_hat = v / (1 - beta2 ** (t + 1))",
     "off-by-one in t"),
    ("adam", "q1", "(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)", "ε inside the square root"),
    ("adam", "q1", "v = beta2 * v + (1 - beta2) * grad**2\n    m_hat",
     "v = beta2 * v + (1 - beta2) * grad\n    m_hat", "g instead of g²"),
    ("adam", "q1", "m = beta1 * m + (1 - beta1) * grad\n    v = beta2 * v + (1 - beta2) * grad**2\n"
     "    m_hat", "m = (1 - beta1) * m + beta1 * grad\n    v = (1 - beta2) * v + beta2 * grad**2"
     "\n    m_hat", "β where 1 − β belongs"),
    ("adam", "q2", "vmax = np.maximum(vmax, v)", "vmax = v", "no running maximum"),
    ("adagrad", "q1", "(np.sqrt(s) + eps)", "np.sqrt(s + eps)", "ε inside the square root"),
    ("adagrad", "q1", "s = s + g**2", "s = g**2", "state is not carried"),
    ("ewma", "q1", "v = beta * v + (1 - beta) * x", "v = (1 - beta) * v + beta * x",
     "β where 1 − β belongs"),
    ("ewma", "q1", "out.append(v / (1 - beta**t))", "out.append(v)", "missing bias correction"),
    ("ewma", "q1", "out.append(v / (1 - beta**t))", "out.append(v / (1 - beta ** (t + 1)))",
     "off-by-one in t"),
    ("momentum", "q1", "v = beta * v + np.asarray(grad(x), dtype=float)",
     "v = beta * v + (1 - beta) * np.asarray(grad(x), dtype=float)", "average form"),
    ("momentum", "q2", "return r**2", "return r", "convergence rate"),
]  # fmt: skip


def test_each_mutation_loses_points_and_the_feedback_names_it(masters, tmp_path):
    paths, expected = [], []
    for i, (name, question, old, new, words) in enumerate(MUTATIONS):
        nb = solved_student(name)
        hits = [c for c in nb.cells if old in c.source]
        assert hits, f"mutation {i}: {old!r} not found in {name}"
        hits[0].source = hits[0].source.replace(old, new)
        paths.append(write(nb, tmp_path / f"m{i:02d}-{name}.ipynb"))
        expected.append((question, words))
    results = grader.grade(paths, masters, fast())
    for result, (question, words), mutation in zip(results, expected, MUTATIONS, strict=True):
        q = by_question(result)[question]
        assert q["score"] < q["points"], mutation
        feedback = " | ".join(t["feedback"] for t in q["tests"])
        assert words in feedback, (mutation, feedback)
        for test in q["tests"]:
            if test["hidden"] and not test["passed"]:
                assert test["feedback"].startswith("failed")  # no inputs, no values


# -------------------------------------------------------------------------------- tamper

STUB_Q1 = """
def rmsprop_trajectory(grad, x0, lr, gamma, eps, steps):
    raise NotImplementedError


def gamma_one_multiplier(eps):
    raise NotImplementedError


answer_q1 = "x"
"""

TAMPER = {
    "sys.exit": "import sys\nsys.exit(0)",
    "os._exit": "import os\nos._exit(0)",
    "SystemExit": "raise SystemExit(0)",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "patch-numpy": "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
    "np.testing.assert_allclose = lambda *a, **k: None",
    "patch-checks": "import d2l_opt.grading.spec as spec\nspec.expect_close = lambda *a, **k: None"
    "\nimport d2l_opt.grading.public as public\npublic.Checker.__call__ = lambda *a, **k: True"
    "\nimport d2l_opt.grading.wire as wire\nwire.encode = lambda v, *a, **k: 'passed'",
    "fake-output": "print('All tests passed! q1: 5/5 (100%)')\nprint(json.dumps({'score': 100}))"
    "\nimport sys\nsys.stderr.write('PASSED\\n')",
    "write-result": "import glob\nfor d in glob.glob('/tmp/*'):\n    try:\n"
    "        open(d + '/result.json', 'w').write('{\"answers\": {\"answer\": \"b\"}}')\n"
    "    except OSError:\n        pass",
    "infinite-loop": "while True:\n    pass",
    "memory": "hog = []\nwhile True:\n    hog.append(bytearray(64 << 20))",
}
BWRAP_ONLY = {
    "fork-bomb": "import os\nwhile True:\n    os.fork()",
    "read-master": "try:\n    open({master!r}).read()\n    answer_q1 = 'b'\nexcept OSError:\n"
    "    answer_q1 = 'x'",
    "read-tests": "try:\n    open({test_file!r}).read()\n    answer_q1 = 'b'\nexcept OSError:\n"
    "    answer_q1 = 'x'",
    "delete-files": "import os, shutil\nfor p in [{master!r}, {test_file!r}]:\n    try:\n"
    "        open(p, 'w').write('')\n    except OSError:\n        pass\n    try:\n"
    "        os.remove(p)\n    except OSError:\n        pass\n"
    "shutil.rmtree({pkg!r}, ignore_errors=True)",
    "network": "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)"
    "\n    answer_q1 = 'b'\nexcept OSError:\n    answer_q1 = 'x'",
}


def tamper_notebook(payload: str):
    nb = solved_student("rmsprop")
    start = next(i for i, c in enumerate(nb.cells) if "question:q1" in tags(c))
    end = next(i for i, c in enumerate(nb.cells) if "question:q2" in tags(c))
    q1_cells = [
        nbformat.v4.new_code_cell("import json\n" + STUB_Q1),
        nbformat.v4.new_code_cell(payload),
        nbformat.v4.new_code_cell('check("q1")'),
    ]
    nb.cells = nb.cells[: start + 1] + q1_cells + nb.cells[end:]
    return nb


@pytest.fixture(scope="module")
def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_tamper(masters, tmp_path, cases: dict, mode: str):
    paths = []
    for key, payload in cases.items():
        paths.append(write(tamper_notebook(payload), tmp_path / f"tamper-{key}.ipynb"))
    watched = paths + [MASTERS / "rmsprop.ipynb", Path(__file__)]
    before = {p: digest(p) for p in watched}
    options = grader.GradeOptions(
        mode=mode,
        only=["q1", "q4"],
        jobs=2,
        limits=Limits(wall_seconds=6, cpu_seconds=10, memory_bytes=2 << 30, processes=64),
    )
    results = grader.grade(paths, masters, options)
    assert {p: digest(p) for p in watched} == before, "a file changed during grading"
    full_q4 = masters["rmsprop"].exercise.questions["q4"].points
    for key, result in zip(cases, results, strict=True):
        q = by_question(result)
        assert q["q1"]["score"] == 0, (key, q["q1"])
        assert q["q4"]["score"] == full_q4, (key, q["q4"])  # the untouched question counts
    out = tmp_path / f"report-{mode}"
    from d2l_opt.grading.report import write_reports

    paths_out = write_reports(results, out)
    assert "Grading report" in paths_out["markdown"].read_text()
    return {key: by_question(r)["q1"] for key, r in zip(cases, results, strict=True)}


@needs_bwrap
def test_tampering_submissions_score_what_they_achieved_in_bwrap(masters, tmp_path, listening_port):
    cases = dict(TAMPER)
    fill = {
        "master": str(MASTERS / "rmsprop.ipynb"),
        "test_file": str(Path(__file__)),
        "pkg": str(REPO / "d2l_opt"),
        "port": listening_port,
    }
    for key, payload in BWRAP_ONLY.items():
        cases[key] = payload.format(**fill)
    q1 = run_tamper(masters, tmp_path, cases, "bwrap")
    assert "time limit" in (q1["infinite-loop"]["problem"] or "")
    assert "before any answer" in (q1["os._exit"]["problem"] or "")
    assert any("SystemExit" in e["error"] for e in q1["sys.exit"]["cell_errors"])
    assert all(q["sandbox"] == "bwrap" for q in q1.values())


def test_tampering_submissions_in_the_subprocess_fallback(masters, tmp_path):
    """Without bubblewrap: resource limits, a wall clock and the trusted comparison remain."""
    q1 = run_tamper(masters, tmp_path, TAMPER, "subprocess")
    assert "time limit" in (q1["infinite-loop"]["problem"] or "")
    assert all(q["sandbox"] == "subprocess" for q in q1.values())


@needs_bwrap
def test_sandbox_hides_the_repository_and_master_and_has_no_network(tmp_path):
    from d2l_opt.grading.sandbox import run_child

    cells = [
        "import os, socket\n"
        f"seen = sorted(os.listdir({str(REPO)!r}))\n"
        f"masters = os.listdir({str(MASTERS)!r})\n"
        "uid = os.getuid()\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    net = 'up'\n"
        "except OSError:\n    net = 'down'\n"
    ]
    calls = [
        {"id": k, "target": f"$value:{k}", "args": [], "kwargs": {}}
        for k in ("seen", "masters", "uid", "net")
    ]
    out = run_child(cells, calls, mode="bwrap", masked_dirs=[MASTERS])
    assert out.problem is None, out
    # only what Python needs, and the empty mount point over the master folder
    assert set(out.answers["seen"]) <= {".venv", "d2l_opt", "exercises"}
    assert out.answers["masters"] == []
    assert out.answers["net"] == "down"
    if os.geteuid() == 0:
        assert out.answers["uid"] != 0


# ------------------------------------------------------------------ assign, export, the CLI


@pytest.mark.parametrize("name", NAMES)
def test_student_notebooks_are_generated_from_their_masters(name, tmp_path):
    target = assign(MASTERS / f"{name}.ipynb", tmp_path)
    committed = REPO / "exercises" / f"{name}.ipynb"
    assert target.read_bytes() == committed.read_bytes(), (
        f"exercises/{name}.ipynb is out of date: run "
        f"`python -m d2l_opt.grading assign exercises/master/{name}.ipynb exercises/`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_student_notebooks_hold_no_solution_and_no_hidden_test(name):
    master = master_nb(name)
    student_text = (REPO / "exercises" / f"{name}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in student_text and "# SOLUTION" not in student_text
    assert HIDDEN_TAG not in student_text and "Exercise(" not in student_text
    assert (
        not nbformat.read(REPO / "exercises" / f"{name}.ipynb", 4).metadata["d2l_opt"].get("master")
    )
    student_lines = {
        line.strip()
        for cell in nbformat.read(REPO / "exercises" / f"{name}.ipynb", 4).cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
    }
    secret = set()
    for cell in master.cells:
        if HIDDEN_TAG in tags(cell):
            secret |= {line.strip() for line in cell.source.splitlines() if "@q" in line}
        elif cell.cell_type == "code":
            kept = set(strip_solutions(cell.source).splitlines())
            secret |= {
                line.strip()
                for line in cell.source.splitlines()
                if line not in kept and len(line.strip()) > 12
            }
    leaked = [line for line in secret if line in student_lines]
    assert not leaked
    package = "\n".join(p.read_text() for p in (REPO / "d2l_opt" / "grading").rglob("*.py"))
    hidden_only = [
        line
        for cell in master.cells
        if HIDDEN_TAG in tags(cell)
        for line in cell.source.splitlines()
        if ("CASES" in line or "SERIES" in line or "POINTS =" in line) and line in package
    ]
    assert not hidden_only


def test_strip_solutions_markers():
    source = (
        "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"
        "ans = 'b'  # SOLUTION"
    )
    assert strip_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError\n"
        "ans = ...  # YOUR ANSWER HERE"
    )
    from d2l_opt.grading.notebook import AssignError

    for broken in ("# BEGIN SOLUTION\nx = 1", "x = 1\n# END SOLUTION"):
        with pytest.raises(AssignError):
            strip_solutions(broken)
    nb = copy.deepcopy(master_nb("ewma"))
    assert len(student_notebook(nb).cells) < len(nb.cells)


def test_cli_export_then_grade_writes_json_markdown_and_csv(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    write(solved_student("adam"), tmp_path / "adam-solved.ipynb")
    assert cli(["export", str(tmp_path / "adam-solved.ipynb"), "-o", str(subs / "ann.zip"),
                "--student", "Ann"]) == 0  # fmt: skip
    assert cli(["export", str(REPO / "exercises" / "adam.ipynb"), "-o", str(subs / "bob.zip"),
                "--student", "Bob"]) == 0  # fmt: skip
    with zipfile.ZipFile(subs / "ann.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["exercise"] == "adam" and len(manifest["sha256"]) == 64
    out = tmp_path / "results"
    assert cli(["grade", str(subs), "--master", str(MASTERS), "--out", str(out)]) == 0
    document = json.loads((out / "results.json").read_text())
    scores = {r["student"]: r["percent"] for r in document["submissions"]}
    assert scores == {"Ann": 100.0, "Bob": 0.0}
    rows = list(csv.DictReader((out / "class.csv").open()))
    assert [r["student"] for r in rows] == ["Ann", "Bob"] and "adam.q1" in rows[0]
    report = (out / "report.md").read_text()
    assert "## Ann — adam" in report and "hidden test 1" in report


def test_edited_submission_is_noted(masters, tmp_path):
    path = export(REPO / "exercises" / "ewma.ipynb", tmp_path / "s.zip")
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.json")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notebook.ipynb", (REPO / "exercises" / "adam.ipynb").read_bytes())
        archive.writestr("manifest.json", manifest)
    result = grader.grade_submission(path, masters, fast())
    assert any("hash" in note for note in result["notes"])
