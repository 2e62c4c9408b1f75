"""The K-means start of q(y|x): the encoder learns K-means' clusters of its input before
the VAE's epochs, and the run records where it started."""

import numpy as np
import pytest
import torch

from catuvac.errors import CatuvacError, ConfigError
from catuvac.features import FeatureSet
from catuvac.model.base import ModelConfig
from catuvac.training.trainer import TrainConfig, train
from catuvac.training.warm_start import kmeans_targets


def two_groups(n: int = 32) -> FeatureSet:
    """Half the clips bright in the top half of the image, half in the bottom."""
    generator = torch.Generator().manual_seed(0)
    x = 0.1 * torch.rand(n, 1, 16, 16, generator=generator)
    x[: n // 2, :, :8] += 0.8
    x[n // 2 :, :, 8:] += 0.8
    return FeatureSet(
        x, torch.ones(n, 16, dtype=torch.bool), np.zeros(n), [f"c{i}" for i in range(n)]
    )


def test_kmeans_targets_split_the_two_groups():
    targets = kmeans_targets(two_groups().features, 2, seed=0)
    assert len(set(targets[:16].tolist())) == 1 and len(set(targets[16:].tolist())) == 1
    assert targets[0] != targets[-1]


def test_a_warm_started_run_starts_from_kmeans_clusters(tmp_path):
    config = ModelConfig("catuvac", 16, 16, n_clusters=2, pseudo_label_epochs=20)
    training = TrainConfig(epochs=1, batch_size=8, checkpoint_every=1)
    result = train(config, training, two_groups(), tmp_path / "run", torch.device("cpu"), False)
    start = result.history[0]["warm_start"]
    assert len(start["cross_entropy"]) == 20
    assert start["cross_entropy"][-1] < start["cross_entropy"][0]
    assert start["kmeans_agreement"] == pytest.approx(1.0)
    assert "pseudo_label_epochs" not in ModelConfig("catuvac", 16, 16).to_dict()  # off: as before


def test_the_kmeans_start_needs_the_categorical_encoder():
    with pytest.raises(ConfigError, match="Cat. UVAC"):
        ModelConfig("uvac", 16, 16, pseudo_label_epochs=2)


def test_a_start_in_z_comes_after_the_vae_epochs_and_matches_kmeans_on_z(tmp_path):
    config = ModelConfig(
        "catuvac",
        16,
        16,
        n_clusters=2,
        pseudo_label_epochs=20,
        pseudo_label_space="z",
        pseudo_label_after=1,
    )
    training = TrainConfig(epochs=2, batch_size=8, checkpoint_every=1)
    result = train(config, training, two_groups(), tmp_path / "run", torch.device("cpu"), False)
    assert "warm_start" not in result.history[0]
    start = result.history[1]["warm_start"]
    assert start["cross_entropy"][-1] < start["cross_entropy"][0]
    assert start["kmeans_agreement"] > 0.9


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pseudo_label_space": "z"}, "needs its epochs"),
        ({"pseudo_label_epochs": 2, "pseudo_label_space": "z"}, "VAE epochs before it"),
        ({"pseudo_label_epochs": 2, "pseudo_label_after": 3}, "only a start in z"),
        ({"pseudo_label_epochs": 2, "pseudo_label_space": "y"}, "unknown K-means start space"),
    ],
)
def test_a_start_in_z_is_refused_without_what_it_needs(options, message):
    with pytest.raises(CatuvacError, match=message):
        ModelConfig("catuvac", 16, 16, **options)
