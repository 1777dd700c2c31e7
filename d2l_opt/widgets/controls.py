"""Control specifications: one description serves the ipywidgets and the HTML controls.

A control is a dict: ``key`` (the setting it changes), ``label``, ``type`` (``range``,
``log`` (the slider moves the base-10 logarithm), ``int``, ``select``, ``multi`` or
``checkbox``), ``min``/``max``/``step`` for sliders, ``options`` for choices, optionally
``decimals`` (readout) and ``uses`` (the optimizers that read it). The live view builds
ipywidgets from it (:func:`make_control`); the static view receives the same list in its
configuration and builds HTML controls from it.
"""

from __future__ import annotations

import math

from .contract import COLORS, OPTIMIZERS, PROBLEM_NAMES
from .messages import text

__all__ = [
    "decimals",
    "widen",
    "make_control",
    "trajectory_controls",
    "ewma_controls",
    "eigen_controls",
]

_ADAPTIVE = ["Adagrad", "RMSProp", "Adam"]


def decimals(step: float) -> int:
    """Decimal places a slider of this step shows (0.01 -> 2, 1e-4 -> 4)."""
    written = repr(float(step))
    if "e-" in written:
        return int(written.split("e-")[1])
    return len(written.split(".")[1].rstrip("0")) if "." in written else 0


def widen(spec: dict, value: float) -> dict:
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


def make_control(spec: dict, value):
    """The ipywidgets control for a control specification, set to ``value``."""
    import ipywidgets as widgets

    style = {"description_width": "9em"}
    layout = widgets.Layout(width="auto")
    kind = spec["type"]
    label = spec["label"]
    if kind == "select":
        options = [(label_, option) for option, label_ in spec["options"]]
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
    fmt = f".{spec.get('decimals', decimals(spec['step']))}f"
    return widgets.FloatSlider(value=value, readout_format=fmt, layout=layout, **common)


def _slider(key, lang, kind, lo, hi, step, **extra) -> dict:
    return {
        "key": key,
        "label": text(key, lang),
        "type": kind,
        "min": lo,
        "max": hi,
        "step": step,
        **extra,
    }


def trajectory_controls(lang: str) -> list[dict]:
    """The trajectory explorer's controls (start-point ranges before fitting a start)."""
    return [
        {
            "key": "problem",
            "label": text("problem", lang),
            "type": "select",
            "options": [[name, text(f"problem_{name}", lang)] for name in PROBLEM_NAMES],
        },
        _slider("theta", lang, "range", -90.0, 90.0, 1.0),
        {
            "key": "optimizers",
            "label": text("optimizers", lang),
            "type": "multi",
            "options": [[name, name, COLORS[name]] for name in OPTIMIZERS],
        },
        _slider("lr", lang, "log", -3.0, 0.5, 0.01),
        _slider("momentum", lang, "range", 0.0, 0.99, 0.01, uses=["Momentum", "Nesterov"]),
        _slider("alpha", lang, "range", 0.0, 0.999, 0.001, uses=["RMSProp"]),
        _slider("beta1", lang, "range", 0.0, 0.99, 0.01, uses=["Adam"]),
        _slider("beta2", lang, "range", 0.5, 0.9999, 0.0001, uses=["Adam"]),
        _slider("eps", lang, "log", -10.0, -1.0, 0.5, uses=_ADAPTIVE),
        {
            "key": "eps_inside_sqrt",
            "label": text("eps_inside_sqrt", lang),
            "type": "select",
            "options": [[False, text("eps_outside", lang)], [True, text("eps_inside", lang)]],
            "uses": _ADAPTIVE,
        },
        _slider("steps", lang, "int", 1, 200, 1),
        _slider("x0_1", lang, "range", -2.0, 2.0, 0.05),
        _slider("x0_2", lang, "range", -2.0, 2.0, 0.05),
    ]


def ewma_controls(lang: str, max_steps: int) -> list[dict]:
    """The EWMA explorer's controls: beta, bias correction, steps up to ``max_steps``."""
    steps = _slider("steps", lang, "int", 2, max_steps, 1)
    steps["label"] = text("steps_t", lang)
    return [
        _slider("beta", lang, "range", 0.0, 0.99, 0.01),
        {"key": "bias_correction", "label": text("bias_correction", lang), "type": "checkbox"},
        steps,
    ]


def eigen_controls(lang: str, lr_range: tuple[float, float], lr_step: float) -> list[dict]:
    """The momentum eigen-view's controls: the learning rate over ``lr_range``, momentum."""
    lr = _slider("lr", lang, "range", lr_range[0], lr_range[1], lr_step)
    lr["decimals"] = max(decimals(lr_step), 3)
    return [lr, _slider("momentum", lang, "range", 0.0, 0.99, 0.01)]
