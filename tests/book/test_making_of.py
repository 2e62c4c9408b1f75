"""A chapter's prose speaks of its subject (what a figure shows, at what scale, and why),
not of how the book was made: the order its runs were done in, the time it was given, or
how its pages are kept in step with the code. The phrases below (regular expressions,
matched case-insensitively) are ones the book once used that way; a chapter's Markdown
cells and the book's Markdown pages must not bring them back."""

import json
import re
from pathlib import Path

import pytest

ORDER_OF_STUDIES = r"so far\b[^.]{0,200}?\bbefore\b[^.]{0,80}?\bthe (?:λ|\\lambda|lambda) study"
BOOK = Path(__file__).resolve().parents[2] / "book"
MAKING_OF = {
    "when stored results exist": "a caption says what its figure shows, not when it is drawn",
    "time budget": "the book's own running time is not the subject",
    "came later": "the order in which the book's data sets were added",
    "had to fit on two cpu cores": "the machine the book was written on",
    "cannot drift apart": "how the pages are kept in step with the code",
    "for lack of time": "the time the book's studies were given",
    ORDER_OF_STUDIES: "the order in which the studies were run",
}
PATTERNS = {phrase: re.compile(phrase, re.I) for phrase in MAKING_OF}


def markdown_sources() -> dict[str, str]:
    """The Markdown cells of every chapter, and every Markdown page, by file name."""
    sources = {p.name: p.read_text() for p in sorted(BOOK.glob("*.md"))}
    for notebook in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        sources[notebook.name] = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
    return sources


def making_of_phrases(text: str) -> list[str]:
    """The phrases of MAKING_OF that occur in a text, case-insensitively."""
    return [phrase for phrase, pattern in PATTERNS.items() if pattern.search(text)]


@pytest.mark.parametrize("name", sorted(markdown_sources()))
def test_the_prose_speaks_of_its_subject_not_of_how_the_book_was_made(name):
    found = making_of_phrases(markdown_sources()[name])
    reasons = [f"{phrase!r} ({MAKING_OF[phrase]})" for phrase in found]
    assert not found, f"{name}: prose about the making of the book: {'; '.join(reasons)}"


def test_the_scan_finds_each_phrase_and_passes_subject_prose():
    text = (
        "When stored results exist: a figure. Like every `paper`-profile run so far, it\n"
        "was trained before {doc}`the λ study <lambda_study>`. To fit in the Time Budget."
    )
    assert making_of_phrases(text) == [
        "when stored results exist",
        "time budget",
        ORDER_OF_STUDIES,
    ]
    assert making_of_phrases("The `cpu` profile trains for 10 epochs on two CPU cores.") == []
