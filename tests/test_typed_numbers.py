"""No computed number is typed into a chapter's prose: it reaches the text through glue.

A chapter's markdown may not contain a decimal number with three or more significant digits
(``3.16``, ``0.150``, ``4603``, ``22,500``) unless it is pasted by MyST-NB's glue role
(``{glue:text}`key:.2f```, see :mod:`d2l_opt.glue`) or is a constant of the setting on the
short, reviewed list :data:`ALLOWED` below. Numbers with fewer significant digits (``0.9``,
``2000``, ``1e-8``) are settings or round figures and pass. Code (inline or fenced), cross
references, citations and link targets are not prose and are skipped.

To cover another edition, add its notebooks' glob to :data:`NOTEBOOK_GLOBS`.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]

#: Chapter notebooks whose markdown is checked (a translated edition: one more line).
NOTEBOOK_GLOBS = (
    "chapters/*.ipynb",
    "ko/chapters/*.ipynb",
)

#: Constants of the setting that may stay typed, each with the reason it is not computed.
ALLOWED = {
    "0.999": "Adam's default beta_2 (and the gamma of the Rosenbrock run)",
    "128": "the mini-batch size of the Fashion-MNIST experiments",
    "256": "the hidden-layer width of the fast Fashion-MNIST recipe",
    "1024": "the mini-batch size of the fast Fashion-MNIST recipe",
    "784": "the pixels of one Fashion-MNIST image, 28 x 28",
    "2.30": "ln 10, the cross-entropy of a uniform guess over ten classes",
    "625": "the displayed product 5^7 * 2 * 4 = 625,000 (the explorer's grid size)",
    "0.002": "the rarest feature frequency of the Adagrad sparse-regression setting",
}

_SKIPPED = [
    re.compile(r"```.*?```", re.S),  # fenced code (also ```{note} fences: their text is kept below)
    re.compile(r"\{glue(?::\w+)?\}`[^`]*`"),  # glued values
    re.compile(r"\{(?:cite|eq|numref|ref|doc|download)(?::\w+)?\}`[^`]*`"),  # references
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>\n]+>"),  # HTML tags and autolinks
]
_ADMONITION = re.compile(r"```\{\w+\}[^\n]*\n(.*?)```", re.S)  # keep the prose of notes
# a number not glued to a preceding word character, digit or dot (so x1, w_1, 1.2.3 are skipped)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE][-+]?\d+)?")


def significant_digits(integer_part: str, fraction: str | None) -> int:
    """Significant digits of a decimal number as written (``0.150`` has 3, ``2000`` has 1).

    >>> pairs = [("3", ".16"), ("0", ".05"), ("2000", None), ("4603", None)]
    >>> [significant_digits(*pair) for pair in pairs]
    [3, 1, 1, 4]
    """
    digits = integer_part.replace(",", "") + (fraction or "").lstrip(".")
    digits = digits.lstrip("0")
    if not fraction:
        digits = digits.rstrip("0")
    return len(digits)


def prose(markdown: str) -> str:
    """The markdown with code, glue roles, references and link targets removed."""
    markdown = _ADMONITION.sub(lambda m: "\n" + m.group(1) + "\n", markdown)
    for pattern in _SKIPPED:
        markdown = pattern.sub(" ", markdown)
    return markdown


def typed_numbers(source, allowed=ALLOWED) -> list[tuple[str, str]]:
    """Return ``(cell id, number)`` for each typed number with 3+ significant digits.

    ``source`` is a notebook path, a notebook or a list of cells.
    """
    if isinstance(source, (str, Path)):
        source = nbformat.read(source, as_version=4)
    cells = source.cells if hasattr(source, "cells") else source
    found = []
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for match in _NUMBER.finditer(prose(text)):
            number = match.group(0)
            if number in allowed:
                continue
            if significant_digits(match.group(1), match.group(2)) >= 3:
                found.append((cell.get("id", "?"), number))
    return found


def chapter_notebooks() -> list[Path]:
    return sorted(path for pattern in NOTEBOOK_GLOBS for path in REPO.glob(pattern))


def test_there_are_chapters_to_check():
    assert len(chapter_notebooks()) >= 5


@pytest.mark.parametrize("path", chapter_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_typed_computed_numbers(path):
    found = typed_numbers(path)
    assert not found, (
        f"{path.name}: typed numbers with 3+ significant digits (glue them from the cell that "
        f"computes them, or add a constant of the setting to ALLOWED with its reason): {found}"
    )


# ---- the test of the test -----------------------------------------------------------------


def _chapter(*markdown: str):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    for i, text in enumerate(markdown):
        cell = nbformat.v4.new_markdown_cell(text)
        cell["id"] = f"md-{i}"
        notebook.cells.append(cell)
    return notebook


def test_a_typed_computed_number_is_found(tmp_path):
    path = tmp_path / "synthetic.ipynb"
    nbformat.write(
        _chapter(
            "Plain RMSProp's first step is $\\eta/\\sqrt{1-\\gamma} \\approx 3.2\\eta$.",
            "The flat coordinate cycles at $|w_1| = 0.150$, after 4603 steps, or 22,500 runs.",
        ),
        path,
    )
    assert typed_numbers(path) == [("md-1", "0.150"), ("md-1", "4603"), ("md-1", "22,500")]


def test_glued_allowed_round_and_code_numbers_pass():
    notebook = _chapter(
        "The step is {glue:text}`first_step:.2f` $\\eta$ ({glue:text}`share:.1%` of weights).",
        "Settings: $\\eta = 0.4$, $\\gamma = 0.9$, 2000 iterations, $\\epsilon = 10^{-8}$, 1e-6,"
        " batches of 128, $\\beta_2 = 0.999$, see {cite}`kingma2015adam` and {eq}`eq-123`.",
        "Code is not prose: `RMSprop(lr=0.0123)`, and neither is [a link](page.ipynb#s-3.141).",
        "```python\nx = 3.14159\n```\nNames like x123 or w_1.25 are not numbers.",
    )
    assert typed_numbers(notebook) == []


def test_notes_are_prose_too():
    notebook = _chapter("```{note}\nThe half-life is 6.58 steps.\n```")
    assert typed_numbers(notebook) == [("md-0", "6.58")]
    assert typed_numbers(notebook, allowed={"6.58": "test"}) == []
