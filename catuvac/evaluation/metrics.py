"""The paper's five clustering metrics (section III-B) and the spaces they are computed in.

Accuracy and NMI compare clusters with labels; silhouette, Davies-Bouldin and
Calinski-Harabasz judge the geometry of a clustering in some feature space. The paper
does not say which space, so callers pass several (each method's own space and one
`common_space` shared by all methods) and `evaluate_clustering` scores each.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import PCA
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    normalized_mutual_info_score,
    silhouette_score,
)

SUPERVISED_METRIC_NAMES: tuple[str, ...] = ("accuracy", "nmi")
INTERNAL_METRIC_NAMES: tuple[str, ...] = ("silhouette", "davies_bouldin", "calinski_harabasz")
METRIC_NAMES: tuple[str, ...] = SUPERVISED_METRIC_NAMES + INTERNAL_METRIC_NAMES

SILHOUETTE_MAX_SAMPLES = 5000
"""Silhouette costs O(N^2): above this many samples it is estimated on a fixed random
subset of this size (``random_state=0``), so repeated evaluations agree."""


def _label_pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    true, pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if true.size != pred.size:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}")
    if true.size == 0:
        raise ValueError("cannot score an empty clustering")
    return true, pred


def contingency_table(true: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, ...]:
    """Counts[cluster, label] with the sorted distinct clusters and labels."""
    clusters, cluster_idx = np.unique(pred, return_inverse=True)
    labels, label_idx = np.unique(true, return_inverse=True)
    counts = np.zeros((clusters.size, labels.size), dtype=np.int64)
    np.add.at(counts, (cluster_idx, label_idx), 1)
    return counts, clusters, labels


def hungarian_mapping(y_true: ArrayLike, y_pred: ArrayLike) -> dict[int, int]:
    """One-to-one map cluster -> label that maximises the number of agreeing samples.

    Solved with `scipy.optimize.linear_sum_assignment` on the contingency table. With more
    clusters than labels the extra clusters are left out of the map (their samples count
    as errors); with fewer, some labels receive no cluster.
    """
    counts, clusters, labels = contingency_table(*_label_pair(y_true, y_pred))
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return {clusters[r].item(): labels[c].item() for r, c in zip(rows, cols, strict=True)}


def unsupervised_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Fraction of samples whose cluster maps to their label under `hungarian_mapping`."""
    true, pred = _label_pair(y_true, y_pred)
    counts, _, _ = contingency_table(true, pred)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / true.size)


def matched_confusion(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """Confusion matrix after Hungarian matching, for plots.

    Rows are the sorted true labels. Column j holds the cluster matched to the j-th label
    (all zeros if none was), so a perfect clustering is diagonal; clusters left unmatched
    (more clusters than labels) follow as extra columns in sorted cluster order.
    """
    counts, clusters, labels = contingency_table(*_label_pair(y_true, y_pred))
    rows, cols = linear_sum_assignment(counts, maximize=True)
    matched = np.zeros((labels.size, labels.size), dtype=np.int64)
    matched[:, cols] = counts[rows].T
    unmatched = np.setdiff1d(np.arange(clusters.size), rows)
    return np.concatenate([matched, counts[unmatched].T], axis=1)


def nmi(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Normalised mutual information (scikit-learn, arithmetic normalisation)."""
    return float(normalized_mutual_info_score(*_label_pair(y_true, y_pred)))


def internal_metrics(space: np.ndarray, y_pred: ArrayLike) -> dict[str, float]:
    """Silhouette, Davies-Bouldin and Calinski-Harabasz of `y_pred` in `space` [N, ...].

    All three are undefined with fewer than 2 distinct clusters or one cluster per sample:
    they are then NaN rather than an error, so a collapsed run still yields a table row.
    Silhouette uses every sample up to `SILHOUETTE_MAX_SAMPLES`, a fixed subset above.
    """
    points = np.asarray(space).reshape(len(space), -1)
    pred = np.asarray(y_pred).ravel()
    if points.shape[0] != pred.size:
        raise ValueError(f"space has {points.shape[0]} samples but y_pred has {pred.size}")
    n_clusters = np.unique(pred).size
    if n_clusters < 2 or n_clusters >= pred.size:
        return dict.fromkeys(INTERNAL_METRIC_NAMES, float("nan"))
    sample_size = SILHOUETTE_MAX_SAMPLES if pred.size > SILHOUETTE_MAX_SAMPLES else None
    return {
        "silhouette": float(
            silhouette_score(points, pred, sample_size=sample_size, random_state=0)
        ),
        "davies_bouldin": float(davies_bouldin_score(points, pred)),
        "calinski_harabasz": float(calinski_harabasz_score(points, pred)),
    }


def common_space(features: np.ndarray, n_components: int = 32, random_state: int = 0) -> np.ndarray:
    """PCA projection of flattened (already normalised) features [N, ...] -> [N, n].

    One space shared by all methods, so their internal metrics are comparable.
    `n_components` is capped at min(n_samples, n_features).
    """
    flat = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
    n = min(n_components, *flat.shape)
    return PCA(n_components=n, random_state=random_state).fit_transform(flat)


def evaluate_clustering(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    spaces: Mapping[str, np.ndarray],
    with_supervised: bool = True,
) -> dict[str, float | None | dict[str, float]]:
    """All metrics of one clustering: accuracy, NMI and the internal metrics per space.

    Returns ``{"accuracy": a, "nmi": n, "<space>": {"silhouette": ..., ...}, ...}``.
    Accuracy and NMI are None when `with_supervised` is False: the paper reports them only
    when the number of clusters equals the number of classes.
    """
    clash = set(spaces) & set(SUPERVISED_METRIC_NAMES)
    if clash:
        raise ValueError(f"space names must differ from {SUPERVISED_METRIC_NAMES}; got {clash}")
    result: dict[str, float | None | dict[str, float]] = {"accuracy": None, "nmi": None}
    if with_supervised:
        if y_true is None:
            raise ValueError("y_true is needed when with_supervised is True")
        result["accuracy"] = unsupervised_accuracy(y_true, y_pred)
        result["nmi"] = nmi(y_true, y_pred)
    for name, space in spaces.items():
        result[name] = internal_metrics(space, y_pred)
    return result
