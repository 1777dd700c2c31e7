r"""Interactive figures for the book: live in Jupyter/Colab, still interactive in the static book.

Three figures, each a function returning a figure object:

* :func:`trajectory_explorer`: iterates of several optimizers (SGD, Momentum, Nesterov,
  Adagrad, RMSProp, Adam) on a 2-D problem (isotropic, anisotropic, d2l's
  :math:`0.1x_1^2+2x_2^2`, Rosenbrock; any of them turned by :math:`\theta`), drawn over the
  contours, with the loss against the step beside it. Controls: problem, :math:`\theta`, the
  optimizers shown, :math:`\eta`, momentum :math:`\beta`, RMSProp's :math:`\gamma`,
  :math:`\beta_1`, :math:`\beta_2`, :math:`\epsilon` and its placement, steps, start point.
* :func:`ewma_explorer`: the weights a leaky average puts on past terms and the average of a
  noisy series, with :math:`\beta` and bias correction on or off.
* :func:`momentum_eigen_view`: heavy-ball momentum on a quadratic, eigen-direction by
  eigen-direction: the convergence rate over the :math:`(\eta, \beta)` plane with the
  stability boundary and the best setting, the roots of each direction's characteristic
  polynomial against the unit circle, and the coordinates of the iterates.

Two views of one figure
-----------------------
A figure object carries two views in its ``_repr_mimebundle_``:

``application/vnd.jupyter.widget-view+json``
    The live view: ipywidgets controls and a matplotlib figure rendered to PNG into an
    ``ipywidgets.Image``. Every number comes from :mod:`d2l_opt` (:func:`d2l_opt.trajectory.run`
    with the rules of :mod:`d2l_opt.rules`, :mod:`d2l_opt.ewma`). A control change updates the
    artists in place (``Line2D.set_data``) and re-renders only what changed: the axes, contours
    and legend are rendered once into a background that is reused until the limits change, the
    moving artists are drawn over it (matplotlib's blitting) and the pixels are encoded as PNG.
    This needs no ipympl, so it works in Jupyter and in Colab.
``text/html``
    The static view: a self-contained ``<div>`` plus ``<script>`` that inlines
    ``d2l_opt/static/adaptive_steps.js`` (once per page, guarded by
    ``if (!window.AdaptiveSteps)``) and the figure's data as JSON. It needs no kernel and no
    network. Jupyter and Colab rank the widget view first; the book ranks ``text/html`` first
    (``nb_mime_priority_overrides`` in ``_config.yml``), so readers of the HTML book get the
    static view. :meth:`to_html` returns it on its own (e.g. for ``IPython.display.HTML``).

Why the static view computes in JavaScript
------------------------------------------
The alternative is to precompute trajectories on a grid of settings and let a JS slider pick
one. That grid grows as the product of the controls. Adam's path alone depends on seven
continuous settings (:math:`\eta`, :math:`\beta_1`, :math:`\beta_2`, :math:`\epsilon`,
:math:`\theta` and the two start coordinates), the :math:`\epsilon` placement and the problem:
five values per slider would already be :math:`5^7 \cdot 2 \cdot 4 = 625\,000` trajectories,
about 2 GB at 200 steps, for sliders with five positions. A grid keeps one or two sliders live,
not a dozen. The update rules, on the other hand, are a few lines each. So
``adaptive_steps.js`` implements the same rules, problems and trajectory runner as
:mod:`d2l_opt`, every floating-point expression in the same order, and a test runs it under
node for every optimizer on every problem: over 200 steps it agrees with
:func:`d2l_opt.trajectory.run` to round-off (mostly exactly, at worst about
:math:`10^{-11}`; the test's bound is :math:`10^{-9}`). Exact agreement is not possible in
general: for turned quadratics numpy's matrix product uses fused multiply-adds on most CPUs,
which JavaScript lacks, and chaotic settings (momentum on a turned Rosenbrock valley) magnify
that last bit. Only the plotting is written twice (matplotlib and SVG); the SVG carries the
computed numbers (``data-trajectory`` on each path of iterates), so a browser test compares
what is drawn with :mod:`d2l_opt`.

>>> explorer = trajectory_explorer("anisotropic", ("SGD", "Momentum"), lr=0.05, steps=20)
>>> explorer.trajectories["Momentum"].shape
(21, 2)
>>> explorer.controls["lr"].value = 0.1            # redraws, as a reader's slider would
>>> float(explorer.lines["SGD"].get_xdata()[1])    # x1 <- (1 - 2 lr) x1 on x1^2 + 8 x2^2
-0.8
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import io
import json
import math
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from . import ewma as _ewma
from . import problems as _problems
from . import rules as _rules
from . import trajectory as _trajectory

__all__ = [
    "trajectory_explorer",
    "ewma_explorer",
    "momentum_eigen_view",
    "TrajectoryExplorer",
    "EwmaExplorer",
    "MomentumEigenView",
    "OPTIMIZERS",
    "PROBLEM_NAMES",
    "optimizer_rule",
    "explorer_problem",
    "momentum_rate",
    "heavy_ball_roots",
    "optimal_momentum",
    "rule_spec",
    "problem_spec",
    "static_html",
    "standalone_page",
    "javascript_source",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: The optimizers of the trajectory explorer, in drawing order.
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam")
#: Problem names of the trajectory explorer.
PROBLEM_NAMES = ("isotropic", "anisotropic", "d2l", "rosenbrock")

# Chosen to stay apart under protanopia, deuteranopia and tritanopia and to keep 3:1 contrast
# on white (tests/test_explorer_colors.py); mostly Okabe & Ito's colour-blind-safe set.
COLORS = {
    "SGD": "#0072B2",
    "Momentum": "#D55E00",
    "Nesterov": "#8C564B",
    "Adagrad": "#009E73",
    "RMSProp": "#CC79A7",
    "Adam": "#555555",
}
EWMA_COLOR = "#0072B2"
EIGEN_COLORS = ("#0072B2", "#D55E00")

#: Loss panels show f(x_t) / f(x_0) on a fixed log range, 10^-10 ... 10^2, so that the axes
#: stay put while a slider moves.
LOSS_DECADES = {"decades_below": 10, "decades_above": 2}

# Figure geometry (inches at DPI): small on purpose, the live redraw must stay fast.
DPI = 80
FIGSIZE = (8.6, 3.5)
EIGEN_FIGSIZE = (9.6, 3.4)


# ---------------------------------------------------------------------------------------------
# JavaScript and CSS assets
# ---------------------------------------------------------------------------------------------


@functools.cache
def javascript_source() -> str:
    """The text of ``d2l_opt/static/adaptive_steps.js`` (the static figures' code).

    >>> "window.AdaptiveSteps" in javascript_source()
    True
    """
    source = (STATIC_DIR / "adaptive_steps.js").read_text(encoding="utf-8")
    if "</script" in source.lower() or "<!--" in source:
        raise ValueError("adaptive_steps.js must not contain '</script' or '<!--'")
    return source


@functools.cache
def _css_source() -> str:
    return (STATIC_DIR / "adaptive_steps.css").read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON safe to inline in a ``<script>`` element (no ``</``, no NaN)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


# ---------------------------------------------------------------------------------------------
# Problems and optimizers of the trajectory explorer
# ---------------------------------------------------------------------------------------------

_BASE_PROBLEMS = {
    "isotropic": _problems.ISOTROPIC,
    "anisotropic": _problems.ANISOTROPIC,
    "d2l": _problems.D2L_QUADRATIC,
    "rosenbrock": _problems.ROSENBROCK,
}

# Plot window (before turning by theta): centre and half-width; start-point slider ranges.
_PROBLEM_VIEWS = {
    "isotropic": {
        "label": "isotropic: x\u2081\u00b2 + x\u2082\u00b2",
        "formula": "f = x\u2081\u00b2 + x\u2082\u00b2",
        "center": (0.0, 0.0),
        "half": 1.5,
        "x0_range": ((-2.0, 2.0), (-2.0, 2.0)),
    },
    "anisotropic": {
        "label": "anisotropic: x\u2081\u00b2 + 8x\u2082\u00b2",
        "formula": "f = x\u2081\u00b2 + 8x\u2082\u00b2",
        "center": (0.0, 0.0),
        "half": 1.5,
        "x0_range": ((-2.0, 2.0), (-2.0, 2.0)),
    },
    "d2l": {
        "label": "d2l: 0.1x\u2081\u00b2 + 2x\u2082\u00b2",
        "formula": "f = 0.1x\u2081\u00b2 + 2x\u2082\u00b2",
        "center": (0.0, 0.0),
        "half": 3.0,
        "x0_range": ((-6.0, 6.0), (-6.0, 6.0)),
    },
    "rosenbrock": {
        "label": "Rosenbrock",
        "formula": "f = (1 \u2212 x\u2081)\u00b2 + 100(x\u2082 \u2212 x\u2081\u00b2)\u00b2",
        "center": (0.0, 1.0),
        "half": 2.0,
        "x0_range": ((-2.0, 2.0), (-1.0, 3.0)),
    },
}


def _problem_key(name: str) -> str:
    key = str(name).strip().lower()
    if key not in _BASE_PROBLEMS:
        raise ValueError(f"unknown problem {name!r}; choose one of {', '.join(PROBLEM_NAMES)}")
    return key


class _Quadratic(_problems.Quadratic):
    """:class:`d2l_opt.problems.Quadratic` with its matrix computed once, not on every gradient.

    Same ``value``/``grad`` code, hence bit-identical iterates; only faster (the property
    rebuilds the rotation and the product ``R @ diag(a, b) @ R.T`` on each call, a third of a
    redraw's time).
    """

    @functools.cached_property
    def matrix(self) -> np.ndarray:
        return _problems.Quadratic.matrix.fget(self)


def _fast(problem):
    if type(problem) is _problems.Quadratic:
        return _Quadratic(problem.a, problem.b, problem.theta, problem.name)
    return problem


def explorer_problem(name: str, theta: float = 0.0):
    """The :mod:`d2l_opt.problems` problem a trajectory explorer runs for ``name`` and ``theta``.

    >>> explorer_problem("d2l", 0.5).theta
    0.5
    """
    base = _BASE_PROBLEMS[_problem_key(name)]
    return _fast(_problems.rotated(base, theta) if theta else base)


def _optimizer_name(name: str) -> str:
    for known in OPTIMIZERS:
        if known.lower() == str(name).strip().lower():
            return known
    raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")


def optimizer_rule(
    name: str,
    *,
    lr: float,
    momentum: float = 0.9,
    alpha: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-6,
    eps_inside_sqrt: bool = False,
    **_ignored,
):
    """The :mod:`d2l_opt.rules` rule the explorer uses for an optimizer name and settings.

    ``Momentum`` is torch's heavy ball (``SGD(momentum=...)``), ``Nesterov`` the same with
    ``nesterov=True`` (plain SGD when the momentum is 0); ``alpha`` is RMSProp's decay rate
    (:math:`\\gamma` in d2l). The JS module builds the same rules (``optimizerSpec``).

    >>> optimizer_rule("adam", lr=0.1, beta1=0.8).betas
    (0.8, 0.999)
    """
    key = _optimizer_name(name)
    if key == "SGD":
        return _rules.SGD(lr=lr)
    if key == "Momentum":
        return _rules.SGD(lr=lr, momentum=momentum)
    if key == "Nesterov":
        if momentum == 0:
            return _rules.SGD(lr=lr)
        return _rules.SGD(lr=lr, momentum=momentum, nesterov=True)
    if key == "Adagrad":
        return _rules.Adagrad(lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt)
    if key == "RMSProp":
        return _rules.RMSprop(lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)
    return _rules.Adam(lr=lr, betas=(beta1, beta2), eps=eps, eps_inside_sqrt=eps_inside_sqrt)


def rule_spec(rule) -> dict:
    """A rule as the JSON the JS module understands: ``{"type": "adam", "lr": ..., ...}``.

    >>> rule_spec(_rules.SGD(lr=0.1, momentum=0.9))["type"]
    'sgd'
    """
    spec: dict[str, Any] = {"type": type(rule).__name__.lower()}
    for key, value in rule.hyperparameters().items():
        if isinstance(value, tuple):
            value = [float(v) for v in value]
        elif isinstance(value, np.ndarray):
            raise ValueError("the JS module runs one setting at a time: scalar hyper-parameters")
        spec[key] = value
    return spec


def problem_spec(problem) -> dict:
    """A :mod:`d2l_opt.problems` problem as the JSON the JS module understands.

    >>> problem_spec(_problems.D2L_ROTATED)["type"]
    'quadratic'
    """
    if isinstance(problem, _problems.Quadratic):
        return {"type": "quadratic", "a": problem.a, "b": problem.b, "theta": problem.theta}
    if isinstance(problem, _problems.Rosenbrock):
        return {"type": "rosenbrock", "a": problem.a, "b": problem.b}
    if isinstance(problem, _problems.Rotated):
        return {"type": "rotated", "theta": problem.theta, "problem": problem_spec(problem.problem)}
    raise TypeError(f"no JS version of problem {problem!r}")


def _plot_window(view: dict, theta: float, x0) -> tuple[tuple, tuple]:
    """Square window around the (turned) centre, grown to show the start point (as in JS)."""
    c, s = math.cos(theta), math.sin(theta)
    bx, by = view["center"]
    center = (c * bx - s * by, s * bx + c * by)
    d = max(abs(x0[0] - center[0]), abs(x0[1] - center[1]))
    half = max(view["half"], 1.15 * d)
    return (center[0] - half, center[0] + half), (center[1] - half, center[1] + half)


def _loss_limits() -> tuple[float, float]:
    return 10.0 ** -LOSS_DECADES["decades_below"], 10.0 ** LOSS_DECADES["decades_above"]


def _relative_loss(problem, points, ref_point) -> np.ndarray:
    """f(x_t) / f(x_0) (plain f when f(x_0) is 0), floored just below the panel."""
    with np.errstate(all="ignore"):
        values = np.asarray(problem.value(points), dtype=np.float64)
        f0 = float(problem.value(np.asarray(ref_point, dtype=np.float64)))
        ref = f0 if math.isfinite(f0) and f0 > 0 else 1.0
        return np.maximum(values / ref, _loss_limits()[0] / 10)


# --- contour lines (unrotated; both views turn them by theta) --------------------------------


def _ellipse_levels(problem, view) -> list[float]:
    """Levels a u1^2 + b u2^2 = c whose ellipses are evenly spaced along the flat axis."""
    lo = min(problem.a, problem.b)
    ranges = view["x0_range"]
    reach = max(max(abs(v) for v in r) for r in ranges) * 1.15 * math.sqrt(2) + view["half"]
    spacing = view["half"] / 5
    count = int(math.ceil(reach / spacing))
    return [lo * (k * spacing) ** 2 for k in range(1, count + 1)]


def _ellipse_lines(a: float, b: float, levels, n: int = 96) -> list[np.ndarray]:
    phi = 2 * np.pi * np.arange(n + 1) / n
    return [
        np.stack([math.sqrt(c / a) * np.cos(phi), math.sqrt(c / b) * np.sin(phi)], -1)
        for c in levels
    ]


def _decimate(line: np.ndarray, tol: float) -> np.ndarray:
    keep = [0]
    for i in range(1, len(line) - 1):
        if np.max(np.abs(line[i] - line[keep[-1]])) >= tol:
            keep.append(i)
    keep.append(len(line) - 1)
    return line[keep]


@functools.cache
def _rosenbrock_lines() -> tuple[np.ndarray, ...]:
    """Level sets of Rosenbrock's function, traced by matplotlib's contouring engine."""
    import contourpy  # matplotlib's contour library, always installed with it

    center, half = (0.0, 1.0), 3.6  # covers the turned windows of the default start range
    x = np.linspace(center[0] - half, center[0] + half, 451)
    y = np.linspace(center[1] - half, center[1] + half, 451)
    xx, yy = np.meshgrid(x, y)
    zz = _problems.ROSENBROCK.value(np.stack([xx, yy], -1))
    generator = contourpy.contour_generator(xx, yy, zz)
    lines = []
    for level in np.geomspace(0.25, 2500, 9):
        for line in generator.lines(float(level)):
            if len(line) >= 4:
                lines.append(_decimate(np.round(line, 2), 0.035))
    return tuple(lines)


def _contour_spec(name: str, view: dict) -> dict:
    problem = _BASE_PROBLEMS[name]
    if isinstance(problem, _problems.Quadratic):
        levels = _ellipse_levels(problem, view)
        return {"type": "ellipses", "a": problem.a, "b": problem.b, "levels": levels}
    paths = [[line[:, 0].tolist(), line[:, 1].tolist()] for line in _rosenbrock_lines()]
    return {"type": "paths", "paths": paths}


def _contour_lines(spec: dict) -> list[np.ndarray]:
    if spec["type"] == "ellipses":
        return _ellipse_lines(spec["a"], spec["b"], spec["levels"])
    return [np.stack([np.asarray(xs), np.asarray(ys)], -1) for xs, ys in spec["paths"]]


# ---------------------------------------------------------------------------------------------
# Momentum on a quadratic: convergence rate over (lr, beta)
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Controls: one description serves the ipywidgets and the HTML controls
# ---------------------------------------------------------------------------------------------


def _decimals(step: float) -> int:
    text = repr(float(step))
    if "e-" in text:
        return int(text.split("e-")[1])
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _widen(spec: dict, value: float) -> dict:
    """Grow a slider's range so that ``value`` fits (a slider would silently clamp it)."""
    spec = dict(spec)
    position = math.log10(value) if spec["type"] == "log" and value > 0 else value
    if spec["type"] == "log" and value <= 0:
        raise ValueError(f"{spec['key']} must be positive, got {value}")
    step = spec["step"]
    if position < spec["min"]:
        spec["min"] = math.floor(position / step) * step
    if position > spec["max"]:
        spec["max"] = math.ceil(position / step) * step
    return spec


def _make_control(spec: dict, value):
    import ipywidgets as widgets

    style = {"description_width": "9em"}
    layout = widgets.Layout(width="auto")
    kind = spec["type"]
    label = spec["label"]
    if kind == "select":
        options = [(text, option) for option, text in spec["options"]]
        return widgets.Dropdown(
            options=options, value=value, description=label, style=style, layout=layout
        )
    if kind == "multi":
        options = [(option[1], option[0]) for option in spec["options"]]
        return widgets.SelectMultiple(
            options=options,
            value=tuple(value),
            rows=len(options),
            description=label,
            style=style,
            layout=layout,
        )
    if kind == "checkbox":
        return widgets.Checkbox(value=bool(value), description=label, style=style, layout=layout)
    common = dict(
        min=spec["min"], max=spec["max"], step=spec["step"], description=label, style=style
    )
    if kind == "log":
        # d3's ".3g" writes 1e-6 as 0.00000100: small values get an exponent
        fmt = ".1e" if spec["max"] <= -1 else ".3g"
        return widgets.FloatLogSlider(
            value=value, base=10, readout_format=fmt, layout=layout, **common
        )
    if kind == "int":
        return widgets.IntSlider(value=int(value), layout=layout, **common)
    fmt = f".{spec.get('decimals', _decimals(spec['step']))}f"
    return widgets.FloatSlider(value=value, readout_format=fmt, layout=layout, **common)


# ---------------------------------------------------------------------------------------------
# The live matplotlib view with blitting, shared by the three figures
# ---------------------------------------------------------------------------------------------


class _Figure:
    """Base class: settings, ipywidgets controls, a blitted matplotlib figure, two views."""

    kind = ""
    _control_keys: tuple[str, ...] = ()

    def __init__(self):
        self.redraw_count = 0
        self.full_redraw_count = 0
        self._hold = 0
        self._background = None
        self._background_key = None
        self._widget = None

    # -- settings and controls -----------------------------------------------------------------

    @property
    def settings(self) -> dict:
        """The current settings (a copy): what the figure computes with."""
        return copy.deepcopy(self._settings)

    def _build_controls(self, specs: list[dict], values: dict):
        import ipywidgets as widgets

        self.control_specs = specs
        self.controls: dict[str, widgets.Widget] = {}
        for spec in specs:
            control = _make_control(spec, values[spec["key"]])
            control.observe(functools.partial(self._control_changed, spec["key"]), "value")
            self.controls[spec["key"]] = control

    def _control_changed(self, key: str, change) -> None:
        if self._hold:
            return
        self._apply_control(key, change["new"])
        self.redraw()

    def _apply_control(self, key: str, value) -> None:
        self._settings[key] = value

    @contextlib.contextmanager
    def _holding(self):
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1

    def set(self, **values) -> None:
        """Set several controls at once (one redraw), e.g. ``fig.set(lr=0.05, steps=80)``."""
        with self._holding():
            for key, value in values.items():
                if key not in self.controls:
                    raise KeyError(f"no control {key!r}; controls: {', '.join(self.controls)}")
                self.controls[key].value = value
                self._apply_control(key, self.controls[key].value)
        self.redraw()

    # -- rendering ---------------------------------------------------------------------------

    def _new_figure(self, figsize=FIGSIZE):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, dpi=DPI)
        FigureCanvasAgg(fig)
        return fig

    def _animated(self) -> list:
        """Artists redrawn on every change (they carry ``animated=True``)."""
        raise NotImplementedError

    def _update_artists(self) -> tuple:
        """Recompute and update the artists; return a key of everything in the background."""
        raise NotImplementedError

    def redraw(self) -> None:
        """Recompute for the current settings, update the artists and the image."""
        key = self._update_artists()
        canvas = self.figure.canvas
        if key != self._background_key or self._background is None:
            canvas.draw()  # axes, ticks, contours, legend: everything not animated
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            self.full_redraw_count += 1
        else:
            canvas.restore_region(self._background)
        for artist in self._animated():
            self.figure.draw_artist(artist)
        self.redraw_count += 1
        if self._widget is not None:
            self.image.value = self.png()

    def png(self) -> bytes:
        """The figure as currently drawn, as PNG bytes (what the live view shows)."""
        from PIL import Image

        canvas = self.figure.canvas
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        # a palette image: a third of the bytes of RGB (Colab sends every frame over the
        # network) and no slower to encode; line art has few colours, so nothing is lost
        image = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # -- the two views -----------------------------------------------------------------------

    @property
    def widget(self):
        """The live view: controls above the figure image (an ``ipywidgets.VBox``)."""
        if self._widget is None:
            import ipywidgets as widgets

            width, _ = self.figure.canvas.get_width_height()
            self.image = widgets.Image(value=self.png(), format="png")
            self.image.layout = widgets.Layout(max_width="100%", width=f"{width}px")
            rows = []
            for group in self._control_groups():
                if isinstance(group, widgets.Widget):
                    rows.append(group)
                    continue
                rows.append(
                    widgets.GridBox(
                        group,
                        layout=widgets.Layout(
                            grid_template_columns="repeat(auto-fill, minmax(250px, 1fr))",
                            grid_gap="2px 12px",
                            width="100%",
                            max_width="900px",
                        ),
                    )
                )
            self._widget = widgets.VBox([*rows, self.image])
        return self._widget

    def _control_groups(self) -> list:
        """Rows above the figure: lists of controls (laid out in a grid) or single widgets."""
        return [[self.controls[key] for key in self._control_keys if key in self.controls]]

    def static_config(self) -> dict:
        """The JSON the JS module mounts the static view from."""
        raise NotImplementedError

    def to_html(self) -> str:
        """The static view: self-contained HTML (inline JS and CSS, no network, no kernel)."""
        uid = f"as-fig-{uuid.uuid4().hex[:12]}"
        config = _script_json(self.static_config())
        return (
            f'<div id="{uid}" class="as-figure as-{self.kind}" data-kind="{self.kind}">'
            f'<p class="as-fallback">{html.escape(self._fallback_text())}</p></div>\n'
            "<script>\n(function () {\nif (!window.AdaptiveSteps) {\n"
            f"{javascript_source()}\n}}\n"
            f"window.AdaptiveSteps.injectStyle({_script_json(_css_source())});\n"
            f'window.AdaptiveSteps.mount("{uid}", {config});\n'
            "})();\n</script>\n"
        )

    static_html = to_html

    def _fallback_text(self) -> str:
        return "This interactive figure needs JavaScript."

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._settings.items())
        return f"{type(self).__name__}({items})"


