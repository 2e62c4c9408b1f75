import math

import pytest

from catuvac.errors import UnknownOptionError
from catuvac.training.schedules import SCHEDULE_SHAPES, anneal, learning_rate, temperature


@pytest.mark.parametrize("shape", SCHEDULE_SHAPES)
def test_anneal_hits_both_ends_exactly(shape):
    assert anneal(1.0, 0.5, 0.0, shape) == 1.0
    assert anneal(1.0, 0.5, 1.0, shape) == 0.5


def test_exponential_and_linear_differ_in_the_middle():
    assert anneal(1.0, 0.5, 0.5, "linear") == pytest.approx(0.75)
    assert anneal(1.0, 0.5, 0.5, "exponential") == pytest.approx(math.sqrt(0.5))


def test_exponential_has_constant_ratio():
    values = [anneal(1e-3, 1e-5, p / 4) for p in range(5)]
    ratios = [b / a for a, b in zip(values, values[1:], strict=False)]
    assert ratios == pytest.approx([0.1**0.5] * 4)


@pytest.mark.parametrize("shape", SCHEDULE_SHAPES)
def test_temperature_is_monotone_from_start_to_end(shape):
    taus = [temperature(e, 50, shape=shape) for e in range(50)]
    assert taus[0] == 1.0
    assert taus[-1] == 0.5
    assert all(a > b for a, b in zip(taus, taus[1:], strict=False))


def test_learning_rate_decays_exponentially():
    rates = [learning_rate(e, 11) for e in range(11)]
    assert rates[0] == 1e-3
    assert rates[-1] == 1e-5
    assert rates[5] == pytest.approx(1e-4)


def test_single_epoch_uses_the_end_value():
    assert temperature(0, 1) == 0.5
    assert learning_rate(0, 1) == 1e-5


def test_bad_arguments_raise():
    with pytest.raises(UnknownOptionError, match="cosine"):
        anneal(1.0, 0.5, 0.5, "cosine")
    with pytest.raises(ValueError, match="progress"):
        anneal(1.0, 0.5, 1.5)
    with pytest.raises(ValueError, match="positive"):
        anneal(1.0, 0.0, 0.5)
    with pytest.raises(ValueError, match="epoch"):
        temperature(10, 10)
    with pytest.raises(ValueError, match="n_epochs"):
        learning_rate(0, 0)
