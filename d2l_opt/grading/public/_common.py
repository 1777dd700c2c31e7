"""Small helpers shared by the public check modules."""

from __future__ import annotations

from ..spec import Fail, as_choice, expect_close

__all__ = ["expect", "need", "choice"]


def need(ns: dict, name: str):
    if name not in ns:
        raise KeyError(f"`{name}`")
    value = ns[name]
    if value is Ellipsis:
        raise NotImplementedError
    return value


def expect(value, reference, *, what: str, hint: str = "", mistakes=None, rtol=1e-6) -> None:
    try:
        expect_close(value, reference, what=what, mistakes=mistakes, rtol=rtol)
    except Fail as fail:
        fail.hint = hint  # type: ignore[attr-defined]
        raise


def choice(ns: dict, name: str, choices: str) -> None:
    """Public check of a multiple-choice answer: only that it is one of the letters."""
    value = need(ns, name)
    as_choice(value, list(choices), what=f"`{name}`")
