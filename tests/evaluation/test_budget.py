"""The information budget and the reconstruction check, on small synthetic features."""

import numpy as np
import pytest
import torch

from catuvac.evaluation.budget import budget_summary, data_budget, latent_use, nats_per_clip
from catuvac.evaluation.reconstruction import (
    clip_mean_spectrum,
    masked_mse,
    mean_predictor,
    pca_predictor,
    reconstruction_check,
)
from catuvac.features import FeatureSet
from catuvac.model import ModelConfig, build_model


def features(n: int = 12, seed: int = 0) -> FeatureSet:
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 16, 16, generator=generator) * 0.5 + 0.25
    mask = torch.ones(n, 16, dtype=torch.bool)
    mask[::2, 12:] = False
    x = x * mask[:, None, None, :]
    return FeatureSet(x, mask, np.zeros(n, dtype=np.int64), [f"clip{i}" for i in range(n)])


def test_mean_predictor_averages_real_frames_only():
    data = features()
    mean = mean_predictor(data, data)[0, 0]
    real = data.mask[:, None, :].expand(-1, 16, -1)
    expected = (data.features[:, 0] * real).sum(0) / real.sum(0)
    torch.testing.assert_close(mean, expected)  # padding zeros do not pull it down


def test_predictors_rank_as_they_should_under_every_likelihood():
    data = features()
    table = data_budget(data, latent_dim=2, n_clusters=3)
    assert np.isnan(table.loc["floor (the targets)", "gaussian-optimal"])
    for likelihood in table.columns:
        assert (
            table.loc["PCA, 5 components", likelihood] <= table.loc["PCA, 2 components", likelihood]
        )
        assert table.loc["PCA, 2 components", likelihood] < table.loc["mean predictor", likelihood]
    summary = budget_summary(table)
    assert summary["budget"] == pytest.approx(summary["mean_predictor"] - summary["floor"])
    assert summary["budget"] > 0
    # The floor is each target's own entropy: the targets predict themselves best under BCE.
    assert summary["floor"] == pytest.approx(nats_per_clip(data.features, data, "bce"))


def test_clip_mean_spectrum_is_constant_in_time_over_real_frames():
    data = features()
    spectrum = clip_mean_spectrum(data)
    assert torch.allclose(spectrum[..., 0], spectrum[..., 5])
    assert masked_mse(pca_predictor(data, data, 11), data) < masked_mse(spectrum, data)


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
def test_reconstruction_check_and_latent_use_of_a_model(method):
    torch.manual_seed(0)
    model = build_model(ModelConfig(method, 16, 16, 3, 2, likelihood="gaussian-optimal")).eval()
    data = features()
    check = reconstruction_check(model, data, data)
    assert set(check) == {"model_mse", "mean_mse", "pca_mse", "pca_components"}
    assert check["pca_components"] == 2 and check["pca_mse"] < check["mean_mse"]
    use = latent_use(model, data)
    assert 0 <= use["active_units"] <= 2 and use["kl_z"] >= 0
    assert use["kl_y"] == pytest.approx(use["information_xy"] + use["marginal_kl_y"], abs=1e-6)
