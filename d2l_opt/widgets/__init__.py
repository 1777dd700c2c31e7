r"""Interactive figures for the book: live in Jupyter/Colab, still interactive in the static book.

Three figures, each a function returning a figure object:

* :func:`trajectory_explorer`: iterates of several optimizers (SGD, Momentum, Nesterov,
  Adagrad, RMSProp, Adam) on a 2-D problem (isotropic, anisotropic, d2l's
  :math:`0.1w_1^2+2w_2^2`, Rosenbrock; any of them turned by :math:`\theta`), drawn over the
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
    static view. :meth:`~d2l_opt.widgets.live.LiveFigure.to_html` returns it on its own (e.g. for
    ``IPython.display.HTML``).

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

Modules
-------
One job each: :mod:`~d2l_opt.widgets.contract` (what Python and the JS module must agree on:
names, colours, defaults, the version, rules and problems as JSON),
:mod:`~d2l_opt.widgets.controls` (the control specifications),
:mod:`~d2l_opt.widgets.live` (the live view's base class),
:mod:`~d2l_opt.widgets.trajectory`, :mod:`~d2l_opt.widgets.ewma` and
:mod:`~d2l_opt.widgets.eigen` (one figure each), :mod:`~d2l_opt.widgets.page` (the static
view's HTML) and :mod:`~d2l_opt.widgets.messages` (every text, in English and Korean: each
figure takes ``lang=``). The momentum theory the eigen-view draws is :mod:`d2l_opt.theory`.
"""

from __future__ import annotations

from . import contract
from .contract import *  # noqa: F403  (the names Python and the JS module agree on)
from .eigen import MomentumEigenView, momentum_eigen_view
from .ewma import EwmaExplorer, ewma_explorer
from .live import LiveFigure
from .page import STATIC_DIR, javascript_source, standalone_page
from .trajectory import TrajectoryExplorer, trajectory_explorer

__all__ = [
    "trajectory_explorer",
    "ewma_explorer",
    "momentum_eigen_view",
    "TrajectoryExplorer",
    "EwmaExplorer",
    "MomentumEigenView",
    "LiveFigure",
    "STATIC_DIR",
    "standalone_page",
    "javascript_source",
    *contract.__all__,
]
