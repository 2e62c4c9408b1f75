"""Which stored results belong to which setting: the paper's plain setting, at lambda = 1
or at the lambda the study chose, Table I's rows, and the runs of temperature sweeps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catuvac.records.store.results import Record, as_result, select
from catuvac.training.lambdas import ELBO_LAMBDA, default_lambda
from catuvac.training.schedules import PAPER_TAU_END


def at_paper_tau(record: Record) -> bool:
    """Cat. UVAC at the paper's final temperature 0.5; the other methods have none."""
    return as_result(record).tau_end in (None, PAPER_TAU_END)


def plain_setting(record: Record) -> bool:
    """Whether a record has the paper's setting apart from lambda: Cat. UVAC at the final
    temperature 0.5, none of this project's options beyond the paper (balance term,
    likelihood, normaliser, extra terms on q(y|x)), features not normalised per speaker,
    at a profile of the reproduction."""
    result = as_result(record)
    return (
        at_paper_tau(result)
        and not result.beyond_paper
        and not result.speaker_norm
        and result.in_reproduction
    )


def at_elbo_weight(record: Record) -> bool:
    """A run trained at the ELBO's own weight, lambda = 1 on the categorical KL, without
    naming it (the project's default before the lambda study; the study's own run at
    lambda = 1 names it and is left out, so no seed counts twice). K-means and labels,
    which have no lambda, pass."""
    result = as_result(record)
    setting = result.lambda_setting
    return setting is None or (
        setting == (ELBO_LAMBDA, "kl_y") and result.spec.get("lambda_weight") is None
    )


def at_chosen_lambda(record: Record) -> bool:
    """A run trained at its dataset's default lambda on the categorical KL, the one the
    lambda rule gives (:mod:`catuvac.training.lambdas`), named or not. K-means and labels
    pass."""
    result = as_result(record)
    setting = result.lambda_setting
    return setting is None or setting == (default_lambda(result.dataset, result.n_clusters), "kl_y")


def once_per_seed(records: Iterable[Record]) -> list[Record]:
    """``records`` without a run that names its lambda where a run of the same profile,
    dataset, cluster count, method, seed and lambda does not name it: at the ELBO's weight
    the lambda study's run and the run trained before it are two runs of one setting, and
    the seed counts once (the unnamed run, a seed of Table I's grid)."""
    kept = list(records)
    unnamed = {_seat(r) for r in kept if as_result(r).spec.get("lambda_weight") is None}
    return [
        r for r in kept if as_result(r).spec.get("lambda_weight") is None or _seat(r) not in unnamed
    ]


def _seat(record: Record) -> tuple:
    result = as_result(record)
    return (
        result.profile_name,
        result.dataset,
        result.n_clusters,
        result.method,
        result.seed,
        result.lambda_setting,
    )


def default_setting(records: Iterable[Record]) -> list[Record]:
    """The records of the project's default setting: :func:`plain_setting` at the lambda
    the rule gives each dataset, each seed once (:func:`once_per_seed`)."""
    return once_per_seed(r for r in records if plain_setting(r) and at_chosen_lambda(r))


def elbo_weight_setting(records: Iterable[Record]) -> list[Record]:
    """The records of the paper's setting at lambda = 1: :func:`plain_setting` trained
    before the lambda study (every ``paper`` profile run so far) and the study's own runs
    at lambda = 1 where no run trained before it holds their seed (:func:`once_per_seed`;
    the Arabic digits have only the study's)."""
    return once_per_seed(
        r
        for r in records
        if plain_setting(r)
        and (at_elbo_weight(r) or as_result(r).lambda_setting == (ELBO_LAMBDA, "kl_y"))
    )


def table_setting(records: Iterable[Record]) -> list[Record]:
    """Table I's records: :func:`plain_setting` at lambda = 1 and at the chosen lambda, so
    that each trained method shows a row per lambda, each seed once (:func:`once_per_seed`)."""
    return once_per_seed(
        r for r in records if plain_setting(r) and (at_elbo_weight(r) or at_chosen_lambda(r))
    )


def tau_sweep_runs(records: Iterable[Record]) -> list[Record]:
    """The Cat. UVAC runs temperature sweeps are made of: lambda = 1 (every sweep was
    trained before the lambda study), no batch-marginal term, features as extracted."""
    return [
        r
        for r in select(records, method="catuvac")
        if at_elbo_weight(r)
        and not (result := as_result(r)).beyond_paper
        and not result.speaker_norm
    ]


def speaker_experiment_runs(
    records: Iterable[Record], datasets: Sequence[str], profile: str
) -> list[Record]:
    """The runs of the "digits or voices" experiment: K-means and both VAEs (Cat. UVAC at
    the final temperature 0.5, no batch-marginal term), on features as extracted and
    normalised per speaker, for ``datasets`` at ``profile``. The VAEs are those at the
    lambda their per-speaker runs were trained at (named in the file name), with and
    without the normalisation, so that the two feature sets meet at one lambda; the stored
    runs are at 1000, the default before the rule required information."""
    candidates = [
        r
        for r in select(records, profile=profile)
        if (result := as_result(r)).dataset in datasets
        and result.method != "labels"
        and at_paper_tau(result)
        and not result.beyond_paper
    ]
    normalised = {
        (result.dataset, result.n_clusters, result.lambda_setting)
        for result in map(as_result, candidates)
        if result.speaker_norm and result.spec.get("lambda_weight") is not None
    }
    return [
        r
        for r in candidates
        if (result := as_result(r)).lambda_setting is None
        or (result.dataset, result.n_clusters, result.lambda_setting) in normalised
    ]
