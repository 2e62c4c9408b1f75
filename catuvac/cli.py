"""``catuvac`` command line: datasets, download, train, evaluate, reproduce, lambda-study,
table, budget, ceiling, prototypes, selection, neighbours.

Every option is checked by argparse before any data is read: a bad value is one line on
stderr and exit code 2, as is a setting the library refuses (a ``ConfigError`` or an
unknown name). Other failures (data not found, a diverged run, a damaged checkpoint or
``run.json``, a run folder in use, a folder read-only or full) are one line and exit 1.
A damaged cache entry (rebuilt), a cache folder that takes no entry (features computed
without it) or a damaged result (left out) is one warning line. JSON is strict (NaN null).
"""

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from catuvac.atomic import describe_failure, json_text
from catuvac.cli_options import (
    BAD_INPUT,
    DISTINCT,
    Parser,
    add_grid_options,
    add_root_options,
    add_run_options,
    dataset_name,
    existing_file,
    existing_folder,
    folder_to_write,
    int_at_least,
    non_negative_number,
    run_option_values,
    seed_number,
)
from catuvac.data import dataset_dir, dataset_names, how_to_get, load
from catuvac.data.download import download_dataset
from catuvac.errors import CatuvacError, ConfigError, DatasetNotFoundError, UnknownOptionError
from catuvac.evaluation.budget import latent_use
from catuvac.evaluation.embedding import SPACES
from catuvac.experiments.budget_study import budget_record, budget_table, save_budget
from catuvac.experiments.ceiling import ceiling_path, save_ceiling, supervised_ceiling
from catuvac.experiments.lambda_study import LAMBDA_GRID, format_study, study_specs, study_table
from catuvac.experiments.neighbour_graphs import graph_specs, mine_graph
from catuvac.experiments.prepare import prepare_for
from catuvac.experiments.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from catuvac.experiments.prototypes import save_prototypes
from catuvac.experiments.reproduce import build_configs, run_missing
from catuvac.experiments.run_folder import evaluate_run_dir, open_run_dir, write_run_info
from catuvac.experiments.specs import grid
from catuvac.model.base import DEFAULT_CLUSTERS, METHODS
from catuvac.paths import results_dir
from catuvac.records.reports.selection_tables import (
    selection_runs,
    selection_table,
    selection_view,
    settings_legend,
    table_one_rows,
)
from catuvac.records.reports.table import TABLE_FORMATS, results_table
from catuvac.records.reports.targets import targets_sentences, targets_table
from catuvac.records.store.neighbour_graphs import graph_path
from catuvac.records.store.results import load_results, read_result
from catuvac.training.run_spec import RESULT_METHODS, RunSpec
from catuvac.training.trainer import train

FAILURE = 1


def cmd_datasets(args: argparse.Namespace) -> None:
    """One line per dataset: its clips, how to get it when absent, or what is wrong with
    the copy found (a bad metadata file is that dataset's line, and the list goes on)."""
    for name in dataset_names():
        try:
            data = load(name)
            status = f"{len(data.clips)} clips, {len(data.class_names)} classes"
        except DatasetNotFoundError as error:
            status = f"not available ({type(error).__name__}): {how_to_get(name)}"
        except CatuvacError as error:
            status = f"unusable: {error}"
        print(f"{name:13s} {dataset_dir(name)}  {status}")


def cmd_download(args: argparse.Namespace) -> None:
    print(download_dataset(args.name))


def cmd_train(args: argparse.Namespace) -> None:
    profile = get_profile(args.profile)
    options = run_option_values(args)
    spec = RunSpec(args.dataset, args.method, args.clusters, args.seed, profile.name, **options)
    data = prepare_for(spec, profile)
    model_config, train_config = build_configs(spec, data)
    result = train(
        model_config, train_config, data.train, args.run_dir, data_identity=data.identity()
    )
    write_run_info(args.run_dir, data, model_config, train_config)
    last = result.history[-1]
    print(json.dumps({k: last[k] for k in ("epoch", "loss", "tau", "cluster_usage")}))
    print(f"checkpoint and history in {args.run_dir}")


def cmd_evaluate(args: argparse.Namespace) -> None:
    print(json_text(evaluate_run_dir(args.run_dir)))


def cmd_reproduce(args: argparse.Namespace) -> None:
    profile = get_profile(args.profile)
    options = run_option_values(args)
    tau_ends = options.pop("tau_end")
    specs = grid(
        args.datasets, args.methods, args.seeds, profile, args.clusters, tau_ends, **options
    )
    run_missing(specs, args.overwrite, args.results_root, args.runs_root)


def cmd_lambda_study(args: argparse.Namespace) -> None:
    profile = get_profile(args.profile)
    specs = study_specs(args.datasets, args.methods, args.seeds, profile, args.clusters, args.grid)
    if not args.select_only:
        run_missing(specs, results_root=args.results_root, runs_root=args.runs_root)
    print(format_study(study_table(load_results(args.results_root), profile.name)))


