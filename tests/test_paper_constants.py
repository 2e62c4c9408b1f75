"""Each of the paper's settings is written once in the library: a final temperature, a
learning rate or a cluster count typed as a literal elsewhere (a default, a keyword) would
drift from the paper's value the day one of them changes."""

import ast
from pathlib import Path

import catuvac

PACKAGE = Path(catuvac.__file__).parent
HOMES = {
    "tau_start": "training/schedules.py",
    "tau_end": "training/schedules.py",
    "lr_start": "training/schedules.py",
    "lr_end": "training/schedules.py",
    "n_clusters": "model/base.py",
    "latent_dim": "model/base.py",
}
"""Each setting's name (as a field, a parameter or a keyword) and the one module that may
give it a number."""


def literal_settings(path: Path) -> list[str]:
    """``name = <number>`` for the settings above, wherever a literal number is given."""
    found = []

    def check(name: str | None, value: ast.AST | None, line: int) -> None:
        number = isinstance(value, ast.Constant) and isinstance(value.value, int | float)
        if name in HOMES and number and not isinstance(value.value, bool):
            found.append(f"{path.relative_to(PACKAGE)}:{line}: {name} = {value.value}")

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.keyword):
            check(node.arg, node.value, node.value.lineno)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            check(node.target.id, node.value, node.lineno)
        elif isinstance(node, ast.FunctionDef):
            args = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults))
            defaults += node.args.defaults + node.args.kw_defaults
            for arg, default in zip(args, defaults, strict=True):
                check(arg.arg, default, node.lineno)
    return found


TOYS = {"book/toys.py", "book/toy_elbo.py"}
"""The book's toy examples, small on purpose and never the paper's setting."""


def test_the_papers_settings_are_numbers_only_in_their_home():
    wrong = [
        entry
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in TOYS
        for entry in literal_settings(path)
        if str(path.relative_to(PACKAGE)) != HOMES[entry.rsplit(": ", 1)[1].split(" =")[0]]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_literal_setting():
    assert literal_settings(PACKAGE / "book" / "toys.py")  # a toy's own cluster count
