"""Small helpers shared by the public check modules."""

from __future__ import annotations

from ..spec import as_choice

__all__ = ["need", "choice"]


def need(ns: dict, name: str):
    if name not in ns:
        raise KeyError(f"`{name}`")
    value = ns[name]
    if value is Ellipsis:
        raise NotImplementedError
    return value


def choice(ns: dict, name: str, choices: str) -> None:
    """Public check of a multiple-choice answer: only that it is one of the letters."""
    value = need(ns, name)
    as_choice(value, list(choices), what=f"`{name}`")
