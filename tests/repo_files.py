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
