"""The first lines of a chapter that trains live: its profile, the book's table style, a
scratch folder for the live runs, and what data they use."""

from __future__ import annotations

import tempfile
from pathlib import Path

from catuvac.book.plots.tables import use_book_tables
from catuvac.experiments.prepare import PreparedData
from catuvac.experiments.profiles import Profile, get_profile


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
