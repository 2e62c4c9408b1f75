"""Exceptions with messages that name the file or option at fault."""


class CatuvacError(Exception):
    """Base class for every error catuvac raises on purpose."""


class DatasetNotFoundError(CatuvacError, FileNotFoundError):
    """A dataset folder is missing: the message says where we looked and how to fetch it."""


class AudioFileError(CatuvacError, ValueError):
    """An audio file is unreadable, empty or silent: the message names the file."""


class UnknownOptionError(CatuvacError, ValueError):
    """A dataset, method, profile or option name that catuvac does not know."""


class TrainingDivergedError(CatuvacError, RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""


class CheckpointMismatchError(CatuvacError, ValueError):
    """A run folder holds a checkpoint written with another configuration."""


class ResultExistsError(CatuvacError, FileExistsError):
    """A result file already exists and would be overwritten."""


class ConfigError(CatuvacError, ValueError):
    """A configuration value that cannot work (a bad number, settings that contradict)."""


def unknown_option(kind: str, given: str, known: list[str] | tuple[str, ...]) -> UnknownOptionError:
    """Build the standard "unknown X" error listing what was expected."""
    return UnknownOptionError(f"unknown {kind} {given!r}; expected one of: {', '.join(known)}")
