"""Mean-variance then min-max normalisation, fitted on the training split only; optionally
preceded by a per-speaker standardisation that removes each speaker's average spectrum.

The paper's min-max takes the extreme z-scores as the ends of [0, 1]: a few outlier pixels
set the scale and most values fall in a narrow band, which leaves the latents little to
earn under the paper's likelihood. The ``percentile`` normaliser (this project's option)
maps the 0.5th and 99.5th percentiles to 0 and 1 and clips what lies outside.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from catuvac.errors import unknown_option
from catuvac.features.extract import FeatureSet

NORMALISERS = ("minmax", "percentile")
PAPER_NORMALISER = "minmax"
PERCENTILE_RANGE = (0.005, 0.995)
PERCENTILE_SAMPLE = 2_000_000  # values drawn (seeded) to estimate the percentiles


def masked_moments(x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-frequency mean and standard deviation of ``x`` (``[N, F, T]``) over the frames
    where ``mask`` (``[N, T]``) is True; the variance is floored at 1e-8 so it can divide."""
    weight = mask[:, None, :].to(x.dtype).expand_as(x)
    count = weight.sum(dim=(0, 2))
    mean = (x * weight).sum(dim=(0, 2)) / count
    var = (((x - mean[None, :, None]) ** 2) * weight).sum(dim=(0, 2)) / count
    return mean, var.clamp_min(1e-8).sqrt()


def normalise_per_group(data: FeatureSet, groups: Sequence[str]) -> FeatureSet:
    """Standardise each group's clips (a speaker's) with that group's own per-frequency
    mean and standard deviation over its real frames; padding is left as it is.

    Speaker identity is metadata of the recordings, never the clustering target, and no
    class label is used: the statistics of a speaker come from that speaker's clips in
    ``data`` alone. So the statistics of a test speaker come from its own test clips, as
    they would for a new speaker met at test time (the clips are needed, not their
    labels). Run it on each split separately, before :class:`Normaliser`, which then maps
    the result to [0, 1] with statistics of the training split.
    """
    groups = np.asarray(groups)
    if len(groups) != len(data):
        raise ValueError(f"{len(groups)} groups given for {len(data)} clips")
    x = data.features[:, 0]
    out = x.clone()
    for group in np.unique(groups):
        members = torch.from_numpy(np.flatnonzero(groups == group))
        mean, std = masked_moments(x[members], data.mask[members])
        real = data.mask[members][:, None, :]
        scaled = (x[members] - mean[None, :, None]) / std[None, :, None]
        out[members] = torch.where(real, scaled, x[members])
    return FeatureSet(out[:, None], data.mask, data.labels, data.paths)


@dataclass
class Normaliser:
    """Per-frequency mean and standard deviation, then a global range mapped to [0, 1].

    Statistics come from the real (masked-in) frames of the training clips; the range is
    their extreme z-scores (``minmax``, the paper's) or their 0.5th and 99.5th percentiles
    (``percentile``). Values outside the range are clipped to [0, 1]; padding is set to 0.
    """

    mean: torch.Tensor
    std: torch.Tensor
    low: float
    high: float
    scaling: str = PAPER_NORMALISER

    @classmethod
    def fit(cls, train: FeatureSet, scaling: str = PAPER_NORMALISER) -> "Normaliser":
        """Fit on the training clips' real frames."""
        if scaling not in NORMALISERS:
            raise unknown_option("normaliser", scaling, NORMALISERS)
        x = train.features[:, 0]  # [N, F, T]
        mean, std = masked_moments(x, train.mask)
        z = (x - mean[None, :, None]) / std[None, :, None]
        values = z[train.mask[:, None, :].expand_as(x)]
        if scaling == "minmax":
            return cls(mean, std, float(values.min()), float(values.max()), scaling)
        if len(values) > PERCENTILE_SAMPLE:
            generator = torch.Generator().manual_seed(0)
            values = values[torch.randperm(len(values), generator=generator)[:PERCENTILE_SAMPLE]]
        low, high = torch.quantile(values.double(), torch.tensor(PERCENTILE_RANGE).double())
        return cls(mean, std, float(low), float(high), scaling)

    def transform(self, data: FeatureSet) -> FeatureSet:
        """A normalised copy of ``data`` with values in [0, 1] and zeros on padding."""
        z = (data.features - self.mean[None, None, :, None]) / self.std[None, None, :, None]
        scaled = ((z - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
        scaled = scaled * data.mask[:, None, None, :].to(scaled.dtype)
        return FeatureSet(scaled, data.mask, data.labels, data.paths)

    def to_dict(self) -> dict:
        """Serialisable statistics, stored beside checkpoints (``run.json``)."""
        return {
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "low": self.low,
            "high": self.high,
            "scaling": self.scaling,
        }

    @classmethod
    def from_dict(cls, stored: dict) -> "Normaliser":
        """The normaliser :meth:`to_dict` stored, bit for bit (float32 statistics)."""
        mean = torch.tensor(stored["mean"], dtype=torch.float32)
        std = torch.tensor(stored["std"], dtype=torch.float32)
        scaling = stored.get("scaling", PAPER_NORMALISER)  # older run.json: the paper's
        return cls(mean, std, float(stored["low"]), float(stored["high"]), scaling)
