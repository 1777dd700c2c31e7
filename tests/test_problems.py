"""2-D problems: gradients and Hessians against finite differences, eigenvalues, rotations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from d2l_opt.problems import (
    ANISOTROPIC,
    D2L_QUADRATIC,
    D2L_ROTATED,
    ISOTROPIC,
    PROBLEMS,
    Quadratic,
    Rosenbrock,
    Rotated,
    rotated,
)

ALL = list(PROBLEMS.values()) + [
    rotated(ANISOTROPIC, 0.3),
    rotated(Rosenbrock(a=0.5, b=10.0), -1.1),
    Quadratic(0.5, 3.0, theta=2.0),
]
POINTS = np.random.default_rng(0).uniform(-1.5, 1.5, (6, 2))


def fd_grad(f, x, h=1e-6):
    e = np.eye(2) * h
    return np.stack([(f(x + e[i]) - f(x - e[i])) / (2 * h) for i in range(2)], -1)


def fd_hessian(grad, x, h=1e-6):
    e = np.eye(2) * h
    return np.stack([(grad(x + e[i]) - grad(x - e[i])) / (2 * h) for i in range(2)], -2)


@pytest.mark.parametrize("problem", ALL, ids=repr)
def test_gradient_matches_finite_differences(problem):
    for x in POINTS:
        np.testing.assert_allclose(problem.grad(x), fd_grad(problem.value, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("problem", ALL, ids=repr)
def test_hessian_matches_finite_differences_and_is_symmetric(problem):
    for x in POINTS:
        h = problem.hessian(x)
        np.testing.assert_allclose(h, fd_hessian(problem.grad, x), rtol=1e-6, atol=1e-5)
        np.testing.assert_allclose(h, h.T)


@pytest.mark.parametrize("problem", ALL, ids=repr)
def test_hessian_eigenvalues_match_eigvalsh(problem):
    for x in POINTS:
        np.testing.assert_allclose(
            problem.hessian_eigenvalues(x), np.linalg.eigvalsh(problem.hessian(x)), rtol=1e-10
        )


def test_named_quadratics_and_condition_numbers():
    for problem, (a, b), kappa in [
        (ISOTROPIC, (1, 1), 1.0),
        (ANISOTROPIC, (1, 8), 8.0),
        (D2L_QUADRATIC, (0.1, 2), 20.0),
    ]:
        x = POINTS
        np.testing.assert_allclose(problem.value(x), a * x[:, 0] ** 2 + b * x[:, 1] ** 2)
        np.testing.assert_allclose(problem.hessian_eigenvalues(), sorted([2 * a, 2 * b]))
        assert problem.condition_number() == pytest.approx(kappa)


def test_rotated_d2l_problem_is_the_closed_form():
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    np.testing.assert_allclose(D2L_ROTATED.value(POINTS), 0.1 * (x1 + x2) ** 2 + 2 * (x1 - x2) ** 2)
    expected_grad = np.stack([0.2 * (x1 + x2) + 4 * (x1 - x2), 0.2 * (x1 + x2) - 4 * (x1 - x2)], -1)
    np.testing.assert_allclose(D2L_ROTATED.grad(POINTS), expected_grad)
    # Hessian [[4.2, -3.8], [-3.8, 4.2]]: eigenvalues 0.4 and 8
    np.testing.assert_allclose(D2L_ROTATED.hessian(POINTS[0]), [[4.2, -3.8], [-3.8, 4.2]])
    np.testing.assert_allclose(D2L_ROTATED.hessian_eigenvalues(), [0.4, 8.0])
    assert D2L_ROTATED.condition_number() == pytest.approx(20.0)


@pytest.mark.parametrize("theta", [0.0, 0.4, math.pi / 3, -2.5])
def test_rotation_by_explicit_cos_sin(theta):
    c, s = math.cos(theta), math.sin(theta)
    q = rotated(Quadratic(0.7, 5.0), theta)
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    u1, u2 = c * x1 + s * x2, -s * x1 + c * x2  # R^T x
    np.testing.assert_allclose(q.value(POINTS), 0.7 * u1**2 + 5.0 * u2**2)
    # rotation turns the level sets: the point R e1 has the value that e1 had before
    np.testing.assert_allclose(q.value(np.array([c, s])), 0.7)
    assert rotated(q, -theta).value(POINTS) == pytest.approx(Quadratic(0.7, 5.0).value(POINTS))


def test_rotated_rosenbrock_keeps_its_minimum():
    r = rotated(Rosenbrock(), 0.7)
    assert isinstance(r, Rotated)
    assert r.value(r.minimizer) == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(r.grad(r.minimizer), 0.0, atol=1e-12)
    np.testing.assert_allclose(
        r.hessian_eigenvalues(r.minimizer), Rosenbrock().hessian_eigenvalues(), rtol=1e-10
    )


def test_rosenbrock_closed_form_values():
    r = Rosenbrock()
    assert r.value(np.array([1.0, 1.0])) == 0.0
    assert r.value(np.array([0.0, 0.0])) == 1.0
    assert r.value(np.array([-1.0, 2.0])) == pytest.approx(4 + 100 * 1)
    np.testing.assert_allclose(r.hessian(np.array([1.0, 1.0])), [[802, -400], [-400, 200]])
    assert r.condition_number() == pytest.approx(2508.0, rel=1e-3)


@pytest.mark.parametrize("problem", ALL, ids=repr)
def test_batched_shapes(problem):
    x = np.zeros((4, 3, 2)) + 0.3
    assert problem.value(x).shape == (4, 3)
    assert problem.grad(x).shape == (4, 3, 2)
    assert problem.hessian(x).shape == (4, 3, 2, 2)


def test_bad_point_shape_and_registry():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        ISOTROPIC.value(np.zeros(3))
    assert set(PROBLEMS) == {"isotropic", "anisotropic", "d2l", "d2l_rotated", "rosenbrock"}


def test_quadratic_matrix_is_built_once_and_cannot_be_changed():
    q = Quadratic(0.1, 2.0, theta=0.7)
    c, s = math.cos(0.7), math.sin(0.7)
    want = np.array([[c, -s], [s, c]]) @ np.diag([0.1, 2.0]) @ np.array([[c, s], [-s, c]])
    np.testing.assert_allclose(q.matrix, want, rtol=1e-15)
    assert q.matrix is q.matrix  # one matrix per problem, not one per gradient
    with pytest.raises(ValueError, match="read-only"):
        q.matrix[0, 0] = 1.0
    assert q == Quadratic(0.1, 2.0, theta=0.7)  # the cache is not part of the value
