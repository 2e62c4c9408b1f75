"""A run folder's lock: one training at a time, so two never interleave their checkpoints.

The lock is a file in the run folder holding the holder's process id and host. It appears
with its content in one step (a hard link of a finished temporary file, which fails when
the lock exists), is removed when training ends, however it ends, and a lock left by a
process that no longer runs on this host is detected and replaced.
"""

import contextlib
import os
import socket
import tempfile
from pathlib import Path
from types import TracebackType

from catuvac.atomic import creation_mode, write_failure
from catuvac.errors import RunFolderLockedError

LOCK_NAME = "lock"
ATTEMPTS = 3  # a stale lock removed, or one released while we looked, needs another try


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def read_holder(path: Path) -> tuple[int, str] | None:
    """``(pid, host)`` stored in a lock file; None when it holds something else."""
    try:
        pid, host = path.read_text().split()
        return int(pid), host
    except (OSError, ValueError):
        return None


class RunLock:
    """Holds ``run_dir``'s lock as a context manager; refuses while a live process holds it."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / LOCK_NAME
        self.me = (os.getpid(), socket.gethostname())

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, replacing a stale one; a live holder is a RunFolderLockedError."""
        for _ in range(ATTEMPTS):
            if self._create():
                return
            holder = read_holder(self.path)
            if holder is not None and not self._stale(holder):
                pid, host = holder
                raise RunFolderLockedError(
                    f"{self.path.parent} is in use by process {pid} on {host} (lock file "
                    f"{self.path}); wait for it to end or use another run folder, and delete "
                    "the lock file only if that process is not training"
                )
            self._remove_stale(holder)
        raise RunFolderLockedError(f"{self.path} keeps changing: another process is starting")

    def release(self) -> None:
        """Remove the lock if it is still ours."""
        if read_holder(self.path) == self.me:
            self.path.unlink(missing_ok=True)

    def _create(self) -> bool:
        """Make the lock file, content included, in one step; False if it exists. A run
        folder that cannot take it (read-only, full) is a :class:`~catuvac.errors.WriteError`."""
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w") as written:
                os.fchmod(written.fileno(), creation_mode())
                written.write(f"{self.me[0]} {self.me[1]}\n")
            os.link(temporary, self.path)
            return True
        except FileExistsError:
            return False
        except OSError as error:
            raise write_failure(self.path, error) from error
        finally:
            if temporary is not None:
                os.remove(temporary)

    def _stale(self, holder: tuple[int, str]) -> bool:
        """A holder that no longer runs; one on another host cannot be checked, so it holds."""
        pid, host = holder
        return host == self.me[1] and pid != self.me[0] and not process_alive(pid)

    def _remove_stale(self, holder: tuple[int, str] | None) -> None:
        """Move the stale lock aside and delete it, unless another process replaced it in
        the meantime: then put that one back (the next attempt finds its holder)."""
        aside = self.path.with_name(f"{LOCK_NAME}.stale-{self.me[0]}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:  # released, or another process removed it first
            return
        if read_holder(aside) != holder:
            with contextlib.suppress(FileExistsError):
                os.link(aside, self.path)
        aside.unlink()
