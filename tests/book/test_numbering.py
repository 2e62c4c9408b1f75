"""One numbering per chapter, the same in the HTML book and in JupyterLab: chapter N's
equations, exercises and figures are N.1, N.2, ... Sphinx takes N from the numbered table of
contents, JupyterLab from the front matter of the notebook's first cell; these tests keep the
two in step and keep every numbered thing numbered by both renderers.
(tests/jupyterlab_check.py compares the numbers as both renderers draw them.)"""

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NUMBERED = [
    chapter["file"] for part in TOC["parts"] if part.get("numbered") for chapter in part["chapters"]
]
NOTEBOOKS = sorted(
    p.relative_to(ROOT).with_suffix("").as_posix() for p in ROOT.glob("book/*.ipynb")
)
ENUMERATOR = re.compile(r'\A---\nnumbering:\n  enumerator: "(\d+)\.%s"\n---\n')
CAPTION = re.compile(r"\*\*Figures? (\d+)\.(\d+)(?: and (\d+)\.(\d+))?\.\*\*")
DISPLAY = re.compile(r"\$\$(.*?)\$\$([ \t]*\(([a-z0-9-]+)\))?", re.DOTALL)


def markdown_cells(name: str) -> list[str]:
    cells = json.loads((ROOT / f"{name}.ipynb").read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def test_every_notebook_is_in_the_table_of_contents():
    assert set(NOTEBOOKS) <= set(NUMBERED) | {TOC["root"]}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_front_matter_gives_jupyterlab_the_chapter_number(name):
    match = ENUMERATOR.match(markdown_cells(name)[0])
    if name in NUMBERED:
        assert match, f"{name}: the first cell must open with its numbering front matter"
        assert int(match.group(1)) == NUMBERED.index(name) + 1
    else:
        assert match is None, f"{name} is not a numbered chapter"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_figure_captions_count_up_within_the_chapter(name):
    numbers = []
    for cell in markdown_cells(name):
        for caption in CAPTION.finditer(cell):
            groups = [g for g in caption.groups() if g is not None]
            numbers += [(int(a), int(b)) for a, b in zip(groups[::2], groups[1::2], strict=True)]
    chapter = NUMBERED.index(name) + 1 if name in NUMBERED else None
    assert numbers == [(chapter, k) for k in range(1, len(numbers) + 1)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_equations_are_labelled_and_referenced_within_their_chapter(name):
    text = "\n".join(markdown_cells(name))
    displays = list(DISPLAY.finditer(text))
    unlabelled = [d.group(1).strip()[:40] for d in displays if not d.group(3)]
    # Sphinx numbers labelled equations only, JupyterLab every one: label them all.
    assert not unlabelled, f"{name}: display equations without a label: {unlabelled}"
    labels = {d.group(3) for d in displays}
    # JupyterLab resolves references within a notebook only.
    elsewhere = set(re.findall(r"\{eq\}`([^`]+)`", text)) - labels
    assert not elsewhere, f"{name}: equations of other chapters referenced: {elsewhere}"


def test_front_matter_is_read_out_of_the_notebook_for_sphinx():
    spec = importlib.util.spec_from_file_location(
        "notebook_frontmatter", ROOT / "book" / "_ext" / "notebook_frontmatter.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["x = 1\n"]},
            {
                "cell_type": "markdown",
                "source": ["---\n", "numbering:\n", '  enumerator: "3.%s"\n', "---\n", "# Title\n"],
            },
        ]
    }
    stripped = json.loads(module.strip_front_matter(json.dumps(notebook)))
    assert stripped["cells"][1]["source"] == "# Title\n"
    assert stripped["cells"][0] == notebook["cells"][0]
    plain = json.dumps({"cells": [{"cell_type": "markdown", "source": ["# Title\n"]}]})
    assert module.strip_front_matter(plain) == plain
