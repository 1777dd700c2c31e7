"""The built book's Momentum chapter: its first trajectory explorer works with no kernel.

Opens ``chapters/momentum.html`` from ``_build/html`` (skipped when the book is not built),
moves the learning-rate slider of the first trajectory explorer on the page and checks the
redrawn iterates against :mod:`d2l_opt`, with no console error and no request off loopback.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from test_static_widgets import assert_matches, drawn, expected_trajectory, move, settings_of

pytestmark = pytest.mark.browser

PAGE = "chapters/momentum.html"
EXPLORER = '.as-figure[data-kind="trajectory"]'


def chapter_uses_the_explorer(repo_root) -> bool:
    notebook = json.loads((repo_root / "chapters" / "momentum.ipynb").read_text())
    return any(
        "trajectory_explorer" in "".join(cell["source"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )


def test_first_trajectory_explorer_on_the_momentum_page(visit, repo_root):
    if not chapter_uses_the_explorer(repo_root):
        pytest.skip("chapters/momentum.ipynb does not call trajectory_explorer yet")
    page_visit = visit(PAGE)
    page = page_visit.page
    if page.locator(EXPLORER).count() == 0:
        pytest.fail(
            f"{PAGE} has no static trajectory explorer although the notebook calls "
            "trajectory_explorer: the book build is stale (run `make book`) or the page shows "
            "another output than text/html (nb_mime_priority_overrides in _config.yml)"
        )
    page.wait_for_selector(f'{EXPLORER}[data-ready="true"]', timeout=20_000)
    root = "#" + page.eval_on_selector(EXPLORER, "el => el.id")  # the first one on the page
    s = settings_of(page, root)
    assert s["optimizers"], "the explorer shows no optimizer"
    name = s["optimizers"][0]
    before = drawn(page, root, name)
    assert_matches(before, expected_trajectory(s, name), f"{name} as built")

    # a learning rate different from the current one, inside the slider's range
    slider = f'{root} [data-control="lr"]'
    low, high = (float(page.get_attribute(slider, attr)) for attr in ("min", "max"))
    current = math.log10(s["lr"])
    position = round(low + 0.3 * (high - low), 2)
    if abs(position - current) < 0.05:
        position = round(low + 0.6 * (high - low), 2)
    lr = float(move(page, root, "lr", position))

    after_settings = settings_of(page, root)
    assert after_settings["lr"] == lr and math.isclose(lr, 10**position, rel_tol=1e-12)
    after = drawn(page, root, name)
    assert after.shape != before.shape or not np.allclose(after, before, equal_nan=True)
    for shown in after_settings["optimizers"]:
        want = expected_trajectory(after_settings, shown)
        assert_matches(drawn(page, root, shown), want, f"{shown} after the lr slider")
    assert page_visit.console_errors == []
    assert page_visit.external_requests == []
