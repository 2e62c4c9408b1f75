"""The lambda study in one figure: the criterion's three quantities against lambda, and,
apart, the test-clip accuracy and NMI that the selection does not use."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from catuvac.book.plots import PAGE_WIDTH
from catuvac.evaluation.collapse import (
    MAX_SHARE_ABOVE_FAIR,
    MIN_MARGINAL_ENTROPY,
    MIN_USED_FRACTION,
)

CRITERION_PANELS = {
    "train clusters used": "clusters used (training clips)",
    "train largest share": "largest cluster's share (training)",
    "train marginal entropy": "entropy of mean q(y|x) / log K",
}
UNUSED_PANELS = {
    "test accuracy (not used)": "test accuracy (not used to select)",
    "test NMI (not used)": "test NMI (not used to select)",
}


def _threshold(column: str, n_clusters: int) -> float:
    if column == "train clusters used":
        return math.ceil(MIN_USED_FRACTION * n_clusters)
    if column == "train largest share":
        return 1 / n_clusters + MAX_SHARE_ABOVE_FAIR
    return MIN_MARGINAL_ENTROPY


SEED_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))
"""Line style and marker per seed: a dataset and K keep one colour across their seeds."""


def plot_lambda_study(table: pd.DataFrame, title: str = "") -> Figure:
    """One line per (dataset, K, seed) over lambda, a colour per dataset and K and a line
    style per seed; grey dotted lines mark the thresholds a run must meet (the first three
    panels) for the paper's rule to accept its lambda."""
    fig, axes = plt.subplots(2, 3, figsize=(10.0, 6.2), layout="constrained")
    panels = {**CRITERION_PANELS, **UNUSED_PANELS}
    groups = list(table.groupby(["dataset", "clusters", "seed"]))
    tasks = list(dict.fromkeys((dataset, clusters) for (dataset, clusters, _), _ in groups))
    seeds = sorted({seed for (_, _, seed), _ in groups})
    for ax, (column, label) in zip(axes.flat, panels.items(), strict=False):
        for (dataset, clusters, seed), group in groups:
            ordered = group.sort_values("lambda")
            style = SEED_STYLES[seeds.index(seed) % len(SEED_STYLES)]
            ax.plot(
                ordered["lambda"],
                ordered[column],
                color=f"C{tasks.index((dataset, clusters)) % 10}",
                linestyle=style[0],
                marker=style[1],
                label=f"{dataset}, K = {clusters}, seed {seed}",
            )
        if column in CRITERION_PANELS:
            for clusters in sorted(table["clusters"].unique()):
                ax.axhline(_threshold(column, clusters), color="0.4", linestyle=":", linewidth=1)
        if column == "train clusters used":
            ax.set_ylim(0, table["clusters"].max() + 0.5)
        elif column != "train marginal entropy":
            ax.set_ylim(0, 1.05)
        ax.set_xscale("log")
        ax.set_xlabel("lambda on KL(q(y|x) || p(y))")
        ax.set_title(label, fontsize=10)
    legend_ax = axes.flat[-1]
    legend_ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


LOSS_TERMS = {
    "final reconstruction (nats)": "reconstruction",
    "final kl_z (nats)": "KL(z)",
    "final kl_y (nats)": "KL(y)",
    "final lambda kl_y (nats)": "λ · KL(y), as weighted in the loss",
}


def plot_loss_terms_by_lambda(table: pd.DataFrame, title: str = "") -> Figure:
    """What lambda does to the loss: each term of the last epoch (mean per clip) against
    lambda, one panel per dataset and cluster count, seed 0 of the study."""
    cells = list(table[table["seed"] == 0].groupby(["dataset", "clusters"]))
    fig, axes = plt.subplots(
        1, len(cells), figsize=(PAGE_WIDTH, 3.4), squeeze=False, layout="constrained"
    )
    for ax, ((dataset, clusters), group) in zip(axes.flat, cells, strict=True):
        ordered = group.sort_values("lambda")
        for column, label in LOSS_TERMS.items():
            ax.plot(ordered["lambda"], ordered[column], marker="o", label=label)
        ax.axhline(math.log(clusters), color="0.4", linestyle=":", linewidth=1, label="log K")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("lambda")
        ax.set_title(f"{dataset}, K = {clusters}", fontsize=9)
    axes.flat[0].set_ylabel("nats per clip, last epoch")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
