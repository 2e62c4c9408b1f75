"""Augmentations of normalised log spectrograms that keep the word and change the voice
and the recording: a second view of a batch for a consistency (IIC-style) objective.

Every transform works on a batch ``x`` of ``[B, 1, F, T]`` features in [0, 1] whose frames
outside the real-frame mask ``[B, T]`` are zero (as :class:`~catuvac.features.Normaliser`
leaves them), draws its strength per clip, runs on the device of ``x`` without a loop
over clips, and keeps that invariant: the view is in [0, 1] and zero wherever its mask is
False. Applied in this order:

0. time stretch: the time axis is read at ``c + (t - c) * factor`` about its centre ``c``
   for a factor drawn in ``[1 - stretch, 1 + stretch]`` (linear interpolation); frames
   read from beyond either end are zero and masked out;
1. frequency warp (vocal-tract-length perturbation): the frequency axis is stretched by a
   factor drawn in ``[1 - warp, 1 + warp]``, piecewise linearly so that bin 0 and the top
   bin stay in place (Jaitly and Hinton 2013) and no bin reads outside the image;
2. time shift: content and mask move together by up to ``max_shift`` frames; frames
   shifted past either end are dropped and the frames they leave are zero and masked out,
   so nothing wraps around; ``freq_shift`` moves the bands up or down by up to that many
   bins the same way (zero where nothing moved in);
3. gain: a per-clip offset in ``[-gain, gain]`` added to the real frames (a level change in
   the log domain), clipped back to [0, 1]; then Gaussian noise of standard deviation
   ``noise`` on every pixel, clipped likewise;
4. SpecAugment-style masks (Park et al. 2019): ``n_freq_masks`` bands of up to
   ``freq_mask_width`` bins and ``n_time_masks`` spans of up to ``time_mask_width`` frames
   (inside the clip's real frames) are set to 0, the floor of the normalised range.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from functools import partial

import torch

from catuvac.errors import ConfigError
from catuvac.features.config import FeatureConfig

WARP_BOUNDARY = 0.8
"""Fraction of the frequency axis below which the warp is a pure stretch; above it a
second linear piece brings the top bin back onto itself."""


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths of each augmentation; zero switches one off, all zero is the identity.

    Defaults follow the issue's probes on spoken digits (features at 8 kHz, hop 128, so
    16 ms a frame, 128 bins): a 10% warp, a shift of 6 frames (about 100 ms; use
    :meth:`for_features` to convert 100 ms for other features), two bands of up to 12 bins
    (about a tenth of the axis), one time mask of up to 6 frames, and a gain of 0.1 of the
    normalised range (about 8-10 dB for the usual 80-100 dB spread).
    """

    warp: float = 0.1
    max_shift: int = 6
    n_freq_masks: int = 2
    freq_mask_width: int = 12
    n_time_masks: int = 1
    time_mask_width: int = 6
    gain: float = 0.1
    stretch: float = 0.0
    freq_shift: int = 0
    noise: float = 0.0

    def __post_init__(self) -> None:
        for name in ("warp", "stretch"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"{name} must lie in [0, 1); got {getattr(self, name)}")
        for name in ("gain", "noise"):
            if getattr(self, name) < 0.0:
                raise ConfigError(f"{name} must not be negative; got {getattr(self, name)}")
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type is int and (not isinstance(value, int) or value < 0):
                raise ConfigError(f"{field.name} must be a non-negative integer; got {value!r}")

    @classmethod
    def for_features(
        cls, features: FeatureConfig, shift_seconds: float = 0.1, **changes: float | int
    ) -> "AugmentConfig":
        """Defaults with the shift set to ``shift_seconds`` in frames of ``features``; for a
        word-aligned pipeline, :data:`WORD_AUGMENT` (its frames are not seconds)."""
        if features.aligned:
            return replace(WORD_AUGMENT, **changes)
        frames = round(shift_seconds * features.sample_rate / features.hop_length)
        return replace(cls(max_shift=frames), **changes)

    @property
    def is_identity(self) -> bool:
        """True when every augmentation is switched off."""
        return (
            self.warp == 0
            and self.max_shift == 0
            and self.gain == 0
            and self.stretch == 0
            and self.freq_shift == 0
            and self.noise == 0
            and self.n_freq_masks * self.freq_mask_width == 0
            and self.n_time_masks * self.time_mask_width == 0
        )

    def to_dict(self) -> dict:
        """Plain dictionary, for result files."""
        return asdict(self)

    def short_name(self) -> str:
        """A file-name-safe tag such as ``warp0.1-shift6-fmask2x12-tmask1x6-gain0.1``;
        ``noaug`` for the identity. Switched-off parts are left out."""
        parts = []
        if self.stretch:
            parts.append(f"stretch{self.stretch:g}")
        if self.warp:
            parts.append(f"warp{self.warp:g}")
        if self.max_shift:
            parts.append(f"shift{self.max_shift}")
        if self.n_freq_masks * self.freq_mask_width:
            parts.append(f"fmask{self.n_freq_masks}x{self.freq_mask_width}")
        if self.n_time_masks * self.time_mask_width:
            parts.append(f"tmask{self.n_time_masks}x{self.time_mask_width}")
        if self.freq_shift:
            parts.append(f"fshift{self.freq_shift}")
        if self.gain:
            parts.append(f"gain{self.gain:g}")
        if self.noise:
            parts.append(f"noise{self.noise:g}")
        return "-".join(parts) or "noaug"


