r"""The momentum eigen-view: heavy-ball momentum on a quadratic, direction by direction."""

from __future__ import annotations

import math

import numpy as np

from .. import problems as _problems
from .. import rules as _rules
from .. import trajectory as _trajectory
from ..theory import heavy_ball_roots, momentum_rate, optimal_momentum
from .contract import EIGEN_COLORS
from .controls import eigen_controls, widen
from .live import LiveFigure

__all__ = ["MomentumEigenView", "momentum_eigen_view", "EIGEN_FIGSIZE"]

EIGEN_FIGSIZE = (9.6, 3.4)


def _nice_step(span: float, count: int) -> float:
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * power >= raw:
            return m * power
    return 10 * power  # pragma: no cover


class MomentumEigenView(LiveFigure):
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

    def __init__(
        self, *, lr=0.1, momentum=0.9, eigenvalues=(2.0, 16.0), steps=100, x0=(1.0, 1.0), lang=None
    ):
        super().__init__(lang)
        lam = tuple(float(v) for v in eigenvalues)
        if len(lam) != 2 or min(lam) <= 0:
            raise ValueError(f"eigenvalues must be two positive numbers, got {eigenvalues}")
        self.eigenvalues = lam
        self.steps = int(steps)
        self.x0 = (float(x0[0]), float(x0[1]))
        # f = (lam1 x1^2 + lam2 x2^2) / 2: the coordinates are the eigen-directions
        self.problem = _problems.Quadratic(lam[0] / 2, lam[1] / 2)
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
        specs = eigen_controls(self.lang, self.lr_range, step)
        specs = [widen(spec, self._settings[spec["key"]]) for spec in specs]
        self.lr_range = (
            min(self.lr_range[0], specs[0]["min"]),
            max(self.lr_range[1], specs[0]["max"]),
        )
        self.beta_range = (0.0, max(0.99, specs[1]["max"]))
        self._build_controls(specs, self._settings)
        with self._fonts():
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
            self._plot_text("diverges"),
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
        self.rate_ax.set_xlabel(self._plot_text("learning_rate_axis"), fontsize=9, labelpad=1)
        self.rate_ax.set_ylabel(self._plot_text("momentum_axis"), fontsize=9, labelpad=1)
        self.rate_ax.set_title(self._plot_text("rate_title"), fontsize=9)
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
        ax.set_title(self._plot_text("roots_title"), fontsize=9)
        self.root_marks = []
        self.envelopes = []
        self.lines = {}
        self.coord_ax.axhline(0, color="#bbb", lw=0.8)
        for i, lam in enumerate(self.eigenvalues):
            color = EIGEN_COLORS[i]
            sub = "\u2081\u2082"[i]
            label = self._plot_text("eigen_legend", sub=sub, lam=lam)
            (mark,) = ax.plot([], [], "o", color=color, ms=7, mec="white", animated=True)
            self.root_marks.append(mark)
            (self.lines[f"x{i + 1}"],) = self.coord_ax.plot(
                [], [], "-", color=color, lw=1.4, label=label, animated=True
            )
            (envelope,) = self.coord_ax.plot([], [], "--", color=color, lw=0.9, animated=True)
            self.envelopes.append(envelope)
        self.coord_ax.set_xlim(0, self.steps)
        self.coord_ax.set_ylim(*self.coordinate_range)
        self.coord_ax.set_xlabel(self._plot_text("step_t"), fontsize=9, labelpad=1)
        self.coord_ax.set_title(self._plot_text("coordinates_title"), fontsize=9)
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
        caption = "rate_caption_diverges" if self.rate >= 1 else "rate_caption"
        self.caption.set_text(self._plot_text(caption, rate=self.rate))
        return ()

    def _static_config(self) -> dict:
        return {
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


def momentum_eigen_view(**settings) -> MomentumEigenView:
    r"""Heavy-ball momentum on a quadratic, one eigen-direction at a time.

    ``eigenvalues`` are the Hessian's, :math:`\lambda_1, \lambda_2` of
    :math:`f = (\lambda_1 w_1^2 + \lambda_2 w_2^2)/2` (the default is the anisotropic
    :math:`w_1^2 + 8w_2^2`). Left: the rate :math:`\rho` (error :math:`\propto \rho^t`) over
    the :math:`(\eta, \beta)` plane, the stability boundary
    :math:`\eta\lambda_{\max} = 2(1+\beta)` in red, the best setting as a star and the chosen
    one as a circle. Middle: for each eigenvalue the two roots of
    :math:`z^2 - (1+\beta-\eta\lambda)z + \beta` in the complex plane with the unit circle
    (inside: that direction converges). Right: the two coordinates of the iterates over
    ``steps`` steps, with the envelopes :math:`\pm|x_{0,i}|\rho_i^t`. ``settings`` are the
    keyword arguments of :class:`MomentumEigenView` (``lr=0.1``, ``momentum=0.9``,
    ``eigenvalues=(2.0, 16.0)``, ``steps=100``, ``x0=(1.0, 1.0)``, ``lang``).

    >>> view = momentum_eigen_view(lr=0.1, momentum=0.0)
    >>> round(view.rate, 6)
    0.8
    """
    return MomentumEigenView(**settings)
