"""The live view as a front end sees it, under whichever ipywidgets this environment has.

Runs here (ipywidgets 8) and, through tests/test_colab_env.py, in the Colab-like environment
(ipywidgets 7.7.1). Displaying goes through IPython's own display machinery, where an exception
in a display hook becomes a printed traceback rather than a failure; a slider is moved the way
a browser moves it, by a comm message, and what goes back to the browser is recorded.
"""

from __future__ import annotations

import io

import ipywidgets
import numpy as np
import pytest
from explorer_reference import expected_trajectory
from PIL import Image

from d2l_opt import widgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    instance = InteractiveShell.instance()
    yield instance
    InteractiveShell.clear_instance()


def displayed(shell, obj) -> list[dict]:
    """What ``display(obj)`` publishes in a kernel: the data of each output."""
    from IPython.display import display
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        display(obj)
    # a failing display hook prints a traceback instead of raising
    assert not captured.stderr and "Traceback" not in captured.stdout, captured.stdout
    return [output.data for output in captured.outputs]


@pytest.mark.parametrize(
    "make",
    [
        lambda: widgets.trajectory_explorer("anisotropic", ("SGD", "Adam"), steps=20),
        lambda: widgets.ewma_explorer(steps=30),
        lambda: widgets.momentum_eigen_view(),
    ],
    ids=["trajectory", "ewma", "eigen"],
)
def test_display_publishes_the_live_and_the_static_view(shell, make):
    figure = make()
    (data,) = displayed(shell, figure)
    assert data[WIDGET_VIEW]["model_id"] == figure.widget.model_id
    assert data[WIDGET_VIEW]["version_major"] == 2
    assert 'window.AdaptiveSteps.mount("' in data["text/html"]
    assert data["text/plain"] == repr(figure)


def test_the_view_refers_to_a_box_holding_the_controls_and_the_image(shell):
    figure = widgets.trajectory_explorer(steps=10)
    displayed(shell, figure)
    box = figure.widget
    assert isinstance(box, ipywidgets.VBox) and box.children[-1] is figure.image
    # every control the reader can move is in the displayed tree
    seen, stack = set(), [box]
    while stack:
        widget = stack.pop()
        seen.add(widget.model_id)
        stack.extend(getattr(widget, "children", ()))
    assert {control.model_id for control in figure.controls.values()} - {
        figure.controls["optimizers"].model_id
    } <= seen


def browser_update(widget, **state) -> None:
    """The comm message a browser sends when the reader moves a control (protocol 2)."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_moving_a_slider_in_the_browser_redraws_the_figure(shell):
    figure = widgets.trajectory_explorer("anisotropic", ("SGD", "Momentum"), lr=0.02, steps=30)
    displayed(shell, figure)
    before_png, before_count = bytes(figure.image.value), figure.redraw_count

    browser_update(figure.controls["lr"], value=0.08)

    assert figure.controls["lr"].value == 0.08
    assert figure.redraw_count == before_count + 1
    settings = figure.settings
    for name in ("SGD", "Momentum"):
        np.testing.assert_array_equal(
            np.stack(figure.lines[name].get_data(), -1), expected_trajectory(settings, name)
        )
    shown = bytes(figure.image.value)  # what the image widget syncs to the browser
    assert shown.startswith(b"\x89PNG") and shown == figure.png()
    assert np.abs(pixels(shown) - pixels(before_png)).max() > 0


def test_a_browser_checkbox_changes_the_optimizers_drawn(shell):
    figure = widgets.trajectory_explorer("d2l", ("SGD", "Adam"), steps=15)
    displayed(shell, figure)
    before = bytes(figure.image.value)
    browser_update(figure.optimizer_checkboxes["RMSProp"], value=True)
    assert figure.shown() == ["SGD", "RMSProp", "Adam"]
    assert figure.controls["optimizers"].value == ("SGD", "RMSProp", "Adam")
    assert bytes(figure.image.value) == figure.png() != before
