"""Mean-variance then min-max normalisation, fitted on the training split only."""

from dataclasses import dataclass

import torch

from catuvac.features.extract import FeatureSet


@dataclass
class Normaliser:
    """Per-frequency mean and standard deviation, then a global min-max to [0, 1].

    Statistics come from the real (masked-in) frames of the training clips; applied to
    other splits, values are clipped to [0, 1] and padding is set to 0.
    """

    mean: torch.Tensor
    std: torch.Tensor
    low: float
    high: float

    @classmethod
    def fit(cls, train: FeatureSet) -> "Normaliser":
        """Fit on the training clips' real frames."""
        x = train.features[:, 0]  # [N, F, T]
        weight = train.mask[:, None, :].to(x.dtype).expand_as(x)
        count = weight.sum(dim=(0, 2))
        mean = (x * weight).sum(dim=(0, 2)) / count
        var = (((x - mean[None, :, None]) ** 2) * weight).sum(dim=(0, 2)) / count
        std = var.clamp_min(1e-8).sqrt()
        z = (x - mean[None, :, None]) / std[None, :, None]
        real = weight.bool()
        low, high = float(z[real].min()), float(z[real].max())
        return cls(mean, std, low, high)

    def transform(self, data: FeatureSet) -> FeatureSet:
        """A normalised copy of ``data`` with values in [0, 1] and zeros on padding."""
        z = (data.features - self.mean[None, None, :, None]) / self.std[None, None, :, None]
        scaled = ((z - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
        scaled = scaled * data.mask[:, None, None, :].to(scaled.dtype)
        return FeatureSet(scaled, data.mask, data.labels, data.paths)

    def to_dict(self) -> dict:
        """Serialisable statistics, stored beside checkpoints."""
        return {
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "low": self.low,
            "high": self.high,
        }
