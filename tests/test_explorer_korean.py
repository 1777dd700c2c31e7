"""The static figures speak Korean on Korean pages, with the same numbers.

A standalone page of the three figures is served twice on loopback, as ``<html lang="en">``
and as ``<html lang="ko">`` (how the Korean edition's pages are marked); a figure's config
``lang`` wins over the page's. Words change, numbers do not.
"""

from __future__ import annotations

import re

import pytest
from conftest import PageVisit, serve_directory

from d2l_opt import widgets

pytestmark = pytest.mark.browser

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("korean-figures")
    figures = [
        widgets.trajectory_explorer("anisotropic", ("Momentum", "Adam"), lr=0.05, steps=40),
        widgets.ewma_explorer(beta=0.9, steps=30),
        widgets.momentum_eigen_view(lr=0.1, momentum=0.9),
    ]
    page = widgets.standalone_page(*figures)
    assert '<html lang="en">' in page
    (folder / "en.html").write_text(page, encoding="utf-8")
    (folder / "ko.html").write_text(page.replace('<html lang="en">', '<html lang="ko">'), "utf-8")
    with serve_directory(folder) as url:
        yield url


def open_page(browser, url):
    visit = PageVisit(browser, url)
    visit.page.wait_for_function(
        "document.querySelectorAll('.as-figure[data-ready=\"true\"]').length === 3"
    )
    return visit


def words(page) -> dict:
    return page.evaluate(
        """() => {
            const q = (s) => [...document.querySelectorAll(s)].map(e => e.textContent);
            return { labels: q(".as-control-label"), notes: q(".as-note"), svg: q(".as-svg text"),
                     state: q(".as-state"), steps: q(".as-step-readout"),
                     buttons: [...document.querySelectorAll(".as-button")].map(
                         b => b.getAttribute("aria-label") || b.textContent),
                     options: q("select option") };
        }"""
    )


def numbers(page) -> dict:
    return page.evaluate(
        """() => ({
            settings: [...document.querySelectorAll(".as-figure")].map(f => f.dataset.settings),
            paths: [...document.querySelectorAll("[data-trajectory]")].map(
                e => e.getAttribute("data-trajectory")),
            readouts: [...document.querySelectorAll(".as-readout, .as-number")].map(
                e => e.textContent),
            weights: document.querySelector(".as-stems").dataset.weights,
        })"""
    )


def test_korean_page_has_korean_words_and_the_same_numbers(browser, pages):
    en = open_page(browser, f"{pages}/en.html")
    ko = open_page(browser, f"{pages}/ko.html")
    en_words, ko_words = words(en.page), words(ko.page)
    assert not any(HANGUL.search(t) for group in en_words.values() for t in group)
    assert "\u03b7 (학습률)" in ko_words["labels"] and "편향 보정" in ko_words["labels"]
    assert all(
        n.startswith("브라우저에서 계산합니다") or "브라우저에서 계산합니다" in n
        for n in ko_words["notes"]
    )
    assert any("상대 손실" in t for t in ko_words["svg"])
    assert any("헤세 행렬의 고윳값" in n for n in ko_words["notes"])
    assert {"재생", "이전 스텝", "다음 스텝", "링크 복사"} <= set(ko_words["buttons"])
    assert ko_words["steps"][0] == "40 / 40" and en_words["steps"][0] == "40 of 40"
    assert any("스텝 40에서" in t for t in ko_words["state"])
    assert any(o.startswith("비등방성") for o in ko_words["options"])
    assert ko.page.get_attribute(".as-figure", "lang") == "ko"
    assert numbers(ko.page) == numbers(en.page)
    assert en.console_errors == [] and ko.console_errors == []
    en.close()
    ko.close()


def test_config_language_wins_and_every_message_has_both_languages(browser, pages):
    en = open_page(browser, f"{pages}/en.html")
    missing = en.page.evaluate(
        """() => Object.keys(AdaptiveSteps.MESSAGES.en).filter(
            k => !(k in AdaptiveSteps.MESSAGES.ko))"""
    )
    assert missing == []
    note = en.page.evaluate(
        """() => {
            const first = document.querySelector(".as-figure").adaptiveSteps.config;
            const box = document.createElement("div");
            document.body.appendChild(box);
            AdaptiveSteps.mount(box, Object.assign({}, first, { lang: "ko" }));
            return box.querySelector(".as-note").textContent;
        }"""
    )
    assert note.startswith("브라우저에서 계산합니다")
    en.close()


def test_korean_note_for_a_broken_link(browser, pages):
    ko = open_page(browser, f"{pages}/ko.html#explorer-1=lr:zzz")
    warning = ko.page.inner_text(".as-warning")
    assert "무시했습니다" in warning
    ko.close()


def test_one_link_sets_several_figures(browser, pages):
    """Entries for several figures share a fragment, joined by "&" (here in English)."""
    visit = open_page(browser, f"{pages}/en.html#eigen-1=lr:0.05;momentum:0.5&ewma-1=beta:0.7")
    settings = visit.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(".as-figure")].map(
            f => [f.dataset.fragment, JSON.parse(f.dataset.settings)]))"""
    )
    assert settings["eigen-1"]["lr"] == 0.05 and settings["eigen-1"]["momentum"] == 0.5
    assert settings["ewma-1"]["beta"] == 0.7 and settings["ewma-1"]["bias_correction"] is True
    assert settings["explorer-1"]["lr"] == 0.05  # untouched: as the notebook made it
    assert visit.page.locator(".as-warning:visible").count() == 0
    assert visit.console_errors == []
    visit.close()
