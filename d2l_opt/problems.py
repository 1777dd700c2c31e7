r"""Two-dimensional test problems for the book's figures and widgets.

Every problem works on arrays of shape ``(..., 2)`` (any number of points at once) and offers
``value(x)`` with shape ``(...)``, ``grad(x)`` with shape ``(..., 2)`` and ``hessian(x)`` with
shape ``(..., 2, 2)``, all analytic.

* :class:`Quadratic` ``(a, b, theta=0)``: :math:`f(x) = a u_1^2 + b u_2^2` with
  :math:`u = R_\theta^\top x`, i.e. the axis-aligned bowl :math:`a x_1^2 + b x_2^2` turned by
  the angle :math:`\theta`. Named instances :data:`ISOTROPIC` (1, 1), :data:`ANISOTROPIC`
  (1, 8), :data:`D2L_QUADRATIC` (0.1, 2) and :data:`D2L_ROTATED`
  :math:`= 0.1(x_1+x_2)^2 + 2(x_1-x_2)^2`.
* :func:`rotated` turns any problem by an angle.
* :class:`Rosenbrock` ``(a=1, b=100)``: :math:`(a-x_1)^2 + b(x_2-x_1^2)^2`.

:data:`PROBLEMS` maps names to instances (used by the widgets).

>>> import numpy as np
>>> float(ANISOTROPIC.value(np.array([1.0, 1.0]))), ANISOTROPIC.condition_number()
(9.0, 8.0)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Quadratic",
    "Rosenbrock",
    "Rotated",
    "rotated",
    "rotation_matrix",
    "ISOTROPIC",
    "ANISOTROPIC",
    "D2L_QUADRATIC",
    "D2L_ROTATED",
    "ROSENBROCK",
    "PROBLEMS",
]


def rotation_matrix(theta: float) -> np.ndarray:
    r"""The 2x2 matrix :math:`R_\theta` turning vectors counter-clockwise by ``theta`` radians.

    .. math::

        R_\theta = \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta
        \end{pmatrix}

    >>> rotation_matrix(np.pi / 2).round(12) @ np.array([1.0, 0.0])
    array([0., 1.])
    """
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _points(x) -> np.ndarray:
    x = np.asarray(x)
    if x.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2), got {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


@dataclass(frozen=True)
class Quadratic:
    r"""The quadratic bowl :math:`f(x) = a u_1^2 + b u_2^2`, :math:`u = R_\theta^\top x`.

    Equivalently :math:`f(x) = x^\top A x` with :math:`A = R_\theta \operatorname{diag}(a, b)
    R_\theta^\top`; gradient :math:`2Ax`, Hessian :math:`2A` with eigenvalues :math:`2a, 2b`
    (whatever :math:`\theta`), minimum 0 at the origin.

    >>> import numpy as np
    >>> q = Quadratic(0.1, 2.0)
    >>> q.value(np.array([[1.0, 1.0], [2.0, 0.0]]))
    array([2.1, 0.4])
    >>> q.grad(np.array([1.0, 1.0]))
    array([0.2, 4. ])
    >>> q.hessian_eigenvalues(), q.condition_number()
    (array([0.2, 4. ]), 20.0)
    """

    a: float
    b: float
    theta: float = 0.0
    name: str = ""

    @functools.cached_property
    def matrix(self) -> np.ndarray:
        """The symmetric matrix :math:`A` with :math:`f(x) = x^\\top A x`.

        Computed once per problem (gradients of many points and many steps reuse it) and
        read-only, so that the shared copy cannot be changed by accident.
        """
        r = rotation_matrix(self.theta)
        matrix = r @ np.diag([self.a, self.b]) @ r.T
        matrix.setflags(write=False)
        return matrix

    def value(self, x) -> np.ndarray:
        r""":math:`f(x) = x^\top A x`, for points of shape ``(..., 2)``."""
        x = _points(x)
        return np.einsum("...i,ij,...j->...", x, self.matrix, x)

    def grad(self, x) -> np.ndarray:
        r""":math:`\nabla f(x) = 2 A x`, shape ``(..., 2)``."""
        x = _points(x)
        return 2 * x @ self.matrix.T

    def hessian(self, x=None) -> np.ndarray:
        r""":math:`\nabla^2 f = 2A` (constant), broadcast to shape ``(..., 2, 2)`` of ``x``."""
        h = 2 * self.matrix
        if x is None:
            return h
        return np.broadcast_to(h, _points(x).shape[:-1] + (2, 2)).copy()

    def hessian_eigenvalues(self, x=None) -> np.ndarray:
        """Eigenvalues :math:`2a, 2b` of the Hessian, ascending (``x`` is ignored)."""
        return np.sort(np.array([2.0 * self.a, 2.0 * self.b]))

    def condition_number(self, x=None) -> float:
        r"""Ratio :math:`\lambda_{\max}/\lambda_{\min}` of the Hessian's eigenvalues."""
        lo, hi = self.hessian_eigenvalues()
        return float(hi / lo) if lo > 0 else math.inf

    @property
    def minimizer(self) -> np.ndarray:
        """The minimizer, the origin."""
        return np.zeros(2)


