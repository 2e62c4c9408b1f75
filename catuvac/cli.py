"""``catuvac`` command line: datasets, download, train, evaluate, reproduce, table."""

import argparse
import json
import math
import sys
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from catuvac.elbo import LAMBDA_PLACEMENTS
from catuvac.errors import CatuvacError
from catuvac.profiles import PROFILES, get_profile


def cmd_datasets(args: argparse.Namespace) -> None:
    from catuvac.data import dataset_dir, dataset_names, how_to_get, load

    for name in dataset_names():
        try:
            data = load(name)
            status = f"{len(data.clips)} clips, {len(data.class_names)} classes"
        except CatuvacError as error:
            status = f"not available ({type(error).__name__}): {how_to_get(name)}"
        print(f"{name:13s} {dataset_dir(name)}  {status}")


def cmd_download(args: argparse.Namespace) -> None:
    from catuvac.data.download import download_dataset

    print(download_dataset(args.name))


def cmd_train(args: argparse.Namespace) -> None:
    from catuvac.atomic import write_json
    from catuvac.experiment import prepare_data
    from catuvac.models import ModelConfig
    from catuvac.reproduce import DEFAULT_LAMBDA, RUN_INFO_NAME
    from catuvac.train import TrainConfig, train

    profile = get_profile(args.profile)
    data = prepare_data(args.dataset, profile)
    _, n_freq, n_frames = data.feature_config.shape
    model_config = ModelConfig(
        args.method,
        n_freq,
        n_frames,
        args.clusters,
        args.latent_dim,
        DEFAULT_LAMBDA[data.dataset.name] if args.lambda_weight is None else args.lambda_weight,
        args.lambda_placement,
    )
    train_config = TrainConfig(
        epochs=args.epochs or profile.epochs,
        batch_size=profile.batch_size,
        seed=args.seed,
        checkpoint_every=profile.checkpoint_every,
        tau_end=args.tau_end,
        tau_shape=args.tau_shape,
    )
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(run_dir / RUN_INFO_NAME, {"dataset": data.dataset.name, "profile": profile.name})
    result = train(model_config, train_config, data.train, run_dir)
    last = result.history[-1]
    print(json.dumps({k: last[k] for k in ("epoch", "loss", "tau", "cluster_usage")}))
    print(f"checkpoint and history in {args.run_dir}")


def cmd_evaluate(args: argparse.Namespace) -> None:
    from catuvac.reproduce import evaluate_run_dir

    print(json.dumps(evaluate_run_dir(args.run_dir, args.profile), indent=2))


def cmd_reproduce(args: argparse.Namespace) -> None:
    from catuvac.experiment import prepare_data
    from catuvac.reproduce import grid, run, save_result

    profile = get_profile(args.profile)
    specs = grid(
        args.datasets,
        args.methods,
        args.seeds,
        profile,
        args.clusters,
        args.tau_end,
        args.lambda_weight,
        args.lambda_placement,
        args.speaker_norm,
    )
    for dataset, dataset_specs in groupby(specs, key=lambda s: s.dataset):
        todo = [s for s in dataset_specs if args.overwrite or not s.result_path().exists()]
        if not todo:
            print(f"{dataset}: every result already exists (--overwrite to redo)")
            continue
        data = prepare_data(dataset, profile, speaker_norm=args.speaker_norm)
        common = data.common_space()
        for spec in todo:
            record = run(spec, data, profile, common)
            path = save_result(record, spec.result_path(), overwrite=args.overwrite)
            print(f"wrote {path}")


def cmd_table(args: argparse.Namespace) -> None:
    from catuvac.table import results_table

    print(results_table(args.profile, args.format, args.space))


def non_negative_number(text: str) -> float:
    """A finite weight >= 0 (lambda): NaN or a negative value is refused before any work."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="catuvac", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("datasets", help="list datasets and where they are looked for")

    p = sub.add_parser("download", help="fetch a dataset from its official source")
    p.add_argument("name")

    profile_help = f"one of {', '.join(PROFILES)}; default: $CATUVAC_PROFILE or smoke"
    p = sub.add_parser("train", help="train one model and keep its checkpoint")
    p.add_argument("--dataset", required=True)
    p.add_argument("--method", default="catuvac", choices=["catuvac", "uvac"])
    p.add_argument("--clusters", type=int, default=10)
    p.add_argument("--latent-dim", type=int, default=10)
    p.add_argument("--lambda", dest="lambda_weight", type=non_negative_number)
    p.add_argument("--lambda-placement", default="kl_y", choices=LAMBDA_PLACEMENTS)
    p.add_argument("--tau-end", type=float, default=0.5)
    p.add_argument("--tau-shape", default="exponential", choices=["exponential", "linear"])
    p.add_argument("--epochs", type=int, help="default: the profile's")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", help=profile_help)
    p.add_argument("--run-dir", required=True, help="checkpoint folder (resumed if present)")

    p = sub.add_parser("evaluate", help="score a trained run folder on its test clips")
    p.add_argument("run_dir")
    p.add_argument("--profile", help=profile_help)

    p = sub.add_parser("reproduce", help="run the Table I grid and write results/")
    p.add_argument("--datasets", nargs="+", default=["fsdd", "us8k"])
    p.add_argument("--methods", nargs="+", default=["labels", "kmeans", "uvac", "catuvac"])
    p.add_argument("--clusters", nargs="+", type=int, help="default: the paper's per dataset")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--tau-end", nargs="+", type=float, help="final temperatures (Cat. UVAC)")
    p.add_argument(
        "--lambda", dest="lambda_weight", type=non_negative_number, help="default: per dataset"
    )
    p.add_argument("--lambda-placement", default="kl_y", choices=LAMBDA_PLACEMENTS)
    p.add_argument("--profile", help=profile_help)
    p.add_argument(
        "--speaker-norm",
        action="store_true",
        help="standardise each speaker's features with its own statistics first (no labels); "
        "results are named ...-spknorm-seed<s>",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing result files")

    p = sub.add_parser("table", help="Table I from results/, ours beside the paper's")
    p.add_argument("--profile", help="only results of this profile")
    p.add_argument("--format", default="markdown", choices=["markdown", "csv"])
    p.add_argument("--space", default="own", choices=["own", "common"])
    return parser


COMMANDS = {
    "datasets": cmd_datasets,
    "download": cmd_download,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "reproduce": cmd_reproduce,
    "table": cmd_table,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (CatuvacError, FileNotFoundError) as error:
        print(f"catuvac: error: {error}", file=sys.stderr)
        return 1
    return 0
