r"""Teaching versions of the exercises' rules, each with a switch for one common mistake.

``rmsprop_trajectory(..., mistake="eps_outside")`` runs RMSProp *as a student who put ε outside
the square root would*. The grader compares a wrong answer with these versions to say which
mistake it matches ("your update matches ε outside the square root"). With ``mistake=None``
each function is the correct rule; tests check that against :mod:`d2l_opt.rules`.

Common mistakes are no secret, so this module ships with the package: the public checks use it
for hints and the masters' hidden tests for diagnostics (there it runs in the trusted parent).
"""

from __future__ import annotations

import math

import numpy as np

from .messages import MISTAKES
from .messages import describe as _describe

__all__ = ["DESCRIPTIONS", "describe", "variants"]

#: What each mistake means, in English (every language: :data:`d2l_opt.grading.messages.MISTAKES`).
DESCRIPTIONS = {key: texts["en"] for key, texts in MISTAKES.items()}


def describe(mistake: str, lang: str = "en") -> str:
    return _describe(mistake, lang)


def variants(func, mistakes, *args, **kwargs) -> dict:
    """``{mistake key: thunk}`` for :func:`d2l_opt.grading.spec.expect_close`'s ``mistakes``."""
    return {m: (lambda m=m: func(*args, mistake=m, **kwargs)) for m in mistakes}


def _array(x) -> np.ndarray:
    return np.array(x, dtype=np.float64)


def _path(grad, x0, steps: int, update) -> np.ndarray:
    """Rows x_0 … x_steps of ``x, s = update(t, x, g, s)`` with g = grad(x) and the state s
    starting at 0. A mistaken rule may overflow: that gives inf/nan, without warnings."""
    x = _array(x0)
    s = np.zeros_like(x)
    out = [x.copy()]
    with np.errstate(all="ignore"):
        for t in range(steps):
            x, s = update(t, x, _array(grad(x)), s)
            out.append(x.copy())
    return np.array(out)


def _denominator(s, eps, inside: bool, mistake: str | None):
    """√(s + ε) if ``inside`` else √s + ε; the other placement under the mistake that puts ε
    on the wrong side, s + ε under ``"sqrt_missing"``."""
    if mistake == "sqrt_missing":
        return s + eps
    if mistake == ("eps_outside" if inside else "eps_inside"):
        inside = not inside
    return np.sqrt(s + eps) if inside else np.sqrt(s) + eps


def _descend(x, step, mistake: str | None):
    """``x - step``, or ``x + step`` under the ``"wrong_sign"`` mistake."""
    return x + step if mistake == "wrong_sign" else x - step


# ---------------------------------------------------------------------------------- EWMA


def ewma_bias_corrected(xs, beta: float, mistake: str | None = None) -> np.ndarray:
    r""":math:`v_t = \beta v_{t-1} + (1-\beta) x_t`, :math:`\hat v_t = v_t/(1-\beta^t)`."""
    xs = _array(xs)
    v = np.zeros_like(xs[0])
    out = np.empty_like(xs)
    for t in range(1, len(xs) + 1):
        x = xs[t - 1]
        if mistake == "one_minus_swapped":
            v = (1 - beta) * v + beta * x
        else:
            v = beta * v + (1 - beta) * x
        if mistake == "no_bias_correction":
            out[t - 1] = v
        elif mistake == "off_by_one_t":
            out[t - 1] = v / (1 - beta ** (t + 1))
        else:
            out[t - 1] = v / (1 - beta**t)
    return out


def half_life(beta: float, mistake: str | None = None) -> float:
    r"""Steps after which a term's weight halves: :math:`\ln(1/2)/\ln\beta`."""
    if mistake == "window_instead":
        return 1.0 / (1.0 - beta)
    if mistake == "inverted_log":
        return math.log(beta) / math.log(0.5)
    return math.log(0.5) / math.log(beta)


# ------------------------------------------------------------------------------ momentum


def heavy_ball_trajectory(grad, x0, lr, beta, steps, mistake: str | None = None) -> np.ndarray:
    r"""Heavy ball :math:`v \leftarrow \beta v + g`, :math:`x \leftarrow x - \eta v`,
    :math:`v_0 = 0`."""
    x = _array(x0)
    v = np.zeros_like(x)
    out = [x.copy()]
    for _ in range(steps):
        g = _array(grad(x))
        if mistake == "stale_velocity":
            x = x - lr * v
            v = beta * v + g
        else:
            if mistake == "ema_form":
                v = beta * v + (1 - beta) * g
            elif mistake == "state_not_updated":
                v = beta * 0.0 + g
            else:
                v = beta * v + g
            x = _descend(x, lr * v, mistake)
        out.append(x.copy())
    return np.array(out)


def optimal_momentum(kappa: float, mistake: str | None = None) -> float:
    r"""Polyak's optimal heavy-ball momentum :math:`((\sqrt\kappa-1)/(\sqrt\kappa+1))^2`."""
    r = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    if mistake == "rate_not_squared":
        return r
    if mistake == "gd_rate":
        return (kappa - 1) / (kappa + 1)
    return r * r


# ------------------------------------------------------------------------------- Adagrad


def _adagrad_sum(s, g, mistake: str | None):
    """Adagrad's accumulation :math:`s + g^2`, or the mistake's version of it."""
    if mistake == "g_not_squared":
        return s + g
    if mistake == "state_not_updated":
        return g * g
    return s + g * g


def adagrad_trajectory(grad, x0, lr, eps, steps, mistake: str | None = None) -> np.ndarray:
    r"""Adagrad, ε outside: :math:`s \leftarrow s + g^2`,
    :math:`x \leftarrow x - \eta g/(\sqrt s+\epsilon)`."""

    def update(t, x, g, s):
        s = _adagrad_sum(s, g, mistake)
        return _descend(x, lr * g / _denominator(s, eps, False, mistake), mistake), s

    return _path(grad, x0, steps, update)


def adagrad_effective_rates(grads, lr, eps, mistake: str | None = None) -> np.ndarray:
    r"""Row t: :math:`\eta/(\sqrt{s_t}+\epsilon)` with :math:`s_t = \sum_{k\le t} g_k^2`."""
    grads = _array(grads)
    s = np.zeros_like(grads[0])
    out = np.empty_like(grads)
    with np.errstate(all="ignore"):
        for t, g in enumerate(grads):
            previous = s
            s = _adagrad_sum(s, g, mistake)
            used = previous if mistake == "rate_before_update" else s
            if mistake == "eps_inside":
                out[t] = lr / np.sqrt(used + eps)
            else:
                out[t] = lr / (np.sqrt(used) + eps)
    return out


# ------------------------------------------------------------------------------- RMSProp


def rmsprop_trajectory(
    grad, x0, lr, gamma, eps, steps, mistake: str | None = None, gammas=None
) -> np.ndarray:
    r"""RMSProp in d2l's form, ε inside: :math:`s \leftarrow \gamma s + (1-\gamma) g^2`,
    :math:`x \leftarrow x - \eta g/\sqrt{s+\epsilon}`, :math:`s_0 = 0`. ``gammas`` (one value
    per step, step 1 first) overrides ``gamma``."""

    def update(t, x, g, s):
        gam = gamma if gammas is None else gammas[t]
        if mistake == "off_by_one_steps" and gammas is not None:
            gam = gammas[min(t + 1, len(gammas) - 1)]
        g2 = g if mistake == "g_not_squared" else g * g
        old = 0.0 if mistake == "state_not_updated" else s
        if mistake == "one_minus_swapped":
            s = (1 - gam) * old + gam * g2
        else:
            s = gam * old + (1 - gam) * g2
        return _descend(x, lr * g / _denominator(s, eps, True, mistake), mistake), s

    return _path(grad, x0, steps, update)


def first_below(values, tol: float, mistake: str | None = None) -> int:
    """Index of the first value below ``tol`` (-1 if none)."""
    idx = np.nonzero(np.asarray(values) < tol)[0]
    if len(idx) == 0:
        return -1
    return int(idx[0]) + (1 if mistake == "off_by_one_steps" else 0)


# ---------------------------------------------------------------------------------- Adam


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps, mistake: str | None = None):
    r"""One Adam step (torch's form, ε outside); returns ``(param, m, v)``."""
    param, grad, m, v = (_array(a) for a in (param, grad, m, v))
    with np.errstate(all="ignore"):
        g2 = grad if mistake == "g_not_squared" else grad * grad
        if mistake == "one_minus_swapped":
            m_new = (1 - beta1) * m + beta1 * grad
            v_new = (1 - beta2) * v + beta2 * g2
        else:
            m_new = beta1 * m + (1 - beta1) * grad
            v_new = beta2 * v + (1 - beta2) * g2
        tt = t + 1 if mistake == "off_by_one_t" else t
        if mistake == "no_bias_correction":
            m_hat, v_hat = m_new, v_new
        else:
            m_hat, v_hat = m_new / (1 - beta1**tt), v_new / (1 - beta2**tt)
        if mistake == "eps_inside":
            step = lr * m_hat / np.sqrt(v_hat + eps)
        else:
            step = lr * m_hat / (np.sqrt(v_hat) + eps)
        new_param = _descend(param, step, mistake)
    if mistake == "state_not_updated":
        return new_param, m, v
    return new_param, m_new, v_new


def amsgrad_step(param, grad, m, v, vmax, t, lr, beta1, beta2, eps, mistake: str | None = None):
    r"""One AMSGrad step (torch's form): :math:`\hat v = \max(\hat v, v_t)` of the raw second
    moments, then the bias-corrected step with it. Returns ``(param, m, v, vmax)``."""
    param, grad, m, v, vmax = (_array(a) for a in (param, grad, m, v, vmax))
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad * grad
    vmax_new = v_new if mistake == "no_max" else np.maximum(vmax, v_new)
    m_hat = m_new / (1 - beta1**t)
    denom = np.sqrt(vmax_new / (1 - beta2**t)) + eps
    new_param = param - lr * m_hat / denom
    if mistake == "max_not_stored":
        return new_param, m_new, v_new, vmax
    return new_param, m_new, v_new, vmax_new