# ---------------------------------------------------------------------------------------------
# 1. Trajectory explorer
# ---------------------------------------------------------------------------------------------

_ADAPTIVE = ["Adagrad", "RMSProp", "Adam"]


def _trajectory_control_specs() -> list[dict]:
    return [
        {
            "key": "problem",
            "label": "problem",
            "type": "select",
            "options": [[name, _PROBLEM_VIEWS[name]["label"]] for name in PROBLEM_NAMES],
        },
        {
            "key": "theta",
            "label": "turn \u03b8 (\u00b0)",
            "type": "range",
            "min": -90.0,
            "max": 90.0,
            "step": 1.0,
        },
        {
            "key": "optimizers",
            "label": "optimizers",
            "type": "multi",
            "options": [[name, name, COLORS[name]] for name in OPTIMIZERS],
        },
        {
            "key": "lr",
            "label": "\u03b7 (learning rate)",
            "type": "log",
            "min": -3.0,
            "max": 0.5,
            "step": 0.01,
        },
        {
            "key": "momentum",
            "label": "\u03b2 (momentum)",
            "type": "range",
            "min": 0.0,
            "max": 0.99,
            "step": 0.01,
            "uses": ["Momentum", "Nesterov"],
        },
        {
            "key": "alpha",
            "label": "\u03b3 (RMSProp)",
            "type": "range",
            "min": 0.0,
            "max": 0.999,
            "step": 0.001,
            "uses": ["RMSProp"],
        },
        {
            "key": "beta1",
            "label": "\u03b2\u2081 (Adam)",
            "type": "range",
            "min": 0.0,
            "max": 0.99,
            "step": 0.01,
            "uses": ["Adam"],
        },
        {
            "key": "beta2",
            "label": "\u03b2\u2082 (Adam)",
            "type": "range",
            "min": 0.5,
            "max": 0.9999,
            "step": 0.0001,
            "uses": ["Adam"],
        },
        {
            "key": "eps",
            "label": "\u03b5",
            "type": "log",
            "min": -10.0,
            "max": -1.0,
            "step": 0.5,
            "uses": _ADAPTIVE,
        },
        {
            "key": "eps_inside_sqrt",
            "label": "\u03b5 placement",
            "type": "select",
            "options": [[False, "\u221as + \u03b5 (torch)"], [True, "\u221a(s + \u03b5) (d2l)"]],
            "uses": _ADAPTIVE,
        },
        {"key": "steps", "label": "steps", "type": "int", "min": 1, "max": 200, "step": 1},
        {
            "key": "x0_1",
            "label": "start x\u2081",
            "type": "range",
            "min": -2.0,
            "max": 2.0,
            "step": 0.05,
        },
        {
            "key": "x0_2",
            "label": "start x\u2082",
            "type": "range",
            "min": -2.0,
            "max": 2.0,
            "step": 0.05,
        },
    ]


