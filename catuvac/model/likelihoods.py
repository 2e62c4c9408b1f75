"""The decoder's likelihood ``-log p(x | y, z)`` per clip, summed over real frames only.

``bce`` is the paper's: binary cross-entropy against features scaled to [0, 1]. Near 0.5
it costs about ``2 (p - t)^2`` per pixel, so the latents can earn only a few hundred nats
per clip and both collapse. The Gaussian options calibrate the decoder instead (Rybkin,
Daniilidis and Levine 2021, "Simple and Effective VAE Training with Calibrated Decoders"):
the decoder's sigmoid output is the mean of a Gaussian whose variance is

- ``gaussian``: one shared log-variance, learned with the model;
- ``gaussian-optimal``: set to the batch's own mean squared error (the variance that
  maximises the likelihood for the current reconstruction, the paper's "optimal sigma");
- ``gaussian-band``: as ``gaussian-optimal``, one variance per frequency band.

With the data's own error scale (sigma about 0.1) a Gaussian pays about ``50 (p - t)^2``
per pixel, so a latent that improves the reconstruction is worth its KL.
"""

import math

import torch

from catuvac.errors import unknown_option
from catuvac.model.elbo import masked_reconstruction

LIKELIHOODS = ("bce", "gaussian", "gaussian-optimal", "gaussian-band")
PAPER_LIKELIHOOD = "bce"
MIN_LOG_SIGMA = -6.0  # sigma >= 0.0025: a perfect batch cannot drive the NLL to -inf


def check_likelihood(name: str) -> None:
    """Refuse a likelihood the library does not offer, naming the ones it does."""
    if name not in LIKELIHOODS:
        raise unknown_option("likelihood", name, LIKELIHOODS)


def frame_weights(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The ``[B, T]`` frame mask broadcast to ``[B, 1, 1, T]`` in ``like``'s dtype."""
    return mask[:, None, None, :].to(like.dtype)


def masked_squared_error(
    reconstruction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, per_band: bool
) -> torch.Tensor:
    """Mean squared error over the batch's real pixels: a scalar, or one value per
    frequency band (``[1, 1, F, 1]``) with ``per_band``."""
    real = frame_weights(mask, reconstruction).expand_as(reconstruction)
    squared = (reconstruction - target) ** 2 * real
    dims = (0, 1, 3) if per_band else (0, 1, 2, 3)
    return squared.sum(dim=dims, keepdim=True) / real.sum(dim=dims, keepdim=True).clamp_min(1)


def gaussian_nll(
    reconstruction: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    log_sigma: torch.Tensor,
) -> torch.Tensor:
    """Per-clip Gaussian negative log-likelihood over real pixels, ``log_sigma``
    broadcastable to the features (a scalar or one value per band)."""
    log_sigma = log_sigma.clamp_min(MIN_LOG_SIGMA)
    per_pixel = 0.5 * ((target - reconstruction) / log_sigma.exp()) ** 2 + log_sigma
    per_pixel = per_pixel + 0.5 * math.log(2 * math.pi)
    return (per_pixel * frame_weights(mask, per_pixel)).sum(dim=(1, 2, 3))


def reconstruction_nll(
    reconstruction: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    likelihood: str = PAPER_LIKELIHOOD,
    learned_log_sigma: torch.Tensor | None = None,
) -> torch.Tensor:
    """``-log p(x | y, z)`` per clip under ``likelihood``; padding and voice-inactive frames
    (``mask`` False, ``[B, T]``) contribute nothing. ``learned_log_sigma`` is the model's
    parameter for ``gaussian``."""
    check_likelihood(likelihood)
    if likelihood == "bce":
        return masked_reconstruction(reconstruction, target, mask)
    if likelihood == "gaussian":
        if learned_log_sigma is None:
            raise ValueError("the 'gaussian' likelihood needs the model's learned log-sigma")
        return gaussian_nll(reconstruction, target, mask, learned_log_sigma)
    variance = masked_squared_error(
        reconstruction, target, mask, per_band=likelihood == "gaussian-band"
    )
    return gaussian_nll(reconstruction, target, mask, 0.5 * variance.clamp_min(1e-12).log())
