"""Augmentations for a second view: shapes, masks, identity, each part's effect, determinism."""

from dataclasses import replace

import pytest
import torch

from catuvac.errors import ConfigError
from catuvac.features.augment import (
    AugmentConfig,
    augment,
    frequency_warp,
    time_shift,
    warp_source_bins,
)
from catuvac.features.config import SPOKEN_DIGITS, URBAN_4S

OFF = AugmentConfig(
    warp=0.0,
    max_shift=0,
    n_freq_masks=0,
    freq_mask_width=0,
    n_time_masks=0,
    time_mask_width=0,
    gain=0.0,
)
LENGTHS = (64, 40, 17, 1)
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def batch(n_freq: int = 32, n_frames: int = 64, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Features in [0.2, 0.8] on the real frames of clips of ``LENGTHS`` frames, zero padding."""
    mask = torch.arange(n_frames)[None, :] < torch.tensor(LENGTHS)[:, None]
    values = torch.rand(
        len(LENGTHS), 1, n_freq, n_frames, generator=torch.Generator().manual_seed(seed)
    )
    return (0.2 + 0.6 * values) * mask[:, None, None, :], mask


def generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_all_strengths_zero_is_the_identity():
    x, mask = batch()
    assert OFF.is_identity and OFF.short_name() == "noaug"
    out, out_mask = augment(x, mask, OFF, generator())
    assert torch.equal(out, x) and torch.equal(out_mask, mask)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_view_keeps_shape_dtype_range_and_zero_padding(device, dtype):
    x, mask = batch()
    x, mask = x.to(device, dtype), mask.to(device)
    strong = AugmentConfig(warp=0.3, max_shift=10, gain=0.5, freq_mask_width=20, n_time_masks=3)
    out, out_mask = augment(x, mask, strong, generator())
    assert out.shape == x.shape and out.dtype == dtype and out.device == x.device
    assert out_mask.shape == mask.shape and out_mask.dtype == torch.bool
    assert out.min() >= 0 and out.max() <= 1
    assert torch.all(out * ~out_mask[:, None, None, :] == 0)
    assert torch.equal(
        out_mask.sum(1) <= mask.sum(1), torch.ones(4, dtype=torch.bool, device=device)
    )


SINGLE = {
    "warp": replace(OFF, warp=0.2),
    "shift": replace(OFF, max_shift=8),
    "freq masks": replace(OFF, n_freq_masks=2, freq_mask_width=8),
    "time masks": replace(OFF, n_time_masks=2, time_mask_width=8),
    "gain": replace(OFF, gain=0.1),
}


@pytest.mark.parametrize("name", list(SINGLE))
def test_each_augmentation_alone_changes_the_features(name):
    x, mask = batch()
    out, out_mask = augment(x, mask, SINGLE[name], generator(3))
    assert not torch.equal(out, x), name
    if name != "shift":
        assert torch.equal(out_mask, mask), name


def test_same_generator_seed_gives_the_same_view_and_another_seed_another():
    x, mask = batch()
    config = AugmentConfig()
    first, first_mask = augment(x, mask, config, generator(7))
    again, again_mask = augment(x, mask, config, generator(7))
    other, _ = augment(x, mask, config, generator(8))
    assert torch.equal(first, again) and torch.equal(first_mask, again_mask)
    assert not torch.equal(first, other)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cpu_generator_gives_the_same_view_on_the_gpu():
    x, mask = batch()
    cpu, cpu_mask = augment(x, mask, AugmentConfig(), generator(5))
    gpu, gpu_mask = augment(x.cuda(), mask.cuda(), AugmentConfig(), generator(5))
    assert torch.equal(cpu_mask, gpu_mask.cpu())
    assert torch.allclose(cpu, gpu.cpu(), atol=1e-6)


def test_time_shift_moves_a_ramp_by_the_drawn_frames():
    n_frames = 16
    ramp = torch.arange(1, n_frames + 1, dtype=torch.float32).expand(3, 1, 4, n_frames).clone()
    mask = torch.arange(n_frames)[None, :] < torch.tensor([16, 10, 10])[:, None]
    ramp = ramp * mask[:, None, None, :]
    out, out_mask = time_shift(ramp, mask, torch.tensor([3, -2, 4]))
    # Right by 3: the first three frames are vacated, the last three dropped.
    assert out[0, 0, 0].tolist() == [0, 0, 0] + list(range(1, 14))
    assert out_mask[0].tolist() == [False] * 3 + [True] * 13
    # Left by 2 inside a 10-frame clip: frames 3..10, then padding.
    assert out[1, 0, 0].tolist() == list(range(3, 11)) + [0] * 8
    assert out_mask[1].sum() == 8
    # Right by 4 inside a 10-frame clip: the whole clip moves into the padding with its mask.
    assert out[2, 0, 0].tolist() == [0] * 4 + list(range(1, 11)) + [0] * 2
    assert out_mask[2].tolist() == [False] * 4 + [True] * 10 + [False] * 2


def test_augment_shift_matches_the_ramp_moved_by_its_drawn_amount():
    n_frames = 32
    ramp = torch.arange(1, n_frames + 1, dtype=torch.float32).expand(8, 1, 2, n_frames) / 64
    mask = torch.ones(8, n_frames, dtype=torch.bool)
    out, out_mask = augment(ramp, mask, replace(OFF, max_shift=5), generator(1))
    shifts = n_frames - out_mask.sum(1)
    assert shifts.max() <= 5 and len(set(shifts.tolist())) > 1
    for clip in range(8):
        real = out[clip, 0, 0][out_mask[clip]] * 64
        start = real[0].item()
        # A clip starts with frame 1 (moved right) or with frame 1 + |shift| (moved left).
        assert start in (1, 1 + shifts[clip].item())
        assert torch.equal(real, torch.arange(start, start + real.numel()))


def test_warp_factor_one_reads_each_bin_and_factors_stay_inside_the_axis():
    bins = warp_source_bins(torch.tensor([1.0, 0.8, 1.2]), 128)
    assert torch.allclose(bins[0], torch.arange(128.0), atol=1e-4)
    assert bins.min() >= 0 and bins.max() <= 127
    assert torch.all(bins[:, 1:] > bins[:, :-1])  # monotonic: no bin read twice in a row
    assert bins[1, 50] == pytest.approx(50 / 0.8) and bins[2, 50] == pytest.approx(50 / 1.2)
    assert torch.allclose(bins[:, -1], torch.full((3,), 127.0))


def test_warp_above_one_moves_a_peak_up_the_frequency_axis():
    x = torch.zeros(2, 1, 64, 4)
    x[:, :, 20] = 1.0
    out = frequency_warp(x, torch.tensor([1.25, 0.8]))
    peaks = out[:, 0, :, 0].argmax(dim=1).tolist()
    assert peaks == [25, 16]


def test_gain_shifts_real_frames_only_and_clips_to_the_range():
    x, mask = batch()
    out, _ = augment(x, mask, replace(OFF, gain=0.5), generator())
    offsets = (out - x)[:, 0, 0, 0]
    assert torch.all(offsets.abs() <= 0.5)
    assert torch.all(out[~mask[:, None, None, :].expand_as(x)] == 0)
    assert out.min() >= 0 and out.max() <= 1


def test_time_masks_stay_inside_the_real_frames_and_freq_masks_span_bands():
    x, mask = batch()
    out, _ = augment(x, mask, replace(OFF, n_time_masks=4, time_mask_width=8), generator(2))
    zeroed_frames = (out == 0).all(dim=2)[:, 0] & mask
    assert zeroed_frames.any() and zeroed_frames.sum(1).max() <= 32
    out, _ = augment(x, mask, replace(OFF, n_freq_masks=1, freq_mask_width=8), generator(2))
    zeroed_bins = (out[:1] == 0).all(dim=3)[0, 0]
    assert 0 < zeroed_bins.sum() <= 8
    band = zeroed_bins.nonzero().ravel()
    assert torch.equal(band, torch.arange(band[0].item(), band[-1].item() + 1))


def test_config_names_serialises_converts_shift_and_rejects_bad_values():
    config = AugmentConfig()
    assert config.short_name() == "warp0.1-shift6-fmask2x12-tmask1x6-gain0.1"
    assert config.to_dict()["max_shift"] == 6
    assert AugmentConfig.for_features(SPOKEN_DIGITS).max_shift == 6
    assert AugmentConfig.for_features(URBAN_4S, gain=0.2).max_shift == 3
    with pytest.raises(ConfigError, match="warp"):
        AugmentConfig(warp=1.5)
    with pytest.raises(ConfigError, match="max_shift"):
        AugmentConfig(max_shift=-1)
    with pytest.raises(ValueError, match="expected x"):
        augment(torch.zeros(2, 8, 8), torch.ones(2, 8, dtype=torch.bool), config)
