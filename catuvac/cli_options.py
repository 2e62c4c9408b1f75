"""The command line's argument types and shared option groups: every value is checked
before any data is read, and each option group is defined once for the commands that take it."""

import argparse
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from catuvac.data import canonical_name, dataset_names
from catuvac.errors import UnknownOptionError
from catuvac.paths import results_dir, runs_dir
from catuvac.training.run_spec import run_options

BAD_INPUT = 2  # argparse's own exit code for a bad command line
MAX_SEED = 2**32 - 1  # K-means' generator (numpy's RandomState) takes no larger seed

# --- argument types: refuse a bad value before any work -----------------------------------


def _number(text: str, kind: Callable[[str], float]) -> float:
    try:
        return kind(text)
    except ValueError:
        name = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {name}") from None


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``minimum``."""

    def parse(text: str) -> int:
        value = int(_number(text, int))
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be an integer >= {minimum}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def seed_number(text: str) -> int:
    """A seed every generator catuvac seeds accepts (K-means', numpy's and torch's), so a
    seed too large fails here and not deep inside a generator after the data is read."""
    value = int(_number(text, int))
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} must be an integer from 0 to {MAX_SEED}")
    return value


def positive_number(text: str) -> float:
    """A finite number > 0 (a temperature): 0, NaN or infinity is refused."""
    value = _number(text, float)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number > 0")
    return value


def non_negative_number(text: str) -> float:
    """A finite weight >= 0 (lambda): NaN or a negative value is refused before any work."""
    value = _number(text, float)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def probability(text: str) -> float:
    """A number strictly between 0 and 1 (a confidence threshold)."""
    value = _number(text, float)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number between 0 and 1")
    return value


def dataset_name(text: str) -> str:
    """A dataset name or alias (case-insensitive), returned as its canonical name."""
    try:
        return canonical_name(text)
    except UnknownOptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def existing_folder(text: str) -> Path:
    """A folder that exists (a run folder to read)."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def folder_to_write(text: str) -> Path:
    """A folder to write in (a run folder, a results root): absent (it is then created)
    or a folder, with no file in its place or in that of a folder above it."""
    path = Path(text)
    blocking = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise argparse.ArgumentTypeError(f"{str(blocking)!r} is a file, not a folder")
    return path


def existing_file(text: str) -> Path:
    """A file that exists (a result to read)."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a file")
    return path


class DistinctValues(argparse.Action):
    """A list option whose values (as their types return them: canonical dataset names)
    must differ: a repeated one would do its work twice and fail only when writing it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Sequence[object],
        option_string: str | None = None,
    ) -> None:
        repeated = [value for i, value in enumerate(values) if value in values[:i]]
        if repeated:
            raise argparse.ArgumentError(self, f"{repeated[0]!r} is given twice")
        setattr(namespace, self.dest, values)


# ``add_argument(..., **DISTINCT)``: one or more values, none twice.
DISTINCT = {"nargs": "+", "action": DistinctValues}


# --- the parser -------------------------------------------------------------------------


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none to show (None, a flag)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False:
            return action.help or ""
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line on stderr and exit code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_grid_options(
    parser: argparse.ArgumentParser,
    methods: Sequence[str],
    default_methods: list[str],
    default_seeds: list[int],
    methods_help: str,
) -> None:
    """``--datasets``, ``--methods``, ``--clusters``, ``--seeds``: the grid ``reproduce``
    and ``lambda-study`` run, each a list with no value twice."""
    names = ", ".join(dataset_names())
    parser.add_argument(
        "--datasets", **DISTINCT, type=dataset_name, default=["fsdd", "us8k"], help=names
    )
    parser.add_argument(
        "--methods", **DISTINCT, choices=methods, default=default_methods, help=methods_help
    )
    parser.add_argument(
        "--clusters", **DISTINCT, type=int_at_least(2), help="default: the paper's per dataset"
    )
    parser.add_argument(
        "--seeds", **DISTINCT, type=seed_number, default=default_seeds, help="seeds"
    )


KIND_TYPES: dict[str, Callable[[str], object]] = {
    "weight": non_negative_number,
    "positive": positive_number,
    "probability": probability,
    "count": int_at_least(0),
    "size": int_at_least(1),
}
"""The argparse type of each kind of declared run option (choices and flags aside)."""


def add_run_options(
    parser: argparse.ArgumentParser, sweep: bool = False, names: Sequence[str] | None = None
) -> None:
    """The declared run options (:func:`~catuvac.training.run_spec.run_options`) as
    command-line options, one per field with its help and default, so ``train`` and
    ``reproduce`` take the same ones; with ``sweep`` an option that can be swept (the final
    temperature) takes a list. ``names`` limits them to those fields (``budget``'s)."""
    for option in run_options():
        meta = option.metadata
        if names is not None and option.name not in names:
            continue
        flag = meta["flag"] or "--" + option.name.replace("_", "-")
        text = meta["help"] + (" [beyond the paper]" if meta["ours"] else "")
        kwargs: dict = {"dest": option.name, "default": option.default, "help": text}
        if meta["kind"] == "flag":
            kwargs["action"] = "store_true"
        elif meta["kind"] == "choice":
            kwargs["choices"] = meta["choices"]
        else:
            kwargs["type"] = KIND_TYPES[meta["kind"]]
        if sweep and meta["sweep"]:
            kwargs.update(DISTINCT, default=[option.default])
        parser.add_argument(flag, **kwargs)


def run_option_values(args: argparse.Namespace) -> dict:
    """The values of the run options that :func:`add_run_options` gave ``args``."""
    return {o.name: getattr(args, o.name) for o in run_options() if hasattr(args, o.name)}


def add_root_options(p: argparse.ArgumentParser, runs: bool = True) -> None:
    """Where results are read and written (and checkpoints kept): resolved once, here, from
    ``CATUVAC_RESULTS`` / ``CATUVAC_RUNS`` unless given, and passed to the library."""
    p.add_argument(
        "--results-root",
        type=folder_to_write,
        default=results_dir(),
        help="result files; $CATUVAC_RESULTS when set, else results/",
    )
    if runs:
        p.add_argument(
            "--runs-root",
            type=folder_to_write,
            default=runs_dir(),
            help="checkpoints; $CATUVAC_RUNS when set, else runs/",
        )
