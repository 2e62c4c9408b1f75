"""Let Markdown links reach the entries of the bibliography: ``[Kingma et al.,
2014](references.md#cite-kingma2014semi)``.

The chapters cite with plain links rather than citation roles, so that JupyterLab, which
cannot read ``references.bib``, shows "(Kingma et al., 2014)" instead of a raw key
(``tests/book/test_citations.py`` keeps each link's text true to the entry).
sphinxcontrib-bibtex gives every entry the id ``cite-<key>`` (``bibtex_cite_id`` in
``_config.yml``), but MyST accepts a link's ``#id`` only among a page's heading anchors, and
warns otherwise; this extension adds the entries' ids to those anchors as each page is read.
"""

from __future__ import annotations

from typing import Any

PREFIX = "cite-"


def register_citation_ids(app, doctree) -> None:
    ids = [i for i in doctree.ids if i.startswith(PREFIX)]
    if not ids:
        return
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for target in ids:
        slugs.setdefault(target, (0, target, target[len(PREFIX) :]))


def setup(app) -> dict[str, Any]:
    app.connect("doctree-read", register_citation_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
