"""Plots of audio and features: waveforms, spectrograms (one clip beside its views or
neighbours, each cluster's decoded prototype), normalisation and masks.

Every function takes data (arrays or tensors) and an optional matplotlib ``Axes``, and
returns the ``Axes`` (or a new ``Figure`` for multi-panel plots) it drew on.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from catuvac.book.plots import PAGE_WIDTH, axes_for, panel_grid, to_numpy
from catuvac.features import FeatureConfig

PADDING_COLOUR = "0.6"
INACTIVE_COLOUR = "tab:red"


def _array(values: object) -> np.ndarray:
    """A NumPy copy of an array or tensor with leading size-1 axes dropped."""
    array = to_numpy(values)
    while array.ndim > 2 and array.shape[0] == 1:
        array = array[0]
    return array


def plot_waveform(
    waveform: object, rate: int, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Amplitude over time in seconds."""
    ax = axes_for(ax, (6.0, 3.0))
    samples = _array(waveform).ravel()
    ax.plot(np.arange(len(samples)) / rate, samples, linewidth=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    ax.set_xlim(0, len(samples) / rate)
    ax.set_title(title or f"waveform ({rate} Hz)")
    return ax


def _frequency_axis(config: FeatureConfig) -> tuple[float, float, str]:
    """Bottom, top and label of the frequency axis for a feature configuration."""
    if config.n_mels is None:
        return 0.0, config.n_freq * config.sample_rate / config.n_fft, "frequency (Hz)"
    return 0.0, float(config.n_freq), "mel bin"


def plot_spectrogram(
    features: object,
    config: FeatureConfig,
    ax: Axes | None = None,
    title: str | None = None,
    colorbar: bool = True,
    value_label: str = "log power",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """A ``[F, T]`` (or ``[1, F, T]``) feature image, time in seconds on the x axis."""
    ax = axes_for(ax, (6.0, 3.0))
    image = _array(features)
    seconds = image.shape[1] * config.hop_length / config.sample_rate
    bottom, top, label = _frequency_axis(config)
    shown = ax.imshow(
        image,
        origin="lower",
        aspect="auto",
        extent=(0.0, seconds, bottom, top),
        cmap="magma",
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    ax.set_xlabel("time (s)")
    ax.set_ylabel(label)
    ax.set_title(config.name if title is None else title)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, label=value_label)
    return ax


def plot_clip_grid(
    waveforms: Sequence[object],
    features: Sequence[object],
    titles: Sequence[str],
    config: FeatureConfig,
    value_label: str = "log power",
) -> Figure:
    """One column per clip: its waveform on top, its feature image below."""
    if not len(waveforms) == len(features) == len(titles):
        raise ValueError(
            f"need as many waveforms, feature images and titles; got {len(waveforms)}, "
            f"{len(features)} and {len(titles)}"
        )
    n = len(titles)
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(PAGE_WIDTH, 4.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [1, 2]},
        layout="constrained",
    )
    images = [_array(f) for f in features]
    low = min(float(i.min()) for i in images)
    high = max(float(i.max()) for i in images)
    for column, (wave, image, title) in enumerate(zip(waveforms, images, titles, strict=True)):
        top, bottom = axes[0, column], axes[1, column]
        # Narrow columns: the title wraps at its commas so that neighbours never overprint.
        plot_waveform(wave, config.sample_rate, top, title.replace(", ", ",\n"))
        top.title.set_fontsize("small")
        plot_spectrogram(image, config, bottom, title="", colorbar=False, vmin=low, vmax=high)
        top.set_xlim(bottom.get_xlim())  # the padded image is a little longer than the window
        top.set_xlabel("")
        if column:
            top.set_ylabel("")
            bottom.set_ylabel("")
    fig.colorbar(axes[1, -1].images[0], ax=axes[1, :].tolist(), label=value_label)
    return fig


def plot_value_histograms(
    before: object, after: object, bins: int = 60, titles: Sequence[str] | None = None
) -> Figure:
    """Histograms of feature values before and after normalisation, side by side."""
    titles = titles or ("before: log mel power", "after: normalised to [0, 1]")
    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 2.9))
    for ax, values, title in zip(axes, (before, after), titles, strict=True):
        ax.hist(_array(values).ravel(), bins=bins, color="tab:blue", alpha=0.8)
        ax.set_title(title)
        ax.set_xlabel("feature value")
        ax.set_ylabel("count (time-frequency cells)")
        ax.set_yscale("log")
    fig.tight_layout()
    return fig


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) of every run of True values in a 1-D boolean array."""
    padded = np.concatenate([[False], flags.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def plot_mask_overlay(
    features: object,
    mask: object,
    config: FeatureConfig,
    padding_mask: object | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A spectrogram with the frames the loss ignores shaded.

    ``mask`` is the ``[T]`` loss mask (True: counted). With ``padding_mask`` (True on real,
    unpadded frames), zero-padding is shaded grey and frames dropped by voice-activity
    detection red; without it, every ignored frame is shaded grey.
    """
    ax = plot_spectrogram(features, config, ax=axes_for(ax, (8.0, 3.6)), title=title)
    keep = _array(mask).astype(bool).ravel()
    real = keep if padding_mask is None else _array(padding_mask).astype(bool).ravel()
    frame = config.hop_length / config.sample_rate
    handles = []
    for flags, colour, label in (
        (~real, PADDING_COLOUR, "zero-padding (ignored)"),
        (real & ~keep, INACTIVE_COLOUR, "voice-inactive (ignored)"),
    ):
        runs = _runs(flags)
        for start, end in runs:
            ax.axvspan(start * frame, end * frame, color=colour, alpha=0.45, hatch="//", lw=0)
        if runs:
            handles.append(Patch(facecolor=colour, alpha=0.45, hatch="//", label=label))
    strip = ax.get_ylim()[1]
    ax.plot(
        (np.arange(len(keep)) + 0.5) * frame,
        np.where(keep, strip * 0.97, np.nan),
        color="tab:green",
        linewidth=3,
    )
    handles.append(plt.Line2D([], [], color="tab:green", linewidth=3, label="counted in the loss"))
    ax.legend(handles=handles, loc="lower right", fontsize="small", framealpha=0.9)
    return ax


