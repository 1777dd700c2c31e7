"""Every text the interactive figures show, in each language of :mod:`d2l_opt.i18n`.

One catalogue for the three figures' live views: control labels, units, titles, axis names,
legends, captions and the fallback notes. Numbers are filled in by the caller (``{beta:.2f}``
and the like), so they read the same in every language. The static view receives the control
labels through the figure's configuration, with its ``lang``.

>>> text("bias_correction", "ko")
'편향 보정'
"""

from __future__ import annotations

from .. import i18n

__all__ = ["MESSAGES", "text", "resolve_language"]

MESSAGES: dict[str, dict[str, str]] = {
    # -- controls ------------------------------------------------------------------------------
    "problem": {"en": "problem", "ko": "문제"},
    "theta": {"en": "turn \u03b8 (\u00b0)", "ko": "회전 \u03b8 (\u00b0)"},
    "optimizers": {"en": "optimizers", "ko": "옵티마이저"},
    "lr": {"en": "\u03b7 (learning rate)", "ko": "\u03b7 (학습률)"},
    "momentum": {"en": "\u03b2 (momentum)", "ko": "\u03b2 (모멘텀)"},
    "alpha": {"en": "\u03b3 (RMSProp)", "ko": "\u03b3 (RMSProp)"},
    "beta1": {"en": "\u03b2\u2081 (Adam)", "ko": "\u03b2\u2081 (Adam)"},
    "beta2": {"en": "\u03b2\u2082 (Adam)", "ko": "\u03b2\u2082 (Adam)"},
    "eps": {"en": "\u03b5", "ko": "\u03b5"},
    "eps_inside_sqrt": {"en": "\u03b5 placement", "ko": "\u03b5 위치"},
    "eps_outside": {"en": "\u221as + \u03b5 (torch)", "ko": "\u221as + \u03b5 (torch)"},
    "eps_inside": {"en": "\u221a(s + \u03b5) (d2l)", "ko": "\u221a(s + \u03b5) (d2l)"},
    "steps": {"en": "steps", "ko": "스텝 수"},
    "x0_1": {"en": "start x\u2081", "ko": "시작점 x\u2081"},
    "x0_2": {"en": "start x\u2082", "ko": "시작점 x\u2082"},
    "beta": {"en": "\u03b2", "ko": "\u03b2"},
    "bias_correction": {"en": "bias correction", "ko": "편향 보정"},
    "steps_t": {"en": "steps t", "ko": "스텝 수 t"},
    # -- the trajectory explorer's problems ----------------------------------------------------
    "problem_isotropic": {
        "en": "isotropic: x\u2081\u00b2 + x\u2082\u00b2",
        "ko": "등방성: x\u2081\u00b2 + x\u2082\u00b2",
    },
    "problem_anisotropic": {
        "en": "anisotropic: x\u2081\u00b2 + 8x\u2082\u00b2",
        "ko": "비등방성: x\u2081\u00b2 + 8x\u2082\u00b2",
    },
    "problem_d2l": {
        "en": "d2l: 0.1x\u2081\u00b2 + 2x\u2082\u00b2",
        "ko": "d2l: 0.1x\u2081\u00b2 + 2x\u2082\u00b2",
    },
    "problem_rosenbrock": {"en": "Rosenbrock", "ko": "로젠브록"},
    "turned": {
        "en": "{formula}, turned {degrees:.0f}\u00b0",
        "ko": "{formula}, {degrees:.0f}\u00b0 회전",
    },
    # -- panels --------------------------------------------------------------------------------
    "relative_loss": {
        "en": "relative loss f(x\u209c) / f(x\u2080)",
        "ko": "상대 손실 f(x\u209c) / f(x\u2080)",
    },
    "step_t": {"en": "step t", "ko": "스텝 t"},
    "series_title": {
        "en": "series, signal and leaky average",
        "ko": "관측값, 신호와 지수 가중 평균",
    },
    "age": {
        "en": "age k (weight of x\u209c\u208b\u2096)",
        "ko": "경과 k (x\u209c\u208b\u2096의 가중치)",
    },
    "weights_corrected": {
        "en": "weights / (1 \u2212 \u03b2\u1d57)",
        "ko": "가중치 / (1 \u2212 \u03b2\u1d57)",
    },
    "weights_plain": {
        "en": "weights (1 \u2212 \u03b2)\u03b2\u1d4f",
        "ko": "가중치 (1 \u2212 \u03b2)\u03b2\u1d4f",
    },
    "ewma_caption": {
        "en": "\u03b2 = {beta:.2f}: about 1/(1 \u2212 \u03b2) = {window:.1f} terms remembered",
        "ko": "\u03b2 = {beta:.2f}: 약 1/(1 \u2212 \u03b2) = {window:.1f}개 항을 기억",
    },
    "bias_corrected": {"en": ", bias corrected", "ko": ", 편향 보정"},
    "not_bias_corrected": {
        "en": ", no bias correction (starts from 0)",
        "ko": ", 편향 보정 없음 (0에서 시작)",
    },
    "diverges": {"en": "diverges", "ko": "발산"},
    "learning_rate_axis": {"en": "learning rate \u03b7", "ko": "학습률 \u03b7"},
    "momentum_axis": {"en": "momentum \u03b2", "ko": "모멘텀 \u03b2"},
    "rate_title": {"en": "rate \u03c1(\u03b7, \u03b2)", "ko": "수렴 속도 \u03c1(\u03b7, \u03b2)"},
    "roots_title": {
        "en": "roots of z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2",
        "ko": "z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2의 근",
    },
    "coordinates_title": {
        "en": "coordinates x\u1d62(t) and \u00b1\u03c1\u1d62\u1d57",
        "ko": "좌표 x\u1d62(t)와 \u00b1\u03c1\u1d62\u1d57",
    },
    "eigen_legend": {
        "en": "\u03bb{sub} = {lam:g} (x{sub})",
        "ko": "\u03bb{sub} = {lam:g} (x{sub})",
    },
    "rate_caption": {"en": "\u03c1 = {rate:.3f}", "ko": "\u03c1 = {rate:.3f}"},
    "rate_caption_diverges": {
        "en": "\u03c1 = {rate:.3f} (diverges)",
        "ko": "\u03c1 = {rate:.3f} (발산)",
    },
    # -- notes ---------------------------------------------------------------------------------
    "needs_javascript": {
        "en": "This interactive figure needs JavaScript.",
        "ko": "이 대화형 그림을 보려면 자바스크립트가 필요합니다.",
    },
    "needs_javascript_trajectory": {
        "en": "Interactive figure (needs JavaScript): {names} on the {problem}",
        "ko": "대화형 그림(자바스크립트 필요): {problem} 문제에서 {names}",
    },
}


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
