"""How a run option is declared: a dataclass field of
:class:`~catuvac.training.run_spec.RunSpec` whose metadata says everything the command
line, the file names and the result records need to know about it."""

from collections.abc import Callable
from dataclasses import field
from typing import Any

GROUPS = ("data", "model", "objective", "training")
"""The concerns a run option belongs to (the grid's own fields have none)."""

NamePart = Callable[[Any], str]


def declare(
    default: Any,
    help: str,
    group: str,
    *,
    kind: str,
    ours: bool = True,
    trained: bool = True,
    name: NamePart | None = None,
    parent: str | None = None,
    listed: bool = True,
    flag: str | None = None,
    sweep: bool = False,
    choices: tuple[str, ...] = (),
) -> Any:
    """One declared run option (a dataclass field with its metadata).

    ``kind`` says what values it takes (``weight``: a finite number >= 0, ``positive``,
    ``probability``, ``count``: an integer >= 0, ``size``: >= 1, ``choice``, ``flag``);
    ``ours`` whether it goes beyond the paper; ``trained`` whether only the VAEs use it;
    ``name`` the file-name part of a value away from the default (None: not named, or
    named by its ``parent``, the option it qualifies, which must be set for it to count);
    ``listed`` whether :attr:`~catuvac.records.store.results.Result.beyond_paper` lists it;
    ``flag`` the command-line name when it is not the field's; ``sweep`` whether
    ``reproduce`` takes a list of values; ``group`` is one of :data:`GROUPS`."""
    if group not in GROUPS:
        raise ValueError(f"a run option's group is one of {GROUPS}, not {group!r}")
    metadata = {
        "help": help,
        "group": group,
        "kind": kind,
        "ours": ours,
        "trained": trained,
        "name": name,
        "parent": parent,
        "listed": listed,
        "flag": flag,
        "sweep": sweep,
        "choices": choices,
    }
    return field(default=default, metadata=metadata)
