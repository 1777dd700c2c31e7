"""The static (kernel-free) figures in headless Chromium, with no network.

A standalone page made of several figures' ``to_html()`` is served on loopback; the test moves
sliders the way a reader does (setting the value and dispatching ``input``/``change`` events) and
reads what was drawn from the SVG's data attributes (``data-trajectory`` is JSON of the raw
iterates), independently of pixels. Expected values come from :mod:`d2l_opt` in Python.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import PageVisit, serve_directory
from explorer_reference import expected_trajectory

from d2l_opt import ewma, problems, rules, theory, trajectory, widgets

pytestmark = pytest.mark.browser

TOL = 1e-9


def drawn(page, root: str, name: str) -> np.ndarray | None:
    """The raw iterates a polyline carries, or None if it is hidden."""
    raw = page.evaluate(
        """([root, name]) => {
            const sel = `${root} polyline.as-trajectory[data-optimizer="${name}"]`;
            const line = document.querySelector(sel);
            if (!line || line.getAttribute("display") === "none") return null;
            return line.getAttribute("data-trajectory");
        }""",
        [root, name],
    )
    if raw is None:
        return None
    return np.array([[np.nan if v is None else v for v in p] for p in json.loads(raw)], float)


def assert_matches(got: np.ndarray, want: np.ndarray, label: str = "") -> None:
    assert got.shape == want.shape, label
    assert (np.isfinite(got) == np.isfinite(want)).all(), label
    both = np.isfinite(want)
    scaled = np.abs(got[both] - want[both]) / np.maximum(1.0, np.abs(want[both]))
    assert scaled.max(initial=0.0) <= TOL, f"{label}: deviation {scaled.max():.3g}"


def settings_of(page, root: str) -> dict:
    return json.loads(page.get_attribute(root, "data-settings"))


def move(page, root: str, key: str, position) -> str:
    """Move a control like a reader: set its value, dispatch input and change events.

    Returns the exact value the figure now uses (``data-value``; a log slider's position is
    the base-10 exponent)."""
    return page.evaluate(
        """([root, key, position]) => {
            const input = document.querySelector(`${root} [data-control="${key}"]`);
            if (input.type === "checkbox") input.checked = position;
            else input.value = String(position);
            input.dispatchEvent(new Event("input", { bubbles: true }));
            input.dispatchEvent(new Event("change", { bubbles: true }));
            return input.getAttribute("data-value");
        }""",
        [root, key, position],
    )


def toggle_optimizer(page, root: str, name: str, on: bool) -> None:
    page.evaluate(
        """([root, name, on]) => {
            const sel = `${root} [data-control="optimizers"] input[data-option="${name}"]`;
            const box = document.querySelector(sel);
            box.checked = on;
            box.dispatchEvent(new Event("change", { bubbles: true }));
        }""",
        [root, name, on],
    )


@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    """Serve a page with two explorers, an EWMA explorer and an eigen-view on loopback."""
    folder = tmp_path_factory.mktemp("static-widgets")
    figures = [
        widgets.trajectory_explorer("anisotropic", ("SGD", "Momentum"), lr=0.05, steps=50),
        widgets.trajectory_explorer(
            "rosenbrock", ("Momentum", "Adam"), lr=0.002, x0=(-1.5, 2.0), steps=150
        ),
        widgets.ewma_explorer(beta=0.9, steps=40, seed=1),
        widgets.momentum_eigen_view(lr=0.1, momentum=0.9),
    ]
    (folder / "index.html").write_text(widgets.standalone_page(*figures), encoding="utf-8")

    with serve_directory(folder) as url:
        yield {"url": f"{url}/index.html", "figures": figures}


@pytest.fixture
def page_visit(browser, static_site):
    visit = PageVisit(browser, static_site["url"])
    visit.page.wait_for_function(
        "document.querySelectorAll('.as-figure[data-ready=\"true\"]').length === 4"
    )
    yield visit
    assert visit.external_requests == [], "the static figures must not touch the network"
    assert visit.console_errors == []
    visit.close()


def figure_ids(page, kind: str) -> list[str]:
    ids = page.eval_on_selector_all(f'.as-figure[data-kind="{kind}"]', "els => els.map(e => e.id)")
    return [f"#{i}" for i in ids]


def test_initial_drawing_is_d2l_opt(page_visit):
    page = page_visit.page
    for root in figure_ids(page, "trajectory"):
        s = settings_of(page, root)
        for name in widgets.OPTIMIZERS:
            got = drawn(page, root, name)
            if name in s["optimizers"]:
                assert_matches(got, expected_trajectory(s, name), f"{root} {name}")
            else:
                assert got is None


def test_learning_rate_slider_redraws_the_right_trajectory(page_visit):
    page = page_visit.page
    root = figure_ids(page, "trajectory")[0]
    before = drawn(page, root, "Momentum")
    redraws = int(page.get_attribute(root, "data-redraws"))
    value = move(page, root, "lr", -1.4)  # log slider: eta = 10^-1.4
    lr = float(value)
    assert math.isclose(lr, 10**-1.4, rel_tol=1e-12)
    assert int(page.get_attribute(root, "data-redraws")) == redraws + 1
    after = drawn(page, root, "Momentum")
    assert not np.allclose(after, before), "the trajectory did not change"
    s = settings_of(page, root)
    assert s["lr"] == lr and s["problem"] == "anisotropic" and s["steps"] == 50
    want = trajectory.run(rules.SGD(lr=lr, momentum=0.9), problems.ANISOTROPIC, [-1.0, 1.0], 50)
    assert_matches(after, want, "Momentum after the lr slider")
    assert_matches(drawn(page, root, "SGD"), expected_trajectory(s, "SGD"), "SGD")
    # the readout shows the new value too
    readout = page.inner_text(f'{root} .as-control[data-key="lr"] output')
    assert readout == "0.0398"


@pytest.mark.parametrize(
    ("key", "position"),
    [
        ("momentum", 0.5),
        ("steps", 120),
        ("theta", 40),
        ("x0_1", 1.25),
        ("x0_2", -0.75),
        ("problem", "d2l"),
        ("problem", "rosenbrock"),
    ],
)
def test_each_control_redraws_what_d2l_opt_computes(page_visit, key, position):
    page = page_visit.page
    root = figure_ids(page, "trajectory")[0]
    old = drawn(page, root, "Momentum")
    move(page, root, key, position)
    s = settings_of(page, root)
    if key == "theta":
        assert s["theta"] == math.radians(40)
    for name in ("SGD", "Momentum"):
        got = drawn(page, root, name)
        assert_matches(got, expected_trajectory(s, name), f"{name} after {key}")
    assert old.shape != got.shape or not np.allclose(old, got, equal_nan=True)


def test_adaptive_optimizers_and_eps_placement(page_visit):
    page = page_visit.page
    root = figure_ids(page, "trajectory")[0]
    for name in ("Nesterov", "Adagrad", "RMSProp", "Adam"):
        toggle_optimizer(page, root, name, True)
    toggle_optimizer(page, root, "SGD", False)
    move(page, root, "eps", -3)
    move(page, root, "eps_inside_sqrt", "true")
    move(page, root, "alpha", 0.8)
    move(page, root, "beta1", 0.7)
    move(page, root, "beta2", 0.95)
    s = settings_of(page, root)
    assert s["eps_inside_sqrt"] is True and s["eps"] == 10**-3.0
    assert s["optimizers"] == ["Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"]
    assert drawn(page, root, "SGD") is None
    for name in s["optimizers"]:
        assert_matches(drawn(page, root, name), expected_trajectory(s, name), name)
    # the legend lists what is drawn
    legend = page.eval_on_selector_all(
        f"{root} .as-legend text", "els => els.map(e => e.textContent)"
    )
    assert legend == s["optimizers"]


def test_clicking_the_contour_plot_moves_the_start(page_visit):
    page = page_visit.page
    root = figure_ids(page, "trajectory")[0]
    box = page.locator(f"{root} .as-plot-bg").first.bounding_box()
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    s = settings_of(page, root)
    # window [-1.5, 1.5]^2: three quarters across and a quarter down is about (0.75, 0.75)
    assert abs(s["x0"][0] - 0.75) < 0.1 and abs(s["x0"][1] - 0.75) < 0.1
    assert_matches(drawn(page, root, "Momentum"), expected_trajectory(s, "Momentum"), "click")
    assert float(page.get_attribute(f'{root} [data-control="x0_1"]', "data-value")) == s["x0"][0]


def test_figures_on_one_page_are_independent(page_visit):
    page = page_visit.page
    first, second = figure_ids(page, "trajectory")
    before_first = drawn(page, first, "Momentum")
    s2 = settings_of(page, second)
    assert s2["problem"] == "rosenbrock" and s2["x0"] == [-1.5, 2.0]
    move(page, second, "beta1", 0.5)
    np.testing.assert_array_equal(drawn(page, first, "Momentum"), before_first)
    s2 = settings_of(page, second)
    assert_matches(drawn(page, second, "Adam"), expected_trajectory(s2, "Adam"), "Adam 2nd")
    # one copy of the module serves every figure; each figure has its own ids
    assert page.evaluate("typeof window.AdaptiveSteps.run") == "function"
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_ewma_explorer_in_the_browser(page_visit, static_site):
    page = page_visit.page
    (root,) = figure_ids(page, "ewma")
    series = static_site["figures"][2].full_series
    for key, position in [("beta", 0.7), ("bias_correction", False), ("steps", 90)]:
        move(page, root, key, position)
        s = settings_of(page, root)
        got = json.loads(page.get_attribute(f"{root} .as-average", "data-ewma"))
        want = ewma.ewma(series[: s["steps"]], s["beta"], bias_correction=s["bias_correction"])
        np.testing.assert_allclose(got, want, rtol=1e-12)
        weights = json.loads(page.get_attribute(f"{root} .as-stems", "data-weights"))
        want_w = ewma.ewma_weights(s["beta"], s["steps"])
        if s["bias_correction"]:
            want_w = want_w / ewma.bias_correction(s["beta"], s["steps"])
        np.testing.assert_allclose(weights, want_w, rtol=1e-12)
    assert s == {"beta": 0.7, "bias_correction": False, "steps": 90}


def test_momentum_eigen_view_in_the_browser(page_visit):
    page = page_visit.page
    (root,) = figure_ids(page, "eigen")
    quadratic = problems.Quadratic(1.0, 8.0)
    for key, position in [("lr", 0.05), ("momentum", 0.3), ("lr", 0.2)]:
        move(page, root, key, position)
        s = settings_of(page, root)
        raw = json.loads(page.get_attribute(f"{root} g.as-coordinates", "data-trajectory"))
        got = np.array([[np.nan if v is None else v for v in p] for p in raw], float)
        want = trajectory.run(
            rules.SGD(lr=s["lr"], momentum=s["momentum"]), quadratic, [1.0, 1.0], s["steps"]
        )
        assert_matches(got, want, f"eigen view after {key}")
        rate = float(page.get_attribute(f"{root} .as-current", "data-rate"))
        want_rate = float(theory.momentum_rate(s["lr"], s["momentum"], [2.0, 16.0]))
        assert math.isclose(rate, want_rate, rel_tol=1e-12)
        for i, lam in enumerate((2.0, 16.0)):
            pairs = json.loads(page.get_attribute(f"{root} .as-roots >> nth={i}", "data-roots"))
            got_roots = np.sort_complex(np.array([complex(*z) for z in pairs]))
            want_roots = np.roots([1.0, -(1 + s["momentum"] - s["lr"] * lam), s["momentum"]])
            np.testing.assert_allclose(got_roots, np.sort_complex(want_roots), atol=1e-9)
    assert s["lr"] == 0.2 and s["momentum"] == 0.3
    # the rate map was drawn (a PNG data URL made in the page, not fetched)
    href = page.get_attribute(f"{root} image.as-heat", "href")
    assert href.startswith("data:image/png;base64,")
