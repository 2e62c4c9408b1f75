"""The grids of runs: Table I's (every dataset at the paper's cluster counts, every method
and seed) and the sweeps beside it, as :class:`~catuvac.training.run_spec.RunSpec` cells."""

from typing import Any

from catuvac.data import canonical_name
from catuvac.experiments.profiles import Profile
from catuvac.training.run_spec import RunSpec, run_option
from catuvac.training.schedules import PAPER_TAU_END

PAPER_CLUSTERS = {
    "audiomnist": (10,),
    "arabic-digits": (10,),
    "fsdd": (10,),
    "us8k": (10, 5),
    "tau2019": (10, 5),
}


def grid(
    datasets: list[str],
    methods: list[str],
    seeds: list[int],
    profile: Profile,
    clusters: list[int] | None = None,
    tau_ends: list[float] | None = None,
    **options: Any,
) -> list[RunSpec]:
    """Every run of a Table I style grid; clusters default to the paper's per dataset.

    The labels row needs no seed and no cluster count of its own: it is scored once per
    dataset, at the number of classes, and takes only the data options. Dataset names may
    be aliases (``urbansound8k``); an unknown one is an
    :class:`~catuvac.errors.UnknownOptionError`. ``options`` sets :class:`RunSpec`'s run
    options on every run; ``tau_ends`` sweeps Cat. UVAC's final temperature.
    """
    data_options = {k: v for k, v in options.items() if run_option(k).metadata["group"] == "data"}
    specs = []
    for dataset in map(canonical_name, datasets):
        if "labels" in methods:
            specs.append(RunSpec(dataset, "labels", 10, 0, profile.name, **data_options))
        # Seed-major order: an interrupted grid has every cell at the first seeds.
        for seed in seeds:
            for method in (m for m in methods if m != "labels"):
                taus = tau_ends if method == "catuvac" and tau_ends else [PAPER_TAU_END]
                specs += [
                    RunSpec(dataset, method, k, seed, profile.name, tau_end=tau, **options)
                    for k in clusters or PAPER_CLUSTERS[dataset]
                    for tau in taus
                ]
    return specs
