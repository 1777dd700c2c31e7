"""The exercises' feedback in every language of the book: one message catalogue.

The public checks (``check("q1")`` in the student's notebook) speak
:func:`d2l_opt.i18n.get_language`; the grader speaks the language a submission's notebook
declares in its metadata, ``metadata["d2l_opt"]["lang"]`` (``"en"`` when absent; see
:func:`d2l_opt.grading.notebook.language`). A check is written once: it raises
:class:`~d2l_opt.grading.spec.Fail` with a catalogue key (or plain English text) and the
catalogue supplies each language's sentence. The texts live in ``messages.json`` beside this
module.

Keys of :data:`MISTAKES` name common mistakes (``"eps_outside"``); :data:`MESSAGES` holds the
sentences of the checks and the report; :data:`HINTS` the public checks' hints.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..i18n import load_catalogues, message

__all__ = ["HINTS", "MESSAGES", "MISTAKES", "describe", "render"]

_CATALOGUES = load_catalogues(Path(__file__).with_suffix(".json"))
#: What each common mistake means, in words shown to students.
MISTAKES = _CATALOGUES["mistakes"]
#: The sentences of the checks, the grader and the report.
MESSAGES = _CATALOGUES["messages"]
#: The public checks' hints.
HINTS = _CATALOGUES["hints"]


def describe(mistake: str | Mapping | None, lang: str = "en") -> str | None:
    """A mistake's description: a :data:`MISTAKES` key, a ``{"en": ..., "ko": ...}`` text, or
    a plain sentence (returned as it is)."""
    if mistake is None:
        return None
    return render(MISTAKES[mistake] if mistake in MISTAKES else mistake, lang)


def render(text, lang: str = "en", **fields) -> str:
    """``text`` in ``lang``: a :data:`MESSAGES` or :data:`HINTS` key, a ``{"en": ..., "ko":
    ...}`` mapping, or plain text (kept as it is). ``fields`` fill its ``{placeholders}``."""
    if isinstance(text, Mapping):
        return message({"_": text}, "_", lang=lang, **fields)
    if isinstance(text, str) and text in MESSAGES:
        return message(MESSAGES, text, lang=lang, **fields)
    if isinstance(text, str) and text in HINTS:
        return message(HINTS, text, lang=lang, **fields)
    return str(text).format(**fields) if fields else str(text)