class Rotated:
    r"""Any problem turned counter-clockwise by ``theta``: :math:`f_\theta(x) = f(R_\theta^\top x)`.

    Gradient :math:`R_\theta \nabla f(R_\theta^\top x)`, Hessian
    :math:`R_\theta \nabla^2 f(R_\theta^\top x) R_\theta^\top` (same eigenvalues).

    >>> import numpy as np
    >>> r = Rotated(Rosenbrock(), np.pi / 2)
    >>> round(float(r.value(r.minimizer)), 12), r.minimizer.round(12)
    (0.0, array([-1.,  1.]))
    """

    def __init__(self, problem, theta: float, name: str = ""):
        self.problem = problem
        self.theta = float(theta)
        self.name = name
        self._r = rotation_matrix(self.theta)

    def _inner(self, x):
        return _points(x) @ self._r  # row-vector form of R^T x

    def value(self, x) -> np.ndarray:
        r""":math:`f(R_\theta^\top x)`."""
        return self.problem.value(self._inner(x))

    def grad(self, x) -> np.ndarray:
        r""":math:`R_\theta \nabla f(R_\theta^\top x)`."""
        return self.problem.grad(self._inner(x)) @ self._r.T

    def hessian(self, x) -> np.ndarray:
        r""":math:`R_\theta \nabla^2 f(R_\theta^\top x) R_\theta^\top`."""
        return self._r @ self.problem.hessian(self._inner(x)) @ self._r.T

    def hessian_eigenvalues(self, x=None) -> np.ndarray:
        """Eigenvalues of the Hessian at ``x`` (rotation does not change them)."""
        inner = None if x is None else self._inner(x)
        return self.problem.hessian_eigenvalues(inner)

    def condition_number(self, x=None) -> float:
        """Condition number of the Hessian at ``x``."""
        inner = None if x is None else self._inner(x)
        return self.problem.condition_number(inner)

    @property
    def minimizer(self) -> np.ndarray:
        """The rotated minimizer :math:`R_\\theta x^*`."""
        return self._r @ self.problem.minimizer

    def __repr__(self) -> str:
        return f"Rotated({self.problem!r}, theta={self.theta!r})"


def rotated(problem, theta: float, name: str = ""):
    r"""Turn a problem counter-clockwise by ``theta`` radians: :math:`f(R_\theta^\top x)`.

    A :class:`Quadratic` stays a :class:`Quadratic` (its angle adds up), so its eigenvalues
    and condition number remain available; other problems are wrapped in :class:`Rotated`.
    For example :math:`0.1(x_1+x_2)^2 + 2(x_1-x_2)^2` is ``rotated(Quadratic(0.2, 4), pi/4)``:

    >>> import numpy as np
    >>> q = rotated(Quadratic(0.2, 4.0), np.pi / 4)
    >>> x = np.array([0.3, -1.2])
    >>> bool(np.isclose(q.value(x), 0.1 * (x[0] + x[1]) ** 2 + 2 * (x[0] - x[1]) ** 2))
    True
    """
    if isinstance(problem, Quadratic):
        return Quadratic(problem.a, problem.b, problem.theta + theta, name or problem.name)
    return Rotated(problem, theta, name)