def cmd_ceiling(args: argparse.Namespace) -> None:
    profile = get_profile(args.profile)
    options = run_option_values(args)
    for seed in args.seeds:
        spec = RunSpec(args.dataset, "catuvac", DEFAULT_CLUSTERS, seed, profile.name, **options)
        path = ceiling_path(spec, args.results_root)
        if path.exists():
            print(f"{path} exists (move it away to compute it again)")
            continue
        record = supervised_ceiling(spec, profile)
        save_ceiling(record, path)
        print(f"seed {seed}: test accuracy {100 * record['test_accuracy']:.1f}% (wrote {path})")


def cmd_budget(args: argparse.Namespace) -> None:
    if args.run_dir is not None:
        data, result = open_run_dir(args.run_dir)
        use = latent_use(result.model, data.test)
        print(f"{args.run_dir} on its {len(data.test)} test clips (nats per clip):")
        print(json_text(use))
        return
    options = (args.speaker_norm, args.normaliser, args.latent_dim, args.clusters, args.features)
    record = budget_record(args.dataset, get_profile(args.profile), *options)
    print(f"{args.dataset}: nats per training clip ({record['data_subset']['train_clips']} clips)")
    print(budget_table(record).round(1).to_markdown())
    print(json.dumps({k: round(v, 1) for k, v in record["summary"].items()}))
    if args.save:
        print(f"wrote {save_budget(record, args.results_root)}")


def cmd_prototypes(args: argparse.Namespace) -> None:
    for path in args.results:
        result = read_result(path)
        if result is None:
            raise ConfigError(f"{path} is not a result file written by catuvac reproduce")
        print(f"wrote {save_prototypes(result, args.runs_root, args.overwrite)}")


def cmd_selection(args: argparse.Namespace) -> None:
    records = load_results(args.results_root)
    runs = selection_runs(records, args.profile)
    if runs.empty:
        print(f"no runs with an objective on q(y|x) at the {args.profile} profile")
        return
    ranked = selection_table(runs)
    goals = targets_table(records, ranked)
    print("# The settings, ranked per dataset by the label-free rule\n")
    print(settings_legend(ranked), "\n")
    print(selection_view(ranked).to_markdown(), "\n")
    print("# The chosen settings' rows for Table I\n")
    print(table_one_rows(records, ranked).to_markdown(index=False), "\n")
    print("# Targets, every seed of the chosen setting, test clips\n")
    print(goals.to_markdown(index=False), "\n")
    print(targets_sentences(goals))


def cmd_neighbours(args: argparse.Namespace) -> None:
    specs = graph_specs(load_results(args.results_root), args.profile)
    root = args.results_root or results_dir()
    for spec in specs:
        path = graph_path(root, spec)
        if path.exists() and not args.overwrite:
            print(f"{path} exists (--overwrite mines it again)")
            continue
        print(f"wrote {mine_graph(spec, root)}")


def cmd_table(args: argparse.Namespace) -> None:
    print(results_table(args.profile, args.format, args.space, load_results(args.results_root)))


