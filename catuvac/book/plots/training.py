"""Plots of training: the annealing schedules, per-epoch loss terms (and each latent's KL
under each likelihood) and cluster usage.

Every function returns the ``Figure`` (multi-panel) or ``Axes`` it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import cycle

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from catuvac.book.plots import PAGE_WIDTH, axes_for, panel_grid
from catuvac.evaluation.usage import history_frame, usage_matrix, usage_summary
from catuvac.records.reports.setting_names import LIKELIHOOD_NAMES
from catuvac.records.reports.verdict import DATASET_NAMES
from catuvac.records.store.results import Result
from catuvac.training.schedules import (
    LR_END,
    LR_START,
    PAPER_TAU_END,
    PAPER_TAU_START,
    SCHEDULE_SHAPES,
    learning_rate,
    temperature,
)

LIKELIHOOD_COLOURS = {
    "bce": "tab:gray",
    "gaussian": "tab:olive",
    "gaussian-optimal": "tab:blue",
    "gaussian-band": "tab:cyan",
}


TERM_LABELS = {
    "loss": "weighted loss (negative ELBO)",
    "reconstruction": "reconstruction  $-\\log p(x|y,z)$",
    "kl_z": "KL$(q(z|x,y)\\,\\|\\,p(z))$",
    "kl_y": "KL$(q(y|x)\\,\\|\\,p(y))$",
}


def plot_temperature_schedules(
    schedules: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    title: str = "annealing the Gumbel-Softmax temperature",
) -> Axes:
    """Temperature per epoch (counted from 1) for each named schedule."""
    ax = axes_for(ax, (6.0, 3.5))
    for (name, values), style in zip(schedules.items(), cycle(("-", "--", ":")), strict=False):
        ax.plot(np.arange(1, len(values) + 1), values, style, label=name)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("temperature τ")
    ax.legend(title="schedule shape")
    ax.grid(alpha=0.3)
    return ax


def plot_schedules(
    n_epochs: int = 500,
    tau_start: float = PAPER_TAU_START,
    tau_end: float = PAPER_TAU_END,
    lr_start: float = LR_START,
    lr_end: float = LR_END,
) -> Figure:
    """The temperature schedule in each shape (top) and the learning rate (bottom)."""
    epochs = np.arange(n_epochs)
    fig, (left, right) = plt.subplots(2, 1, figsize=(PAGE_WIDTH, 5.6), layout="constrained")
    schedules = {
        shape: [temperature(e, n_epochs, tau_start, tau_end, shape) for e in epochs]
        for shape in SCHEDULE_SHAPES
    }
    title = f"Gumbel-Softmax temperature, {tau_start:.1f} → {tau_end:.1f}"
    plot_temperature_schedules(schedules, ax=left, title=title)
    rates = [learning_rate(e, n_epochs, lr_start, lr_end) for e in epochs]
    right.plot(epochs + 1, rates, color="tab:green")
    right.set_yscale("log")
    right.set_title(f"Adam learning rate, {lr_start:g} → {lr_end:g} (exponential)")
    right.set_xlabel("epoch")
    right.set_ylabel("learning rate (log scale)")
    right.grid(alpha=0.3, which="both")
    return fig


def plot_history(history: Sequence[dict], title: str = "") -> Figure:
    """Four panels: loss and reconstruction, the two KL terms (top row), the temperature
    and the learning rate used (bottom row), per epoch."""
    frame = history_frame(history)
    epochs = frame.index.to_numpy()
    fig, axes = panel_grid(4, 2.9)
    marker = "o" if len(epochs) <= 30 else None  # hundreds of markers hide the line
    # The reconstruction is thousands of nats, the KL terms a few: two linear panels, so
    # the real change of each is visible (a log axis flattens a 3 % decrease).
    for term in ("loss", "reconstruction"):
        style = {"color": "black", "linestyle": "--"} if term == "loss" else {}
        axes[0].plot(epochs, frame[term], label=TERM_LABELS[term], marker=marker, **style)
    axes[0].set_title("loss and reconstruction (per clip)")
    axes[0].set_ylabel("nats per clip")
    axes[0].legend(fontsize="small")
    for term in ("kl_z", "kl_y"):
        axes[1].plot(epochs, frame[term], label=TERM_LABELS[term], marker=marker)
    axes[1].set_title("KL terms (per clip, unweighted)")
    axes[1].set_ylabel("nats per clip")
    axes[1].legend(fontsize="small")
    axes[2].plot(epochs, frame["tau"], marker=marker, color="tab:purple")
    axes[2].set_title("temperature τ used in the epoch")
    axes[2].set_ylabel("τ")
    axes[3].plot(epochs, frame["lr"], marker=marker, color="tab:green")
    axes[3].set_yscale("log")
    axes[3].set_title("learning rate used in the epoch")
    axes[3].set_ylabel("learning rate")
    for ax in axes:
        ax.set_xlabel("epoch")
        if len(epochs) <= 12:
            ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig


def plot_usage_heatmap(
    usage: np.ndarray | Sequence[dict],
    ax: Axes | None = None,
    title: str = "cluster usage per epoch",
    row_label: str = "epoch",
    max_rows: int = 20,
) -> Axes:
    """Epochs (rows) x clusters (columns), the share of clips assigned to each cluster.

    ``usage`` is an ``[epochs, K]`` count array or a training history. Each row is
    annotated with the clusters used and the usage entropy (nats; ``log K`` is uniform).
    More than ``max_rows`` rows are subsampled evenly (first and last kept), so a 500-epoch
    history stays a page-sized picture.
    """
    is_history = len(usage) > 0 and isinstance(usage[0], Mapping)
    counts = usage_matrix(usage) if is_history else np.asarray(usage, dtype=np.int64)
    index = np.arange(len(counts))
    if len(counts) > max_rows:
        index = np.unique(np.linspace(0, len(counts) - 1, max_rows).round().astype(int))
        row_label = f"{row_label} ({index.size} of {len(counts)} shown)"
        counts = counts[index]
    shares = counts / counts.sum(axis=1, keepdims=True)
    n_rows, k = shares.shape
    ax = axes_for(ax, (min(PAGE_WIDTH, 3.0 + 0.4 * k), 1.4 + 0.26 * max(n_rows, 2)))
    image = ax.imshow(shares, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0)
    ax.figure.colorbar(image, ax=ax, label="share of clips", fraction=0.04)
    ax.set_xticks(range(k))
    ax.set_xlabel(f"cluster (K = {k})")
    step = max(1, n_rows // 15)
    rows = list(range(0, n_rows, step))
    ax.set_yticks(rows)
    labels = []
    for r in rows:
        s = usage_summary(counts[r])
        labels.append(f"{index[r] + 1}: {s['clusters_used']} used, H={s['entropy']:.2f}")
    ax.set_yticklabels(labels, fontsize="small")
    ax.set_ylabel(row_label)
    if n_rows * k <= 120:
        for r in range(n_rows):
            for c in range(k):
                colour = "white" if shares[r, c] < 0.5 else "black"
                ax.text(c, r, f"{counts[r, c]}", ha="center", va="center", fontsize=7, color=colour)
    ax.set_title(f"{title}\n(uniform use: H = log {k} = {np.log(k):.2f})")
    return ax


def plot_usage_comparison(
    usages: Mapping[str, Sequence[int] | np.ndarray], title: str = "", sort: bool = True
) -> Figure:
    """One bar chart of cluster shares per setting (e.g. per lambda), sorted largest first,
    each titled with its clusters used and usage entropy."""
    fig, axes = panel_grid(len(usages), 2.8, max_columns=3, sharey=True)
    for ax, (name, usage) in zip(axes, usages.items(), strict=True):
        counts = np.asarray(usage, dtype=float)
        shares = counts / counts.sum()
        shown = np.sort(shares)[::-1] if sort else shares
        ax.bar(np.arange(len(shown)), shown, color="tab:blue")
        ax.axhline(1 / len(shown), color="tab:red", linestyle="--", linewidth=1, label="uniform")
        s = usage_summary(counts)
        ax.set_title(f"{name}\n{s['clusters_used']} used, H = {s['entropy']:.2f}", fontsize=9)
        ax.set_xlabel("cluster, largest first" if sort else "cluster")
        ax.set_xticks(range(len(shown)))
        ax.tick_params(axis="x", labelsize=7)
    axes[0].set_ylabel("share of clips")
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def plot_latents_by_epoch(runs: Sequence[Result]) -> Figure:
    """KL_z (top row) and KL_y (bottom row) per epoch on the training clips, one column per
    dataset, one line per run, coloured by likelihood, so the information each latent
    carries under the paper's BCE and under a calibrated Gaussian can be compared."""
    datasets = sorted({r.dataset for r in runs})
    fig, axes = panel_grid(2 * len(datasets), 2.6, max_columns=len(datasets))
    for column, dataset in enumerate(datasets):
        top, bottom = axes[column], axes[len(datasets) + column]
        shown: set[str] = set()
        for run in (r for r in runs if r.dataset == dataset):
            likelihood = run.beyond_paper.get("likelihood", "bce")
            frame = history_frame(run.history)
            label = None if likelihood in shown else LIKELIHOOD_NAMES[likelihood]
            shown.add(likelihood)
            style = {"color": LIKELIHOOD_COLOURS[likelihood], "label": label, "alpha": 0.85}
            top.plot(frame.index, frame["kl_z"], **style)
            bottom.plot(frame.index, frame["kl_y"], **style)
        top.set_title(f"{DATASET_NAMES.get(dataset, dataset)}: KL_z per epoch")
        bottom.set_title(f"{DATASET_NAMES.get(dataset, dataset)}: KL_y per epoch")
        top.legend(fontsize="small")
        for ax in (top, bottom):
            ax.set_xlabel("epoch")
            ax.set_ylabel("nats per clip")
    return fig
