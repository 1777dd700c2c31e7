"""Every chapter and exercise notebook runs top to bottom in a fresh kernel (this environment:
the current ipywidgets 8; tests/test_colab_env.py does the same under Colab's ipywidgets 7).

Each runs from a temporary folder holding only the notebook, as it would in Colab, so a
notebook that reads a file by a path relative to the repository fails here; and with the
network off (see notebook_runner). The install cell finds d2l_opt already installed and does
nothing. A notebook passes only with no error output in any cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from notebook_runner import run_notebook
from repo_files import book_notebooks, tracked

REPO = Path(__file__).resolve().parents[1]


def notebooks(*patterns: str) -> list[str]:
    """The tracked notebooks matching ``patterns`` (default: the English chapters and exercises)."""
    return tracked(*patterns) if patterns else book_notebooks()


def assert_ran_cleanly(path: str, result: dict) -> None:
    print(f"{path}: executed in {result['seconds']} s; network: {result['network']}")
    assert result["stopped"] is None, f"{path} stopped:\n{result['stopped']}"
    assert not result["errors"], f"{path}: error outputs {result['errors']}"


@pytest.mark.slow
@pytest.mark.parametrize("path", notebooks())
def test_notebook_runs_in_a_fresh_kernel(path, tmp_path):
    assert_ran_cleanly(path, run_notebook(sys.executable, REPO / path, tmp_path))
