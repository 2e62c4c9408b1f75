"""Sphinx fix-ups for the book's HTML pages: its stylesheet and script, each script once.

``static/book.css`` sizes the text column for code, outputs and equations, at a laptop's
window and on a phone (see its comments); ``static/book.js`` scales a display equation wider
than the column down to fit it, as MathJax 3 does not break lines.

Sphinx 7.4 registers an inline script (a ``<script>`` with a body and no file) twice when an
extension adds it after the builder exists: once on the builder with ``filename=None`` and
again when pages are prepared, with ``filename=''``; the two do not compare equal, so both
land on every page. sphinx-thebe (``const THEBE_JS_URL = ...``) and sphinx-togglebutton add
theirs that way, and the second ``const`` declaration throws "Identifier 'THEBE_JS_URL' has
already been declared" in the browser console of every page. This extension drops the
repeated copy of each inline script before a page is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
ROOT_FILES = Path(__file__).parent / "root"  # copied to the top of the built site


def _key(asset: Any) -> tuple:
    attributes = getattr(asset, "attributes", {}) or {}
    return (
        getattr(asset, "filename", None) or "",
        tuple(sorted((k, str(v)) for k, v in attributes.items())),
    )


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for asset in scripts:
        key = _key(asset)
        if key in seen:
            continue
        seen.add(key)
        unique.append(asset)
    scripts[:] = unique


def add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def set_favicon(app, config) -> None:
    # Without one, every browser asks for /favicon.ico and logs the 404 as a console error.
    if not config.html_favicon:
        config.html_favicon = str(STATIC / "favicon.svg")
    # The root index.html that Jupyter Book writes is a bare redirect without an icon link:
    # a browser may still ask for /favicon.ico before it follows the redirect.
    config.html_extra_path.append(str(ROOT_FILES))


def setup(app) -> dict[str, Any]:
    app.connect("builder-inited", add_static)
    app.connect("config-inited", set_favicon)
    app.add_css_file("book.css")
    app.add_js_file("book.js", loading_method="defer")
    # Late priority: after every extension has added its scripts for the page.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
