"""Figures of stored results: metrics against the final Gumbel-Softmax temperature."""

import matplotlib.pyplot as plt
import pandas as pd

from catuvac.metrics import METRIC_NAMES
from catuvac.table import COLUMN_LABELS

METRIC_DIRECTION = {
    "Accuracy (%)": "higher is better",
    "NMI": "higher is better",
    "Silhouette": "higher is better",
    "DBI": "lower is better",
    "CHI": "higher is better",
}


def plot_metrics_vs_tau(frames: dict[str, pd.DataFrame], title: str = "") -> plt.Figure:
    """One panel per metric: mean ± std over seeds against the final tau, one line per space.

    ``frames`` maps a space name ("own", "common") to :func:`catuvac.summaries.seed_table`
    rows of Cat. UVAC runs of one dataset and cluster count.
    """
    figure, axes = plt.subplots(1, len(METRIC_NAMES), figsize=(3.2 * len(METRIC_NAMES), 3.0))
    for axis, metric in zip(axes, METRIC_NAMES, strict=True):
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
        axis.set_xlabel("final temperature τ")
        axis.set_title(f"{label}\n({METRIC_DIRECTION[label]})", fontsize=9)
        axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure
