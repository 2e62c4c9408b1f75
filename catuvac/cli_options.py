"""The command line's argument types and shared option groups: every value is checked
before any data is read, and each option group is defined once for the commands that take it."""

import argparse
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from catuvac.data import canonical_name, dataset_names
from catuvac.errors import UnknownOptionError
from catuvac.experiments.specs import MODEL_OPTIONS
from catuvac.features import NORMALISERS, PAPER_FEATURES, PAPER_NORMALISER, feature_names
from catuvac.model.base import NEIGHBOUR_SPACES, ModelConfig
from catuvac.model.elbo import LAMBDA_PLACEMENTS
from catuvac.model.likelihoods import LIKELIHOODS, PAPER_LIKELIHOOD
from catuvac.model.objectives import CONSISTENCY_TERMS
from catuvac.paths import results_dir, runs_dir

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


def add_lambda_options(parser: argparse.ArgumentParser) -> None:
    """``--lambda`` and ``--lambda-placement``, shared by ``train`` and ``reproduce``."""
    parser.add_argument(
        "--lambda",
        dest="lambda_weight",
        type=non_negative_number,
        help="fixed weight on one ELBO term; default: the dataset's",
    )
    parser.add_argument(
        "--lambda-placement", default="kl_y", choices=LAMBDA_PLACEMENTS, help="term lambda weighs"
    )


def add_features_option(parser: argparse.ArgumentParser) -> None:
    """``--features``: the feature pipeline, shared by ``train``, ``reproduce`` and
    ``budget``."""
    parser.add_argument(
        "--features",
        default=PAPER_FEATURES,
        choices=feature_names(),
        help="feature pipeline: paper (the dataset's own, the paper's) or a word-aligned one "
        "for spoken digits (word-logmel32, word-mfcc32-cmvn, word-mfcc32)",
    )


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


def add_beyond_options(parser: argparse.ArgumentParser) -> None:
    """This project's options beyond the paper (defaults: the paper's setting), shared by
    ``train`` and ``reproduce``; each one set is named in the run's file name."""
    parser.add_argument(
        "--likelihood",
        default=PAPER_LIKELIHOOD,
        choices=LIKELIHOODS,
        help="decoder likelihood; bce is the paper's, the Gaussians are calibrated",
    )
    parser.add_argument(
        "--normaliser",
        default=PAPER_NORMALISER,
        choices=NORMALISERS,
        help="scaling to [0, 1]: minmax (the paper's) or the 0.5-99.5 percentile range",
    )
    parser.add_argument(
        "--speaker-norm",
        action="store_true",
        help="standardise each speaker's features with its own statistics first (no labels); "
        "results are named ...-spknorm-seed<s>",
    )
    parser.add_argument(
        "--marginal-weight",
        type=non_negative_number,
        default=0.0,
        help="weight on KL(batch mean of q(y|x) || uniform), this project's addition",
    )
    add_features_option(parser)
    parser.add_argument(
        "--consistency-term",
        default="iic",
        choices=CONSISTENCY_TERMS,
        help="how two views must agree: iic (their mutual information) or scan (the log of "
        "the dot product of their assignments)",
    )
    parser.add_argument(
        "--neighbours",
        type=int_at_least(0),
        default=0,
        help="k > 0: the consistency term's second view is one of a clip's k nearest "
        "neighbours, both views augmented (SCAN); 0: an augmentation of the clip",
    )
    parser.add_argument(
        "--neighbour-space",
        default="features",
        choices=NEIGHBOUR_SPACES,
        help="where neighbours are mined: the normalised features or the model's z means",
    )
    parser.add_argument(
        "--neighbour-refresh",
        type=int_at_least(0),
        default=0,
        help="mine the neighbours again in z every this many epochs (with --neighbour-space z)",
    )
    for name, dest, text in (
        ("entropy-weight", "entropy_weight", "weight on the mean entropy of q(y|x)"),
        ("capacity", "capacity_nats", "target in nats for KL_y (with --capacity-weight)"),
        ("capacity-weight", "capacity_weight", "weight on |KL_y - capacity|"),
        ("consistency-weight", "consistency_weight", "weight on the agreement of two views"),
        (
            "self-label-weight",
            "self_label_weight",
            "weight on training each confident clip's augmented view towards its own cluster "
            "(SCAN's self-labelling; needs --consistency-weight)",
        ),
    ):
        parser.add_argument(
            f"--{name}", dest=dest, type=non_negative_number, default=0.0, help=text
        )
    parser.add_argument(
        "--self-label-threshold",
        type=probability,
        default=ModelConfig.self_label_threshold,
        help="max q(y|x) above which a clip trains its augmented view towards its cluster",
    )


def beyond_options(args: argparse.Namespace) -> dict:
    """The model options of :func:`add_beyond_options` (:data:`MODEL_OPTIONS`)."""
    return {name: getattr(args, name) for name in MODEL_OPTIONS}


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
