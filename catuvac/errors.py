"""Exceptions with messages that name the file or option at fault."""

from pathlib import Path


class CatuvacError(Exception):
    """Base class for every error catuvac raises on purpose."""


class DatasetNotFoundError(CatuvacError, FileNotFoundError):
    """A dataset folder is missing: the message says where we looked and how to fetch it."""


class DatasetTooSmallError(CatuvacError, ValueError):
    """A dataset split holds fewer clips than the profile takes: the message names both."""


class MetadataError(CatuvacError, ValueError):
    """A dataset's metadata or split file lacks a column, holds a value of the wrong type,
    lists no clip, or lists a clip twice: the message names the file and the row."""


class AudioFileError(CatuvacError, ValueError):
    """An audio file is unreadable, empty or silent: the message names the file."""


class UnknownOptionError(CatuvacError, ValueError):
    """A dataset, method, profile or option name that catuvac does not know."""


class TrainingDivergedError(CatuvacError, RuntimeError):
    """The loss or gradients became NaN or infinite: the message says whether a checkpoint
    is kept and what the terms show of the cause."""


class CheckpointMismatchError(CatuvacError, ValueError):
    """A run folder holds a checkpoint written with another configuration."""


class DamagedFileError(CatuvacError, ValueError):
    """A file catuvac wrote itself (a cache entry, checkpoint, ``run.json`` or result) cannot
    be read or does not hold what it should: what a full disk, a killed copy or a synced
    folder leaves behind. The message names the file, why, and what to do."""

    def __init__(self, path: Path, reason: str, advice: str) -> None:
        super().__init__(f"{path} is damaged ({reason}); {advice}")
        self.path = Path(path)


class WriteError(CatuvacError):
    """A file catuvac writes could not be written (a full disk, a read-only folder, a
    folder where the file belongs). The message names the file, why, and what to do; the
    write left the file as it was and nothing half-written beside it."""

    def __init__(self, path: Path, reason: str, advice: str) -> None:
        super().__init__(f"could not write {path} ({reason}); {advice}")
        self.path, self.reason, self.advice = Path(path), reason, advice


class RunFolderLockedError(CatuvacError, RuntimeError):
    """Another live process is training in the run folder (it holds the folder's lock)."""


class ResultExistsError(CatuvacError, FileExistsError):
    """A result file already exists and would be overwritten."""


class ConfigError(CatuvacError, ValueError):
    """A configuration value that cannot work (a bad number, settings that contradict)."""


def unknown_option(kind: str, given: str, known: list[str] | tuple[str, ...]) -> UnknownOptionError:
    """Build the standard "unknown X" error listing what was expected."""
    return UnknownOptionError(f"unknown {kind} {given!r}; expected one of: {', '.join(known)}")