WORD_AUGMENT = AugmentConfig(
    warp=0.0,
    max_shift=2,
    n_freq_masks=1,
    freq_mask_width=4,
    n_time_masks=1,
    time_mask_width=4,
    gain=0.0,
    stretch=0.15,
    freq_shift=1,
    noise=0.03,
)
"""Views of a word-aligned image (32 bands x 32 frames) that keep the word: a time stretch
of up to 15% and a shift of up to 2 frames (6%), a shift of one band, noise of 0.03 of the
range, and one band and one span of up to 4 bins masked (the issue's probes)."""


def _draw(
    sampler: Callable[..., torch.Tensor],
    shape: tuple[int, ...],
    generator: torch.Generator | None,
    device: torch.device,
) -> torch.Tensor:
    """Draws of ``sampler`` (``torch.rand``, ``torch.randn``) made on the generator's
    device, returned on ``device``."""
    draw_device = generator.device if generator is not None else device
    return sampler(shape, generator=generator, device=draw_device).to(device)


_uniform = partial(_draw, torch.rand)  # uniform in [0, 1)
_normal = partial(_draw, torch.randn)  # standard normal


def _integers(low: torch.Tensor | int, high: torch.Tensor | int, u: torch.Tensor) -> torch.Tensor:
    """Integers uniform in ``[low, high]`` (inclusive, per element) from uniforms ``u``."""
    span = torch.as_tensor(high, device=u.device) - low + 1
    return low + (u * span).floor().long().clamp(max=span - 1)


def warp_source_bins(factors: torch.Tensor, n_freq: int) -> torch.Tensor:
    """``[B, F]`` input positions each output bin reads for warp factors ``[B]``.

    Below ``WARP_BOUNDARY * (F - 1) * min(1, factor)`` output bin ``f`` reads ``f / factor``
    (content moves up the axis for factors above 1, down for factors below); above it a
    second linear piece ends on the top bin, so every position lies in ``[0, F - 1]``.
    """
    top = n_freq - 1
    bins = torch.arange(n_freq, device=factors.device, dtype=factors.dtype)[None, :]
    alpha = factors[:, None]
    boundary = WARP_BOUNDARY * top * alpha.clamp(max=1.0)
    low = bins / alpha
    slope = (top - boundary / alpha) / (top - boundary)
    high = boundary / alpha + (bins - boundary) * slope
    return torch.where(bins <= boundary, low, high).clamp(0, top)


