"""The Korean edition's sources: translations complete and current, code and math unchanged.

These tests read the repository only (no build): the PO files under ``i18n/ko``, the committed
Korean notebooks and pages under ``ko/``, and the English sources they translate.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from repo_files import book_tool

REPO = Path(__file__).resolve().parents[1]


i18n = book_tool("i18n")

# Formulas must reach the Korean text unchanged; so must cross-reference roles and their
# targets, labels and directive fences, or references and numbering break.
MATH = re.compile(
    r"\$\$.+?\$\$"  # display math
    r"|(?<![\\$])\$(?!\$).+?(?<!\\)\$"  # inline math
    r"|\\begin\{(\w+\*?)\}.*?\\end\{\1\}",  # environments
    re.DOTALL,
)
STRUCTURE = re.compile(
    r"\{[\w:-]+\}`[^`]*`"  # roles: {numref}`fig-x`, {cite}`kingma2014`, {glue:text}`x`
    r"|^[ \t]*\([\w-]+\)=[ \t]*$"  # labels
    r"|^[ \t]*(?:`{3,}|~{3,}|:{3,})\{[\w-]+\}[^\n]*$",  # directive fences
    re.MULTILINE,
)


def formulas(text: str) -> Counter:
    return Counter(" ".join(m.group(0).split()) for m in MATH.finditer(text))


def structure(text: str) -> Counter:
    return Counter(m.group(0).strip() for m in STRUCTURE.finditer(text))


def korean_texts():
    """(source, unit key, English, Korean) for every translated unit."""
    for source in i18n.sources():
        english = {u.key: u.text for u in i18n.units(source)}
        for key, korean in i18n.translations(source).items():
            yield source, key, english[key], korean


# --- completeness and staleness ---------------------------------------------------------------


def test_every_unit_is_translated_and_current():
    """Strict: an English cell without Korean, changed since translation, or fuzzy fails here."""
    problems = i18n.check()
    assert not problems, "\n".join(
        ["translations are missing or stale (see `python tools/i18n.py status`):", *problems]
    )


@pytest.fixture
def sandbox(tmp_path):
    """A copy of the sources with one notebook's translation complete (msgstr = English)."""
    for name in ("_config.yml", "_toc.yml", *i18n.MARKDOWN_PAGES):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    source = Path("chapters/interactive_figures.ipynb")
    (tmp_path / "chapters").mkdir(exist_ok=True)
    shutil.copy(REPO / source, tmp_path / source)
    po = i18n.load_po(tmp_path / "missing.po")
    for unit in i18n.units(source, tmp_path):
        po.append(i18n.polib.POEntry(msgctxt=unit.key, msgid=unit.text, msgstr="번역 " + unit.key))
    (tmp_path / i18n.po_path(source)).parent.mkdir(parents=True)
    po.save(str(tmp_path / i18n.po_path(source)))
    return tmp_path, source


def _markdown_cells(root: Path, source: Path):
    nb = nbformat.read(root / source, as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == "markdown"]


def test_check_names_an_edited_english_cell(sandbox):
    root, source = sandbox
    assert i18n.check_source(source, root) == []
    nb, cells = _markdown_cells(root, source)
    edited = cells[1]
    edited.source += "\n\nOne more English sentence."
    nbformat.write(nb, root / source)
    problems = i18n.check_source(source, root)
    assert len(problems) == 1
    assert f"{source}: cell {edited['id']} changed in English" in problems[0]


def test_check_names_new_and_removed_cells(sandbox):
    root, source = sandbox
    nb, cells = _markdown_cells(root, source)
    removed = cells[2]["id"]
    nb.cells.remove(cells[2])
    added = nbformat.v4.new_markdown_cell("A new paragraph.")
    added["id"] = "brand-new"
    nb.cells.append(added)
    nbformat.write(nb, root / source)
    problems = "\n".join(i18n.check_source(source, root))
    assert f"{source}: cell brand-new has no translation" in problems
    assert f"entry {removed!r} names no unit" in problems


def test_check_names_an_edited_block_of_a_markdown_page(tmp_path):
    page = Path("intro.md")
    shutil.copy(REPO / page, tmp_path / page)
    po = i18n.load_po(tmp_path / "missing.po")
    for unit in i18n.units(page, tmp_path):
        po.append(i18n.polib.POEntry(msgctxt=unit.key, msgid=unit.text, msgstr="번역"))
    (tmp_path / i18n.PO_ROOT).mkdir(parents=True)
    po.save(str(tmp_path / i18n.po_path(page)))
    assert i18n.check_source(page, tmp_path) == []
    blocks = i18n.markdown_blocks((tmp_path / page).read_text(encoding="utf-8"))
    blocks[2] = blocks[2].replace("one question", "a single question")
    (tmp_path / page).write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    problems = i18n.check_source(page, tmp_path)
    assert len(problems) == 1 and problems[0].startswith("intro.md: block b03 changed in English")


