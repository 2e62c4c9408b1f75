"""Clusters and metric spaces of a trained model, K-means or the true labels."""

import numpy as np
import torch

from catuvac.evaluation.metrics import evaluate_clustering
from catuvac.features import FeatureSet
from catuvac.model import ClusteringVAE, Embedding
from catuvac.model.base import embed_batches

SPACES = ("own", "common")
"""The spaces internal metrics are computed in: each method's own, and one shared by all."""


def embed(
    model: ClusteringVAE,
    data: FeatureSet,
    batch_size: int = 128,
    device: torch.device | None = None,
) -> Embedding:
    """Deterministic ``q(y|x)`` (or responsibilities) and z means of every clip."""
    return embed_batches(model, data.features, batch_size, device)


def own_space(method: str, embedding: Embedding | None, data: FeatureSet) -> np.ndarray:
    """The space a method clusters in: ``q(y|x)`` for Cat. UVAC, z means for UVAC,
    the flattened normalised features for K-means and the labels row."""
    if method == "catuvac":
        return embedding.cluster_probs.numpy()
    if method == "uvac":
        return embedding.z_mean.numpy()
    return data.features.flatten(1).numpy()


def score(
    labels: np.ndarray,
    clusters: np.ndarray,
    own: np.ndarray,
    common: np.ndarray,
    n_clusters: int,
    n_classes: int,
) -> dict:
    """The five metrics in the method's own space and in the common space.

    Accuracy and NMI are reported only when the cluster count equals the class count.
    """
    return evaluate_clustering(
        labels,
        clusters,
        dict(zip(SPACES, (own, common), strict=True)),
        with_supervised=n_clusters == n_classes,
    )
