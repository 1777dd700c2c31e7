"""The built book's figures step by step: playback, the state at step k, dragging, links.

Opens chapter pages of ``_build/html`` on loopback in headless Chromium with every other
request blocked (skipped when the book is not built). What a figure drew is read from its
SVG and data attributes; what it should have drawn comes from :mod:`d2l_opt` (the rules
stepped one update at a time, ``tests/explorer_reference.py``), never from the JS.
"""

from __future__ import annotations

import json
import math
from urllib.parse import quote

import numpy as np
import pytest
from explorer_reference import expected_state, expected_trajectory
from test_static_widgets import assert_matches, drawn, move, settings_of, toggle_optimizer

from d2l_opt import ewma, problems, rules, trajectory

pytestmark = pytest.mark.browser

MOMENTUM_PAGE = "chapters/momentum.html"
EWMA_PAGE = "chapters/ewma.html"
EXPLORER = '.as-figure[data-kind="trajectory"]'
ALL_SIX = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam")


def first_figure(page, kind: str) -> str:
    selector = f'.as-figure[data-kind="{kind}"]'
    if page.locator(selector).count() == 0:
        pytest.fail(f"no {kind} figure on {page.url}: is the book build stale? (`make book`)")
    page.wait_for_selector(f'{selector}[data-ready="true"]', timeout=20_000)
    return "#" + page.eval_on_selector(selector, "el => el.id")


def step_of(page, root: str) -> int:
    return int(page.get_attribute(root, "data-step"))


def scrub(page, root: str, k: int) -> None:
    """Move the step scrubber like a reader (value, then an input event)."""
    page.evaluate(
        """([root, k]) => {
            const s = document.querySelector(`${root} .as-scrubber`);
            s.value = String(k);
            s.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        [root, k],
    )


def marker(page, root: str, name: str) -> dict:
    return page.evaluate(
        """([root, name]) => {
            const dot = document.querySelector(`${root} .as-iterate[data-optimizer="${name}"]`);
            return { point: JSON.parse(dot.getAttribute("data-point")),
                     cx: Number(dot.getAttribute("cx")), cy: Number(dot.getAttribute("cy")),
                     hidden: dot.getAttribute("display") === "none" };
        }""",
        [root, name],
    )


def panel_scale(page, root: str) -> tuple[float, float, dict]:
    """Pixels (SVG units) per data unit of the contour panel, and its box."""
    info = page.evaluate(
        """(root) => {
            const g = document.querySelector(`${root} .as-keypad`);
            const bg = g.querySelector(".as-plot-bg");
            return { xlim: JSON.parse(g.getAttribute("data-xlim")),
                     ylim: JSON.parse(g.getAttribute("data-ylim")),
                     x: Number(bg.getAttribute("x")), y: Number(bg.getAttribute("y")),
                     w: Number(bg.getAttribute("width")), h: Number(bg.getAttribute("height")) };
        }""",
        root,
    )
    sx = info["w"] / (info["xlim"][1] - info["xlim"][0])
    sy = info["h"] / (info["ylim"][1] - info["ylim"][0])
    return sx, sy, info


@pytest.fixture
def momentum_page(visit):
    page_visit = visit(MOMENTUM_PAGE)
    yield page_visit
    assert page_visit.console_errors == []
    assert page_visit.external_requests == []


def test_play_advances_the_step_and_moves_every_marker(momentum_page):
    page = momentum_page.page
    root = first_figure(page, "trajectory")
    s = settings_of(page, root)
    n = s["steps"]
    assert step_of(page, root) == n, "a figure opens showing its whole run"
    scrub(page, root, 0)
    assert step_of(page, root) == 0
    at_start = {name: marker(page, root, name) for name in s["optimizers"]}
    for name in s["optimizers"]:
        assert at_start[name]["point"] == s["x0"]
    page.click(f"{root} .as-play")
    assert page.get_attribute(root, "data-playing") == "true"
    page.wait_for_function(f"document.querySelector('{root}').dataset.step >= 3", timeout=10_000)
    page.click(f"{root} .as-play")  # the same button pauses
    assert page.get_attribute(root, "data-playing") == "false"
    k = step_of(page, root)
    assert 3 <= k <= n
    readout = page.inner_text(f"{root} .as-step-readout")
    assert readout == f"{k} of {n}"
    for name in s["optimizers"]:
        now = marker(page, root, name)
        want = expected_trajectory(s, name)[k]
        np.testing.assert_allclose(now["point"], want, rtol=1e-9, atol=1e-12)
        assert (now["cx"], now["cy"]) != (at_start[name]["cx"], at_start[name]["cy"])
    # the loss panel marks step k: its step line sits at k on the step axis
    line = page.evaluate(
        f"""() => {{
            const l = document.querySelector('{root} .as-step-line');
            const bg = document.querySelectorAll('{root} .as-plot-bg')[1];
            return [Number(l.getAttribute('x1')), Number(bg.getAttribute('x')),
                    Number(bg.getAttribute('width'))];
        }}"""
    )
    assert math.isclose(line[0], line[1] + line[2] * k / n, abs_tol=1e-6)
    # step buttons
    page.click(f"{root} .as-back")
    assert step_of(page, root) == k - 1
    page.click(f"{root} .as-forward")
    page.click(f"{root} .as-forward")
    assert step_of(page, root) == min(k + 1, n)


def test_reduced_motion_slows_playback(momentum_page):
    page = momentum_page.page
    root = first_figure(page, "trajectory")
    page.click(f"{root} .as-play")
    normal = float(page.get_attribute(root, "data-interval"))
    page.click(f"{root} .as-play")
    page.emulate_media(reduced_motion="reduce")
    page.click(f"{root} .as-play")
    reduced = float(page.get_attribute(root, "data-interval"))
    page.click(f"{root} .as-play")
    assert normal < 1000 <= reduced


def test_the_state_drawn_at_step_k_is_d2l_opts(momentum_page):
    page = momentum_page.page
    root = first_figure(page, "trajectory")
    for name in ALL_SIX:
        toggle_optimizer(page, root, name, True)
    s = settings_of(page, root)
    assert s["optimizers"] == list(ALL_SIX)
    k = min(7, s["steps"])
    scrub(page, root, k)
    assert page.inner_text(f"{root} .as-state-title") == f"At step {k}:"
    sx, sy, _ = panel_scale(page, root)
    for name in ALL_SIX:
        x, state, grad = expected_state(s, name, k)
        row = f'{root} .as-state-row[data-optimizer="{name}"]'

        def shown(cls, row=row):
            values = page.eval_on_selector_all(
                f"{row} .{cls} .as-number",
                "els => els.map(e => [Number(e.dataset.value), e.textContent])",
            )
            assert len(values) == 2, cls
            for value, text in values:  # the printed number is the value to 3 digits
                assert math.isclose(float(text), value, rel_tol=5e-3, abs_tol=1e-300)
            return np.array([v for v, _ in values])

        np.testing.assert_allclose(shown("as-q-gradient"), grad, rtol=1e-9, atol=1e-12)
        if name in ("Momentum", "Nesterov"):
            v = state["momentum_buffer"]
            np.testing.assert_allclose(shown("as-q-velocity"), v, rtol=1e-9, atol=1e-12)
            for kind, vector in (("velocity", -s["lr"] * v), ("gradient", -s["lr"] * grad)):
                arrow = page.evaluate(
                    f"""() => {{
                        const a = document.querySelector(
                            '{root} .as-arrow.as-{kind}[data-optimizer="{name}"]');
                        return {{ from: JSON.parse(a.dataset.from),
                                  vector: JSON.parse(a.dataset.vector),
                                  dx: a.x2.baseVal.value - a.x1.baseVal.value,
                                  dy: a.y2.baseVal.value - a.y1.baseVal.value }};
                    }}"""
                )
                np.testing.assert_allclose(arrow["from"], x, rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(arrow["vector"], vector, rtol=1e-9, atol=1e-12)
                # drawn length: the vector on the panel's scale (y grows downwards in SVG)
                np.testing.assert_allclose(
                    [arrow["dx"], arrow["dy"]], [vector[0] * sx, -vector[1] * sy], atol=1e-3
                )
        if name in ("Adagrad", "RMSProp", "Adam"):
            root_of = (
                (lambda v: np.sqrt(v + s["eps"]))
                if s["eps_inside_sqrt"]
                else (lambda v: np.sqrt(v) + s["eps"])
            )
            if name == "Adam":
                m_hat = state["exp_avg"] / (1 - s["beta1"] ** k)
                v_hat = state["exp_avg_sq"] / (1 - s["beta2"] ** k)
                np.testing.assert_allclose(shown("as-q-m-hat"), m_hat, rtol=1e-9)
                np.testing.assert_allclose(shown("as-q-v-hat"), v_hat, rtol=1e-9)
                eff = s["lr"] / root_of(v_hat)
            else:
                acc = state["sum"] if name == "Adagrad" else state["square_avg"]
                np.testing.assert_allclose(shown("as-q-accumulator"), acc, rtol=1e-9)
                eff = s["lr"] / root_of(acc)
            np.testing.assert_allclose(shown("as-q-effective"), eff, rtol=1e-9)
            bars = page.eval_on_selector_all(
                f"{row} .as-bar-fill",
                "els => els.map(e => [e.getBoundingClientRect().width,"
                " e.parentElement.getBoundingClientRect().width])",
            )
            widths = np.array([w / full for w, full in bars])
            np.testing.assert_allclose(widths, eff / eff.max(), atol=0.02)


def test_dragging_and_arrow_keys_move_the_start(momentum_page):
    page = momentum_page.page
    root = first_figure(page, "trajectory")
    s = settings_of(page, root)
    name = s["optimizers"][0]
    _, _, info = panel_scale(page, root)
    plot = page.locator(f"{root} .as-keypad .as-plot-bg")
    plot.scroll_into_view_if_needed()
    svg_box = plot.bounding_box()

    def screen(p):  # data -> page pixels
        fx = (p[0] - info["xlim"][0]) / (info["xlim"][1] - info["xlim"][0])
        fy = (info["ylim"][1] - p[1]) / (info["ylim"][1] - info["ylim"][0])
        return svg_box["x"] + fx * svg_box["width"], svg_box["y"] + fy * svg_box["height"]

    # mouse: press on the start point, drag, release
    start = screen(s["x0"])
    page.mouse.move(*start)
    page.mouse.down()
    target = (
        0.5 * (info["xlim"][0] + info["xlim"][1]),
        info["ylim"][0] + 0.2 * (info["ylim"][1] - info["ylim"][0]),
    )
    for f in (0.3, 0.6, 1.0):
        page.mouse.move(
            start[0] + f * (screen(target)[0] - start[0]),
            start[1] + f * (screen(target)[1] - start[1]),
        )
    page.mouse.up()
    after = settings_of(page, root)
    assert np.allclose(after["x0"], target, atol=0.06), (after["x0"], target)
    assert_matches(drawn(page, root, name), expected_trajectory(after, name), "after dragging")

    # touch: a pointer of type "touch" (what a finger on a phone sends)
    redraws = int(page.get_attribute(root, "data-redraws"))
    touch_to = (
        info["xlim"][0] + 0.25 * (info["xlim"][1] - info["xlim"][0]),
        info["ylim"][0] + 0.75 * (info["ylim"][1] - info["ylim"][0]),
    )
    page.evaluate(
        """([root, a, b]) => {
            const bg = document.querySelector(`${root} .as-keypad .as-plot-bg`);
            const svg = document.querySelector(`${root} .as-svg`);
            const opts = (p) => ({ pointerId: 7, pointerType: "touch", isPrimary: true,
                                   clientX: p[0], clientY: p[1], bubbles: true, button: 0 });
            bg.dispatchEvent(new PointerEvent("pointerdown", opts(a)));
            svg.dispatchEvent(new PointerEvent("pointermove", opts([(a[0] + b[0]) / 2,
                                                                      (a[1] + b[1]) / 2])));
            svg.dispatchEvent(new PointerEvent("pointermove", opts(b)));
            svg.dispatchEvent(new PointerEvent("pointerup", opts(b)));
        }""",
        [root, screen(after["x0"]), screen(touch_to)],
    )
    touched = settings_of(page, root)
    assert np.allclose(touched["x0"], touch_to, atol=0.06), (touched["x0"], touch_to)
    assert int(page.get_attribute(root, "data-redraws")) > redraws
    assert_matches(drawn(page, root, name), expected_trajectory(touched, name), "after touch")

    # keyboard: focus the plot, arrow keys move the start by one slider step
    page.focus(f"{root} .as-keypad")
    step = float(page.get_attribute(f'{root} [data-control="x0_1"]', "step"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    keyed = settings_of(page, root)
    np.testing.assert_allclose(
        keyed["x0"], [touched["x0"][0] + 2 * step, touched["x0"][1] - step], atol=1e-9
    )
    assert (
        float(page.get_attribute(f'{root} [data-control="x0_1"]', "data-value")) == (keyed["x0"][0])
    )
    assert_matches(drawn(page, root, name), expected_trajectory(keyed, name), "after keys")


LINK = "lr:0.4;momentum:0.5;optimizers:SGD,Momentum,Adam;steps:30;x0_1:1.5;x0_2:-0.5;theta:20"


def test_a_settings_link_restores_the_figure(visit):
    page_visit = visit(f"{MOMENTUM_PAGE}#explorer-1={LINK}")
    page = page_visit.page
    root = first_figure(page, "trajectory")
    assert page.get_attribute(root, "data-fragment") == "explorer-1"
    s = settings_of(page, root)
    assert (s["lr"], s["momentum"], s["steps"], s["x0"]) == (0.4, 0.5, 30, [1.5, -0.5])
    assert s["optimizers"] == ["SGD", "Momentum", "Adam"] and s["theta"] == math.radians(20)
    slider = f'{root} [data-control="lr"]'
    assert float(page.get_attribute(slider, "data-value")) == 0.4
    # the thumb sits at the nearest slider step (0.01 in log10); the figure uses 0.4 exactly
    step = float(page.get_attribute(slider, "step"))
    assert abs(float(page.input_value(slider)) - math.log10(0.4)) <= step / 2 + 1e-12
    assert page.input_value(f'{root} [data-control="steps"]') == "30"
    for name in s["optimizers"]:
        assert_matches(drawn(page, root, name), expected_trajectory(s, name), f"{name} link")
    want = trajectory.run(
        rules.SGD(lr=0.4, momentum=0.5),
        problems.rotated(problems.ANISOTROPIC, math.radians(20)),
        [1.5, -0.5],
        30,
    )
    assert_matches(drawn(page, root, "Momentum"), want, "Momentum from the link")

    # "copy link" gives a URL that reopens these settings (after one more change)
    move(page, root, "beta1", 0.7)
    page.click(f"{root} .as-copy-link")
    url = page.input_value(f"{root} .as-link")
    assert "#explorer-1=" in url and "beta1:0.7" in url
    assert page.evaluate("location.href") == url
    again = visit(url.split("/", 3)[3])
    root2 = first_figure(again.page, "trajectory")
    assert settings_of(again.page, root2) == settings_of(page, root)
    assert page_visit.console_errors == [] and again.console_errors == []
    assert page_visit.external_requests == []


HOSTILE_OR_BROKEN = [
    "explorer-1=" + quote("<script>window.__pwned = 1</script>"),
    "explorer-1=lr:" + quote("<img src=x onerror=window.__pwned=1>"),
    "explorer-1=lr:abc;zzz",
    "explorer-1=lr:99",
    "explorer-1=nosuch:1",
    "explorer-1=%E0%A4%A",
]


def test_a_hostile_or_broken_link_is_ignored_with_a_note(visit):
    plain = visit(MOMENTUM_PAGE)
    root = first_figure(plain.page, "trajectory")
    defaults = settings_of(plain.page, root)
    assert plain.page.locator(f"{root} .as-warning").is_hidden()
    for fragment in HOSTILE_OR_BROKEN:
        page_visit = visit(f"{MOMENTUM_PAGE}#{fragment}")
        page = page_visit.page
        root = first_figure(page, "trajectory")
        assert settings_of(page, root) == defaults, fragment
        note = page.locator(f"{root} .as-warning")
        assert note.is_visible(), fragment
        assert "ignored" in note.inner_text()
        assert note.locator("*").count() == 0, "the note is text, never HTML"
        assert page.evaluate("window.__pwned") is None
        assert page.locator(f"{root} script, {root} img").count() == 0
        assert page_visit.console_errors == []
        page_visit.close()


def figure_at_step(visit, url: str, kind: str, k: int):
    """The first ``kind`` figure of ``url`` at step ``k``: (visit, page, root, settings)."""
    page_visit = visit(url)
    page = page_visit.page
    root = first_figure(page, kind)
    settings = settings_of(page, root)
    scrub(page, root, k)
    return page_visit, page, root, settings


def test_the_ewma_figure_steps_too(visit):
    k = 5
    page_visit, page, root, s = figure_at_step(visit, EWMA_PAGE, "ewma", k)
    weights = json.loads(page.get_attribute(f"{root} .as-stems", "data-weights"))
    want = ewma.ewma_weights(s["beta"], k)
    if s["bias_correction"]:
        want = want / ewma.bias_correction(s["beta"], k)
    np.testing.assert_allclose(weights, want, rtol=1e-12)
    average = json.loads(page.get_attribute(f"{root} .as-average", "data-ewma"))
    mark = float(page.get_attribute(f"{root} .as-loss-mark", "data-value"))
    assert mark == average[k - 1]
    page.click(f"{root} .as-play")
    page.wait_for_function(f"document.querySelector('{root}').dataset.step >= {k + 2}")
    page.click(f"{root} .as-play")
    assert page_visit.console_errors == []


def test_the_eigen_figure_steps_too(visit):
    k = 9
    page_visit, page, root, s = figure_at_step(visit, MOMENTUM_PAGE, "eigen", k)
    marks = page.eval_on_selector_all(
        f"{root} .as-coordinate-mark", "els => els.map(e => Number(e.dataset.value))"
    )
    want = trajectory.run(
        rules.SGD(lr=s["lr"], momentum=s["momentum"]),
        problems.Quadratic(1.0, 8.0),
        [1.0, 1.0],
        s["steps"],
    )[k]
    np.testing.assert_allclose(marks, want, rtol=1e-9)
    assert page_visit.console_errors == []
