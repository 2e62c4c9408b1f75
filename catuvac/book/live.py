"""The first lines of a chapter that trains live: its profile, the book's table style, a
scratch folder for the live runs, what data they use, and the runs themselves: on the
word-aligned input, for at least :data:`LIVE_EPOCHS`, so that a live VAE learns at every
profile (at the smoke profile's own two epochs every VAE ends in one cluster)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from catuvac.book.plots.tables import use_book_tables
from catuvac.experiments.prepare import PreparedData
from catuvac.experiments.profiles import Profile, get_profile
from catuvac.model.base import DEFAULT_CLUSTERS, METHODS
from catuvac.records.store.results import METHOD_NAMES, Result
from catuvac.training.run_spec import RunSpec

LIVE_EPOCHS = 30
"""The fewest epochs a live VAE trains for. Measured on 96 FSDD clips of the word-aligned
log-mel input at the smoke profile, one thread: 30 epochs take about 15 s for the paper's
loss and 20 s for this project's chosen setting, which then uses all 10 clusters."""
LIVE_INPUT = {"features": "word-logmel32", "normaliser": "percentile"}
"""The live runs' input: the word-aligned log-mel features (32 x 32) in the percentile
range, the input of the spoken-digits chapter's last section."""


def live_epochs(profile: Profile) -> int:
    """A live VAE's epochs: the profile's, and at least :data:`LIVE_EPOCHS`."""
    return max(profile.epochs, LIVE_EPOCHS)


def live_spec(dataset: str, method: str, profile: Profile, **options) -> RunSpec:
    """A live run of ``method`` on ``dataset``'s word-aligned input (:data:`LIVE_INPUT`),
    seed 0, K = 10, at ``profile``; a VAE for :func:`live_epochs`."""
    epochs = live_epochs(profile) if method in METHODS else None
    return RunSpec(
        dataset, method, DEFAULT_CLUSTERS, 0, profile.name, epochs=epochs, **LIVE_INPUT, **options
    )


def live_version(result: Result, profile: Profile) -> RunSpec:
    """A stored run's setting as a live run: its options, seed 0, at ``profile`` for
    :func:`live_epochs`."""
    return replace(result.run_spec, seed=0, profile=profile.name, epochs=live_epochs(profile))


def live_setup() -> tuple[Profile, Path]:
    """The profile (``CATUVAC_PROFILE``, printed) and a temporary folder for the live runs'
    checkpoints, never ``runs/`` or ``results/``; tables take the book's style."""
    profile = get_profile()
    print(f"profile {profile.name}: {profile.epochs} epochs, batch {profile.batch_size}")
    use_book_tables()  # tables without index columns, with readable headers
    return profile, Path(tempfile.mkdtemp(prefix="catuvac-runs-"))


def subset_lines(data: PreparedData) -> str:
    """What the live runs train and score on, a line per field, the dataset folder named
    under ``$CATUVAC_DATA`` so the page reads the same on every machine."""
    description = data.subset_description()
    description["root"] = "$CATUVAC_DATA/" + str(description["root"]).rsplit("/", 1)[-1]
    return "\n".join(f"{key:18s} {value}" for key, value in description.items())


CHOSEN_PANEL = "Cat. UVAC, chosen setting"


def live_panels(runs: Iterable[Result], chosen: Result | None) -> dict[str, tuple]:
    """The panels of a live confusion row: each clustering method's (labels, clusters) on
    the test clips under its name, then the chosen setting's when it was trained."""
    shown = [(METHOD_NAMES[r.method], r) for r in runs if r.method != "labels"]
    if chosen is not None:
        shown.append((CHOSEN_PANEL, chosen))
    arrays = {name: r.arrays() for name, r in shown}
    return {name: (a["labels"], a["clusters"]) for name, a in arrays.items()}
