"""Where the tests find the real Fashion-MNIST files (never downloaded in tests).

$D2L_OPT_DATA if set, else ../shared/data/fashion-mnist beside the repository (CI has it there),
else Debian's dataset-fashion-mnist; tests that need the files skip when none of these has them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from d2l_opt import data

REPO = Path(__file__).resolve().parents[1]
NAMES = [spec.name for spec in data.FILES]


def find_source() -> Path | None:
    candidates = [os.environ.get(data.DATA_ENV), REPO.parent / "shared/data/fashion-mnist"]
    for candidate in [*candidates, data.DEBIAN_DIR]:
        if candidate and all((Path(candidate) / name).is_file() for name in NAMES):
            return Path(candidate)
    return None


SOURCE = find_source()
needs_data = pytest.mark.skipif(
    SOURCE is None,
    reason="Fashion-MNIST not found: set D2L_OPT_DATA, put it in ../shared/data/fashion-mnist "
    "or apt-get install dataset-fashion-mnist",
)
