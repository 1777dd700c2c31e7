"""Pairs of submissions whose answers look alike: the similarity section of a grading report.

For each exercise, every pair of its submissions is compared on their *answer code*: the code
cells of the question sections (setup cells and cells the grader skips left out), with IPython
magics removed. The comparison is copydetect's (a maintained implementation of winnowing, the
fingerprinting MOSS uses): identifiers, comments and whitespace are normalised away, the
fingerprints form a set, so renaming variables, rewriting comments and reordering cells change
nothing, and fingerprints that also occur in the exercise's starter code (the student notebook
the master generates) are left out, so that two untouched notebooks are not "similar".

A pair's similarity is the smaller of the two shares of answer code covered by shared
fingerprints: 1.0 means each answer is (after normalisation) contained in the other. Pairs at or
above the threshold are flagged. Too little answer code (a blank notebook) compares as 0.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

__all__ = ["NOISE", "GUARANTEE", "answer_code", "similar_pairs", "similarity"]

#: copydetect's noise threshold k (matches shorter than this many normalised characters are
#: ignored) and guarantee threshold (matches this long are always found): its own defaults.
NOISE = 25
GUARANTEE = 30
#: Answers with fewer normalised characters than this (after the starter code) compare as 0.
MIN_CHARACTERS = 60


def answer_code(notebook) -> str:
    """The code a student wrote for the questions: code cells of every question section."""
    from .child import transform_magics
    from .notebook import HIDDEN_TAG, QUESTION_PREFIX, SKIP_TAG, tags

    section = None
    parts = []
    for cell in notebook.get("cells", []):
        cell_tags = tags(cell)
        for tag in cell_tags:
            if tag.startswith(QUESTION_PREFIX):
                section = tag
        if cell.get("cell_type") != "code" or section is None:
            continue
        if SKIP_TAG in cell_tags or HIDDEN_TAG in cell_tags:
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        parts.append(transform_magics(source))
    return "\n\n".join(parts)


def _fingerprint(code: str, boilerplate=None):
    from copydetect import CodeFingerprint

    win = GUARANTEE - NOISE + 1
    return CodeFingerprint("answer.py", NOISE, win, boilerplate=boilerplate, language="python",
                           fp=io.StringIO(code))  # fmt: skip


def _boilerplate(starter: str):
    """Every k-gram hash of the starter code (not only its winnowed ones, so that none of it
    can match)."""
    import numpy as np
    from copydetect.utils import filter_code, hashed_kgrams

    if not starter.strip():
        return []
    filtered, _ = filter_code(starter, "starter.py", "python")
    return np.unique(hashed_kgrams(filtered, k=NOISE))


def similarity(code_a: str, code_b: str, starter: str = "") -> float:
    """How much of two answers is shared, ignoring what ``starter`` already holds (0 to 1)."""
    boilerplate = _boilerplate(starter)
    return _compare(_fingerprint(code_a, boilerplate), _fingerprint(code_b, boilerplate))


def _compare(a, b) -> float:
    from copydetect import compare_files

    if min(len(a.filtered_code), len(b.filtered_code)) < MIN_CHARACTERS:
        return 0.0
    if len(a.hashes) == 0 or len(b.hashes) == 0:
        return 0.0
    _, (share_a, share_b), _ = compare_files(a, b)
    return float(min(share_a, share_b))


def similar_pairs(results: list[dict], masters: dict, threshold: float = 0.8) -> list[dict]:
    """Compare every two graded submissions of the same exercise; one row per pair, most
    similar first: ``{"exercise", "a", "b", "similarity", "flagged", "threshold"}``."""
    import nbformat

    from .notebook import student_notebook
    from .submission import SubmissionError, read_submission

    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"the similarity threshold must lie in (0, 1], not {threshold}")
    try:
        import copydetect  # noqa: F401  (an instructor's extra, not a learner's dependency)
    except ImportError:
        raise ImportError(
            "the similarity report needs copydetect: pip install 'd2l-opt[grading]'"
        ) from None
    by_exercise: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        exercise = result.get("exercise")
        if exercise not in masters or result.get("problem"):
            continue
        try:
            sub = read_submission(result["submission"])
        except SubmissionError:
            continue
        label = Path(result["submission"]).name
        by_exercise.setdefault(exercise, []).append((label, answer_code(sub.notebook)))
    pairs = []
    for exercise, answers in sorted(by_exercise.items()):
        master = nbformat.read(masters[exercise].path, as_version=4)
        boilerplate = _boilerplate(answer_code(student_notebook(master)))
        prints = [(label, _fingerprint(code, boilerplate)) for label, code in answers]
        for (label_a, a), (label_b, b) in itertools.combinations(prints, 2):
            share = _compare(a, b)
            pairs.append({"exercise": exercise, "a": label_a, "b": label_b,
                          "similarity": round(share, 4), "flagged": share >= threshold,
                          "threshold": threshold})  # fmt: skip
    pairs.sort(key=lambda p: -p["similarity"])
    return pairs
