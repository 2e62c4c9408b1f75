"""The conv-recurrent encoders and the transposed-conv decoder of section II-B.

Two layers compute exactly what the paper's layers compute, in a form that trains faster
on a CPU (``benchmarks/training_throughput.py`` measures both forms side by side):
:class:`ConditionedConv2d` (the first convolution of ``q(z | x, y)``) and
:class:`SubpixelConvTranspose2d` (the decoder's upsampling). Both keep the parameters of the
plain ``Conv2d`` / ``ConvTranspose2d`` they replace, so checkpoints are unchanged. The
networks keep their activations in ``torch.channels_last``, the layout the CPU convolution
kernels run fastest in.
"""

import torch
import torch.nn.functional as F
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


class ConditionedConv2d(nn.Conv2d):
    """A Conv2d over ``x`` with ``K`` constant planes ``y_k`` stacked as extra channels,
    without building those planes for every clip.

    A constant plane's convolution is ``y_k`` times the convolution of a plane of ones, which
    does not depend on the clip: ``conv([x, y]) = conv_x(x) + sum_k y_k conv_k(1)``. The
    weight keeps all ``1 + K`` input channels, as in the paper's layer.
    """

    def forward(self, x: torch.Tensor, conditions: torch.Tensor) -> torch.Tensor:
        n_conditions = conditions.shape[1]
        out_channels = self.out_channels
        own = F.conv2d(x, self.weight[:, :1], self.bias, self.stride, self.padding)
        plane_weights = (
            self.weight[:, 1:]
            .transpose(0, 1)
            .reshape(n_conditions * out_channels, 1, *self.kernel_size)
        )
        ones = x.new_ones(1, 1, *x.shape[2:])
        planes = F.conv2d(ones, plane_weights, None, self.stride, self.padding)
        planes = planes.view(n_conditions, out_channels, *planes.shape[2:])
        return own + torch.einsum("bk,kchw->bchw", conditions, planes)


# For kernel 8, stride 2, padding 3: the kernel taps that reach even (row 0) and odd (row 1)
# output positions from input offsets -2..2; 8 points at a zero tap added as padding.
_PHASE_TAPS = ((7, 5, 3, 1, 8), (8, 6, 4, 2, 0))


class SubpixelConvTranspose2d(nn.ConvTranspose2d):
    """The section's ConvTranspose2d (kernel 8, stride 2, padding 3) as one ordinary
    convolution followed by a pixel shuffle.

    Each of the four (row, column) parities of the doubled output is a 5x5 correlation of
    the input with taps gathered from the transposed kernel; stacking the four as channels
    and shuffling them into place gives the transposed convolution's output exactly.
    """

    def __init__(self, in_channels: int, out_channels: int, *args: object) -> None:
        super().__init__(in_channels, out_channels, KERNEL, STRIDE, PADDING)
        self.register_buffer("taps", torch.tensor(_PHASE_TAPS), persistent=False)

    def forward(self, x: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        padded = F.pad(self.weight, (0, 1, 0, 1))  # [in, out, 9, 9]; index 8 is zero
        taps, width = self.taps, self.taps.shape[1]
        kernels = padded[:, :, taps[:, None, :, None], taps[None, :, None, :]]
        kernels = kernels.permute(1, 2, 3, 0, 4, 5).reshape(
            STRIDE * STRIDE * self.out_channels, self.in_channels, width, width
        )
        bias = self.bias.repeat_interleave(STRIDE * STRIDE)
        phases = F.conv2d(x, kernels, bias, padding=width // 2)
        return F.pixel_shuffle(phases, STRIDE)


class ConvRecurrentTrunk(nn.Module):
    """Four Conv2d+BatchNorm+ReLU blocks, then two GRU layers: ``[B,C,F,T] -> [B,128]``.

    With ``n_conditions > 0`` the first convolution also sees that many constant planes
    (:class:`ConditionedConv2d`), given to :meth:`forward` as ``conditions``.
    """

    def __init__(self, in_channels: int, n_freq: int, n_conditions: int = 0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels + n_conditions
        for out_channels in CONV_CHANNELS:
            conv_class = ConditionedConv2d if n_conditions and not layers else nn.Conv2d
            layers += [
                conv_class(channels, out_channels, KERNEL, STRIDE, PADDING),
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

    def forward(self, x: torch.Tensor, conditions: torch.Tensor | None = None) -> torch.Tensor:
        x = x.contiguous(memory_format=torch.channels_last)
        first, rest = self.convs[0], self.convs[1:]
        maps = rest(first(x) if conditions is None else first(x, conditions))  # [B,128,F/16,T/16]
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
        self.trunk = ConvRecurrentTrunk(1, n_freq, n_conditions)
        self.to_moments = nn.Linear(GRU_UNITS, 2 * latent_dim)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        mean, logvar = self.to_moments(self.trunk(x, y if self.n_conditions else None)).chunk(
            2, dim=1
        )
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
            # Measured: the sub-pixel form pays only for the last, single-channel layer.
            deconv_class = SubpixelConvTranspose2d if out_channels == 1 else nn.ConvTranspose2d
            layers += [deconv_class(channels, out_channels, KERNEL, STRIDE, PADDING)]
            layers += [nn.ReLU()] if out_channels != 1 else [nn.Sigmoid()]
            channels = out_channels
        self.deconvs = nn.Sequential(*layers)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        seed = self.project(code).view(-1, *self.seed_shape)
        return self.deconvs(seed.contiguous(memory_format=torch.channels_last))
