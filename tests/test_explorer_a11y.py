"""The figures on a phone and by keyboard, with no network, on the built book.

- every built page at 390 x 844 (a phone) has no horizontal overflow outside code blocks;
- axe-core (from npm, injected from ``node_modules``, never fetched) reports no critical or
  serious violation on a chapter's figures;
- every control of a figure has an accessible name, is reached with Tab and shows its focus.
"""

from __future__ import annotations

import pytest
from conftest import REPO

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
MOMENTUM_PAGE = "chapters/momentum.html"
FIGURES_PAGE = "chapters/interactive_figures.html"


def built_pages(book) -> list[str]:
    skip = ("_static", "_sources", "_images", "_extra", "vendor")
    return sorted(
        str(p.relative_to(book))
        for p in book.rglob("*.html")
        if not any(part in skip for part in p.relative_to(book).parts)
    )


def wait_for_figures(page) -> None:
    page.wait_for_function(
        "[...document.querySelectorAll('.as-figure')].every(f => f.dataset.ready === 'true')",
        timeout=20_000,
    )


# Elements wider than the viewport, except inside code blocks (which scroll on their own),
# inside any other container that scrolls horizontally, or off-canvas (hidden drawers).
OVERFLOW_SCRIPT = """() => {
    const width = document.documentElement.clientWidth, out = [];
    const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    for (const el of document.querySelectorAll("article *, .as-figure *")) {
        // code blocks scroll on their own; MathJax's assistive copy is clipped out of sight
        if (el.closest("pre, .highlight, code, mjx-assistive-mml")) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right <= width + 1 && r.left >= -1) continue;
        let inside = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
            if (scrolls(p)) { inside = true; break; }
        }
        const where = `[${Math.round(r.left)}, ${Math.round(r.right)}]`;
        if (!inside) out.push(`${el.tagName.toLowerCase()}.${el.className} ${where}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width: width,
             offenders: out.slice(0, 8) };
}"""


def test_no_page_overflows_a_phone_screen(visit, built_book):
    pages = built_pages(built_book)
    assert any(p.startswith("chapters/") for p in pages)
    problems = {}
    for path in pages:
        page_visit = visit(path, viewport=PHONE)
        page = page_visit.page
        wait_for_figures(page)
        layout = page.evaluate(OVERFLOW_SCRIPT)
        if layout["scrollWidth"] > layout["width"] + 1 or layout["offenders"]:
            problems[path] = layout
        for root in page.eval_on_selector_all(
            ".as-figure", "els => els.map(e => e.dataset.layout)"
        ):
            assert root == "narrow", f"{path}: a figure kept its desktop layout on a phone"
        page_visit.close()
    assert problems == {}


def test_axe_reports_no_serious_violation_on_the_figures(visit):
    if not AXE.exists():
        pytest.fail("axe-core is missing from node_modules: run `make assets` (npm ci)")
    for path, viewport in ((MOMENTUM_PAGE, None), (FIGURES_PAGE, None), (MOMENTUM_PAGE, PHONE)):
        page_visit = visit(path, viewport=viewport)
        page = page_visit.page
        wait_for_figures(page)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document.querySelectorAll(".as-figure"),
                                             { resultTypes: ["violations"] });
                return result.violations.map(v => ({ id: v.id, impact: v.impact,
                    nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ")) }));
            }"""
        )
        serious = [v for v in violations if v["impact"] in ("critical", "serious")]
        assert serious == [], f"{path} {viewport}: {serious}"
        assert page_visit.external_requests == []


def test_every_control_is_named_reached_by_tab_and_shows_focus(visit):
    page_visit = visit(FIGURES_PAGE)
    page = page_visit.page
    wait_for_figures(page)
    kinds = page.eval_on_selector_all(".as-figure", "els => els.map(e => e.dataset.kind)")
    assert {"trajectory", "ewma", "eigen"} <= set(kinds)
    for kind in ("trajectory", "ewma", "eigen"):
        root = "#" + page.eval_on_selector(f'.as-figure[data-kind="{kind}"]', "e => e.id")
        controls = page.evaluate(
            """(root) => {
                const focusable = 'input:not([hidden]), select, button, [tabindex="0"]';
                const name = (el) => {
                    if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
                    const by = el.getAttribute("aria-labelledby");
                    if (by) return document.getElementById(by).textContent;
                    if (el.labels && el.labels.length) return el.labels[0].textContent;
                    return el.textContent;
                };
                const figure = document.querySelector(root);
                return [...figure.querySelectorAll(focusable)].map((el, i) => {
                    el.dataset.a11y = String(i);
                    return name(el).trim();
                });
            }""",
            root,
        )
        assert len(controls) >= 5
        assert all(controls), f"{kind}: a control without an accessible name: {controls}"
        page.evaluate(f"document.querySelector('{root} [data-a11y=\"0\"]').focus()")
        page.keyboard.press("Shift+Tab")
        reached = {}
        for _ in range(len(controls) + 3):
            page.keyboard.press("Tab")
            focus = page.evaluate(
                """() => {
                    const el = document.activeElement;
                    const style = getComputedStyle(el);
                    const ring = el.classList.contains("as-keypad")
                        ? getComputedStyle(el.querySelector(".as-plot-bg")).strokeWidth
                        : style.outlineStyle !== "none" ? style.outlineWidth : "0px";
                    return [el.dataset.a11y ?? null, parseFloat(ring)];
                }"""
            )
            if focus[0] is not None:
                reached[int(focus[0])] = focus[1]
        missing = [controls[i] for i in range(len(controls)) if i not in reached]
        assert missing == [], f"{kind}: not reached with Tab: {missing}"
        no_ring = [controls[i] for i, width in reached.items() if width < 2]
        assert no_ring == [], f"{kind}: no visible focus on {no_ring}"
    assert page_visit.console_errors == []
