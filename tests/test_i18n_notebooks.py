"""The committed Korean notebooks run in a fresh kernel and switch the book to Korean.

Their code is the English code (tests/test_i18n.py) plus the language line in the setup cell;
here that line runs: after the setup cell the kernel's language is Korean, and an exercise's
public check answers a wrong solution in Korean.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")
CELL_TIMEOUT_S = 300  # generous for the 2-core CI machine; not a timing assertion


def run(cells: list[str], tmp_path: Path) -> list[str]:
    """Execute ``cells`` in a fresh kernel in ``tmp_path``; the text each cell printed."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    return [
        "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in c.outputs)
        for c in nb.cells
    ]


def cell(nb, cell_id: str) -> str:
    return next(c.source for c in nb.cells if c.get("id") == cell_id)


@pytest.mark.slow
def test_korean_exercise_sets_korean_and_answers_in_korean(tmp_path):
    source = REPO / "ko" / "exercises" / "ewma.ipynb"
    shutil.copy(source, tmp_path / source.name)
    nb = nbformat.read(source, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    wrong = (
        "import numpy as np\n\n\ndef ewma_corrected(xs, beta):\n"
        "    # a common mistake: the leaky average without its bias correction\n"
        "    v, out = 0.0, []\n    for x in xs:\n        v = beta * v + (1 - beta) * x\n"
        "        out.append(v)\n    return np.array(out)"
    )
    printed = run(
        [
            code[0].source,
            "import d2l_opt.i18n\nprint(d2l_opt.i18n.get_language())",
            code[1].source,
            wrong,
            'check("q1")',
        ],
        tmp_path,
    )
    assert printed[1].strip() == "ko"
    feedback = printed[4]
    assert "q1" in feedback
    assert HANGUL.search(feedback), f"the feedback is not Korean: {feedback!r}"
