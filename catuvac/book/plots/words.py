"""The word-aligned runs as one picture: every setting's accuracy beside K-means on the
same input and beside K-means on the paper's 1 s window."""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from catuvac.book.plots import panel_grid

KMEANS_COLOUR = "0.55"
MODEL_COLOURS = {"UVAC": "tab:orange", "Cat. UVAC": "tab:blue"}


def plot_word_accuracy(
    accuracies: Mapping[str, pd.DataFrame], paper_kmeans: Mapping[str, float], title: str = ""
) -> plt.Figure:
    """One panel per dataset: mean test accuracy of each setting (bars, error bar one
    standard deviation, a dot per seed), labelled by its row number in the word table;
    K-means in grey, the paper window's K-means as a dashed line.

    ``accuracies`` maps a dataset to :func:`catuvac.records.reports.words.word_accuracies`;
    ``paper_kmeans`` to :func:`catuvac.records.reports.words.paper_window_kmeans`."""
    fig, axes = panel_grid(len(accuracies), 3.6, max_columns=2)
    for ax, (dataset, table) in zip(axes, accuracies.items(), strict=True):
        groups = table.groupby("row", sort=True)
        rows = list(groups.groups)
        for y, row in enumerate(rows):
            runs = groups.get_group(row)
            method = runs["method"].iloc[0]
            values = runs["accuracy (%)"].to_numpy()
            colour = MODEL_COLOURS.get(method, KMEANS_COLOUR)
            ax.barh(y, values.mean(), xerr=values.std(), color=colour, capsize=3, alpha=0.8)
            ax.plot(values, np.full(len(values), y), "k.", markersize=4)
        labels = [f"{row}: {groups.get_group(row)['method'].iloc[0]}" for row in rows]
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.invert_yaxis()
        window = paper_kmeans.get(dataset, float("nan"))
        if np.isfinite(window):
            ax.axvline(window, color="k", linestyle="--", linewidth=1, label="K-means, 1 s window")
            ax.legend(fontsize="small", loc="lower right")
        ax.set_xlim(0, 100)
        ax.set_xlabel("test accuracy (%)")
        ax.set_title(dataset, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
