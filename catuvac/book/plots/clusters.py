"""Plots of clusterings: Hungarian matching, confusion matrices, latent projections,
metric tables and sweeps, class overlap, and a table of audio players per cluster.

Every plot function returns the ``Figure`` (multi-panel) or ``Axes`` it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike
from sklearn.decomposition import PCA

from catuvac.book.plots import PAGE_WIDTH, axes_for, panel_grid
from catuvac.evaluation.metrics import (
    INTERNAL_METRIC_NAMES,
    contingency_table,
    hungarian_mapping,
    matched_confusion,
    unsupervised_accuracy,
)

METRIC_TITLES = {
    "accuracy": "accuracy, % (higher is better)",
    "nmi": "NMI (higher is better)",
    "silhouette": "silhouette (higher is better)",
    "davies_bouldin": "Davies-Bouldin (lower is better)",
    "calinski_harabasz": "Calinski-Harabasz (higher is better)",
}


def _names(values: np.ndarray, names: Sequence[str] | None) -> list[str]:
    return [names[v] if names is not None else str(v) for v in values]


def _annotate(ax: Axes, counts: np.ndarray, limit: int = 400) -> None:
    """Write each cell's count when the matrix is small enough to read."""
    if counts.size > limit:
        return
    top = counts.max() or 1
    size = 10 if counts.size <= 30 else 7
    for (r, c), value in np.ndenumerate(counts):
        if value:
            colour = "white" if value >= 0.6 * top else "black"
            ax.text(c, r, str(value), ha="center", va="center", fontsize=size, color=colour)


def matched_order(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, list]:
    """Sorted labels and, per label, the cluster Hungarian matching gives it (None if none),
    followed by the unmatched clusters: the column order of a matched confusion matrix."""
    _, clusters, labels = contingency_table(np.asarray(y_true).ravel(), np.asarray(y_pred).ravel())
    mapping = hungarian_mapping(y_true, y_pred)
    by_label = {label: cluster for cluster, label in mapping.items()}
    columns = [by_label.get(label.item()) for label in labels]
    columns += [c.item() for c in clusters if c.item() not in mapping]
    return labels, columns


def plot_hungarian(
    y_true: ArrayLike, y_pred: ArrayLike, class_names: Sequence[str] | None = None
) -> Figure:
    """Hungarian matching drawn: the contingency table (clusters x labels) with the chosen
    assignment outlined (top), and the confusion matrix after matching (bottom; diagonal =
    correct)."""
    counts, clusters, labels = contingency_table(
        np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    )
    mapping = hungarian_mapping(y_true, y_pred)
    label_names = _names(labels, class_names)
    fig, (left, right) = plt.subplots(2, 1, figsize=(PAGE_WIDTH * 0.8, 9.6), layout="constrained")
    left.imshow(counts, cmap="Blues")
    _annotate(left, counts)
    for row, cluster in enumerate(clusters):
        if cluster.item() in mapping:
            col = int(np.flatnonzero(labels == mapping[cluster.item()])[0])
            left.add_patch(
                Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="tab:red", lw=2.5)
            )
    left.set_xticks(range(labels.size), label_names, rotation=45, ha="right")
    left.set_yticks(range(clusters.size), [str(c) for c in clusters])
    left.set_xlabel("true label")
    left.set_ylabel("cluster id")
    left.set_title("before: counts[cluster, label]\n(red: assignment maximising the matches)")
    labels, columns = matched_order(y_true, y_pred)
    confusion = matched_confusion(y_true, y_pred)
    right.imshow(confusion, cmap="Blues")
    _annotate(right, confusion)
    for i in range(min(confusion.shape)):
        right.add_patch(
            Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="tab:red", lw=2.5)
        )
    right.set_xticks(range(len(columns)), ["–" if c is None else str(c) for c in columns])
    right.set_yticks(range(labels.size), label_names)
    right.set_xlabel("cluster id, reordered to match the labels")
    right.set_ylabel("true label")
    accuracy = unsupervised_accuracy(y_true, y_pred)
    right.set_title(f"after matching: diagonal = correct\n(accuracy {accuracy:.3f})")
    return fig


def plot_confusion(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str = "",
    normalise: bool = True,
) -> Axes:
    """Confusion matrix after Hungarian matching: rows are labels, columns the matched
    clusters (unmatched clusters last); with ``normalise`` each row sums to 1."""
    labels, columns = matched_order(y_true, y_pred)
    matrix = matched_confusion(y_true, y_pred).astype(float)
    if normalise:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax = axes_for(ax, (5.0, 4.4))
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1 if normalise else None)
    ax.figure.colorbar(
        image, ax=ax, fraction=0.046, label="share of the label" if normalise else "clips"
    )
    ax.set_xticks(range(len(columns)), ["–" if c is None else str(c) for c in columns], fontsize=7)
    ax.set_yticks(range(labels.size), _names(labels, class_names), fontsize=7)
    ax.set_xlabel("matched cluster id")
    ax.set_ylabel("true label")
    accuracy = unsupervised_accuracy(y_true, y_pred)
    ax.set_title(f"{title}\naccuracy {100 * accuracy:.1f} %".strip())
    return ax


def plot_confusion_row(
    results: Mapping[str, tuple[ArrayLike, ArrayLike]],
    class_names: Sequence[str] | None = None,
    title: str = "",
) -> Figure:
    """One row-normalised matched confusion matrix per method; ``results`` maps a method
    name to ``(true labels, clusters)``."""
    fig, axes = panel_grid(len(results), 3.6)
    for ax, (name, (labels, clusters)) in zip(axes, results.items(), strict=True):
        plot_confusion(labels, clusters, class_names, ax=ax, title=name)
    if title:
        fig.suptitle(title)
    return fig


def project_2d(points: ArrayLike, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D PCA of ``points [N, ...]`` and the share of variance each axis explains."""
    flat = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    pca = PCA(n_components=2, random_state=random_state)
    return pca.fit_transform(flat), pca.explained_variance_ratio_


def plot_projection(
    points: ArrayLike,
    clusters: ArrayLike,
    labels: ArrayLike,
    class_names: Sequence[str] | None = None,
    space_name: str = "space",
    title: str = "",
) -> Figure:
    """2-D PCA of a space, coloured by cluster (top) and by true label (bottom)."""
    xy, ratio = project_2d(points)
    fig, axes = plt.subplots(
        2, 1, figsize=(PAGE_WIDTH * 0.85, 7.6), sharex=True, sharey=True, layout="constrained"
    )
    for ax, values, kind in zip(axes, (clusters, labels), ("cluster", "true label"), strict=True):
        values = np.asarray(values).ravel()
        cmap = plt.get_cmap("tab10" if np.unique(values).size <= 10 else "tab20")
        for i, v in enumerate(np.unique(values)):
            name = class_names[v] if (class_names is not None and kind == "true label") else str(v)
            chosen = values == v
            ax.scatter(*xy[chosen].T, s=12, alpha=0.75, color=cmap(i % cmap.N), label=name)
        ax.set_title(f"coloured by {kind}")
        ax.set_xlabel(f"PC 1 ({100 * ratio[0]:.0f} % of variance)")
        ax.legend(
            fontsize=7, markerscale=1.2, loc="center left", bbox_to_anchor=(1.0, 0.5), title=kind
        )
        ax.set_ylabel(f"PC 2 ({100 * ratio[1]:.0f} % of variance)")
    fig.suptitle(title or f"2-D PCA of {space_name}")
    return fig


def _bar_labels(table: pd.DataFrame) -> list[str]:
    """Method names, with the final tau and lambda added where a method and cluster count
    occur in several rows (e.g. a temperature study stored beside Table I runs)."""
    duplicated = table.duplicated(["clusters", "method"], keep=False)
    labels = []
    for is_duplicate, (_, row) in zip(duplicated, table.iterrows(), strict=True):
        label = row["method"]
        if is_duplicate:
            for key, symbol in (("tau_end", "τ"), ("lambda", "λ")):
                if key in row and pd.notna(row[key]):
                    label += f" {symbol}={row[key]:g}"
            if "placement" in row and pd.notna(row["placement"]) and row["placement"] != "kl_y":
                label += f" on {row['placement']}"
        labels.append(label)
    return labels


def plot_metric_bars(
    table: pd.DataFrame,
    metrics: Sequence[str] = (
        "accuracy",
        "nmi",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
    ),
    title: str = "",
) -> Figure:
    """Mean ± std over seeds (a :func:`catuvac.records.reports.seed_tables.seed_table`) per method
    and metric, one panel per metric, one bar group per cluster count."""
    fig, axes = panel_grid(len(metrics), 2.9, max_columns=3)
    table = table.assign(method=_bar_labels(table))
    ks = sorted(table["clusters"].unique(), reverse=True)
    methods = list(dict.fromkeys(table["method"]))
    width = 0.8 / max(len(ks), 1)
    for ax, metric in zip(axes, metrics, strict=True):
        for i, k in enumerate(ks):
            rows = table[table["clusters"] == k].set_index("method").reindex(methods)
            x = np.arange(len(methods)) + (i - (len(ks) - 1) / 2) * width
            scale = 100.0 if metric == "accuracy" else 1.0  # in % as in the tables
            ax.bar(
                x,
                rows[f"{metric}_mean"] * scale,
                width,
                yerr=rows[f"{metric}_std"] * scale,
                capsize=3,
                label=f"K = {k}",
            )
        ax.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=8)
        ax.set_title(METRIC_TITLES.get(metric, metric), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def plot_temperature_sweep(sweep: pd.DataFrame, title: str = "") -> Figure:
    """Silhouette, DBI and CHI against the softmax temperature, one line per space
    (a :func:`catuvac.book.toys.temperature_sweep` frame)."""
    fig, axes = panel_grid(len(INTERNAL_METRIC_NAMES), 3.0, max_columns=3)
    for ax, metric in zip(axes, INTERNAL_METRIC_NAMES, strict=True):
        rows = sweep[sweep["metric"] == metric]
        for space, style in zip(rows["space"].unique(), ("o-", "s--"), strict=False):
            part = rows[rows["space"] == space].sort_values("temperature")
            ax.plot(part["temperature"], part["value"], style, label=space)
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("temperature T (falling →)", fontsize=9)
        ax.set_title(METRIC_TITLES[metric], fontsize=10)
        ax.grid(alpha=0.3)
        if metric == "calinski_harabasz":
            ax.set_yscale("log")
    axes[0].set_ylabel("score of the same clustering")
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def plot_class_profiles(
    classes: np.ndarray,
    means: np.ndarray,
    stds: np.ndarray,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str = "class-average spectra (band: ± 1 std over clips)",
    xlabel: str = "frequency bin",
) -> Axes:
    """Per class, the mean clip-average spectrum with a ± 1 std band
    (from :func:`catuvac.book.overlap.class_profiles`)."""
    ax = axes_for(ax, (PAGE_WIDTH, 3.7))
    cmap = plt.get_cmap("tab10")
    bins = np.arange(means.shape[1])
    for i, c in enumerate(classes):
        colour = cmap(i % 10)
        name = class_names[c] if class_names is not None else str(c)
        ax.plot(bins, means[i], color=colour, label=name, linewidth=1.2)
        ax.fill_between(bins, means[i] - stds[i], means[i] + stds[i], color=colour, alpha=0.08)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("normalised log energy")
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2)
    return ax


def plot_band_separability(
    curves: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    xlabel: str = "frequency bin",
) -> Axes:
    """Share of the variance of each band's level explained by the class (eta squared),
    one line per dataset (from :func:`catuvac.book.overlap.band_separability`)."""
    ax = axes_for(ax, (PAGE_WIDTH, 3.2))
    for name, curve in curves.items():
        ax.plot(np.arange(len(curve)), curve, label=f"{name} (mean {np.mean(curve):.2f})")
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("η² (variance explained by class)")
    ax.set_title("how much a band's level tells the classes apart")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def plot_class_shares(
    shares: pd.Series,
    ax: Axes | None = None,
    title: str = "",
    ylabel: str = "share of clips",
) -> Axes:
    """One bar per class (the index of ``shares``) with its share in [0, 1]."""
    ax = axes_for(ax, (PAGE_WIDTH, 3.0))
    ax.bar(range(len(shares)), shares.to_numpy(), color="tab:orange")
    ax.set_xticks(range(len(shares)), list(shares.index), rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return ax
