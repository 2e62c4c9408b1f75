"""The files catuvac writes itself: written atomically, so a crash never leaves a
half-written checkpoint, cache or result, and read back with any damage named."""

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from catuvac.errors import CatuvacError, DamagedFileError

T = TypeVar("T")


def atomic_write_bytes(target: Path, write: Callable[[str], object]) -> None:
    """Call ``write(path)`` on a temporary file beside ``target``, flush it to disk, then
    rename it over: a crash at any point leaves either the old file or the new one."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        # Without this the rename can reach the disk before the data (a power cut would
        # then leave an empty file where the previous one was).
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(target: Path, payload: object) -> None:
    """Atomic, indented JSON."""
    atomic_write_bytes(target, lambda p: Path(p).write_text(json.dumps(payload, indent=2)))


def failure_reason(error: BaseException) -> str:
    """A short, one-line account of why reading failed: the error's name and the first
    sentence of its message (torch's run to several)."""
    message = str(error).strip().splitlines()[0].split(". ")[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def read_file(path: Path, read: Callable[[Path], T], advice: str) -> T:
    """``read(path)``, with any failure to read it (cut short, not the format, unreadable)
    raised as a :class:`~catuvac.errors.DamagedFileError` naming ``path`` and ``advice``
    (a missing file stays a ``FileNotFoundError``: it is not damaged)."""
    try:
        return read(path)
    except (CatuvacError, FileNotFoundError):
        raise
    except Exception as error:
        empty = path.is_file() and path.stat().st_size == 0
        reason = "the file is empty" if empty else failure_reason(error)
        raise DamagedFileError(path, reason, advice) from error


def read_json(path: Path, advice: str) -> object:
    """The JSON in ``path``; invalid JSON (or bytes that are not text) is a
    :class:`~catuvac.errors.DamagedFileError`."""
    return read_file(path, lambda p: json.loads(p.read_text()), advice)
