"""A Gradescope autograder built from master notebooks.

``python -m d2l_opt.grading gradescope exercises/master/rmsprop.ipynb -o autograder.zip`` writes
a zip that follows Gradescope's published contract (gradescope/autograder_samples,
``docs/specs.md``):

* ``setup.sh`` and ``run_autograder`` at the zip's root. Gradescope unpacks the zip into
  ``/autograder/source``, runs ``setup.sh`` once when it builds the image, and runs
  ``run_autograder`` for every submission, which it places in ``/autograder/submission``.
* ``dist/``: the ``d2l_opt`` wheel built from this repository; ``setup.sh`` installs it with
  pinned versions of its dependencies (CPU torch) into ``/autograder/venv``, and bubblewrap
  from apt.
* ``masters/``: the master notebooks; ``data/``: the Fashion-MNIST files when an exercise needs
  them; ``config.json``: the options below.
* The results go to ``/autograder/results/results.json``: ``score``, ``execution_time``,
  ``output`` (Markdown, ``output_format: "md"``), ``stdout_visibility: "hidden"`` and one test
  per grader test (``name``, ``number``, ``score``, ``max_score``, ``status``, ``output``,
  ``visibility``). Public tests are ``visible``; hidden ones get ``hidden_visibility``
  (``after_published`` by default) and say only "hidden test N failed" plus the named mistake.

Isolation. Inside Gradescope's container the grader runs as root and user namespaces may be
unavailable, so bubblewrap may not start. ``run_autograder`` first makes ``/autograder/source``
readable by root only; every child then runs as an unprivileged uid (under bubblewrap where it
starts, else as a plain subprocess), so student code cannot read the masters either way. The
output says which isolation ran.

Testing: ``run_autograder`` honours ``D2L_OPT_AUTOGRADER_ROOT`` (instead of ``/autograder``) and
``D2L_OPT_AUTOGRADER_PYTHON`` (instead of the venv's interpreter), so that tests emulate the
layout in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

__all__ = ["ROOT_ENV", "PYTHON_ENV", "build", "results_document", "run_autograder", "unpack"]

ROOT_ENV = "D2L_OPT_AUTOGRADER_ROOT"
PYTHON_ENV = "D2L_OPT_AUTOGRADER_PYTHON"
SANDBOX_ENV = "D2L_OPT_AUTOGRADER_SANDBOX"  # tests: force "subprocess" or "bwrap"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
#: Distributions installed by setup.sh, pinned to the versions this zip was built and tested with.
PINNED = ("numpy", "nbformat", "matplotlib", "tqdm", "ipywidgets")

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission (see d2l_opt.grading.gradescope).
set -u
root="${D2L_OPT_AUTOGRADER_ROOT:-/autograder}"
python="${D2L_OPT_AUTOGRADER_PYTHON:-$root/venv/bin/python}"
cd "$root" || exit 1
exec "$python" -m d2l_opt.grading.gradescope run "$root"
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \\
    "torch=={torch}"
/autograder/venv/bin/pip install --no-cache-dir {pins}
/autograder/venv/bin/pip install --no-cache-dir --no-deps /autograder/source/dist/{wheel}
# the masters, the wheel and the data are for the grader only
chmod -R go-rwx /autograder/source
"""


# ----------------------------------------------------------------------------------- build


def _repository() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise RuntimeError("build the autograder from a source checkout of the book's repository")
    return root


def _wheel(out_dir: Path) -> Path:
    """Build the ``d2l_opt`` wheel from this repository (no network, no build isolation), from
    a copy of its package files so that setuptools' ``build/`` stays out of the checkout."""
    repo = _repository()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(repo / name, source / name)
        shutil.copytree(repo / "d2l_opt", source / "d2l_opt",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
               "--no-build-isolation", "--wheel-dir", str(out_dir), str(source)]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tmp)
    if done.returncode != 0:
        raise RuntimeError(f"building the d2l_opt wheel failed:\n{done.stderr[-2000:]}")
    wheels = sorted(out_dir.glob("d2l_opt-*.whl"))
    if not wheels:
        raise RuntimeError("pip wheel wrote no d2l_opt wheel")
    return wheels[-1]


def _pins() -> str:
    from importlib import metadata

    return " ".join(f'"{name}=={metadata.version(name)}"' for name in PINNED)


def _torch_version() -> str:
    from importlib import metadata

    return metadata.version("torch").split("+")[0]


def _needs_data(master_path: Path) -> bool:
    from . import grader

    exercise = grader.load_master(master_path).exercise
    text = json.dumps([q.calls for q in exercise.questions.values()])
    return "fashion_mnist" in text


