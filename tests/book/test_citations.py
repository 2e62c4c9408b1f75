"""Citations are plain Markdown links, "(Kingma et al., 2014)", to the entry on the
references page: JupyterLab's MyST renderer cannot read the bibliography, and would show a
citation role as a raw key. These tests keep every link's text true to book/references.bib."""

import codecs
import json
import re
from pathlib import Path

import latexcodec  # noqa: F401 - registers the 'ulatex' codec
import pytest
from pybtex.database import parse_file

BOOK = Path(__file__).resolve().parents[2] / "book"
LINK = re.compile(r"\[([^\[\]\n]+)\]\(references\.md#cite-([^)\s]+)\)")


def entries() -> dict:
    return dict(parse_file(BOOK / "references.bib").entries)


def author_year(entry) -> tuple[str, str]:
    """'Surname', 'A and B' or 'A et al.', and the year, of a bib entry."""
    people = [
        codecs.decode(p.last_names[0], "ulatex").replace("{", "").replace("}", "")
        for p in entry.persons["author"]
    ]
    if len(people) > 2 or people[-1] == "others":
        return f"{people[0]} et al.", entry.fields["year"]
    return " and ".join(people), entry.fields["year"]


def citation_labels() -> dict[str, str]:
    """Each key's link text, with a, b, ... after the year when two entries would read
    the same (in key order)."""
    found = entries()
    by_text: dict[tuple[str, str], list[str]] = {}
    for key in sorted(found):
        by_text.setdefault(author_year(found[key]), []).append(key)
    labels = {}
    for (names, year), keys in by_text.items():
        for i, key in enumerate(keys):
            suffix = "abcdefghij"[i] if len(keys) > 1 else ""
            labels[key] = f"{names}, {year}{suffix}"
    return labels


def markdown_sources() -> dict[str, str]:
    """The Markdown of every chapter and page of the book, by file name."""
    sources = {p.name: p.read_text() for p in BOOK.glob("*.md")}
    for notebook in BOOK.glob("*.ipynb"):
        cells = json.loads(notebook.read_text())["cells"]
        sources[notebook.name] = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
    return sources


@pytest.mark.parametrize("name", sorted(markdown_sources()))
def test_citations_are_links_whose_text_matches_the_bibliography(name):
    text = markdown_sources()[name]
    assert "{cite" not in text, f"{name}: a citation role JupyterLab would show raw"
    labels = citation_labels()
    for shown, key in LINK.findall(text):
        assert key in labels, f"{name}: {key} is not in references.bib"
        assert shown == labels[key], f"{name}: [{shown}] should read [{labels[key]}]"


def test_every_reference_is_cited_somewhere():
    cited = {key for text in markdown_sources().values() for _, key in LINK.findall(text)}
    assert set(entries()) <= cited
