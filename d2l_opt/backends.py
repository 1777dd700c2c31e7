r"""Array backends of the update rules: numpy, torch, and in-place variants of both.

A rule's math (``_step`` in :mod:`d2l_opt.rules`) calls a handful of functions on a backend
object instead of on numpy or torch directly, so the same lines run on both libraries:
:func:`array_namespace` picks the backend that matches an array. The in-place backends
(:func:`inplace_ops`) overwrite the *first* argument of the fused helpers; only callers that
own those arrays use them (:mod:`d2l_opt.inplace`), and the rules are written so that a value
passed as that first argument is never read again.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["array_namespace", "all_finite", "inplace_ops"]


class _NumpyOps:
    """The handful of array functions the rules need, for numpy inputs."""

    name = "numpy"
    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def zeros_like(x):
        return np.zeros_like(x)

    @staticmethod
    def full_like(x, value):
        return np.zeros_like(x) + value

    @staticmethod
    def copy(x):
        return np.array(x, copy=True)

    @staticmethod
    def leaky_average(old, new, beta):
        if np.ndim(beta) == 0 and np.shape(old) == np.shape(new):
            # old + (1 - beta) (new - old), in place on one fresh temporary
            out = np.subtract(new, old)
            out *= 1 - beta
            out += old
            return out
        return beta * old + (1 - beta) * new

    def leaky_average_sq(self, old, g, beta):
        return self.leaky_average(old, g * g, beta)

    @staticmethod
    def add_square(old, g):
        return old + g * g

    @staticmethod
    def addcdiv(x, a, b, value):
        if np.ndim(value) == 0 and np.shape(x) == np.shape(a) == np.shape(b):
            out = np.divide(a, b)
            out *= value
            out += x
            return out
        return x + value * (a / b)

    @staticmethod
    def axpby(x, a, y, b):
        return (x if np.ndim(a) == 0 and a == 1 else a * x) + b * y

    @staticmethod
    def sqrt_eps(s, eps, inside):
        if inside:  # sqrt(s + eps)
            out = s + eps
            if isinstance(out, np.ndarray):
                return np.sqrt(out, out=out)
            return np.sqrt(out)
        out = np.sqrt(s)  # sqrt(s) + eps
        if isinstance(out, np.ndarray) and np.ndim(eps) == 0:
            out += eps
            return out
        return out + eps

    @staticmethod
    def all_finite(x) -> bool:
        return bool(np.isfinite(x).all())


class _TorchOps:
    """The same functions for torch tensors (torch is imported only when a tensor shows up)."""

    name = "torch"

    def __init__(self, torch):
        self._torch = torch
        self.sqrt = torch.sqrt
        self.maximum = torch.maximum

    def zeros_like(self, x):
        return self._torch.zeros_like(x, memory_format=self._torch.preserve_format)

    def full_like(self, x, value):
        return self._torch.full_like(x, value, memory_format=self._torch.preserve_format)

    @staticmethod
    def copy(x):
        return x.detach().clone()

    def leaky_average(self, old, new, beta):
        # one fused kernel: old + (1 - beta) * (new - old)
        return self._torch.lerp(old, new, 1 - beta)

    def leaky_average_sq(self, old, g, beta):
        return self.leaky_average(old, g * g, beta)

    @staticmethod
    def add_square(old, g):
        return old + g * g

    def addcdiv(self, x, a, b, value):
        return self._torch.addcdiv(x, a, b, value=value)

    def axpby(self, x, a, y, b):
        return self._torch.add(x if a == 1 else x * a, y, alpha=b)

    def sqrt_eps(self, s, eps, inside):
        # one new tensor either way: sqrt(s + eps) or sqrt(s) + eps
        return (s + eps).sqrt_() if inside else self._torch.sqrt(s).add_(eps)

    def all_finite(self, x) -> bool:
        return bool(self._torch.isfinite(x).all())


class _NumpyInplaceOps(_NumpyOps):
    """numpy backend that overwrites the *first* argument of the fused helpers.

    Only for callers that own those arrays and want them updated in place
    (:func:`d2l_opt.inplace.step_inplace` passes views of its own state and parameter). The
    rules are written so that a value passed as that first argument is never read again.
    """

    name = "numpy-inplace"

    @staticmethod
    def leaky_average(old, new, beta):
        step = np.subtract(new, old)
        step *= 1 - beta
        old += step  # old <- old + (1 - beta)(new - old) = beta old + (1 - beta) new
        return old

    @staticmethod
    def add_square(old, g):
        square = np.multiply(g, g)
        old += square
        return old

    @staticmethod
    def addcdiv(x, a, b, value):
        step = np.divide(a, b)
        step *= value
        x += step
        return x

    @staticmethod
    def axpby(x, a, y, b):
        if a != 1:
            x *= a
        x += b * y
        return x


class _TorchInplaceOps(_TorchOps):
    """torch backend that overwrites the first argument of the fused helpers (see above).

    Used by :mod:`d2l_opt.optim`, which owns the parameter and state tensors: the update then
    costs the same kernels as ``torch.optim``'s single-tensor code (``lerp_``, ``addcdiv_``)
    instead of fresh tensors plus copies.
    """

    name = "torch-inplace"

    def leaky_average(self, old, new, beta):
        return old.lerp_(new, 1 - beta)

    def leaky_average_sq(self, old, g, beta):
        # torch's own single-tensor kernels, and no temporary for g^2
        return old.mul_(beta).addcmul_(g, g, value=1 - beta)

    def add_square(self, old, g):
        return old.addcmul_(g, g)

    def addcdiv(self, x, a, b, value):
        return x.addcdiv_(a, b, value=value)

    def axpby(self, x, a, y, b):
        return (x if a == 1 else x.mul_(a)).add_(y, alpha=b)


_NUMPY_OPS = _NumpyOps()
_NUMPY_INPLACE_OPS = _NumpyInplaceOps()
_TORCH_OPS: _TorchOps | None = None
_TORCH_INPLACE_OPS: _TorchInplaceOps | None = None


def inplace_ops(library: str):
    """The in-place backend for ``"numpy"`` or ``"torch"`` (torch must be imported already)."""
    global _TORCH_INPLACE_OPS
    if library == "numpy":
        return _NUMPY_INPLACE_OPS
    if library != "torch":
        raise ValueError(f"library must be 'numpy' or 'torch', got {library!r}")
    if _TORCH_INPLACE_OPS is None:
        _TORCH_INPLACE_OPS = _TorchInplaceOps(sys.modules["torch"])
    return _TORCH_INPLACE_OPS


def array_namespace(x):
    r"""Return the small set of array functions (numpy's or torch's) that matches ``x``.

    The rules call ``ops.sqrt``, ``ops.maximum``, ``ops.zeros_like``, ``ops.full_like``,
    ``ops.copy`` and two fused helpers on the object returned here, so one implementation
    serves both libraries:

    * ``ops.leaky_average(old, new, beta)`` :math:`= \beta\,\text{old} + (1-\beta)\,\text{new}`
      (one ``torch.lerp`` kernel for tensors),
    * ``ops.addcdiv(x, a, b, value)`` :math:`= x + \text{value}\cdot a/b`
      (one ``torch.addcdiv`` kernel),
    * ``ops.leaky_average_sq(old, g, beta)`` :math:`= \beta\,\text{old} + (1-\beta)\,g^2` and
      ``ops.add_square(old, g)`` :math:`= \text{old} + g^2` (in place: one ``addcmul_``),
    * ``ops.axpby(x, a, y, b)`` :math:`= a x + b y` (``add_(y, alpha=b)``),
    * ``ops.sqrt_eps(s, eps, inside)`` :math:`= \sqrt{s+\epsilon}` if ``inside`` else
      :math:`\sqrt{s}+\epsilon`: the eps convention lives in this one place.
    Anything that is not a ``torch.Tensor`` (numpy arrays, numpy scalars, Python floats) is
    handled by numpy. Torch is never imported by this function: a tensor can only exist if
    torch was imported already.

    >>> import numpy as np
    >>> array_namespace(np.ones(3)).name
    'numpy'
    >>> float(array_namespace(4.0).sqrt(4.0))
    2.0
    >>> array_namespace(np.ones(1)).leaky_average(np.array([10.0]), np.array([0.0]), 0.9)
    array([9.])
    """
    global _TORCH_OPS
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        if _TORCH_OPS is None:
            _TORCH_OPS = _TorchOps(torch)
        return _TORCH_OPS
    return _NUMPY_OPS


def all_finite(x) -> bool:
    r"""Return True when every entry of ``x`` is finite (no ``nan``, ``+inf`` or ``-inf``).

    Works on numpy arrays and torch tensors: :math:`\forall i:\ |x_i| < \infty`.

    >>> import numpy as np
    >>> all_finite(np.array([1.0, -2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    return array_namespace(x).all_finite(x)
