"""Mine and store the neighbour graphs the label-free selection reads
(:mod:`catuvac.records.store.neighbour_graphs`): one per data that a stored trained run of a
profile used, each training clip's nearest others in the normalised input, no label read."""

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from catuvac.atomic import atomic_write_bytes, npz_write
from catuvac.evaluation.selection import SELECTION_NEIGHBOURS
from catuvac.experiments.prepare import prepare_for
from catuvac.paths import results_dir
from catuvac.records.store.neighbour_graphs import CLIPS_KEY, NEIGHBOURS_KEY, graph_path
from catuvac.records.store.provenance import git_revision
from catuvac.records.store.results import Record, as_result, select
from catuvac.training.neighbours import mine_neighbours
from catuvac.training.run_spec import RunSpec


def graph_specs(records: Iterable[Record], profile: str) -> list[RunSpec]:
    """One spec per data (dataset and data options) that the stored trained runs of
    ``profile`` used."""
    specs = {}
    for record in select(records, profile=profile):
        spec = as_result(record).run_spec
        if spec.trained:
            specs.setdefault((spec.dataset, *spec.options("data").values()), spec)
    return list(specs.values())


def mine_graph(spec: RunSpec, results_root: Path | None = None) -> Path:
    """Mine the :data:`~catuvac.evaluation.selection.SELECTION_NEIGHBOURS` nearest training
    clips of each training clip in the data ``spec`` trains on, and store them with the
    fingerprint of those clips and their provenance (the space, the code's revision); the
    graph's path."""
    data = prepare_for(spec, progress=False)
    neighbours = mine_neighbours(data.train.features, SELECTION_NEIGHBOURS).numpy()
    provenance = {
        "space": "standardised normalised training features, Euclidean",
        "git": git_revision(),
    }
    path = graph_path(results_root or results_dir(), spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = {
        NEIGHBOURS_KEY: neighbours.astype(np.int32),
        CLIPS_KEY: np.array(data.subset_description()[CLIPS_KEY]),
        "provenance": np.array(json.dumps(provenance)),
    }
    atomic_write_bytes(path, npz_write(stored))
    return path
