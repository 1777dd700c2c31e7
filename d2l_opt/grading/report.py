"""Write grading results: ``results.json`` (everything), ``report.md`` (readable, one section
per submission, then the similar pairs), ``class.csv`` (one row per submission, one column per
question) and ``similarity.csv`` (one row per compared pair); and keep each finished
submission's result in ``graded/`` so that a stopped run resumes (:class:`ResultStore`)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

from .messages import render

__all__ = ["ResultStore", "write_reports", "markdown_report"]


class ResultStore:
    """One JSON file per finished submission in ``out/graded/``, named by a hash of the
    submission's bytes, the masters' bytes and the options that change scores; a rerun reuses
    every file whose hash still matches and grades only the rest."""

    def __init__(self, out: Path, masters: dict, options) -> None:
        self.folder = Path(out) / "graded"
        digest = hashlib.sha256()
        for name in sorted(masters):
            digest.update(Path(masters[name].path).read_bytes())
        settings = [options.skip_slow, options.only, options.static_check, options.mode]
        digest.update(json.dumps(settings, default=str).encode())
        self.context = digest.hexdigest()

    def _file(self, submission: Path) -> Path:
        key = hashlib.sha256(self.context.encode() + Path(submission).read_bytes()).hexdigest()
        return self.folder / f"{Path(submission).stem[:40]}-{key[:16]}.json"

    def load(self, submission: Path) -> dict | None:
        try:
            file = self._file(submission)
            result = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        result["submission"] = str(submission)
        return result

    def save(self, submission: Path, result: dict) -> None:
        try:
            file = self._file(submission)
        except OSError:
            return  # an unreadable file is graded again (quickly) next time
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(f".part{os.getpid()}")
        partial.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        partial.replace(file)  # a killed run never leaves half a result under the final name


def _fmt(x: float) -> str:
    return f"{x:g}"


def markdown_report(results: list[dict], similar: list[dict] | None = None) -> str:
    """One section per submission, each in its notebook's language (``result["lang"]``)."""
    lines = [f"# {render('report_title')}", ""]
    for r in results:
        lang = r.get("lang", "en")

        def t(key: str, lang: str = lang, **fields) -> str:
            return render(key, lang, **fields)

        title = f"{r['student']} — {r.get('exercise') or 'unknown exercise'}"
        lines += [f"## {title}", ""]
        lines.append(f"{t('report_file')}: `{Path(r['submission']).name}`  ")
        lines.append(
            f"{t('report_score')}: **{_fmt(r['score'])} / {_fmt(r['max_score'])}** "
            f"({_fmt(r['percent'])} %)"
        )
        if r.get("sandbox"):
            lines[-1] += f"  \nSandbox: {r['sandbox']}"
        lines.append("")
        if r.get("problem"):
            lines += [f"**{t('report_not_graded')}:** {r['problem']}", ""]
        for note in r.get("notes", []):
            lines.append(f"- Note: {note}")
        if r.get("notes"):
            lines.append("")
        for q in r["questions"]:
            head = f"### {q['question']}: {q['title']} — {_fmt(q['score'])} / {_fmt(q['points'])}"
            if q["status"] == "skipped":
                head = f"### {q['question']}: {q['title']} — {t('report_skipped')}"
            lines += [head, ""]
            if q.get("problem"):
                lines.append(f"- {t('report_problem')}: {q['problem']}")
            for err in q.get("cell_errors", []):
                where = t("report_cell", number=err["cell"]) if err.get("cell") else t(
                    "report_a_cell")  # fmt: skip
                lines.append("- " + t("report_cell_raised", where=where, error=err["error"]))
            for test in q.get("tests", []):
                mark = "✓" if test["passed"] else "✗"
                points = f"{_fmt(test['points'])} {t('report_points')}"
                lines.append(f"- {mark} {test['name']} ({points}): {test['feedback']}")
            lines.append("")
    if similar is not None:
        lines += similarity_section(similar)
    return "\n".join(lines) + "\n"


def similarity_section(pairs: list[dict]) -> list[str]:
    flagged = [p for p in pairs if p["flagged"]]
    lines = ["## Similar submissions", ""]
    if not pairs:
        return lines + ["No two submissions of the same exercise to compare.", ""]
    threshold = pairs[0]["threshold"]
    lines.append(
        f"{len(pairs)} pairs compared (answer cells only, starter code left out, identifiers, "
        f"comments, whitespace and cell order ignored); {len(flagged)} at or above "
        f"{threshold:g} overlap. A flag is a reason to look, not a verdict."
    )
    lines.append("")
    if flagged:
        lines += ["| exercise | submission | submission | overlap |", "|---|---|---|---|"]
        for p in flagged:
            lines.append(f"| {p['exercise']} | `{p['a']}` | `{p['b']}` | {p['similarity']:.2f} |")
        lines.append("")
    return lines


def write_reports(
    results: list[dict],
    out_dir: str | Path,
    meta: dict | None = None,
    similar: list[dict] | None = None,
) -> dict:
    """Write the report files into ``out_dir``; return their paths by kind. ``similar`` (from
    :func:`d2l_opt.grading.similarity.similar_pairs`) adds ``similarity.csv`` and a section of
    ``report.md``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / "results.json",
        "markdown": out / "report.md",
        "csv": out / "class.csv",
    }
    document = {**(meta or {}), "submissions": results}
    paths["json"].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    paths["markdown"].write_text(markdown_report(results, similar), encoding="utf-8")
    if similar is not None:
        paths["similarity"] = out / "similarity.csv"
        with open(paths["similarity"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["exercise", "a", "b", "similarity", "flagged"])
            for p in similar:
                writer.writerow([p["exercise"], p["a"], p["b"], f"{p['similarity']:.3f}",
                                 int(p["flagged"])])  # fmt: skip
    columns: list[str] = []
    for r in results:
        for q in r["questions"]:
            column = f"{r['exercise']}.{q['question']}"
            if column not in columns:
                columns.append(column)
    with open(paths["csv"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "file", "exercise", *columns, "score", "max", "percent",
                         "problem"])  # fmt: skip
        for r in results:
            scores = {f"{r['exercise']}.{q['question']}": q for q in r["questions"]}
            row = [r["student"], Path(r["submission"]).name, r.get("exercise") or ""]
            for column in columns:
                q = scores.get(column)
                row.append("" if q is None or q["status"] == "skipped" else _fmt(q["score"]))
            row += [_fmt(r["score"]), _fmt(r["max_score"]), _fmt(r["percent"]),
                    r.get("problem") or ""]  # fmt: skip
            writer.writerow(row)
    return paths
