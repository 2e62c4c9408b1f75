"""Where catuvac finds data and writes caches, checkpoints and results."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Where the data are when ``CATUVAC_DATA`` is not set: ``shared/data`` beside the
#: repository (the offline copies). The Makefile, ``.ci/run`` and the tests use this too.
DEFAULT_DATA_ROOT = PROJECT_ROOT.parent / "shared" / "data"


def data_root() -> Path:
    """Root folder holding one subfolder per dataset (``CATUVAC_DATA``, default
    :data:`DEFAULT_DATA_ROOT`, ``../shared/data`` from the repository)."""
    return Path(os.environ.get("CATUVAC_DATA", DEFAULT_DATA_ROOT)).expanduser().resolve()


def cache_dir() -> Path:
    """Feature cache folder (``CATUVAC_CACHE``, default ``./.cache/features``)."""
    default = PROJECT_ROOT / ".cache" / "features"
    return Path(os.environ.get("CATUVAC_CACHE", default)).expanduser().resolve()


def runs_dir() -> Path:
    """Checkpoints and histories of training runs (``CATUVAC_RUNS``, default ``./runs``)."""
    return Path(os.environ.get("CATUVAC_RUNS", PROJECT_ROOT / "runs")).expanduser().resolve()


def results_dir() -> Path:
    """Result JSON files committed with the project (``CATUVAC_RESULTS``, default ``./results``)."""
    return Path(os.environ.get("CATUVAC_RESULTS", PROJECT_ROOT / "results")).expanduser().resolve()
