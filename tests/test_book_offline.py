"""The built book works with no network: math typesets, widgets render, nothing loads from a CDN."""

from __future__ import annotations

import re

import pytest
import yaml

pytestmark = pytest.mark.browser

CDN_PATTERN = re.compile(r"https://cdn|unpkg\.com|jsdelivr|cdnjs")


def toc_files(repo_root):
    toc = yaml.safe_load((repo_root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def test_every_toc_entry_has_a_page(repo_root, built_book):
    assert (built_book / "index.html").exists()
    missing = [f for f in toc_files(repo_root) if not (built_book / f"{f}.html").exists()]
    assert not missing, f"pages missing from the build: {missing}"


def test_no_page_references_a_cdn(built_book):
    offenders = {}
    for html in built_book.rglob("*.html"):
        hits = CDN_PATTERN.findall(html.read_text(encoding="utf-8", errors="replace"))
        if hits:
            offenders[str(html.relative_to(built_book))] = sorted(set(hits))
    assert not offenders, f"pages that reference a CDN: {offenders}"


def test_display_math_is_typeset_offline(visit):
    page_visit = visit("intro.html")
    page = page_visit.page
    page.wait_for_selector("mjx-container", timeout=20_000)
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    display = page.locator('mjx-container[display="true"]').count()
    inline = page.locator("mjx-container").count()
    assert display >= 1 and inline >= 10
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    text = page.inner_text("main")
    assert "$$" not in text and "\\[" not in text and "\\mathbf" not in text
    assert page_visit.external_requests == []
    assert page_visit.console_errors == []


def test_ipywidget_renders_offline(visit):
    """A real ipywidget (saved widget state) is drawn by the vendored widgets HTML manager."""
    page_visit = visit("chapters/interactive_figures.html")
    page = page_visit.page
    page.wait_for_selector(".widget-slider", timeout=20_000)
    assert page.locator(".widget-slider").count() >= 2
    # The saved matplotlib image of the live view is rendered by an Image widget.
    assert page.locator(".widget-image").count() >= 1
    assert page_visit.external_requests == []
    assert page_visit.console_errors == []


def test_static_figure_renders_offline(visit):
    """The book's own figures compute in the page: the EWMA explorer is ready and shows β."""
    page_visit = visit("chapters/ewma.html")
    page = page_visit.page
    figure = '.as-figure[data-kind="ewma"]'
    page.wait_for_selector(f'{figure}[data-ready="true"]', timeout=20_000)
    assert page.inner_text(f'{figure} .as-control[data-key="beta"] output').strip() == "0.90"
    assert page_visit.external_requests == []
    assert page_visit.console_errors == []
