r"""The EWMA explorer: the weights of a leaky average and its value on a noisy series."""

from __future__ import annotations

import math

import numpy as np

from .. import ewma as _ewma
from .contract import EWMA_COLOR
from .controls import ewma_controls, widen
from .live import LiveFigure

__all__ = ["EwmaExplorer", "ewma_explorer", "EWMA_MAX_STEPS"]

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


class EwmaExplorer(LiveFigure):
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

    def __init__(self, *, beta=0.9, bias_correction=True, steps=40, seed=0, lang=None):
        super().__init__(lang)
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
        specs = ewma_controls(self.lang, length)
        specs = [
            widen(s, self._settings[s["key"]]) if s["type"] != "checkbox" else s for s in specs
        ]
        self._build_controls(specs, self._settings)
        with self._fonts():
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
        self.series_ax.set_title(self._plot_text("series_title"), fontsize=9)
        self.series_ax.set_xlabel("t", fontsize=9, labelpad=1)
        self.weight_ax.set_xlabel(self._plot_text("age"), fontsize=9, labelpad=1)
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
            self._plot_text("ewma_caption", beta=beta, window=window)
            + self._plot_text("bias_corrected" if corrected else "not_bias_corrected")
        )
        self.series_ax.set_xlim(0, t + 1)
        ytop = _nice_ceiling(float(weights.max()) * 1.1)
        self.weight_ax.set_xlim(-0.5, max(t - 1, 1) + 0.5)
        self.weight_ax.set_ylim(0, ytop)
        title = self._plot_text("weights_corrected" if corrected else "weights_plain")
        self.weight_ax.set_title(title, fontsize=9)
        return (t, ytop, corrected)

    def _static_config(self) -> dict:
        lo, hi = self.series_ax.get_ylim()
        return {
            "settings": dict(self._settings),
            "controls": self.control_specs,
            "series": self.full_series.tolist(),
            "signal": self.full_signal.tolist(),
            "series_range": [lo, hi],
            "color": EWMA_COLOR,
        }


def ewma_explorer(**settings) -> EwmaExplorer:
    r"""The weights of a leaky average and its value on a noisy series.

    Left: the weight :math:`(1-\beta)\beta^k` of the term :math:`k` steps back in
    :math:`y_t` (divided by :math:`1-\beta^t` with ``bias_correction``), with the effective
    window :math:`1/(1-\beta)` dashed. Right: observations of a slow signal with noise
    (``seed``), the signal, and the leaky average over the first ``steps`` observations.
    ``settings`` are the keyword arguments of :class:`EwmaExplorer` (``beta=0.9``,
    ``bias_correction=True``, ``steps=40``, ``seed=0``, ``lang``).

    >>> ex = ewma_explorer(beta=0.5, bias_correction=False, steps=3)
    >>> ex.weights.tolist()
    [0.5, 0.25, 0.125]
    """
    return EwmaExplorer(**settings)
