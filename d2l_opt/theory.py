r"""Heavy-ball momentum on a quadratic, in closed form.

Along an eigen-direction with curvature :math:`\lambda`, heavy-ball momentum (torch's
``SGD(momentum=beta)``) moves the coordinate by the linear recurrence
:math:`x_{t+1} = (1+\beta-\eta\lambda)x_t - \beta x_{t-1}`, so the iterates are
combinations of :math:`z_1^t, z_2^t`, the roots of its characteristic polynomial. The chapter on
momentum and the momentum eigen-view figure (:func:`d2l_opt.widgets.momentum_eigen_view`) use:

* :func:`heavy_ball_roots`: the two roots for one setting and one curvature,
* :func:`momentum_rate`: the worst root modulus over all curvatures (vectorized),
* :func:`optimal_momentum`: the setting with the smallest rate on :math:`[\mu, L]`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["momentum_rate", "heavy_ball_roots", "optimal_momentum"]


def momentum_rate(lr, momentum, eigenvalues) -> np.ndarray:
    r"""Worst-case convergence rate of heavy-ball momentum on a quadratic (vectorized).

    On an eigen-direction with curvature :math:`\lambda` the iterates obey
    :math:`x_{t+1} = (1+\beta-\eta\lambda)x_t - \beta x_{t-1}`; their error shrinks like
    :math:`\rho^t` with :math:`\rho` the largest root modulus of
    :math:`z^2 - (1+\beta-\eta\lambda)z + \beta`. Returns the maximum over ``eigenvalues``
    (``>= 1``: the setting diverges). ``lr`` and ``momentum`` broadcast.

    >>> round(float(momentum_rate(0.1, 0.0, [2.0, 16.0])), 6)   # max |1 - 0.1 lambda|
    0.8
    """
    lr = np.asarray(lr, dtype=np.float64)
    beta = np.asarray(momentum, dtype=np.float64)
    rate = np.zeros(np.broadcast_shapes(lr.shape, beta.shape))
    for lam in np.atleast_1d(np.asarray(eigenvalues, dtype=np.float64)):
        tr = 1 + beta - lr * lam
        disc = tr * tr - 4 * beta
        root = np.sqrt(np.maximum(disc, 0.0))
        real = np.maximum(np.abs(tr + root), np.abs(tr - root)) / 2
        rate = np.maximum(rate, np.where(disc < 0, np.sqrt(beta), real))
    return rate


def heavy_ball_roots(lr, momentum, eigenvalue) -> np.ndarray:
    r"""The two roots of :math:`z^2 - (1+\beta-\eta\lambda)z + \beta` (complex array).

    The coordinate of the iterates along an eigen-direction with curvature :math:`\lambda`
    is a combination of :math:`z_1^t` and :math:`z_2^t`; the larger modulus is the rate.

    >>> heavy_ball_roots(0.1, 0.25, 2.0)          # 1 + 0.25 - 0.2 = 1.05; disc = 0.1025
    array([0.68507811+0.j, 0.36492189+0.j])
    """
    tr = 1 + momentum - lr * eigenvalue
    root = np.sqrt(complex(tr * tr - 4 * momentum))
    return np.array([(tr + root) / 2, (tr - root) / 2])


def optimal_momentum(eigenvalues) -> dict:
    r"""Best heavy-ball setting on a quadratic with curvatures in :math:`[\mu, L]`.

    :math:`\eta^* = 4/(\sqrt L+\sqrt\mu)^2`, :math:`\beta^* = ((\sqrt L-\sqrt\mu)/(\sqrt
    L+\sqrt\mu))^2`, rate :math:`\rho^* = \sqrt{\beta^*}`.

    >>> {k: round(v, 4) for k, v in optimal_momentum([2.0, 16.0]).items()}
    {'lr': 0.1365, 'momentum': 0.2281, 'rate': 0.4776}
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    mu, big = float(lam.min()), float(lam.max())
    s_l, s_mu = math.sqrt(big), math.sqrt(mu)
    rate = (s_l - s_mu) / (s_l + s_mu)
    return {"lr": 4 / (s_l + s_mu) ** 2, "momentum": rate**2, "rate": rate}
