"""What is particular to Colab: the download of a submission, the launch links, no repo layout."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
import yaml
from repo_files import book_notebooks, tracked

from d2l_opt.grading import export

REPO = Path(__file__).resolve().parents[1]

STUB_MESSAGE = """
import json

NOTEBOOK = json.loads({notebook!r})


def blocking_request(request, timeout_sec=None):
    assert request == "get_ipynb"
    return {{"ipynb": NOTEBOOK}}
"""

STUB_FILES = """
downloads = []


def download(filename):
    downloads.append(filename)
"""


@pytest.fixture
def stub_colab(tmp_path, monkeypatch):
    """A ``google.colab`` package on sys.path with the two modules export() uses."""
    notebook = (REPO / "exercises" / "ewma.ipynb").read_text()
    package = tmp_path / "stubs" / "google" / "colab"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_message.py").write_text(STUB_MESSAGE.format(notebook=notebook))
    (package / "files.py").write_text(STUB_FILES)
    import sys

    for name in [name for name in sys.modules if name == "google" or name.startswith("google.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path / "stubs"))
    yield notebook
    for name in [name for name in sys.modules if name == "google" or name.startswith("google.")]:
        sys.modules.pop(name)


def test_export_in_colab_takes_the_open_notebook_and_offers_the_download(
    stub_colab, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    path = export(student="ada")
    from google.colab import files

    assert files.downloads == [str(path)]
    with zipfile.ZipFile(path) as archive:
        sent = json.loads(archive.read("notebook.ipynb"))
        manifest = json.loads(archive.read("manifest.json"))
    assert sent == json.loads(stub_colab)
    assert manifest["exercise"] == "ewma" and manifest["source_name"] == "colab.ipynb"


def test_export_elsewhere_writes_the_file_and_offers_nothing(tmp_path):
    path = export(REPO / "exercises" / "ewma.ipynb", tmp_path / "s.zip")
    assert path.exists()
    with pytest.raises(ImportError):
        from google.colab import files  # noqa: F401


# --- launch links ------------------------------------------------------------------------------


def notebook_sources() -> list[str]:
    """Every notebook a reader can open in Colab: the English ones and the Korean ones (ko/)."""
    return book_notebooks() + tracked("ko/*.ipynb")


COLAB_LINK = re.compile(r'href="(https://colab\.research\.google\.com/[^"]+)"')


def colab_links(page: Path) -> list[str]:
    return sorted(set(COLAB_LINK.findall(page.read_text())))


def notebook_pages() -> list[str]:
    """The table of contents' entries that are notebooks (the pages with a launch button)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    entries = [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    return [f"{entry}.ipynb" for entry in entries if (REPO / f"{entry}.ipynb").exists()]


def test_the_book_has_notebook_pages():
    assert len(notebook_pages()) >= 5
    assert set(notebook_pages()) <= set(notebook_sources())


@pytest.mark.parametrize("source", notebook_pages())
def test_colab_link_opens_this_pages_notebook(source, built_book):
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    repository = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"].get("branch", "main")
    links = colab_links(built_book / Path(source).with_suffix(".html"))
    want = f"https://colab.research.google.com/github/{repository}/blob/{branch}/{source}"
    assert links == [want]


def test_every_colab_link_in_the_book_names_a_notebook_of_the_repository(built_book):
    """Pages from Markdown (the exercises' index) may give Colab URLs in their text."""
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    repository = urlparse(config["repository"]["url"]).path.strip("/")
    prefix = f"https://colab.research.google.com/github/{repository}/blob/"
    tracked = set(notebook_sources())
    seen = 0
    for page in built_book.rglob("*.html"):
        for link in colab_links(page):
            seen += 1
            assert link.startswith(prefix), f"{page.name}: {link}"
            path = link[len(prefix) :].split("/", 1)[1]
            assert path in tracked, f"{page.name}: {link} names no tracked notebook"
    assert seen >= len(notebook_pages())


# --- nothing assumes the repository's layout -----------------------------------------------------

LAYOUT_ASSUMPTIONS = [
    (r"\.\./", "a path up from the notebook's folder"),
    (r"sys\.path\.(insert|append)", "sys.path manipulation"),
    (r"os\.chdir|^\s*%cd\b", "a change of directory"),
    (r"__file__", "__file__"),
    (r"""["'](chapters|exercises|d2l_opt|tests|tools|shared)/""", "a repository path"),
]


@pytest.mark.parametrize("source", notebook_sources())
def test_notebook_code_assumes_no_repository_layout(source):
    notebook = nbformat.read(REPO / source, as_version=4)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for pattern, what in LAYOUT_ASSUMPTIONS:
            for line in cell.source.splitlines():
                if re.search(pattern, line):
                    found.append(f"cell {index}: {what}: {line.strip()}")
    assert not found, "\n".join(found)
