"""The browser check's own rules, on small pages made for each: at a phone's width it fails a
table cut off by a box that hides its overflow (and passes one that scrolls in its box), a
table column squeezed to a word or two a line, and an equation too small to read.

Needs Chromium, chromedriver and selenium (as ``make browser`` does); skipped without them.
"""

import importlib.metadata
import tempfile
from pathlib import Path

import browser_check as bc
import pytest

BROWSER = bc.find_browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium, chromedriver or selenium")

WORDS = "the clusters follow the voices more than the digits on every seed " * 3
# Six result cells that do not break (a verdict table's "22.8 ± 1.5 ✗"): with them the table
# is wider than the phone's column, and the browser squeezes the sentence to its longest word.
ROW = "<td>22.8&nbsp;±&nbsp;1.5&nbsp;✗</td>" * 6


def table(width: str = "", text: str = "") -> str:
    """One row of result cells and a sentence, in a box that scrolls sideways."""
    row = f'{ROW}<td style="{text}">{WORDS}</td>'
    return f'<div style="overflow-x: auto"><table style="{width}"><tr>{row}</tr></table></div>'


WIDE = "<table><tr>" + "<td>0.123456</td>" * 12 + "</tr></table>"

PAGES = {
    "scrolls.html": f'<div style="overflow-x: auto">{WIDE}</div>',
    "clipped.html": f'<div style="overflow: hidden">{WIDE}</div>',
    "cell.html": (
        '<table><tr><td style="max-width: 60px; overflow: hidden; white-space: nowrap">'
        f"{WORDS}</td></tr></table>"
    ),
    "squeezed.html": table(width="width: 100%"),
    "roomy.html": table(width="width: 100%", text="min-width: 16em"),
    "small.html": r'<div class="math" style="font-size: 8px">\[ X = \sum_{k=1}^{K} 10 \]</div>',
    "large.html": r'<div class="math">\[ X = \sum_{k=1}^{K} 10 \]</div>',
}

HEAD = (
    '<meta charset="utf-8"><link rel="icon" href="data:,">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<script>window.MathJax = {options: {processHtmlClass: "math"}};</script>'
    '<script defer src="mathjax/tex-chtml.js"></script>'
)


def mathjax() -> Path:
    files = importlib.metadata.distribution("sphinx-mathjax-offline").files or []
    script = next(f for f in files if f.name == "tex-chtml.js")
    return Path(script.locate()).parent


@pytest.fixture(scope="module")
def problems():
    """Each page's problems at the phone's width, checked once for the module."""
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as profile:
        site = Path(root)
        (site / "mathjax").symlink_to(mathjax())
        for name, body in PAGES.items():
            html = f'<html><head>{HEAD}</head><body><article class="bd-article">{body}</article>'
            (site / name).write_text(html + "</body></html>", encoding="utf-8")
        server, base = bc.serve(site)
        driver = bc.make_driver(*BROWSER, profile)
        try:
            yield {n: bc.check_page(driver, f"{base}/{n}", bc.PHONE[0])["problems"] for n in PAGES}
        finally:
            driver.quit()
            server.shutdown()


def test_a_table_that_scrolls_in_its_box_is_whole(problems):
    assert problems["scrolls.html"] == []


def test_a_table_cut_off_by_a_box_that_hides_its_overflow_fails(problems):
    assert any("table cut off at the side" in p for p in problems["clipped.html"])


def test_a_cell_that_hides_part_of_its_text_fails(problems):
    assert any("a cell cut off" in p for p in problems["cell.html"])


def test_a_column_squeezed_to_a_word_a_line_fails(problems):
    assert any("table cell of" in p for p in problems["squeezed.html"])
    assert problems["roomy.html"] == []


def test_an_equation_too_small_to_read_fails(problems):
    assert any("too small to read" in p for p in problems["small.html"])
    assert problems["large.html"] == []
