"""Nearest neighbours mined without labels: the second view of SCAN's consistency term.

Clips close together in a pretext space (the standardised input features, or a model's z
means) mostly hold the same word; pairing a clip with one of them teaches ``q(y|x)`` what
should not change its cluster better than an augmentation of the clip alone.
"""

import torch

CHUNK = 1024  # rows of the distance matrix computed at once


def standardise_columns(points: torch.Tensor) -> torch.Tensor:
    """``points`` ``[N, D]`` with each column at zero mean and unit variance (a constant
    column stays 0), so that no dimension's scale decides the distances."""
    std = points.std(dim=0, unbiased=False).clamp_min(1e-8)
    return (points - points.mean(dim=0)) / std


def mine_neighbours(points: torch.Tensor, k: int) -> torch.Tensor:
    """``[N, k]`` indices of each row's ``k`` nearest other rows of ``points`` ``[N, ...]``
    (Euclidean distance between standardised flattened rows; a row is never its own
    neighbour)."""
    flat = standardise_columns(points.reshape(len(points), -1).double())
    if not 0 < k < len(flat):
        raise ValueError(f"need 0 < k < {len(flat)} clips to mine neighbours; got k = {k}")
    found = []
    for start in range(0, len(flat), CHUNK):
        distances = torch.cdist(flat[start : start + CHUNK], flat)
        rows = torch.arange(start, start + len(distances))
        distances[torch.arange(len(distances)), rows] = torch.inf
        found.append(distances.topk(k, dim=1, largest=False).indices)
    return torch.cat(found)


def neighbour_agreement(neighbours: torch.Tensor, clusters: torch.Tensor) -> float:
    """Share of mined neighbour pairs that fall in the same cluster: label-free, high when
    the clusters respect the neighbourhoods of the pretext space."""
    return float((clusters[neighbours] == clusters[:, None]).double().mean())
