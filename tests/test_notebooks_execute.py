"""Every chapter and exercise notebook runs top to bottom in a fresh kernel.

Each runs from a temporary folder holding only the notebook, as it would in Colab, so a
notebook that reads a file by a path relative to the repository fails here. The install
cell finds d2l_opt already installed and does nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
# A limit per cell, generous for the 2-core CI machine; it is not a timing assertion.
CELL_TIMEOUT_S = 300


def notebooks() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "chapters/*.ipynb", "exercises/*.ipynb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


@pytest.mark.slow
@pytest.mark.parametrize("path", notebooks())
def test_notebook_runs_in_a_fresh_kernel(path, tmp_path):
    source = REPO / path
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    notebook = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    print(f"{path}: executed in {elapsed:.1f} s")
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
