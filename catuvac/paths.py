"""Where catuvac finds data and writes caches, checkpoints and results."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """Root folder holding one subfolder per dataset (``CATUVAC_DATA``, default ``./data``)."""
    return Path(os.environ.get("CATUVAC_DATA", PROJECT_ROOT / "data")).expanduser().resolve()


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
