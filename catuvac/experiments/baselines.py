"""The K-means baseline of Table I, with scikit-learn's fit/predict habits."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError


def _flatten(features: np.ndarray) -> np.ndarray:
    return np.asarray(features, dtype=np.float64).reshape(len(features), -1)


class KMeansBaseline:
    """K-means on flattened features, as in the paper (normalised spectrograms [N, ...]).

    Any input shape [N, ...] is flattened to [N, prod(...)] before clustering; the
    clustering space is therefore the raw normalised feature space.
    """

    def __init__(self, n_clusters: int, random_state: int = 0, n_init: int = 10) -> None:
        if n_clusters < 1:
            raise ValueError(f"n_clusters must be at least 1; got {n_clusters}")
        self.n_clusters = n_clusters
        self.random_state = random_state
        self.n_init = n_init
        self._kmeans: KMeans | None = None

    def fit(self, features: np.ndarray) -> KMeansBaseline:
        """Cluster `features`; the assignments land in `labels_`."""
        self._kmeans = KMeans(
            n_clusters=self.n_clusters, n_init=self.n_init, random_state=self.random_state
        ).fit(_flatten(features))
        self.labels_: np.ndarray = self._kmeans.labels_
        self.cluster_centers_: np.ndarray = self._kmeans.cluster_centers_
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Index of the nearest fitted centre for each sample of `features` [N, ...]."""
        if self._kmeans is None:
            raise NotFittedError("KMeansBaseline is not fitted yet: call fit(features) first")
        return self._kmeans.predict(_flatten(features))

    def fit_predict(self, features: np.ndarray) -> np.ndarray:
        """Fit on `features` and return their cluster assignments."""
        return self.fit(features).labels_
