"""Every text the interactive figures show, in each language of :mod:`d2l_opt.i18n`.

One catalogue for the three figures' live views: control labels, units, titles, axis names,
legends, captions and the fallback notes. Numbers are filled in by the caller (``{beta:.2f}``
and the like), so they read the same in every language. The static view receives the control
labels through the figure's configuration, with its ``lang``. The texts live in
``messages.json`` beside this module.

>>> text("bias_correction", "ko")
'편향 보정'
"""

from __future__ import annotations

from pathlib import Path

from .. import i18n

__all__ = ["MESSAGES", "text", "resolve_language"]

MESSAGES = i18n.load_catalogues(Path(__file__).with_suffix(".json"))["figures"]


def resolve_language(lang: str | None) -> str:
    """``lang`` checked, or the language in force (:func:`d2l_opt.i18n.get_language`)."""
    if lang is None:
        return i18n.get_language()
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(i18n.LANGUAGES)}")
    return lang


def text(key: str, lang: str, **fields) -> str:
    """The figure text ``key`` in ``lang``, filled with ``fields``."""
    return i18n.message(MESSAGES, key, lang=lang, **fields)
