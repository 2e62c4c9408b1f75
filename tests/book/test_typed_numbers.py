"""Numbers in a chapter's prose that look like results (a decimal, or a percentage with
decimals) must be numbers the chapter's own cells printed, or the paper's published values:
a result typed into the text drifts from results/ the day a run changes. Maths, code and
figure numbers are not prose and are skipped."""

import json
import re
from pathlib import Path

import pytest

from catuvac.records.reports.table import PAPER_TABLE

BOOK = Path(__file__).resolve().parents[2] / "book"
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w.])")
NOT_PROSE = [
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display maths
    re.compile(r"\$[^$\n]+\$"),  # inline maths
    re.compile(r"```.*?```", re.DOTALL),  # code blocks (exercise solutions)
    re.compile(r"`[^`\n]+`"),  # inline code
    re.compile(r"\b(?:Figures?|Fig\.|Eqs?\.|eqs?\.|Exercise|Table)\s+\d+(?:\.\d+)*"),
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"\b\d{4}\.\d{4,5}\b"),  # arXiv identifiers
]
CONSTANTS = {
    "3.11": "the Python version the project runs on",
    "31.25": "the spoken-digit STFT's bin width in Hz (8000 / 256)",
    "0.75": "a temperature an exercise asks about",
}
PAPER_VALUES = {f"{v:.2f}" for values in PAPER_TABLE.values() for v in values if v is not None}


def prose_and_printed(notebook: Path) -> tuple[list[str], set[str]]:
    """A chapter's Markdown cells, and every number its cells printed, also rounded to
    fewer decimals (the prose may round what a table shows)."""
    cells = json.loads(notebook.read_text())["cells"]
    prose = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    outputs = json.dumps([c.get("outputs", []) for c in cells if c["cell_type"] == "code"])
    printed = set()
    for number in NUMBER.findall(outputs):
        decimals = len(number.split(".")[1])
        printed |= {f"{float(number):.{d}f}" for d in range(1, decimals + 1)}
    return prose, printed


def typed_numbers(text: str) -> list[str]:
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return NUMBER.findall(text)


@pytest.mark.parametrize("notebook", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_numbers_in_the_prose_come_from_the_chapters_cells_or_the_paper(notebook):
    prose, printed = prose_and_printed(notebook)
    unsourced = [
        number
        for cell in prose
        for number in typed_numbers(cell)
        if number not in printed and number not in PAPER_VALUES and number not in CONSTANTS
    ]
    assert not unsourced, f"{notebook.name}: numbers typed into the text: {unsourced}"


def test_the_scan_skips_maths_code_and_references_but_not_prose():
    text = "Eq. 2.3 and Figure 9.10, $0.75$, `x = 0.5`, [a](b.md#c-1.2); accuracy 22.67%"
    assert typed_numbers(text) == ["22.67"]
