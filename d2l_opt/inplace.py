r"""Rules applied in place, for speed: numpy arrays block by block, torch tensors one by one.

The math is the rule's own (its ``step_with`` method, see :mod:`d2l_opt.rules`), run with an
in-place backend of :mod:`d2l_opt.backends` whose fused helpers write into the arrays they are
given; any other result is copied in. This is the interface the speed-minded callers use:

* :func:`step_inplace`: one step on numpy arrays (the benchmarks, big-array experiments);
* :func:`update_tensor`: one step on a torch tensor and its state tensors
  (:mod:`d2l_opt.optim`'s ``step``).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import warnings

import numpy as np

from .backends import inplace_ops
from .rules import NonFiniteGradientError, check_nonfinite_mode

__all__ = ["step_inplace", "update_tensor"]


def update_tensor(rule, param, grad, state: dict):
    """One step of ``rule`` on torch tensors, in place where the rule allows it.

    ``state`` holds the rule's state (``rule.state_keys`` and an integer ``"step"``), whose
    tensors may be overwritten. Returns ``(new_param, new_state)`` like ``rule.update``: a
    returned tensor that is not the one passed in must be copied back by the caller. Call it
    under ``torch.no_grad()``.
    """
    rule.check_shapes(param, grad, state)
    return rule.step_with(inplace_ops("torch"), param, grad, state)


def _all_finite_fast(flat: np.ndarray) -> bool:
    # The sum is finite if every entry is, and inf/nan otherwise: one pass, no temporary (and
    # no BLAS threads). A finite but huge gradient can overflow the sum: then check exactly.
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(np.add.reduce(flat)):
            return True
    return bool(np.isfinite(flat).all())


_POOL = None


def _pool(threads: int):
    """A shared thread pool (numpy releases the GIL inside its array loops)."""
    global _POOL
    if _POOL is None or _POOL._max_workers < threads:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="d2l_opt")
    return _POOL


_TORCH_DTYPES = ("float16", "float32", "float64")


def pick_backend(backend: str, dtype) -> str:
    """The backend :func:`step_inplace` uses: ``"auto"`` is torch for floats if installed."""
    if backend not in ("auto", "numpy", "torch"):
        raise ValueError(f"backend must be 'auto', 'numpy' or 'torch', got {backend!r}")
    if backend != "auto":
        return backend
    if np.dtype(dtype).name in _TORCH_DTYPES and importlib.util.find_spec("torch") is not None:
        return "torch"
    return "numpy"


def step_inplace(
    rule,
    param: np.ndarray,
    grad: np.ndarray,
    state: dict,
    *,
    backend: str = "auto",
    block: int | None = None,
    threads: int = 1,
    nonfinite: str = "raise",
) -> bool:
    r"""Apply ``rule`` to numpy arrays *in place*, block by block, for speed on big arrays.

    This runs the rule's own update code (the math that ``rule.update`` runs) on
    ``block``-element views of the flattened arrays, with a backend whose fused helpers write
    into the views (any other result is copied in). Small blocks keep the temporaries in the
    CPU cache, so memory traffic stays close to the minimum: read ``param``, ``grad`` and the
    state once, write ``param`` and the state once. ``state["step"]`` advances once.
    Hyper-parameters must be scalars here.

    ``backend``: ``"numpy"`` uses numpy ufuncs (blocks of 16k elements, ``threads`` threads;
    numpy releases the GIL inside its loops, but on small blocks the GIL hand-over usually
    eats the gain). ``"torch"`` wraps the same numpy memory as torch tensors
    (``torch.from_numpy``, no copy) and uses torch's fused, multi-threaded kernels (blocks of
    128k elements): the same rule, the same arrays, about twice the speed of the numpy
    ufuncs. ``"auto"`` (default) picks torch when it is installed and the dtype is a float.

    Returns True if a step was taken, False if it was skipped (``nonfinite="skip"`` and a
    non-finite gradient; a ``RuntimeWarning`` says so). With ``"raise"`` a non-finite
    gradient raises :class:`NonFiniteGradientError` before anything is modified.

    >>> import numpy as np
    >>> from d2l_opt.rules import Adam
    >>> rule = Adam(lr=0.1)
    >>> w = np.ones(100_000, dtype=np.float32)
    >>> state = rule.init(w)
    >>> step_inplace(rule, w, np.full_like(w, 2.0), state, backend="numpy")
    True
    >>> round(float(w[0]), 6), w.dtype, state["step"]
    (0.9, dtype('float32'), 1)
    """
    check_nonfinite_mode(nonfinite)
    if rule.array_hyperparameters():
        raise ValueError("step_inplace needs scalar hyper-parameters; use rule.update instead")
    if not isinstance(param, np.ndarray) or not isinstance(grad, np.ndarray):
        raise TypeError("step_inplace works on numpy arrays; use d2l_opt.optim for torch")
    keys = [key for key in rule.state_keys if state.get(key) is not None]
    rule.check_shapes(param, grad, state, keys)
    arrays = [param, grad] + [state[key] for key in keys]
    for key, arr in zip(keys, arrays[2:], strict=True):
        if arr.dtype != param.dtype:
            raise ValueError(f"State '{key}' has dtype {arr.dtype}, parameter {param.dtype}")
    if not all(a.flags.writeable for a in arrays[:1] + arrays[2:]):
        raise ValueError("param and state arrays must be writeable")
    contiguous = all(a.flags.c_contiguous and a.dtype.isnative for a in arrays)
    backend = pick_backend(backend, param.dtype) if contiguous else "numpy"
    if block is None:
        block = 131072 if backend == "torch" else 16384
    if block < 1:
        raise ValueError(f"block must be positive, got {block}")
    flat_grad = grad.reshape(-1) if contiguous else np.ravel(grad)
    if backend == "torch":
        torch = importlib.import_module("torch")
        flat_grad = torch.from_numpy(flat_grad)
        finite = _all_finite_torch(torch, flat_grad)
    else:
        finite = _all_finite_fast(flat_grad)
    if not finite:
        if nonfinite == "raise":
            raise NonFiniteGradientError(
                "Non-finite gradient (nan or inf); nothing was updated. "
                "Pass nonfinite='skip' to skip such steps."
            )
        warnings.warn("Non-finite gradient: step skipped", RuntimeWarning, stacklevel=2)
        return False
    step = state["step"]
    if not contiguous:
        new_param, new_state = rule.update(param, grad, state)
        np.copyto(param, new_param)
        for key in keys:
            np.copyto(state[key], new_state[key])
        state["step"] = new_state["step"]
        return True
    if backend == "torch":
        ops, wrap = inplace_ops("torch"), torch.from_numpy
    else:
        ops, wrap = inplace_ops("numpy"), (lambda a: a)
    flat_param = wrap(param.reshape(-1))
    flat_state = {key: wrap(state[key].reshape(-1)) for key in keys}
    size = param.size

    def run_blocks(first: int, last: int) -> None:
        for start in range(first, last, block):
            stop = min(start + block, last)
            p = flat_param[start:stop]
            sub = {"step": step}
            for key, arr in flat_state.items():
                sub[key] = arr[start:stop]
            # the in-place backend writes most results straight into the views
            new_p, new_sub = rule.step_with(ops, p, flat_grad[start:stop], sub)
            if new_p is not p:
                p[...] = new_p
            for key in flat_state:
                if new_sub[key] is not sub[key]:
                    sub[key][...] = new_sub[key]

    n_blocks = -(-size // block)
    threads = 1 if backend == "torch" else max(1, min(threads, n_blocks))
    if threads == 1:
        if backend == "torch":
            with torch.no_grad():
                run_blocks(0, size)
        else:
            run_blocks(0, size)
    else:
        # contiguous runs of whole blocks, one per thread
        edges = [min(size, (n_blocks * i // threads) * block) for i in range(threads)]
        edges.append(size)
        futures = [
            _pool(threads).submit(run_blocks, edges[i], edges[i + 1]) for i in range(threads)
        ]
        for future in futures:
            future.result()
    state["step"] = step + 1
    return True


def _all_finite_torch(torch, flat) -> bool:
    # as _all_finite_fast, with torch's multi-threaded reduction
    dtype = torch.float64 if flat.dtype == torch.float64 else torch.float32
    if math.isfinite(float(flat.sum(dtype=dtype))):
        return True
    return bool(torch.isfinite(flat).all())
