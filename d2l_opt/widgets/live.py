"""The live view: ipywidgets controls over a matplotlib figure redrawn by blitting.

:class:`LiveFigure` is the base of the three figures. A control change updates the artists in
place (``Line2D.set_data``) and re-renders only what changed: the axes, contours and legend
are rendered once into a background that is reused until the limits change, the moving
artists are drawn over it and the pixels are encoded as PNG into an ``ipywidgets.Image``.
This needs no ipympl, so it works in Jupyter and in Colab.

A subclass sets ``kind`` and ``_control_keys`` and writes ``_build_figure``, ``_animated``,
``_update_artists`` (returning a key of everything in the background) and ``static_config``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io

from .. import i18n
from . import page
from .controls import make_control
from .messages import resolve_language, text

__all__ = ["LiveFigure", "DPI", "FIGSIZE", "hangul_font"]

# Figure geometry (inches at DPI): small on purpose, the live redraw must stay fast.
DPI = 80
FIGSIZE = (8.6, 3.5)


@functools.cache
def hangul_font() -> str | None:
    """The name of an installed font matplotlib can draw Korean with, or None."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        name = entry.name
        if any(word in name for word in ("Nanum", "Noto Sans CJK", "Noto Serif CJK", "UnDotum")):
            return name
    return None


def widget_view_bundle(widget, include=None, exclude=None) -> dict:
    """The widget's own MIME bundle, under ipywidgets 8 and 7 alike.

    ipywidgets 8 widgets have ``_repr_mimebundle_``; ipywidgets 7 (Colab's) only have
    ``_ipython_display_``, which publishes this same view reference itself and then runs the
    widget's ``on_displayed`` callbacks, as done here.
    """
    if hasattr(widget, "_repr_mimebundle_"):
        return dict(widget._repr_mimebundle_(include=include, exclude=exclude) or {})
    bundle = {
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": widget.model_id,
        }
    }
    widget._handle_displayed()
    return bundle


