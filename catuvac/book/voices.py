"""Digits or voices: which of the two a stored clustering follows (its NMI with the digits
and with the speakers), and what per-speaker normalisation changes, as numbers and as the
book prints them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from catuvac.book.stored_clips import stored_test_clips
from catuvac.evaluation.metrics import nmi
from catuvac.evaluation.usage import clusters_used
from catuvac.records.reports.seed_tables import mean_text
from catuvac.records.store.results import METHOD_NAMES, Record, as_result

MEASURES = {
    "accuracy": "accuracy (%)",
    "nmi_labels": "NMI with digits",
    "nmi_groups": "NMI with speakers",
}
"""The measures of :func:`speaker_experiment`, by column of :func:`label_and_group_nmi`."""
DIGITS = 2  # decimals the book prints each measure with
SETTINGS = ("as extracted", "per-speaker normalised")


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
    """Digits or voices, as numbers: per dataset, method and feature setting (with or
    without the per-speaker normalisation), the seeds, the mean and the std (over seeds,
    ``<measure> std``) of the accuracy, the NMI with the digits and the NMI with the
    speakers, and the clusters each seed uses; rows in the book's method order, features
    as extracted first."""
    records = list(records)
    nmis = label_and_group_nmi(records, root)
    nmis["accuracy"] = [100 * as_result(r)["metrics"]["accuracy"] for r in records]
    nmis["clusters used"] = [clusters_used(as_result(r).cluster_sizes) for r in records]
    rows = []
    keys = ["dataset", "method", "speaker_norm"]
    for (dataset, method, normalised), group in nmis.groupby(keys, sort=False):
        group = group.sort_values("seed")
        row = {
            "dataset": dataset,
            "method": method,
            "features": SETTINGS[bool(normalised)],
            "seeds": len(group),
        }
        for column, label in MEASURES.items():
            row[label] = group[column].mean()
            row[f"{label} std"] = group[column].std(ddof=0)
        row["clusters used"] = " / ".join(map(str, group["clusters used"]))
        rows.append(row)
    order = list(METHOD_NAMES.values())
    rows.sort(key=lambda r: (r["dataset"], order.index(r["method"]), r["features"]))
    return pd.DataFrame(rows)


def format_speaker_experiment(numbers: pd.DataFrame) -> pd.DataFrame:
    """:func:`speaker_experiment` as the book prints it: each measure ``mean ± std``."""
    table = numbers.copy()
    for label in MEASURES.values():
        table[label] = [
            mean_text(mean, std, seeds, seeds, DIGITS)
            for mean, std, seeds in zip(
                table[label], table[f"{label} std"], table["seeds"], strict=True
            )
        ]
    return table.drop(columns=[f"{label} std" for label in MEASURES.values()])


def speaker_norm_changes(
    numbers: pd.DataFrame, datasets: dict[str, str], methods: Iterable[str]
) -> str:
    """One Markdown paragraph per dataset (``{name: shown name}``) and method: how
    per-speaker normalisation moves the NMI with the speakers, the NMI with the digits and
    the accuracy (rises, falls or stays, compared as printed)."""
    cells = numbers.set_index(["dataset", "method", "features"])
    shown = format_speaker_experiment(numbers).set_index(["dataset", "method", "features"])

    def change(dataset: str, method: str, label: str) -> str:
        before, after = (round(cells.loc[(dataset, method, s), label], DIGITS) for s in SETTINGS)
        verb = "rises" if after > before else "falls" if after < before else "stays"
        texts = (shown.loc[(dataset, method, s), label] for s in SETTINGS)
        return f"{verb} from {next(texts)} to {next(texts)}"

    methods = list(methods)
    return "\n\n".join(
        f"**{name}**, {method}, per-speaker normalisation: NMI with the speakers "
        f"{change(dataset, method, MEASURES['nmi_groups'])}, NMI with the digits "
        f"{change(dataset, method, MEASURES['nmi_labels'])}, accuracy (%) "
        f"{change(dataset, method, MEASURES['accuracy'])}."
        for dataset, name in datasets.items()
        for method in methods
    )
