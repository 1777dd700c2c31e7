"""Sphinx extension: keep the built book free of scripts that load from the network.

Jupyter Book v1 always enables sphinx-thebe, which writes a CDN address for the Thebe
live-code library into every page even when live code is switched off in ``_config.yml``.
Live code needs a remote kernel anyway, so this book does not offer it; we drop Thebe's
scripts from every page instead of shipping a dead CDN reference.
"""

from __future__ import annotations

from typing import Any


def _is_thebe_script(script: Any) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe_script(s)]


def setup(app) -> dict[str, Any]:
    # Run after every other html-page-context handler so that late additions are caught too.
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
