r"""The book's 2-D figures in one style, and torch optimizers run on the book's problems.

Every chapter figure of paths on a problem is drawn by :func:`plot_paths` (or its pieces
:func:`draw_contours`, :func:`draw_path`, :func:`mark_start`, :func:`mark_end`,
:func:`mark_optimum`), in the look of the interactive figures: grey level sets of a
:mod:`d2l_opt.problems` problem, each optimizer's path in its colour (:data:`COLORS`), the
start as a white circle, where a run ends as a black square, the minimizer as a black star,
and axes named :math:`w_1, w_2` like the parameter :math:`\mathbf{w}` of the text.

:func:`run_torch` records the path of a ``torch.optim`` optimizer (or one of
:mod:`d2l_opt.optim`) on such a problem, in the same layout as :func:`d2l_opt.trajectory.run`.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> import torch
>>> from d2l_opt.problems import D2L_QUADRATIC
>>> path = run_torch(torch.optim.SGD, D2L_QUADRATIC, [-5.0, -2.0], 20, lr=0.4)
>>> fig, ax = plt.subplots()
>>> lines = plot_paths(ax, D2L_QUADRATIC, {"SGD": path}, window=((-5.5, 1.5), (-3, 3)))
>>> ax.get_xlabel(), lines["SGD"].get_color() == COLORS["SGD"]
('$w_1$', True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from . import problems as _problems

__all__ = [
    "COLORS",
    "CONTOUR_COLOR",
    "INK",
    "START_STYLE",
    "END_STYLE",
    "OPTIMUM_STYLE",
    "AXIS_LABELS",
    "surface",
    "draw_contours",
    "draw_path",
    "mark_start",
    "mark_end",
    "mark_optimum",
    "plot_paths",
    "run_torch",
    "torch_value",
]

#: The book's colour for each optimizer, in figures, widgets and text: Okabe and Ito's
#: colour-blind-safe set, checked to stay apart under simulated protan, deutan and tritan vision
#: (tests/test_explorer_a11y.py).
COLORS = {
    "SGD": "#0072B2",
    "Momentum": "#D55E00",
    "Nesterov": "#8C564B",
    "Adagrad": "#009E73",
    "RMSProp": "#CC79A7",
    "Adam": "#555555",
}
#: Level sets: light grey and thin, behind the paths (the interactive figures' grey).
CONTOUR_COLOR = "#b9bec4"
CONTOUR_WIDTH = 0.8
#: Marks (start, end, minimizer) are drawn in near-black ink.
INK = "#222"
#: Keyword arguments of ``ax.plot`` for the marks.
START_STYLE = {
    "marker": "o",
    "ms": 6,
    "mfc": "white",
    "mec": INK,
    "mew": 1.4,
    "ls": "none",
    "zorder": 3,
}
END_STYLE = {"marker": "s", "ms": 5, "color": INK, "ls": "none", "zorder": 3}
OPTIMUM_STYLE = {"marker": "*", "ms": 10, "color": INK, "ls": "none", "zorder": 3}
#: The coordinates of the parameter :math:`\mathbf{w}`.
AXIS_LABELS = ("$w_1$", "$w_2$")


def _window(window) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x_lo, x_hi), (y_lo, y_hi) = window
        x_lo, x_hi, y_lo, y_hi = (float(v) for v in (x_lo, x_hi, y_lo, y_hi))
    except (TypeError, ValueError) as err:
        expected = "((w1_min, w1_max), (w2_min, w2_max))"
        raise ValueError(f"window must be {expected}, got {window!r}") from err
    if not (x_lo < x_hi and y_lo < y_hi):
        raise ValueError(f"window must have min < max on both axes, got {window!r}")
    return (x_lo, x_hi), (y_lo, y_hi)


def surface(problem, window, resolution: int = 200):
    """``problem``'s values on a ``resolution`` x ``resolution`` grid over ``window``.

    ``window`` is ``((w1_min, w1_max), (w2_min, w2_max))``. Returns the grid's coordinates
    ``w1``, ``w2`` and the values, three arrays of shape ``(resolution, resolution)`` (rows
    along :math:`w_2`), ready for ``contour`` or ``plot_surface``.

    >>> from d2l_opt.problems import ISOTROPIC
    >>> w1, w2, values = surface(ISOTROPIC, ((-1, 1), (0, 2)), resolution=3)
    >>> w1[0].tolist(), w2[:, 0].tolist(), values[0].tolist()
    ([-1.0, 0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    """
    (x_lo, x_hi), (y_lo, y_hi) = _window(window)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    w1, w2 = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    return w1, w2, problem.value(np.stack([w1, w2], axis=-1))


def draw_contours(ax, problem, window, levels=12, *, resolution: int = 200):
    """Draw ``problem``'s level sets over ``window = ((w1_min, w1_max), (w2_min, w2_max))``.

    ``levels`` is a sequence of values or a count: that many levels spaced geometrically
    above the window's lowest value, so both the floor of a valley and its walls show. The
    axes span the window, and grow as usual for what is drawn beyond it (a path that leaves
    the window stays visible; set ``ax.set(xlim=..., ylim=...)`` to clip it). Returns
    matplotlib's contour set.

    >>> import matplotlib.pyplot as plt
    >>> from d2l_opt.problems import ROSENBROCK
    >>> fig, ax = plt.subplots()
    >>> cs = draw_contours(ax, ROSENBROCK, ((-2, 2), (-1, 3)), levels=[1, 10, 100])
    >>> cs.levels.tolist(), [float(v) for v in ax.get_xlim()]
    ([1.0, 10.0, 100.0], [-2.0, 2.0])
    """
    w1, w2, values = surface(problem, window, resolution)
    if isinstance(levels, int | np.integer):
        if levels < 1:
            raise ValueError(f"levels must be at least 1, got {levels}")
        floor, top = float(values.min()), float(values.max())
        span = top - floor
        levels = floor + np.geomspace(span * 1e-4, span * 0.5, levels) if span > 0 else [floor]
    return ax.contour(w1, w2, values, levels=levels, colors=CONTOUR_COLOR, linewidths=CONTOUR_WIDTH)


def draw_path(ax, path, *, color=None, label=None, markers: bool = True, lw: float = 1.2):
    """Draw one path of shape ``(steps + 1, 2)``: a line, with a dot per iterate if ``markers``.

    Returns the :class:`~matplotlib.lines.Line2D`.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> draw_path(ax, [[1.0, 1.0], [0.0, 0.5]], color="C3", markers=False).get_linestyle()
    '-'
    """
    path = np.asarray(path)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"a path must have shape (steps + 1, 2), got {path.shape}")
    style = "o-" if markers else "-"
    (line,) = ax.plot(path[:, 0], path[:, 1], style, ms=3, lw=lw, color=color, label=label)
    return line


def _mark(ax, point, style):
    w1, w2 = np.asarray(point, dtype=float)
    (marker,) = ax.plot([w1], [w2], **style)
    return marker


def mark_start(ax, point):
    """Mark a start point with a white circle (:data:`START_STYLE`).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_start(ax, [-5.0, -2.0]).get_xydata().tolist(), mark_start(ax, [0, 1]).get_marker()
    ([[-5.0, -2.0]], 'o')
    """
    return _mark(ax, point, START_STYLE)


def mark_end(ax, point):
    """Mark where a run stands at its end with a black square (:data:`END_STYLE`).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_end(ax, [0.1, -0.2]).get_marker()
    's'
    """
    return _mark(ax, point, END_STYLE)


def mark_optimum(ax, point):
    """Mark the minimizer with a black star (:data:`OPTIMUM_STYLE`).

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> mark_optimum(ax, [1.0, 1.0]).get_xydata().tolist()
    [[1.0, 1.0]]
    """
    return _mark(ax, point, OPTIMUM_STYLE)


def plot_paths(
    ax,
    problem,
    paths,
    window,
    *,
    levels=12,
    colors=None,
    markers: bool = True,
    start: bool = True,
    labels: bool = True,
    aspect: str = "equal",
) -> dict:
    """The book's figure of paths on a problem: contours, paths, start circle, optimum star.

    ``paths`` maps legend labels to arrays of shape ``(steps + 1, 2)`` (a list of arrays for
    paths without labels). Colours come from ``colors`` (a sequence, or a mapping by label),
    else from :data:`COLORS` for the optimizers' names, else matplotlib's cycle. ``start``
    marks each distinct first point. With ``labels`` the axes get the names
    :data:`AXIS_LABELS`. No legend is drawn (``ax.legend()`` where wanted). Returns the path
    lines by label (by index for a list).

    >>> import matplotlib.pyplot as plt
    >>> from d2l_opt.problems import ANISOTROPIC
    >>> fig, ax = plt.subplots()
    >>> path = np.array([[1.0, 1.0], [0.5, -0.5], [0.0, 0.0]])
    >>> lines = plot_paths(ax, ANISOTROPIC, [path], ((-1.5, 1.5), (-1.5, 1.5)), colors=["C3"])
    >>> lines[0].get_xydata().tolist(), ax.get_aspect()
    ([[1.0, 1.0], [0.5, -0.5], [0.0, 0.0]], 1.0)
    """
    labelled = isinstance(paths, Mapping)
    items = list(paths.items()) if labelled else list(enumerate(paths))
    if not items:
        raise ValueError("plot_paths needs at least one path")
    if colors is not None and not isinstance(colors, Mapping) and len(colors) != len(items):
        raise ValueError(f"got {len(colors)} colours for {len(items)} paths")
    draw_contours(ax, problem, window, levels)
    lines, starts = {}, []
    for i, (key, path) in enumerate(items):
        if isinstance(colors, Mapping):
            color = colors[key]
        elif colors is not None:
            color = colors[i]
        else:
            color = COLORS.get(key, f"C{i}") if labelled else f"C{i}"
        label = key if labelled else None
        lines[key] = draw_path(ax, path, color=color, label=label, markers=markers)
        first = tuple(np.asarray(path)[0].tolist())
        if start and first not in starts:
            starts.append(first)
            mark_start(ax, first)
    mark_optimum(ax, problem.minimizer)
    if labels:
        ax.set(xlabel=AXIS_LABELS[0], ylabel=AXIS_LABELS[1])
    ax.set_aspect(aspect)
    return lines


def torch_value(problem, w):
    """``problem``'s value at the points ``w`` (shape ``(..., 2)``), summed, in torch.

    Autograd of it gives each point's gradient independently of the problem's analytic
    ``grad``. Known: :class:`~d2l_opt.problems.Quadratic`, :class:`~d2l_opt.problems.Rosenbrock`
    and :class:`~d2l_opt.problems.Rotated` versions of them.

    >>> import torch
    >>> from d2l_opt.problems import D2L_ROTATED
    >>> w = torch.tensor([0.3, -1.2], dtype=torch.float64)
    >>> expected = D2L_ROTATED.value(w.numpy())
    >>> bool(abs(torch_value(D2L_ROTATED, w).item() - expected) < 1e-12)
    True
    """
    import torch

    if isinstance(problem, _problems.Quadratic):
        matrix = torch.tensor(problem.matrix, dtype=w.dtype)  # a copy: the matrix is read-only
        return torch.einsum("...i,ij,...j->...", w, matrix, w).sum()
    if isinstance(problem, _problems.Rosenbrock):
        w1, w2 = w[..., 0], w[..., 1]
        return ((problem.a - w1) ** 2 + problem.b * (w2 - w1**2) ** 2).sum()
    if isinstance(problem, _problems.Rotated):
        turn = torch.as_tensor(_problems.rotation_matrix(problem.theta), dtype=w.dtype)
        return torch_value(problem.problem, w @ turn)  # row-vector form of R^T w
    raise TypeError(f"no torch expression for {problem!r}; use gradient='analytic'")


def run_torch(
    optimizer: Callable, problem, w0, steps: int, *, gradient: str = "analytic", **options
) -> np.ndarray:
    """Run a torch optimizer on a 2-D problem; return its path, shape ``(steps + 1, ..., 2)``.

    ``optimizer`` is an optimizer class such as ``torch.optim.Adam`` (or any factory) called
    as ``optimizer([w], **options)``. The parameter ``w`` starts at ``w0`` in float64 (a
    batch of start points of shape ``(n, 2)`` moves independently, as every rule here is
    coordinate-wise or sums over points). Each step sets ``w.grad`` from ``problem.grad``
    (``gradient="analytic"``) or from autograd of :func:`torch_value` (``"autograd"``), then
    calls ``step()``. Row 0 of the path is ``w0``, row ``t`` the iterate after ``t`` steps.

    >>> import torch
    >>> from d2l_opt.problems import ISOTROPIC
    >>> run_torch(torch.optim.SGD, ISOTROPIC, [1.0, 2.0], 2, lr=0.25)  # w <- (1 - 2 lr) w
    array([[1.  , 2.  ],
           [0.5 , 1.  ],
           [0.25, 0.5 ]])
    """
    import torch

    if not callable(optimizer):
        raise TypeError(f"optimizer must be an optimizer class or factory, got {optimizer!r}")
    if gradient not in ("analytic", "autograd"):
        raise ValueError(f"gradient must be 'analytic' or 'autograd', got {gradient!r}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    start = np.array(w0, dtype=np.float64)
    if start.shape[-1:] != (2,) or not np.isfinite(start).all():
        raise ValueError(f"w0 must be finite with shape (..., 2), got {w0!r}")
    w = torch.tensor(start, requires_grad=True)
    opt = optimizer([w], **options)
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(f"optimizer([w], ...) must return a torch.optim.Optimizer, got {opt!r}")
    path = np.empty((steps + 1, *start.shape))
    path[0] = start
    for t in range(1, steps + 1):
        opt.zero_grad()
        if gradient == "autograd":
            torch_value(problem, w).backward()
        else:
            w.grad = torch.from_numpy(problem.grad(w.detach().numpy()))
        opt.step()
        path[t] = w.detach().numpy()
    return path
