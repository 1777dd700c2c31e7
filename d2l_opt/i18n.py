"""The reader's language: English by default, Korean on request.

Figures' labels and the exercises' feedback are looked up in message catalogues, one per module
that shows text, so that a check is written once and speaks every language of the book. A
catalogue maps a message key to its text in every language of :data:`LANGUAGES`:

>>> from d2l_opt import i18n
>>> greeting = {"hello": {"en": "Hello, {name}.", "ko": "{name} 님, 안녕하세요."}}
>>> i18n.message(greeting, "hello", name="Ada")
'Hello, Ada.'
>>> i18n.message(greeting, "hello", lang="ko", name="Ada")
'Ada 님, 안녕하세요.'

The language in force is, in order: the last :func:`set_language`, the environment variable
``D2L_OPT_LANG``, then English. The Korean notebooks call ``set_language("ko")`` in their setup
cell.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
ENV_VAR = "D2L_OPT_LANG"

__all__ = [
    "LANGUAGES",
    "set_language",
    "get_language",
    "language_chosen",
    "load_catalogues",
    "message",
    "missing_translations",
]

_chosen: str | None = None


def _checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def set_language(lang: str | None) -> None:
    """Choose the language of figures and feedback (``None`` returns to the default lookup).

    >>> set_language("ko"); get_language()
    'ko'
    >>> set_language(None)
    """
    global _chosen
    _chosen = None if lang is None else _checked(lang)


def get_language() -> str:
    """The language in force: :func:`set_language`, else ``$D2L_OPT_LANG``, else English.

    >>> get_language() in LANGUAGES
    True
    """
    if _chosen is not None:
        return _chosen
    from_env = os.environ.get(ENV_VAR, "").strip()
    return _checked(from_env) if from_env else DEFAULT_LANGUAGE


def language_chosen() -> bool:
    """Whether a language was chosen (:func:`set_language` or ``$D2L_OPT_LANG``), not defaulted.

    Figures say their language to the page only when it was chosen; otherwise the page's own
    language decides (the Korean book reuses the English build's figures).

    >>> set_language(None); language_chosen() == bool(os.environ.get(ENV_VAR, "").strip())
    True
    """
    return _chosen is not None or bool(os.environ.get(ENV_VAR, "").strip())


def load_catalogues(path: str | Path) -> dict[str, dict[str, dict[str, str]]]:
    """The catalogues of a JSON data file ``{"section": {"key": {"en": ..., "ko": ...}}}``.

    Texts live in data files so that translators edit plain data; a module reads its file once,
    at import. A text missing a language of :data:`LANGUAGES`, or in an unknown one, is an error
    here rather than a surprise when the message is first shown.

    >>> figures = load_catalogues(Path(__file__).parent / "widgets" / "messages.json")["figures"]
    >>> figures["steps"]
    {'en': 'steps', 'ko': '스텝 수'}
    """
    path = Path(path)
    with path.open(encoding="utf-8") as file:
        sections = json.load(file)
    if not isinstance(sections, dict):
        raise ValueError(f"{path.name}: expected an object of catalogues, got {sections!r}")
    for section, table in sections.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path.name}: catalogue {section!r} is not an object")
        for key, texts in table.items():
            if not isinstance(texts, dict) or sorted(texts) != sorted(LANGUAGES):
                found = sorted(texts) if isinstance(texts, dict) else texts
                raise ValueError(
                    f"{path.name}: message {section}.{key} has {found!r}, expected one text per "
                    "language: " + ", ".join(LANGUAGES)
                )
    return sections


def message(
    catalogue: Mapping[str, Mapping[str, str]], key: str, lang: str | None = None, **fields
) -> str:
    """The text of ``key`` in ``lang`` (default: :func:`get_language`), filled with ``fields``.

    >>> message({"n": {"en": "{k} steps", "ko": "{k}스텝"}}, "n", lang="ko", k=5)
    '5스텝'
    """
    lang = get_language() if lang is None else _checked(lang)
    try:
        texts = catalogue[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in this catalogue") from None
    if lang not in texts:
        raise KeyError(f"message {key!r} has no {lang!r} text")
    return texts[lang].format(**fields)


def missing_translations(catalogue: Mapping[str, Mapping[str, str]]) -> list[str]:
    """``key:lang`` for every message of ``catalogue`` that lacks a language (tests use this).

    >>> missing_translations({"a": {"en": "A"}})
    ['a:ko']
    """
    return [
        f"{key}:{lang}"
        for key, texts in catalogue.items()
        for lang in LANGUAGES
        if lang not in texts
    ]
