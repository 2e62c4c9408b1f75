"""How many clusters a clustering really uses: counts, entropy, the two parts of the
categorical KL, per-epoch usage of a training history, and example clips per cluster.

Everything here works on plain arrays or training histories (lists of per-epoch dicts as
:func:`catuvac.training.trainer.train` returns them), so it runs without a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


def _usage(usage: ArrayLike) -> np.ndarray:
    counts = np.asarray(usage, dtype=np.float64).ravel()
    if counts.size == 0:
        raise ValueError("cluster usage is empty: expected one count per cluster")
    if np.any(counts < 0):
        raise ValueError(f"cluster usage counts must not be negative; got {counts.tolist()}")
    if counts.sum() == 0:
        raise ValueError("cluster usage has no samples (all counts are zero)")
    return counts


def cluster_usage(clusters: ArrayLike, n_clusters: int) -> np.ndarray:
    """Counts of hard assignments per cluster, ``[n_clusters]`` (empty clusters count 0)."""
    assigned = np.asarray(clusters, dtype=np.int64).ravel()
    if assigned.size and (assigned.min() < 0 or assigned.max() >= n_clusters):
        raise ValueError(f"cluster ids must lie in [0, {n_clusters - 1}]")
    return np.bincount(assigned, minlength=n_clusters)


def clusters_used(usage: ArrayLike, min_share: float = 0.0) -> int:
    """Number of clusters holding more than ``min_share`` of the samples (default: any)."""
    counts = _usage(usage)
    return int(np.sum(counts / counts.sum() > min_share))


def usage_entropy(usage: ArrayLike, normalised: bool = False) -> float:
    """Entropy of the cluster-usage distribution in nats, ``-sum p_k log p_k``.

    ``log K`` when every cluster holds the same number of samples, 0 when one cluster
    holds them all (total collapse). ``normalised=True`` divides by ``log K`` (range [0, 1]).
    """
    counts = _usage(usage)
    p = counts[counts > 0] / counts.sum()
    entropy = float(-(p * np.log(p)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0
    if normalised:
        return entropy / float(np.log(counts.size)) if counts.size > 1 else 0.0
    return entropy


def effective_clusters(usage: ArrayLike) -> float:
    """``exp(entropy)``: the number of equally used clusters with the same entropy."""
    return float(np.exp(usage_entropy(usage)))


def usage_summary(usage: ArrayLike) -> dict[str, float]:
    """Clusters used, usage entropy (nats and normalised), effective clusters, largest share."""
    counts = _usage(usage)
    return {
        "clusters": int(counts.size),
        "clusters_used": clusters_used(counts),
        "entropy": usage_entropy(counts),
        "entropy_normalised": usage_entropy(counts, normalised=True),
        "effective_clusters": effective_clusters(counts),
        "largest_share": float(counts.max() / counts.sum()),
    }


def kl_y_decomposition(cluster_probs: ArrayLike, eps: float = 1e-12) -> dict[str, float]:
    """Split the mean categorical KL to the uniform prior into its two parts (nats):

    ``mean_x KL(q(y|x) || U) = I(x; y) + KL(q(y) || U)``, where ``q(y)`` is the average of
    ``q(y|x)`` over the clips. ``mutual_information`` is high when each clip is assigned
    confidently; ``marginal_kl`` is high when the clips pile into few clusters (collapse).
    Returns ``{"mean_kl", "mutual_information", "marginal_kl"}`` for ``[N, K]`` probabilities.
    """
    q = np.asarray(cluster_probs, dtype=np.float64)
    if q.ndim != 2:
        raise ValueError(f"cluster_probs must be [N, K]; got shape {q.shape}")
    k = q.shape[1]
    log_q = np.log(q + eps)
    marginal = q.mean(axis=0)
    mean_kl = float((q * (log_q + np.log(k))).sum(axis=1).mean())
    marginal_kl = float((marginal * (np.log(marginal + eps) + np.log(k))).sum())
    information = float((q * (log_q - np.log(marginal + eps)[None, :])).sum(axis=1).mean())
    return {"mean_kl": mean_kl, "mutual_information": information, "marginal_kl": marginal_kl}


def usage_matrix(history: Sequence[dict]) -> np.ndarray:
    """Per-epoch cluster usage of a training history as an ``[epochs, K]`` array."""
    if not history:
        raise ValueError("the training history is empty")
    return np.array([record["cluster_usage"] for record in history], dtype=np.int64)


def history_frame(history: Sequence[dict]) -> pd.DataFrame:
    """One row per epoch: the loss terms, tau, learning rate and the usage summary."""
    rows = []
    for record in history:
        row = {
            key: record[key]
            for key in ("epoch", "loss", "reconstruction", "kl_z", "kl_y", "tau", "lr")
        }
        summary = usage_summary(record["cluster_usage"])
        row.update(
            clusters_used=summary["clusters_used"],
            usage_entropy=summary["entropy"],
            largest_share=summary["largest_share"],
        )
        rows.append(row)
    return pd.DataFrame(rows).set_index("epoch")


def examples_per_cluster(
    clusters: ArrayLike, n_per_cluster: int = 2, seed: int = 0
) -> dict[int, list[int]]:
    """Up to ``n_per_cluster`` sample positions drawn at random from each non-empty cluster,
    ordered by cluster size (largest first); reproducible through ``seed``."""
    assigned = np.asarray(clusters).ravel()
    rng = np.random.default_rng(seed)
    ids, counts = np.unique(assigned, return_counts=True)
    chosen = {}
    for cluster in ids[np.argsort(-counts, kind="stable")]:
        members = np.flatnonzero(assigned == cluster)
        take = min(n_per_cluster, members.size)
        chosen[int(cluster)] = sorted(rng.choice(members, size=take, replace=False).tolist())
    return chosen
