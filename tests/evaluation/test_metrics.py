import math

import numpy as np
import pytest
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from catuvac.evaluation.metrics import (
    INTERNAL_METRIC_NAMES,
    METRIC_NAMES,
    common_space,
    evaluate_clustering,
    hungarian_mapping,
    internal_metrics,
    matched_confusion,
    nmi,
    unsupervised_accuracy,
)

Y_TRUE = np.array([0, 0, 0, 1, 1, 1])
Y_PRED = np.array([1, 1, 0, 0, 0, 0])


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), 20)
    points = rng.normal(size=(60, 4)) + 10 * labels[:, None]
    return points, labels


def test_permuted_perfect_clustering_scores_one():
    y_true = np.array([0, 0, 1, 1, 2, 2, 3])
    y_pred = np.array([7, 7, 2, 2, 5, 5, 0])
    assert unsupervised_accuracy(y_true, y_pred) == 1.0
    assert nmi(y_true, y_pred) == pytest.approx(1.0)
    assert hungarian_mapping(y_true, y_pred) == {7: 0, 2: 1, 5: 2, 0: 3}


def test_hand_computed_toy_case():
    assert hungarian_mapping(Y_TRUE, Y_PRED) == {0: 1, 1: 0}
    assert unsupervised_accuracy(Y_TRUE, Y_PRED) == pytest.approx(5 / 6)
    assert matched_confusion(Y_TRUE, Y_PRED).tolist() == [[2, 1], [0, 3]]


def test_more_clusters_than_labels():
    y_true = [0, 0, 0, 1, 1, 1]
    y_pred = [0, 0, 2, 1, 1, 3]
    assert hungarian_mapping(y_true, y_pred) == {0: 0, 1: 1}
    assert unsupervised_accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    # matched columns for labels 0 and 1, then unmatched clusters 2 and 3
    assert matched_confusion(y_true, y_pred).tolist() == [[2, 0, 1, 0], [0, 2, 0, 1]]


def test_fewer_clusters_than_labels():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [5, 5, 5, 5, 9, 9]
    mapping = hungarian_mapping(y_true, y_pred)
    assert mapping[9] == 2 and mapping[5] in (0, 1)
    assert unsupervised_accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    assert matched_confusion(y_true, y_pred).sum() == 6


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match="y_pred has 2"):
        unsupervised_accuracy([0, 1, 1], [0, 1])


def test_internal_metrics_match_sklearn():
    points, labels = _blobs()
    scores = internal_metrics(points, labels)
    assert scores["silhouette"] == pytest.approx(silhouette_score(points, labels))
    assert scores["davies_bouldin"] == pytest.approx(davies_bouldin_score(points, labels))
    assert scores["calinski_harabasz"] == pytest.approx(calinski_harabasz_score(points, labels))


def test_internal_metrics_flatten_the_space():
    points, labels = _blobs()
    assert internal_metrics(points.reshape(60, 2, 2), labels) == internal_metrics(points, labels)


@pytest.mark.parametrize("y_pred", [np.zeros(6, int), np.arange(6)])
def test_internal_metrics_are_nan_when_undefined(y_pred):
    scores = internal_metrics(np.random.default_rng(0).normal(size=(6, 3)), y_pred)
    assert set(scores) == set(INTERNAL_METRIC_NAMES)
    assert all(math.isnan(v) for v in scores.values())


def test_silhouette_is_subsampled_deterministically_on_large_sets():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=5200)
    points = rng.normal(size=(5200, 2)) + 3 * labels[:, None]
    first, second = internal_metrics(points, labels), internal_metrics(points, labels)
    assert first == second
    assert first["silhouette"] == pytest.approx(silhouette_score(points, labels), abs=0.02)


def test_common_space_caps_components():
    features = np.random.default_rng(0).normal(size=(10, 3, 4))
    assert common_space(features).shape == (10, 10)
    assert common_space(features, n_components=5).shape == (10, 5)
    assert np.array_equal(common_space(features), common_space(features))


def test_evaluate_clustering_reports_every_space():
    points, labels = _blobs()
    pred = (labels + 1) % 3
    result = evaluate_clustering(labels, pred, {"own": points, "common": common_space(points)})
    assert result["accuracy"] == 1.0
    assert result["nmi"] == pytest.approx(1.0)
    assert set(result["own"]) == set(INTERNAL_METRIC_NAMES)
    assert result["own"] == internal_metrics(points, pred)
    assert set(METRIC_NAMES) == {"accuracy", "nmi", *INTERNAL_METRIC_NAMES}


def test_evaluate_clustering_without_labels():
    points, labels = _blobs()
    result = evaluate_clustering(None, labels, {"own": points}, with_supervised=False)
    assert result["accuracy"] is None and result["nmi"] is None
    assert result["own"]["silhouette"] > 0.8


def test_evaluate_clustering_rejects_clashing_space_names():
    points, labels = _blobs()
    with pytest.raises(ValueError, match="space names"):
        evaluate_clustering(labels, labels, {"accuracy": points})
