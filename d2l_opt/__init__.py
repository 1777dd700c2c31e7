"""Reference optimizers, test problems and interactive figures for *Adaptive Steps*.

The main names are importable from the package itself and are loaded lazily, on first use,
so ``import d2l_opt`` stays fast and never imports torch (only :mod:`d2l_opt.optim` does):

>>> import d2l_opt
>>> d2l_opt.Adam(lr=0.1).lr, d2l_opt.half_life(0.5), d2l_opt.PROBLEMS["d2l"].a
(0.1, 1.0, 0.1)

Modules: :mod:`d2l_opt.rules` (update rules, numpy and torch; their array backends in
:mod:`d2l_opt.backends`, in-place application in :mod:`d2l_opt.inplace`), :mod:`d2l_opt.optim`
(``torch.optim`` classes), :mod:`d2l_opt.ewma`, :mod:`d2l_opt.problems`, :mod:`d2l_opt.theory`
(momentum on quadratics), :mod:`d2l_opt.trajectory`, :mod:`d2l_opt.conventions` and
:mod:`d2l_opt.widgets` (the interactive figures).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "rules": (
        "SGD",
        "Adagrad",
        "RMSprop",
        "Adam",
        "AdamW",
        "RULES",
        "apply",
        "array_namespace",
        "NonFiniteGradientError",
    ),
    "inplace": ("step_inplace",),
    # the function ewma itself lives at d2l_opt.ewma.ewma: the name d2l_opt.ewma is the module
    "ewma": ("ewma_weights", "bias_correction", "effective_window", "half_life"),
    "problems": (
        "Quadratic",
        "Rosenbrock",
        "rotated",
        "ISOTROPIC",
        "ANISOTROPIC",
        "D2L_QUADRATIC",
        "D2L_ROTATED",
        "ROSENBROCK",
        "PROBLEMS",
    ),
    "trajectory": ("run", "run_many", "grid"),
    "conventions": ("from_convention", "CONVENTIONS"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
_SUBMODULES = (
    "rules",
    "backends",
    "inplace",
    "optim",
    "ewma",
    "problems",
    "theory",
    "trajectory",
    "conventions",
    "widgets",
)

__all__ = ["__version__", *_WHERE]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
