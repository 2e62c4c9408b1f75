"""Audio players for the book: HTML tables of clips side by side, a few per cluster."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from catuvac.data.audio import read_audio
from catuvac.evaluation.usage import examples_per_cluster


def audio_table(rows: Mapping[str, Sequence[tuple[str, np.ndarray, int]]]) -> str:
    """HTML table with one row per group (e.g. a cluster) of ``(caption, waveform, rate)``
    audio players; display it with ``IPython.display.HTML``."""
    # IPython comes with the book's extra, not with the library: imported only when used.
    from IPython.display import Audio

    cells = []
    for group, clips in rows.items():
        players = "".join(
            "<td style='padding:4px'><div style='font-size:small'>"
            f"{html.escape(caption)}</div>{Audio(wave, rate=rate)._repr_html_()}</td>"
            for caption, wave, rate in clips
        )
        cells.append(f"<tr><th style='padding:4px'>{html.escape(group)}</th>{players}</tr>")
    return "<table>" + "".join(cells) + "</table>"


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
        clips = []
        for i in members:
            wave, rate = read_audio(paths[i])
            if max_seconds is not None:
                wave = wave[: int(max_seconds * rate)]
            clips.append((captions[i], wave, rate))
        size = int(np.sum(assigned == cluster))
        rows[f"cluster {cluster} ({size} clip{'' if size == 1 else 's'})"] = clips
    return audio_table(rows)
