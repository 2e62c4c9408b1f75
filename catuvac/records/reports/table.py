"""Table I: the paper's published numbers beside this project's results, from results/."""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from catuvac.evaluation.metrics import METRIC_NAMES
from catuvac.records.reports.seed_tables import format_seed_table, seed_table
from catuvac.records.store.results import METHOD_NAMES, Record, device_label, load_results, select
from catuvac.records.store.settings import table_setting

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

# Our offline stand-ins: FSDD (6 speakers) and the Arabic Speech Commands digits (24
# speakers) play AudioMNIST's part (spoken digits).
PAPER_COUNTERPART = {"fsdd": "audiomnist", "arabic-digits": "audiomnist"}
METHOD_KEYS = {label: key for key, label in METHOD_NAMES.items()}
COLUMN_LABELS = {
    "accuracy": "Accuracy (%)",
    "nmi": "NMI",
    "silhouette": "Silhouette",
    "davies_bouldin": "DBI",
    "calinski_harabasz": "CHI",
}


def paper_frame() -> pd.DataFrame:
    """The paper's Table I as a frame with the same metric columns."""
    rows = []
    for (dataset, k, method), values in PAPER_TABLE.items():
        row = {"dataset": dataset, "clusters": k, "method": METHOD_NAMES[method]}
        for metric, value in zip(METRIC_NAMES, values, strict=True):
            row[COLUMN_LABELS[metric]] = value
        rows.append(row)
    return pd.DataFrame(rows)


def paper_row(dataset: str, clusters: int, method_label: str) -> tuple | None:
    """The paper's values for one of our cells (FSDD compared with AudioMNIST)."""
    counterpart = PAPER_COUNTERPART.get(dataset, dataset)
    return PAPER_TABLE.get((counterpart, clusters, METHOD_KEYS[method_label]))