def plot_resampling(
    original: object, original_rate: int, resampled: object, rate: int, title: str = ""
) -> Figure:
    """Waveforms (top) and magnitude spectra (bottom) before and after resampling.

    The spectra show what the anti-aliasing filter removes: nothing above the new
    Nyquist frequency, ``rate / 2``, survives.
    """
    fig, axes = plt.subplots(2, 2, figsize=(PAGE_WIDTH, 5.4))
    for column, (signal, sr) in enumerate(((original, original_rate), (resampled, rate))):
        samples = _array(signal).ravel()
        plot_waveform(samples, sr, axes[0, column], f"{title} at {sr} Hz".strip())
        spectrum = np.abs(np.fft.rfft(samples)) + 1e-12
        freqs = np.fft.rfftfreq(len(samples), 1.0 / sr)
        ax = axes[1, column]
        ax.plot(freqs / 1000, 20 * np.log10(spectrum / spectrum.max()), linewidth=0.5)
        ax.axvline(rate / 2000, color="tab:red", linestyle="--", label=f"{rate / 2000:g} kHz")
        ax.set_xlim(0, original_rate / 2000)
        ax.set_ylim(-120, 5)
        ax.set_xlabel("frequency (kHz)")
        ax.set_ylabel("magnitude (dB re max)")
        ax.set_title(f"spectrum at {sr} Hz")
        ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    return fig


def plot_feature_grid(
    images: Sequence[object],
    titles: Sequence[str],
    config: FeatureConfig,
    columns: int = 3,
    row_labels: Sequence[str] | None = None,
    title: str = "",
) -> Figure:
    """Normalised feature images (values in [0, 1]) in a page-wide grid, one colour scale;
    ``row_labels`` name each row (e.g. "input" and "reconstruction")."""
    if len(images) != len(titles):
        raise ValueError(f"need one title per image; got {len(images)} images, {len(titles)}")
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(PAGE_WIDTH, 1.9 * rows + 0.6),
        squeeze=False,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    for ax, image, name in zip(axes.ravel(), images, titles, strict=False):
        plot_spectrogram(image, config, ax, title=name, colorbar=False, vmin=0.0, vmax=1.0)
        ax.title.set_fontsize(9)
    for ax in axes.ravel()[len(images) :]:
        ax.remove()
    for ax in axes[:, 1:].ravel():
        ax.set_ylabel("")
    for ax in axes[:-1].ravel():
        ax.set_xlabel("")
    if row_labels is not None:
        for ax, label in zip(axes[:, 0], row_labels, strict=False):
            ax.set_ylabel(f"{label}\n{ax.get_ylabel()}")
    shown = axes.ravel()[: len(images)].tolist()
    fig.colorbar(axes[0, 0].images[0], ax=shown, label="normalised value")
    if title:
        fig.suptitle(title)
    return fig


def plot_word_alignment(
    rows: Sequence[tuple[str, FeatureConfig, Sequence[object]]], titles: Sequence[str]
) -> Figure:
    """One column per clip, one row per representation (``(name, config, images)``):
    the paper's window keeps its time axis in seconds, a word-aligned image spans the
    word alone, its frames resampled to a fixed count; one colour scale per row."""
    columns = len(titles)
    fig, axes = plt.subplots(
        len(rows),
        columns,
        figsize=(PAGE_WIDTH, 2.0 * len(rows) + 0.4),
        squeeze=False,
        layout="constrained",
    )
    for row, (name, config, images) in enumerate(rows):
        if len(images) != columns:
            raise ValueError(f"{name}: need {columns} images, one per title; got {len(images)}")
        arrays = [_array(i) for i in images]
        low, high = min(float(a.min()) for a in arrays), max(float(a.max()) for a in arrays)
        for column, image in enumerate(arrays):
            ax = axes[row, column]
            title = titles[column].replace(", ", ",\n") if row == 0 else ""
            if config.aligned:
                ax.imshow(image, origin="lower", aspect="auto", cmap="magma", vmin=low, vmax=high)
                ax.set_title(title)
                ax.set_xlabel("word frame")
                ax.set_ylabel("coefficient" if config.n_mfcc else "mel band")
            else:
                plot_spectrogram(
                    image, config, ax, title=title, colorbar=False, vmin=low, vmax=high
                )
            ax.title.set_fontsize("small")
            if column:
                ax.set_ylabel("")
            else:
                ax.set_ylabel(f"{name}\n{ax.get_ylabel()}", fontsize="small")
        fig.colorbar(axes[row, -1].images[0], ax=axes[row, :].tolist())
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
