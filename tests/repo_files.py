"""The files git tracks in this checkout, for the tests that check every notebook or file."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tracked(*patterns: str) -> list[str]:
    """``git ls-files PATTERNS``: the tracked paths matching them, relative to the repository."""
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line]


def book_notebooks() -> list[str]:
    """The tracked notebooks under chapters/ and exercises/ (the masters included)."""
    return tracked("chapters/*.ipynb", "exercises/*.ipynb")


def book_tool(name: str):
    """The module ``tools/<name>.py``, loaded by path as ``book_<name>``: a plain ``import
    i18n`` would find the repository's ``i18n/`` folder (the translations) instead."""
    import importlib.util
    import sys

    module_name = f"book_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
