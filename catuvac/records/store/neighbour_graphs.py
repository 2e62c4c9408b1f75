"""The neighbour graphs the label-free selection reads: for each data a stored run trained
on (dataset, profile, feature pipeline, normaliser, speaker normalisation), every training
clip's nearest others in the normalised input, mined once without labels and stored under
``results/<profile>/<dataset>/neighbours/`` (``catuvac neighbours`` writes them). A run's
neighbour agreement is then read from its stored training partition, so runs stored before
the criterion existed are judged by it too."""

import logging
from pathlib import Path
from typing import Any

from catuvac.atomic import read_file
from catuvac.errors import DamagedFileError
from catuvac.evaluation.selection import PARTITION, neighbour_agreement
from catuvac.records.store.results import Result, read_arrays
from catuvac.training.run_spec import RunSpec

log = logging.getLogger(__name__)

GRAPH_FOLDER = "neighbours"
NEIGHBOURS_KEY = "neighbours"
CLIPS_KEY = "train_files_sha256"
REMINE = "left out of the selection; remine it with `catuvac neighbours`"


def graph_name(spec: RunSpec) -> str:
    """The file stem of the data a spec trains on: its feature pipeline, normaliser and
    speaker normalisation."""
    speakers = "-spknorm" if spec.speaker_norm else ""
    return f"{spec.features}-norm{spec.normaliser}{speakers}"


def graph_path(results_root: Path, spec: RunSpec) -> Path:
    """``results/<profile>/<dataset>/neighbours/<graph_name>.npz`` of ``spec``'s data."""
    return results_root / spec.profile / spec.dataset / GRAPH_FOLDER / f"{graph_name(spec)}.npz"


def graph_of(result: Result) -> Path:
    """Where the graph of a stored result's training clips lies, beside its ``k<K>``
    folder (a stored spec lacking a later option had its default)."""
    return result.path.parent.parent / GRAPH_FOLDER / f"{graph_name(result.run_spec)}.npz"


def _graph_arrays(path: Path) -> dict:
    """The arrays a graph file must hold (one missing: the file is damaged)."""
    arrays = read_arrays(path)
    return {key: arrays[key] for key in (NEIGHBOURS_KEY, CLIPS_KEY)}


def result_neighbour_agreement(result: Result) -> float:
    """:func:`~catuvac.evaluation.selection.neighbour_agreement` of a stored run's training
    partition on its data's graph; NaN when no graph of the same training clips is stored
    (never mined, or mined on other clips), or when the stored graph is damaged (named in
    a warning)."""
    path = graph_of(result)
    if not path.is_file():
        return float("nan")
    try:
        graph = read_file(path, _graph_arrays, REMINE)
    except DamagedFileError as error:
        log.warning("%s", error)
        return float("nan")
    if str(graph[CLIPS_KEY]) != result["data_subset"][CLIPS_KEY]:
        return float("nan")
    return neighbour_agreement(graph[NEIGHBOURS_KEY], result.arrays()["train_clusters"])


def label_free_quantities(result: Result) -> dict[str, Any]:
    """What the label-free ranking reads of one stored run: the ``train_selection``
    quantities of its training clips, their neighbour agreement and the training
    partition (for the agreement between seeds)."""
    return {
        **result["train_selection"],
        "neighbour_agreement": result_neighbour_agreement(result),
        PARTITION: result.arrays()["train_clusters"],
    }
