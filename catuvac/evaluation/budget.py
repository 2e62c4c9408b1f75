"""The information budget: how many nats per clip a latent code can earn under a
likelihood, and what a trained model's latents actually carry.

Under the paper's BCE the most any code can earn is the gap between the per-pixel mean
predictor (no latent) and the floor (each target's own entropy). A 10-dimensional z costs
some nats of KL for every nat of reconstruction it buys; when the gap is a few hundred
nats, using neither latent is the optimum, and that is what the paper's loss trains.
"""

import math

import numpy as np
import pandas as pd
import torch

from catuvac.evaluation.embedding import embed
from catuvac.evaluation.reconstruction import (
    clip_mean_spectrum,
    mean_predictor,
    model_reconstruction,
    pca_predictor,
)
from catuvac.evaluation.usage import kl_y_decomposition
from catuvac.features import FeatureSet
from catuvac.model import ClusteringVAE, Embedding
from catuvac.model.base import DEFAULT_CLUSTERS, DEFAULT_LATENT_DIM
from catuvac.model.elbo import gaussian_kl
from catuvac.model.likelihoods import masked_squared_error, reconstruction_nll

# The likelihoods a fixed predictor can be scored under: the learned-variance Gaussian
# scores a fixed predictor exactly as the optimal one (its variance converges to the error).
BUDGET_LIKELIHOODS = ("bce", "gaussian-optimal", "gaussian-band")
ACTIVE_UNIT_NATS = 0.01


def nats_per_clip(prediction: torch.Tensor, data: FeatureSet, likelihood: str) -> float:
    """Mean over clips of ``-log p(x)`` with ``prediction`` as the decoder's output; the
    Gaussian variances are set to the prediction's own error over all of ``data``."""
    prediction = prediction.clamp(1e-6, 1 - 1e-6)
    if likelihood == "bce":
        nll = reconstruction_nll(prediction, data.features, data.mask, "bce")
    else:
        variance = masked_squared_error(
            prediction, data.features, data.mask, per_band=likelihood == "gaussian-band"
        )
        log_sigma = 0.5 * variance.clamp_min(1e-12).log()
        nll = reconstruction_nll(prediction, data.features, data.mask, "gaussian", log_sigma)
    return float(nll.mean())


def data_budget(
    train: FeatureSet,
    latent_dim: int = DEFAULT_LATENT_DIM,
    n_clusters: int = DEFAULT_CLUSTERS,
    likelihoods: tuple[str, ...] = BUDGET_LIKELIHOODS,
) -> pd.DataFrame:
    """Nats per training clip of reference predictors under each likelihood: the floor
    (the targets themselves; BCE only, a Gaussian has none), the per-pixel mean, each
    clip's mean spectrum, and PCA with as many components as z (and z plus K)."""
    predictors = {
        "floor (the targets)": train.features,
        "mean predictor": mean_predictor(train, train),
        "clip mean spectrum": clip_mean_spectrum(train),
        f"PCA, {latent_dim} components": pca_predictor(train, train, latent_dim),
        f"PCA, {latent_dim + n_clusters} components": pca_predictor(
            train, train, latent_dim + n_clusters
        ),
    }
    rows = {}
    for name, prediction in predictors.items():
        rows[name] = {
            likelihood: (
                math.nan
                if name.startswith("floor") and likelihood != "bce"
                else nats_per_clip(prediction, train, likelihood)
            )
            for likelihood in likelihoods
        }
    table = pd.DataFrame(rows).T
    table.index.name = "predictor (nats per clip)"
    return table


def budget_summary(table: pd.DataFrame) -> dict[str, float]:
    """The BCE budget of :func:`data_budget`: mean predictor minus floor, in nats."""
    floor = table.loc["floor (the targets)", "bce"]
    mean = table.loc["mean predictor", "bce"]
    return {"floor": float(floor), "mean_predictor": float(mean), "budget": float(mean - floor)}


def latent_use(
    model: ClusteringVAE,
    data: FeatureSet,
    embedding: Embedding | None = None,
    reconstruction: torch.Tensor | None = None,
) -> dict[str, float]:
    """What a trained model's latents carry on ``data``, per clip: the reconstruction
    under its likelihood (deterministic code), KL_z and its active units (dimensions whose
    mean KL to N(0, I) exceeds 0.01 nats), and KL_y split into I(x; y) and the KL of the
    mean ``q(y|x)`` from uniform. ``embedding`` and ``reconstruction`` of ``data``, when
    the caller has them already, are not computed again."""
    embedding = embed(model, data) if embedding is None else embedding
    mean_kl = gaussian_kl(embedding.z_mean[..., None], embedding.z_logvar[..., None]).mean(dim=0)
    split = kl_y_decomposition(embedding.cluster_probs.numpy())
    return {
        "reconstruction": model_nats(model, data, reconstruction),
        "kl_z": float(mean_kl.sum()),
        "active_units": int((mean_kl > ACTIVE_UNIT_NATS).sum()),
        "kl_y": split["mean_kl"],
        "information_xy": split["mutual_information"],
        "marginal_kl_y": split["marginal_kl"],
        "mean_max_q": float(np.max(embedding.cluster_probs.numpy(), axis=1).mean()),
    }


def model_nats(
    model: ClusteringVAE, data: FeatureSet, reconstruction: torch.Tensor | None = None
) -> float:
    """Nats per clip of the model's deterministic reconstruction under its likelihood."""
    if reconstruction is None:
        reconstruction = model_reconstruction(model, data)
    reconstruction = reconstruction.clamp(1e-6, 1 - 1e-6)
    if model.config.likelihood != "gaussian":
        return nats_per_clip(reconstruction, data, model.config.likelihood)
    log_sigma = model.learned_log_sigma.detach().cpu()
    nll = reconstruction_nll(reconstruction, data.features, data.mask, "gaussian", log_sigma)
    return float(nll.mean())
