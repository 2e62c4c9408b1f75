"""A chapter's "what the model learned, heard" section in four calls: reconstructions of a
few test clips and one decoder sample per cluster, each drawn as feature images and played
as sound (:mod:`catuvac.book.listen` turns the images back into audio)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from catuvac.book.listen import cluster_samples, reconstruct, to_audio
from catuvac.book.players import audio_table
from catuvac.book.plots.audio import plot_feature_grid
from catuvac.experiments.prepare import PreparedData
from catuvac.model.cat_uvac import CatUVAC


@dataclass(frozen=True)
class Reconstructions:
    """Test clips, their reconstructions and names, as drawn, for the players below."""

    inputs: torch.Tensor
    outputs: torch.Tensor
    names: list[str]
    clusters: list[str]


def plot_reconstructions(
    model: CatUVAC, data: PreparedData, picks: Sequence[int], names: Sequence[str]
) -> Reconstructions:
    """Draw the test clips ``picks`` (titled ``names``) above their reconstructions, each
    titled with the cluster ``y`` was fixed to."""
    inputs = data.test.features[list(picks)]
    outputs, clusters = reconstruct(model, inputs)
    shown = Reconstructions(inputs, outputs, list(names), [f"cluster {int(c)}" for c in clusters])
    plot_feature_grid(
        [*inputs, *outputs],
        shown.names + shown.clusters,
        data.feature_config,
        row_labels=["input", "reconstruction"],
    )
    return shown


def reconstruction_players(shown: Reconstructions, data: PreparedData) -> str:
    """HTML players: each clip beside its reconstruction, both through the same way back to
    sound, so that they are heard on equal terms."""
    config, rate = data.feature_config, data.feature_config.sample_rate
    heard_in = to_audio(shown.inputs, data.normaliser, config)
    heard_out = to_audio(shown.outputs, data.normaliser, config)
    rows = zip(shown.names, shown.clusters, heard_in, heard_out, strict=True)
    return audio_table(
        {
            f"clip {i}, {name}": [("input", a, rate), (f"reconstruction, {cluster}", b, rate)]
            for i, (name, cluster, a, b) in enumerate(rows, start=1)
        }
    )


def plot_cluster_samples(model: CatUVAC, data: PreparedData) -> torch.Tensor:
    """Draw one decoder sample per cluster (``z`` from its prior, seed 0) and return them."""
    samples = cluster_samples(model, seed=0)
    titles = [f"cluster {i}" for i in range(len(samples))]
    plot_feature_grid(list(samples), titles, data.feature_config, columns=5)
    return samples


def sample_players(samples: torch.Tensor, data: PreparedData) -> str:
    """HTML players for the samples per cluster, two clusters to a row."""
    config, rate = data.feature_config, data.feature_config.sample_rate
    voices = to_audio(samples, data.normaliser, config)
    return audio_table(
        {
            f"clusters {i}, {i + 1}": [(f"cluster {j}", voices[j], rate) for j in (i, i + 1)]
            for i in range(0, len(samples) - 1, 2)
        }
    )
