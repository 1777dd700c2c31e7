"""The vectorized trajectory runner against closed forms and plain per-setting loops."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from d2l_opt.problems import ANISOTROPIC, D2L_QUADRATIC, ISOTROPIC, ROSENBROCK
from d2l_opt.rules import SGD, Adam, RMSprop
from d2l_opt.trajectory import batch_shape, grid, run, run_many


def test_gradient_descent_on_a_quadratic_is_a_geometric_sequence():
    lrs = np.array([0.01, 0.1, 0.2, 0.24])
    x0 = np.array([-5.0, -2.0])
    traj = run(SGD(lr=lrs[:, None]), D2L_QUADRATIC, x0, 30)
    assert traj.shape == (31, 4, 2)
    t = np.arange(31)[:, None]
    for i, lr in enumerate(lrs):
        # x_t = (1 - 2 lr a)^t x_0 on f = 0.1 x1^2 + 2 x2^2
        np.testing.assert_allclose(traj[:, i, 0], (1 - 2 * lr * 0.1) ** t[:, 0] * x0[0])
        np.testing.assert_allclose(traj[:, i, 1], (1 - 2 * lr * 2.0) ** t[:, 0] * x0[1])


def test_heavy_ball_grid_matches_per_setting_loops():
    g = grid(lr=[0.01, 0.05], momentum=[0.0, 0.5, 0.9])
    traj = run(SGD(**g), ANISOTROPIC, [1.0, 1.0], 25)
    assert traj.shape == (26, 2, 3, 2)
    for i, lr in enumerate([0.01, 0.05]):
        for j, mu in enumerate([0.0, 0.5, 0.9]):
            x, v = np.array([1.0, 1.0]), np.zeros(2)
            for t in range(25):
                grad = np.array([2 * x[0], 16 * x[1]])
                v = mu * v + grad
                x = x - lr * v
                np.testing.assert_allclose(traj[t + 1, i, j], x, rtol=1e-12)


def test_batched_start_points_and_rule_grid_broadcast():
    x0 = np.array([[1.0, 1.0], [-2.0, 0.5], [0.0, 3.0]])  # (3, 2)
    rule = Adam(lr=np.array([0.01, 0.1])[:, None, None])  # (2, 1, 1)
    assert batch_shape(rule, x0) == (2, 3, 2)
    traj = run(rule, ROSENBROCK, x0, 10)
    assert traj.shape == (11, 2, 3, 2)
    np.testing.assert_array_equal(traj[0], np.broadcast_to(x0, (2, 3, 2)))
    single = run(Adam(lr=0.1), ROSENBROCK, x0[1], 10)
    np.testing.assert_allclose(traj[:, 1, 1], single, rtol=1e-12)


def test_divergence_is_kept_not_raised():
    lrs = np.array([0.1, 0.6, 10.0])[:, None]  # 1 - 2 lr: 0.8, -0.2, -19
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning for overflow either
        traj = run(SGD(lr=lrs), ISOTROPIC, [1.0, 1.0], 400)
    assert np.all(np.isfinite(traj[:, :2]))
    assert np.isinf(traj[-1, 2]).all() or np.isnan(traj[-1, 2]).all()
    np.testing.assert_allclose(traj[-1, 0], 0.8**400, rtol=1e-9)


def test_float32_start_keeps_float32_and_steps_zero():
    traj = run(RMSprop(lr=0.01), ISOTROPIC, np.array([1.0, 2.0], dtype=np.float32), 5)
    assert traj.dtype == np.float32
    assert run(SGD(lr=0.1), ISOTROPIC, [1.0, 2.0], 0).shape == (1, 2)


def test_run_many_and_bad_shapes():
    out = run_many({"gd": SGD(lr=0.1), "adam": Adam(lr=0.1)}, ISOTROPIC, [1.0, 1.0], 4)
    assert set(out) == {"gd", "adam"} and out["adam"].shape == (5, 2)
    with pytest.raises(ValueError, match="trailing axis of length 1"):
        run(SGD(lr=np.array([0.1, 0.2, 0.3])), ISOTROPIC, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        run(SGD(lr=0.1), ISOTROPIC, [1.0, 1.0, 1.0], 3)
    with pytest.raises(ValueError, match="steps must be"):
        run(SGD(lr=0.1), ISOTROPIC, [1.0, 1.0], -1)