def build(
    masters: list[str | Path],
    out: str | Path = "autograder.zip",
    *,
    hidden_visibility: str = "after_published",
    skip_slow: bool = False,
    jobs: int = 2,
) -> Path:
    """Write the autograder zip for ``masters`` and return its path."""
    from ..data import FILES, find_data_dir
    from . import grader

    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}")
    paths = [Path(m) for m in masters]
    for path in paths:
        grader.load_master(path)  # a broken master fails here, not on Gradescope
    data_dir = None
    if not skip_slow and any(_needs_data(p) for p in paths):
        data_dir = find_data_dir()
        if data_dir is None:
            raise RuntimeError("an exercise needs Fashion-MNIST: set D2L_OPT_DATA to its folder")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    config = {"hidden_visibility": hidden_visibility, "skip_slow": skip_slow, "jobs": jobs}
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _wheel(Path(tmp))
        setup = SETUP_SH.format(torch=_torch_version(), pins=_pins(), wheel=wheel.name)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "setup.sh", setup, executable=True)
            _add(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
            _add(archive, "config.json", json.dumps(config, indent=2) + "\n")
            archive.write(wheel, f"dist/{wheel.name}")
            for path in paths:
                archive.write(path, f"masters/{path.name}")
            if data_dir is not None:
                for spec in FILES:
                    archive.write(data_dir / spec.name, f"data/{spec.name}")
        partial.replace(out)  # never a half-written zip under the final name
    return out


def _add(archive: zipfile.ZipFile, name: str, text: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


# ------------------------------------------------------------------------------------- run


def _submission_file(folder: Path) -> Path | None:
    """The submission Gradescope downloaded: a submission zip, else a notebook."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for suffix in (".zip", ".ipynb"):
        found = [p for p in files if p.suffix == suffix]
        if found:
            return found[0]
    return None


def _isolation(mode: str) -> str:
    from .sandbox import UNPRIVILEGED_UID, drops_privileges

    if os.geteuid() != 0:
        uid = "as the grader's own user"
    elif mode == "bwrap" or drops_privileges():
        uid = f"as the unprivileged uid {UNPRIVILEGED_UID}"
    else:
        uid = "as root (the interpreter is installed where other users cannot read it)"
    if mode == "bwrap":
        return (f"bubblewrap ({uid}; masters, source and other folders masked; no network; "
                "only the allowed libraries present)")  # fmt: skip
    return (f"plain subprocess {uid}, bubblewrap could not start here (user namespaces "
            "unavailable); the masters are readable by root only; a static check of the code "
            "enforces each question's allowed libraries")  # fmt: skip


def results_document(result: dict, hidden_visibility: str, seconds: float) -> dict:
    """Gradescope's ``results.json`` for one graded submission (see the module docstring)."""
    tests = []
    sandbox = result.get("sandbox", "")
    lines = [f"**{result['score']:g} / {result['max_score']:g}** points."]
    if result.get("problem"):
        lines.append(f"\n**Not graded:** {result['problem']}")
    for note in result.get("notes", []):
        lines.append(f"\n- Note: {note}")
    for q in result.get("questions", []):
        if q["status"] == "skipped":
            continue
        head = [f"cell {e['cell']} raised `{e['error']}`" for e in q.get("cell_errors", [])[:3]]
        if q.get("problem"):
            head.insert(0, q["problem"])
        for number, t in enumerate(q["tests"], start=1):
            passed = t["passed"]
            output = t["feedback"]
            if head and not passed:
                output = "\n".join(["- " + h for h in head] + ["", output])
            tests.append(
                {
                    "name": f"{q['question']}: {t['name']}",
                    "number": f"{q['question'].lstrip('q')}.{number}",
                    "score": float(t["points"] if passed else 0.0),
                    "max_score": float(t["points"]),
                    "status": "passed" if passed else "failed",
                    "output": output,
                    "visibility": hidden_visibility if t["hidden"] else "visible",
                }
            )
    if sandbox:
        lines.append(f"\nIsolation: {_isolation(sandbox)}.")
    return {
        "score": float(result["score"]),
        "execution_time": round(seconds, 3),
        "output": "\n".join(lines),
        "output_format": "md",
        "test_output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def run_autograder(root: str | Path) -> int:
    """Grade ``root/submission`` against ``root/source/masters``; write
    ``root/results/results.json``. Returns 0 once a results file is written."""
    from . import grader
    from .sandbox import default_mode

    start = time.perf_counter()
    root = Path(root).resolve()
    source, results = root / "source", root / "results"
    results.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(source, 0o700)  # the children run as another uid: they cannot enter it
    config = json.loads((source / "config.json").read_text())
    visibility = config.get("hidden_visibility", "after_published")
    mode = os.environ.get(SANDBOX_ENV) or default_mode()
    data = source / "data"
    options = grader.GradeOptions(
        mode=mode,
        skip_slow=bool(config.get("skip_slow")),
        jobs=int(config.get("jobs", 2)),
        data_dir=data if data.is_dir() else None,
        masked_dirs=[source, results, root / "submission"],
    )
    submission = _submission_file(root / "submission")
    if submission is None:
        result = {"score": 0.0, "max_score": 0.0, "problem": "no notebook or zip was submitted"}
        document = results_document({**result, "questions": []}, visibility, 0.0)
    else:
        masters = grader.load_masters(source / "masters")
        result = grader.grade([submission], masters, options)[0]
        result.setdefault("sandbox", mode)
        document = results_document(result, visibility, time.perf_counter() - start)
    target = results / "results.json"
    partial = target.with_suffix(".json.part")
    partial.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    partial.replace(target)
    return 0


def unpack(zip_path: str | Path, root: str | Path) -> Path:
    """Unpack an autograder zip into ``root/source`` as Gradescope does; return ``root``."""
    root = Path(root)
    source = root / "source"
    if source.exists():
        shutil.rmtree(source)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(source)
    for name in ("run_autograder", "setup.sh"):
        (source / name).chmod(0o755)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    return root


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "run":
        return run_autograder(argv[2])
    print("usage: python -m d2l_opt.grading.gradescope run ROOT", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
