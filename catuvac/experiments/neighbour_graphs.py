"""Mine and store the neighbour graphs the label-free selection reads
(:mod:`catuvac.records.neighbour_graphs`): one per data that a stored trained run of a
profile used, each training clip's nearest others in the normalised input, no label read."""

from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

import numpy as np

from catuvac.atomic import atomic_write_bytes
from catuvac.evaluation.selection import SELECTION_NEIGHBOURS
from catuvac.experiments.prepare import prepare_for
from catuvac.paths import results_dir
from catuvac.records.neighbour_graphs import CLIPS_KEY, NEIGHBOURS_KEY, graph_path
from catuvac.records.provenance import git_revision
from catuvac.records.results import Record, as_result, select
from catuvac.training.neighbours import mine_neighbours
from catuvac.training.run_spec import RunSpec

DATA_OPTIONS = tuple(f.name for f in fields(RunSpec) if f.metadata.get("group") == "data")
"""The run options that decide a run's data, and so its graph."""


def graph_specs(records: Iterable[Record], profile: str) -> list[RunSpec]:
    """One spec per data that the stored trained runs of ``profile`` used."""
    specs = {}
    for record in select(records, profile=profile):
        result = as_result(record)
        if not result.run_spec.trained:
            continue
        spec = result.run_spec
        specs.setdefault((spec.dataset, *(getattr(spec, o) for o in DATA_OPTIONS)), spec)
    return list(specs.values())


def _revision() -> str:
    """The code's commit, marked ``-dirty`` when the working tree had changes."""
    revision = git_revision()
    return f"{revision['commit']}{'-dirty' if revision['dirty'] else ''}"


def mine_graph(spec: RunSpec, results_root: Path | None = None) -> Path:
    """Mine the :data:`~catuvac.evaluation.selection.SELECTION_NEIGHBOURS` nearest training
    clips of each training clip in the data ``spec`` trains on, and store them with the
    fingerprint of those clips and the code's revision; the graph's path."""
    data = prepare_for(spec, progress=False)
    neighbours = mine_neighbours(data.train.features, SELECTION_NEIGHBOURS).numpy()
    path = graph_path(results_root or results_dir(), spec.profile, spec.dataset, vars(spec))
    arrays = {
        NEIGHBOURS_KEY: neighbours.astype(np.int32),
        CLIPS_KEY: np.array(data.subset_description()[CLIPS_KEY]),
        "space": np.array("standardised normalised training features, Euclidean"),
        "git": np.array(_revision()),
    }

    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, write)
    return path
