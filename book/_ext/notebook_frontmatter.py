"""Read each chapter's JupyterLab front matter out of its notebook before Sphinx parses it.

A chapter's first Markdown cell opens with a YAML block, ``numbering: enumerator: "3.%s"``,
that JupyterLab's MyST renderer reads to number the chapter's equations and exercises
3.1, 3.2, ... as the HTML book does (Sphinx takes the same numbers from the numbered table
of contents). MyST-NB would render that block as a horizontal rule and a heading, so it is
removed from the notebook's text on ``source-read``; the file on disk is untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def strip_front_matter(notebook_text: str) -> str:
    """The notebook's JSON without the YAML block that opens its first Markdown cell."""
    notebook = json.loads(notebook_text)
    first = next((c for c in notebook["cells"] if c["cell_type"] == "markdown"), None)
    if first is None:
        return notebook_text
    source = "".join(first["source"])
    stripped = FRONT_MATTER.sub("", source, count=1)
    if stripped == source:
        return notebook_text
    first["source"] = stripped
    return json.dumps(notebook)


def on_source_read(app, docname: str, source: list[str]) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = strip_front_matter(source[0])


def setup(app) -> dict[str, Any]:
    app.connect("source-read", on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
