"""Hear what a trained Cat. UVAC learned: reconstructions and one decoder sample per cluster,
turned back into audio.

The features are normalised log spectrograms, so going back to sound undoes each step of
:mod:`catuvac.features`: the min-max scaling and per-frequency standardisation of the
:class:`~catuvac.features.Normaliser`, the logarithm, then (urban sounds) the mel filter bank
by least squares, and finally the phase, which the features never had, by Griffin-Lim.
The result is a rough rendering of what the model's images contain, not a vocoder.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

from catuvac.features import FeatureConfig, Normaliser
from catuvac.model.cat_uvac import CatUVAC


def _require_cat_uvac(model: torch.nn.Module) -> CatUVAC:
    if not isinstance(model, CatUVAC):
        raise TypeError(
            "reconstructions per cluster need a Cat. UVAC model (a categorical y to fix); "
            f"got {type(model).__name__}"
        )
    return model


@torch.no_grad()
def reconstruct(model: CatUVAC, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Deterministic reconstructions of ``features [B, 1, F, T]``: ``y`` the one-hot of the most
    probable cluster, ``z`` its posterior mean. Returns the reconstructions and the clusters."""
    model = _require_cat_uvac(model)
    model.eval()
    probs = model.encoder_y(features).softmax(dim=1)
    clusters = probs.argmax(dim=1)
    y = F.one_hot(clusters, model.config.n_clusters).to(features.dtype)
    z_mean, _ = model.encoder_z(features, y)
    return model.decoder(torch.cat([z_mean, y], dim=1)), clusters


@torch.no_grad()
def cluster_samples(model: CatUVAC, n_per_cluster: int = 1, seed: int = 0) -> torch.Tensor:
    """``n_per_cluster`` decoder samples per cluster, ``[K * n, 1, F, T]`` in cluster order:
    ``y`` fixed to each one-hot, ``z`` drawn from its prior ``N(0, I)``."""
    model = _require_cat_uvac(model)
    model.eval()
    k, d = model.config.n_clusters, model.config.latent_dim
    generator = torch.Generator().manual_seed(seed)
    return model.decode_clusters(torch.randn(k * n_per_cluster, d, generator=generator))


def to_log_power(features: torch.Tensor, normaliser: Normaliser) -> torch.Tensor:
    """Undo the normaliser: ``[B, 1, F, T]`` values in [0, 1] back to log power (or log
    magnitude), ``[B, F, T]``."""
    scaled = features[:, 0]
    standard = scaled * (normaliser.high - normaliser.low) + normaliser.low
    return standard * normaliser.std[None, :, None] + normaliser.mean[None, :, None]


def to_audio(
    features: torch.Tensor,
    normaliser: Normaliser,
    config: FeatureConfig,
    n_iter: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Waveforms ``[B, samples]`` at ``config.sample_rate`` for normalised features, peak
    0.9: the inverse of each feature step, then Griffin-Lim for the missing phase."""
    log_power = to_log_power(features, normaliser)[..., : config.n_frames]
    power = (log_power.exp() - config.log_floor).clamp_min(0.0)
    n_stft = config.n_fft // 2 + 1
    if config.n_mels is None:
        # The linear spectrogram's top bins were trimmed: put them back as silence.
        power = F.pad(power, (0, 0, 0, n_stft - power.shape[1]))
    else:
        inverse_mel = torchaudio.transforms.InverseMelScale(
            n_stft=n_stft, n_mels=config.n_mels, sample_rate=config.sample_rate
        )
        power = inverse_mel(power).clamp_min(0.0)
    griffin_lim = torchaudio.transforms.GriffinLim(
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        power=config.power,
        n_iter=n_iter,
        rand_init=False,
    )
    torch.manual_seed(seed)
    waves = griffin_lim(power).numpy()
    peaks = np.abs(waves).max(axis=1, keepdims=True)
    return 0.9 * waves / np.where(peaks > 0, peaks, 1.0)
