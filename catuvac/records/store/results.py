"""The result store: one JSON record per run (``catuvac reproduce`` writes them) with its
test-set arrays beside it, read back as :class:`Result`, and the queries on it.

A :class:`Result` is a read-only view of a stored record: it still reads like the dict it
was stored as (``result["spec"]["seed"]``) and names what the book asks of it
(``result.seed``, ``result.n_clusters``). The functions below accept either a
:class:`Result` or a plain record (the dict :func:`catuvac.experiments.reproduce.run` returns) and
hand back what they were given.

A result file that cannot be read (invalid JSON, no metrics or profile, its arrays missing
or cut short), or that repeats another's run, is left out by :func:`load_results` and named
in one warning on the ``catuvac`` logger; the file itself is left as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from catuvac.atomic import (
    atomic_write_files,
    json_text,
    npz_write,
    read_file,
    read_json,
    schema_problem,
)
from catuvac.errors import DamagedFileError, ResultExistsError
from catuvac.evaluation.embedding import SPACES
from catuvac.evaluation.metrics import METRIC_NAMES
from catuvac.paths import results_dir
from catuvac.training.run_spec import RunSpec, beyond_paper

ARRAYS_KEY = "arrays"

METHOD_NAMES = {
    "labels": "None (labels)",
    "kmeans": "K-means",
    "uvac": "UVAC",
    "catuvac": "Cat. UVAC",
}
"""How the book names each method (the paper's Table I names)."""

Record = Mapping[str, Any]

RECOMPUTE = (
    "move its .json and .npz out of the results folder and run `catuvac reproduce` "
    "for that run again to recompute it"
)

DUPLICATE = "%s holds the same run as %s (a copy?); left out so that the run counts once"

CLUSTER_TERM_WEIGHTS = (
    "entropy_weight",
    "capacity_weight",
    "consistency_weight",
    "self_label_weight",
)
"""The weights of this project's terms on q(y|x) besides the balance, as specs name them."""

RESULT_SCHEMA = {  # what every reader of a result takes from it without asking
    "spec": {"dataset": str, "method": str, "seed": int, "n_clusters": int},
    "metrics": dict.fromkeys(SPACES, dict),
    "n_classes": int,
    "profile": {"name": str, "epochs": int},
    "environment": {"device": str},
    "data_subset": {"train_clips": int, "test_clips": int},
}

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Result(Mapping):
    """A stored result record, read through named properties (and still by key)."""

    record: Record

    def __getitem__(self, key: str) -> Any:
        return self.record[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.record)

    def __len__(self) -> int:
        return len(self.record)

    @property
    def spec(self) -> Record:
        """The run's :class:`~catuvac.experiments.reproduce.RunSpec` as stored."""
        return self.record["spec"]

    @property
    def method(self) -> str:
        return self.spec["method"]

    @property
    def dataset(self) -> str:
        return self.spec["dataset"]

    @property
    def seed(self) -> int:
        return self.spec["seed"]

    @property
    def n_clusters(self) -> int:
        """The clusters the run scores: the labels row has one per class, whatever its spec."""
        return self.record["n_classes"] if self.method == "labels" else self.spec["n_clusters"]

    @property
    def profile_name(self) -> str:
        return self.record["profile"]["name"]

    @property
    def in_reproduction(self) -> bool:
        """Whether the run's profile belongs to the reproduction of Table I (every stored
        profile before the ``long`` study profile did)."""
        return bool(self.record["profile"].get("reproduction", True))

    @cached_property
    def run_spec(self) -> RunSpec:
        """The run's declared configuration, rebuilt from the stored spec (older files
        lack the later options: they read as the defaults those runs used). A run that
        names no lambda trained at the default of its day; where that is not today's
        default (the runs at lambda = 1000 trained while the study's former rule chose it),
        the spec names the lambda it trained at, as its file name does."""
        spec = RunSpec.from_stored(self.spec)
        trained = self.lambda_setting
        if spec.lambda_weight is None and trained and trained[0] != spec.weight:
            spec = replace(spec, lambda_weight=trained[0])
        return spec

    @property
    def beyond_paper(self) -> dict[str, float | str]:
        """The run's options away from the paper's setting, by field name (empty for the
        paper's setting): :func:`~catuvac.training.run_spec.beyond_paper`."""
        return beyond_paper(self.spec)

    @property
    def epochs(self) -> int | None:
        """Training epochs (None for K-means and the labels row, which train nothing)."""
        return self.record.get("epochs")

    @property
    def history(self) -> list[dict]:
        """Per-epoch training history (empty for K-means and the labels row)."""
        return self.record.get("history", [])

    @property
    def path(self) -> Path:
        """The result file the record was read from."""
        return Path(self.record["path"])

    @property
    def device(self) -> str:
        """The device the run used, as stored (``cpu``, ``cuda``)."""
        return self.record["environment"]["device"]

    @property
    def tau_end(self) -> float | None:
        """The final temperature, for Cat. UVAC only (the one method it affects)."""
        return self.spec.get("tau_end") if self.method == "catuvac" else None

    @property
    def lambda_setting(self) -> tuple[float, str] | None:
        """``(lambda_weight, lambda_placement)`` of a trained model, None otherwise."""
        config = self.record.get("model_config")
        return (float(config["lambda_weight"]), str(config["lambda_placement"])) if config else None

    @property
    def speaker_norm(self) -> bool:
        """Whether the features were normalised per speaker (absent in older records)."""
        return bool(self.spec.get("speaker_norm", False))

    @property
    def marginal_weight(self) -> float:
        return float(self.spec.get("marginal_weight", 0.0))

    def metric_values(self, space: str = "own") -> dict[str, float]:
        """The five metrics (accuracy as a fraction; NaN where not reported)."""
        metrics = self.record["metrics"]
        values = {}
        for name in METRIC_NAMES:
            value = metrics.get(name) if name in ("accuracy", "nmi") else metrics[space].get(name)
            values[name] = np.nan if value is None else float(value)
        return values

    @property
    def cluster_sizes(self) -> list[int]:
        """How many test clips each cluster holds."""
        return list(self.record["cluster_sizes"])

    @property
    def final_tau(self) -> float | None:
        """The temperature of Cat. UVAC's last epoch (None for the other methods)."""
        return self.record.get("final_tau")

    def arrays(self) -> dict[str, np.ndarray]:
        """The test-set arrays (labels, clusters, and for the VAEs ``q(y|x)`` and z means):
        those of a run just made, else those stored beside the record; a damaged file is a
        :class:`~catuvac.errors.DamagedFileError` naming it."""
        if ARRAYS_KEY in self.record:
            return dict(self.record[ARRAYS_KEY])
        return read_file(self.path.with_suffix(".npz"), read_arrays, RECOMPUTE)


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array in an ``.npz`` file."""
    with np.load(path) as stored:
        return {name: stored[name] for name in stored.files}


def read_result(path: Path, advice: str = RECOMPUTE) -> Result | None:
    """The result stored in ``path`` (None for a JSON file that is not a result record);
    invalid JSON, a record without what :data:`RESULT_SCHEMA` asks, or arrays missing or
    not an ``.npz`` archive, is a :class:`~catuvac.errors.DamagedFileError` saying ``advice``."""
    record = read_json(path, advice)
    if not (isinstance(record, dict) and "spec" in record and "metrics" in record):
        return None
    if (problem := schema_problem(record, RESULT_SCHEMA)) is not None:
        raise DamagedFileError(path, problem, advice)
    arrays = path.with_suffix(".npz")
    if not arrays.exists():
        raise DamagedFileError(path, f"its arrays {arrays.name} are missing", advice)
    # Opening reads the archive's index only: a file cut short fails here, cheaply.
    read_file(arrays, lambda p: np.load(p).close(), advice)
    record["path"] = str(path)
    return Result(record)


def as_result(record: Record) -> Result:
    """``record`` as a :class:`Result` (itself when it already is one)."""
    return record if isinstance(record, Result) else Result(record)


def save_result(record: Record, path: Path, overwrite: bool = False) -> Path:
    """Write a result's JSON and, beside it, its test-set arrays (``.npz``: labels,
    clusters and, for the VAEs, ``q(y|x)`` and z means) so chapters can plot them later;
    both before either is renamed, so a failure leaves no ``.npz`` without its ``.json``.
    An existing result is an error unless ``overwrite`` is asked for."""
    if path.is_file() and not overwrite:
        raise ResultExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    record = dict(record)
    arrays = record.pop(ARRAYS_KEY, {})

    def write_record(temporary: str) -> None:
        Path(temporary).write_text(json_text(record))

    atomic_write_files({path.with_suffix(".npz"): npz_write(arrays), path: write_record})
    return path


def load_results(root: Path | None = None) -> list[Result]:
    """Every readable result file under ``root`` (default ``results/``), with its path;
    each damaged one is named in a warning and left out. A file holding the same run (the
    same spec, seed and profile included) as another, such as a sync tool's "conflicted
    copy", is named beside it and left out, so no run counts twice: the shorter name stays."""
    root = root or results_dir()
    by_run: dict[str, Result] = {}
    for path in sorted(root.rglob("*.json")):
        try:
            result = read_result(path, f"left out; {RECOMPUTE}")
        except DamagedFileError as error:
            log.warning("%s", error)
            continue
        if result is None:
            continue
        run = json.dumps(result.spec, sort_keys=True)
        if run in by_run:
            pair = (by_run[run], result)
            kept, copy = sorted(pair, key=lambda r: (len(Path(r["path"]).name), r["path"]))
            log.warning(DUPLICATE, copy["path"], kept["path"])
            result = kept
        by_run[run] = result
    return list(by_run.values())


