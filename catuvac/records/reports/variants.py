"""One setting beside its variants: the same stored configuration with one choice made
another way, side by side, so that the book can say what that choice itself costs or
gains. Two choices are compared: how the ELBO's expectation over y is taken (one relaxed
Gumbel-Softmax sample, the paper's, or the exact sum over the K clusters, M2's), and
where q(y|x) starts (K-means on the input before the first epoch, or K-means on z after
the VAE's first epochs, VaDE's and DEC's start)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd

from catuvac.records.reports.seed_tables import values_text
from catuvac.records.store.results import Record, Result, as_result, select
from catuvac.training.run_spec import RunSpec

ESTIMATOR_NAMES = {
    "gumbel": "one Gumbel-Softmax sample (the paper's)",
    "exact": "the exact sum over the K clusters (M2)",
}


def _start_name(spec: RunSpec) -> str:
    if spec.pseudo_label_space == "z":
        return f"K-means on z at epoch {spec.pseudo_label_after}"
    return "K-means on the input, before the first epoch"


@dataclass(frozen=True)
class Choice:
    """One choice a setting can make another way: its column's title, the run options
    that make it (the rest of the setting stays fixed), the name of each way, and the way
    the others are compared with."""

    title: str
    options: tuple[str, ...]
    name: Callable[[RunSpec], str]
    reference: dict

    def reference_name(self, spec: RunSpec) -> str:
        """The name of the reference way for the setting of ``spec``."""
        return self.name(replace(spec, **self.reference))


EXPECTATION_OVER_Y = Choice(
    "expectation over y",
    ("y_estimator",),
    lambda spec: ESTIMATOR_NAMES[spec.y_estimator],
    {"y_estimator": "gumbel"},
)
START_OF_Q_Y = Choice(
    "start of q(y|x)",
    ("pseudo_label_space", "pseudo_label_after"),
    _start_name,
    {"pseudo_label_space": "features", "pseudo_label_after": 0},
)


def _setting(result: Result, choice: Choice) -> dict:
    """A run's declared configuration without its seed (older files: their defaults), and
    without the options of ``choice``."""
    setting = vars(replace(result.run_spec, seed=0))
    return {k: v for k, v in setting.items() if k not in choice.options}


def variant_runs(records: Iterable[Record], run: Result, choice: Choice) -> dict[str, list[Result]]:
    """The stored runs of ``run``'s setting made each way of ``choice`` (any seed, by
    seed), keyed by the way's name, the reference way first."""
    wanted = _setting(run, choice)
    groups: dict[str, list[Result]] = {}
    for record in select(records, dataset=run.dataset, profile=run.profile_name):
        result = as_result(record)
        if _setting(result, choice) == wanted:
            groups.setdefault(choice.name(result.run_spec), []).append(result)
    reference = choice.reference_name(run.run_spec)
    order = sorted(groups, key=lambda name: (name != reference, name))
    return {name: sorted(groups[name], key=lambda r: r.seed) for name in order}


def variant_table(records: Iterable[Record], runs: list[Result], choice: Choice) -> pd.DataFrame:
    """One row per way of ``choice`` that ``runs``' setting was stored with: seeds, test
    accuracy, mean max q(y|x) and largest cluster on the test clips, I(x; y) / log K on
    the training clips, the final KL_y, and minutes per run (mean ± std over seeds). The
    minutes are each run's wall clock on whatever machine and load it met: a cost to read
    with the runs' provenance, not a benchmark."""
    rows = []
    for name, found in variant_runs(records, runs[0], choice).items():
        rows.append(
            {
                choice.title: name,
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


def variant_sentence(records: Iterable[Record], runs: list[Result], choice: Choice) -> str:
    """What each other way of ``choice`` changes, seed by seed, against the reference way
    for the setting of ``runs``: the range of the test-accuracy differences (points) and
    of the mean max q(y|x) differences over the seeds both have (empty when none)."""
    groups = variant_runs(records, runs[0], choice)
    reference = choice.reference_name(runs[0].run_spec)
    base = {r.seed: r for r in groups.pop(reference, [])}
    sentences = []
    for name, found in groups.items():
        paired = [(base[r.seed], r) for r in found if r.seed in base]
        if not paired:
            continue
        accuracy = [100 * (o["metrics"]["accuracy"] - b["metrics"]["accuracy"]) for b, o in paired]
        sharpness = [
            o["latent_use"]["mean_max_q"] - b["latent_use"]["mean_max_q"] for b, o in paired
        ]
        seeds = f"{len(paired)} seed{'s' if len(paired) > 1 else ''}"
        sentences.append(
            f"On {runs[0].dataset}, over the {seeds} run both ways, against {reference}, "
            f"{name} changes the test accuracy by {min(accuracy):+.1f} to "
            f"{max(accuracy):+.1f} points and the mean max q(y|x) by {min(sharpness):+.3f} "
            f"to {max(sharpness):+.3f}."
        )
    return " ".join(sentences)
