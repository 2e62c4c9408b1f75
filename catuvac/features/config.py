"""Feature settings per dataset: the paper's pipelines, with every free choice named."""

from dataclasses import asdict, dataclass, replace

from catuvac.errors import unknown_option


@dataclass(frozen=True)
class FeatureConfig:
    """How a clip becomes a ``[1, n_freq, n_frames]`` time-frequency image.

    ``n_mels`` of ``None`` means a linear magnitude spectrogram whose upper bins are
    trimmed to ``n_freq``; otherwise a mel spectrogram with ``n_mels == n_freq`` bins.
    ``vad`` adds an energy voice-activity mask on top of the padding mask.
    """

    name: str
    sample_rate: int
    window_seconds: float
    n_fft: int
    hop_length: int
    n_freq: int
    n_mels: int | None
    power: float
    vad: bool
    vad_threshold_db: float = -60.0
    log_floor: float = 1e-6
    pad_multiple: int = 16

    @property
    def n_samples(self) -> int:
        """Samples in the time-context window."""
        return round(self.sample_rate * self.window_seconds)

    @property
    def n_frames(self) -> int:
        """STFT frames of a full window (centred frames, as torchaudio computes them)."""
        return self.n_samples // self.hop_length + 1

    @property
    def padded_frames(self) -> int:
        """Frames after padding the time axis to a multiple of ``pad_multiple``."""
        return -(-self.n_frames // self.pad_multiple) * self.pad_multiple

    @property
    def shape(self) -> tuple[int, int, int]:
        """Model input shape ``(channels, frequency, time)``."""
        return (1, self.n_freq, self.padded_frames)

    def to_dict(self) -> dict:
        """Plain dictionary, for cache keys and result files."""
        return asdict(self)


# 1 s of speech at 8 kHz (FSDD's native rate; AudioMNIST is resampled from 48 kHz and the
# Arabic Speech Commands digits from 16 kHz):
# a 256-point STFT gives 129 bins, the top one is trimmed to keep 128 (a multiple of 16),
# hop 128 gives 63 frames, padded to 64.
SPOKEN_DIGITS = FeatureConfig(
    name="spoken-digits-1s",
    sample_rate=8000,
    window_seconds=1.0,
    n_fft=256,
    hop_length=128,
    n_freq=128,
    n_mels=None,
    power=1.0,
    vad=False,
)

# The paper's urban-scene pipeline: 16 kHz, STFT 960 with a 960 Hann window and hop 480,
# 128 mel bins, log. UrbanSound8K uses a 4 s window (134 frames, padded to 144) and a
# voice-activity mask so zero-padding never counts in the loss.
URBAN_4S = FeatureConfig(
    name="urban-4s",
    sample_rate=16000,
    window_seconds=4.0,
    n_fft=960,
    hop_length=480,
    n_freq=128,
    n_mels=128,
    power=2.0,
    vad=True,
)

# TAU2019: 10 s files, 10 s window (334 frames, padded to 336); no padding inside clips.
URBAN_10S = replace(URBAN_4S, name="urban-10s", window_seconds=10.0, vad=False)

DATASET_FEATURES: dict[str, FeatureConfig] = {
    "arabic-digits": SPOKEN_DIGITS,
    "fsdd": SPOKEN_DIGITS,
    "audiomnist": SPOKEN_DIGITS,
    "us8k": URBAN_4S,
    "tau2019": URBAN_10S,
}


def feature_config_for(dataset: str) -> FeatureConfig:
    """The feature settings the paper uses for ``dataset`` (canonical name)."""
    if dataset not in DATASET_FEATURES:
        raise unknown_option("dataset", dataset, sorted(DATASET_FEATURES))
    return DATASET_FEATURES[dataset]
