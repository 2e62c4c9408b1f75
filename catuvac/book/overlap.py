"""How much classes overlap in the features (the urban-sound argument): per-band
separability, per-class spectra, and the share of background sounds per class."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike


def band_separability(features: ArrayLike, mask: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Per frequency band, the share of the variance of clip-average energy that the
    class explains (eta squared, between-class / total variance), ``[F]`` in [0, 1].

    Each clip is reduced to its mean over the frames where ``mask`` is True. 1 means the
    band's level alone tells the classes apart; near 0 means the classes overlap fully.
    """
    x = np.asarray(features, dtype=np.float64)
    x = x.reshape(x.shape[0], -1, x.shape[-1])  # [N, F, T]
    m = np.asarray(mask, dtype=np.float64)[:, None, :]
    frames = np.maximum(m.sum(axis=2), 1.0)
    profile = (x * m).sum(axis=2) / frames  # [N, F]
    y = np.asarray(labels).ravel()
    total = profile.var(axis=0)
    means = np.stack([profile[y == c].mean(axis=0) for c in np.unique(y)])
    weights = np.array([np.mean(y == c) for c in np.unique(y)])
    between = (weights[:, None] * (means - profile.mean(axis=0)) ** 2).sum(axis=0)
    return np.divide(between, total, out=np.zeros_like(total), where=total > 0)


def class_profiles(
    features: ArrayLike, mask: ArrayLike, labels: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class: the mean and standard deviation over clips of the clip-average spectrum.

    Returns ``(classes, means [C, F], stds [C, F])``.
    """
    x = np.asarray(features, dtype=np.float64)
    x = x.reshape(x.shape[0], -1, x.shape[-1])
    m = np.asarray(mask, dtype=np.float64)[:, None, :]
    profile = (x * m).sum(axis=2) / np.maximum(m.sum(axis=2), 1.0)
    y = np.asarray(labels).ravel()
    classes = np.unique(y)
    means = np.stack([profile[y == c].mean(axis=0) for c in classes])
    stds = np.stack([profile[y == c].std(axis=0) for c in classes])
    return classes, means, stds


def background_share(clips: Sequence, class_names: Sequence[str]) -> pd.DataFrame:
    """Per class, how many UrbanSound8K clips there are and the share whose labelled sound
    is in the background (official ``salience`` 2) rather than the foreground (1)."""
    rows = []
    for label, name in enumerate(class_names):
        mine = [c for c in clips if c.label == label]
        background = sum(1 for c in mine if c.meta.get("salience") == 2)
        share = background / len(mine) if mine else np.nan
        rows.append({"class": name, "clips": len(mine), "background_share": share})
    return pd.DataFrame(rows).set_index("class")
