"""Word-aligned features: a clip cut to its spoken word and resampled to a fixed number of
frames, so that two takes of a digit line up however early and however fast they were
said (this project's pipeline beside the paper's 1 s window).

Each clip's mel power frames (10 ms apart) are trimmed by energy: the word runs from the
first to the last frame within ``trim_db`` of the clip's loudest frame. Its log-mel bands,
or cepstra of them with their deltas, optionally standardised over the word's own frames
(CMVN), are then resampled linearly in time to ``word_frames`` frames, the "uniform
downsampling" acoustic word embedding of Levin et al. (2013). A clip of silence keeps all
its frames (none is quieter than its peak by ``trim_db``) and a word of one frame is
repeated, so no clip fails here: empty and all-zero files are refused when read.
"""

import torch
import torch.nn.functional as F
import torchaudio

from catuvac.features.config import FeatureConfig

CMVN_STD_FLOOR = 1e-5
"""Smallest standard deviation CMVN divides by: a coefficient constant over a word stays 0."""


def word_span(power: torch.Tensor, n_real: int, trim_db: float | None) -> tuple[int, int]:
    """First and last frame (inclusive) of the word in ``power`` ``[bands, T]`` whose first
    ``n_real`` frames hold the clip: the frames within ``trim_db`` dB of the loudest."""
    if trim_db is None:
        return 0, n_real - 1
    frame_db = 10 * torch.log10(power[:, :n_real].sum(dim=0) + 1e-20)
    loud = torch.nonzero(frame_db >= frame_db.max() - trim_db).flatten()
    return int(loud[0]), int(loud[-1])


def standardise_rows(x: torch.Tensor) -> torch.Tensor:
    """Each row of ``x`` ``[rows, T]`` to zero mean and unit variance over its frames."""
    std = x.std(dim=1, unbiased=False, keepdim=True).clamp_min(CMVN_STD_FLOOR)
    return (x - x.mean(dim=1, keepdim=True)) / std


def resample_frames(x: torch.Tensor, n_frames: int) -> torch.Tensor:
    """``x`` ``[rows, T]`` linearly resampled to ``[rows, n_frames]`` (ends kept)."""
    return F.interpolate(x[None], size=n_frames, mode="linear", align_corners=True)[0]


class WordFeatures:
    """The word pipeline of one :class:`FeatureConfig` (``config.aligned``)."""

    def __init__(self, config: FeatureConfig, device: torch.device) -> None:
        if not config.aligned:
            raise ValueError(f"{config.name} is not a word-aligned pipeline")
        self.config = config
        self.device = device
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=config.sample_rate,
            n_fft=config.n_fft,
            hop_length=config.hop_length,
            n_mels=config.n_mels,
            power=config.power,
        ).to(device)
        self.dct = None
        if config.n_mfcc is not None:
            dct = torchaudio.functional.create_dct(config.n_mfcc, config.n_mels, norm="ortho")
            self.dct = dct.to(device)

    def word(self, power: torch.Tensor, n_real: int) -> torch.Tensor:
        """The ``[n_freq, word_frames]`` image of one clip's mel power ``[bands, T]``."""
        cfg = self.config
        first, last = word_span(power, n_real, cfg.trim_db)
        log_mel = torch.log(power[:, first : last + 1] + cfg.log_floor)
        rows = log_mel if self.dct is None else self.dct.T @ log_mel
        if cfg.deltas:
            rows = torch.cat([rows, torchaudio.functional.compute_deltas(rows[None])[0]])
        if cfg.cmvn:
            rows = standardise_rows(rows)
        return resample_frames(rows, cfg.word_frames)

    def transform_batch(
        self, waveforms: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``[B, samples]`` waveforms (real for ``lengths`` samples) to ``[B, 1, F, W]``
        word images and an all-True ``[B, W]`` mask (every resampled frame is real)."""
        cfg = self.config
        power = self.mel(waveforms.to(self.device))
        n_real = (lengths + cfg.hop_length - 1) // cfg.hop_length
        images = torch.stack(
            [self.word(power[i], max(1, int(n))) for i, n in enumerate(n_real.tolist())]
        )
        mask = torch.ones(len(images), cfg.word_frames, dtype=torch.bool)
        return images[:, None].cpu(), mask