def frequency_warp(x: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Stretch the frequency axis of ``x`` ``[B, 1, F, T]`` by per-clip ``factors`` ``[B]``,
    with linear interpolation between neighbouring bins (F is kept)."""
    return interpolate_at(x, warp_source_bins(factors.to(x.dtype), x.shape[2]), dim=2)


def interpolate_at(x: torch.Tensor, source: torch.Tensor, dim: int) -> torch.Tensor:
    """``x`` ``[B, 1, F, T]`` read at positions ``source`` ``[B, n]`` (inside the axis)
    along ``dim`` (2: frequency, 3: time), interpolating linearly between neighbours."""
    size = x.shape[dim]
    below = source.floor().long().clamp(max=size - 1)
    above = (below + 1).clamp(max=size - 1)
    view = (-1, 1, size, 1) if dim == 2 else (-1, 1, 1, size)
    frac = (source - below.to(x.dtype)).reshape(view)
    lower = x.gather(dim, below.reshape(view).expand_as(x))
    upper = x.gather(dim, above.reshape(view).expand_as(x))
    return lower + frac * (upper - lower)


def time_shift(
    x: torch.Tensor, mask: torch.Tensor, shifts: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Move frames and mask by ``shifts`` ``[B]`` frames (positive: later); frames moved
    past either end are dropped, vacated frames are zero and masked out (no wrap-around)."""
    n_frames = x.shape[3]
    source = torch.arange(n_frames, device=x.device)[None, :] - shifts[:, None]
    inside = (source >= 0) & (source < n_frames)
    source = source.clamp(0, n_frames - 1)
    shifted_mask = mask.gather(1, source) & inside
    shifted = x.gather(3, source[:, None, None, :].expand_as(x))
    return shifted * inside[:, None, None, :].to(x.dtype), shifted_mask


def time_stretch(
    x: torch.Tensor, mask: torch.Tensor, factors: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read the time axis at ``c + (t - c) * factor`` about its centre ``c`` for per-clip
    ``factors`` ``[B]``, interpolating linearly; frames read from outside are zero and
    masked out, and a frame is real when both frames it reads from are."""
    n_frames = x.shape[3]
    centre = (n_frames - 1) / 2
    t = torch.arange(n_frames, device=x.device, dtype=x.dtype)[None, :]
    source = centre + (t - centre) * factors.to(x.dtype)[:, None]
    inside = (source >= 0) & (source <= n_frames - 1)
    source = source.clamp(0, n_frames - 1)
    before = source.floor().long()
    after = (before + 1).clamp(max=n_frames - 1)
    stretched_mask = mask.gather(1, before) & mask.gather(1, after) & inside
    stretched = interpolate_at(x, source, dim=3) * inside[:, None, None, :].to(x.dtype)
    return stretched, stretched_mask


def frequency_shift(x: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Move the bands of ``x`` up by ``shifts`` ``[B]`` bins (down when negative); bins
    moved past either end are dropped and those left behind are zero."""
    n_freq = x.shape[2]
    source = torch.arange(n_freq, device=x.device)[None, :] - shifts[:, None]
    inside = (source >= 0) & (source < n_freq)
    index = source.clamp(0, n_freq - 1)[:, None, :, None].expand(-1, 1, n_freq, x.shape[3])
    return x.gather(2, index) * inside[:, None, :, None].to(x.dtype)


def _bands(
    starts: torch.Tensor, widths: torch.Tensor, size: int, device: torch.device
) -> torch.Tensor:
    """``[B, size]`` True inside any of the ``[B, n]`` bands ``[start, start + width)``."""
    positions = torch.arange(size, device=device)[None, None, :]
    inside = (positions >= starts[..., None]) & (positions < (starts + widths)[..., None])
    return inside.any(dim=1)


def augment(
    x: torch.Tensor,
    mask: torch.Tensor,
    config: AugmentConfig,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A new view of ``x`` ``[B, 1, F, T]`` and its real-frame mask ``[B, T]``.

    Strengths are drawn per clip from ``generator`` (on its own device, so a CPU generator
    gives the same view on CPU and GPU; the global generator of ``x``'s device if None).
    All strengths zero returns ``x`` and ``mask`` themselves.
    """
    if x.ndim != 4 or x.shape[1] != 1 or mask.shape != (x.shape[0], x.shape[3]):
        raise ValueError(
            f"expected x [B, 1, F, T] and mask [B, T]; got {tuple(x.shape)} and {tuple(mask.shape)}"
        )
    if config.is_identity:
        return x, mask
    batch, _, n_freq, n_frames = x.shape
    device, mask = x.device, mask.bool()
    out = x
    if config.stretch:
        u = _uniform((batch,), generator, device)
        out, mask = time_stretch(out, mask, 1 - config.stretch + 2 * config.stretch * u)
    if config.warp:
        factors = 1 - config.warp + 2 * config.warp * _uniform((batch,), generator, device)
        out = frequency_warp(out, factors)
    if config.max_shift:
        u = _uniform((batch,), generator, device)
        out, mask = time_shift(out, mask, _integers(-config.max_shift, config.max_shift, u))
    if config.freq_shift:
        u = _uniform((batch,), generator, device)
        out = frequency_shift(out, _integers(-config.freq_shift, config.freq_shift, u))
    if config.gain:
        offsets = config.gain * (2 * _uniform((batch,), generator, device) - 1)
        out = (out + offsets.to(x.dtype)[:, None, None, None]).clamp(0, 1)
    if config.noise:
        noise = config.noise * _normal(tuple(out.shape), generator, device)
        out = (out + noise.to(x.dtype)).clamp(0, 1)
    keep = torch.ones(batch, n_freq, n_frames, dtype=torch.bool, device=device)
    if config.n_freq_masks * config.freq_mask_width:
        shape = (batch, config.n_freq_masks)
        widths = _integers(
            0, min(config.freq_mask_width, n_freq), _uniform(shape, generator, device)
        )
        starts = _integers(0, n_freq - widths, _uniform(shape, generator, device))
        keep &= ~_bands(starts, widths, n_freq, device)[:, :, None]
    if config.n_time_masks * config.time_mask_width:
        shape = (batch, config.n_time_masks)
        first = mask.long().argmax(dim=1)[:, None]
        length = (n_frames - mask.flip(1).long().argmax(dim=1))[:, None] - first
        length = length * mask.any(dim=1, keepdim=True)
        u_width, u_start = _uniform(shape, generator, device), _uniform(shape, generator, device)
        widths = _integers(0, length.clamp(max=config.time_mask_width), u_width)
        starts = first + _integers(0, length - widths, u_start)
        keep &= ~_bands(starts, widths, n_frames, device)[:, None, :]
    # Zero outside the real frames: undoes the gain on padding and keeps the invariant.
    out = out * (keep & mask[:, None, :])[:, None].to(x.dtype)
    return out, mask
