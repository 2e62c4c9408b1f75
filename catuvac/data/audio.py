"""Reading audio files with ``soundfile``, turning bad files into errors that name the file."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile as sf

from catuvac.errors import AudioFileError

T = TypeVar("T")

# libsndfile's frame count for a file whose header does not say how long it is (a FLAC
# written as a stream, its STREAMINFO total at 0): not a length, and no read gets past it.
UNKNOWN_LENGTH = 2**63 - 1


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

    Unreadable, cut short (a WAV holding less than its header announces), of unknown
    length (a FLAC written as a stream, which libsndfile cannot decode), empty (0
    samples), silent (all samples zero) and non-finite (a float file holding NaN or
    infinite samples) files raise :class:`~catuvac.errors.AudioFileError`, because a
    feature pipeline would otherwise turn them into NaNs or constant inputs, found far
    from the file that caused them (in the loss, many steps later). A FLAC cut short
    needs no check of its own: libsndfile stops decoding it wherever it was cut.
    """
    path = Path(path)
    _open(path, _check_wav_length)
    _known_frames(path)
    samples, sample_rate = _open(path, lambda p: sf.read(p, dtype="float32", always_2d=True))
    if samples.shape[0] == 0:
        raise AudioFileError(f"audio file {path} is empty (0 samples)")
    if not np.isfinite(samples).all():
        bad = int((~np.isfinite(samples)).any(axis=1).sum())
        raise AudioFileError(
            f"audio file {path} holds {bad} NaN or infinite samples (of {samples.shape[0]}); "
            "replace it with a sound copy or remove it"
        )
    if not np.any(samples):
        raise AudioFileError(f"audio file {path} is silent (all {samples.shape[0]} samples are 0)")
    return samples.mean(axis=1, dtype=np.float32), int(sample_rate)


def _check_wav_length(path: Path) -> None:
    """Refuse a WAV file cut short: its ``data`` chunk announces more bytes than the file
    holds. libsndfile reads such a file as a shorter clip without a word, so a copy cut
    off mid-transfer would be used as a clip it is not. Sizes 0 and 0xFFFFFFFF (left by
    writers that stream) announce nothing and are let through; other formats too."""
    with path.open("rb") as f:
        header = f.read(12)
        if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return
        size = path.stat().st_size
        while chunk := f.read(8):
            if len(chunk) < 8:
                return
            length = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                held = size - f.tell()
                if length not in (0, 0xFFFFFFFF) and length > held:
                    raise AudioFileError(
                        f"audio file {path} is cut short: its header announces {length} bytes "
                        f"of samples, the file holds {held}; replace it with a whole copy or "
                        "remove it"
                    )
                return
            f.seek(length + length % 2, 1)  # chunks are padded to an even length


def _known_frames(path: Path) -> tuple[int, int]:
    """``(frames, sample_rate)`` from the file's header, refusing a file that does not
    say how many samples it holds: libsndfile reports such a FLAC as 2^63 - 1 frames,
    which ``sf.read`` would try to allocate (a ``ValueError``, so a traceback) and
    :func:`duration_seconds` would report as millions of years."""
    info = _open(path, sf.info)
    if info.frames == UNKNOWN_LENGTH:
        raise AudioFileError(
            f"audio file {path} does not say how many samples it holds (a {info.format} "
            "file written as a stream?), and libsndfile cannot read it; re-encode it as a "
            "whole file or remove it"
        )
    return info.frames, info.samplerate


def duration_seconds(path: str | Path) -> float:
    """Length of an audio file in seconds, read from its header without decoding it."""
    frames, sample_rate = _known_frames(Path(path))
    return frames / sample_rate