def test_update_keeps_every_translation(sandbox):
    root, source = sandbox
    nb, cells = _markdown_cells(root, source)
    changed, removed = cells[1], cells[2]
    changed.source += " (edited)"
    nb.cells.remove(removed)
    nbformat.write(nb, root / source)
    po_file = root / i18n.po_path(source)
    i18n.update_source(source, root).save(str(po_file))
    po = i18n.polib.pofile(str(po_file))
    entry = next(e for e in po if e.msgctxt == changed["id"])
    assert "fuzzy" in entry.flags and entry.msgstr == "번역 " + changed["id"]
    assert entry.msgid == changed.source and entry.previous_msgid
    gone = next(e for e in po if e.msgctxt == removed["id"])
    assert gone.obsolete and gone.msgstr == "번역 " + removed["id"]
    # Fuzzy entries fall back to English in the build and keep failing the check.
    assert changed["id"] not in i18n.translations(source, root)
    assert any("fuzzy" in p for p in i18n.check_source(source, root))


def test_update_pairs_a_changed_block_with_its_own_korean_after_an_insertion(tmp_path):
    page = Path("page.md")
    english = ["# Title", "Alpha paragraph about momentum.", "Beta paragraph about Adam steps."]
    (tmp_path / page).write_text("\n\n".join(english) + "\n", encoding="utf-8")
    po = i18n.load_po(tmp_path / "missing.po")
    korean_blocks = ["# 제목", "알파 문단", "베타 문단"]
    for unit, korean in zip(i18n.units(page, tmp_path), korean_blocks, strict=True):
        po.append(i18n.polib.POEntry(msgctxt=unit.key, msgid=unit.text, msgstr=korean))
    (tmp_path / i18n.PO_ROOT).mkdir(parents=True)
    po.save(str(tmp_path / i18n.po_path(page)))
    # A block inserted near the top shifts every key below it, and the last block changes.
    edited = [english[0], "A new block.", english[1], "Beta paragraph about Adam's steps."]
    (tmp_path / page).write_text("\n\n".join(edited) + "\n", encoding="utf-8")
    updated = {e.msgctxt: e for e in i18n.update_source(page, tmp_path) if not e.obsolete}
    assert updated["b02"].msgstr == "" and updated["b03"].msgstr == "알파 문단"
    assert updated["b04"].msgstr == "베타 문단" and "fuzzy" in updated["b04"].flags


def test_markdown_blocks_survive_an_insertion():
    page = "# Title\n\nFirst paragraph.\n\n```{note}\nA note.\n\nStill the note.\n```\n\nLast.\n"
    blocks = i18n.markdown_blocks(page)
    assert blocks == [
        "# Title",
        "First paragraph.",
        "```{note}\nA note.\n\nStill the note.\n```",
        "Last.",
    ]


# --- the committed Korean files ---------------------------------------------------------------


def test_committed_korean_files_are_up_to_date():
    expected = i18n.expected_outputs()
    stale = [
        str(p)
        for p, text in expected.items()
        if not (REPO / p).exists() or (REPO / p).read_text(encoding="utf-8") != text
    ]
    extra = [
        str(p.relative_to(REPO))
        for p in (REPO / i18n.OUT_ROOT).rglob("*")
        if p.is_file() and p.relative_to(REPO) not in expected
    ]
    assert not stale and not extra, (
        f"run `python tools/i18n.py build`: out of date {stale}, not generated {extra}"
    )


@pytest.mark.parametrize("source", i18n.notebook_sources(), ids=str)
def test_korean_notebook_code_is_the_english_code(source):
    english = nbformat.read(REPO / source, as_version=4)
    korean = nbformat.read(REPO / i18n.OUT_ROOT / source, as_version=4)
    assert [(c.cell_type, c.get("id")) for c in korean.cells] == [
        (c.cell_type, c.get("id")) for c in english.cells
    ]
    pairs = zip(english.cells, korean.cells, strict=True)
    code_pairs = [(e, k) for e, k in pairs if e.cell_type == "code"]
    setup_en, setup_ko = code_pairs[0]
    # The one sanctioned difference: the setup cell switches the language at its end.
    assert setup_ko.source == setup_en.source.rstrip("\n") + "\n" + i18n.LANGUAGE_LINES
    for en_cell, ko_cell in code_pairs[1:]:
        assert ko_cell.source == en_cell.source, f"code cell {en_cell['id']} differs"
        assert ko_cell.metadata == en_cell.metadata
    assert korean.metadata["d2l_opt"]["lang"] == "ko"
    assert {k: v for k, v in korean.metadata.items() if k != "d2l_opt"} == {
        k: v for k, v in english.metadata.items() if k != "d2l_opt"
    }


