"""The same setting under each way of taking the ELBO's expectation over y: one relaxed
Gumbel-Softmax sample (the paper's) or the exact sum over the K clusters (M2's), side by
side, so that the book can say what the relaxation itself costs or gains."""

from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from catuvac.model.base import Y_ESTIMATORS
from catuvac.records.reports.seed_tables import values_text
from catuvac.records.store.results import Record, Result, as_result, select

ESTIMATOR_NAMES = {
    "gumbel": "one Gumbel-Softmax sample (the paper's)",
    "exact": "the exact sum over the K clusters (M2)",
}


def _setting(result: Result) -> dict:
    """A run's declared configuration without its seed (older files: their defaults)."""
    return vars(replace(result.run_spec, seed=0))


def same_setting_runs(records: Iterable[Record], run: Result, **changes) -> list[Result]:
    """The stored runs, any seed, of ``run``'s setting with ``changes`` to its options
    (e.g. ``y_estimator="exact"``), by seed."""
    wanted = vars(replace(run.run_spec, seed=0, **changes))
    found = [
        as_result(r)
        for r in select(records, dataset=run.dataset, profile=run.profile_name)
        if _setting(as_result(r)) == wanted
    ]
    return sorted(found, key=lambda r: r.seed)


def estimator_table(records: Iterable[Record], runs: list[Result]) -> pd.DataFrame:
    """One row per way of taking the expectation over y that ``runs``' setting was stored
    with: seeds, test accuracy, mean max q(y|x) and largest cluster on the test clips,
    I(x; y) / log K on the training clips, the final KL_y, and minutes per run (mean ±
    std over seeds). The minutes are each run's wall clock on whatever machine and load it
    met: a cost to read with the runs' provenance, not a benchmark."""
    records = list(records)
    rows = []
    for estimator in Y_ESTIMATORS:
        found = same_setting_runs(records, runs[0], y_estimator=estimator)
        if not found:
            continue
        rows.append(
            {
                "expectation over y": ESTIMATOR_NAMES[estimator],
                "seeds": len(found),
                "test accuracy (%)": values_text(
                    [100 * r["metrics"]["accuracy"] for r in found], 1
                ),
                "mean max q(y|x)": values_text([r["latent_use"]["mean_max_q"] for r in found], 2),
                "largest test cluster": values_text(
                    [max(r.cluster_sizes) / sum(r.cluster_sizes) for r in found], 2
                ),
                "I(x; y) / log K": values_text(
                    [r["train_selection"]["information_ratio"] for r in found], 2
                ),
                "final KL_y (nats)": values_text([r.history[-1]["kl_y"] for r in found], 2),
                "minutes per run (wall clock)": values_text([r["seconds"] / 60 for r in found], 1),
            }
        )
    return pd.DataFrame(rows)


def estimator_sentence(records: Iterable[Record], runs: list[Result]) -> str:
    """What the exact sum changes, seed by seed, against one Gumbel-Softmax sample for the
    setting of ``runs``: the range of the test-accuracy differences (points) and of the
    mean max q(y|x) differences over the seeds both have (empty when none)."""
    records = list(records)
    sampled = {r.seed: r for r in same_setting_runs(records, runs[0], y_estimator="gumbel")}
    exact = same_setting_runs(records, runs[0], y_estimator="exact")
    paired = [(sampled[r.seed], r) for r in exact if r.seed in sampled]
    if not paired:
        return ""
    accuracy = [100 * (e["metrics"]["accuracy"] - g["metrics"]["accuracy"]) for g, e in paired]
    sharpness = [e["latent_use"]["mean_max_q"] - g["latent_use"]["mean_max_q"] for g, e in paired]
    seeds = f"{len(paired)} seed{'s' if len(paired) > 1 else ''}"
    return (
        f"On {runs[0].dataset}, over the {seeds} run both ways, the exact sum "
        f"changes the test accuracy by {min(accuracy):+.1f} to {max(accuracy):+.1f} points "
        f"and the mean max q(y|x) by {min(sharpness):+.3f} to {max(sharpness):+.3f}."
    )
