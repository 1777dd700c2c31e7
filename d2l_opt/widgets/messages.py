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
    "theta": {"en": "turn θ (°)", "ko": "회전 θ (°)"},
    "optimizers": {"en": "optimizers", "ko": "옵티마이저"},
    "lr": {"en": "η (learning rate)", "ko": "η (학습률)"},
    "momentum": {"en": "β (momentum)", "ko": "β (모멘텀)"},
    "alpha": {"en": "γ (RMSProp)", "ko": "γ (RMSProp)"},
    "beta1": {"en": "β₁ (Adam)", "ko": "β₁ (Adam)"},
    "beta2": {"en": "β₂ (Adam)", "ko": "β₂ (Adam)"},
    "eps": {"en": "ε", "ko": "ε"},
    "eps_inside_sqrt": {"en": "ε placement", "ko": "ε 위치"},
    "eps_outside": {"en": "√s + ε (torch)", "ko": "√s + ε (torch)"},
    "eps_inside": {"en": "√(s + ε) (d2l)", "ko": "√(s + ε) (d2l)"},
    "steps": {"en": "steps", "ko": "스텝 수"},
    "x0_1": {"en": "start x₁", "ko": "시작점 x₁"},
    "x0_2": {"en": "start x₂", "ko": "시작점 x₂"},
    "beta": {"en": "β", "ko": "β"},
    "bias_correction": {"en": "bias correction", "ko": "편향 보정"},
    "steps_t": {"en": "steps t", "ko": "스텝 수 t"},
    # -- the trajectory explorer's problems ----------------------------------------------------
    "problem_isotropic": {"en": "isotropic: x₁² + x₂²", "ko": "등방성: x₁² + x₂²"},
    "problem_anisotropic": {"en": "anisotropic: x₁² + 8x₂²", "ko": "비등방성: x₁² + 8x₂²"},
    "problem_d2l": {"en": "d2l: 0.1x₁² + 2x₂²", "ko": "d2l: 0.1x₁² + 2x₂²"},
    "problem_rosenbrock": {"en": "Rosenbrock", "ko": "로젠브록"},
    "turned": {"en": "{formula}, turned {degrees:.0f}°", "ko": "{formula}, {degrees:.0f}° 회전"},
    # -- panels --------------------------------------------------------------------------------
    "relative_loss": {"en": "relative loss f(xₜ) / f(x₀)", "ko": "상대 손실 f(xₜ) / f(x₀)"},
    "step_t": {"en": "step t", "ko": "스텝 t"},
    "series_title": {
        "en": "series, signal and leaky average",
        "ko": "관측값, 신호와 지수 가중 평균",
    },
    "age": {"en": "age k (weight of xₜ₋ₖ)", "ko": "경과 k (xₜ₋ₖ의 가중치)"},
    "weights_corrected": {"en": "weights / (1 − βᵗ)", "ko": "가중치 / (1 − βᵗ)"},
    "weights_plain": {"en": "weights (1 − β)βᵏ", "ko": "가중치 (1 − β)βᵏ"},
    "ewma_caption": {
        "en": "β = {beta:.2f}: about 1/(1 − β) = {window:.1f} terms remembered",
        "ko": "β = {beta:.2f}: 약 1/(1 − β) = {window:.1f}개 항을 기억",
    },
    "bias_corrected": {"en": ", bias corrected", "ko": ", 편향 보정"},
    "not_bias_corrected": {
        "en": ", no bias correction (starts from 0)",
        "ko": ", 편향 보정 없음 (0에서 시작)",
    },
    "diverges": {"en": "diverges", "ko": "발산"},
    "learning_rate_axis": {"en": "learning rate η", "ko": "학습률 η"},
    "momentum_axis": {"en": "momentum β", "ko": "모멘텀 β"},
    "rate_title": {"en": "rate ρ(η, β)", "ko": "수렴 속도 ρ(η, β)"},
    "roots_title": {"en": "roots of z² − (1 + β − ηλ)z + β", "ko": "z² − (1 + β − ηλ)z + β의 근"},
    "coordinates_title": {"en": "coordinates xᵢ(t) and ±ρᵢᵗ", "ko": "좌표 xᵢ(t)와 ±ρᵢᵗ"},
    "eigen_legend": {"en": "λ{sub} = {lam:g} (x{sub})", "ko": "λ{sub} = {lam:g} (x{sub})"},
    "rate_caption": {"en": "ρ = {rate:.3f}", "ko": "ρ = {rate:.3f}"},
    "rate_caption_diverges": {"en": "ρ = {rate:.3f} (diverges)", "ko": "ρ = {rate:.3f} (발산)"},
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
