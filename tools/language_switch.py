"""Sphinx extension: the book in two languages, English at the site root and Korean under ``ko/``.

* Every page gets a link to the same page in the other edition in its article header (and a
  ``<link rel="alternate" hreflang>``), computed from the page name alone, so it works from any
  folder and offline.
* The Korean edition gets a search language: Sphinx has none for Korean, and its fallback indexes
  a word together with its particle (기울기는, 기울기를 are different words), so a search for
  기울기 found nothing. :class:`SearchKorean` strips common particles and verb endings from
  Hangul words when indexing, and the same rule, written in JavaScript, runs on the query.

Configuration (``_config.yml`` -> ``sphinx.config``): ``book_language`` (``en`` or ``ko``);
``book_pages_without_counterpart``: pages of this edition the other lacks (their switch leads to
the other edition's home page).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from sphinx.search.en import SearchEnglish

TEMPLATES = Path(__file__).resolve().parent / "templates"
EDITIONS = {"en": ("", "English"), "ko": ("ko/", "한국어")}  # site folder and name of each edition

# --- the switch -------------------------------------------------------------------------------


def counterpart(pagename: str, language: str, root_doc: str, missing=()) -> tuple[str, str]:
    """(other language, relative URL of ``pagename`` in it) for a page of edition ``language``.

    >>> counterpart("chapters/ewma", "en", "intro")
    ('ko', '../ko/chapters/ewma.html')
    >>> counterpart("chapters/ewma", "ko", "intro")
    ('en', '../../chapters/ewma.html')
    >>> counterpart("glossary", "ko", "intro", missing=["glossary"])
    ('en', '../intro.html')
    """
    other = "ko" if language == "en" else "en"
    up = "../" * pagename.count("/")
    site_root = up + ("../" if language == "ko" else "")  # from this page to the site root
    target = root_doc if pagename in missing else pagename
    return other, f"{site_root}{EDITIONS[other][0]}{target}.html"


def _add_switch(app, pagename, templatename, context, doctree) -> None:
    language = app.config.book_language
    other, url = counterpart(
        pagename, language, app.config.root_doc, app.config.book_pages_without_counterpart
    )
    context["language_switch_url"] = url
    context["language_switch_lang"] = other
    context["language_switch_name"] = EDITIONS[other][1]
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" hreflang="{other}" href="{html.escape(url)}" />\n'
    )


def _place_switch(app, config) -> None:
    """Put the switch in the article header of every page, before the theme's buttons."""
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    options = dict(config.html_theme_options or {})
    end = options.get("article_header_end", ["article-header-buttons.html"])
    end = [end] if isinstance(end, str) else list(end)
    if "language-switch.html" not in end:
        options["article_header_end"] = ["language-switch.html", *end]
    config.html_theme_options = options


SWITCH_CSS = """
/* The theme stacks the article header's end items; keep the switch beside the buttons. */
.header-article-items__end { display: flex; align-items: center; }
.language-switch { display: flex; align-items: center; margin-right: 0.5rem; font-size: 0.9rem; }
.language-switch a { padding: 0.1rem 0.6rem; border: 1px solid var(--pst-color-border, #ccc);
  border-radius: 1rem; text-decoration: none; white-space: nowrap; }
html[lang="ko"] body { word-break: keep-all; overflow-wrap: break-word; }
"""


def _write_css(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static = app.outdir / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / "language-switch.css").write_text(SWITCH_CSS, encoding="utf-8")


# --- Korean search ----------------------------------------------------------------------------

# Particles and verb endings stripped from the end of a Hangul word, longest first. A stem keeps
# at least two syllables (속도 stays 속도, 결과는 becomes 결과), and stripping repeats (정확도는 ->
# 정확도 -> 정확), so a word and its inflected forms meet at one stem on both sides.
KOREAN_SUFFIXES = sorted(
    """에서는 에서도 으로는 으로도 이라는 이라고 이라면 입니다 합니다 했습니다 됩니다 되었습니다
    하는 하고 하면 하며 하여 해서 해야 한다 했다 하지 되는 되고 되면 된다 이다 이며 이고 이나
    에서 으로 에는 에도 에게 까지 부터 처럼 보다 마다 라는 라고 와는 과는 와의 과의 로는 로도
    은 는 이 가 을 를 의 에 로 와 과 도 만 나 할 한 된""".split(),
    key=len,
    reverse=True,
)
MIN_STEM = 2
_HANGUL = re.compile("[\uac00-\ud7a3]")


def korean_stem(word: str) -> str:
    """The stem a Hangul word is indexed and searched by.

    >>> [korean_stem(w) for w in ["기울기는", "기울기", "학습률을", "속도", "정확도는", "결과는"]]
    ['기울기', '기울기', '학습률', '속도', '정확', '결과']
    """
    stripped = True
    while stripped:
        stripped = False
        for suffix in KOREAN_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
                word = word[: -len(suffix)]
                stripped = True
                break
    return word


KOREAN_JS = """
var PorterStemmer = Stemmer;
var KOREAN_SUFFIXES = %(suffixes)s;
function koreanStem(word) {
  var stripped = true;
  while (stripped) {
    stripped = false;
    for (var i = 0; i < KOREAN_SUFFIXES.length; i++) {
      var s = KOREAN_SUFFIXES[i];
      if (word.endsWith(s) && word.length - s.length >= %(min_stem)d) {
        word = word.slice(0, word.length - s.length);
        stripped = true;
        break;
      }
    }
  }
  return word;
}
Stemmer = function () {
  var porter = new PorterStemmer();
  this.stemWord = function (w) {
    return /[\\uac00-\\ud7a3]/.test(w) ? koreanStem(w) : porter.stemWord(w);
  };
};
"""


class SearchKorean(SearchEnglish):
    """English rules for Latin words (API names, English terms), particle stripping for Hangul."""

    lang = "ko"
    language_name = "Korean"
    js_stemmer_code = SearchEnglish.js_stemmer_code + KOREAN_JS % {
        "suffixes": "[" + ", ".join(f'"{s}"' for s in KOREAN_SUFFIXES) + "]",
        "min_stem": MIN_STEM,
    }

    def stem(self, word: str) -> str:
        return korean_stem(word) if _HANGUL.search(word) else super().stem(word)


def setup(app) -> dict[str, Any]:
    app.add_config_value("book_language", "en", "html")
    app.add_config_value("book_pages_without_counterpart", [], "html")
    app.add_search_language(SearchKorean)
    app.add_css_file("language-switch.css")
    app.connect("config-inited", _place_switch)
    app.connect("html-page-context", _add_switch)
    app.connect("build-finished", _write_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
