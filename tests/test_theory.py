"""Heavy-ball momentum theory (:mod:`d2l_opt.theory`) against its definitions.

The rate is checked against the spectral radius of the companion matrix of the recurrence
(numpy's eigenvalues), the roots against ``numpy.roots``, the optimal setting against a grid.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from d2l_opt import theory


def companion_rate(lr, beta, lam):
    matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(matrix)).max()


@settings(max_examples=200, deadline=None)
@given(
    lr=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 0.999),
    lams=st.lists(st.floats(0.01, 20.0), min_size=1, max_size=3),
)
def test_momentum_rate_is_the_spectral_radius(lr, beta, lams):
    want = max(companion_rate(lr, beta, lam) for lam in lams)
    got = float(theory.momentum_rate(lr, beta, lams))
    assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    # the stability region: every eigen-direction needs 0 < lr lam < 2 (1 + beta)
    if all(0.01 < lr * lam < 2 * (1 + beta) - 0.01 for lam in lams) and beta < 0.99:
        assert got < 1
    if any(lr * lam > 2 * (1 + beta) + 0.01 for lam in lams):
        assert got > 1


def test_optimal_momentum_is_the_best_point_of_the_map():
    best = theory.optimal_momentum([2.0, 16.0])
    lrs, betas = np.meshgrid(np.linspace(0.01, 0.25, 241), np.linspace(0, 0.99, 100))
    grid = theory.momentum_rate(lrs, betas, [2.0, 16.0])
    assert best["rate"] <= grid.min() + 1e-9
    assert math.isclose(
        float(theory.momentum_rate(best["lr"], best["momentum"], [2, 16])),
        best["rate"],
        rel_tol=1e-9,
    )


@settings(max_examples=200, deadline=None)
@given(lr=st.floats(0.0, 1.0), beta=st.floats(0.0, 0.999), lam=st.floats(0.01, 20.0))
def test_heavy_ball_roots_are_those_of_the_characteristic_polynomial(lr, beta, lam):
    got = np.sort_complex(theory.heavy_ball_roots(lr, beta, lam))
    want = np.sort_complex(np.roots([1.0, -(1 + beta - lr * lam), beta]).astype(complex))
    np.testing.assert_allclose(got, want, atol=1e-7)
