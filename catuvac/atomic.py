"""The files catuvac writes itself: written atomically, so a crash never leaves a
half-written checkpoint, cache or result, with the permissions a plain ``open`` gives,
as strict JSON, and read back with any damage named.

A write that fails (a full disk, a read-only folder, a folder where the file belongs) is
a :class:`~catuvac.errors.WriteError` naming the file and what to do; the targets are
then as they were and no temporary file is left.
"""

import contextlib
import errno
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from catuvac.errors import CatuvacError, DamagedFileError, WriteError

T = TypeVar("T")
Write = Callable[[str], object]
Schema = Mapping[str, Any]  # a key's type (or types), or a nested Schema
NUMBER = (int, float)

# torch.save reports a failed write (a full disk among them) as a RuntimeError naming its
# zip writer's source file, without an errno.
TORCH_WRITE_FAILURE = ("inline_container", "PytorchStreamWriter")
FULL_DISK = (errno.ENOSPC, errno.EDQUOT)
NOT_ALLOWED = (errno.EACCES, errno.EPERM, errno.EROFS)


def os_error_advice(error: OSError) -> str:
    """What to do about a failed file operation, by its cause."""
    if error.errno in FULL_DISK:
        return "free space on that disk, or point catuvac at a folder on another, and run again"
    if error.errno in NOT_ALLOWED:
        return "make that folder writable, or point catuvac at another folder, and run again"
    if error.errno == errno.EISDIR:
        return "a folder stands where a file belongs: move the folder away and run again"
    if error.errno == errno.ENOTDIR:
        return "a file stands where a folder belongs: move the file away and run again"
    return "check that disk and folder, then run again"


def describe_failure(error: Exception) -> str:
    """One line for a failed command: an ``OSError`` naming its file, its cause and what
    to do; any other error (catuvac's own, an ``OSError`` without a file name such as
    "no checkpoint at ...") as it is."""
    if not isinstance(error, OSError) or error.filename is None:
        return str(error)
    cause = error.strerror or failure_reason(error)
    return f"cannot use {error.filename} ({cause}); {os_error_advice(error)}"


def creation_mode() -> int:
    """The mode ``open`` gives a new file, 0o666 less the process umask (``mkstemp``'s
    temporaries are 0o600, which would hide shared results from the group)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_failure(target: Path, error: Exception) -> WriteError:
    """The :class:`~catuvac.errors.WriteError` for ``error`` raised while writing ``target``."""
    if isinstance(error, OSError):
        return WriteError(target, error.strerror or failure_reason(error), os_error_advice(error))
    return WriteError(
        target,
        failure_reason(error),
        "torch could not finish the file, most often because the disk is full: free space "
        "on it, or point catuvac at a folder on another, and run again",
    )


def _is_write_failure(error: Exception) -> bool:
    """An ``OSError``, or torch's report of a failed write."""
    return isinstance(error, OSError) or (
        isinstance(error, RuntimeError) and any(s in str(error) for s in TORCH_WRITE_FAILURE)
    )


def _temporary_beside(target: Path, write: Write) -> str:
    """A temporary file beside ``target`` holding what ``write(path)`` wrote, flushed to
    disk; removed again if anything fails."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        os.chmod(temporary, creation_mode())
        write(temporary)
        # Without this the rename can reach the disk before the data (a power cut would
        # then leave an empty file where the previous one was).
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    return temporary


def atomic_write_files(writes: Mapping[Path, Write]) -> None:
    """Write each target through a temporary file beside it, then rename them all over
    their targets: a failure while writing (the likely one: a full disk, a read-only
    folder) leaves every target as it was, so files that belong together (a result's
    ``.json`` and ``.npz``) are never left one without the other."""
    temporaries: dict[Path, str] = {}
    target = next(iter(writes))
    try:
        for target, write in writes.items():
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            temporaries[target] = _temporary_beside(target, write)
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
    except Exception as error:
        if _is_write_failure(error):
            raise write_failure(target, error) from error
        raise
    finally:
        for temporary in temporaries.values():
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)


def atomic_write_bytes(target: Path, write: Write) -> None:
    """Call ``write(path)`` on a temporary file beside ``target``, flush it to disk, then
    rename it over: a crash at any point leaves either the old file or the new one."""
    atomic_write_files({target: write})


def npz_write(arrays: Mapping[str, Any]) -> Write:
    """A :data:`Write` that stores ``arrays`` as a compressed ``.npz`` archive, for
    :func:`atomic_write_bytes` and :func:`atomic_write_files`."""

    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    return write


def strict(value: object) -> object:
    """``value`` with every non-finite float as None: JSON has no NaN or infinity (Python
    would write a bare ``NaN`` that strict readers refuse). Readers of a stored number
    take None back as NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict(item) for item in value]
    return value


def json_text(payload: object, indent: int | None = 2) -> str:
    """Strict JSON of ``payload`` (non-finite numbers as null, see :func:`strict`)."""
    return json.dumps(strict(payload), indent=indent, allow_nan=False)


def write_json(target: Path, payload: object) -> None:
    """Atomic, indented, strict JSON."""
    atomic_write_bytes(target, lambda p: Path(p).write_text(json_text(payload)))


def failure_reason(error: BaseException) -> str:
    """A short, one-line account of why reading failed: the error's name and the first
    sentence of its message (torch's run to several)."""
    text = str(error).strip()
    message = text.splitlines()[0].split(". ")[0].strip() if text else ""
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
        reason = failure_reason(error)
        if path.is_dir():
            reason = "a folder, not a file"
        elif path.is_file() and path.stat().st_size == 0:
            reason = "the file is empty"
        raise DamagedFileError(path, reason, advice) from error


def read_json(path: Path, advice: str) -> object:
    """The JSON in ``path``; invalid JSON (or bytes that are not text) is a
    :class:`~catuvac.errors.DamagedFileError`."""
    return read_file(path, lambda p: json.loads(p.read_text()), advice)


def schema_problem(
    value: object, schema: Schema, optional: frozenset[str] = frozenset(), where: str = ""
) -> str | None:
    """Why a stored ``value`` does not hold what ``schema`` asks (None when it does): each
    key there (those in ``optional`` may be absent), of the type given, or a mapping that a
    nested schema checks. Valid JSON can still hold the wrong thing (a hand edit, another
    version's file), which would otherwise surface as a ``KeyError`` far from the file."""
    if not isinstance(value, Mapping):
        return f"its {where} is {type(value).__name__}, not an object" if where else "not an object"
    for key, kind in schema.items():
        name = f"{where}.{key}" if where else key
        if key not in value:
            if key in optional:
                continue
            return f"no {name} in it"
        if isinstance(kind, Mapping):
            problem = schema_problem(value[key], kind, where=name)
            if problem:
                return problem
        elif not isinstance(value[key], kind):
            return f"its {name} is {_kind_names(type(value[key]))}, not {_kind_names(kind)}"
    return None


def _kind_names(kind: type | tuple | Any) -> str:
    """``int``, ``int or null``: a type, a tuple or a union of types as JSON readers say."""
    kinds = kind if isinstance(kind, tuple) else getattr(kind, "__args__", (kind,))
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