def build_parser() -> Parser:
    parser = Parser(prog="catuvac", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = ", ".join(dataset_names())
    profile_help = f"run scale; default: $CATUVAC_PROFILE, else {DEFAULT_PROFILE}"
    run_dir_help = "run folder: checkpoint, history and run.json"

    sub.add_parser("datasets", help="list datasets, where they are looked for, how to get them")

    p = sub.add_parser("download", help="fetch a dataset from its official source")
    p.add_argument("name", type=dataset_name, help=f"dataset ({names}) or alias")

    p = sub.add_parser("train", help="train one model and keep its checkpoint")
    p.add_argument("--dataset", required=True, type=dataset_name, help=f"one of {names}")
    p.add_argument("--method", default="catuvac", choices=METHODS, help="model to train")
    p.add_argument(
        "--clusters", type=int_at_least(2), default=DEFAULT_CLUSTERS, help="K, the cluster count"
    )
    add_run_options(p)
    p.add_argument("--seed", type=seed_number, default=0, help="random seed")
    p.add_argument("--profile", choices=PROFILES, help=profile_help)
    resumed = f"{run_dir_help} (resumed if present)"
    p.add_argument("--run-dir", required=True, type=folder_to_write, help=resumed)

    p = sub.add_parser(
        "evaluate", help="score a trained run folder on its test clips, as its run.json says"
    )
    p.add_argument("--run-dir", required=True, type=existing_folder, help=run_dir_help)

    p = sub.add_parser("reproduce", help="run the Table I grid and write results/")
    add_grid_options(p, RESULT_METHODS, list(RESULT_METHODS), [0, 1, 2], "rows")
    add_run_options(p, sweep=True)
    p.add_argument("--profile", choices=PROFILES, help=profile_help)
    p.add_argument("--overwrite", action="store_true", help="replace existing result files")
    add_root_options(p)

    p = sub.add_parser(
        "lambda-study",
        help="the paper's rule: train over a lambda grid, pick the lowest that avoids collapse",
    )
    add_grid_options(p, METHODS, ["catuvac"], [0], "models")
    p.add_argument(
        "--grid",
        **DISTINCT,
        type=non_negative_number,
        default=list(LAMBDA_GRID),
        help="lambda values on the categorical KL",
    )
    p.add_argument("--profile", choices=PROFILES, help=profile_help)
    p.add_argument(
        "--select-only", action="store_true", help="train nothing; select from stored results"
    )
    add_root_options(p)

    p = sub.add_parser(
        "budget",
        help="nats per clip a latent can earn under each likelihood, or what a run's carry",
    )
    p.add_argument("--dataset", type=dataset_name, default="arabic-digits", help=names)
    p.add_argument("--profile", choices=PROFILES, help=profile_help)
    add_run_options(p, names=("speaker_norm", "normaliser", "features", "latent_dim"))
    p.add_argument(
        "--clusters", type=int_at_least(2), default=DEFAULT_CLUSTERS, help="K (PCA with d + K)"
    )
    p.add_argument(
        "--run-dir", type=existing_folder, help="instead: the latents of this trained run"
    )
    p.add_argument("--save", action="store_true", help="store it under results/budget/")
    add_root_options(p, runs=False)

    p = sub.add_parser(
        "ceiling",
        help="a diagnostic, never a method: Cat. UVAC's categorical encoder trained on the "
        "training clips' labels, scored on the test clips (results/ceiling/)",
    )
    p.add_argument("--dataset", type=dataset_name, default="arabic-digits", help=names)
    p.add_argument("--seeds", **DISTINCT, type=seed_number, default=[0, 1, 2], help="seeds")
    p.add_argument("--profile", choices=PROFILES, help=profile_help)
    add_run_options(p, names=("speaker_norm", "normaliser", "features"))
    add_root_options(p, runs=False)

    p = sub.add_parser(
        "prototypes",
        help="decode each cluster's prototype from a stored Cat. UVAC run's checkpoint and "
        "store it beside the result (<name>.prototypes.npz)",
    )
    p.add_argument("results", **DISTINCT, type=existing_file, help="result files (.json)")
    p.add_argument("--overwrite", action="store_true", help="replace stored prototypes")
    add_root_options(p)

    p = sub.add_parser(
        "selection",
        help="this project's objectives on q(y|x): the label-free ranking, the chosen "
        "setting's Table I rows and its targets, from results/",
    )
    p.add_argument("--profile", default="long", choices=PROFILES, help="profile of the runs")
    add_root_options(p, runs=False)

    p = sub.add_parser(
        "neighbours",
        help="mine, without labels, the neighbour graph of the training clips of each data "
        "the stored runs of a profile trained on (results/<profile>/<dataset>/neighbours/), "
        "which the label-free selection reads",
    )
    p.add_argument("--profile", default="long", choices=PROFILES, help="profile of the runs")
    p.add_argument("--overwrite", action="store_true", help="mine stored graphs again")
    add_root_options(p, runs=False)

    p = sub.add_parser("table", help="Table I from results/, ours beside the paper's")
    p.add_argument("--profile", choices=PROFILES, help="only results of this profile")
    p.add_argument("--format", default="markdown", choices=TABLE_FORMATS, help="output format")
    p.add_argument("--space", default="own", choices=SPACES, help="space of internal metrics")
    add_root_options(p, runs=False)
    return parser


COMMANDS = {
    "datasets": cmd_datasets,
    "download": cmd_download,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "reproduce": cmd_reproduce,
    "lambda-study": cmd_lambda_study,
    "table": cmd_table,
    "budget": cmd_budget,
    "ceiling": cmd_ceiling,
    "prototypes": cmd_prototypes,
    "selection": cmd_selection,
    "neighbours": cmd_neighbours,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return 0, 2 for a bad input, 1 for another failure (one line: a
    file not read or written is named, with what to do). Library warnings are one line each."""
    args = build_parser().parse_args(argv)
    warnings = logging.StreamHandler(sys.stderr)
    warnings.setFormatter(logging.Formatter(f"catuvac {args.command}: warning: %(message)s"))
    logging.getLogger("catuvac").addHandler(warnings)
    try:
        COMMANDS[args.command](args)
    except (ConfigError, UnknownOptionError) as error:
        print(f"catuvac {args.command}: error: {error}", file=sys.stderr)
        return BAD_INPUT
    except (CatuvacError, OSError) as error:  # OSError: a folder read-only, full, in the way
        print(f"catuvac {args.command}: error: {describe_failure(error)}", file=sys.stderr)
        return FAILURE
    finally:
        logging.getLogger("catuvac").removeHandler(warnings)
    return 0
