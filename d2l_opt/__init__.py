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

#: The names each module lends the package: a tuple, or ``None`` for the module's ``__all__``.
_EXPORTS = {
    "rules": None,
    "inplace": ("step_inplace",),
    # the function ewma itself lives at d2l_opt.ewma.ewma: the name d2l_opt.ewma is the module
    "ewma": ("ewma_weights", "bias_correction", "effective_window", "half_life"),
    "problems": None,
    "trajectory": ("run", "run_many", "grid"),
    "conventions": ("from_convention", "CONVENTIONS"),
}
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


def _module(name: str):
    return importlib.import_module(f".{name}", __name__)


def _where() -> dict[str, str]:
    """Exported name -> module (imports the modules that lend their whole ``__all__``)."""
    where = {}
    for module, names in _EXPORTS.items():
        for name in _module(module).__all__ if names is None else names:
            where[name] = module
    return where


def __getattr__(name: str):
    if name == "__all__":
        return ["__version__", *_where()]
    if name in _SUBMODULES:
        return _module(name)
    module = _where().get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_where()) | {"__version__"})
