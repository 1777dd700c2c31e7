"""EWMA helpers against direct sums and the closed-form identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from d2l_opt.ewma import bias_correction, effective_window, ewma, ewma_weights, half_life

betas = st.floats(0.0, 0.999)


def direct_sum(x, beta):
    """y_t = sum_k (1 - beta) beta^k x_{t-k}, summed term by term (no recursion)."""
    out = np.zeros_like(x, dtype=np.float64)
    for t in range(len(x)):
        for k in range(t + 1):
            out[t] += (1 - beta) * beta**k * x[t - k]
    return out


@settings(max_examples=25, deadline=None, derandomize=True)
@given(beta=betas, seed=st.integers(0, 2**16))
def test_ewma_equals_the_unrolled_sum(beta, seed):
    x = np.random.default_rng(seed).standard_normal(30)
    np.testing.assert_allclose(ewma(x, beta), direct_sum(x, beta), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(beta=betas, t=st.integers(0, 300))
def test_weights_sum_to_one_minus_beta_to_the_t(beta, t):
    w = ewma_weights(beta, t)
    assert w.shape == (t,)
    assert math.isclose(w.sum(), 1 - beta**t, rel_tol=1e-10, abs_tol=1e-12)
    assert math.isclose(bias_correction(beta, t), 1 - beta**t, rel_tol=1e-12, abs_tol=1e-15)


def test_weights_are_geometric_and_newest_first():
    w = ewma_weights(0.8, 5)
    np.testing.assert_allclose(w, [0.2, 0.16, 0.128, 0.1024, 0.08192])
    np.testing.assert_allclose(w[1:] / w[:-1], 0.8)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_bias_corrected_average_of_a_constant_is_the_constant_from_step_one(beta):
    c = np.array([[3.0, -1.5], [0.25, 7.0]])
    series = np.broadcast_to(c, (50, 2, 2))
    corrected = ewma(series, beta, bias_correction=True)
    np.testing.assert_allclose(corrected, series, rtol=1e-12)
    raw = ewma(series, beta)
    if beta > 0:  # without correction the first step is pulled to zero
        np.testing.assert_allclose(raw[0], (1 - beta) * c)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(beta=st.floats(0.01, 0.999))
def test_half_life_halves_the_weight(beta):
    h = half_life(beta)
    assert math.isclose(beta**h, 0.5, rel_tol=1e-10)


def test_half_life_known_values():
    assert half_life(0.5) == pytest.approx(1.0)
    assert half_life(0.5 ** (1 / 5)) == pytest.approx(5.0)
    assert half_life(0.0) == 0.0
    np.testing.assert_allclose(half_life(np.array([0.5, 0.25])), [1.0, 0.5])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_effective_window_is_the_total_relative_weight(beta):
    numeric = sum(beta**k for k in range(20000))
    assert effective_window(beta) == pytest.approx(numeric, rel=1e-9)


def test_ewma_trailing_shape_beta_arrays_and_dtype():
    x = np.random.default_rng(0).standard_normal((20, 3)).astype(np.float32)
    y = ewma(x, 0.9)
    assert y.shape == (20, 3) and y.dtype == np.float32
    betas_ = np.array([0.0, 0.5, 0.9])
    out = ewma(x[:, :1], betas_)  # one series, three decay rates
    assert out.shape == (20, 3)
    for j, b in enumerate(betas_):
        np.testing.assert_allclose(out[:, j], direct_sum(x[:, 0].astype(np.float64), b), rtol=1e-5)


def test_ewma_weights_with_array_beta():
    w = ewma_weights(np.array([0.5, 0.9]), 4)
    assert w.shape == (4, 2)
    np.testing.assert_allclose(w.sum(0), 1 - np.array([0.5, 0.9]) ** 4)
