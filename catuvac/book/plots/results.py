"""Figures of stored results: ours beside the paper's Table I, and metrics against the
final Gumbel-Softmax temperature."""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from catuvac.book.plots import PAGE_WIDTH
from catuvac.evaluation.metrics import METRIC_NAMES
from catuvac.records.reports.table import COLUMN_LABELS, PAPER_COUNTERPART, paper_row
from catuvac.records.store.results import device_label

METRIC_DIRECTION = {
    "Accuracy (%)": "higher is better",
    "NMI": "higher is better",
    "Silhouette": "higher is better",
    "DBI": "lower is better",
    "CHI": "higher is better",
}


def plot_metrics_vs_tau(
    frames: dict[str, pd.DataFrame], title: str = "", columns: int = 2
) -> plt.Figure:
    """One panel per metric: mean ± std over seeds against the final tau, one line per space.

    ``frames`` maps a space name ("own", "common") to
    :func:`catuvac.records.reports.seed_tables.seed_table` rows of Cat. UVAC runs of one
    dataset and cluster count. Panels wrap after ``columns`` so that they stay legible in a
    book's text width.
    """
    rows = -(-len(METRIC_NAMES) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(PAGE_WIDTH, 2.6 * rows), squeeze=False)
    axes = grid.ravel()
    for unused in axes[len(METRIC_NAMES) :]:
        figure.delaxes(unused)
    taus = sorted({float(t) for frame in frames.values() for t in frame["tau_end"]})
    for axis, metric in zip(axes, METRIC_NAMES, strict=False):
        label = COLUMN_LABELS[metric]
        scale = 100.0 if metric == "accuracy" else 1.0
        supervised = metric in ("accuracy", "nmi")
        for space, frame in frames.items():
            if supervised and space != "own":
                continue  # accuracy and NMI do not depend on the space
            rows = frame.sort_values("tau_end")
            axis.errorbar(
                rows["tau_end"],
                rows[f"{metric}_mean"] * scale,
                yerr=rows[f"{metric}_std"].fillna(0.0) * scale,
                marker="o",
                capsize=3,
                label="clusters" if supervised else f"{space} space",
            )
        axis.set_xscale("log")
        axis.set_xticks(taus, [f"{t:g}" for t in taus])
        axis.minorticks_off()
        axis.set_xlabel("final temperature τ")
        axis.set_title(f"{label}\n({METRIC_DIRECTION[label]})", fontsize=9)
        axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def _series_per_lambda(tables: Mapping[str, pd.DataFrame]):
    """One bar series per profile and lambda of its trained rows, as ``(name, rows)``, then
    one per profile for the rows that train nothing (K-means: no lambda, no epochs)."""
    untrained = []
    for profile, table in tables.items():
        trained = table[table["lambda"].notna()]
        for weight in sorted(trained["lambda"].unique()):
            yield f"{profile}, λ = {weight:g}", trained[trained["lambda"] == weight]
        untrained.append((profile, table[table["lambda"].isna()]))
    for profile, rows in untrained:
        if not rows.empty:
            yield profile, rows


def _series_label(name: str, table: pd.DataFrame) -> str:
    """A series' legend entry, from all its rows (every dataset), so that it does not
    depend on which panel the legend is taken from."""
    devices = ", ".join(sorted(set(table["device"].dropna().map(device_label))))
    return f"ours, {name} ({_epochs_text(table['epochs'])}, {devices})"


def plot_ours_vs_paper(
    tables: Mapping[str, pd.DataFrame],
    metrics: Sequence[str] = ("accuracy", "nmi", "silhouette"),
    clusters: int = 10,
) -> plt.Figure:
    """Bars per method: the paper's value and ours at each profile (mean ± std over seeds).

    ``tables`` maps a profile to its Table I rows
    (:func:`catuvac.records.reports.table.table_one_by_profile`). One row of panels per
    dataset that has ``clusters``-cluster results, one panel per metric. A method's bar is
    drawn once per distinct value: K-means, which has no lambda and trains nothing, gets
    one bar per profile whose runs differ, not one per lambda series.
    """
    tables = {p: t[t["clusters"] == clusters] for p, t in tables.items() if not t.empty}
    series = list(_series_per_lambda(tables))
    colours = {name: f"C{i}" for i, (name, _) in enumerate(series, start=1)}
    datasets = sorted({d for t in tables.values() for d in t["dataset"]})
    methods = ["K-means", "UVAC", "Cat. UVAC"]
    figure, axes = plt.subplots(
        len(datasets),
        len(metrics),
        figsize=(PAGE_WIDTH, 2.9 * len(datasets) + 0.6),
        squeeze=False,
        layout="constrained",
    )
    width = 0.8 / (len(series) + 1)
    handles: dict[str, object] = {}
    for row, dataset in enumerate(datasets):
        for column, metric in enumerate(metrics):
            axis = axes[row, column]
            index = METRIC_NAMES.index(metric)
            scale = 100.0 if metric == "accuracy" else 1.0
            for x, method in enumerate(methods):
                published = paper_row(dataset, clusters, method)
                value = (
                    np.nan if published is None or published[index] is None else published[index]
                )
                bars = [("paper", value, 0.0, "C0")]
                for name, table in series:
                    mine = table[(table["dataset"] == dataset) & (table["method"] == method)]
                    if mine.empty or np.isnan(mine[f"{metric}_mean"].iloc[0]):
                        continue
                    mean = mine[f"{metric}_mean"].iloc[0] * scale
                    std = np.nan_to_num(mine[f"{metric}_std"].iloc[0]) * scale
                    if any(np.isclose([mean, std], [m, s]).all() for _, m, s, _ in bars[1:]):
                        continue  # the same runs in another series
                    bars.append((_series_label(name, table), mean, std, colours[name]))
                offsets = (np.arange(len(bars)) - (len(bars) - 1) / 2) * width
                for (label, mean, std, colour), offset in zip(bars, offsets, strict=True):
                    drawn = axis.bar(
                        x + offset, mean, width, yerr=std or None, capsize=3, color=colour
                    )
                    handles.setdefault(label, drawn)
            axis.set_xticks(np.arange(len(methods)), methods, fontsize=8)
            counterpart = PAPER_COUNTERPART.get(dataset, dataset)
            axis.set_title(
                f"{dataset} (paper: {counterpart})\n{COLUMN_LABELS[metric]}, K = {clusters}",
                fontsize=9,
            )
    # Below the panels, so that no bar hides behind it; in series order, the paper first.
    order = ["paper"] + [_series_label(name, table) for name, table in series]
    labels = [label for label in order if label in handles]
    figure.legend(
        [handles[label] for label in labels], labels, loc="outside lower center", fontsize=8
    )
    return figure


def _epochs_text(epochs: pd.Series) -> str:
    """``"500 ep"`` for trained rows; K-means and labels alone train nothing."""
    return "no training" if epochs.isna().all() else f"{int(epochs.max())} ep"
