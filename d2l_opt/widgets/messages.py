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

MESSAGES = i18n.catalogue(
    {
        # -- controls ------------------------------------------------------------------------------
        "problem": ("problem", "문제"),
        "theta": ("turn θ (°)", "회전 θ (°)"),
        "optimizers": ("optimizers", "옵티마이저"),
        "lr": ("η (learning rate)", "η (학습률)"),
        "momentum": ("β (momentum)", "β (모멘텀)"),
        "alpha": ("γ (RMSProp)", "γ (RMSProp)"),
        "beta1": ("β₁ (Adam)", "β₁ (Adam)"),
        "beta2": ("β₂ (Adam)", "β₂ (Adam)"),
        "eps": ("ε", "ε"),
        "eps_inside_sqrt": ("ε placement", "ε 위치"),
        "eps_outside": ("√s + ε (torch)", "√s + ε (torch)"),
        "eps_inside": ("√(s + ε) (d2l)", "√(s + ε) (d2l)"),
        "steps": ("steps", "스텝 수"),
        "x0_1": ("start x₁", "시작점 x₁"),
        "x0_2": ("start x₂", "시작점 x₂"),
        "beta": ("β", "β"),
        "bias_correction": ("bias correction", "편향 보정"),
        "steps_t": ("steps t", "스텝 수 t"),
        # -- the trajectory explorer's problems ----------------------------------------------------
        "problem_isotropic": ("isotropic: x₁² + x₂²", "등방성: x₁² + x₂²"),
        "problem_anisotropic": ("anisotropic: x₁² + 8x₂²", "비등방성: x₁² + 8x₂²"),
        "problem_d2l": ("d2l: 0.1x₁² + 2x₂²", "d2l: 0.1x₁² + 2x₂²"),
        "problem_rosenbrock": ("Rosenbrock", "로젠브록"),
        "turned": ("{formula}, turned {degrees:.0f}°", "{formula}, {degrees:.0f}° 회전"),
        # -- panels --------------------------------------------------------------------------------
        "relative_loss": ("relative loss f(xₜ) / f(x₀)", "상대 손실 f(xₜ) / f(x₀)"),
        "step_t": ("step t", "스텝 t"),
        "series_title": ("series, signal and leaky average", "관측값, 신호와 지수 가중 평균"),
        "age": ("age k (weight of xₜ₋ₖ)", "경과 k (xₜ₋ₖ의 가중치)"),
        "weights_corrected": ("weights / (1 − βᵗ)", "가중치 / (1 − βᵗ)"),
        "weights_plain": ("weights (1 − β)βᵏ", "가중치 (1 − β)βᵏ"),
        "ewma_caption": (
            "β = {beta:.2f}: about 1/(1 − β) = {window:.1f} terms remembered",
            "β = {beta:.2f}: 약 1/(1 − β) = {window:.1f}개 항을 기억",
        ),
        "bias_corrected": (", bias corrected", ", 편향 보정"),
        "not_bias_corrected": (
            ", no bias correction (starts from 0)",
            ", 편향 보정 없음 (0에서 시작)",
        ),
        "diverges": ("diverges", "발산"),
        "learning_rate_axis": ("learning rate η", "학습률 η"),
        "momentum_axis": ("momentum β", "모멘텀 β"),
        "rate_title": ("rate ρ(η, β)", "수렴 속도 ρ(η, β)"),
        "roots_title": ("roots of z² − (1 + β − ηλ)z + β", "z² − (1 + β − ηλ)z + β의 근"),
        "coordinates_title": ("coordinates xᵢ(t) and ±ρᵢᵗ", "좌표 xᵢ(t)와 ±ρᵢᵗ"),
        "eigen_legend": ("λ{sub} = {lam:g} (x{sub})", "λ{sub} = {lam:g} (x{sub})"),
        "rate_caption": ("ρ = {rate:.3f}", "ρ = {rate:.3f}"),
        "rate_caption_diverges": ("ρ = {rate:.3f} (diverges)", "ρ = {rate:.3f} (발산)"),
        # -- notes ---------------------------------------------------------------------------------
        "needs_javascript": (
            "This interactive figure needs JavaScript.",
            "이 대화형 그림을 보려면 자바스크립트가 필요합니다.",
        ),
        "needs_javascript_trajectory": (
            "Interactive figure (needs JavaScript): {names} on the {problem}",
            "대화형 그림(자바스크립트 필요): {problem} 문제에서 {names}",
        ),
    }
)


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
