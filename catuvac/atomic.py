"""Atomic file writes: a crash never leaves a half-written checkpoint, cache or result."""

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write_bytes(target: Path, write: Callable[[str], object]) -> None:
    """Call ``write(path)`` on a temporary file beside ``target``, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(target: Path, payload: object) -> None:
    """Atomic, indented JSON."""
    atomic_write_bytes(target, lambda p: Path(p).write_text(json.dumps(payload, indent=2)))
