"""Write grading results: ``results.json`` (everything), ``report.md`` (readable, one section
per submission) and ``class.csv`` (one row per submission, one column per question)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

__all__ = ["write_reports", "markdown_report"]


def _fmt(x: float) -> str:
    return f"{x:g}"


def markdown_report(results: list[dict]) -> str:
    lines = ["# Grading report", ""]
    for r in results:
        title = f"{r['student']} — {r.get('exercise') or 'unknown exercise'}"
        lines += [f"## {title}", ""]
        lines.append(f"File: `{Path(r['submission']).name}`  ")
        lines.append(
            f"Score: **{_fmt(r['score'])} / {_fmt(r['max_score'])}** ({_fmt(r['percent'])} %)"
        )
        if r.get("sandbox"):
            lines[-1] += f"  \nSandbox: {r['sandbox']}"
        lines.append("")
        if r.get("problem"):
            lines += [f"**Not graded:** {r['problem']}", ""]
        for note in r.get("notes", []):
            lines.append(f"- Note: {note}")
        if r.get("notes"):
            lines.append("")
        for q in r["questions"]:
            head = f"### {q['question']}: {q['title']} — {_fmt(q['score'])} / {_fmt(q['points'])}"
            if q["status"] == "skipped":
                head = f"### {q['question']}: {q['title']} — skipped (not counted)"
            lines += [head, ""]
            if q.get("problem"):
                lines.append(f"- Problem: {q['problem']}")
            for err in q.get("cell_errors", []):
                where = f"cell {err['cell']}" if err.get("cell") else "a cell"
                lines.append(f"- {where} raised `{err['error']}`")
            for t in q.get("tests", []):
                mark = "✓" if t["passed"] else "✗"
                lines.append(f"- {mark} {t['name']} ({_fmt(t['points'])} pt): {t['feedback']}")
            lines.append("")
    return "\n".join(lines) + "\n"


def write_reports(results: list[dict], out_dir: str | Path, meta: dict | None = None) -> dict:
    """Write the three files into ``out_dir``; return their paths by kind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / "results.json",
        "markdown": out / "report.md",
        "csv": out / "class.csv",
    }
    document = {**(meta or {}), "submissions": results}
    paths["json"].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    paths["markdown"].write_text(markdown_report(results), encoding="utf-8")
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
