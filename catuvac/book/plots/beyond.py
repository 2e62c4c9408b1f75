"""Figures of the runs beyond the paper: what each latent carries epoch by epoch under the
paper's likelihood and a calibrated one."""

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from catuvac.book.plots import panel_grid, to_numpy
from catuvac.evaluation.usage import history_frame
from catuvac.records.reports.setting_names import LIKELIHOOD_NAMES
from catuvac.records.reports.verdict import DATASET_NAMES
from catuvac.records.store.results import Result

LIKELIHOOD_COLOURS = {
    "bce": "tab:gray",
    "gaussian": "tab:olive",
    "gaussian-optimal": "tab:blue",
    "gaussian-band": "tab:cyan",
}


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


def plot_clip_row(
    features: torch.Tensor,
    others: Sequence[torch.Tensor],
    titles: Sequence[str],
    first: str = "the clip",
) -> Figure:
    """One clip's normalised spectrogram (first panel, titled ``first``) and others beside
    it in a row: its augmented views (what the consistency term asks the clusters to
    ignore), or its mined neighbours (what it asks them to keep together)."""
    images = [features, *others]
    fig, axes = panel_grid(len(images), 2.4, max_columns=len(images))
    for ax, image, title in zip(axes, images, [first, *titles], strict=True):
        ax.imshow(to_numpy(image).squeeze(), origin="lower", aspect="auto", vmin=0, vmax=1)
        ax.set_title(title, fontsize="small")
        ax.set_xlabel("frame")
    axes[0].set_ylabel("frequency bin")
    return fig


def plot_prototypes(prototypes: np.ndarray, titles: Sequence[str]) -> Figure:
    """Each cluster's decoded prototype (``[K, F, T]`` normalised features), one panel per
    cluster in the order of ``titles``: what the decoder draws for that cluster."""
    fig, axes = panel_grid(len(prototypes), 2.0, max_columns=5)
    for ax, image, title in zip(axes, prototypes, titles, strict=True):
        ax.imshow(image, origin="lower", aspect="auto", vmin=0, vmax=1)
        ax.set_title(title, fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