class LiveFigure:
    """Base class: settings, ipywidgets controls, a blitted matplotlib figure, two views.

    ``lang`` (``"en"``, ``"ko"``; default :func:`d2l_opt.i18n.get_language`) is the
    language of the figure's controls, notes and static view; the numbers do not change.
    The texts matplotlib draws into the image (titles, axis names, legends, captions) follow
    ``plot_lang``: ``lang`` where matplotlib has a font with its script (for Korean, an
    installed Hangul font such as Debian's ``fonts-nanum``), English otherwise, so that no
    glyph is ever drawn as a box.

    >>> from d2l_opt.widgets import ewma_explorer
    >>> figure = ewma_explorer(steps=5, lang="ko")
    >>> figure.lang, figure.controls["bias_correction"].description
    ('ko', '편향 보정')
    """

    kind = ""
    _control_keys: tuple[str, ...] = ()

    def __init__(self, lang: str | None = None):
        self.lang = resolve_language(lang)
        # Said to the page only when chosen: else the page's <html lang> decides.
        self._lang_chosen = lang is not None or i18n.language_chosen()
        self._font = hangul_font() if self.lang == "ko" else None
        self.plot_lang = self.lang if self.lang == "en" or self._font else "en"
        self.redraw_count = 0
        self.full_redraw_count = 0
        self._hold = 0
        self._background = None
        self._background_key = None
        self._widget = None

    def _text(self, key: str, **fields) -> str:
        """A text of :mod:`d2l_opt.widgets.messages` in the figure's language."""
        return text(key, self.lang, **fields)

    def _plot_text(self, key: str, **fields) -> str:
        """A text drawn by matplotlib, in :attr:`plot_lang`."""
        return text(key, self.plot_lang, **fields)

    @contextlib.contextmanager
    def _fonts(self):
        """Artists made inside use the figure's Hangul font (when it has one)."""
        if self._font is None:
            yield
            return
        import matplotlib as mpl

        with mpl.rc_context({"font.family": [self._font, "DejaVu Sans"]}):
            yield

    # -- settings and controls -----------------------------------------------------------------

    @property
    def settings(self) -> dict:
        """The current settings (a copy): what the figure computes with."""
        return copy.deepcopy(self._settings)

    def _build_controls(self, specs: list[dict], values: dict):
        import ipywidgets as widgets

        self.control_specs = specs
        self.controls: dict[str, widgets.Widget] = {}
        for spec in specs:
            control = make_control(spec, values[spec["key"]])
            control.observe(functools.partial(self._control_changed, spec["key"]), "value")
            self.controls[spec["key"]] = control

    def _control_changed(self, key: str, change) -> None:
        if self._hold:
            return
        self._apply_control(key, change["new"])
        self.redraw()

    def _apply_control(self, key: str, value) -> None:
        self._settings[key] = value

    @contextlib.contextmanager
    def _holding(self):
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1

    def set(self, **values) -> None:
        """Set several controls at once (one redraw), e.g. ``fig.set(lr=0.05, steps=80)``."""
        with self._holding():
            for key, value in values.items():
                if key not in self.controls:
                    raise KeyError(f"no control {key!r}; controls: {', '.join(self.controls)}")
                self.controls[key].value = value
                self._apply_control(key, self.controls[key].value)
        self.redraw()

    # -- rendering ---------------------------------------------------------------------------

    def _new_figure(self, figsize=FIGSIZE):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, dpi=DPI)
        FigureCanvasAgg(fig)
        return fig

    def _animated(self) -> list:
        """Artists redrawn on every change (they carry ``animated=True``)."""
        raise NotImplementedError

    def _update_artists(self) -> tuple:
        """Recompute and update the artists; return a key of everything in the background."""
        raise NotImplementedError

    def redraw(self) -> None:
        """Recompute for the current settings, update the artists and the image."""
        with self._fonts():
            key = self._update_artists()
        canvas = self.figure.canvas
        if key != self._background_key or self._background is None:
            canvas.draw()  # axes, ticks, contours, legend: everything not animated
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            self.full_redraw_count += 1
        else:
            canvas.restore_region(self._background)
        for artist in self._animated():
            self.figure.draw_artist(artist)
        self.redraw_count += 1
        if self._widget is not None:
            self.image.value = self.png()

    def png(self) -> bytes:
        """The figure as currently drawn, as PNG bytes (what the live view shows)."""
        from PIL import Image

        canvas = self.figure.canvas
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        # a palette image: a third of the bytes of RGB (Colab sends every frame over the
        # network) and no slower to encode; line art has few colours, so nothing is lost
        image = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # -- the two views -----------------------------------------------------------------------

    @property
    def widget(self):
        """The live view: controls above the figure image (an ``ipywidgets.VBox``)."""
        if self._widget is None:
            import ipywidgets as widgets

            width, _ = self.figure.canvas.get_width_height()
            self.image = widgets.Image(value=self.png(), format="png")
            self.image.layout = widgets.Layout(max_width="100%", width=f"{width}px")
            rows = []
            for group in self._control_groups():
                if isinstance(group, widgets.Widget):
                    rows.append(group)
                    continue
                rows.append(
                    widgets.GridBox(
                        group,
                        layout=widgets.Layout(
                            grid_template_columns="repeat(auto-fill, minmax(250px, 1fr))",
                            grid_gap="2px 12px",
                            width="100%",
                            max_width="900px",
                        ),
                    )
                )
            self._widget = widgets.VBox([*rows, self.image])
        return self._widget

    def _control_groups(self) -> list:
        """Rows above the figure: lists of controls (laid out in a grid) or single widgets."""
        return [[self.controls[key] for key in self._control_keys if key in self.controls]]

    def static_config(self) -> dict:
        """The JSON the JS module mounts the static view from (with ``kind`` and ``lang``)."""
        chosen = {"lang": self.lang} if self._lang_chosen else {}
        return {"kind": self.kind, **chosen, **self._static_config()}

    def _static_config(self) -> dict:
        raise NotImplementedError

    def to_html(self) -> str:
        """The static view: self-contained HTML (inline JS and CSS, no network, no kernel).

        The one name of the static view; the notebook front ends get it through
        ``_repr_mimebundle_`` as ``text/html``.
        """
        return page.figure_html(self)

    def fallback_text(self) -> str:
        """What the static view says where JavaScript does not run."""
        return self._text("needs_javascript")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = widget_view_bundle(self.widget, include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._settings.items())
        return f"{type(self).__name__}({items})"
