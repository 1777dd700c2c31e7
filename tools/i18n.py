"""The Korean edition: translations kept in step with the English sources.

Translation units live in gettext PO files under ``i18n/ko/``, one per English source, at the
same relative path (``chapters/ewma.ipynb`` -> ``i18n/ko/chapters/ewma.po``):

* notebooks: one entry per markdown cell, ``msgctxt`` = the cell id, ``msgid`` = the cell's exact
  English source, ``msgstr`` = the Korean text;
* Markdown pages (``intro.md`` ...): one entry per block (text between blank lines, a fenced block
  kept whole), ``msgctxt`` = ``b01``, ``b02``, ... in page order, ``msgid`` = the English block.

Because every entry records the English it translates, a changed English cell no longer equals
its ``msgid`` and ``check`` names it; so does a new cell without an entry and an entry whose cell
is gone. ``update`` brings the PO files up to date without losing a translation: a changed cell
keeps its old Korean marked *fuzzy* (with the previous English), a removed cell's entry becomes
*obsolete* (``#~`` lines, still in the file). ``build`` writes the committed Korean notebooks and
pages under ``ko/``; ``book`` builds the Korean HTML edition into ``_build/html/ko`` from the
English build's executed notebooks (outputs are reused, nothing is executed again).

Commands::

    python tools/i18n.py check    # exit 1 naming every stale, missing or untranslated unit
    python tools/i18n.py update   # add new units, mark changed ones fuzzy, keep the rest
    python tools/i18n.py build    # write ko/**: notebooks and Markdown pages
    python tools/i18n.py book     # after `jupyter-book build .`: write _build/html/ko
    python tools/i18n.py status   # one line per source: translated / total units
"""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib
import yaml

REPO = Path(__file__).resolve().parents[1]
LANG = "ko"
PO_ROOT = Path("i18n") / LANG
OUT_ROOT = Path(LANG)
GLOSSARY = PO_ROOT / "glossary.yml"

# The English sources of the Korean edition: every page of the book plus the exercise notebooks
# (which are not pages, but are opened in Jupyter and Colab).
MARKDOWN_PAGES = ("intro.md", "exercises/index.md", "references.md")
NOTEBOOK_GLOBS = ("chapters/*.ipynb", "exercises/*.ipynb")

# The one line a Korean notebook's code adds to the English code: appended to the setup (first
# code) cell, it switches figures and exercise feedback to Korean.
LANGUAGE_LINES = f'\nimport d2l_opt.i18n\n\nd2l_opt.i18n.set_language("{LANG}")'
LANGUAGE_MARKER = f'd2l_opt.i18n.set_language("{LANG}")'

