"""Waveforms to padded, masked log time-frequency images, batched with torchaudio."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torchaudio
from tqdm import tqdm  # text bars: chapters run without ipywidgets

from catuvac.data.audio import read_audio
from catuvac.features.config import FeatureConfig
from catuvac.features.words import WordFeatures


@dataclass
class FeatureSet:
    """Features of a list of clips, aligned with their labels and file paths.

    ``features`` is ``[N, 1, F, T]``; ``mask`` is ``[N, T]`` and is ``True`` on frames that
    hold real (voice-active) signal, ``False`` on padding.
    """

    features: torch.Tensor
    mask: torch.Tensor
    labels: np.ndarray
    paths: list[str]

    def __len__(self) -> int:
        return len(self.paths)

    def select(self, index: Sequence[int] | np.ndarray) -> "FeatureSet":
        """A new set holding only the clips at ``index``."""
        index = np.asarray(index, dtype=np.int64)
        tensor_index = torch.from_numpy(index)
        return FeatureSet(
            self.features[tensor_index],
            self.mask[tensor_index],
            self.labels[index],
            [self.paths[i] for i in index],
        )


def default_device() -> torch.device:
    """The GPU when one is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def fit_window(waveform: np.ndarray, n_samples: int) -> tuple[np.ndarray, int]:
    """Zero-pad or centre-crop to ``n_samples``; return the window and its real length."""
    if len(waveform) >= n_samples:
        start = (len(waveform) - n_samples) // 2
        return waveform[start : start + n_samples], n_samples
    padded = np.zeros(n_samples, dtype=np.float32)
    padded[: len(waveform)] = waveform
    return padded, len(waveform)


class FeatureExtractor:
    """Reads, resamples and transforms clips according to a :class:`FeatureConfig`."""

    def __init__(self, config: FeatureConfig, device: torch.device | None = None) -> None:
        self.config = config
        self.device = device or default_device()
        self.words = WordFeatures(config, self.device) if config.aligned else None
        if config.n_mels is None:
            transform = torchaudio.transforms.Spectrogram(
                n_fft=config.n_fft, hop_length=config.hop_length, power=config.power
            )
        else:
            transform = torchaudio.transforms.MelSpectrogram(
                sample_rate=config.sample_rate,
                n_fft=config.n_fft,
                hop_length=config.hop_length,
                n_mels=config.n_mels,
                power=config.power,
            )
        self.transform = transform.to(self.device)
        self._resamplers: dict[int, torchaudio.transforms.Resample] = {}

    def load_waveform(self, path: Path) -> tuple[np.ndarray, int]:
        """One clip at the target rate, fitted to the window, with its real length."""
        audio, rate = read_audio(path)
        if rate != self.config.sample_rate:
            if rate not in self._resamplers:
                self._resamplers[rate] = torchaudio.transforms.Resample(
                    rate, self.config.sample_rate
                )
            audio = self._resamplers[rate](torch.from_numpy(audio)).numpy()
        return fit_window(audio, self.config.n_samples)

    def transform_batch(
        self, waveforms: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``[B, samples]`` waveforms to ``[B, 1, F, T]`` log features and ``[B, T]`` masks."""
        if self.words is not None:
            return self.words.transform_batch(waveforms, lengths)
        cfg = self.config
        power = self.transform(waveforms.to(self.device))[:, : cfg.n_freq, : cfg.n_frames]
        log_power = torch.log(power + cfg.log_floor)
        frame_centres = torch.arange(cfg.n_frames, device=self.device) * cfg.hop_length
        mask = frame_centres[None, :] < lengths.to(self.device)[:, None]
        if cfg.vad:
            frame_db = 10 * torch.log10(power.mean(dim=1) + cfg.log_floor)
            peak_db = frame_db.masked_fill(~mask, -torch.inf).amax(dim=1, keepdim=True)
            mask &= frame_db > peak_db + cfg.vad_threshold_db
        pad = cfg.padded_frames - cfg.n_frames
        floor = float(np.log(cfg.log_floor))
        features = torch.nn.functional.pad(log_power, (0, pad), value=floor)
        mask = torch.nn.functional.pad(mask, (0, pad), value=False)
        return features.unsqueeze(1).cpu(), mask.cpu()

    def extract(
        self,
        paths: Sequence[Path],
        labels: Sequence[int],
        batch_size: int = 64,
        progress: bool = True,
    ) -> FeatureSet:
        """Features of every clip in ``paths``, in order."""
        features, masks = [], []
        for start in tqdm(
            range(0, len(paths), batch_size),
            desc=f"features ({self.config.name})",
            disable=not progress,
            unit="batch",
        ):
            loaded = [self.load_waveform(Path(p)) for p in paths[start : start + batch_size]]
            waveforms = torch.from_numpy(np.stack([w for w, _ in loaded]))
            lengths = torch.tensor([n for _, n in loaded])
            batch_features, batch_mask = self.transform_batch(waveforms, lengths)
            features.append(batch_features)
            masks.append(batch_mask)
        return FeatureSet(
            torch.cat(features),
            torch.cat(masks),
            np.asarray(labels, dtype=np.int64),
            [str(p) for p in paths],
        )
