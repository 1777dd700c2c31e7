"""The declared floors work: the package's dependencies at their lowest allowed versions.

``constraints/lowest-direct.txt`` is what ``uv pip compile --resolution lowest-direct`` gives
for the [project] dependencies (``python tools/envs.py lock``); ``make test`` builds that
environment (``tools/envs.py``, cached outside the clone) with the local CPU torch and the test
tools. The package tests and one chapter run there, with the package installed from this
checkout (editable, as in the main environment).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_runner import run_notebook
from test_colab_env import built_python, installed, pinned
from test_notebooks_execute import assert_ran_cleanly

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import envs  # noqa: E402

LOCK = REPO / "constraints" / "lowest-direct.txt"
# The tests of this environment and of the others, the browser and slow tests and the notebooks
# (one chapter runs below) stay out of the package tests.
NOT_PACKAGE_TESTS = [
    "test_colab_env.py",
    "test_lowest_floors.py",
    "test_notebooks_execute.py",
    # the book's tools (polib, Sphinx), not the package
    "test_i18n.py",
    "test_i18n_book.py",
    # the instructors' extra (copydetect), not the package's dependencies
    "test_grading_similarity.py",
]
CHAPTER = "chapters/momentum.ipynb"  # a live figure, torch and the trajectory runner


def floors() -> dict[str, str]:
    out = {}
    for spec in envs.declared_dependencies():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)>=([0-9][0-9.]*)", spec.strip())
        assert match, f"{spec!r}: a dependency states one lower bound, nothing else"
        out[match.group(1).lower()] = match.group(2)
    return out


def same_version(a: str, b: str) -> bool:
    def key(v):
        parts = [int(p) for p in v.split(".")]
        while parts and parts[-1] == 0:
            parts.pop()
        return parts

    return key(a) == key(b)


def test_the_lock_pins_every_direct_dependency_at_its_floor():
    locked = pinned(LOCK)
    for name, floor in floors().items():
        if name == "torch":  # the local CPU wheel, constraints.txt
            continue
        assert name in locked, f"{name} is not in {LOCK.name}: python tools/envs.py lock"
        assert same_version(locked[name], floor), (
            f"{name}: the lock has {locked[name]}, the floor is {floor}; either the floor "
            "does not install here (raise it, saying why) or the lock is stale "
            "(python tools/envs.py lock)"
        )


@pytest.fixture(scope="session")
def lowest() -> Path:
    python = built_python("lowest", "the lowest-direct environment")
    # d2l_opt from this checkout (editable), as in the main environment: the grader's tests
    # expect the checkout to be the package's home. The wheel is tested in the Colab-like one.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["--no-deps", "--no-index", "--no-build-isolation", "--editable", str(REPO)],
        check=True,
    )
    return python


def checkout_env() -> dict:
    return dict(os.environ, PYTHONNOUSERSITE="1")


def test_the_environment_has_the_floors(lowest):
    have = installed(lowest)
    for name, floor in floors().items():
        if name != "torch":
            assert same_version(have[name], floor), (name, have[name], floor)
    assert have["torch"].startswith("2.13.0")


@pytest.mark.slow
def test_package_tests_pass_at_the_floors(lowest):
    ignore = [f"--ignore=tests/{name}" for name in NOT_PACKAGE_TESTS]
    done = subprocess.run(
        [str(lowest), "-m", "pytest", "-q", "-p", "no:cacheprovider", *ignore]
        + ["-m", "not browser and not slow", "tests"],
        cwd=REPO,
        env=checkout_env(),
        capture_output=True,
        text=True,
    )
    print(done.stdout[-3000:])
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-3000:]


@pytest.mark.slow
def test_a_chapter_runs_at_the_floors(lowest, tmp_path):
    result = run_notebook(lowest, REPO / CHAPTER, tmp_path, env=checkout_env())
    assert_ran_cleanly(CHAPTER, result)
