"""Repository rules that keep the book reproducible: clean notebooks, Colab install cells, pins."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from repo_files import tracked

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[1]


def tracked_notebooks() -> list[str]:
    return tracked("*.ipynb")


def chapter_notebooks() -> list[str]:
    return [nb for nb in tracked_notebooks() if nb.startswith(("chapters/", "exercises/"))]


def repository_url() -> str:
    return yaml.safe_load((REPO / "_config.yml").read_text())["repository"]["url"]


def test_there_are_chapter_notebooks():
    assert len([nb for nb in chapter_notebooks() if nb.startswith("chapters/")]) >= 5


@pytest.mark.parametrize("path", tracked_notebooks())
def test_committed_notebook_has_no_outputs(path):
    notebook = nbformat.read(REPO / path, as_version=4)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path}: cells {dirty} carry outputs or execution counts; clear them with "
        "`jupyter nbconvert --clear-output --inplace`"
    )
    assert "widgets" not in notebook.metadata, f"{path}: saved widget state in metadata"


@pytest.mark.parametrize("path", chapter_notebooks())
def test_first_code_cell_installs_the_package_when_missing(path):
    """Colab starts without d2l_opt: the first code cell must install it from the repository."""
    notebook = nbformat.read(REPO / path, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert 'find_spec("d2l_opt") is None' in first.source
    match = re.search(r'%pip install[^\n]*"d2l-opt @ git\+(\S+?)"', first.source)
    assert match, f"{path}: the first code cell does not pip-install d2l-opt"
    assert match.group(1).rstrip("/") == repository_url().rstrip("/")


def test_package_states_lower_bounds_only():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    pinned = [spec for spec in specs if "==" in spec or "~=" in spec]
    assert not pinned, f"exact pins belong in constraints.txt, not the package: {pinned}"
    assert any(spec.startswith("torch>=") for spec in project["dependencies"])


def test_environment_pins_the_cpu_torch():
    lines = (REPO / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in [line.strip() for line in lines]


def test_readme_commands_are_what_ci_runs():
    readme = (REPO / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def test_toc_entries_exist():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    entries = [toc["root"]] + [
        chapter["file"] for part in toc["parts"] for chapter in part["chapters"]
    ]
    missing = [
        entry
        for entry in entries
        if not any((REPO / f"{entry}{suffix}").exists() for suffix in (".md", ".ipynb"))
    ]
    assert not missing
