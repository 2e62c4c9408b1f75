"""The conv-recurrent encoders and the transposed-conv decoder of section II-B."""

import torch
from torch import nn

CONV_CHANNELS = (16, 32, 64, 128)
DECONV_CHANNELS = (64, 32, 16, 1)
KERNEL, STRIDE, PADDING = 8, 2, 3
GRU_UNITS = 128
DOWNSAMPLING = STRIDE ** len(CONV_CHANNELS)


def check_input_size(n_freq: int, n_frames: int) -> None:
    """Each conv halves the size and each transposed conv doubles it: sizes must divide by 16."""
    for name, size in (("frequency", n_freq), ("time", n_frames)):
        if size % DOWNSAMPLING:
            raise ValueError(
                f"{name} size {size} is not a multiple of {DOWNSAMPLING}; pad the features "
                f"(FeatureConfig.pad_multiple) so the decoder can restore the input shape"
            )


class ConvRecurrentTrunk(nn.Module):
    """Four Conv2d+BatchNorm+ReLU blocks, then two GRU layers: ``[B,C,F,T] -> [B,128]``."""

    def __init__(self, in_channels: int, n_freq: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        for out_channels in CONV_CHANNELS:
            layers += [
                nn.Conv2d(channels, out_channels, KERNEL, STRIDE, PADDING),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
            ]
            channels = out_channels
        self.convs = nn.Sequential(*layers)
        self.gru = nn.GRU(
            CONV_CHANNELS[-1] * (n_freq // DOWNSAMPLING),
            GRU_UNITS,
            num_layers=2,
            batch_first=True,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.convs(x)  # [B, 128, F/16, T/16]
        sequence = maps.flatten(1, 2).transpose(1, 2)  # [B, T/16, 128 * F/16]
        _, hidden = self.gru(sequence)
        return hidden[-1]


class CategoricalEncoder(nn.Module):
    """``q(y | x)``: the trunk and a Linear layer to K logits."""

    def __init__(self, n_freq: int, n_clusters: int) -> None:
        super().__init__()
        self.trunk = ConvRecurrentTrunk(1, n_freq)
        self.to_logits = nn.Linear(GRU_UNITS, n_clusters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_logits(self.trunk(x))


class GaussianEncoder(nn.Module):
    """``q(z | x[, y])``: the trunk on ``x`` (and ``y`` as channels) to a mean and log-variance."""

    def __init__(self, n_freq: int, latent_dim: int, n_conditions: int, logvar_limit: float):
        super().__init__()
        self.n_conditions = n_conditions
        self.logvar_limit = logvar_limit
        self.trunk = ConvRecurrentTrunk(1 + n_conditions, n_freq)
        self.to_moments = nn.Linear(GRU_UNITS, 2 * latent_dim)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.n_conditions:
            planes = y[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
            x = torch.cat([x, planes], dim=1)
        mean, logvar = self.to_moments(self.trunk(x)).chunk(2, dim=1)
        # Clamped so exp(logvar) cannot overflow into NaN (VaDE's known failure).
        return mean, logvar.clamp(-self.logvar_limit, self.logvar_limit)


class Decoder(nn.Module):
    """``p(x | y, z)``: ``[z, y]`` to a 128-channel map, then four ConvTranspose2d layers."""

    def __init__(self, n_inputs: int, n_freq: int, n_frames: int) -> None:
        super().__init__()
        self.seed_shape = (CONV_CHANNELS[-1], n_freq // DOWNSAMPLING, n_frames // DOWNSAMPLING)
        self.project = nn.Sequential(
            nn.Linear(n_inputs, self.seed_shape[0] * self.seed_shape[1] * self.seed_shape[2]),
            nn.ReLU(),
        )
        layers: list[nn.Module] = []
        channels = CONV_CHANNELS[-1]
        for out_channels in DECONV_CHANNELS:
            layers += [nn.ConvTranspose2d(channels, out_channels, KERNEL, STRIDE, PADDING)]
            layers += [nn.ReLU()] if out_channels != 1 else [nn.Sigmoid()]
            channels = out_channels
        self.deconvs = nn.Sequential(*layers)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.deconvs(self.project(code).view(-1, *self.seed_shape))
