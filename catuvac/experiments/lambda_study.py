"""The lambda study: runs over a grid of lambda on the categorical KL, and the selection.

Why this grid: the reconstruction term is a sum over the ``F x T`` cells of a clip,
thousands of nats per clip, while ``KL(q(y|x) || U)`` is at most ``log K`` (2.3 nats at
K = 10). Lambda has to span the four orders of magnitude between the two before the
categorical term can pull against the reconstruction, so the grid is logarithmic from the
ELBO's own weight, 1, to 10^4.

Each study run is an ordinary result file whose name carries its lambda
(``catuvac-tau0.5-lambda100-kl_y-seed0.json``), so the selection is reproducible from the
stored files alone: :func:`study_table` reads them back, and :func:`selected_lambda`
applies :func:`catuvac.evaluation.collapse.lowest_safe_lambda` to the verdicts on their
*training-clip* spreads.
Test-clip accuracy and NMI appear beside them for the reader, never in the selection.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from catuvac.evaluation.collapse import MIN_INFORMATION, lowest_safe_lambda, train_spread_of
from catuvac.evaluation.usage import usage_summary
from catuvac.experiments.profiles import Profile
from catuvac.experiments.specs import grid
from catuvac.records.store.results import METHOD_NAMES, Record, as_result
from catuvac.records.store.settings import at_paper_tau
from catuvac.training.lambdas import ELBO_LAMBDA, default_lambda
from catuvac.training.run_spec import RunSpec

LAMBDA_GRID = (1.0, 10.0, 100.0, 1000.0, 10000.0)
#: The columns of :func:`study_table` the selection reads (training clips) ...
CRITERION_COLUMNS = [
    "train clusters used",
    "train largest share",
    "train marginal entropy",
    "train information",
    "collapsed",
    "uninformative",
    "fails rule",
]
#: ... and those it never reads: the final categorical KL and the test clips.
OUTCOME_COLUMNS = [
    "final kl_y (nats)",
    "test mean max q(y|x)",
    "test clusters used",
    "test largest share",
    "test accuracy (not used)",
    "test NMI (not used)",
]
PLACEMENT = "kl_y"


def study_specs(
    datasets: Sequence[str],
    methods: Sequence[str],
    seeds: Sequence[int],
    profile: Profile,
    clusters: Sequence[int] | None = None,
    weights: Sequence[float] = LAMBDA_GRID,
) -> list[RunSpec]:
    """Every run of the study; each names its lambda, the default lambda included."""
    specs = []
    for weight in weights:
        specs += grid(
            list(datasets),
            list(methods),
            list(seeds),
            profile,
            clusters,
            lambda_weight=weight,
            lambda_placement=PLACEMENT,
        )
    return sorted(specs, key=lambda spec: spec.dataset)


def is_study_run(record: Record, with_marginal: bool = False) -> bool:
    """A Cat. UVAC or UVAC run with an explicit lambda on the categorical KL (a study run)
    or, with ``with_marginal``, also one with a batch-marginal weight (this project's
    alternative); either at the paper's final temperature, on features as extracted, with
    no other option beyond the paper, at a profile of the reproduction."""
    result = as_result(record)
    spec, marginal = result.spec, result.marginal_weight
    named = spec.get("lambda_weight") is not None
    return (
        (named or (with_marginal and marginal > 0))
        and (with_marginal or not marginal)
        and not set(result.beyond_paper) - {"marginal_weight"}
        and result.in_reproduction
        and spec.get("lambda_placement", PLACEMENT) == PLACEMENT
        and at_paper_tau(result)
        and not result.speaker_norm
        and train_spread_of(result) is not None
    )


def study_table(
    records: Iterable[Record],
    profile: str | None = None,
    with_marginal: bool = False,
    methods: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per study run: the training-clip spread the selection uses, the final loss
    terms, and, marked apart, what the selection does not use: the test clips' spread,
    accuracy and NMI. ``with_marginal`` adds the runs of this project's batch-marginal
    alternative (column ``marginal weight``); ``methods`` keeps those models only
    (``"catuvac"``, ``"uvac"``; default both)."""
    rows = []
    for result in map(as_result, records):
        if not is_study_run(result, with_marginal):
            continue
        if profile and result.profile_name != profile:
            continue
        if methods and result.method not in methods:
            continue
        spread, last = train_spread_of(result), result["history"][-1]
        test_probs = result.arrays()["cluster_probs"]
        test_use = usage_summary(result["cluster_sizes"])
        rows.append(
            {
                "dataset": result.dataset,
                "profile": result.profile_name,
                "method": METHOD_NAMES[result.method],
                "clusters": result.n_clusters,
                "lambda": result.lambda_setting[0],
                "marginal weight": result.marginal_weight,
                "seed": result.seed,
                "train clusters used": spread.clusters_used,
                "train largest share": spread.largest_share,
                "train marginal entropy": spread.marginal_entropy,
                "train information": spread.information,
                "collapsed": spread.collapsed,
                "uninformative": spread.uninformative,
                "fails rule": spread.fails,
                "final reconstruction (nats)": last["reconstruction"],
                "final kl_z (nats)": last["kl_z"],
                "final kl_y (nats)": last["kl_y"],
                "final lambda kl_y (nats)": result.lambda_setting[0] * last["kl_y"],
                "test mean max q(y|x)": float(test_probs.max(axis=1).mean()),
                "test clusters used": test_use["clusters_used"],
                "test largest share": test_use["largest_share"],
                "test accuracy (not used)": result["metrics"].get("accuracy"),
                "test NMI (not used)": result["metrics"].get("nmi"),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    order = ["dataset", "clusters", "method", "marginal weight", "lambda", "seed"]
    return frame.sort_values(order).reset_index(drop=True)


def selected_lambda(table: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, cluster count and method: the lowest lambda run on every seed of the
    study whose runs all avoid collapse and carry information on the training clips
    (:func:`~catuvac.evaluation.collapse.lowest_safe_lambda`; NaN where no lambda
    qualifies), the default it gives (:data:`NO_SAFE_LAMBDA` where none does), and the
    ``balanced lambda``: the lowest whose runs all avoid collapse, the rule without its
    information floor (what chose the former defaults). Runs of the batch-marginal
    alternative, if the table has them, take no part."""
    rows = []
    paper_rule = table[table["marginal weight"] == 0]
    for (dataset, clusters, method), group in paper_rule.groupby(["dataset", "clusters", "method"]):
        verdicts = zip(group["lambda"], group["seed"], group["fails rule"], strict=True)
        chosen = lowest_safe_lambda(verdicts)
        balance = zip(group["lambda"], group["seed"], group["collapsed"], strict=True)
        balanced = lowest_safe_lambda(balance)
        rows.append(
            {
                "dataset": dataset,
                "clusters": clusters,
                "method": method,
                "lambdas tried": ", ".join(f"{w:g}" for w in sorted(group["lambda"].unique())),
                "seeds": group["seed"].nunique(),
                "chosen lambda": np.nan if chosen is None else chosen,
                "default lambda": NO_SAFE_LAMBDA if chosen is None else chosen,
                "balanced lambda": np.nan if balanced is None else balanced,
            }
        )
    return pd.DataFrame(rows)


DEFAULT_FROM = METHOD_NAMES["catuvac"]  # the model the paper's lambda belongs to
#: The default of a cell where no lambda passes the rule: the ELBO's own weight, as low as
#: possible (:mod:`catuvac.training.lambdas` says why).
NO_SAFE_LAMBDA = ELBO_LAMBDA


def study_defaults(table: pd.DataFrame) -> dict[tuple[str, int], float]:
    """Per dataset and cluster count, the lambda the study makes the default
    (:mod:`catuvac.training.lambdas`): the one :func:`selected_lambda` chooses for Cat.
    UVAC, or :data:`NO_SAFE_LAMBDA` where no lambda passes."""
    chosen = selected_lambda(table)
    chosen = chosen[chosen["method"] == DEFAULT_FROM]
    cells = zip(chosen["dataset"], chosen["clusters"], chosen["default lambda"], strict=True)
    return {(dataset, int(k)): float(weight) for dataset, k, weight in cells}


def rule_by_lambda(table: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, cluster count and lambda of the paper's rule (Cat. UVAC and UVAC apart):
    the seeds run, how many of them are balanced (pass the three balance thresholds) and
    how many informative (``I(x; y) / log K`` at least the floor), and the largest
    information of any seed: why each lambda passes the rule or not."""
    paper_rule = table[table["marginal weight"] == 0]
    keys = ["dataset", "clusters", "method", "lambda"]
    rows = []
    for (dataset, clusters, method, weight), group in paper_rule.groupby(keys):
        rows.append(
            {
                "dataset": dataset,
                "clusters": clusters,
                "method": method,
                "lambda": weight,
                "seeds": group["seed"].nunique(),
                "balanced seeds": int((~group["collapsed"]).sum()),
                "informative seeds": int((~group["uninformative"]).sum()),
                "largest information": float(group["train information"].max()),
            }
        )
    return pd.DataFrame(rows)


def no_safe_lambda(table: pd.DataFrame) -> list[tuple[str, int]]:
    """The (dataset, clusters) cells of Cat. UVAC where no lambda of the study passes the
    rule, so that the default falls back to :data:`NO_SAFE_LAMBDA`."""
    chosen = selected_lambda(table)
    chosen = chosen[(chosen["method"] == DEFAULT_FROM) & chosen["chosen lambda"].isna()]
    return [(d, int(k)) for d, k in zip(chosen["dataset"], chosen["clusters"], strict=True)]


def marginal_comparison(records: Iterable[Record], profile: str) -> pd.DataFrame:
    """This project's batch-marginal runs of Cat. UVAC beside the paper's rule on the same
    datasets, cluster counts and seeds: the study's runs at lambda = 1 (each dataset's
    default, :mod:`catuvac.training.lambdas`) and at its balanced lambda (the lowest at
    which no seed collapses, :func:`selected_lambda`), with the columns of
    :func:`study_table`."""
    table = study_table(records, profile, with_marginal=True, methods=("catuvac",))
    if table.empty:
        return table
    ours = table[table["marginal weight"] > 0]
    paper_rule = table[table["marginal weight"] == 0]
    cell = ["dataset", "clusters", "seed"]
    same_seeds = paper_rule.set_index(cell).index.isin(ours.set_index(cell).index)
    unweighted = paper_rule["lambda"] == ELBO_LAMBDA
    chosen = selected_lambda(paper_rule)
    chosen = chosen[chosen["method"] == DEFAULT_FROM].set_index(["dataset", "clusters"])
    weights = [
        {default_lambda(d, k), chosen["balanced lambda"].get((d, k), np.nan)}
        for d, k in zip(paper_rule["dataset"], paper_rule["clusters"], strict=True)
    ]
    picked = [w in ws for w, ws in zip(paper_rule["lambda"], weights, strict=True)]
    beside = paper_rule[same_seeds & (unweighted | np.array(picked, dtype=bool))]
    order = ["dataset", "clusters", "seed", "marginal weight", "lambda"]
    return pd.concat([beside, ours]).sort_values(order).reset_index(drop=True)


def format_study(table: pd.DataFrame) -> str:
    """The study's runs and its selection as Markdown, for the command line."""
    if table.empty:
        return "no lambda-study runs stored yet (catuvac lambda-study trains them)"
    runs = table.to_markdown(index=False, floatfmt=".3f")
    selection = selected_lambda(table).to_markdown(index=False, floatfmt="g")
    chosen = study_defaults(table).items()
    defaults = ", ".join(f"{d} K={k}: {w:g}" for (d, k), w in chosen) or "none yet"
    where = f"catuvac/training/lambdas.py; {NO_SAFE_LAMBDA:g} where no lambda passes"
    return f"{runs}\n\n{selection}\n\ndefault lambda ({where}): {defaults}"


def rule_summary(table: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """What the rule found for Cat. UVAC, in Markdown: per dataset and cluster count, the
    information at lambda = 1 and the most any larger lambda kept, the lambda the rule
    without its floor would choose, and the default that follows."""
    names = names or {}
    ours = table[(table["method"] == DEFAULT_FROM) & (table["marginal weight"] == 0)]
    chosen = selected_lambda(ours).set_index(["dataset", "clusters"])
    parts = []
    for (dataset, k), group in rule_by_lambda(ours).groupby(["dataset", "clusters"]):
        at_one = group[group["lambda"] == ELBO_LAMBDA]
        heavier = group[group["lambda"] > ELBO_LAMBDA]
        row = chosen.loc[(dataset, k)]
        words = [f"{names.get(dataset, dataset)} with {k} clusters:"]
        if len(at_one):
            one = at_one.iloc[0]
            balance = "balanced" if one["balanced seeds"] == one["seeds"] else "collapsed"
            words.append(f"{one['largest information']:.2g} at λ = 1 ({balance}),")
        if len(heavier):
            words.append(f"at most {heavier['largest information'].max():.2g} at any larger λ;")
        balanced = row["balanced lambda"]
        words.append(
            "no λ balanced on every seed"
            if pd.isna(balanced)
            else f"balanced on every seed from λ = {balanced:g}"
        )
        outcome = (
            f"chosen λ = {row['chosen lambda']:g}"
            if pd.notna(row["chosen lambda"])
            else f"no λ passes, default λ = {row['default lambda']:g}"
        )
        parts.append(" ".join(words) + f", {outcome}")
    return (
        f"Information $I(x; y) / \\log K$ on the training clips, against the floor of "
        f"{MIN_INFORMATION}, and the outcome of the rule: " + "; ".join(parts) + "."
    )
