"""Run scales selected with one switch, ``CATUVAC_PROFILE``: smoke, cpu or paper."""

import os
from dataclasses import dataclass

from catuvac.errors import unknown_option
from catuvac.training.schedules import LR_END, LR_START

LONG_LR_END = 1e-4
"""The long profile's last learning rate (see its entry in :data:`PROFILES`)."""


@dataclass(frozen=True)
class Profile:
    """How much data, how many epochs and what batch size a run uses.

    ``max_train_clips`` / ``max_test_clips`` of ``None`` mean the whole split. The learning
    rate decays exponentially from ``lr_start`` to ``lr_end`` over the profile's epochs.
    ``reproduction`` is False for a profile made for a study beyond the paper: its runs
    never enter the reproduction of Table I.
    """

    name: str
    max_train_clips: int | None
    max_test_clips: int | None
    epochs: int
    batch_size: int
    checkpoint_every: int
    lr_start: float = LR_START
    lr_end: float = LR_END
    reproduction: bool = True

    def max_clips(self, split: str) -> int | None:
        """How many clips of ``split`` ("train" or "test") the profile's runs use."""
        return self.max_train_clips if split == "train" else self.max_test_clips


PROFILES: dict[str, Profile] = {
    # CI and quick looks: every notebook runs in about a minute on 2 CPU cores.
    "smoke": Profile("smoke", 96, 64, epochs=2, batch_size=32, checkpoint_every=1),
    # All offline data, ten epochs: the whole Table I grid and temperature sweep take
    # hours on 2 CPU cores (one Cat. UVAC epoch of FSDD is about a minute).
    "cpu": Profile("cpu", None, None, epochs=10, batch_size=64, checkpoint_every=2),
    # Long enough to learn on 2 CPU cores: 30 epochs with the rate ending at 1e-4, not 1e-5
    # (squeezed into 10 epochs, the 100x decay is below 1e-4 from epoch 6 on and the model
    # stops learning before it has started). Measured with two runs on two cores: about
    # 12 minutes for the Arabic digits or UrbanSound8K, 20 for FSDD's 2700 clips.
    "long": Profile(
        "long",
        None,
        None,
        epochs=30,
        batch_size=64,
        checkpoint_every=5,
        lr_end=LONG_LR_END,
        reproduction=False,
    ),
    # The paper's 500 epochs, meant for a GPU.
    "paper": Profile("paper", None, None, epochs=500, batch_size=128, checkpoint_every=25),
}

DEFAULT_PROFILE = "smoke"


def get_profile(name: str | None = None) -> Profile:
    """Return the named profile, or the one ``CATUVAC_PROFILE`` selects (default smoke)."""
    chosen = name or os.environ.get("CATUVAC_PROFILE") or DEFAULT_PROFILE
    if chosen not in PROFILES:
        raise unknown_option("profile", chosen, list(PROFILES))
    return PROFILES[chosen]
