"""Every chapter and exercise notebook runs top to bottom in this environment (the current
ipywidgets 8; tests/test_colab_env.py runs them all again under Colab's ipywidgets 7, each
from a folder outside the repository with the network off).

The chapters: ``make book`` has just executed them (``make test`` builds the book first), so
the build's runs are checked rather than run a second time: its jupyter-cache must hold a run of
this checkout's code with no error output (an exception inside a display hook becomes an error
output without stopping the build). The exercise notebooks, which the book
does not execute, run here in fresh kernels, each from a temporary folder holding only the
notebook, with the network off (see notebook_runner). A notebook passes only with no error
output in any cell.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from notebook_runner import run_notebooks
from repo_files import book_notebooks, book_tool, tracked

REPO = Path(__file__).resolve().parents[1]


def notebooks(*patterns: str) -> list[str]:
    """The tracked notebooks matching ``patterns`` (default: the English chapters and exercises)."""
    return tracked(*patterns) if patterns else book_notebooks()


def assert_ran_cleanly(path: str, result: dict) -> None:
    print(f"{path}: executed in {result['seconds']} s; network: {result['network']}")
    assert result["stopped"] is None, f"{path} stopped:\n{result['stopped']}"
    assert not result["errors"], f"{path}: error outputs {result['errors']}"


def selected_params(request, test_name: str, name: str = "path") -> list:
    """The values of parameter ``name`` of the selected items of ``test_name``, in order: a
    fixture that runs them all at once runs only what ``-k`` or a node id asked for."""
    return [
        item.callspec.params[name]
        for item in request.session.items
        if getattr(item, "originalname", None) == test_name and hasattr(item, "callspec")
    ]


@pytest.mark.parametrize("path", notebooks("chapters/*.ipynb"))
def test_chapter_ran_cleanly_in_the_book_build(path):
    if not (REPO / "_build" / ".jupyter_cache").is_dir():
        missing = "the book is not built: make book executes the chapters"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    # a built book that never ran this code fails: FileNotFoundError names the notebook
    ran = book_tool("i18n").executed_notebook(Path(path))
    errors = [
        (index, output.get("ename"), output.get("evalue"))
        for index, cell in enumerate(ran.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors, f"{path}: error outputs {errors}"
    assert all(c.get("execution_count") for c in ran.cells if c.cell_type == "code" and c.source)


@pytest.fixture(scope="module")
def exercise_runs(request, tmp_path_factory) -> dict[Path, dict]:
    paths = selected_params(request, "test_exercise_notebook_runs_in_a_fresh_kernel")
    workdir = tmp_path_factory.mktemp("exercise-runs")
    return run_notebooks(sys.executable, [REPO / p for p in paths], workdir)


@pytest.mark.slow
@pytest.mark.parametrize("path", notebooks("exercises/*.ipynb"))
def test_exercise_notebook_runs_in_a_fresh_kernel(path, exercise_runs):
    assert_ran_cleanly(path, exercise_runs[REPO / path])
