"""Reconstructions, decoder samples per cluster, and the way back from features to audio."""

import numpy as np
import pytest
import torch

from catuvac.book.listen import cluster_samples, reconstruct, to_audio, to_log_power
from catuvac.features import SPOKEN_DIGITS, URBAN_4S, Normaliser
from catuvac.model import build_model
from catuvac.model.base import ModelConfig


def _normaliser(n_freq: int) -> Normaliser:
    return Normaliser(torch.linspace(-8, -2, n_freq), torch.full((n_freq,), 2.0), -3.0, 3.0)


def test_reconstructions_and_samples_have_the_input_shape():
    torch.manual_seed(0)
    model = build_model(ModelConfig("catuvac", 128, 64, n_clusters=4))
    x = torch.rand(3, 1, 128, 64)
    rec, clusters = reconstruct(model, x)
    assert rec.shape == x.shape and clusters.shape == (3,) and int(clusters.max()) < 4
    samples = cluster_samples(model, n_per_cluster=2, seed=1)
    assert samples.shape == (8, 1, 128, 64)
    assert torch.equal(samples, cluster_samples(model, n_per_cluster=2, seed=1))  # seeded
    assert float(samples.min()) >= 0.0 and float(samples.max()) <= 1.0  # decoder sigmoid


def test_only_cat_uvac_has_a_cluster_to_fix():
    model = build_model(ModelConfig("uvac", 128, 64, n_clusters=4))
    with pytest.raises(TypeError, match="Cat. UVAC"):
        cluster_samples(model)


def test_to_log_power_inverts_the_normaliser():
    normaliser = _normaliser(128)
    log_power = torch.randn(2, 128, 64) * 2 - 5
    standard = (log_power - normaliser.mean[None, :, None]) / normaliser.std[None, :, None]
    scaled = (standard - normaliser.low) / (normaliser.high - normaliser.low)
    back = to_log_power(scaled[:, None], normaliser)
    assert torch.allclose(back, log_power, atol=1e-4)


@pytest.mark.parametrize("config", [SPOKEN_DIGITS, URBAN_4S], ids=lambda c: c.name)
def test_to_audio_gives_a_window_of_sound(config):
    features = torch.rand(2, 1, config.n_freq, config.padded_frames)
    waves = to_audio(features, _normaliser(config.n_freq), config, n_iter=4)
    assert waves.shape == (2, config.hop_length * (config.n_frames - 1))
    assert np.allclose(np.abs(waves).max(axis=1), 0.9)


def test_feature_grid_is_page_wide_and_names_rows():
    from catuvac.book.plots import PAGE_WIDTH
    from catuvac.book.plots.audio import plot_feature_grid

    images = [np.random.default_rng(i).random((128, 64)) for i in range(5)]
    fig = plot_feature_grid(images, list("abcde"), SPOKEN_DIGITS, columns=3, row_labels=["in"])
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 5 and fig.get_size_inches()[0] == PAGE_WIDTH
    assert panels[0].get_ylabel().startswith("in\n") and panels[0].get_title() == "a"
    with pytest.raises(ValueError, match="one title per image"):
        plot_feature_grid(images, ["a"], SPOKEN_DIGITS)