def test_every_formula_and_reference_survives_translation():
    broken = []
    for source, key, english, korean in korean_texts():
        korean = i18n.localize_markdown(korean)
        # Every distinct formula appears (a sentence rebuilt for Korean may mention one once).
        lost = set(formulas(english)) - set(formulas(korean))
        if lost:
            broken.append(f"{source} cell {key}: formulas lost or changed {sorted(lost)}")
        if structure(english) != structure(korean):
            broken.append(
                f"{source} cell {key}: references differ: English {sorted(structure(english))}"
                f" Korean {sorted(structure(korean))}"
            )
    assert not broken, "\n".join(broken)


def test_formula_and_reference_patterns():
    text = (
        "(eq-x)=\n```{note}\nInline $a_t$, display $$\\sum_i x_i$$ and\n"
        "\\begin{aligned} x &= 1 \\end{aligned}, see {numref}`fig-a`.\n```\n"
    )
    assert sorted(formulas(text)) == sorted(
        ["$a_t$", "$$\\sum_i x_i$$", "\\begin{aligned} x &= 1 \\end{aligned}"]
    )
    assert sorted(structure(text)) == sorted(["(eq-x)=", "```{note}", "{numref}`fig-a`"])
    assert formulas(text.replace("a_t", "a_{t}")) != formulas(text)


# --- terminology ------------------------------------------------------------------------------

CODE_OR_MATH = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)
HEADING_OR_LINK = re.compile(r"^#+ .*$|\[[^\]]*\]\([^)]*\)", re.MULTILINE)


def prose(text: str) -> str:
    return CODE_OR_MATH.sub(" ", text)


def korean_prose_by_file():
    by_file: dict[str, list[str]] = {}
    for source, _key, _english, korean in korean_texts():
        by_file.setdefault(str(source), []).append(prose(korean))
    by_file["ko/glossary.md (intro and outro)"] = [
        prose(i18n.glossary_page().split("다음 표기는")[0])
    ]
    return {name: "\n".join(parts) for name, parts in by_file.items()}


def avoided_patterns():
    for term in i18n.glossary_terms():
        for avoid in term.get("avoid", []):
            text, pattern = (
                (avoid["text"], avoid["re"])
                if isinstance(avoid, dict)
                else (avoid, re.escape(avoid))
            )
            yield term, text, re.compile(pattern)


def test_no_competing_rendering_of_a_glossary_term():
    hits = []
    for name, text in korean_prose_by_file().items():
        for term, avoided, pattern in avoided_patterns():
            for match in pattern.finditer(text):
                context = text[max(0, match.start() - 15) : match.end() + 15].replace("\n", " ")
                hits.append(f"{name}: {avoided!r} instead of {term['ko']!r}: …{context}…")
    assert not hits, "\n".join(hits)


def test_the_competing_rendering_check_can_fail():
    patterns = {text: p for _t, text, p in avoided_patterns()}
    assert patterns["그래디언트"].search("그래디언트를 계산합니다")
    assert patterns["경사(단독으로)"].search("경사를 따라")
    assert not patterns["경사(단독으로)"].search("경사 하강법은")


# The key terms whose first use in each chapter must carry the English in parentheses.
# (Momentum is left out: like Adam it is also an optimizer's name, written without English.)
FIRST_USE_TERMS = (
    "gradient",
    "learning rate",
    "bias correction",
    "hyperparameter",
    "exponentially weighted moving average",
    "half-life",
    "effective learning rate",
)


def first_use_problems(source: Path) -> list[str]:
    korean = i18n.translations(source)
    english = " ".join(u.text for u in i18n.units(source))
    # Headings (the chapter title) and link texts do not carry the English; the prose does.
    text = "\n".join(
        HEADING_OR_LINK.sub(" ", prose(korean[u.key]))
        for u in i18n.units(source)
        if u.key in korean
    )
    longer = sorted((t["ko"] for t in i18n.glossary_terms()), key=len, reverse=True)
    problems = []
    for term in i18n.glossary_terms():
        if term["en"] not in FIRST_USE_TERMS or not re.search(
            rf"\b{re.escape(term['en'])}", english, re.I
        ):
            continue
        # Mask longer terms that contain this one (편향 inside 편향 보정).
        masked = text
        for other in longer:
            if term["ko"] in other and other != term["ko"]:
                masked = masked.replace(other, "\0" * len(other))
        at = masked.find(term["ko"])
        if at < 0:
            continue
        after = masked[at + len(term["ko"]) : at + len(term["ko"]) + 60]
        if not re.match(rf"[*_]*\s*\({re.escape(term['en'])}", after, re.I):
            problems.append(
                f"{source}: first 「{term['ko']}」 lacks ({term['en']}): …{after[:30]}…"
            )
    return problems


def test_first_use_of_key_terms_gives_the_english():
    chapters = [s for s in i18n.notebook_sources() if s.parts[0] == "chapters"]
    done = [s for s in chapters if not i18n.check_source(s)]
    problems = [p for s in done for p in first_use_problems(s)]
    assert not problems, "\n".join(problems)
