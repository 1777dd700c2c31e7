"""The notebook runner catches what it promises to: display-hook errors and network use."""

from __future__ import annotations

import sys

import nbformat
import pytest
from notebook_runner import run_notebook


def run_cells(tmp_path, *sources: str, namespace=None) -> dict:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "source" / "probe.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    return run_notebook(sys.executable, path, tmp_path / "run", namespace=namespace)


@pytest.mark.slow
def test_an_error_in_a_display_hook_is_reported(tmp_path):
    # IPython 7 shows the traceback as an error output and runs on; newer kernels stop there
    result = run_cells(
        tmp_path,
        "class Broken:\n"
        "    def _repr_mimebundle_(self, include=None, exclude=None):\n"
        "        raise AttributeError('no view')\n"
        "Broken()",
    )
    assert [(e["cell"], e["ename"], e["evalue"]) for e in result["errors"]] == [
        (0, "AttributeError", "no view")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("namespace", [None, False], ids=["best-available", "socket-guard"])
def test_the_network_is_off(tmp_path, namespace):
    result = run_cells(
        tmp_path,
        "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=5)",
        "print('not reached')",
        namespace=namespace,
    )
    (error,) = result["errors"]
    assert error["cell"] == 0 and error["ename"] in ("OSError", "ConnectionRefusedError")
    assert result["stopped"] is not None
    assert "timed out" not in error["evalue"]  # refused at once, not left to time out
