"""Where a number came from: git revision, time and machine, stored with every result."""

import platform
import subprocess
from datetime import UTC, datetime

import torch

from catuvac.paths import PROJECT_ROOT


def git_revision() -> dict:
    """The project's commit and whether the working tree had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "dirty": None}


def environment(device: torch.device | str) -> dict:
    """Machine and library versions a run used, with the ``device`` it ran on (its type:
    ``cpu``, ``cuda``), as the run decided it, not whether the machine has a GPU."""
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": torch.device(device).type,
        "cpu_threads": torch.get_num_threads(),
        "machine": platform.machine(),
    }