def select(
    records: Iterable[Record],
    dataset: str | None = None,
    profile: str | None = None,
    n_clusters: int | None = None,
    method: str | None = None,
    speaker_norm: bool | None = None,
) -> list[Record]:
    """Records matching every given field (the labels row matches any ``n_clusters``
    equal to its number of classes; records older than ``speaker_norm`` had it off)."""
    chosen = []
    for record in records:
        result = as_result(record)
        if (
            (dataset is None or result.dataset == dataset)
            and (profile is None or result.profile_name == profile)
            and (n_clusters is None or result.n_clusters == n_clusters)
            and (method is None or result.method == method)
            and (speaker_norm is None or result.speaker_norm == speaker_norm)
        ):
            chosen.append(record)
    return chosen


def first_seeds(
    records: Iterable[Record], methods: Sequence[str], **fields: Any
) -> dict[str, Record]:
    """Each method's record with the lowest seed among those matching ``fields``
    (:func:`select`), the run a chapter shows of a setting; a method without one is left
    out."""
    first = {}
    for method in methods:
        runs = sorted(select(records, method=method, **fields), key=lambda r: as_result(r).seed)
        if runs:
            first[method] = runs[0]
    return first


def profiles_by_epochs(records: Iterable[Record]) -> list[str]:
    """The profiles among ``records``, from the fewest training epochs to the most."""
    epochs = {r["profile"]["name"]: r["profile"]["epochs"] for r in records}
    return sorted(epochs, key=epochs.get)


