import pytest
import torch

from catuvac.training.neighbours import mine_neighbours, neighbour_agreement, standardise_columns


def test_neighbours_are_the_nearest_other_rows():
    # Two tight groups of three: each row's two neighbours are the other rows of its group.
    points = torch.tensor([[0.0, 1.0], [0.1, 1.0], [0.2, 1.0], [5.0, 1.0], [5.1, 1.0], [5.2, 1.0]])
    found = mine_neighbours(points, 2)
    assert found.shape == (6, 2)
    for row, neighbours in enumerate(found.tolist()):
        assert row not in neighbours
        assert {n // 3 for n in neighbours} == {row // 3}, (row, neighbours)


def test_standardised_columns_have_zero_mean_unit_variance_and_constants_stay_zero():
    points = torch.tensor([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]])
    out = standardise_columns(points)
    torch.testing.assert_close(out.mean(0), torch.zeros(2))
    assert torch.equal(out[:, 1], torch.zeros(3))
    assert float(out[:, 0].std(unbiased=False)) == pytest.approx(1.0)


def test_mining_refuses_a_k_the_clips_cannot_give():
    with pytest.raises(ValueError, match="0 < k < 3"):
        mine_neighbours(torch.zeros(3, 4), 3)


def test_neighbour_agreement_is_the_share_of_pairs_in_one_cluster():
    neighbours = torch.tensor([[1], [0], [3], [0]])
    clusters = torch.tensor([0, 0, 1, 1])
    assert neighbour_agreement(neighbours, clusters) == pytest.approx(0.75)
