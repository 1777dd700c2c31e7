"""A class-sized run: a grading run that is killed keeps every finished result, and the rerun
grades only what is missing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from d2l_opt.grading.__main__ import main as cli
from d2l_opt.grading.notebook import HIDDEN_TAG, tags

REPO = Path(__file__).resolve().parents[1]
MASTER = REPO / "exercises" / "master" / "ewma.ipynb"


def write_class(folder: Path, size: int) -> list[Path]:
    nb = nbformat.read(MASTER, as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    paths = []
    for i in range(size):
        nb.cells[-1].source = f"# student {i}\n"  # a different file each
        paths.append(folder / f"s{i:02d}.ipynb")
        nbformat.write(nb, paths[-1])
    return paths


def test_killed_run_keeps_finished_results_and_rerun_grades_the_rest(tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    write_class(subs, 6)
    args = ["grade", str(subs), "--master", str(MASTER), "--out", str(out), "--jobs", "1",
            "--sandbox", "subprocess", "--progress", "on"]  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "d2l_opt.grading", *args],
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    graded = out / "graded"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(graded.glob("*.json"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stderr = proc.stderr.read().decode()
    kept = {p: p.stat().st_mtime_ns for p in graded.glob("*.json")}
    assert 2 <= len(kept) < 6, (len(kept), stderr[-2000:])
    assert "submission" in stderr  # the progress bar
    for path in kept:
        json.loads(path.read_text())  # every kept result is whole

    assert cli(args[:-2] + ["--progress", "off"]) == 0
    err = capsys.readouterr().err
    assert f"{len(kept)} submission(s) already graded" in err
    assert f"grading the {6 - len(kept)} missing" in err
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # reused, not regraded
    document = json.loads((out / "results.json").read_text())
    assert [r["percent"] for r in document["submissions"]] == [100.0] * 6
    assert len(list(graded.glob("*.json"))) == 6
