"""Annealing schedules for the Gumbel-Softmax temperature and the learning rate.

The paper anneals tau monotonically from 1.0 to 0.5 and decays the learning rate
exponentially over all epochs, without giving the schedule's shape or the learning-rate
values. Every schedule in catuvac (training loop, book plots) goes through `anneal`.
"""

from __future__ import annotations

from catuvac.errors import unknown_option

SCHEDULE_SHAPES: tuple[str, ...] = ("exponential", "linear")
PAPER_TAU_START = 1.0
PAPER_TAU_END = 0.5
"""The paper's Gumbel-Softmax temperatures, first and last epoch (section III-D)."""
LR_START = 1e-3
LR_END = 1e-5
"""Adam's learning rate, first and last epoch: the paper states both (section III-D) but
their values were lost from its text; these are catuvac's documented defaults."""


def anneal(start: float, end: float, progress: float, shape: str = "exponential") -> float:
    """Value between `start` (progress 0) and `end` (progress 1).

    "exponential" interpolates geometrically, ``start * (end / start) ** progress``, so each
    step multiplies by the same factor (both ends must be positive); "linear" interpolates
    arithmetically. Both are monotone in `progress` and hit the ends exactly.
    """
    if not 0.0 <= progress <= 1.0:
        raise ValueError(f"progress must lie in [0, 1]; got {progress}")
    if shape not in SCHEDULE_SHAPES:
        raise unknown_option("schedule shape", shape, SCHEDULE_SHAPES)
    if shape == "exponential" and (start <= 0.0 or end <= 0.0):
        raise ValueError(
            f"an exponential schedule needs positive start and end; got {start} and {end}"
        )
    if progress == 1.0:  # exact end value, free of rounding in the formulas below
        return float(end)
    if shape == "linear":
        return float(start + (end - start) * progress)
    return float(start * (end / start) ** progress)


def _progress(epoch: int, n_epochs: int) -> float:
    """Fraction of training done at `epoch`: 0 at the first epoch, 1 at the last.

    A single-epoch run trains at the final value (progress 1), so its recorded
    temperature is the schedule's end, as for every other run.
    """
    if n_epochs < 1:
        raise ValueError(f"n_epochs must be at least 1; got {n_epochs}")
    if not 0 <= epoch < n_epochs:
        raise ValueError(f"epoch must lie in [0, {n_epochs - 1}]; got {epoch}")
    return 1.0 if n_epochs == 1 else epoch / (n_epochs - 1)


def temperature(
    epoch: int,
    n_epochs: int,
    start: float = 1.0,
    end: float = 0.5,
    shape: str = "exponential",
) -> float:
    """Gumbel-Softmax temperature for a 0-based `epoch` out of `n_epochs`.

    Epoch 0 uses `start` and the last epoch uses `end` (with one epoch: `end`). Defaults
    follow the paper (1.0 -> 0.5) and jariasf/GMVAE's exponential shape.
    """
    return anneal(start, end, _progress(epoch, n_epochs), shape)


def learning_rate(epoch: int, n_epochs: int, start: float = LR_START, end: float = LR_END) -> float:
    """Learning rate for a 0-based `epoch`, decaying exponentially from `start` to `end`
    (:data:`LR_START`, :data:`LR_END`)."""
    return anneal(start, end, _progress(epoch, n_epochs), "exponential")
