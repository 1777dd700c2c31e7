"""Hand a computed number to the chapter's prose (MyST-NB ``glue``), also where MyST-NB is absent.

The book's text never types a number that a cell computes: the cell calls :func:`glue` and the
markdown writes ``{glue:text}`key:.3g``` (the key, then a Python format spec), so prose and
output cannot disagree. The book build executes the notebooks with MyST-NB, which stores the
value with the cell's output and pastes it into the text.

Plain Jupyter and Colab do not have MyST-NB. There :func:`glue` stores nothing and shows
nothing unless asked: the markdown shows the role's source and the cell's printed output
carries the number. Like MyST-NB's own ``glue`` it returns ``None``, so a cell that ends with a
glue call shows nothing.

>>> glue("first_step", np.float64(3.1622776601683795))   # stored for the text, nothing shown
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["glue", "plain"]


def plain(value: Any) -> Any:
    """Return ``value`` as a plain Python ``int``/``float``/``bool`` when it is a number.

    MyST-NB formats a glued number by reading back its ``text/plain`` form, and NumPy 2 prints
    its scalars as ``np.float64(…)``, which a format spec cannot parse; hence the conversion.
    Zero-dimensional arrays and torch scalars (anything with ``.item()``) are unwrapped too.

    >>> plain(np.float32(0.5)), plain(np.int64(3)), plain(np.array(2.0)), plain("text")
    (0.5, 3, 2.0, 'text')
    >>> plain(np.array([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    TypeError: glue takes a single number or a string, not an array of shape (2,)
    """
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray) or hasattr(value, "shape"):
        if tuple(value.shape) != ():
            raise TypeError(
                f"glue takes a single number or a string, not an array of shape "
                f"{tuple(value.shape)}"
            )
        value = value.item()
    if hasattr(value, "item") and not isinstance(value, numbers.Number):
        value = value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` (converted by :func:`plain`) under ``name`` for ``{glue:text}`name:fmt```.

    ``display=True`` also shows the value in the cell's output. Without MyST-NB (plain Jupyter,
    Colab) nothing is stored; with ``display=True`` the value is still shown.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue key must be an identifier-like string, got {name!r}")
    value = plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # plain Jupyter or Colab: the printed output carries the number
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
