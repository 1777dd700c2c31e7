"""Time a clean build of the English book alone against a clean build of both editions.

One run: a clean English build (executes every notebook) into a temporary folder, then the
Korean edition from that build's executed notebooks (no execution), as `make book` does. Prints
the English-only time, the time of both editions and their ratio (target: at most 1.5).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def _i18n_tool():
    spec = importlib.util.spec_from_file_location("book_i18n", REPO / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> None:
    if not (REPO / "_extra" / "vendor").is_dir():
        sys.exit("run `make book` once first: the vendored front-end assets are missing")
    i18n = _i18n_tool()
    output = Path(tempfile.mkdtemp(prefix="book-bench-"))
    quiet = ["-W", "-n", "-q"]
    try:
        start = time.perf_counter()
        subprocess.run(
            [str(JUPYTER_BOOK), "build", str(REPO), "--path-output", str(output), *quiet],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        english = time.perf_counter() - start
        start = time.perf_counter()
        i18n.book(flags=quiet, build_dir=output / "_build", quiet=True)
        korean = time.perf_counter() - start
    finally:
        shutil.rmtree(output, ignore_errors=True)
    both = english + korean
    print(f"clean build, English only:        {english:8.2f} s")
    print(f"Korean edition from its outputs:  {korean:8.2f} s")
    print(f"clean build, both editions:       {both:8.2f} s")
    print(f"both / English only:              {both / english:8.2f} x  (target <= 1.5)")


if __name__ == "__main__":
    main()
