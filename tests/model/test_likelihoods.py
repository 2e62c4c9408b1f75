"""The decoder likelihoods: the paper's BCE unchanged, Gaussians that count real frames only
and whose optimal variance is the error itself."""

import math

import pytest
import torch

from catuvac.errors import UnknownOptionError
from catuvac.model import ModelConfig, build_model
from catuvac.model.elbo import masked_reconstruction
from catuvac.model.likelihoods import (
    LIKELIHOODS,
    MIN_LOG_SIGMA,
    gaussian_nll,
    masked_squared_error,
    reconstruction_nll,
)


def batch(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    target = torch.rand(3, 1, 4, 6, generator=generator)
    reconstruction = torch.rand(3, 1, 4, 6, generator=generator).clamp(0.05, 0.95)
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[1, 4:] = False
    return reconstruction, target, mask


def test_bce_is_the_papers_masked_reconstruction():
    reconstruction, target, mask = batch()
    torch.testing.assert_close(
        reconstruction_nll(reconstruction, target, mask, "bce"),
        masked_reconstruction(reconstruction, target, mask),
    )


def test_gaussian_matches_the_closed_form_and_ignores_padding():
    reconstruction, target, mask = batch()
    log_sigma = torch.tensor(-1.5)
    nll = gaussian_nll(reconstruction, target, mask, log_sigma)
    sigma2 = math.exp(2 * -1.5)
    per_pixel = 0.5 * (target - reconstruction) ** 2 / sigma2 + 0.5 * math.log(2 * math.pi * sigma2)
    expected = (per_pixel * mask[:, None, None, :]).sum(dim=(1, 2, 3))
    torch.testing.assert_close(nll, expected)
    changed = target.clone()
    changed[1, :, :, 4:] = 0.0  # padding only
    torch.testing.assert_close(gaussian_nll(reconstruction, changed, mask, log_sigma), nll)


def test_optimal_variance_is_the_error_and_minimises_the_nll():
    reconstruction, target, mask = batch()
    mse = masked_squared_error(reconstruction, target, mask, per_band=False)
    real = mask[:, None, None, :].expand_as(target)
    assert float(mse) == pytest.approx(float(((reconstruction - target)[real] ** 2).mean()))
    optimal = reconstruction_nll(reconstruction, target, mask, "gaussian-optimal").sum()
    for shift in (-0.3, 0.3):
        other = gaussian_nll(reconstruction, target, mask, 0.5 * mse.log() + shift).sum()
        assert other > optimal
    per_band = masked_squared_error(reconstruction, target, mask, per_band=True)
    assert per_band.shape == (1, 1, 4, 1)
    band = reconstruction_nll(reconstruction, target, mask, "gaussian-band").sum()
    assert band <= optimal + 1e-4  # one variance per band fits at least as well


def test_a_perfect_reconstruction_stops_at_the_sigma_floor():
    _, target, mask = batch()
    nll = reconstruction_nll(target, target, mask, "gaussian-optimal")
    assert torch.isfinite(nll).all()
    floor = (MIN_LOG_SIGMA + 0.5 * math.log(2 * math.pi)) * mask.sum(dim=1) * 4
    torch.testing.assert_close(nll, floor.to(nll.dtype))


def test_learned_sigma_is_a_parameter_only_when_learned():
    for likelihood in LIKELIHOODS:
        config = ModelConfig("catuvac", 16, 16, 3, 2, likelihood=likelihood)
        names = {name for name, _ in build_model(config).named_parameters()}
        assert ("learned_log_sigma" in names) == (likelihood == "gaussian")
    with pytest.raises(UnknownOptionError, match="likelihood"):
        ModelConfig("catuvac", 16, 16, likelihood="laplace")
    reconstruction, target, mask = batch()
    with pytest.raises(ValueError, match="learned log-sigma"):
        reconstruction_nll(reconstruction, target, mask, "gaussian")


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_every_likelihood_trains_both_models(method, likelihood):
    torch.manual_seed(0)
    config = ModelConfig(method, 16, 16, 3, 2, likelihood=likelihood)
    model = build_model(config)
    x = torch.rand(4, 1, 16, 16)
    terms, _ = model.elbo(x, torch.ones(4, 16, dtype=torch.bool), 1.0)
    terms.loss.backward()
    assert torch.isfinite(terms.loss)
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
