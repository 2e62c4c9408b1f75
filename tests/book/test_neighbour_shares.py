"""The share of mined neighbour pairs holding the same class and the same speaker, read
for display after mining."""

import numpy as np
import pytest

from catuvac.book.neighbours import neighbour_shares


def test_shares_count_pairs_by_class_and_by_speaker():
    neighbours = np.array([[1, 2], [0, 2], [3, 0], [2, 1]])
    labels = np.array([0, 0, 1, 1])
    speakers = np.array(["a", "b", "a", "b"])
    shares = neighbour_shares(neighbours, labels, speakers)
    # Pairs: (0,1) (0,2) (1,0) (1,2) (2,3) (2,0) (3,2) (3,1).
    assert shares["same class"] == pytest.approx(4 / 8)
    assert shares["same speaker"] == pytest.approx(3 / 8)
