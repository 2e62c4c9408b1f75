"""Feature settings per dataset: the paper's pipelines, with every free choice named."""

from dataclasses import asdict, dataclass, fields, replace

from catuvac.errors import ConfigError, unknown_option


@dataclass(frozen=True)
class FeatureConfig:
    """How a clip becomes a ``[1, n_freq, n_frames]`` time-frequency image.

    ``n_mels`` of ``None`` means a linear magnitude spectrogram whose upper bins are
    trimmed to ``n_freq``; otherwise a mel spectrogram with ``n_mels == n_freq`` bins.
    ``vad`` adds an energy voice-activity mask on top of the padding mask.

    The word settings (this project's, not the paper's; all off for the paper's pipelines)
    align a spoken word instead of a window: ``trim_db`` keeps the frames from the first to
    the last within that many dB of the clip's loudest, ``word_frames`` resamples those
    frames linearly to a fixed count (every frame real, no padding), ``n_mfcc`` replaces
    the log-mel bands by that many cepstral coefficients (``n_mels`` bands beneath them),
    ``deltas`` stacks their time derivatives below them and ``cmvn`` standardises each
    coefficient over the clip's own word frames (:mod:`catuvac.features.words`).
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
    trim_db: float | None = None
    word_frames: int | None = None
    n_mfcc: int | None = None
    deltas: bool = False
    cmvn: bool = False

    def __post_init__(self) -> None:
        if self.word_frames is None:
            if self.trim_db is not None or self.n_mfcc is not None or self.deltas or self.cmvn:
                raise ConfigError(f"{self.name}: the word settings need word_frames")
            return
        if self.trim_db is not None and not self.trim_db > 0:
            raise ConfigError(f"{self.name}: trim_db must be positive; got {self.trim_db}")
        if self.n_mels is None:
            raise ConfigError(f"{self.name}: word features are built on mel bands (n_mels)")
        rows = (self.n_mfcc or self.n_mels) * (2 if self.deltas else 1)
        if rows != self.n_freq:
            raise ConfigError(f"{self.name}: n_freq must be {rows} for these word settings")
        for size, what in ((self.n_freq, "n_freq"), (self.word_frames, "word_frames")):
            if size % self.pad_multiple:
                raise ConfigError(f"{self.name}: {what} {size} is not a multiple of 16")

    @property
    def aligned(self) -> bool:
        """Whether clips are cut to their word and resampled to ``word_frames``."""
        return self.word_frames is not None

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
        """Frames of the model's input: the word's fixed count, or the window's frames
        padded to a multiple of ``pad_multiple``."""
        if self.word_frames is not None:
            return self.word_frames
        return -(-self.n_frames // self.pad_multiple) * self.pad_multiple

    @property
    def shape(self) -> tuple[int, int, int]:
        """Model input shape ``(channels, frequency, time)``."""
        return (1, self.n_freq, self.padded_frames)

    def to_dict(self) -> dict:
        """Plain dictionary, for cache keys and result files. Word settings left at their
        defaults are omitted, so the paper's pipelines keep the dictionaries (and cache
        keys) they had before word features existed."""
        defaults = {f.name: f.default for f in fields(self) if f.name in WORD_SETTINGS}
        return {
            key: value
            for key, value in asdict(self).items()
            if key not in defaults or value != defaults[key]
        }

    @classmethod
    def from_dict(cls, stored: dict) -> "FeatureConfig":
        """The configuration :meth:`to_dict` stored (older dictionaries lack word settings)."""
        return cls(**stored)


WORD_SETTINGS = ("trim_db", "word_frames", "n_mfcc", "deltas", "cmvn")


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

# Word-aligned spoken digits (this project's, beside the paper's 1 s window): 8 kHz, 32 ms
# windows (256 samples) every 10 ms, each clip trimmed to its word (35 dB below its peak)
# and the word's frames resampled to 32 (the "uniform downsampling" word embedding of
# Levin et al. 2013). Up to 3 s of a clip is read (FSDD's longest take is 2.3 s).
WORD_LOGMEL = FeatureConfig(
    name="word-logmel32",
    sample_rate=8000,
    window_seconds=3.0,
    n_fft=256,
    hop_length=80,
    n_freq=32,
    n_mels=32,
    power=2.0,
    vad=False,
    trim_db=35.0,
    word_frames=32,
)
# The speech front end's cepstra on the same word frames: 16 MFCC over 40 mel bands and
# their deltas (32 rows), each standardised over the clip's own frames (CMVN).
WORD_MFCC_CMVN = replace(
    WORD_LOGMEL, name="word-mfcc32-cmvn", n_mels=40, n_mfcc=16, deltas=True, cmvn=True
)
WORD_MFCC = replace(WORD_MFCC_CMVN, name="word-mfcc32", cmvn=False)

WORD_PIPELINES = (WORD_LOGMEL, WORD_MFCC_CMVN, WORD_MFCC)
SPOKEN_DIGIT_DATASETS = ("arabic-digits", "fsdd", "audiomnist")

DATASET_FEATURES: dict[str, FeatureConfig] = {
    "arabic-digits": SPOKEN_DIGITS,
    "fsdd": SPOKEN_DIGITS,
    "audiomnist": SPOKEN_DIGITS,
    "us8k": URBAN_4S,
    "tau2019": URBAN_10S,
}


PAPER_FEATURES = "paper"
"""The name that selects a dataset's own (the paper's) pipeline."""


def feature_names(dataset: str | None = None) -> list[str]:
    """The pipelines ``dataset`` can use (every one when ``None``): the paper's first."""
    if dataset is not None and dataset not in DATASET_FEATURES:
        raise unknown_option("dataset", dataset, sorted(DATASET_FEATURES))
    paper = sorted({c.name for d, c in DATASET_FEATURES.items() if dataset in (None, d)})
    words = dataset is None or dataset in SPOKEN_DIGIT_DATASETS
    return [PAPER_FEATURES, *paper, *([c.name for c in WORD_PIPELINES] if words else [])]


def feature_config_for(dataset: str, features: str | None = None) -> FeatureConfig:
    """The feature settings of ``dataset`` (canonical name): the paper's by default
    (``None`` or ``"paper"``), else the named pipeline, which must suit the dataset (the
    word pipelines are for spoken digits)."""
    if dataset not in DATASET_FEATURES:
        raise unknown_option("dataset", dataset, sorted(DATASET_FEATURES))
    paper = DATASET_FEATURES[dataset]
    if features in (None, PAPER_FEATURES, paper.name):
        return paper
    known = {c.name: c for c in WORD_PIPELINES if dataset in SPOKEN_DIGIT_DATASETS}
    if features not in known:
        raise unknown_option(f"features for {dataset}", features, feature_names(dataset))
    return known[features]
