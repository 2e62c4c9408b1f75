"""read_audio / duration_seconds on generated and real files, and their errors."""

import numpy as np
import pytest
import soundfile as sf

from catuvac.data.audio import duration_seconds, read_audio
from catuvac.errors import AudioFileError


def test_reads_float32_mono_and_rate(tmp_path, write_wav):
    path = write_wav(tmp_path / "tone.wav", seconds=0.25, sample_rate=16000)
    samples, rate = read_audio(path)
    assert rate == 16000
    assert samples.dtype == np.float32 and samples.shape == (4000,)
    assert 0.45 < np.abs(samples).max() <= 0.5
    assert duration_seconds(path) == pytest.approx(0.25)


def test_averages_channels(tmp_path):
    path = tmp_path / "stereo.wav"
    stereo = np.stack([np.full(100, 0.5), np.full(100, -0.25)], axis=1)
    sf.write(path, stereo, 8000, subtype="FLOAT")
    samples, _ = read_audio(path)
    assert samples.shape == (100,)
    np.testing.assert_allclose(samples, 0.125)


def test_corrupt_file(tmp_path):
    path = tmp_path / "corrupt.wav"
    path.write_bytes(b"RIFF" + b"\x00garbage" * 20)
    for read in (read_audio, duration_seconds):
        with pytest.raises(AudioFileError, match="cannot read audio file .*corrupt.wav"):
            read(path)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_samples(tmp_path, value):
    path = tmp_path / "nan.wav"
    samples = np.full((100, 2), 0.25)
    samples[[3, 50], 1] = value
    sf.write(path, samples, 8000, subtype="FLOAT")
    with pytest.raises(AudioFileError) as caught:
        read_audio(path)
    assert str(caught.value) == (
        f"audio file {path} holds 2 NaN or infinite samples (of 100); replace it with a sound "
        "copy or remove it"
    )


def test_missing_file(tmp_path):
    with pytest.raises(AudioFileError, match="nope.wav does not exist"):
        read_audio(tmp_path / "nope.wav")


def test_empty_file(tmp_path, write_wav):
    path = write_wav(tmp_path / "empty.wav", samples=np.zeros(0))
    with pytest.raises(AudioFileError, match=r"empty.wav is empty \(0 samples\)"):
        read_audio(path)
    assert duration_seconds(path) == 0.0


def test_silent_file(tmp_path, write_wav):
    path = write_wav(tmp_path / "silent.wav", samples=np.zeros(800))
    with pytest.raises(AudioFileError, match="silent.wav is silent"):
        read_audio(path)


def test_real_files(offline_data):
    samples, rate = read_audio(offline_data / "fsdd" / "recordings" / "0_george_0.wav")
    assert rate == 8000 and samples.ndim == 1 and samples.size > 0
    flac = offline_data / "urbansound8k" / "audio" / "fold1" / "101415-3-0-2.flac"
    samples, rate = read_audio(flac)
    assert rate == 16000 and samples.shape == (64000,)
    assert duration_seconds(flac) == 4.0


def test_a_flac_of_unknown_length_is_refused_naming_it(tmp_path, offline_data):
    # A FLAC written as a stream leaves STREAMINFO's 36-bit sample total at 0 (unknown):
    # libsndfile reports 2^63 - 1 frames, which sf.read tried to allocate (a ValueError).
    flac = offline_data / "urbansound8k" / "audio" / "fold1" / "101415-3-0-2.flac"
    data = bytearray(flac.read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO first
    data[21] &= 0xF0  # the total: the low 4 bits of byte 21, then bytes 22-25
    data[22:26] = bytes(4)
    path = tmp_path / "streamed.flac"
    path.write_bytes(data)
    for read in (read_audio, duration_seconds):
        with pytest.raises(AudioFileError) as caught:
            read(path)
        assert str(caught.value) == (
            f"audio file {path} does not say how many samples it holds (a FLAC file written "
            "as a stream?), and libsndfile cannot read it; re-encode it as a whole file or "
            "remove it"
        )
