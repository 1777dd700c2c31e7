"""Time a clean build of the book against a rebuild with no source change.

The clean build executes every notebook; the rebuild should find everything in the
jupyter-cache and Sphinx's environment and finish in seconds. Builds go to a temporary
folder so the working copy's _build is untouched. Prints both times and their ratio.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def build(output: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(JUPYTER_BOOK), "build", str(REPO), "--path-output", str(output), "-W", "-n", "-q"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    if not (REPO / "_extra" / "vendor").is_dir():
        sys.exit("run `make book` once first: the vendored front-end assets are missing")
    output = Path(tempfile.mkdtemp(prefix="book-bench-"))
    try:
        clean = build(output)
        rebuild = build(output)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    print(f"clean build (executes notebooks): {clean:8.2f} s")
    print(f"rebuild, no source change:        {rebuild:8.2f} s")
    print(f"clean / rebuild:                  {clean / rebuild:8.1f} x  (target >= 5)")


if __name__ == "__main__":
    main()
