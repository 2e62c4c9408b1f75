"""The clips behind a stored result's test arrays, and whether its clusters follow the
class labels or the clips' groups (the speakers, for spoken digits)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from catuvac.data import Clip, load
from catuvac.evaluation.metrics import nmi
from catuvac.evaluation.usage import clusters_used
from catuvac.experiments.prepare import SUBSET_SEED, files_digest
from catuvac.records.results import METHOD_NAMES, Record, as_result
from catuvac.records.seed_tables import mean_text


def stored_test_clips(record: Record, root: Path | None = None) -> list[Clip]:
    """The test clips a stored result was computed on, in the order of its arrays.

    Rebuilt from the dataset and the record's profile exactly as
    :func:`catuvac.experiments.prepare.prepare_data` chooses them, then checked against the file
    fingerprint stored in the record: a mismatch (other data, other loader) is an error.
    """
    subset = record["data_subset"]
    dataset = load(record["spec"]["dataset"], root=root)
    clips = dataset.subset("test", record["profile"]["max_test_clips"], seed=SUBSET_SEED)
    digest = files_digest([c.path for c in clips], dataset.root)
    if digest != subset["test_files_sha256"]:
        raise ValueError(
            f"the test clips of {dataset.name} under {dataset.root} do not match the result "
            f"{record.get('path', '')} (fingerprint {digest}, stored "
            f"{subset['test_files_sha256']}): the data differ from the run's"
        )
    return clips


def label_and_group_nmi(records: Iterable[Record], root: Path | None = None) -> pd.DataFrame:
    """NMI of each stored clustering with the class labels and with the clips' groups
    (the speakers, for spoken digits), to tell which of the two the clusters follow.

    Reads each record's test arrays and rebuilds its test clips
    (:func:`stored_test_clips`), so the dataset must be present.
    """
    rows = []
    for result in map(as_result, records):
        clips = stored_test_clips(result, root)
        clusters = result.arrays()["clusters"]
        rows.append(
            {
                "dataset": result.dataset,
                "profile": result.profile_name,
                "method": METHOD_NAMES[result.method],
                "seed": result.seed,
                "speaker_norm": result.speaker_norm,
                "nmi_labels": nmi([c.label for c in clips], clusters),
                "nmi_groups": nmi([c.group for c in clips], clusters),
            }
        )
    return pd.DataFrame(rows)


def speaker_experiment(records: Iterable[Record], root: Path | None = None) -> pd.DataFrame:
    """Digits or voices: per dataset, method and feature setting (with or without the
    per-speaker normalisation), mean ± std over seeds of the accuracy, the NMI with the
    digits and the NMI with the speakers, and the clusters each seed uses; rows in the
    book's method order, features as extracted first."""
    records = list(records)
    nmis = label_and_group_nmi(records, root)
    nmis["accuracy"] = [100 * r["metrics"]["accuracy"] for r in records]
    nmis["clusters used"] = [clusters_used(r["cluster_sizes"]) for r in records]
    rows = []
    keys = ["dataset", "method", "speaker_norm"]
    for (dataset, method, normalised), group in nmis.groupby(keys, sort=False):
        group = group.sort_values("seed")
        row = {
            "dataset": dataset,
            "method": method,
            "features": "per-speaker normalised" if normalised else "as extracted",
            "seeds": len(group),
        }
        for column, label in (
            ("accuracy", "accuracy (%)"),
            ("nmi_labels", "NMI with digits"),
            ("nmi_groups", "NMI with speakers"),
        ):
            values = group[column]
            row[label] = mean_text(values.mean(), values.std(ddof=0), len(values), len(values), 2)
        row["clusters used"] = " / ".join(map(str, group["clusters used"]))
        rows.append(row)
    order = list(METHOD_NAMES.values())
    rows.sort(key=lambda r: (r["dataset"], order.index(r["method"]), r["features"]))
    return pd.DataFrame(rows)
