r"""The trajectory explorer: iterates of several optimizers over a problem's contours.

The left panel draws each optimizer's iterates (:func:`d2l_opt.trajectory.run` with the rule
of :func:`~d2l_opt.widgets.contract.optimizer_rule`) over the contours of the problem, the right
panel the relative loss against the step. The plot window, the contour lines and the loss
range are computed here for both views (the static view receives them in its configuration).
"""

from __future__ import annotations

import functools
import html
import math

import numpy as np

from .. import problems as _problems
from .. import trajectory as _trajectory
from .contract import (
    COLORS,
    LOSS_DECADES,
    OPTIMIZERS,
    PROBLEM_NAMES,
    RULE_SETTINGS,
    base_problem,
    explorer_problem,
    optimizer_name,
    optimizer_rule,
    problem_key,
    problem_spec,
)
from .controls import trajectory_controls, widen
from .live import LiveFigure

__all__ = ["TrajectoryExplorer", "trajectory_explorer"]


def _view(formula: str, center: tuple, half: float, x0_range: tuple) -> dict:
    return {"formula": formula, "center": center, "half": half, "x0_range": x0_range}


# Plot window (before turning by theta): centre and half-width; start-point slider ranges.
_PROBLEM_VIEWS = {
    "isotropic": _view("f = w\u2081\u00b2 + w\u2082\u00b2", (0.0, 0.0), 1.5, ((-2.0, 2.0),) * 2),
    "anisotropic": _view("f = w\u2081\u00b2 + 8w\u2082\u00b2", (0.0, 0.0), 1.5, ((-2.0, 2.0),) * 2),
    "d2l": _view("f = 0.1w\u2081\u00b2 + 2w\u2082\u00b2", (0.0, 0.0), 3.0, ((-6.0, 6.0),) * 2),
    "rosenbrock": _view(
        "f = (1 \u2212 w\u2081)\u00b2 + 100(w\u2082 \u2212 w\u2081\u00b2)\u00b2",
        (0.0, 1.0),
        2.0,
        ((-2.0, 2.0), (-1.0, 3.0)),
    ),
}


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
    problem = base_problem(name)
    if isinstance(problem, _problems.Quadratic):
        levels = _ellipse_levels(problem, view)
        return {"type": "ellipses", "a": problem.a, "b": problem.b, "levels": levels}
    paths = [[line[:, 0].tolist(), line[:, 1].tolist()] for line in _rosenbrock_lines()]
    return {"type": "paths", "paths": paths}


def _contour_lines(spec: dict) -> list[np.ndarray]:
    if spec["type"] == "ellipses":
        return _ellipse_lines(spec["a"], spec["b"], spec["levels"])
    return [np.stack([np.asarray(xs), np.asarray(ys)], -1) for xs, ys in spec["paths"]]


class TrajectoryExplorer(LiveFigure):
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
        lang=None,
    ):
        super().__init__(lang)
        if isinstance(optimizers, str):
            optimizers = (optimizers,)
        x0 = (float(x0[0]), float(x0[1]))
        problem = problem_key(problem)
        self._settings = {
            "problem": problem,
            "optimizers": [optimizer_name(name) for name in optimizers],
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
        for spec in trajectory_controls(self.lang):
            if spec["key"] in ("x0_1", "x0_2"):
                i = 0 if spec["key"] == "x0_1" else 1
                spec["min"], spec["max"] = ranges[i]
            if spec["type"] in ("range", "log", "int"):
                spec = widen(spec, values[spec["key"]])
            specs.append(spec)
        self._build_controls(specs, values)
        with self._fonts():
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
            s["optimizers"] = [optimizer_name(name) for name in value]
        elif key == "steps":
            s["steps"] = int(value)
        elif key in ("problem",):
            s["problem"] = problem_key(value)
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
            '<div style="text-align: right; padding-right: 8px">'
            f"{html.escape(self._text('optimizers'))}</div>",
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
        s = self._settings
        return optimizer_rule(name, lr=s["lr"], **{key: s[key] for key in RULE_SETTINGS})

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
        self.loss_ax.set_title(self._plot_text("relative_loss"), fontsize=9)
        self.loss_ax.set_xlabel(self._plot_text("step_t"), fontsize=9)
        self.ax.set_xlabel("w\u2081", fontsize=9, labelpad=1)
        self.ax.set_ylabel("w\u2082", fontsize=9, labelpad=1)
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
                title = self._plot_text("turned", formula=title, degrees=math.degrees(s["theta"]))
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

    def _static_config(self) -> dict:
        s = self._settings
        problems = {}
        for name in PROBLEM_NAMES:
            view = self._views[name]
            problems[name] = {
                "label": self._text(f"problem_{name}"),
                "formula": view["formula"],
                "spec": problem_spec(base_problem(name)),
                "center": list(view["center"]),
                "half": view["half"],
                "x0_range": [list(r) for r in view["x0_range"]],
                "contours": self._contour_spec(name),
            }
        settings = dict(s)
        settings["x0"] = list(s["x0"])
        return {
            "settings": settings,
            "controls": self.control_specs,
            "problems": problems,
            "optimizers": {name: {"label": name, "color": COLORS[name]} for name in OPTIMIZERS},
            "order": list(OPTIMIZERS),
            "loss": LOSS_DECADES,
        }

    def fallback_text(self) -> str:
        names = ", ".join(self.shown())
        problem = self._settings["problem"]
        return self._text("needs_javascript_trajectory", names=names, problem=problem)


def trajectory_explorer(
    problem="anisotropic", optimizers=("SGD", "Momentum"), **settings
) -> TrajectoryExplorer:
    r"""Iterates of optimizers on a 2-D problem, with their loss against the step.

    ``problem``: ``"isotropic"`` (:math:`w_1^2+w_2^2`), ``"anisotropic"``
    (:math:`w_1^2+8w_2^2`), ``"d2l"`` (:math:`0.1w_1^2+2w_2^2`) or ``"rosenbrock"``, turned
    counter-clockwise by ``theta`` radians. ``optimizers``: any of ``"SGD"``, ``"Momentum"``,
    ``"Nesterov"``, ``"Adagrad"``, ``"RMSProp"``, ``"Adam"`` (case-insensitive). All share
    the learning rate ``lr``; ``momentum`` is the heavy-ball :math:`\beta` (torch's form
    :math:`v \leftarrow \beta v + g`), ``alpha`` RMSProp's :math:`\gamma`, ``beta1``/``beta2``
    Adam's, ``eps`` the :math:`\epsilon` of Adagrad, RMSProp and Adam, added outside the square
    root (torch) or inside (``eps_inside_sqrt=True``, d2l). ``steps`` iterations from ``x0``.
    ``lang`` the language of its labels (default :func:`d2l_opt.i18n.get_language`). These
    ``settings`` are the keyword arguments of :class:`TrajectoryExplorer` and default to its
    defaults; any other name raises ``TypeError``.

    Display it in a notebook: Jupyter and Colab show sliders and a live figure computed by
    :mod:`d2l_opt`; the HTML book shows the same figure computed in the page by JavaScript.

    >>> ex = trajectory_explorer("isotropic", ["sgd"], lr=0.25, steps=3, x0=(1.0, -2.0))
    >>> ex.trajectories["SGD"][:, 0].tolist()           # x <- (1 - 2 lr) x
    [1.0, 0.5, 0.25, 0.125]
    """
    return TrajectoryExplorer(problem, optimizers, **settings)
