"""Table I: the paper's published numbers beside this project's results, from results/."""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from catuvac.metrics import METRIC_NAMES
from catuvac.reproduce import load_results

# The paper's Table I as published (arXiv 2504.07652). Rows marked * in the paper are
# UVAC-paper numbers. Cat. UVAC's per-row temperature was lost in the text extraction.
# Columns: accuracy (%), NMI, silhouette, DBI, CHI; None where the paper reports none.
PAPER_TABLE: dict[tuple[str, int, str], tuple[float | None, ...]] = {
    ("audiomnist", 10, "labels"): (100.00, 1.00, -0.04, 5.56, 0.10),
    ("audiomnist", 10, "kmeans"): (18.40, 0.10, 0.13, 2.04, 0.69),
    ("audiomnist", 10, "uvac"): (70.78, 0.71, 0.21, 1.61, 0.54),
    ("audiomnist", 10, "catuvac"): (76.30, 0.78, 0.97, 0.07, 40.14),
    ("tau2019", 10, "labels"): (100.00, 1.00, -0.05, 9.17, 0.11),
    ("tau2019", 10, "kmeans"): (25.20, 0.19, 0.03, 3.48, 0.28),
    ("tau2019", 10, "uvac"): (28.73, 0.17, -0.02, 5.07, 0.25),
    ("tau2019", 10, "catuvac"): (23.63, 0.15, 0.77, 0.33, 6.97),
    ("tau2019", 5, "kmeans"): (None, None, 0.06, 3.12, 0.53),
    ("tau2019", 5, "uvac"): (None, None, 0.02, 3.41, 0.34),
    ("tau2019", 5, "catuvac"): (None, None, 0.79, 0.30, 14.76),
    ("us8k", 10, "labels"): (100.00, 1.00, -0.06, 4.96, 0.04),
    ("us8k", 10, "kmeans"): (34.17, 0.30, 0.14, 1.90, 0.20),
    ("us8k", 10, "uvac"): (35.46, 0.30, 0.09, 2.35, 0.11),
    ("us8k", 10, "catuvac"): (25.52, 0.15, 0.73, 0.39, 1.17),
    ("us8k", 5, "kmeans"): (None, None, 0.18, 1.63, 0.32),
    ("us8k", 5, "uvac"): (None, None, 0.10, 2.33, 0.14),
    ("us8k", 5, "catuvac"): (None, None, 0.78, 0.32, 3.19),
}

# Our offline stand-ins: FSDD plays AudioMNIST's part (spoken digits).
PAPER_COUNTERPART = {"fsdd": "audiomnist"}
METHOD_LABELS = {
    "labels": "None (labels)",
    "kmeans": "K-means",
    "uvac": "UVAC",
    "catuvac": "Cat. UVAC",
}
METHOD_ORDER = tuple(METHOD_LABELS)
COLUMN_LABELS = {
    "accuracy": "Accuracy (%)",
    "nmi": "NMI",
    "silhouette": "Silhouette",
    "davies_bouldin": "DBI",
    "calinski_harabasz": "CHI",
}


@dataclass(frozen=True)
class Cell:
    """Mean and spread of one metric over seeds (``n`` runs)."""

    mean: float | None
    std: float | None
    n: int

    def __str__(self) -> str:
        if self.mean is None:
            return "–"
        return f"{self.mean:.2f} ± {self.std:.2f}" if self.n > 1 else f"{self.mean:.2f}"


def metric_value(record: dict, metric: str, space: str) -> float | None:
    """One metric of a result in the given space; accuracy as a percentage."""
    metrics = record["metrics"]
    if metric in ("accuracy", "nmi"):
        value = metrics.get(metric)
        return None if value is None else value * (100.0 if metric == "accuracy" else 1.0)
    return metrics[space][metric]