@dataclass(frozen=True)
class Rosenbrock:
    r"""Rosenbrock's banana valley :math:`f(x) = (a - x_1)^2 + b (x_2 - x_1^2)^2`.

    Minimum 0 at :math:`(a, a^2)`. Gradient
    :math:`\big(-2(a-x_1) - 4 b x_1 (x_2 - x_1^2),\ 2b(x_2 - x_1^2)\big)`, Hessian

    .. math::

        \begin{pmatrix} 2 - 4b(x_2 - x_1^2) + 8 b x_1^2 & -4 b x_1 \\ -4 b x_1 & 2b
        \end{pmatrix}

    >>> import numpy as np
    >>> r = Rosenbrock()
    >>> float(r.value(np.array([1.0, 1.0]))), r.grad(np.array([0.0, 0.0]))
    (0.0, array([-2.,  0.]))
    """

    a: float = 1.0
    b: float = 100.0
    name: str = ""

    def value(self, x) -> np.ndarray:
        r""":math:`(a - x_1)^2 + b(x_2 - x_1^2)^2`."""
        x = _points(x)
        x1, x2 = x[..., 0], x[..., 1]
        return (self.a - x1) ** 2 + self.b * (x2 - x1**2) ** 2

    def grad(self, x) -> np.ndarray:
        r""":math:`\nabla f`, shape ``(..., 2)``."""
        x = _points(x)
        x1, x2 = x[..., 0], x[..., 1]
        inner = x2 - x1**2
        return np.stack([-2 * (self.a - x1) - 4 * self.b * x1 * inner, 2 * self.b * inner], -1)

    def hessian(self, x) -> np.ndarray:
        r""":math:`\nabla^2 f`, shape ``(..., 2, 2)``."""
        x = _points(x)
        x1, x2 = x[..., 0], x[..., 1]
        h11 = 2 - 4 * self.b * (x2 - x1**2) + 8 * self.b * x1**2
        h12 = -4 * self.b * x1
        h22 = np.broadcast_to(2.0 * self.b, x1.shape)
        return np.stack([np.stack([h11, h12], -1), np.stack([h12, h22], -1)], -2)

    def hessian_eigenvalues(self, x=None) -> np.ndarray:
        """Eigenvalues of the Hessian at ``x`` (default: the minimizer), ascending."""
        x = self.minimizer if x is None else x
        return np.linalg.eigvalsh(self.hessian(x))

    def condition_number(self, x=None) -> float:
        """Condition number of the Hessian at ``x`` (default: the minimizer, about 2508)."""
        lo, hi = self.hessian_eigenvalues(x)
        return float(hi / lo) if lo > 0 else math.inf

    @property
    def minimizer(self) -> np.ndarray:
        """The minimizer :math:`(a, a^2)`."""
        return np.array([self.a, self.a**2])


#: :math:`x_1^2 + x_2^2`: every direction equally curved (condition number 1).
ISOTROPIC = Quadratic(1.0, 1.0, name="isotropic")
#: :math:`x_1^2 + 8 x_2^2`: condition number 8.
ANISOTROPIC = Quadratic(1.0, 8.0, name="anisotropic")
#: d2l's :math:`0.1 x_1^2 + 2 x_2^2`: condition number 20.
D2L_QUADRATIC = Quadratic(0.1, 2.0, name="d2l")
#: d2l's rotated problem :math:`0.1(x_1+x_2)^2 + 2(x_1-x_2)^2` (eigenvalues 0.4 and 8).
D2L_ROTATED = rotated(Quadratic(0.2, 4.0), math.pi / 4, name="d2l_rotated")
#: Rosenbrock's valley with :math:`a=1, b=100`.
ROSENBROCK = Rosenbrock(name="rosenbrock")

#: Problems by name, for widgets and exercises.
PROBLEMS = {p.name: p for p in (ISOTROPIC, ANISOTROPIC, D2L_QUADRATIC, D2L_ROTATED, ROSENBROCK)}
