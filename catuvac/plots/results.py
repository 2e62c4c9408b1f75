"""Figures of stored results: metrics against the final Gumbel-Softmax temperature."""

import matplotlib.pyplot as plt
import pandas as pd

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

    ``frames`` maps a space name ("own", "common") to :func:`catuvac.table.results_frame`
    rows of Cat. UVAC runs of one dataset and cluster count.
    """
    metrics = list(COLUMN_LABELS.values())
    figure, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.0))
    for axis, metric in zip(axes, metrics, strict=True):
        for space, frame in frames.items():
            rows = frame.sort_values("tau_end")
            cells = rows[metric].tolist()
            if space != "own" and metric in ("Accuracy (%)", "NMI"):
                continue  # accuracy and NMI do not depend on the space
            axis.errorbar(
                rows["tau_end"],
                [float("nan") if c.mean is None else c.mean for c in cells],
                yerr=[c.std or 0.0 for c in cells],
                marker="o",
                capsize=3,
                label=f"{space} space" if metric not in ("Accuracy (%)", "NMI") else "clusters",
            )
        axis.set_xscale("log")
        axis.set_xlabel("final temperature τ")
        axis.set_title(f"{metric}\n({METRIC_DIRECTION[metric]})", fontsize=9)
        axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure
