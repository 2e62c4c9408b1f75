"""The package's parts import only downwards: the paper's model, training, data and
features never reach up into experiments, the record of results or the book's helpers."""

import ast
from pathlib import Path

import catuvac

PACKAGE = Path(catuvac.__file__).parent
TOP_LEVEL = {"errors", "paths", "atomic"}
# Each part and the parts it may import (besides the top-level modules and itself).
ALLOWED = {
    "data": set(),
    "features": {"data"},
    "model": set(),
    "training": {"data", "features", "model"},
    "evaluation": {"data", "features", "model", "training"},
    "records": {"data", "features", "model", "training", "evaluation"},
    "experiments": {"data", "features", "model", "training", "evaluation", "records"},
    "book": {"data", "features", "model", "training", "evaluation", "records", "experiments"},
}
MAX_TOP_LEVEL_MODULES = 6
MAX_LINES = 400


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, by its dotted name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def imported_parts(path: Path) -> set[str]:
    """The first component under ``catuvac`` of every module a file imports."""
    parts = set()
    for name in imported_modules(path):
        pieces = name.split(".")
        if pieces[0] == "catuvac" and len(pieces) > 1:
            parts.add(pieces[1])
    return parts


def test_every_part_imports_only_downwards():
    wrong = []
    for part, allowed in ALLOWED.items():
        for path in (PACKAGE / part).rglob("*.py"):
            reached = imported_parts(path) - TOP_LEVEL - allowed - {part}
            if reached:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {sorted(reached)}")
    assert not wrong, "\n".join(wrong)


def test_lower_parts_never_import_experiments_records_or_book():
    upper = {"experiments", "records", "book"}
    for part in ("model", "training", "data", "features"):
        for path in (PACKAGE / part).rglob("*.py"):
            assert not imported_parts(path) & upper, path


def test_the_result_store_never_imports_the_reports_made_from_it():
    """``records.store`` reads and selects stored runs; ``records.reports`` turns them into
    text and tables. The store stays usable (by ``experiments``, the CLI) without the reports."""
    store = PACKAGE / "records" / "store"
    wrong = [
        str(path.relative_to(PACKAGE))
        for path in store.rglob("*.py")
        if any(name.startswith("catuvac.records.reports") for name in imported_modules(path))
    ]
    assert not wrong, wrong


def test_records_modules_sit_in_store_or_reports():
    loose = sorted(p.name for p in (PACKAGE / "records").glob("*.py") if p.name != "__init__.py")
    assert not loose, loose


def test_every_module_belongs_to_a_part_and_stays_small():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(ALLOWED), folders
    long = [
        f"{p.relative_to(PACKAGE)}: {n} lines"
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, long


def test_each_part_says_what_it_may_import():
    for part in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text()))
        assert doc and "May import" in doc, part


def test_test_files_have_unique_names():
    """pytest imports test folders without packages by basename, so two test files
    with one name stop the whole collection."""
    tests = Path(__file__).parent
    names = [path.name for path in tests.rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