PO_METADATA = {
    "Project-Id-Version": "Adaptive Steps",
    "Language": LANG,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


# --- sources and their translation units ------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    key: str  # msgctxt: a cell id, or b01, b02, ... for a Markdown page's blocks
    text: str  # the English source of the unit


def notebook_sources(root: Path = REPO) -> list[Path]:
    paths: list[Path] = []
    for pattern in NOTEBOOK_GLOBS:
        paths += sorted(p.relative_to(root) for p in root.glob(pattern))
    return paths


def sources(root: Path = REPO) -> list[Path]:
    return [Path(p) for p in MARKDOWN_PAGES if (root / p).exists()] + notebook_sources(root)


def po_path(source: Path) -> Path:
    return PO_ROOT / source.with_suffix(".po")


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def markdown_blocks(text: str) -> list[str]:
    """Split a Markdown page at blank lines; a fenced block stays whole, blank lines and all."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
        elif fence is not None and match and line.strip().startswith(fence):
            if line.strip().rstrip(fence[0]) == "":
                fence = None
        if fence is None and not line.strip():
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if fence is not None:
        raise ValueError("unclosed code fence in a Markdown page")
    if current:
        blocks.append("\n".join(current))
    return blocks


def units(source: Path, root: Path = REPO) -> list[Unit]:
    """The translation units of one English source, in page order."""
    path = root / source
    if source.suffix == ".md":
        blocks = markdown_blocks(path.read_text(encoding="utf-8"))
        return [Unit(f"b{i:02d}", block) for i, block in enumerate(blocks, start=1)]
    nb = nbformat.read(path, as_version=4)
    found: list[Unit] = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if not cell.get("id"):
            raise ValueError(f"{source}: a markdown cell has no id (nbformat 4.5 ids are needed)")
        found.append(Unit(cell["id"], cell.source))
    return found


def load_po(path: Path) -> polib.POFile:
    if not path.exists():
        po = polib.POFile(wrapwidth=0)
        po.metadata = dict(PO_METADATA)
        return po
    return polib.pofile(str(path), wrapwidth=0)


def live_entries(po: polib.POFile) -> dict[str, polib.POEntry]:
    entries: dict[str, polib.POEntry] = {}
    for entry in po:
        if entry.obsolete:
            continue
        entries[entry.msgctxt or ""] = entry
    return entries


# --- check and update -------------------------------------------------------------------------


def _excerpt(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def check_source(source: Path, root: Path = REPO) -> list[str]:
    """Problems of one source's translation, each naming the source and the unit."""
    po_file = root / po_path(source)
    if not po_file.exists():
        return [f"{source}: no translation file {po_path(source)}"]
    entries = live_entries(load_po(po_file))
    problems: list[str] = []
    english = units(source, root)
    for unit in english:
        entry = entries.get(unit.key)
        where = (
            f"{source}: cell {unit.key}"
            if source.suffix == ".ipynb"
            else f"{source}: block {unit.key}"
        )
        if entry is None:
            problems.append(f"{where} has no translation ({_excerpt(unit.text)!r})")
        elif entry.msgid != unit.text:
            problems.append(
                f"{where} changed in English since it was translated: run "
                f"`python tools/i18n.py update` and revise the Korean"
            )
        elif not entry.msgstr.strip():
            problems.append(f"{where} is not translated yet")
        elif "fuzzy" in entry.flags:
            problems.append(f"{where} is marked fuzzy: revise the Korean, then drop the flag")
    keys = {unit.key for unit in english}
    for key in entries:
        if key not in keys:
            problems.append(
                f"{source}: translation entry {key!r} names no unit of the English "
                f"source: run `python tools/i18n.py update`"
            )
    return problems


def check(root: Path = REPO) -> list[str]:
    problems: list[str] = []
    for source in sources(root):
        problems += check_source(source, root)
    expected = {po_path(s) for s in sources(root)}
    for po_file in sorted((root / PO_ROOT).rglob("*.po")):
        if po_file.relative_to(root) not in expected:
            problems.append(f"{po_file.relative_to(root)}: translates no English source")
    return problems


def update_source(source: Path, root: Path = REPO) -> polib.POFile:
    """The source's PO file brought up to date; no translation is dropped.

    A unit whose English is unchanged keeps its entry; English that moved to another key (a
    Markdown block shifted by an insertion) takes its translation along; a changed unit keeps
    its old Korean, marked fuzzy with the previous English; an entry whose unit is gone stays in
    the file as obsolete. Notebook cells keep their id, so a changed cell is paired with its own
    entry; Markdown blocks are keyed by position, so a changed block is paired with the most
    similar entry left over (an insertion above it must not hand it a neighbour's Korean).
    """
    old = load_po(root / po_path(source))
    by_key = live_entries(old)
    new_units = units(source, root)
    consumed: set[int] = set()
    kept: dict[str, polib.POEntry] = {}
    # First pass: English that is unchanged, at its key or moved to another one.
    by_text = {e.msgid: e for e in old if not e.obsolete and e.msgstr}
    for unit in new_units:
        entry = by_key.get(unit.key)
        if entry is not None and entry.msgid == unit.text:
            kept[unit.key] = entry
            consumed.add(id(entry))
    for unit in new_units:
        moved = by_text.get(unit.text)
        if unit.key not in kept and moved is not None and id(moved) not in consumed:
            kept[unit.key] = copy.copy(moved)
            kept[unit.key].msgctxt = unit.key
            consumed.add(id(moved))
    # Second pass: changed English keeps the Korean of its earlier version, marked fuzzy.
    for unit in new_units:
        if unit.key in kept:
            continue
        earlier = by_key.get(unit.key)
        if source.suffix == ".md":
            left_over = [e for e in by_key.values() if id(e) not in consumed]
            earlier = _most_similar(unit.text, left_over)
        if earlier is not None and id(earlier) not in consumed:
            entry = copy.copy(earlier)
            entry.msgctxt = unit.key
            entry.previous_msgid = earlier.msgid
            entry.msgid = unit.text
            entry.flags = [*(f for f in earlier.flags if f != "fuzzy"), "fuzzy"]
            consumed.add(id(earlier))
        else:
            entry = polib.POEntry(msgctxt=unit.key, msgid=unit.text, msgstr="")
        kept[unit.key] = entry
    new = polib.POFile(wrapwidth=0)
    new.metadata = dict(old.metadata or PO_METADATA)
    for unit in new_units:
        new.append(kept[unit.key])
    for entry in old:
        if entry.obsolete:
            new.append(entry)
        elif id(entry) not in consumed and entry.msgstr:
            gone = copy.copy(entry)
            gone.obsolete = True
            new.append(gone)
    return new


def _most_similar(text: str, entries: list[polib.POEntry], at_least: float = 0.6):
    """The entry whose English is closest to ``text`` (difflib's ratio), if any is close."""
    scored = [(difflib.SequenceMatcher(None, e.msgid, text).ratio(), e) for e in entries]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best[1] if best[0] >= at_least else None


def update(root: Path = REPO) -> list[Path]:
    written = []
    for source in sources(root):
        path = root / po_path(source)
        new = update_source(source, root)
        text = str(new)
        if not path.exists() or path.read_text(encoding="utf-8") != text + "\n":
            path.parent.mkdir(parents=True, exist_ok=True)
            new.save(str(path))
            written.append(path)
    return written


def status(root: Path = REPO) -> list[tuple[Path, int, int]]:
    rows = []
    for source in sources(root):
        english = units(source, root)
        path = root / po_path(source)
        entries = live_entries(load_po(path)) if path.exists() else {}
        done = sum(
            1
            for u in english
            if (e := entries.get(u.key)) is not None
            and e.msgid == u.text
            and e.msgstr.strip()
            and "fuzzy" not in e.flags
        )
        rows.append((source, done, len(english)))
    return rows


# --- Korean sources ---------------------------------------------------------------------------


def translations(source: Path, root: Path = REPO) -> dict[str, str]:
    """Korean text per unit key: only current entries (stale ones fall back to English)."""
    path = root / po_path(source)
    if not path.exists():
        return {}
    english = {u.key: u.text for u in units(source, root)}
    return {
        key: entry.msgstr
        for key, entry in live_entries(load_po(path)).items()
        if entry.msgstr.strip() and english.get(key) == entry.msgid and "fuzzy" not in entry.flags
    }


def repository_url(root: Path = REPO) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def localize_markdown(text: str, root: Path = REPO) -> str:
    """Links that open an English notebook in Colab open its Korean copy instead."""
    base = repository_url(root).removeprefix("https://github.com/")
    return re.sub(
        rf"(colab\.research\.google\.com/github/{re.escape(base)}/blob/[^/\s]+/)(?!{LANG}/)",
        rf"\g<1>{LANG}/",
        text,
    )


def korean_notebook(nb: nbformat.NotebookNode, source: Path, root: Path = REPO):
    """A copy of ``nb`` (English, executed or not): Korean markdown, the language line."""
    nb = copy.deepcopy(nb)
    korean = translations(source, root)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.get("id") in korean:
            cell.source = localize_markdown(korean[cell["id"]], root)
    setup = next((c for c in nb.cells if c.cell_type == "code"), None)
    if setup is None:
        raise ValueError(f"{source}: no code cell to switch the language in")
    if LANGUAGE_MARKER not in setup.source:
        setup.source = setup.source.rstrip("\n") + "\n" + LANGUAGE_LINES
    nb.metadata.setdefault("d2l_opt", {})["lang"] = LANG
    return nb


def korean_markdown(source: Path, root: Path = REPO) -> str:
    korean = translations(source, root)
    blocks = [korean.get(u.key, u.text) for u in units(source, root)]
    return localize_markdown("\n\n".join(blocks) + "\n", root)


def _glossary_first_uses(terms: list[dict], root: Path) -> dict[str, str]:
    """Per English term, the first chapter (in book order) whose English prose uses it."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    texts = {}
    for doc in docs:
        for suffix in (".ipynb", ".md"):
            path = root / f"{doc}{suffix}"
            if path.exists():
                texts[doc] = " ".join(u.text for u in units(Path(f"{doc}{suffix}"), root)).lower()
    first: dict[str, str] = {}
    for term in terms:
        if term.get("defined"):
            first[term["en"]] = term["defined"]
            continue
        names = [term["en"].lower(), *(a.lower() for a in term.get("en_also", []))]
        for doc in docs:
            if doc != "intro" and any(
                re.search(rf"\b{re.escape(n)}", texts.get(doc, "")) for n in names
            ):
                first[term["en"]] = doc
                break
    return first


def glossary_terms(root: Path = REPO) -> list[dict]:
    data = yaml.safe_load((root / GLOSSARY).read_text(encoding="utf-8"))
    return data["terms"]


def glossary_page(root: Path = REPO) -> str:
    data = yaml.safe_load((root / GLOSSARY).read_text(encoding="utf-8"))
    terms = data["terms"]
    first = _glossary_first_uses(terms, root)
    lines = [
        f"# {data['title']}",
        "",
        data["intro"].strip(),
        "",
        "| 한국어 | 영어 | 처음 나오는 곳 |",
        "| --- | --- | --- |",
    ]
    for term in sorted(terms, key=lambda t: t["ko"]):
        where = f"{{doc}}`/{first[term['en']]}`" if term["en"] in first else "—"
        lines.append(f"| {term['ko']} | {term['en']} | {where} |")
    lines += ["", data["avoid_intro"].strip(), ""]
    for term in terms:
        if term.get("avoid"):
            avoided = ", ".join(a["text"] if isinstance(a, dict) else a for a in term["avoid"])
            lines.append(f"- {term['ko']}({term['en']}): {avoided}")
    lines += ["", data["outro"].strip(), ""]
    return "\n".join(lines)


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def notebook_text(nb) -> str:
    return nbformat.writes(nb) + "\n"


def expected_outputs(root: Path = REPO) -> dict[Path, str]:
    """Every file of ``ko/`` as ``build`` writes it (relative path -> text)."""
    files: dict[Path, str] = {}
    for source in notebook_sources(root):
        nb = nbformat.read(root / source, as_version=4)
        files[OUT_ROOT / source] = notebook_text(korean_notebook(nb, source, root))
    for page in MARKDOWN_PAGES:
        if (root / page).exists():
            files[OUT_ROOT / page] = korean_markdown(Path(page), root)
    files[OUT_ROOT / "glossary.md"] = glossary_page(root)
    return files


def build(root: Path = REPO) -> list[Path]:
    files = expected_outputs(root)
    written = [p for p, text in files.items() if _write_if_changed(root / p, text)]
    for stale in sorted((root / OUT_ROOT).rglob("*")):
        if stale.is_file() and stale.relative_to(root) not in files:
            stale.unlink()
            written.append(stale.relative_to(root))
    return written


# --- the Korean HTML edition ------------------------------------------------------------------

TOC_CAPTIONS = {
    "The optimizers": "옵티마이저",
    "Reference": "참고 자료",
    "Exercises": "연습 문제",
    "Back matter": "부록",
}


def korean_toc(root: Path = REPO) -> dict:
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        if part["caption"] not in TOC_CAPTIONS:
            raise ValueError(
                f"_toc.yml: caption {part['caption']!r} has no Korean in tools/i18n.py"
            )
        part["caption"] = TOC_CAPTIONS[part["caption"]]
    toc["parts"][-1]["chapters"].append({"file": "glossary"})
    return toc


def korean_config(root: Path = REPO) -> dict:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = "Adaptive Steps 한국어판"
    # Outputs come from the English build's executed notebooks: nothing runs again.
    config["execute"]["execute_notebooks"] = "off"
    config["repository"]["path_to_book"] = LANG  # launch buttons open ko/chapters/X.ipynb
    config["bibtex_bibfiles"] = [str(root / b) for b in config["bibtex_bibfiles"]]
    sphinx = config["sphinx"]
    sphinx["local_extensions"] = {
        name: str(root / path) for name, path in sphinx.get("local_extensions", {}).items()
    }
    sphinx["local_extensions"]["language_switch"] = str(root / "tools")
    sphinx_config = sphinx["config"]
    sphinx_config["language"] = LANG
    sphinx_config["html_extra_path"] = [str(root / p) for p in sphinx_config["html_extra_path"]]
    sphinx_config["book_language"] = LANG
    sphinx_config["book_pages_without_counterpart"] = ["glossary"]  # the glossary is Korean only
    # MyST-NB's buttons on hidden cells ("Show code cell source"): Sphinx has no Korean for them.
    sphinx_config["nb_code_prompt_show"] = "코드 셀 펼치기"
    sphinx_config["nb_code_prompt_hide"] = "코드 셀 접기"
    return config


def executed_notebook(source: Path, root: Path = REPO, build_dir: Path | None = None):
    """The English build's executed copy of the notebook ``source`` (relative to ``root``),
    with every output, the glued values included, for this checkout's code.

    It comes from the build's jupyter-cache, not from ``_build/jupyter_execute``: MyST-NB
    writes that copy without outputs whenever the notebook was served from the cache (a
    markdown-only edit, a touched file), and moves the glued values out into ``.glue.json``.
    Raises ``FileNotFoundError`` when the cache holds no run of the current code.
    """
    from jupyter_cache import get_cache

    build_dir = build_dir or root / "_build"
    cache_dir = build_dir / ".jupyter_cache"
    nb = nbformat.read(root / source, as_version=4)
    if cache_dir.is_dir():
        try:
            return get_cache(cache_dir).merge_match_into_notebook(nb)[1]
        except KeyError:
            pass
    raise FileNotFoundError(
        f"{source}: the English build has not executed this code; "
        "build the English book first (`jupyter-book build .`)"
    )


def stage(root: Path = REPO, build_dir: Path | None = None) -> Path:
    """Write the Korean book's source folder from the English build's executed notebooks."""
    build_dir = build_dir or root / "_build"
    stage_dir = build_dir / f"{LANG}_src"
    toc = korean_toc(root)
    wanted: dict[Path, str] = {
        Path("_config.yml"): yaml.safe_dump(
            korean_config(root), allow_unicode=True, sort_keys=False
        ),
        Path("_toc.yml"): yaml.safe_dump(toc, allow_unicode=True, sort_keys=False),
    }
    docs = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for doc in docs:
        if doc == "glossary":
            wanted[Path("glossary.md")] = glossary_page(root)
        elif (root / f"{doc}.md").exists():
            wanted[Path(f"{doc}.md")] = korean_markdown(Path(f"{doc}.md"), root)
        else:
            source = Path(f"{doc}.ipynb")
            nb = executed_notebook(source, root, build_dir)
            wanted[source] = notebook_text(korean_notebook(nb, source, root))
    # Unchanged files keep their time stamps, so Sphinx rebuilds only what changed.
    for path, text in wanted.items():
        _write_if_changed(stage_dir / path, text)
    for stale in sorted(stage_dir.rglob("*")):
        rel = stale.relative_to(stage_dir)
        if stale.is_file() and rel.parts[0] != "_build" and rel not in wanted:
            stale.unlink()
    return stage_dir


def book(
    root: Path = REPO,
    flags: list[str] | None = None,
    build_dir: Path | None = None,
    quiet: bool = False,
) -> Path:
    """Build the Korean HTML edition into ``<build_dir>/html/ko`` (after the English build)."""
    build_dir = build_dir or root / "_build"
    stage_dir = stage(root, build_dir)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [str(jupyter_book), "build", str(stage_dir), *(flags or [])],
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    built = stage_dir / "_build" / "html"
    target = build_dir / "html" / LANG
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(built, target)
    return target


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["check", "update", "build", "book", "status", "stage"])
    parser.add_argument("flags", nargs=argparse.REMAINDER, help="for `book`: jupyter-book flags")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s)" if problems else "translations are up to date")
        return 1 if problems else 0
    if args.command == "update":
        for path in update():
            print(f"updated {path.relative_to(REPO)}")
    elif args.command == "build":
        for path in build():
            print(f"wrote {path}")
    elif args.command == "stage":
        print(stage())
    elif args.command == "book":
        print(f"Korean edition: {book(flags=args.flags)}")
    elif args.command == "status":
        for source, done, total in status():
            mark = "complete" if done == total else "incomplete"
            print(f"{source}: {done}/{total} {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
