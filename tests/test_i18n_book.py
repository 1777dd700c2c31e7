"""The built Korean edition (_build/html/ko): one Korean page per English page, a language switch
that resolves both ways, Korean prose, the English page's formulas, and Korean search."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from language_switch import korean_stem  # noqa: E402

sys.path.pop(0)

# Prose must be at least this share Hangul (of all letters outside code, math, cell outputs,
# tables and the bibliography). Measured on the translated pages it is 0.62 (RMSProp: the name
# alone is seven Latin letters at each mention) to 0.90 (the exercises page); the Latin letters
# left are optimizer and API names and the English terms in parentheses at their first use. An
# English page scores 0.0; the per-block rule below catches a single untranslated paragraph
# that a long page's share would hide.
HANGUL_SHARE = 0.5
# A prose block (paragraph, list item, heading, caption) this long with no Hangul is untranslated.
BLOCK_LETTERS = 40

SKIP_CLASSES = {
    "math",
    "cell_output",
    "cell_input",
    "highlight",
    "citation",
    "bibliography",
    "language-switch",
    "headerlink",
    "output",
    "docutils container",
}
SKIP_TAGS = {"pre", "code", "script", "style", "kbd", "svg", "math"}
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "figcaption", "caption", "td", "th"}
# Table cells hold symbols, names and numbers (and the glossary's English column): they are held
# to the per-block rule only, not counted in a page's share.
HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")


@pytest.fixture(scope="module")
def editions(built_book):
    korean = built_book / "ko"
    if not (korean / "index.html").exists():
        pytest.skip("the Korean edition is not built: run `make book`")
    return built_book, korean


def pages(root: Path, redirects: bool = True) -> list[Path]:
    """The edition's HTML pages; ``redirects=False`` leaves out Jupyter Book's index.html, a
    bare redirect to the root page."""
    skip = {"_static", "_sources", "_images", "vendor", "ko", "_downloads"}
    return sorted(
        p.relative_to(root)
        for p in root.rglob("*.html")
        if not skip & set(p.relative_to(root).parts[:1])
        and (redirects or p.relative_to(root) != Path("index.html"))
    )


class PageParser(HTMLParser):
    """Collects the article's prose blocks, its math, the <html lang> and the switch link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.switch = None
        self.blocks: list[str] = []
        self.table_blocks: list[str] = []
        self.math: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # tag, skipped, math
        self._in_article = 0
        self._block: list[str] | None = None
        self._block_in_table = False
        self._math: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and self._stack and "language-switch" in self._stack[-1][0]:
            self.switch = attrs.get("href")
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            return
        skipped = bool(
            tag in SKIP_TAGS or classes & SKIP_CLASSES or (self._stack and self._stack[-1][1])
        )
        is_math = "math" in classes
        marker = tag + ("|language-switch" if "language-switch" in classes else "")
        self._stack.append((marker, skipped, is_math))
        if tag == "article":
            self._in_article += 1
        if is_math and self._in_article:
            self._math = []
        if tag in BLOCK_TAGS and self._in_article and not skipped:
            self._flush()
            self._block = []
            self._block_in_table = any(m.split("|")[0] == "table" for m, _s, _m in self._stack)

    def handle_endtag(self, tag):
        while self._stack:
            marker, _skipped, is_math = self._stack.pop()
            if is_math and self._math is not None:
                self.math.append(" ".join("".join(self._math).split()))
                self._math = None
            if marker.split("|")[0] == "article":
                self._in_article -= 1
            if marker.split("|")[0] in BLOCK_TAGS:
                self._flush()
            if marker.split("|")[0] == tag:
                break

    def handle_data(self, data):
        if self._math is not None:
            self._math.append(data)
        if (
            self._in_article
            and self._block is not None
            and not (self._stack and self._stack[-1][1])
        ):
            self._block.append(data)

    def _flush(self):
        if self._block is not None:
            text = " ".join("".join(self._block).split())
            if text:
                (self.table_blocks if self._block_in_table else self.blocks).append(text)
        self._block = None


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def letters(text: str) -> tuple[int, int]:
    alpha = [c for c in text if c.isalpha()]
    return sum(1 for c in alpha if HANGUL.match(c)), len(alpha)