def summarise(metric_values: list[float | None]) -> Cell:
    """Mean and standard deviation over the available (non-missing, finite) values."""
    values = np.array([v for v in metric_values if v is not None], dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return Cell(None, None, 0)
    return Cell(float(values.mean()), float(values.std()), int(values.size))


def group_key(record: dict) -> tuple:
    """Runs that differ only in their seed share a key."""
    spec = record["spec"]
    k = record["n_classes"] if spec["method"] == "labels" else spec["n_clusters"]
    tau = spec["tau_end"] if spec["method"] == "catuvac" else None
    return (record["profile"]["name"], spec["dataset"], k, spec["method"], tau)


def results_frame(
    records: list[dict] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Our results, one row per (profile, dataset, K, method, tau), seeds aggregated."""
    records = load_results() if records is None else records
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for record in records:
        if profile is None or record["profile"]["name"] == profile:
            groups[group_key(record)].append(record)
    rows = []
    for (prof, dataset, k, method, tau), runs in groups.items():
        row = {
            "profile": prof,
            "dataset": dataset,
            "clusters": k,
            "method": METHOD_LABELS[method],
            "tau_end": tau,
            "seeds": len(runs),
            "epochs": max((r.get("epochs") or 0) for r in runs) or None,
            "train_clips": runs[0]["data_subset"]["train_clips"],
            "test_clips": runs[0]["data_subset"]["test_clips"],
        }
        for metric in METRIC_NAMES:
            row[COLUMN_LABELS[metric]] = summarise([metric_value(r, metric, space) for r in runs])
        row["_order"] = (prof, dataset, -k, METHOD_ORDER.index(method), tau or 0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def paper_frame() -> pd.DataFrame:
    """The paper's Table I as a frame with the same metric columns."""
    rows = []
    for (dataset, k, method), values in PAPER_TABLE.items():
        row = {"dataset": dataset, "clusters": k, "method": METHOD_LABELS[method]}
        for metric, value in zip(METRIC_NAMES, values, strict=True):
            row[COLUMN_LABELS[metric]] = value
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side(
    records: list[dict] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Each of our rows (tau 0.5 for Cat. UVAC) next to the paper's row for the same cell.

    FSDD rows are compared with the paper's AudioMNIST rows (both spoken digits).
    """
    ours = results_frame(records, space, profile)
    if ours.empty:
        return ours
    ours = ours[ours["tau_end"].isna() | (ours["tau_end"] == 0.5)]
    rows = []
    by_method = {label: key for key, label in METHOD_LABELS.items()}
    for _, row in ours.iterrows():
        counterpart = PAPER_COUNTERPART.get(row["dataset"], row["dataset"])
        paper = PAPER_TABLE.get((counterpart, row["clusters"], by_method[row["method"]]))
        base = {
            "dataset": row["dataset"],
            "clusters": row["clusters"],
            "method": row["method"],
        }
        trained = "" if pd.isna(row["epochs"]) else f", {int(row['epochs'])} ep"
        ours_row = {**base, "source": f"ours ({row['profile']}{trained})"}
        ours_row.update({c: str(row[c]) for c in COLUMN_LABELS.values()})
        ours_row.update(
            seeds=row["seeds"], train_clips=row["train_clips"], test_clips=row["test_clips"]
        )
        rows.append(ours_row)
        if paper is not None:
            paper_row = {**base, "source": f"paper ({counterpart}, 500 ep)"}
            paper_row.update(seeds="", train_clips="", test_clips="")
            paper_row.update(
                {
                    c: "–" if v is None else f"{v:.2f}"
                    for c, v in zip(COLUMN_LABELS.values(), paper, strict=True)
                }
            )
            rows.append(paper_row)
    return pd.DataFrame(rows)


def results_table(profile: str | None = None, fmt: str = "markdown", space: str = "own") -> str:
    """The side-by-side table as Markdown or CSV text (``catuvac table``)."""
    frame = side_by_side(space=space, profile=profile)
    if frame.empty:
        return "no results yet: run `catuvac reproduce` first"
    if fmt == "csv":
        return frame.to_csv(index=False)
    return frame.to_markdown(index=False)


def differences(
    records: list[dict] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Ours minus the paper's, per cell and metric (means over seeds; missing stays empty)."""
    ours = results_frame(records, space, profile)
    if ours.empty:
        return ours
    ours = ours[ours["tau_end"].isna() | (ours["tau_end"] == 0.5)]
    by_method = {label: key for key, label in METHOD_LABELS.items()}
    rows = []
    for _, row in ours.iterrows():
        counterpart = PAPER_COUNTERPART.get(row["dataset"], row["dataset"])
        paper = PAPER_TABLE.get((counterpart, row["clusters"], by_method[row["method"]]))
        if paper is None:
            continue
        entry = {
            "dataset": f"{row['dataset']} vs {counterpart}",
            "clusters": row["clusters"],
            "method": row["method"],
        }
        for column, published in zip(COLUMN_LABELS.values(), paper, strict=True):
            mean = row[column].mean
            entry[column] = "" if mean is None or published is None else f"{mean - published:+.2f}"
        rows.append(entry)
    return pd.DataFrame(rows)