class TrajectoryExplorer(_Figure):
    """Iterates of several optimizers over a problem's contours, and their loss.

    Attributes for programs and tests: ``controls`` (ipywidgets by key: ``problem``,
    ``theta`` in degrees, ``optimizers``, ``lr``, ``momentum``, ``alpha``, ``beta1``,
    ``beta2``, ``eps``, ``eps_inside_sqrt``, ``steps``, ``x0_1``, ``x0_2``), ``settings``
    (``theta`` in radians, ``x0`` a pair), ``trajectories`` (name -> array
    ``(steps + 1, 2)`` from :func:`d2l_opt.trajectory.run`, for the optimizers shown),
    ``lines`` / ``loss_lines`` (name -> matplotlib ``Line2D``, hidden when not shown),
    ``figure``, ``widget``, :meth:`rule`, :meth:`to_html`.

    >>> ex = TrajectoryExplorer("isotropic", ["SGD", "Adam"], lr=0.1, steps=10)
    >>> ex.set(lr=0.25, x0_1=1.0)                     # two sliders, one redraw
    >>> ex.trajectories["SGD"][:3, 0].tolist()         # x1 <- (1 - 2 * 0.25) x1
    [1.0, 0.5, 0.25]
    >>> ex.rule("Adam").betas, ex.settings["x0"]
    ((0.9, 0.999), (1.0, 1.0))
    """

    kind = "trajectory"
    _control_keys = (
        "problem",
        "theta",
        "optimizers",
        "lr",
        "momentum",
        "alpha",
        "beta1",
        "beta2",
        "eps",
        "eps_inside_sqrt",
        "steps",
        "x0_1",
        "x0_2",
    )

    def __init__(
        self,
        problem="anisotropic",
        optimizers=("SGD", "Momentum"),
        *,
        lr=0.1,
        momentum=0.9,
        alpha=0.9,
        beta1=0.9,
        beta2=0.999,
        eps=1e-6,
        eps_inside_sqrt=False,
        steps=50,
        x0=(-1.0, 1.0),
        theta=0.0,
    ):
        super().__init__()
        if isinstance(optimizers, str):
            optimizers = (optimizers,)
        x0 = (float(x0[0]), float(x0[1]))
        problem = _problem_key(problem)
        self._settings = {
            "problem": problem,
            "optimizers": [_optimizer_name(name) for name in optimizers],
            "lr": float(lr),
            "momentum": float(momentum),
            "alpha": float(alpha),
            "beta1": float(beta1),
            "beta2": float(beta2),
            "eps": float(eps),
            "eps_inside_sqrt": bool(eps_inside_sqrt),
            "steps": int(steps),
            "x0": x0,
            "theta": float(theta),
        }
        for name in self._settings["optimizers"]:  # validate the hyper-parameters early
            self.rule(name)
        # per-figure problem views; the first problem's start range grows to fit x0
        self._views = {name: dict(_PROBLEM_VIEWS[name]) for name in PROBLEM_NAMES}
        ranges = [list(r) for r in self._views[problem]["x0_range"]]
        for i in range(2):
            ranges[i] = [min(ranges[i][0], math.floor(x0[i])), max(ranges[i][1], math.ceil(x0[i]))]
        self._views[problem]["x0_range"] = tuple(tuple(r) for r in ranges)
        values = self._control_values()
        specs = []
        for spec in _trajectory_control_specs():
            if spec["key"] in ("x0_1", "x0_2"):
                i = 0 if spec["key"] == "x0_1" else 1
                spec["min"], spec["max"] = ranges[i]
            if spec["type"] in ("range", "log", "int"):
                spec = _widen(spec, values[spec["key"]])
            specs.append(spec)
        self._build_controls(specs, values)
        self._build_figure()
        self.redraw()

    # -- settings --------------------------------------------------------------------------

    def _control_values(self) -> dict:
        s = self._settings
        values = {k: v for k, v in s.items() if k not in ("x0", "theta")}
        values.update(x0_1=s["x0"][0], x0_2=s["x0"][1], theta=math.degrees(s["theta"]))
        return values

    def _apply_control(self, key: str, value) -> None:
        s = self._settings
        if key == "x0_1":
            s["x0"] = (float(value), s["x0"][1])
        elif key == "x0_2":
            s["x0"] = (s["x0"][0], float(value))
        elif key == "theta":
            s["theta"] = math.radians(value)
        elif key == "optimizers":
            s["optimizers"] = [_optimizer_name(name) for name in value]
        elif key == "steps":
            s["steps"] = int(value)
        elif key in ("problem",):
            s["problem"] = _problem_key(value)
            self._problem_changed()
        elif key == "eps_inside_sqrt":
            s[key] = bool(value)
        else:
            s[key] = float(value)

    def _control_groups(self) -> list:
        """The controls, with one checkbox per optimizer instead of the multiple selection.

        ``controls["optimizers"]`` (a ``SelectMultiple``) stays the source of truth for
        programs; the checkboxes, easier to use than ctrl-click, are kept in step with it.
        """
        import ipywidgets as widgets

        select = self.controls["optimizers"]
        boxes = {
            name: widgets.Checkbox(
                value=name in select.value,
                description=name,
                indent=False,
                layout=widgets.Layout(width="auto", margin="0 10px 0 0"),
            )
            for name in OPTIMIZERS
        }

        syncing = []

        def box_changed(change):
            if not syncing:
                select.value = tuple(name for name in OPTIMIZERS if boxes[name].value)

        def select_changed(change):
            syncing.append(True)
            try:
                for name, box in boxes.items():
                    box.value = name in change["new"]
            finally:
                syncing.pop()

        for box in boxes.values():
            box.observe(box_changed, "value")
        select.observe(select_changed, "value")
        self.optimizer_checkboxes = boxes
        label = widgets.HTML(
            '<div style="text-align: right; padding-right: 8px">optimizers</div>',
            layout=widgets.Layout(width="9em"),
        )
        row = widgets.HBox([label, *boxes.values()], layout=widgets.Layout(flex_flow="row wrap"))
        children = [self.controls[key] for key in self._control_keys if key != "optimizers"]
        return [children[:2], row, children[2:]]

    def _problem_changed(self) -> None:
        """New problem: its start-point ranges (clamping the start), as the JS does."""
        s = self._settings
        ranges = self._views[s["problem"]]["x0_range"]
        x0 = list(s["x0"])
        with self._holding():
            for i, key in enumerate(("x0_1", "x0_2")):
                lo, hi = ranges[i]
                x0[i] = min(max(x0[i], lo), hi)
                control = self.controls[key]
                with control.hold_trait_notifications():
                    control.min, control.max = min(lo, control.min), max(hi, control.max)
                    control.value = x0[i]
                    control.min, control.max = lo, hi
        s["x0"] = (x0[0], x0[1])

    def rule(self, name: str):
        """The :mod:`d2l_opt.rules` rule drawn for optimizer ``name`` at the current settings."""
        return optimizer_rule(name, **self._settings)

    @property
    def problem(self):
        """The :mod:`d2l_opt.problems` problem at the current settings."""
        return explorer_problem(self._settings["problem"], self._settings["theta"])

    def shown(self) -> list[str]:
        """Names of the optimizers shown, in drawing order."""
        chosen = set(self._settings["optimizers"])
        return [name for name in OPTIMIZERS if name in chosen]

    # -- figure ------------------------------------------------------------------------------

    def _build_figure(self) -> None:
        from matplotlib.collections import LineCollection

        fig = self.figure = self._new_figure()
        self.ax = fig.add_axes((0.075, 0.13, 0.335, 0.78))
        self.loss_ax = fig.add_axes((0.53, 0.13, 0.29, 0.78))
        self._contours = LineCollection([], colors="#b9bec4", linewidths=0.8)
        self.ax.add_collection(self._contours)
        (self._minimizer,) = self.ax.plot([], [], "x", color="#222", ms=7, mew=1.6)
        self.lines = {}
        self.loss_lines = {}
        for name in OPTIMIZERS:
            (self.lines[name],) = self.ax.plot(
                [], [], "o-", color=COLORS[name], lw=1.4, ms=2.4, label=name, animated=True
            )
            (self.loss_lines[name],) = self.loss_ax.plot(
                [], [], "-", color=COLORS[name], lw=1.4, label=name, animated=True
            )
        (self._start,) = self.ax.plot(
            [], [], "o", ms=6, mfc="white", mec="#222", mew=1.4, animated=True
        )
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_ylim(*_loss_limits())
        self.loss_ax.set_title("relative loss f(x\u209c) / f(x\u2080)", fontsize=9)
        self.loss_ax.set_xlabel("step t", fontsize=9)
        self.ax.set_xlabel("x\u2081", fontsize=9, labelpad=1)
        self.ax.set_ylabel("x\u2082", fontsize=9, labelpad=1)
        for ax in (self.ax, self.loss_ax):
            ax.tick_params(labelsize=8)
        self._legend = None
        self._legend_names = None
        self._contour_key = None
        self._contour_specs: dict[str, dict] = {}
        self.trajectories: dict[str, np.ndarray] = {}
        self._runs: dict[str, tuple] = {}

    def _run(self, name: str, problem, x0: np.ndarray) -> np.ndarray:
        """``trajectory.run`` for one optimizer, reused while its own settings stay the same.

        A slider that only one optimizer reads (beta1, gamma, ...) recomputes only that one.
        """
        s = self._settings
        rule = self.rule(name)
        key = (rule, s["problem"], s["theta"], tuple(x0.tolist()), s["steps"])
        if name not in self._runs or self._runs[name][0] != key:
            self._runs[name] = (key, _trajectory.run(rule, problem, x0, s["steps"]))
        return self._runs[name][1]

    def _animated(self) -> list:
        return [*self.lines.values(), *self.loss_lines.values(), self._start]

    def _update_artists(self) -> tuple:
        s = self._settings
        problem = self.problem
        x0 = np.array(s["x0"], dtype=np.float64)
        shown = self.shown()
        self.trajectories = {name: self._run(name, problem, x0) for name in shown}
        steps = np.arange(s["steps"] + 1)
        for name in OPTIMIZERS:
            line, loss_line = self.lines[name], self.loss_lines[name]
            traj = self.trajectories.get(name)
            visible = traj is not None
            line.set_visible(visible)
            loss_line.set_visible(visible)
            if visible:
                line.set_data(traj[:, 0], traj[:, 1])
                loss_line.set_data(steps, _relative_loss(problem, traj, x0))
        self._start.set_data([x0[0]], [x0[1]])
        # background: contours, window, titles, legend
        view = self._views[s["problem"]]
        contour_key = (s["problem"], s["theta"])
        if contour_key != self._contour_key:
            c, sn = math.cos(s["theta"]), math.sin(s["theta"])
            turn = np.array([[c, -sn], [sn, c]])
            lines = _contour_lines(self._contour_spec(s["problem"]))
            self._contours.set_segments([line @ turn.T for line in lines])
            self._minimizer.set_data([problem.minimizer[0]], [problem.minimizer[1]])
            title = view["formula"]
            if s["theta"]:
                title += f", turned {math.degrees(s['theta']):.0f}\u00b0"
            self.ax.set_title(title, fontsize=9)
            self._contour_key = contour_key
        xlim, ylim = _plot_window(view, s["theta"], s["x0"])
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self.loss_ax.set_xlim(0, max(s["steps"], 1))
        if self._legend is None or self._legend_names != shown:
            if self._legend is not None:
                self._legend.remove()
            handles = [self._legend_handle(name) for name in shown]
            self._legend = self.figure.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(0.835, 0.91),
                fontsize=8,
                frameon=False,
            )
            self._legend_names = shown
        return (contour_key, xlim, ylim, s["steps"], tuple(shown))

    @staticmethod
    def _legend_handle(name):
        from matplotlib.lines import Line2D

        return Line2D([], [], color=COLORS[name], lw=2, marker="o", ms=3, label=name)

    def _contour_spec(self, name: str) -> dict:
        if name not in self._contour_specs:
            self._contour_specs[name] = _contour_spec(name, self._views[name])
        return self._contour_specs[name]

    # -- static view ---------------------------------------------------------------------------

    def static_config(self) -> dict:
        s = self._settings
        problems = {}
        for name in PROBLEM_NAMES:
            view = self._views[name]
            problems[name] = {
                "label": view["label"],
                "formula": view["formula"],
                "spec": problem_spec(_BASE_PROBLEMS[name]),
                "center": list(view["center"]),
                "half": view["half"],
                "x0_range": [list(r) for r in view["x0_range"]],
                "contours": self._contour_spec(name),
            }
        settings = dict(s)
        settings["x0"] = list(s["x0"])
        return {
            "kind": "trajectory",
            "settings": settings,
            "controls": self.control_specs,
            "problems": problems,
            "optimizers": {name: {"label": name, "color": COLORS[name]} for name in OPTIMIZERS},
            "order": list(OPTIMIZERS),
            "loss": LOSS_DECADES,
        }

    def _fallback_text(self) -> str:
        names = ", ".join(self.shown())
        return f"Interactive figure (needs JavaScript): {names} on the {self._settings['problem']}"