def test_every_english_page_has_a_korean_page(editions):
    english, korean = editions
    missing = [str(p) for p in pages(english) if not (korean / p).exists()]
    assert pages(english) and not missing, f"Korean pages missing: {missing}"


def _resolve(root: Path, page: Path, href: str) -> Path:
    url = urljoin(f"http://book/{page.as_posix()}", href)
    return Path(urlparse(url).path.lstrip("/"))


def test_language_switch_resolves_both_ways(editions):
    english, _korean = editions
    site = english
    problems = []
    for edition, prefix in ((english, Path()), (english / "ko", Path("ko"))):
        for page in pages(edition, redirects=False):
            here = prefix / page
            href = parse(site / here).switch
            if href is None:
                problems.append(f"{here}: no language switch")
                continue
            there = _resolve(site, here, href)
            if not (site / there).exists():
                problems.append(f"{here}: switch leads to missing {there}")
                continue
            back = parse(site / there).switch
            if there.name == "intro.html" and page.name != "intro.html":
                continue  # a page only one edition has (the glossary) leads to the home page
            if back is None or _resolve(site, there, back) != here:
                problems.append(f"{here} -> {there} does not lead back")
    assert not problems, "\n".join(problems)


def test_korean_pages_declare_korean(editions):
    english, korean = editions
    wrong = [str(p) for p in pages(korean, redirects=False) if parse(korean / p).lang != "ko"]
    assert not wrong, f'pages without <html lang="ko">: {wrong}'
    assert parse(english / "intro.html").lang == "en"


def _content_pages(korean: Path) -> list[Path]:
    return [
        p for p in pages(korean, redirects=False) if p.name not in ("genindex.html", "search.html")
    ]


def test_korean_pages_are_written_in_korean(editions):
    _english, korean = editions
    problems, shares = [], {}
    for page in _content_pages(korean):
        blocks = parse(korean / page).blocks
        hangul, total = letters(" ".join(blocks))
        shares[str(page)] = hangul / total if total else 1.0
        if total and hangul / total < HANGUL_SHARE:
            problems.append(f"{page}: Hangul share {hangul / total:.2f} < {HANGUL_SHARE}")
        for block in blocks + parse(korean / page).table_blocks:
            h, n = letters(block)
            if h == 0 and n >= BLOCK_LETTERS:
                problems.append(f"{page}: untranslated block {block[:70]!r}")
    print("Hangul share of prose:", json.dumps(shares, ensure_ascii=False, indent=1))
    assert not problems, "\n".join(problems)


def test_the_prose_measure_tells_english_from_korean(editions):
    english, korean = editions
    en = letters(" ".join(parse(english / "intro.html").blocks))
    ko = letters(" ".join(parse(korean / "intro.html").blocks))
    assert en[0] / en[1] < 0.05 and ko[0] / ko[1] > HANGUL_SHARE


def test_korean_pages_show_the_english_pages_formulas(editions):
    english, korean = editions
    problems = []
    for page in pages(english):
        # The same distinct formulas: a sentence rebuilt for Korean may name one once or twice.
        en_math = set(parse(english / page).math)
        ko_math = set(parse(korean / page).math)
        if en_math != ko_math:
            problems.append(
                f"{page}: missing {sorted(en_math - ko_math)[:3]}, "
                f"extra {sorted(ko_math - en_math)[:3]}"
            )
    assert any(parse(english / p).math for p in pages(english))
    assert not problems, "\n".join(problems)


OUTPUT_MEDIA = re.compile(
    r'<img [^>]*src="[^"]*_images/|data:image/|<svg[^>]*xmlns="http://www.w3.org/2000/svg"'
)


def test_korean_pages_show_the_english_pages_outputs(editions):
    # The Korean pages reuse the English build's outputs. MyST-NB writes its executed copy of a
    # notebook served from its cache without outputs, so a rebuild after a markdown-only edit
    # once gave Korean chapters without figures: count every cell's outputs and images.
    english, korean = editions
    problems = []
    for page in pages(english):
        en, ko = (root / page for root in (english, korean))
        en_text, ko_text = en.read_text(encoding="utf-8"), ko.read_text(encoding="utf-8")
        counts = [
            (text.count('class="cell_output'), len(OUTPUT_MEDIA.findall(text)))
            for text in (en_text, ko_text)
        ]
        if counts[0] != counts[1]:
            problems.append(f"{page}: English (outputs, images) {counts[0]}, Korean {counts[1]}")
    assert any(
        OUTPUT_MEDIA.search((english / p).read_text(encoding="utf-8")) for p in pages(english)
    )
    assert not problems, "\n".join(problems)


