r"""Run update rules on 2-D problems, many settings at once.

A rule's hyper-parameters may be numpy arrays; they broadcast against the points, so one call
follows a whole grid of settings. With ``lr`` of shape ``(n, 1)`` and a start point of shape
``(2,)`` the trajectory has shape ``(steps + 1, n, 2)``. The only Python loop is over steps.

Divergence is reported, not hidden: a setting whose iterates blow up shows ``inf``/``nan`` in
its rows of the trajectory (and the other settings are unaffected). Nothing is raised and no
warning is printed for it: for a learning-rate sweep an infinite iterate is the truthful answer.

>>> import numpy as np
>>> from d2l_opt.rules import SGD
>>> from d2l_opt.problems import ISOTROPIC
>>> traj = run(SGD(lr=np.array([[0.1], [0.5], [1.5]])), ISOTROPIC, np.array([1.0, 1.0]), 3)
>>> traj.shape
(4, 3, 2)
>>> traj[-1, :, 0]           # x <- (1 - 2 lr) x: shrinks, jumps to 0, oscillates and grows
array([ 0.512,  0.   , -8.   ])
"""

from __future__ import annotations

import numpy as np

__all__ = ["run", "run_many", "grid", "batch_shape"]


def _hyper_arrays(rule) -> list[np.ndarray]:
    arrays = []
    for value in rule.hyperparameters().values():
        values = value if isinstance(value, tuple) else (value,)
        arrays.extend(v for v in values if isinstance(v, np.ndarray))
    return arrays


def batch_shape(rule, x0) -> tuple[int, ...]:
    """Shape ``(*batch, 2)`` of the iterates: ``x0`` broadcast with the array hyper-parameters.

    >>> from d2l_opt.rules import Adam
    >>> batch_shape(Adam(lr=np.ones((4, 1, 1)), betas=(np.ones((1, 3, 1)) * 0.9, 0.999)), [0, 0])
    (4, 3, 2)
    """
    x0 = np.asarray(x0)
    if x0.shape[-1:] != (2,):
        raise ValueError(f"x0 must have shape (..., 2), got {x0.shape}")
    shapes = [np.shape(a) for a in _hyper_arrays(rule)]
    for shape in shapes:
        if shape and shape[-1] not in (1, 2):
            raise ValueError(
                f"an array hyper-parameter of shape {shape} would broadcast against the "
                "coordinate axis; give it a trailing axis of length 1, e.g. lr[:, None]"
            )
    try:
        shape = np.broadcast_shapes(x0.shape, *shapes)
    except ValueError as err:
        raise ValueError(f"hyper-parameter shapes {shapes} do not broadcast with x0") from err
    return shape


def run(rule, problem, x0, steps: int) -> np.ndarray:
    r"""Iterate :math:`x_{t+1} = \text{rule}(x_t, \nabla f(x_t))` for ``steps`` steps.

    Returns an array of shape ``(steps + 1, *batch, 2)`` whose row 0 is ``x0`` (broadcast to
    the batch) and row ``t`` the iterate after ``t`` steps; ``batch`` comes from broadcasting
    the rule's array hyper-parameters against ``x0`` (see :func:`batch_shape`). Diverging
    settings keep their ``inf``/``nan`` (documented, not an error). float32 start points give
    float32 trajectories, anything else float64.

    >>> import numpy as np
    >>> from d2l_opt.rules import Adam
    >>> from d2l_opt.problems import D2L_QUADRATIC
    >>> traj = run(Adam(lr=0.5), D2L_QUADRATIC, np.array([-5.0, -2.0]), 50)
    >>> traj.shape, bool(D2L_QUADRATIC.value(traj[-1]) < D2L_QUADRATIC.value(traj[0]))
    ((51, 2), True)
    """
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    x0 = np.asarray(x0)
    dtype = x0.dtype if x0.dtype in (np.float32, np.float64) else np.float64
    shape = batch_shape(rule, x0)
    x = np.broadcast_to(x0, shape).astype(dtype, copy=True)
    out = np.empty((steps + 1, *shape), dtype=dtype)
    out[0] = x
    state = rule.init(x)
    with np.errstate(all="ignore"):  # divergence is data here, see the module docstring
        for t in range(steps):
            x, state = rule.update(x, problem.grad(x).astype(dtype, copy=False), state)
            out[t + 1] = x
    return out


def run_many(rules: dict, problem, x0, steps: int) -> dict[str, np.ndarray]:
    """:func:`run` for several named rules (each may itself hold a grid of settings).

    >>> import numpy as np
    >>> from d2l_opt.rules import SGD, Adam
    >>> from d2l_opt.problems import ANISOTROPIC
    >>> out = run_many({"gd": SGD(lr=0.05), "adam": Adam(lr=0.1)}, ANISOTROPIC, [1.0, 1.0], 20)
    >>> sorted(out), out["gd"].shape
    (['adam', 'gd'], (21, 2))
    """
    return {name: run(rule, problem, x0, steps) for name, rule in rules.items()}


def grid(**axes) -> dict[str, np.ndarray]:
    """Turn lists of values into arrays that broadcast to an outer-product grid of settings.

    Axis ``i`` of the grid belongs to the ``i``-th keyword; a trailing length-1 axis leaves
    room for the coordinate axis of the points.

    >>> from d2l_opt.rules import SGD
    >>> from d2l_opt.problems import ISOTROPIC
    >>> g = grid(lr=[0.01, 0.1, 0.3], momentum=[0.0, 0.9])
    >>> g["lr"].shape, g["momentum"].shape
    ((3, 1, 1), (1, 2, 1))
    >>> run(SGD(**g), ISOTROPIC, [1.0, 1.0], 5).shape
    (6, 3, 2, 2)
    """
    n = len(axes)
    out = {}
    for i, (name, values) in enumerate(axes.items()):
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"grid axis {name!r} must be a 1-D list of values")
        shape = [1] * (n + 1)
        shape[i] = values.size
        out[name] = values.reshape(shape)
    return out