def trajectory_explorer(
    problem="anisotropic",
    optimizers=("SGD", "Momentum"),
    *,
    lr=0.1,
    momentum=0.9,
    alpha=0.9,
    beta1=0.9,
    beta2=0.999,
    eps=1e-6,
    eps_inside_sqrt=False,
    steps=50,
    x0=(-1.0, 1.0),
    theta=0.0,
) -> TrajectoryExplorer:
    r"""Iterates of optimizers on a 2-D problem, with their loss against the step.

    ``problem``: ``"isotropic"`` (:math:`x_1^2+x_2^2`), ``"anisotropic"``
    (:math:`x_1^2+8x_2^2`), ``"d2l"`` (:math:`0.1x_1^2+2x_2^2`) or ``"rosenbrock"``, turned
    counter-clockwise by ``theta`` radians. ``optimizers``: any of ``"SGD"``, ``"Momentum"``,
    ``"Nesterov"``, ``"Adagrad"``, ``"RMSProp"``, ``"Adam"`` (case-insensitive). All share
    the learning rate ``lr``; ``momentum`` is the heavy-ball :math:`\beta` (torch's form
    :math:`v \leftarrow \beta v + g`), ``alpha`` RMSProp's :math:`\gamma`, ``beta1``/``beta2``
    Adam's, ``eps`` the :math:`\epsilon` of Adagrad, RMSProp and Adam, added outside the square
    root (torch) or inside (``eps_inside_sqrt=True``, d2l). ``steps`` iterations from ``x0``.

    Display it in a notebook: Jupyter and Colab show sliders and a live figure computed by
    :mod:`d2l_opt`; the HTML book shows the same figure computed in the page by JavaScript.

    >>> ex = trajectory_explorer("isotropic", ["sgd"], lr=0.25, steps=3, x0=(1.0, -2.0))
    >>> ex.trajectories["SGD"][:, 0].tolist()           # x <- (1 - 2 lr) x
    [1.0, 0.5, 0.25, 0.125]
    """
    return TrajectoryExplorer(
        problem,
        optimizers,
        lr=lr,
        momentum=momentum,
        alpha=alpha,
        beta1=beta1,
        beta2=beta2,
        eps=eps,
        eps_inside_sqrt=eps_inside_sqrt,
        steps=steps,
        x0=x0,
        theta=theta,
    )


