"""Grading throughput for a class: submissions per minute with ``--jobs 1`` and ``--jobs 2``.

``python bench/bench_grading.py --class 200`` builds a synthetic class over the five exercises
(a cycle of: a correct solution, a blank student notebook, a named mutation, a tampering
payload, a copy of a correct solution with renamed names, a reference cheat that imports
``d2l_opt.rules``), grades it once per job count with the sandbox this machine has, and prints
submissions per minute for each, side by side, with the similarity report's time. The
Fashion-MNIST question is left out of the class (``--fashion K`` times it on its own: K
reference solutions graded on that question only, seconds per submission).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from d2l_opt.grading import grader, similarity
from d2l_opt.grading.notebook import HIDDEN_TAG, tags
from d2l_opt.grading.sandbox import default_mode

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"
EXERCISES = ["ewma", "momentum", "adagrad", "rmsprop", "adam"]
#: One mutation per exercise: (text in the solution, replacement).
MUTATIONS = {
    "ewma": ("v = beta * v + (1 - beta) * x", "v = (1 - beta) * v + beta * x"),
    "momentum": ("return r**2", "return r"),
    "adagrad": ("(np.sqrt(s) + eps)", "np.sqrt(s + eps)"),
    "rmsprop": ("np.sqrt(s + eps)", "(np.sqrt(s) + eps)"),
    "adam": ("(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)"),
}
KINDS = ["correct", "blank", "mutated", "tampered", "copied", "cheat"]


def solved(name: str):
    nb = nbformat.read(MASTERS / f"{name}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    return nb


def first_question_cell(nb):
    start = next(i for i, c in enumerate(nb.cells) if any(t.startswith("question:") for t in
                                                          tags(c)))  # fmt: skip
    return next(c for c in nb.cells[start:] if c.cell_type == "code")


def make(kind: str, name: str, index: int):
    if kind == "blank":
        return nbformat.read(REPO / "exercises" / f"{name}.ipynb", as_version=4)
    nb = solved(name)
    if kind == "mutated":
        old, new = MUTATIONS[name]
        cell = next(c for c in nb.cells if old in c.source)
        cell.source = cell.source.replace(old, new)
    elif kind == "tampered":
        cell = first_question_cell(nb)
        cell.source = (
            "import d2l_opt.grading.spec as spec\nspec.expect_close = lambda *a, **k: None\n"
        )
        cell.source += "raise SystemExit(0)\n"
    elif kind == "copied":
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = re.sub(r"\bout\b", "collected", cell.source) + "\n# my own work"
    elif kind == "cheat":
        cell = first_question_cell(nb)
        cell.source = (
            "from d2l_opt.rules import SGD, Adagrad, Adam, RMSprop  # noqa\n" + cell.source
        )
    nb.cells[-1].source += f"\n# submission {index}"  # every file differs
    return nb


def build_class(folder: Path, size: int) -> list[Path]:
    paths = []
    for i in range(size):
        kind, name = KINDS[i % len(KINDS)], EXERCISES[(i // len(KINDS)) % len(EXERCISES)]
        paths.append(folder / f"{i:04d}-{kind}-{name}.ipynb")
        nbformat.write(make(kind, name, i), paths[-1])
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class", dest="size", type=int, default=200, help="class size")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fashion", type=int, default=0, metavar="K",
                        help="also time the Fashion-MNIST question on K submissions")  # fmt: skip
    args = parser.parse_args()
    masters = grader.load_masters(MASTERS)
    print(f"sandbox: {default_mode()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, class of {args.size}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_class(Path(tmp), args.size)
        rates = {}
        for jobs in args.jobs:
            start = time.perf_counter()
            results = grader.grade(paths, masters, grader.GradeOptions(skip_slow=True, jobs=jobs))
            seconds = time.perf_counter() - start
            rates[jobs] = 60.0 * len(paths) / seconds
            full = sum(r["percent"] == 100.0 for r in results)
            print(f"--jobs {jobs}: {seconds:7.1f} s, {rates[jobs]:6.1f} submissions per minute "
                  f"({full} at 100 %)")  # fmt: skip
        start = time.perf_counter()
        pairs = similarity.similar_pairs(results, masters)
        flagged = sum(p["flagged"] for p in pairs)
        print(f"similarity: {len(pairs)} pairs in {time.perf_counter() - start:.1f} s, "
              f"{flagged} flagged")  # fmt: skip
        if len(rates) == 2:
            one, two = (rates[j] for j in args.jobs)
            print(f"ratio --jobs {args.jobs[1]} / --jobs {args.jobs[0]}: {two / one:.2f}")
        if args.fashion:
            fashion = [Path(tmp) / f"fashion-{i}.ipynb" for i in range(args.fashion)]
            for i, path in enumerate(fashion):
                nbformat.write(make("correct", "rmsprop", i), path)
            options = grader.GradeOptions(only=["q3"], jobs=1)
            start = time.perf_counter()
            results = grader.grade(fashion, {"rmsprop": masters["rmsprop"]}, options)
            seconds = (time.perf_counter() - start) / len(fashion)
            child = [q["seconds"] for r in results for q in r["questions"] if q["question"] == "q3"]
            print(
                f"Fashion-MNIST question: {seconds:.1f} s per submission "
                f"(child wall {min(child):.1f} to {max(child):.1f} s), scores "
                f"{[r['score'] for r in results]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
