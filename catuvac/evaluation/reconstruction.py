"""Reference predictors of a clip's features and the reconstruction check every trained
result carries: does the VAE reconstruct its test clips better than a linear model with as
many numbers per clip?

Every error here counts real frames only (padding and voice-inactive frames excluded), as
the training loss does.
"""

import numpy as np
import torch
from sklearn.decomposition import PCA

from catuvac.features import FeatureSet
from catuvac.model import ClusteringVAE
from catuvac.model.likelihoods import frame_weights

PCA_SEED = 0


def real_pixels(data: FeatureSet) -> torch.Tensor:
    """The ``[N, 1, 1, T]`` float mask of real frames, broadcastable to the features."""
    return frame_weights(data.mask, data.features)


def masked_mse(prediction: torch.Tensor, data: FeatureSet) -> float:
    """Mean squared error of ``prediction`` against ``data``'s features over real pixels."""
    real = real_pixels(data).expand_as(data.features)
    return float((((prediction - data.features) ** 2) * real).sum() / real.sum())


def mean_predictor(train: FeatureSet, like: FeatureSet) -> torch.Tensor:
    """Each pixel's mean over the training clips whose frame is real: the best prediction
    that uses no latent at all, repeated for every clip of ``like``."""
    real = real_pixels(train)
    mean = (train.features * real).sum(dim=0) / real.sum(dim=0).clamp_min(1)
    return mean[None].expand_as(like.features)


def clip_mean_spectrum(data: FeatureSet) -> torch.Tensor:
    """Each clip's mean spectrum over its real frames, held constant in time: a predictor
    with one number per frequency band per clip."""
    real = real_pixels(data)
    spectrum = (data.features * real).sum(dim=3, keepdim=True) / real.sum(dim=3, keepdim=True)
    return spectrum.clamp(0, 1).expand_as(data.features)


def pca_predictor(train: FeatureSet, data: FeatureSet, n_components: int) -> torch.Tensor:
    """``data`` projected on the first ``n_components`` principal components of the
    training clips (flattened, as K-means sees them) and mapped back, clipped to [0, 1]."""
    pca = PCA(n_components, random_state=PCA_SEED).fit(train.features.flatten(1).numpy())
    flat = pca.inverse_transform(pca.transform(data.features.flatten(1).numpy()))
    restored = torch.from_numpy(np.asarray(flat, dtype=np.float32))
    return restored.view_as(data.features).clamp(0, 1)


@torch.no_grad()
def model_reconstruction(model: ClusteringVAE, data: FeatureSet, batch_size: int = 128):
    """The model's deterministic reconstruction of every clip (z mean, argmax y)."""
    device = next(model.parameters()).device
    model.eval()
    parts = [
        model.reconstruct(data.features[start : start + batch_size].to(device)).cpu()
        for start in range(0, len(data), batch_size)
    ]
    return torch.cat(parts).to(data.features.dtype)


def reconstruction_check(
    model: ClusteringVAE,
    train: FeatureSet,
    test: FeatureSet,
    reconstruction: torch.Tensor | None = None,
) -> dict:
    """``model_mse`` of the test clips (decoded from the z mean and the argmax y;
    ``reconstruction`` when the caller has it already) beside ``mean_mse`` (the training
    clips' per-pixel mean) and ``pca_mse`` (PCA fitted on the training clips with
    ``pca_components`` = the size of z)."""
    components = model.config.latent_dim
    if reconstruction is None:
        reconstruction = model_reconstruction(model, test)
    return {
        "model_mse": masked_mse(reconstruction, test),
        "mean_mse": masked_mse(mean_predictor(train, test), test),
        "pca_mse": masked_mse(pca_predictor(train, test, components), test),
        "pca_components": components,
    }