# ---------------------------------------------------------------------------------------------
# 2. EWMA explorer
# ---------------------------------------------------------------------------------------------

EWMA_MAX_STEPS = 200


def _ewma_series(seed: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """A slowly varying signal around 2 and noisy observations of it (fixed by ``seed``)."""
    t = np.arange(1, length + 1)
    signal = 2.0 + np.sin(2 * np.pi * t / 60.0)
    noise = np.random.default_rng(seed).normal(0.0, 0.6, size=length)
    return signal, signal + noise


def _nice_ceiling(value: float) -> float:
    """Smallest of 1, 1.2, 1.5, 2, 3, 5, 7 times a power of ten that is >= value."""
    power = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0):
        if m * power >= value * (1 - 1e-12):
            return m * power
    return 10 * power


class EwmaExplorer(_Figure):
    """Weights of a leaky average on past terms, and the average of a noisy series.

    ``controls``: ``beta``, ``bias_correction``, ``steps``. ``weights`` (from
    :func:`d2l_opt.ewma.ewma_weights`, divided by :func:`d2l_opt.ewma.bias_correction` when
    corrected), ``average`` (:func:`d2l_opt.ewma.ewma`), ``series``, ``signal``; artists
    ``stems`` (a LineCollection) and ``average_line``.

    >>> ex = EwmaExplorer(beta=0.5, bias_correction=True, steps=3)
    >>> ex.weights.round(6).tolist()                   # (1 - b) b^k / (1 - b^3)
    [0.571429, 0.285714, 0.142857]
    >>> ex.controls["bias_correction"].value = False
    >>> ex.weights.tolist()
    [0.5, 0.25, 0.125]
    """

    kind = "ewma"
    _control_keys = ("beta", "bias_correction", "steps")

    def __init__(self, *, beta=0.9, bias_correction=True, steps=40, seed=0):
        super().__init__()
        _ewma.ewma_weights(beta, 1)  # validates beta
        steps = int(steps)
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        self.seed = int(seed)
        length = max(EWMA_MAX_STEPS, steps)
        self.full_signal, self.full_series = _ewma_series(self.seed, length)
        self._settings = {
            "beta": float(beta),
            "bias_correction": bool(bias_correction),
            "steps": steps,
        }
        specs = [
            {
                "key": "beta",
                "label": "\u03b2",
                "type": "range",
                "min": 0.0,
                "max": 0.99,
                "step": 0.01,
            },
            {"key": "bias_correction", "label": "bias correction", "type": "checkbox"},
            {"key": "steps", "label": "steps t", "type": "int", "min": 2, "max": length, "step": 1},
        ]
        specs = [
            _widen(s, self._settings[s["key"]]) if s["type"] != "checkbox" else s for s in specs
        ]
        self._build_controls(specs, self._settings)
        self._build_figure()
        self.redraw()

    def _apply_control(self, key, value) -> None:
        if key == "beta":
            self._settings[key] = float(value)
        elif key == "steps":
            self._settings[key] = int(value)
        else:
            self._settings[key] = bool(value)

    def _build_figure(self) -> None:
        from matplotlib.collections import LineCollection

        fig = self.figure = self._new_figure()
        self.weight_ax = fig.add_axes((0.075, 0.19, 0.34, 0.71))
        self.series_ax = fig.add_axes((0.5, 0.19, 0.47, 0.71))
        self.stems = LineCollection([], colors=EWMA_COLOR, linewidths=2, animated=True)
        self.weight_ax.add_collection(self.stems)
        self.window_line = self.weight_ax.axvline(0, color="#888", ls="--", lw=1, animated=True)
        (self.signal_line,) = self.series_ax.plot([], [], "--", color="#999", lw=1.2, animated=True)
        (self.points,) = self.series_ax.plot(
            [], [], "o", color="#555", ms=2.5, alpha=0.6, animated=True
        )
        (self.average_line,) = self.series_ax.plot(
            [], [], "-", color=EWMA_COLOR, lw=1.8, animated=True
        )
        self.caption = fig.text(0.5, 0.015, "", ha="center", fontsize=8.5, animated=True)
        lo, hi = float(self.full_series.min()), float(self.full_series.max())
        pad = 0.05 * (hi - lo)
        self.series_ax.set_ylim(min(lo - pad, -0.2), hi + pad)
        self.series_ax.set_title("series, signal and leaky average", fontsize=9)
        self.series_ax.set_xlabel("t", fontsize=9, labelpad=1)
        self.weight_ax.set_xlabel("age k (weight of x\u209c\u208b\u2096)", fontsize=9, labelpad=1)
        for ax in (self.weight_ax, self.series_ax):
            ax.tick_params(labelsize=8)

    def _animated(self) -> list:
        return [
            self.stems,
            self.window_line,
            self.signal_line,
            self.points,
            self.average_line,
            self.caption,
        ]

    def _update_artists(self) -> tuple:
        s = self._settings
        beta, t, corrected = s["beta"], s["steps"], s["bias_correction"]
        weights = _ewma.ewma_weights(beta, t)
        if corrected:
            weights = weights / _ewma.bias_correction(beta, t)
        self.weights = weights
        self.series = self.full_series[:t]
        self.signal = self.full_signal[:t]
        self.average = _ewma.ewma(self.series, beta, bias_correction=corrected)
        k = np.arange(t)
        self.stems.set_segments(
            np.stack([np.stack([k, 0 * weights], -1), np.stack([k, weights], -1)], 1)
        )
        window = _ewma.effective_window(beta)
        self.window_line.set_xdata([min(window, t - 0.5)] * 2)
        steps = np.arange(1, t + 1)
        self.signal_line.set_data(steps, self.signal)
        self.points.set_data(steps, self.series)
        self.average_line.set_data(steps, self.average)
        self.caption.set_text(
            f"\u03b2 = {beta:.2f}: about 1/(1 \u2212 \u03b2) = {window:.1f} terms remembered"
            + (", bias corrected" if corrected else ", no bias correction (starts from 0)")
        )
        self.series_ax.set_xlim(0, t + 1)
        ytop = _nice_ceiling(float(weights.max()) * 1.1)
        self.weight_ax.set_xlim(-0.5, max(t - 1, 1) + 0.5)
        self.weight_ax.set_ylim(0, ytop)
        title = (
            "weights / (1 \u2212 \u03b2\u1d57)"
            if corrected
            else "weights (1 \u2212 \u03b2)\u03b2\u1d4f"
        )
        self.weight_ax.set_title(title, fontsize=9)
        return (t, ytop, corrected)

    def static_config(self) -> dict:
        lo, hi = self.series_ax.get_ylim()
        return {
            "kind": "ewma",
            "settings": dict(self._settings),
            "controls": self.control_specs,
            "series": self.full_series.tolist(),
            "signal": self.full_signal.tolist(),
            "series_range": [lo, hi],
            "color": EWMA_COLOR,
        }


