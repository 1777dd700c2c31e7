"""Answers cannot come from the book's own code: a question's ``allow`` list holds under
bubblewrap (what is not allowed is absent from the sandbox) and, without it, through the static
check; reference solutions keep full marks."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from d2l_opt.grading import allow, grader
from d2l_opt.grading.notebook import HIDDEN_TAG, tags
from d2l_opt.grading.sandbox import bwrap_path

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"
needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap (bwrap) is missing")

LOOP = """
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    for _ in range(steps):
{step}
        out.append(x.copy())
    return np.array(out)
"""
CHEATS = {
    "d2l_opt.rules": "from d2l_opt.rules import Adagrad\n\n\n"
    "def adagrad(grad, x0, lr, eps, steps):\n    rule = Adagrad(lr=lr, eps=eps)\n"
    "    state = rule.init(np.array(x0, dtype=float))"
    + LOOP.format(step="        x, state = rule.update(x, np.asarray(grad(x), float), state)"),
    "torch.optim": "import torch\n\n\ndef adagrad(grad, x0, lr, eps, steps):\n"
    "    w = torch.tensor(np.array(x0, dtype=float), requires_grad=True)\n"
    "    opt = torch.optim.Adagrad([w], lr=lr, eps=eps)"
    + LOOP.format(
        step="        w.grad = torch.tensor(np.asarray(grad(x), float))\n        opt.step()\n"
        "        x = w.detach().numpy().copy()"
    ),
    "sources from disk": "import importlib.util\nimport pathlib\nimport sys\n\n"
    "import d2l_opt.grading\n\n"
    "_path = pathlib.Path(d2l_opt.grading.__file__).parent.parent / 'rules.py'\n"
    "_spec = importlib.util.spec_from_file_location('d2l_opt.copied_rules', _path)\n"
    "_rules = importlib.util.module_from_spec(_spec)\n"
    "sys.modules['d2l_opt.copied_rules'] = _rules\n"
    "_spec.loader.exec_module(_rules)\n\n\n"
    "def adagrad(grad, x0, lr, eps, steps):\n    rule = _rules.Adagrad(lr=lr, eps=eps)\n"
    "    state = rule.init(np.array(x0, dtype=float))"
    + LOOP.format(step="        x, state = rule.update(x, np.asarray(grad(x), float), state)"),
    "__import__": "def adagrad(grad, x0, lr, eps, steps):\n"
    "    rule = __import__('d2l_opt.rules', fromlist=['x']).Adagrad(lr=lr, eps=eps)\n"
    "    state = rule.init(np.array(x0, dtype=float))"
    + LOOP.format(step="        x, state = rule.update(x, np.asarray(grad(x), float), state)"),
}


def solved(name: str):
    nb = nbformat.read(MASTERS / f"{name}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    return nb


def cheat_notebook(code: str):
    nb = solved("adagrad")
    cell = next(c for c in nb.cells if c.source.startswith("def adagrad("))
    cell.source = code
    return nb


@pytest.fixture(scope="module")
def masters():
    return grader.load_masters(MASTERS / "adagrad.ipynb")


def grade_cheats(masters, tmp_path, **options):
    paths = [tmp_path / "reference.ipynb"]
    nbformat.write(solved("adagrad"), paths[0])
    for i, code in enumerate(CHEATS.values()):
        paths.append(tmp_path / f"cheat{i}.ipynb")
        nbformat.write(cheat_notebook(code), paths[-1])
    opts = grader.GradeOptions(jobs=2, only=["q1"], **options)
    results = grader.grade(paths, masters, opts)
    q1 = [next(q for q in r["questions"] if q["question"] == "q1") for r in results]
    return q1[0], dict(zip(CHEATS, q1[1:], strict=True))


def test_the_cheats_work_where_nothing_is_enforced(masters, tmp_path):
    """The control: without the static check and without bubblewrap each cheat earns q1."""
    reference, cheats = grade_cheats(masters, tmp_path, mode="subprocess", static_check=False)
    assert reference["score"] == reference["points"] == 3
    for key, q in cheats.items():
        assert q["score"] == q["points"], (key, json.dumps(q, indent=1, ensure_ascii=False))


def test_static_check_zeroes_the_cheats_with_a_reason(masters, tmp_path):
    reference, cheats = grade_cheats(masters, tmp_path, mode="subprocess")
    assert reference["score"] == 3 and reference["problem"] is None
    for key, q in cheats.items():
        assert q["score"] == 0, key
        assert q["problem"].startswith("q1 uses "), q["problem"]
    assert "q1 uses torch.optim, which this question does not allow" in cheats["torch.optim"][
        "problem"]  # fmt: skip
    assert "d2l_opt.rules" in cheats["d2l_opt.rules"]["problem"]


@needs_bwrap
def test_bubblewrap_alone_leaves_the_references_out_of_reach(masters, tmp_path):
    """With the static check off, the sandbox's file system is what stops every cheat."""
    reference, cheats = grade_cheats(masters, tmp_path, mode="bwrap", static_check=False)
    assert reference["score"] == 3
    for key, q in cheats.items():
        assert q["score"] == 0, (key, q)
        assert q["sandbox"] == "bwrap"
    errors = " ".join(e["error"] for e in cheats["torch.optim"]["cell_errors"])
    assert "not available to this question" in errors
    errors = " ".join(e["error"] for e in cheats["sources from disk"]["cell_errors"])
    assert "FileNotFoundError" in errors


