"""Audio players for the book: HTML tables of clips side by side, a few per cluster, and a
stored run's clusters as sound (decoded prototype and most confident members)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from numpy.typing import ArrayLike

from catuvac.book.listen import to_audio
from catuvac.book.stored_clips import stored_test_clips
from catuvac.data.audio import read_audio
from catuvac.evaluation.usage import examples_per_cluster
from catuvac.experiments.prototypes import confident_members, stored_prototypes
from catuvac.features import Normaliser
from catuvac.features.config import feature_config_for
from catuvac.records.store.results import Result


def audio_table(
    rows: Mapping[str, Sequence[tuple[str, np.ndarray, int]]], player_width: int | None = None
) -> str:
    """HTML table with one row per group (e.g. a cluster) of ``(caption, waveform, rate)``
    audio players, each ``player_width`` CSS pixels wide if given (the browser's default is
    about 300, too wide for four players in the book's column); display it with
    ``IPython.display.HTML``."""
    # IPython comes with the book's extra, not with the library: imported only when used.
    from IPython.display import Audio

    def player(wave: np.ndarray, rate: int) -> str:
        shown = Audio(wave, rate=rate)._repr_html_()
        if player_width is None:
            return shown
        return shown.replace("<audio ", f"<audio style='width:{player_width}px' ", 1)

    cells = []
    for group, clips in rows.items():
        players = "".join(
            "<td style='padding:4px'><div style='font-size:small'>"
            f"{html.escape(caption)}</div>{player(wave, rate)}</td>"
            for caption, wave, rate in clips
        )
        cells.append(f"<tr><th style='padding:4px'>{html.escape(group)}</th>{players}</tr>")
    return "<table>" + "".join(cells) + "</table>"


def clip_audio(path: str | Path, max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """A clip's waveform and rate, cut to ``max_seconds`` if given."""
    wave, rate = read_audio(path)
    return (wave if max_seconds is None else wave[: int(max_seconds * rate)]), rate


def cluster_audio_table(
    clusters: ArrayLike,
    paths: Sequence[str],
    captions: Sequence[str],
    n_per_cluster: int = 2,
    seed: int = 0,
    max_seconds: float | None = None,
) -> str:
    """HTML audio players for a few clips of each cluster, largest cluster first.

    ``clusters``, ``paths`` and ``captions`` are aligned per clip (e.g. a result's test
    arrays and its test clips); clips are drawn with
    :func:`catuvac.evaluation.usage.examples_per_cluster` and cut to ``max_seconds`` if given.
    """
    assigned = np.asarray(clusters).ravel()
    if not len(assigned) == len(paths) == len(captions):
        raise ValueError(
            f"need one cluster, path and caption per clip; got {len(assigned)}, "
            f"{len(paths)} and {len(captions)}"
        )
    rows = {}
    for cluster, members in examples_per_cluster(assigned, n_per_cluster, seed).items():
        clips = [(captions[i], *clip_audio(paths[i], max_seconds)) for i in members]
        size = int(np.sum(assigned == cluster))
        rows[f"cluster {cluster} ({size} clip{'' if size == 1 else 's'})"] = clips
    return audio_table(rows)


def cluster_sound_table(
    result: Result,
    per_cluster: int = 3,
    max_seconds: float | None = None,
    player_width: int | None = 140,
) -> str:
    """HTML audio players, one row per cluster (largest first): its decoded prototype
    turned back into sound (:func:`~catuvac.book.listen.to_audio`, a rough rendering) and
    the ``per_cluster`` test clips it holds most confidently, captioned with their class
    and speaker (read for display only, after the clustering)."""
    prototypes, provenance = stored_prototypes(result)
    config = feature_config_for(result.dataset, result.run_spec.features)
    normaliser = Normaliser.from_dict(provenance["normaliser"])
    waves = to_audio(torch.from_numpy(prototypes)[:, None], normaliser, config)
    clips = stored_test_clips(result)
    sizes = np.bincount(result.arrays()["clusters"], minlength=len(prototypes))
    rows = {}
    for cluster, members in confident_members(result, per_cluster).items():
        row = [("decoded prototype", waves[cluster], config.sample_rate)]
        row += [
            (f"{clips[i].label_name}, {clips[i].group}", *clip_audio(clips[i].path, max_seconds))
            for i in members
        ]
        rows[f"cluster {cluster} ({sizes[cluster]} test clips)"] = row
    return audio_table(rows, player_width)
