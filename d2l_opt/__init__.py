"""Reference optimizers, test problems and interactive figures for *Adaptive Steps*."""

__version__ = "0.1.0"