def ewma_explorer(*, beta=0.9, bias_correction=True, steps=40, seed=0) -> EwmaExplorer:
    r"""The weights of a leaky average and its value on a noisy series.

    Left: the weight :math:`(1-\beta)\beta^k` of the term :math:`k` steps back in
    :math:`y_t` (divided by :math:`1-\beta^t` with ``bias_correction``), with the effective
    window :math:`1/(1-\beta)` dashed. Right: observations of a slow signal with noise
    (``seed``), the signal, and the leaky average over the first ``steps`` observations.

    >>> ex = ewma_explorer(beta=0.5, bias_correction=False, steps=3)
    >>> ex.weights.tolist()
    [0.5, 0.25, 0.125]
    """
    return EwmaExplorer(beta=beta, bias_correction=bias_correction, steps=steps, seed=seed)


# ---------------------------------------------------------------------------------------------
# 3. Momentum eigen-view
# ---------------------------------------------------------------------------------------------


def _nice_step(span: float, count: int) -> float:
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * power >= raw:
            return m * power
    return 10 * power  # pragma: no cover


class MomentumEigenView(_Figure):
    """Heavy-ball momentum on a quadratic: rate map, characteristic roots, coordinates.

    ``controls``: ``lr``, ``momentum``. ``rate`` (:func:`momentum_rate` at the current
    setting), ``roots`` (one pair per eigenvalue, :func:`heavy_ball_roots`), ``trajectory``
    (:func:`d2l_opt.trajectory.run` of ``SGD(lr, momentum)`` on
    :math:`\\sum_i \\lambda_i x_i^2 / 2` from ``x0``), ``problem``; artists ``point`` (the
    chosen setting on the map), ``root_marks`` (one per eigenvalue), ``lines["x1"]`` and
    ``lines["x2"]`` (the coordinates against the step) and ``envelopes``
    (:math:`\\pm|x_{0,i}|\\rho_i^t`).

    >>> view = MomentumEigenView(lr=0.125, momentum=0.0)   # plain GD: roots 0, 1 - lr * lam
    >>> view.roots[1].real.tolist(), round(view.rate, 6)  # lam = 16: on the unit circle
    ([0.0, -1.0], 1.0)
    """

    kind = "eigen"
    _control_keys = ("lr", "momentum")

    def __init__(self, *, lr=0.1, momentum=0.9, eigenvalues=(2.0, 16.0), steps=100, x0=(1.0, 1.0)):
        super().__init__()
        lam = tuple(float(v) for v in eigenvalues)
        if len(lam) != 2 or min(lam) <= 0:
            raise ValueError(f"eigenvalues must be two positive numbers, got {eigenvalues}")
        self.eigenvalues = lam
        self.steps = int(steps)
        self.x0 = (float(x0[0]), float(x0[1]))
        # f = (lam1 x1^2 + lam2 x2^2) / 2: the coordinates are the eigen-directions
        self.problem = _fast(_problems.Quadratic(lam[0] / 2, lam[1] / 2))
        self.best = optimal_momentum(lam)
        # colours span [rate_min, 1]: the best setting is the darkest spot of the map
        self.rate_min = min(math.floor(10 * self.best["rate"]) / 10, 0.9)
        top = 4.2 / max(lam)
        step = _nice_step(top, 300)
        self.lr_range = (0.0, math.ceil(top / step) * step)
        self.beta_range = (0.0, 0.99)
        reach = 1.6 * max(abs(v) for v in self.x0) or 1.0
        self.coordinate_range = (-reach, reach)
        self._settings = {"lr": float(lr), "momentum": float(momentum)}
        self.rule()  # validate
        specs = [
            {
                "key": "lr",
                "label": "\u03b7 (learning rate)",
                "type": "range",
                "min": self.lr_range[0],
                "max": self.lr_range[1],
                "step": step,
                "decimals": max(_decimals(step), 3),
            },
            {
                "key": "momentum",
                "label": "\u03b2 (momentum)",
                "type": "range",
                "min": 0.0,
                "max": 0.99,
                "step": 0.01,
            },
        ]
        specs = [_widen(spec, self._settings[spec["key"]]) for spec in specs]
        self.lr_range = (
            min(self.lr_range[0], specs[0]["min"]),
            max(self.lr_range[1], specs[0]["max"]),
        )
        self.beta_range = (0.0, max(0.99, specs[1]["max"]))
        self._build_controls(specs, self._settings)
        self._build_figure()
        self.redraw()

    def _apply_control(self, key, value) -> None:
        self._settings[key] = float(value)

    def rule(self):
        """The rule at the current setting: ``SGD(lr, momentum)`` (plain SGD at momentum 0)."""
        s = self._settings
        if s["momentum"] == 0:
            return _rules.SGD(lr=s["lr"])
        return _rules.SGD(lr=s["lr"], momentum=s["momentum"])

    def _build_figure(self) -> None:
        import matplotlib as mpl

        fig = self.figure = self._new_figure(EIGEN_FIGSIZE)
        self.rate_ax = fig.add_axes((0.06, 0.14, 0.225, 0.76))
        cax = fig.add_axes((0.29, 0.14, 0.009, 0.76))
        self.roots_ax = fig.add_axes((0.39, 0.14, 0.25, 0.76))
        self.coord_ax = fig.add_axes((0.72, 0.14, 0.265, 0.76))
        lrs = np.linspace(*self.lr_range, 301)
        betas = np.linspace(*self.beta_range, 199)
        self.rate_grid = momentum_rate(lrs[None, :], betas[:, None], self.eigenvalues)
        cmap = mpl.colormaps["viridis"].with_extremes(over="#e1e1e1")
        image = self.rate_ax.imshow(
            self.rate_grid,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=self.rate_min,
            vmax=1,
            extent=(*self.lr_range, *self.beta_range),
            interpolation="nearest",
        )
        fig.colorbar(image, cax=cax).ax.tick_params(labelsize=7)
        lmax = max(self.eigenvalues)
        b = np.linspace(*self.beta_range, 50)
        self.rate_ax.plot(2 * (1 + b) / lmax, b, color="#c62828", lw=1.4)
        b_label = self.beta_range[0] + 0.3 * (self.beta_range[1] - self.beta_range[0])
        self.rate_ax.annotate(
            "diverges",
            (2 * (1 + b_label) / lmax, b_label),
            xytext=(5, 0),
            textcoords="offset points",
            color="#c62828",
            fontsize=7.5,
            va="center",
        )
        self.rate_ax.plot(
            [self.best["lr"]], [self.best["momentum"]], "*", ms=11, mfc="white", mec="#222"
        )
        self.rate_ax.set_xlim(*self.lr_range)
        self.rate_ax.set_ylim(*self.beta_range)
        self.rate_ax.set_xlabel("learning rate \u03b7", fontsize=9, labelpad=1)
        self.rate_ax.set_ylabel("momentum \u03b2", fontsize=9, labelpad=1)
        self.rate_ax.set_title("rate \u03c1(\u03b7, \u03b2)", fontsize=9)
        (self.point,) = self.rate_ax.plot(
            [], [], "o", ms=8, mfc="white", mec="#c62828", mew=2, animated=True
        )
        # the complex plane: the unit circle and one pair of roots per eigenvalue
        ax = self.roots_ax
        phi = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(phi), np.sin(phi), color="#555", lw=1)
        ax.axhline(0, color="#bbb", lw=0.8)
        ax.axvline(0, color="#bbb", lw=0.8)
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.35, 1.35)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("Re z", fontsize=9, labelpad=1)
        ax.set_ylabel("Im z", fontsize=9, labelpad=1)
        ax.set_title(
            "roots of z\u00b2 \u2212 (1 + \u03b2 \u2212 \u03b7\u03bb)z + \u03b2", fontsize=9
        )
        self.root_marks = []
        self.envelopes = []
        self.lines = {}
        self.coord_ax.axhline(0, color="#bbb", lw=0.8)
        for i, lam in enumerate(self.eigenvalues):
            color = EIGEN_COLORS[i]
            sub = "\u2081\u2082"[i]
            label = f"\u03bb{sub} = {lam:g} (x{sub})"
            (mark,) = ax.plot([], [], "o", color=color, ms=7, mec="white", animated=True)
            self.root_marks.append(mark)
            (self.lines[f"x{i + 1}"],) = self.coord_ax.plot(
                [], [], "-", color=color, lw=1.4, label=label, animated=True
            )
            (envelope,) = self.coord_ax.plot([], [], "--", color=color, lw=0.9, animated=True)
            self.envelopes.append(envelope)
        self.coord_ax.set_xlim(0, self.steps)
        self.coord_ax.set_ylim(*self.coordinate_range)
        self.coord_ax.set_xlabel("step t", fontsize=9, labelpad=1)
        self.coord_ax.set_title("coordinates x\u1d62(t) and \u00b1\u03c1\u1d62\u1d57", fontsize=9)
        handles = [self.lines["x1"], self.lines["x2"]]
        self.coord_ax.legend(handles=handles, fontsize=7.5, loc="lower right", frameon=False)
        self.caption = ax.text(
            0.03, 0.97, "", transform=ax.transAxes, va="top", fontsize=8.5, animated=True
        )
        for axis in (self.rate_ax, self.roots_ax, self.coord_ax):
            axis.tick_params(labelsize=8)

    def _animated(self) -> list:
        return [self.point, *self.root_marks, *self.envelopes, *self.lines.values(), self.caption]

    def _update_artists(self) -> tuple:
        s = self._settings
        x0 = np.array(self.x0)
        self.trajectory = _trajectory.run(self.rule(), self.problem, x0, self.steps)
        self.rate = float(momentum_rate(s["lr"], s["momentum"], self.eigenvalues))
        self.roots = [heavy_ball_roots(s["lr"], s["momentum"], lam) for lam in self.eigenvalues]
        t = np.arange(self.steps + 1)
        for i, lam in enumerate(self.eigenvalues):
            roots = self.roots[i]
            self.root_marks[i].set_data(roots.real, roots.imag)
            self.lines[f"x{i + 1}"].set_data(t, self.trajectory[:, i])
            own = float(momentum_rate(s["lr"], s["momentum"], [lam]))
            with np.errstate(all="ignore"):
                env = abs(self.x0[i]) * own ** t.astype(np.float64)
            self.envelopes[i].set_data(
                np.concatenate([t, [np.nan], t]), np.concatenate([env, [np.nan], -env])
            )
        self.point.set_data([s["lr"]], [s["momentum"]])
        verdict = " (diverges)" if self.rate >= 1 else ""
        self.caption.set_text(f"\u03c1 = {self.rate:.3f}{verdict}")
        return ()

    def static_config(self) -> dict:
        return {
            "kind": "eigen",
            "settings": {**self._settings, "steps": self.steps},
            "controls": self.control_specs,
            "eigenvalues": list(self.eigenvalues),
            "lr_range": list(self.lr_range),
            "rate_min": self.rate_min,
            "beta_range": list(self.beta_range),
            "coordinate_range": list(self.coordinate_range),
            "x0": list(self.x0),
            "colors": list(EIGEN_COLORS),
        }