def test_the_childs_view_of_the_package():
    root = REPO / "d2l_opt"
    numpy_only = set(allow.visible_modules(root, ["numpy"]))
    assert {"d2l_opt.grading.child", "d2l_opt.grading.wire", "d2l_opt.problems"} <= numpy_only
    for module in (
        "d2l_opt.rules",
        "d2l_opt.optim",
        "d2l_opt.trajectory",
        "d2l_opt.conventions",
        "d2l_opt.ewma",
        "d2l_opt.grading.mistakes",
        "d2l_opt.grading.public.adagrad",
    ):
        assert module not in numpy_only, module  # fmt: skip
    with_optim = set(allow.visible_modules(root, ["numpy", "torch", "d2l_opt.optim"]))
    assert {"d2l_opt.optim", "d2l_opt.rules"} <= with_optim  # optim needs the rules


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ("import torch", "torch"),
        ("from torch import optim", "torch"),
        ("import d2l_opt as d\nstep = d.rules.Adagrad", "d2l_opt.rules"),
        ("from d2l_opt import Adagrad", "d2l_opt.rules"),
        ("import importlib\nimportlib.import_module('x')", "import_module"),
        ("import sys\nsys.modules['d2l_opt.rules']", "sys.modules"),
        ("text = open('/usr/lib/python3/site-packages/x.py').read()", "read of library files"),
        ("eval('1')", "eval"),
    ],
)
def test_static_check_flags(code, flagged):
    found = allow.scan([code], ["numpy"])
    assert any(flagged in f.reason for f in found), found


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\nfrom d2l_opt.grading import checker, export\ncheck = checker('x')",
        "import importlib.util\nif importlib.util.find_spec('d2l_opt') is None:\n    pass",
        "import matplotlib.pyplot as plt\nfrom d2l_opt.problems import PROBLEMS",
        "def f(x):\n    return np.sqrt(x)  # torch would do too",
    ],
)
def test_static_check_passes_ordinary_cells(code):
    assert allow.scan([code], ["numpy"]) == []


def test_public_check_warns_about_a_reference_cheat(capsys):
    from d2l_opt.grading import checker

    namespace: dict = {}
    exec(compile("import numpy as np\n" + CHEATS["d2l_opt.rules"], "<cell>", "exec"), namespace)
    checker("adagrad")("q1", namespace)
    out = capsys.readouterr().out
    assert "⚠️ q1 uses d2l_opt.rules, which this question does not allow" in out
    assert "✅" in out  # the public checks still run: the answer itself is right


def test_every_master_question_declares_what_it_allows():
    for path in sorted(MASTERS.glob("*.ipynb")):
        exercise = grader.load_master(path).exercise
        for q in exercise.questions.values():
            assert q.allow is not None and "numpy" in q.allow, (path.name, q.name)


def test_the_grader_builds_syntax_trees_one_thread_at_a_time():
    # CPython 3.11 before 3.11.8 shares one AST recursion counter between threads, so the
    # grader's --jobs workers (and a traceback's caret positions, which parse source lines)
    # fail at random unless every syntax tree is built under allow.PARSE_LOCK.
    import ast

    building = {("ast", "parse"), ("ast", "literal_eval"), ("traceback", "format_exc"),
                ("traceback", "format_exception"), ("traceback", "print_exc")}  # fmt: skip
    package = Path(allow.__file__).parent
    unlocked = []
    for path in sorted(package.glob("*.py")):
        if path.name == "child.py":  # runs alone in the sandboxed child, no threads
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node, locked, path=path):
            if isinstance(node, ast.With) and any(
                "PARSE_LOCK" in ast.unparse(item.context_expr) for item in node.items
            ):
                locked = True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                name = (target.id if isinstance(target, ast.Name) else None, node.func.attr)
                if name in building and not locked:
                    unlocked.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
            for child in ast.iter_child_nodes(node):
                visit(child, locked, path)

        visit(tree, False)
    assert unlocked == []