def table_one(
    records: list[Record] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Our Table I setting (tau 0.5; the VAEs at lambda = 1 and at the chosen lambda) at
    one profile, seeds aggregated."""
    records = load_results() if records is None else records
    return seed_table(table_setting(select(records, profile=profile)), space)


def table_one_by_profile(
    records: list[Record], profiles: Sequence[str], space: str = "own"
) -> dict[str, pd.DataFrame]:
    """:func:`table_one` at each of ``profiles``, keyed by profile (in their order)."""
    return {profile: table_one(records, space, profile) for profile in profiles}


def lambda_text(weight: float) -> str:
    """A row's lambda as the table prints it: empty for methods that have none."""
    return "" if pd.isna(weight) else f"{weight:g}"


def side_by_side(
    records: list[Record] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Each of our rows (mean ± std over seeds; the VAEs once per lambda, named in the
    source) followed by the paper's row for that cell."""
    ours = table_one(records, space, profile)
    if ours.empty:
        return ours
    shown = formatted(ours)
    cells = list(zip(ours["dataset"], ours["clusters"], ours["method"], strict=True))
    rows = []
    for i, ((_, row), (_, text)) in enumerate(zip(ours.iterrows(), shown.iterrows(), strict=True)):
        base = {"dataset": row["dataset"], "clusters": row["clusters"], "method": row["method"]}
        # The source names a trained row's lambda: no extra column, so the table fits a page.
        weight = f", λ = {lambda_text(row['lambda'])}" if pd.notna(row["lambda"]) else ""
        rows.append(our_row(row, text, weight))
        last_of_cell = i + 1 == len(cells) or cells[i + 1] != cells[i]
        paper = paper_row(row["dataset"], row["clusters"], row["method"])
        if paper is not None and last_of_cell:
            counterpart = PAPER_COUNTERPART.get(row["dataset"], row["dataset"])
            values = ["–" if v is None else f"{v:.2f}" for v in paper]
            # K-means and the labels train nothing: only the VAEs' rows have epochs.
            epochs = "" if pd.isna(row["epochs"]) else ", 500 ep"
            rows.append(
                {
                    **base,
                    "source": f"paper ({counterpart}{epochs})",
                    "clusters used": "",
                    **dict(zip(COLUMN_LABELS.values(), values, strict=True)),
                }
            )
    return pd.DataFrame(rows)


def our_row(row: pd.Series, text: pd.Series, setting: str) -> dict[str, str]:
    """One of our rows of :func:`side_by_side`: ``row`` of a seed table, ``text`` its
    formatted values, ``setting`` appended to the source (e.g. ", λ = 1000")."""
    trained = "" if pd.isna(row["epochs"]) else f", {int(row['epochs'])} ep"
    seeds = f", {int(row['seeds'])} seeds" if row["seeds"] > 1 else ", 1 seed"
    return {
        "dataset": row["dataset"],
        "clusters": row["clusters"],
        "method": row["method"],
        "source": f"ours ({row['profile']}{trained}{seeds}, "
        f"{device_label(row['device'])}{setting})",
        "clusters used": text["clusters used"],
        **{c: text[c] for c in COLUMN_LABELS.values()},
    }


def formatted(table: pd.DataFrame) -> pd.DataFrame:
    """A seed table's values as the side-by-side table prints them."""
    return format_seed_table(table, with_clusters_used=True).rename(
        columns={"accuracy (%)": COLUMN_LABELS["accuracy"], **COLUMN_LABELS}
    )


def with_rows(table: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """:func:`side_by_side` with ``extra`` rows (same columns) placed after the last row of
    their dataset and cluster count; rows of a cell the table lacks go at the end."""
    if extra.empty:
        return table
    rows = [row for _, row in table.iterrows()]
    for _, row in extra.iterrows():
        cell = (row["dataset"], row["clusters"])
        places = [i for i, r in enumerate(rows) if (r["dataset"], r["clusters"]) == cell]
        rows.insert(places[-1] + 1 if places else len(rows), row)
    return pd.DataFrame(rows).reset_index(drop=True)


def run_scale(records: list[Record] | None = None, profile: str | None = None) -> pd.DataFrame:
    """What each dataset's rows were computed on: clips, epochs and seeds per method."""
    ours = table_one(records, "own", profile)
    if ours.empty:
        return ours
    columns = ["dataset", "clusters", "method", "train_clips", "test_clips", "epochs", "seeds"]
    frame = ours[columns].fillna({"epochs": 0}).astype({"epochs": int})
    frame.insert(3, "lambda", ours["lambda"].map(lambda_text))
    return frame.assign(device=ours["device"].map(device_label))


def differences(
    records: list[Record] | None = None, space: str = "own", profile: str | None = None
) -> pd.DataFrame:
    """Ours minus the paper's, per cell and metric (means over seeds; missing stays empty)."""
    ours = table_one(records, space, profile)
    rows = []
    for _, row in ours.iterrows():
        paper = paper_row(row["dataset"], row["clusters"], row["method"])
        if paper is None:
            continue
        counterpart = PAPER_COUNTERPART.get(row["dataset"], row["dataset"])
        entry = {
            "dataset": f"{row['dataset']} vs {counterpart}",
            "clusters": row["clusters"],
            "method": row["method"],
            "lambda": lambda_text(row["lambda"]),
        }
        for metric, published in zip(METRIC_NAMES, paper, strict=True):
            mean = row[f"{metric}_mean"] * (100.0 if metric == "accuracy" else 1.0)
            missing = published is None or np.isnan(mean)
            entry[COLUMN_LABELS[metric]] = "" if missing else f"{mean - published:+.2f}"
        rows.append(entry)
    return pd.DataFrame(rows)


TABLE_FORMATS = ("markdown", "csv")


def results_table(
    profile: str | None = None,
    fmt: str = "markdown",
    space: str = "own",
    records: list[Record] | None = None,
) -> str:
    """The side-by-side table of ``records`` (default: every stored result) as Markdown or
    CSV text (``catuvac table``)."""
    frame = side_by_side(records, space=space, profile=profile)
    if frame.empty:
        return "no results yet: run `catuvac reproduce` first"
    if fmt == "csv":
        return frame.to_csv(index=False)
    return frame.to_markdown(index=False)
