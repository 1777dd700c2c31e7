r"""Exponentially weighted moving averages ("leaky averages") and their identities.

Every adaptive optimizer in the book keeps one or two leaky averages

.. math::

    y_t = \beta\, y_{t-1} + (1-\beta)\, x_t, \qquad y_0 = 0,

which unrolls to :math:`y_t = \sum_{k=0}^{t-1} (1-\beta)\beta^k x_{t-k}`: the :math:`k`-th past
term weighs :math:`(1-\beta)\beta^k`, all weights together :math:`1-\beta^t` (hence the bias
correction :math:`\hat y_t = y_t/(1-\beta^t)`), the average remembers about
:math:`1/(1-\beta)` terms, and a term's weight halves every :math:`\ln(1/2)/\ln\beta` steps.

>>> round(effective_window(0.9), 6), round(half_life(0.9), 3)
(10.0, 6.579)
"""

from __future__ import annotations

import numpy as np

__all__ = ["ewma", "ewma_weights", "bias_correction", "effective_window", "half_life"]


def _check_beta(beta) -> np.ndarray:
    arr = np.asarray(beta, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.all((arr >= 0) & (arr < 1))
    if not ok:
        raise ValueError(f"beta must lie in [0, 1), got {beta}")
    return arr


def _check_steps(t) -> np.ndarray:
    arr = np.asarray(t)
    if not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"t must be a non-negative integer number of steps, got {t}")
    return arr


def _scalar_or_array(x):
    x = np.asarray(x)
    return float(x) if x.ndim == 0 else x


def ewma(series, beta, bias_correction: bool = False) -> np.ndarray:
    r"""Leaky average of ``series`` along its first (time) axis.

    .. math::

        y_t = \beta\, y_{t-1} + (1-\beta)\, x_t,\quad y_0 = 0,
        \qquad \hat y_t = \frac{y_t}{1-\beta^t}\ \text{(if bias\_correction)}

    ``series`` has shape ``(T, ...)``; the result has the same shape, row ``t-1`` holding
    :math:`y_t`. ``beta`` may be an array broadcasting against ``series[0]`` (several decay
    rates at once). The only Python loop is over time.

    >>> import numpy as np
    >>> ewma(np.ones(3), 0.5)
    array([0.5  , 0.75 , 0.875])
    >>> ewma(np.ones(3), 0.5, bias_correction=True)      # a constant is recovered at once
    array([1., 1., 1.])
    """
    beta_arr = _check_beta(beta)
    x = np.asarray(series)
    if x.ndim == 0:
        raise ValueError("series needs a leading time axis (got a scalar)")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    b = beta_arr if beta_arr.ndim else float(beta_arr)
    shape = np.broadcast_shapes(x.shape[1:], np.shape(b))
    dtype = np.result_type(x.dtype, np.asarray(b).dtype if np.ndim(b) else x.dtype)
    out = np.empty((x.shape[0], *shape), dtype=dtype)
    y = np.zeros(shape, dtype=dtype)
    for t in range(x.shape[0]):
        y = b * y + (1 - b) * x[t]
        out[t] = y
    if bias_correction:
        steps = np.arange(1, x.shape[0] + 1).reshape((-1,) + (1,) * len(shape))
        out = out / (1 - np.asarray(b) ** steps)
    return out


def ewma_weights(beta, t: int) -> np.ndarray:
    r"""Weight of the :math:`k`-th past term in :math:`y_t`, for :math:`k = 0, \dots, t-1`.

    .. math::

        w_k = (1-\beta)\,\beta^k, \qquad \sum_{k=0}^{t-1} w_k = 1-\beta^t

    Entry ``k`` multiplies :math:`x_{t-k}` (``k = 0`` is the newest term).

    >>> ewma_weights(0.5, 3)
    array([0.5  , 0.25 , 0.125])
    """
    b = float(_check_beta(beta)) if np.ndim(beta) == 0 else _check_beta(beta)
    t = int(_check_steps(t))
    k = np.arange(t)
    if np.ndim(b):
        k = k.reshape((-1,) + (1,) * np.ndim(b))
    return (1 - b) * np.asarray(b) ** k


def bias_correction(beta, t):
    r"""Total weight :math:`1-\beta^t` of a leaky average after ``t`` steps from zero.

    Dividing by it removes the pull towards the zero start (Adam's bias correction).

    .. math::

        \sum_{k=0}^{t-1} (1-\beta)\beta^k = 1-\beta^t

    >>> bias_correction(0.9, 1), bias_correction(0.5, [1, 2, 3]).tolist()
    (0.09999999999999998, [0.5, 0.75, 0.875])
    """
    b = _check_beta(beta)
    steps = _check_steps(t)
    return _scalar_or_array(1 - b**steps)


def effective_window(beta):
    r"""Effective number of terms a leaky average remembers: :math:`1/(1-\beta)`.

    It is the sum of the weights relative to the newest one,
    :math:`\sum_{k\ge 0} \beta^k = 1/(1-\beta)`, and also the mean age plus one.

    >>> round(effective_window(0.99), 9)
    100.0
    """
    b = _check_beta(beta)
    return _scalar_or_array(1 / (1 - b))


def half_life(beta):
    r"""Number of steps after which a term's weight has halved: :math:`\ln(1/2)/\ln\beta`.

    Solves :math:`\beta^h = 1/2`; it is not an integer in general. ``beta = 0`` forgets at
    once (half-life 0).

    >>> half_life(0.5)
    1.0
    """
    b = _check_beta(beta)
    with np.errstate(divide="ignore"):
        h = np.log(0.5) / np.log(b)
    return _scalar_or_array(np.abs(h))
