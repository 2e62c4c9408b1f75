"""Reading audio files with ``soundfile``, turning bad files into errors that name the file."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile as sf

from catuvac.errors import AudioFileError

T = TypeVar("T")


def _open(path: Path, action: Callable[[Path], T]) -> T:
    """Run a soundfile call, reporting a missing or unreadable file as ``AudioFileError``."""
    if not path.is_file():
        raise AudioFileError(f"audio file {path} does not exist")
    try:
        return action(path)
    except (sf.SoundFileError, OSError) as exc:
        raise AudioFileError(f"cannot read audio file {path}: {exc}") from exc


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Return ``(samples, sample_rate)``: float32 mono in [-1, 1], channels averaged.

    Unreadable, empty (0 samples) and silent (all samples zero) files raise
    :class:`~catuvac.errors.AudioFileError`, because a feature pipeline would otherwise
    turn them into NaNs or constant inputs far from the file that caused them.
    """
    path = Path(path)
    samples, sample_rate = _open(path, lambda p: sf.read(p, dtype="float32", always_2d=True))
    if samples.shape[0] == 0:
        raise AudioFileError(f"audio file {path} is empty (0 samples)")
    if not np.any(samples):
        raise AudioFileError(f"audio file {path} is silent (all {samples.shape[0]} samples are 0)")
    return samples.mean(axis=1, dtype=np.float32), int(sample_rate)


def duration_seconds(path: str | Path) -> float:
    """Length of an audio file in seconds, read from its header without decoding it."""
    info = _open(Path(path), sf.info)
    return info.frames / info.samplerate
