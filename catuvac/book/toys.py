"""A toy for the metrics chapter: softmax outputs of fixed clusters at decreasing
temperature, scored in the probability space and in the input space."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from catuvac.evaluation.metrics import INTERNAL_METRIC_NAMES, internal_metrics


def toy_softmax_clusters(
    n_per_cluster: int = 60,
    n_clusters: int = 5,
    dim: int = 16,
    separation: float = 0.6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlapping Gaussian blobs and a fixed linear "encoder" to ``n_clusters`` logits.

    Returns ``(points [N, dim], logits [N, n_clusters], labels [N])``. The logits are the
    negative squared distances to the blob centres, so ``softmax(logits / T)`` is a soft
    assignment whose argmax does not depend on the temperature ``T``.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=separation, size=(n_clusters, dim))
    labels = np.repeat(np.arange(n_clusters), n_per_cluster)
    points = centres[labels] + rng.normal(size=(labels.size, dim))
    logits = -((points[:, None, :] - centres[None]) ** 2).sum(axis=2) / dim
    return points, logits, labels


def softmax(logits: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """Row-wise ``softmax(logits / temperature)``, computed stably."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def temperature_sweep(
    points: ArrayLike, logits: ArrayLike, temperatures: Sequence[float]
) -> pd.DataFrame:
    """Silhouette, DBI and CHI of the argmax clustering, in the probability space
    ``softmax(logits / T)`` and in the fixed input space, for each temperature ``T``.

    The clustering is the same at every temperature; only the probability space changes.
    """
    clusters = np.asarray(logits).argmax(axis=1)
    fixed = internal_metrics(np.asarray(points), clusters)
    rows = []
    for t in temperatures:
        probs = softmax(logits, t)
        in_probs = internal_metrics(probs, clusters)
        for name in INTERNAL_METRIC_NAMES:
            rows.append(
                {
                    "temperature": t,
                    "metric": name,
                    "space": "probabilities",
                    "value": in_probs[name],
                }
            )
            rows.append(
                {"temperature": t, "metric": name, "space": "input (common)", "value": fixed[name]}
            )
    return pd.DataFrame(rows)
