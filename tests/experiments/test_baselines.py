import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from catuvac.evaluation.metrics import unsupervised_accuracy
from catuvac.experiments.baselines import KMeansBaseline


def _blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 30)
    features = rng.normal(scale=0.3, size=(90, 2, 3)) + 5 * labels[:, None, None]
    return features, labels


def test_separates_well_separated_blobs():
    features, labels = _blobs()
    model = KMeansBaseline(3).fit(features)
    assert unsupervised_accuracy(labels, model.labels_) == 1.0
    assert model.cluster_centers_.shape == (3, 6)


def test_predict_agrees_with_fit():
    features, _ = _blobs()
    model = KMeansBaseline(3, random_state=1)
    assert np.array_equal(model.fit_predict(features), model.predict(features))


def test_deterministic_for_fixed_random_state():
    features = np.random.default_rng(1).normal(size=(60, 4))
    first = KMeansBaseline(4, random_state=7).fit_predict(features)
    second = KMeansBaseline(4, random_state=7).fit_predict(features)
    assert np.array_equal(first, second)


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="fit"):
        KMeansBaseline(3).predict(np.zeros((4, 2)))


def test_rejects_non_positive_cluster_count():
    with pytest.raises(ValueError, match="n_clusters"):
        KMeansBaseline(0)
