"""The exercises' feedback in every language of the book: one message catalogue.

The public checks (``check("q1")`` in the student's notebook) speak
:func:`d2l_opt.i18n.get_language`; the grader speaks the language a submission's notebook
declares in its metadata, ``metadata["d2l_opt"]["lang"]`` (``"en"`` when absent; see
:func:`d2l_opt.grading.notebook.language`). A check is written once: it raises
:class:`~d2l_opt.grading.spec.Fail` with a catalogue key (or plain English text) and the
catalogue supplies each language's sentence.

Keys of :data:`MISTAKES` name common mistakes (``"eps_outside"``); :data:`MESSAGES` holds the
sentences of the checks and the report; :data:`HINTS` the public checks' hints.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..i18n import catalogue, message

__all__ = ["HINTS", "MESSAGES", "MISTAKES", "describe", "render"]

#: What each common mistake means, in words shown to students.
MISTAKES = catalogue(
    {
        "eps_outside": (
            "ε outside the square root (dividing by √s + ε); this exercise fixes ε inside: "
            "√(s + ε)",
            "ε를 제곱근 밖에 두었습니다(√s + ε로 나눔). 이 연습 문제에서는 ε를 제곱근 안에 "
            "둡니다: √(s + ε)",
        ),
        "eps_inside": (
            "ε inside the square root (dividing by √(s + ε)); this exercise fixes ε outside: "
            "√s + ε",
            "ε를 제곱근 안에 두었습니다(√(s + ε)로 나눔). 이 연습 문제에서는 ε를 제곱근 밖에 "
            "둡니다: √s + ε",
        ),
        "g_not_squared": (
            "g instead of g² in the average of squared gradients",
            "기울기 제곱의 평균에 g² 대신 g를 넣었습니다",
        ),
        "wrong_sign": (
            "the wrong sign: the step goes up the gradient instead of down",
            "부호가 반대입니다. 스텝이 기울기를 따라 내려가지 않고 올라갑니다",
        ),
        "state_not_updated": (
            "the state is not carried from one step to the next (it restarts from its initial "
            "value every step)",
            "상태가 다음 스텝으로 이어지지 않습니다(스텝마다 초깃값에서 다시 시작합니다)",
        ),
        "one_minus_swapped": (
            "β where 1 − β belongs (the new term weighted by β, the old by 1 − β)",
            "1 − β 자리에 β를 썼습니다(새 항에 β, 이전 값에 1 − β를 곱함)",
        ),
        "sqrt_missing": ("no square root in the denominator", "분모에 제곱근이 없습니다"),
        "no_bias_correction": (
            "missing bias correction (no division by 1 − βᵗ)",
            "편향 보정이 빠졌습니다(1 − βᵗ로 나누지 않음)",
        ),
        "off_by_one_t": (
            "an off-by-one in t (the bias correction uses t + 1 or t − 1 instead of t)",
            "t가 하나 어긋났습니다(편향 보정에 t 대신 t + 1이나 t − 1을 씀)",
        ),
        "ema_form": (
            "the average form v ← βv + (1 − β)g; this exercise uses the heavy ball v ← βv + g",
            "평균 형태 v ← βv + (1 − β)g를 썼습니다. 이 연습 문제는 헤비 볼 방법 v ← βv + g를 "
            "씁니다",
        ),
        "stale_velocity": (
            "the step uses the velocity from before this step's update (off by one)",
            "스텝이 이번 업데이트 전의 속도를 씁니다(하나 어긋남)",
        ),
        "rate_not_squared": (
            "the convergence rate (√κ − 1)/(√κ + 1) instead of the momentum β, which is its square",
            "모멘텀 β 대신 수렴 속도 (√κ − 1)/(√κ + 1)을 답했습니다. β는 그 제곱입니다",
        ),
        "gd_rate": (
            "gradient descent's rate (κ − 1)/(κ + 1) instead of the optimal momentum",
            "최적 모멘텀 대신 경사 하강법의 수렴 속도 (κ − 1)/(κ + 1)을 답했습니다",
        ),
        "window_instead": (
            "the effective window 1/(1 − β) instead of the half-life",
            "반감기 대신 유효 윈도 1/(1 − β)를 답했습니다",
        ),
        "inverted_log": ("the ratio of logarithms upside down", "로그의 비를 거꾸로 계산했습니다"),
        "off_by_one_steps": (
            "an off-by-one in counting steps",
            "스텝을 세는 수가 하나 어긋났습니다",
        ),
        "rate_before_update": (
            "the rate computed before this step's gradient is added to the sum (off by one)",
            "이번 스텝의 기울기를 합에 더하기 전에 학습률을 계산했습니다(하나 어긋남)",
        ),
        "no_max": (
            "no running maximum (plain Adam instead of AMSGrad)",
            "누적 최댓값이 없습니다(AMSGrad가 아니라 그냥 Adam입니다)",
        ),
        "max_not_stored": (
            "the running maximum is not carried to the next step",
            "누적 최댓값이 다음 스텝으로 이어지지 않습니다",
        ),
        "window_ratio": ("β/(1 − β)", "β/(1 − β)"),
        "gd_step": ("gradient descent's 2/(L + μ)", "경사 하강법의 2/(L + μ)"),
        "inverse_eps": (
            "1/ε instead of 1/√ε (the root is missing)",
            "1/√ε 대신 1/ε입니다(제곱근이 빠졌습니다)",
        ),
        "sqrt_eps": ("√ε instead of 1/√ε", "1/√ε 대신 √ε입니다"),
        "axis_gradient": (
            "the gradient of the axis-aligned problem 0.1x1² + 2x2²",
            "축에 정렬된 문제 0.1x1² + 2x2²의 기울기입니다",
        ),
        "half_gradient": (
            "half the gradient (a factor 2 from the squares is missing)",
            "기울기의 절반입니다(제곱에서 나오는 인수 2가 빠졌습니다)",
        ),
        "rotated_sign": (
            "a sign error in the derivative of (x1 − x2)²",
            "(x1 − x2)²의 도함수에서 부호가 틀렸습니다",
        ),
    }
)

#: The sentences of the checks, the grader and the report.
MESSAGES = catalogue(
    {
        # public checks in the student's notebook
        "check_passed": (
            "✅ {question}: {count} public checks passed. The grader runs further, hidden "
            "tests on submission.",
            "✅ {question}: 공개 검사 {count}개를 통과했습니다. 제출하면 채점기가 숨은 검사를 "
            "더 실행합니다.",
        ),
        "check_failed": ("❌ {question}: failed: {reason}", "❌ {question}: 실패: {reason}"),
        "check_hint": ("   Hint: {hint}", "   힌트: {hint}"),
        "check_undefined": (
            "{name} is not defined; run the cell that defines it (and keep its name)",
            "{name}이(가) 정의되지 않았습니다. 정의하는 셀을 실행하세요(이름은 그대로 두세요)",
        ),
        "check_not_implemented": (
            "not implemented yet (replace `raise NotImplementedError` by your code)",
            "아직 구현하지 않았습니다(`raise NotImplementedError`를 여러분의 코드로 바꾸세요)",
        ),
        "check_raised": (
            "your code raised {error}",
            "여러분의 코드에서 {error}이(가) 발생했습니다",
        ),
        "check_not_allowed": (
            "⚠️ {question} uses {reason}: the grader gives this question 0.",
            "⚠️ {question}에서 허용되지 않는 것을 사용합니다({reason}). 채점기는 이 문제에 "
            "0점을 줍니다.",
        ),
        # answers and comparisons (spec.py)
        "no_answer": (
            "no answer from `{name}` (the code did not get that far)",
            "`{name}`의 답이 없습니다(코드가 거기까지 실행되지 않았습니다)",
        ),
        "undefined": (
            "`{name}` is not defined; run its cell, keep its name",
            "`{name}`이(가) 정의되지 않았습니다. 그 셀을 실행하고 이름은 그대로 두세요",
        ),
        "not_implemented": (
            "`{name}` is not implemented yet",
            "`{name}`을(를) 아직 구현하지 않았습니다",
        ),
        "raised": ("`{name}` raised {kind}", "`{name}`에서 {kind}이(가) 발생했습니다"),
        "matches_mistake": (
            "{what} matches a common mistake: {mistake}",
            "{what}이(가) 흔한 실수와 일치합니다: {mistake}",
        ),
        "not_finite": (
            "{what} contains nan or inf where the reference is finite",
            "{what}에 nan이나 inf가 있습니다(기준값은 유한합니다)",
        ),
        "mismatch": (
            "{what} does not match the reference",
            "{what}이(가) 기준값과 일치하지 않습니다",
        ),
        "wrong_shape": (
            "{what} has shape {got}, expected {want}",
            "{what}의 모양이 {got}입니다. {want}이어야 합니다",
        ),
        "not_numbers": (
            "{what} should be an array of numbers",
            "{what}은(는) 숫자 배열이어야 합니다",
        ),
        "not_a_choice": (
            "{what} should be one of {choices}",
            "{what}은(는) {choices} 중 하나여야 합니다",
        ),
        # the grader's per-test feedback and the report
        "passed": ("passed", "통과"),
        "failed": ("failed", "실패"),
        "failed_mistake": (
            "failed: your answer matches a common mistake: {mistake}",
            "실패: 답이 흔한 실수와 일치합니다: {mistake}",
        ),
        "hidden_test": ("hidden test {number}", "숨은 검사 {number}"),
        "grader_error": (
            "the grader could not check this answer (error in the master)",
            "채점기가 이 답을 검사하지 못했습니다(마스터 노트북의 오류)",
        ),
        "report_title": ("Grading report", "채점 보고서"),
        "report_file": ("File", "파일"),
        "report_score": ("Score", "점수"),
        "report_not_graded": ("Not graded", "채점하지 않음"),
        "report_problem": ("Problem", "문제점"),
        "report_cell_raised": (
            "{where} raised `{error}`",
            "{where}에서 `{error}`이(가) 발생했습니다",
        ),
        "report_cell": ("cell {number}", "셀 {number}"),
        "report_a_cell": ("a cell", "한 셀"),
        "report_skipped": ("skipped (not counted)", "건너뜀(점수에 넣지 않음)"),
        "report_points": ("pt", "점"),
    }
)

#: The public checks' hints.
HINTS = catalogue(
    {
        "adagrad_q1": (
            "s ← s + g², x ← x − η g / (√s + ε); this exercise puts ε outside the root.",
            "s ← s + g², x ← x − η g / (√s + ε)입니다. 이 연습 문제에서는 ε를 제곱근 밖에 둡니다.",
        ),
        "adagrad_q2": (
            "row t is η / (√s_t + ε) with s_t the sum of g² up to and including step t",
            "t번째 행은 η / (√s_t + ε)이고, s_t는 스텝 t까지(t 포함)의 g² 합입니다",
        ),
        "momentum_q1": (
            "v ← β v + g, then x ← x − η v; row 0 of the result is x0.",
            "v ← β v + g, 그다음 x ← x − η v입니다. 결과의 0번째 행은 x0입니다.",
        ),
        "momentum_q2_beta": (
            "the heavy ball converges at rate (√κ − 1)/(√κ + 1) when β is its square",
            "β가 (√κ − 1)/(√κ + 1)의 제곱일 때 헤비 볼 방법은 그 속도로 수렴합니다",
        ),
        "momentum_q2_lr": ("η = 4 / (√L + √μ)²", "η = 4 / (√L + √μ)²입니다"),
        "ewma_q1": (
            "v_t = β v_{{t-1}} + (1 - β) x_t from v_0 = 0, then divide by 1 - β**t (t from 1).",
            "v_0 = 0에서 시작해 v_t = β v_{{t-1}} + (1 - β) x_t를 구하고, 1 - β**t로 나눕니다"
            "(t는 1부터).",
        ),
        "ewma_q1_constant": (
            "a bias-corrected average of a constant series is that constant",
            "상수 수열을 편향 보정해 평균하면 그 상수가 됩니다",
        ),
        "ewma_q2_half_life": ("solve β**k = 1/2 for k", "β**k = 1/2를 k에 대해 푸세요"),
        "ewma_q2_window": (
            "the weights (1 - β) β**k sum to 1; how many terms of weight 1 - β is that?",
            "가중치 (1 - β) β**k의 합은 1입니다. 가중치가 1 - β인 항 몇 개에 해당할까요?",
        ),
        "adam_q1": (
            "m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², divide m by 1 − β1**t and v by "
            "1 − β2**t, step η m̂ / (√v̂ + ε)",
            "m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²로 갱신하고, m은 1 − β1**t로, "
            "v는 1 − β2**t로 나눈 뒤 η m̂ / (√v̂ + ε)만큼 움직입니다",
        ),
        "adam_q2": (
            "vmax ← max(vmax, v) of the raw (uncorrected) v; the step divides by "
            "√(vmax / (1 − β2**t)) + ε",
            "vmax ← max(vmax, v)는 보정하지 않은 v로 구합니다. 스텝은 "
            "√(vmax / (1 − β2**t)) + ε로 나눕니다",
        ),
        "rmsprop_q1": (
            "s ← γ s + (1 − γ) g², x ← x − η g / √(s + ε), s starts at 0; row 0 is x0.",
            "s ← γ s + (1 − γ) g², x ← x − η g / √(s + ε)이고 s는 0에서 시작합니다. 0번째 행은 "
            "x0입니다.",
        ),
        "rmsprop_q1_multiplier": (
            "with γ = 1 the state s never leaves 0: what is g / √(0 + ε)?",
            "γ = 1이면 상태 s는 0에서 벗어나지 않습니다. g / √(0 + ε)은 얼마일까요?",
        ),
        "rmsprop_q2_grad": (
            "differentiate 0.1(x1 + x2)² + 2(x1 − x2)² with respect to x1 and x2",
            "0.1(x1 + x2)² + 2(x1 − x2)²을 x1과 x2로 미분하세요",
        ),
        "rmsprop_q2_steps": (
            "t counts steps: t = 0 is x0 itself; return the first t with f(x_t) < tol",
            "t는 스텝 수입니다. t = 0은 x0 자신이며, f(x_t) < tol인 첫 t를 반환하세요",
        ),
        "rmsprop_q3": (
            "return torch.optim.RMSprop(params, lr=lr) (or d2l_opt.optim.RMSprop)",
            "torch.optim.RMSprop(params, lr=lr)(또는 d2l_opt.optim.RMSprop)을 반환하세요",
        ),
        "rmsprop_q4": (
            "step t (counting from 1) uses γ = schedule(t)",
            "스텝 t(1부터 셈)는 γ = schedule(t)를 씁니다",
        ),
    }
)


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
