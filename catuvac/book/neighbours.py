"""What a clip's mined neighbours are, read for display after mining: the share of
neighbour pairs that hold the same word, and the same voice. Mining reads neither."""

import numpy as np
from numpy.typing import ArrayLike


def neighbour_shares(neighbours: ArrayLike, labels: ArrayLike, groups: ArrayLike) -> dict:
    """Share of the pairs (clip, one of its mined neighbours ``[N, k]``) whose two clips
    hold the same class (``same class``) and come from the same speaker (``same
    speaker``)."""
    neighbours = np.asarray(neighbours)
    labels, groups = np.asarray(labels), np.asarray(groups)
    return {
        "same class": float(np.mean(labels[neighbours] == labels[:, None])),
        "same speaker": float(np.mean(groups[neighbours] == groups[:, None])),
    }
