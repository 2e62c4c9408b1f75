"""A q(y|x) that starts where K-means is: the categorical encoder learns to predict
K-means' clusters, so that the objective that follows refines a clustering as good as
K-means' instead of building one from a random start. The clusters are K-means' of the
input before the VAE's epochs (DeepCluster's first round, Caron et al. 2018), or of the
z means after the VAE's first epochs (the start of VaDE, Jiang et al. 2017, and DEC, Xie
et al. 2016: y starts where z already is). No label is read."""

import torch
import torch.nn.functional as F
from sklearn.cluster import KMeans

from catuvac.features import FeatureSet
from catuvac.model import ClusteringVAE
from catuvac.model.base import embed_batches

KMEANS_RESTARTS = 10  # scikit-learn's n_init, as the K-means baseline uses


def kmeans_targets(features: torch.Tensor, n_clusters: int, seed: int) -> torch.Tensor:
    """K-means' cluster of each clip of ``features`` ``[N, ...]``, flattened as the
    K-means baseline flattens them (here in the features' own float32, not the baseline's
    float64), fitted with ``seed``."""
    flat = features.reshape(len(features), -1).numpy()
    kmeans = KMeans(n_clusters, n_init=KMEANS_RESTARTS, random_state=seed).fit(flat)
    return torch.as_tensor(kmeans.labels_, dtype=torch.long)


def fit_assignments(
    model: ClusteringVAE,
    features: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    device: torch.device,
) -> list[float]:
    """Train ``q(y|x)`` (``model.assign``) for ``epochs`` passes of cross-entropy against
    ``targets`` (one cluster per clip), with an optimiser of its own; each pass's mean
    cross-entropy."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    history = []
    for _ in range(epochs):
        total = 0.0
        for index in torch.randperm(len(features), generator=generator).split(batch_size):
            probs = model.assign(features[index].to(device))
            loss = F.nll_loss(probs.clamp_min(1e-8).log(), targets[index].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(index)
        history.append(total / len(features))
    return history


def warm_start_clusters(
    model: ClusteringVAE,
    data: FeatureSet,
    batch_size: int,
    lr: float,
    seed: int,
    device: torch.device,
) -> dict:
    """:func:`fit_assignments`, for the model's ``pseudo_label_epochs``, to
    :func:`kmeans_targets` of the training clips in its ``pseudo_label_space``
    (``features``, or ``z``: the model's z means now); returns each pass's mean
    ``cross_entropy`` and the ``kmeans_agreement``, the share of clips whose argmax is
    their K-means cluster (where the VAE's epochs go on from)."""
    config = model.config
    if config.pseudo_label_space == "z":
        source = embed_batches(model, data.features, device=device).z_mean
    else:
        source = data.features
    targets = kmeans_targets(source, config.n_clusters, seed)
    epochs = config.pseudo_label_epochs
    history = fit_assignments(model, data.features, targets, epochs, batch_size, lr, seed, device)
    clusters = embed_batches(model, data.features, device=device).clusters
    return {
        "cross_entropy": history,
        "kmeans_agreement": float((clusters == targets).double().mean()),
    }