def test_korean_launch_buttons_open_korean_notebooks(editions):
    english, korean = editions
    colab = re.compile(r'https://colab\.research\.google\.com/github/[^"]+?/blob/[^/"]+/([^"]+)"')
    for page in (korean / "chapters").glob("*.html"):
        targets = set(colab.findall(page.read_text(encoding="utf-8")))
        assert targets == {f"ko/chapters/{page.stem}.ipynb"}, (page.name, targets)
    english_targets = set(colab.findall((english / "chapters" / "ewma.html").read_text("utf-8")))
    assert english_targets == {"chapters/ewma.ipynb"}


# --- search -----------------------------------------------------------------------------------


def search_index(korean: Path) -> dict:
    text = (korean / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def search(index: dict, word: str) -> set[str]:
    """The documents Sphinx's search finds for one word (its exact-term lookup)."""
    stem = korean_stem(word.lower())
    found = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(stem, [])
        found |= {index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits)}
    return found


def test_korean_terms_find_their_pages(editions):
    _english, korean = editions
    index = search_index(korean)
    assert "glossary" in search(index, "용어집")
    # 기울기 is written with particles (기울기는, 기울기를 ...) nearly everywhere.
    assert "intro" in search(index, "기울기")
    assert "intro" in search(index, "기울기는")
    assert "exercises/index" in search(index, "채점기")


def test_korean_search_page_finds_a_term(visit):
    page_visit = visit("ko/search.html?q=%EC%B1%84%EC%A0%90%EA%B8%B0")  # 채점기
    page = page_visit.page
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    links = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(e => e.href)"
    )
    assert any("exercises/index.html" in link for link in links), links
    # The page stems queries with the JavaScript twin of the indexer's Python stemmer.
    words = ["기울기는", "학습률을", "정확도는", "속도", "수렴합니다", "모멘텀에서는", "learning"]
    stems = page.evaluate(
        "ws => { const s = new Stemmer(); return ws.map(w => s.stemWord(w)); }", words
    )
    assert stems[:-1] == [korean_stem(w) for w in words[:-1]] and stems[-1] == "learn"
    assert page_visit.external_requests == []


def test_korean_chapter_typesets_math(visit):
    page_visit = visit("ko/intro.html")
    page = page_visit.page
    page.wait_for_selector("mjx-container", timeout=20_000)
    page.evaluate("MathJax.startup.promise")
    assert page.locator('mjx-container[display="true"]').count() >= 1
    assert page.locator("mjx-merror").count() == 0
    assert page_visit.external_requests == []
    assert page_visit.console_errors == []


FIGURE = '.as-figure[data-kind="trajectory"]'


def test_korean_chapter_figure_speaks_korean_and_redraws(visit):
    script = (REPO / "d2l_opt" / "static" / "adaptive_steps.js").read_text(encoding="utf-8")
    if "documentElement.lang" not in script:
        pytest.skip("the figures' script does not read the page's language yet")
    page_visit = visit("ko/chapters/momentum.html")
    page = page_visit.page
    page.wait_for_selector(f'{FIGURE}[data-ready="true"]', timeout=20_000)
    root = "#" + page.eval_on_selector(FIGURE, "el => el.id")
    labels = (
        page.inner_text(f"{root} .as-controls")
        if page.locator(f"{root} .as-controls").count()
        else page.inner_text(root)
    )
    assert HANGUL.search(labels), f"the figure's labels are not Korean: {labels[:200]!r}"
    before = page.inner_html(f"{root} svg")
    slider = f'{root} [data-control="lr"]'
    low, high = (float(page.get_attribute(slider, a)) for a in ("min", "max"))
    page.evaluate(
        """([sel, value]) => {
            const input = document.querySelector(sel);
            input.value = String(value);
            input.dispatchEvent(new Event("input", { bubbles: true }));
            input.dispatchEvent(new Event("change", { bubbles: true }));
        }""",
        [slider, round(low + 0.37 * (high - low), 2)],
    )
    assert page.inner_html(f"{root} svg") != before, "moving the slider did not redraw"
    assert page_visit.console_errors == []
    assert page_visit.external_requests == []