def largest_profile(records: Iterable[Record]) -> str | None:
    """The profile with the most training epochs among ``records`` (None when empty)."""
    profiles = profiles_by_epochs(records)
    return profiles[-1] if profiles else None


def largest_profile_of(records: Iterable[Record], dataset: str) -> tuple[str | None, list[Record]]:
    """The profile with the most epochs among ``dataset``'s records, and those records."""
    mine = select(records, dataset=dataset)
    best = largest_profile(mine)
    return best, select(mine, profile=best) if best else []


def devices_of(records: Iterable[Record]) -> str:
    """The devices the records ran on, as stored (``cpu``, ``cuda``), joined by ``+``."""
    return "+".join(sorted({as_result(r).device for r in records}))


def device_label(device: str) -> str:
    """``cuda`` → ``GPU``, ``cpu`` → ``CPU``; a setting run on both reads ``CPU+GPU``."""
    return "+".join({"cuda": "GPU", "cpu": "CPU"}.get(d, d) for d in device.split("+"))


def describe_records(records: Sequence[Record]) -> str:
    """One line saying what stored results were computed on: profile, epochs, data."""
    if not records:
        return "no stored results"
    results = [as_result(r) for r in records]
    profiles = sorted({r.profile_name for r in results})
    epochs = sorted({r.epochs for r in results if r.epochs})
    subsets = sorted(
        {(r["data_subset"]["train_clips"], r["data_subset"]["test_clips"]) for r in results}
    )
    seeds = sorted({r.seed for r in results if r.method != "labels"})
    epoch_text = "/".join(str(e) for e in epochs) if epochs else "none (no training)"
    data_text = "; ".join(f"{a} train / {b} test clips" for a, b in subsets)
    seed_text = f"seed{'s' if len(seeds) > 1 else ''} {', '.join(str(s) for s in seeds)}"
    return (
        f"profile {'/'.join(profiles)}, epochs {epoch_text}, {data_text}, "
        f"{seed_text if seeds else 'no seeds'}, on {device_label(devices_of(results))}"
    )
