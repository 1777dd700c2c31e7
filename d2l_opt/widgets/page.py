"""The static view as HTML: one figure's ``<div>`` and ``<script>``, or a whole page.

The script inlines ``d2l_opt/static/adaptive_steps.js`` (once per page, guarded by
``if (!window.AdaptiveSteps)``), its stylesheet and the figure's configuration as JSON, so
the view needs no kernel and no network.
"""

from __future__ import annotations

import functools
import html
import json
import uuid
from pathlib import Path

__all__ = ["STATIC_DIR", "javascript_source", "figure_html", "standalone_page"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@functools.cache
def javascript_source() -> str:
    """The text of ``d2l_opt/static/adaptive_steps.js`` (the static figures' code).

    >>> "window.AdaptiveSteps" in javascript_source()
    True
    """
    source = (STATIC_DIR / "adaptive_steps.js").read_text(encoding="utf-8")
    if "</script" in source.lower() or "<!--" in source:
        raise ValueError("adaptive_steps.js must not contain '</script' or '<!--'")
    return source


@functools.cache
def css_source() -> str:
    return (STATIC_DIR / "adaptive_steps.css").read_text(encoding="utf-8")


def script_json(value) -> str:
    """JSON safe to inline in a ``<script>`` element (no ``</``, no NaN)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def figure_html(figure) -> str:
    """A figure's static view: self-contained HTML (inline JS and CSS, no network, no kernel).

    ``figure`` is one of the figure objects (it supplies ``kind``, ``static_config()`` and
    ``fallback_text()``); ``figure.to_html()`` calls this.
    """
    uid = f"as-fig-{uuid.uuid4().hex[:12]}"
    config = script_json(figure.static_config())
    return (
        f'<div id="{uid}" class="as-figure as-{figure.kind}" data-kind="{figure.kind}">'
        f'<p class="as-fallback">{html.escape(figure.fallback_text())}</p></div>\n'
        "<script>\n(function () {\nif (!window.AdaptiveSteps) {\n"
        f"{javascript_source()}\n}}\n"
        f"window.AdaptiveSteps.injectStyle({script_json(css_source())});\n"
        f'window.AdaptiveSteps.mount("{uid}", {config});\n'
        "})();\n</script>\n"
    )


def standalone_page(*figures, title: str = "Adaptive Steps figures", lang: str = "en") -> str:
    """A complete HTML document showing the static views of ``figures`` (no network needed).

    >>> from d2l_opt.widgets import ewma_explorer, momentum_eigen_view
    >>> page = standalone_page(ewma_explorer(), momentum_eigen_view(), title="Two figures")
    >>> page.count('window.AdaptiveSteps.mount("'), "<title>Two figures</title>" in page
    (2, True)
    """
    body = "\n".join(figure.to_html() for figure in figures)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )
