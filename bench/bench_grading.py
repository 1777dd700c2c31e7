"""Time to grade one submission, the Fashion-MNIST training question excluded (target <= 10 s).

Grades the RMSProp reference solution (four questions, three graded here) and a blank student
notebook, each once, with the sandbox this machine has (bubblewrap, else plain subprocesses),
and prints the wall-clock seconds per submission.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat

from d2l_opt.grading import grader
from d2l_opt.grading.notebook import HIDDEN_TAG, tags
from d2l_opt.grading.sandbox import default_mode

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 10.0


def main() -> int:
    masters = grader.load_masters(REPO / "exercises" / "master")
    master = nbformat.read(REPO / "exercises" / "master" / "rmsprop.ipynb", as_version=4)
    master.cells = [c for c in master.cells if HIDDEN_TAG not in tags(c)]
    with tempfile.TemporaryDirectory() as tmp:
        solved = Path(tmp) / "rmsprop-solved.ipynb"
        nbformat.write(master, solved)
        blank = REPO / "exercises" / "rmsprop.ipynb"
        print(f"sandbox: {default_mode()}")
        worst = 0.0
        for label, path in (("reference solution", solved), ("blank notebook", blank)):
            for jobs in (1, 2):
                start = time.perf_counter()
                result = grader.grade_submission(
                    path, masters, grader.GradeOptions(skip_slow=True, jobs=jobs)
                )
                seconds = time.perf_counter() - start
                worst = max(worst, seconds)
                print(
                    f"{label:>18}, {jobs} job(s): {seconds:5.2f} s per submission "
                    f"({result['score']:g} / {result['max_score']:g} points, "
                    f"Fashion-MNIST question skipped)"
                )
    verdict = "within" if worst <= TARGET_S else "OVER"
    print(f"slowest: {worst:.2f} s, {verdict} the {TARGET_S:g} s target")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