def momentum_eigen_view(
    *, lr=0.1, momentum=0.9, eigenvalues=(2.0, 16.0), steps=100
) -> MomentumEigenView:
    r"""Heavy-ball momentum on a quadratic, one eigen-direction at a time.

    ``eigenvalues`` are the Hessian's, :math:`\lambda_1, \lambda_2` of
    :math:`f = (\lambda_1 x_1^2 + \lambda_2 x_2^2)/2` (the default is the anisotropic
    :math:`x_1^2 + 8x_2^2`). Left: the rate :math:`\rho` (error :math:`\propto \rho^t`) over
    the :math:`(\eta, \beta)` plane, the stability boundary
    :math:`\eta\lambda_{\max} = 2(1+\beta)` in red, the best setting as a star and the chosen
    one as a circle. Middle: for each eigenvalue the two roots of
    :math:`z^2 - (1+\beta-\eta\lambda)z + \beta` in the complex plane with the unit circle
    (inside: that direction converges). Right: the two coordinates of the iterates over
    ``steps`` steps, with the envelopes :math:`\pm|x_{0,i}|\rho_i^t`.

    >>> view = momentum_eigen_view(lr=0.1, momentum=0.0)
    >>> round(view.rate, 6)
    0.8
    """
    return MomentumEigenView(lr=lr, momentum=momentum, eigenvalues=eigenvalues, steps=steps)


# ---------------------------------------------------------------------------------------------
# Static pages
# ---------------------------------------------------------------------------------------------


def static_html(figure: _Figure) -> str:
    """The static (kernel-free) HTML view of a figure; same as ``figure.to_html()``.

    >>> static_html(ewma_explorer()).startswith('<div id="as-fig-')
    True
    """
    return figure.to_html()


def standalone_page(*figures: _Figure, title: str = "Adaptive Steps figures") -> str:
    """A complete HTML document showing the static views of ``figures`` (no network needed).

    >>> page = standalone_page(ewma_explorer(), momentum_eigen_view(), title="Two figures")
    >>> page.count('window.AdaptiveSteps.mount("'), "<title>Two figures</title>" in page
    (2, True)
    """
    body = "\n".join(figure.to_html() for figure in figures)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )
