"""The Gradescope autograder, run in an emulated ``/autograder`` layout: full marks for the
reference solution, 0 for a blank notebook, a tampering payload and a reference cheat, the
mutation named, ``results.json`` valid against the published format, the masters unreadable to
student code (tested as root, as CI runs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from d2l_opt.grading import gradescope
from d2l_opt.grading.notebook import HIDDEN_TAG, tags
from d2l_opt.grading.sandbox import bwrap_path

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"
NAMES = ["ewma", "momentum", "adagrad", "rmsprop", "adam"]
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}

#: results.json as gradescope/autograder_samples docs/specs.md lists its fields.
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
                "required": ["score", "max_score", "name", "status", "visibility"],
                "additionalProperties": False,
            },
        },
        "leaderboard": {"type": "array"},
    },
    "required": ["score", "execution_time", "output", "tests", "stdout_visibility"],
    "additionalProperties": False,
}
MODES = ["subprocess"] + (["bwrap"] if bwrap_path() else [])


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    gradescope._wheel(out)
    return out


@pytest.fixture(scope="module")
def zips(wheel_dir, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setattr(gradescope, "_wheel", lambda _: next(wheel_dir.glob("*.whl")))
    out = tmp_path_factory.mktemp("zips")
    return {n: gradescope.build([MASTERS / f"{n}.ipynb"], out / f"{n}.zip", skip_slow=True)
            for n in NAMES}  # fmt: skip


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def solved(name: str):
    nb = nbformat.read(MASTERS / f"{name}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    return nb


def run_emulated(zip_path: Path, notebook, mode: str) -> tuple[dict, Path]:
    """Unpack as Gradescope does into a fresh root open to others (so that only the
    autograder's own protection keeps the masters unreadable), then run ``run_autograder``."""
    root = Path(tempfile.mkdtemp(prefix="autograder-"))
    root.chmod(0o755)
    gradescope.unpack(zip_path, root)
    (root / "source").chmod(0o755)  # run_autograder must close it itself
    (root / "submission").mkdir()
    nbformat.write(notebook, root / "submission" / "notebook.ipynb")
    env = {**os.environ, gradescope.ROOT_ENV: str(root), gradescope.PYTHON_ENV: sys.executable,
           gradescope.SANDBOX_ENV: mode}  # fmt: skip
    done = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(document, RESULTS_SCHEMA)
    return document, root


@pytest.fixture
def cleanup():
    roots: list[Path] = []
    yield roots
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)


def test_zip_layout_follows_the_contract(zips):
    with zipfile.ZipFile(zips["rmsprop"]) as archive:
        names = archive.namelist()
        setup = archive.read("setup.sh").decode()
        mode = archive.getinfo("run_autograder").external_attr >> 16
    assert {"setup.sh", "run_autograder", "config.json", "masters/rmsprop.ipynb"} <= set(names)
    assert mode & 0o111, "run_autograder must be executable"
    wheels = [n for n in names if n.startswith("dist/d2l_opt-") and n.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].split("/")[1] in setup
    assert "bubblewrap" in setup and "torch==" in setup and "chmod -R go-rwx" in setup


def test_the_wheel_in_the_zip_installs_and_imports(zips, tmp_path):
    with zipfile.ZipFile(zips["adam"]) as archive:
        wheel = next(n for n in archive.namelist() if n.endswith(".whl"))
        archive.extract(wheel, tmp_path)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", "--target", str(target), str(tmp_path / wheel)],
                   check=True)  # fmt: skip
    code = "import d2l_opt.grading.gradescope as g; print(g.__file__)"
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=tmp_path)  # fmt: skip
    assert out.stdout.startswith(str(target))


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_gets_full_marks(zips, name, cleanup):
    document, root = run_emulated(zips[name], solved(name), MODES[-1])
    cleanup.append(root)
    assert document["tests"] and all(t["status"] == "passed" for t in document["tests"])
    assert document["score"] == sum(t["max_score"] for t in document["tests"]) > 0
    assert document["output_format"] == "md" and "Isolation:" in document["output"]
    hidden = [t for t in document["tests"] if t["visibility"] != "visible"]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)


def with_adagrad(code: str):
    """The solved Adagrad notebook with ``code`` in place of its ``adagrad`` cell."""
    nb = solved("adagrad")
    next(c for c in nb.cells if c.source.startswith("def adagrad(")).source = code
    return nb


def q1_tests(document: dict) -> list[dict]:
    return [t for t in document["tests"] if t["name"].startswith("q1")]


@pytest.mark.parametrize("mode", MODES)
def test_blank_mutation_tamper_and_cheat(zips, mode, cleanup):
    def graded(name, notebook):
        document, root = run_emulated(zips[name], notebook, mode)
        cleanup.append(root)
        return document

    blank = nbformat.read(REPO / "exercises" / "rmsprop.ipynb", as_version=4)
    assert graded("rmsprop", blank)["score"] == 0

    mutated = solved("rmsprop")
    cell = next(c for c in mutated.cells if "np.sqrt(s + eps)" in c.source)
    cell.source = cell.source.replace("np.sqrt(s + eps)", "(np.sqrt(s) + eps)")
    document = graded("rmsprop", mutated)
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    assert failed and any("ε outside the square root" in t["output"] for t in failed)
    for t in failed:
        if t["visibility"] != "visible":
            assert t["output"].startswith("failed")  # "hidden test N failed" and the mistake

    # tampering: forge a results file, read the masters (the control file next to them is open)
    tamper = with_adagrad(
        "import glob, json, os\n"
        "for d in glob.glob('/autograder*/results') + glob.glob('/tmp/autograder-*/results'):\n"
        "    try:\n        open(d + '/results.json', 'w').write(json.dumps({'score': 100}))\n"
        "    except OSError:\n        pass\n"
        "def adagrad(grad, x0, lr, eps, steps):\n    os._exit(0)\n"
    )
    document = graded("adagrad", tamper)
    q1 = q1_tests(document)
    assert q1 and all(t["score"] == 0 for t in q1)
    assert document["score"] < 100

    cheat = with_adagrad(
        "from d2l_opt.rules import Adagrad\n\n\ndef adagrad(grad, x0, lr, eps, steps):\n"
        "    rule = Adagrad(lr=lr, eps=eps)\n    x = np.array(x0, dtype=float)\n"
        "    state, out = rule.init(x), [x.copy()]\n    for _ in range(steps):\n"
        "        x, state = rule.update(x, np.asarray(grad(x), float), state)\n"
        "        out.append(x.copy())\n    return np.array(out)\n"
    )
    q1 = q1_tests(graded("adagrad", cheat))
    assert all(t["score"] == 0 for t in q1)
    assert "q1 uses d2l_opt.rules" in " ".join(t["output"] for t in q1)


@pytest.mark.skipif(os.geteuid() != 0, reason="the masters are protected from other users")
@pytest.mark.parametrize("mode", MODES)
def test_student_code_cannot_read_the_masters(zips, mode, cleanup):
    """A q2 answer that is right only if it could read a file: the master earns nothing, a
    world-readable control file next to the autograder folder does (the probe works)."""
    from d2l_opt.grading.sandbox import drops_privileges

    if mode == "subprocess" and not drops_privileges():
        pytest.skip("this interpreter lives where an unprivileged uid cannot run it")
    results = {}
    for label in ("master", "control"):
        nb = solved("adagrad")
        cell = next(c for c in nb.cells if c.source.startswith("def effective_rates("))
        cell.source = (
            "import glob\n\n\ndef effective_rates(grads, lr, eps):\n"
            "    for path in glob.glob(PATTERN):\n"
            "        try:\n            open(path, 'rb').read()\n        except OSError:\n"
            "            continue\n"
            "        grads = np.asarray(grads, dtype=float)\n"
            "        return lr / (np.sqrt(np.cumsum(grads**2, axis=0)) + eps)\n"
            "    raise PermissionError(PATTERN)\n"
        )
        root_glob = "/tmp/autograder-*"
        pattern = (f"{root_glob}/source/masters/*.ipynb" if label == "master"
                   else f"{root_glob}/control.txt")  # fmt: skip
        cell.source = f"PATTERN = {pattern!r}\n" + cell.source
        root = Path(tempfile.mkdtemp(prefix="autograder-"))
        cleanup.append(root)
        root.chmod(0o755)
        gradescope.unpack(zips["adagrad"], root)
        (root / "source").chmod(0o755)
        (root / "control.txt").write_text("open to everyone\n")
        (root / "submission").mkdir()
        nbformat.write(nb, root / "submission" / "notebook.ipynb")
        env = {**os.environ, gradescope.ROOT_ENV: str(root), gradescope.PYTHON_ENV: sys.executable,
               gradescope.SANDBOX_ENV: mode}  # fmt: skip
        subprocess.run([str(root / "run_autograder")], env=env, check=True, timeout=300)
        document = json.loads((root / "results" / "results.json").read_text())
        results[label] = sum(t["score"] for t in document["tests"] if t["name"].startswith("q2"))
    if mode == "bwrap":
        assert results["control"] == 0  # bubblewrap masks /tmp itself: nothing to read at all
    else:
        assert results["control"] == 3  # the probe works
    assert results["master"] == 0
