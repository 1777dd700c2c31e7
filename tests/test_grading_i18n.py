"""Feedback in the student's language: check("q1") and the grader's report speak Korean for a
Korean notebook (from one message catalogue), English by default."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from d2l_opt import i18n
from d2l_opt.grading import checker, grader, messages
from d2l_opt.grading.notebook import HIDDEN_TAG, tags
from d2l_opt.grading.report import markdown_report

REPO = Path(__file__).resolve().parents[1]
MASTERS = REPO / "exercises" / "master"
EPS_INSIDE = ("(np.sqrt(s) + eps)", "np.sqrt(s + eps)")


@pytest.fixture
def korean():
    i18n.set_language("ko")
    yield
    i18n.set_language(None)


def wrong_adagrad(lang: str | None = None):
    nb = nbformat.read(MASTERS / "adagrad.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in tags(c)]
    nb.metadata["d2l_opt"].pop("master", None)
    for cell in nb.cells:
        cell.source = cell.source.replace(*EPS_INSIDE)
    if lang:
        nb.metadata["d2l_opt"]["lang"] = lang
    return nb


def namespace_of(nb) -> dict:
    ns: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(("import numpy", "def ")):
            exec(compile(cell.source, "<cell>", "exec"), ns)
    return ns


def test_the_catalogue_has_every_language():
    for catalogue in (messages.MISTAKES, messages.MESSAGES, messages.HINTS):
        assert i18n.missing_translations(catalogue) == []
    for key, texts in messages.MISTAKES.items():
        if any("\uac00" <= ch <= "\ud7a3" for ch in texts["en"]):
            pytest.fail(f"{key}: Hangul in the English text")


def test_check_speaks_english_by_default_and_korean_when_asked(capsys, korean):
    ns = namespace_of(wrong_adagrad())
    checker("adagrad")("q1", ns)
    out = capsys.readouterr().out
    assert "❌ q1: 실패" in out and "힌트:" in out
    assert messages.MISTAKES["eps_inside"]["ko"] in out  # the named mistake, in Korean
    i18n.set_language(None)
    checker("adagrad")("q1", ns)
    out = capsys.readouterr().out
    assert "❌ q1: failed" in out and "ε inside the square root" in out and "Hint:" in out


def test_grader_report_for_a_korean_submission_is_korean(tmp_path):
    masters = grader.load_masters(MASTERS / "adagrad.ipynb")
    paths = []
    for lang in ("ko", None):
        paths.append(tmp_path / f"{lang or 'en'}.ipynb")
        nbformat.write(wrong_adagrad(lang), paths[-1])
    ko, en = grader.grade(paths, masters, grader.GradeOptions(jobs=2, mode="subprocess"))
    assert ko["lang"] == "ko" and en["lang"] == "en"
    ko_feedback = " | ".join(t["feedback"] for q in ko["questions"] for t in q["tests"])
    en_feedback = " | ".join(t["feedback"] for q in en["questions"] for t in q["tests"])
    assert messages.MISTAKES["eps_inside"]["ko"] in ko_feedback
    assert "실패: 답이 흔한 실수와 일치합니다" in ko_feedback and "통과" in ko_feedback
    assert "ε inside the square root" in en_feedback and "실패" not in en_feedback
    names = [t["name"] for q in ko["questions"] for t in q["tests"]]
    assert "숨은 검사 1" in names
    report = markdown_report([ko, en])
    ko_part, en_part = report.split("## ", 2)[1:]
    assert "점수:" in ko_part and "파일:" in ko_part
    assert "Score:" in en_part and "점수" not in en_part


def test_a_korean_notebook_in_a_fresh_kernel_prints_korean_feedback(tmp_path):
    from nbclient import NotebookClient

    from d2l_opt.grading.notebook import SKIP_TAG

    nb = wrong_adagrad("ko")
    setup = next(c for c in nb.cells if "checker(" in c.source)
    setup.source = 'import d2l_opt.i18n\n\nd2l_opt.i18n.set_language("ko")\n' + setup.source
    nb.cells = [c for c in nb.cells if SKIP_TAG not in tags(c)]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "❌ q1: 실패" in out and messages.MISTAKES["eps_inside"]["ko"] in out
    assert "✅ q2:" in out and "공개 검사" in out
