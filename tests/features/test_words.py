import dataclasses

import pytest
import torch

from catuvac.errors import ConfigError, UnknownOptionError
from catuvac.features import (
    SPOKEN_DIGITS,
    URBAN_4S,
    WORD_LOGMEL,
    WORD_MFCC_CMVN,
    FeatureConfig,
    FeatureExtractor,
    feature_config_for,
    feature_names,
)
from catuvac.features.augment import WORD_AUGMENT, AugmentConfig, augment
from catuvac.features.words import resample_frames, standardise_rows, word_span

CPU = torch.device("cpu")


def tone_burst(start: float, length: float, seconds: float = 1.0, rate: int = 8000):
    """Silence with a 440 Hz burst from ``start`` to ``start + length`` seconds."""
    t = torch.arange(int(seconds * rate)) / rate
    burst = ((t >= start) & (t < start + length)).float()
    return (0.5 * torch.sin(2 * torch.pi * 440 * t) * burst + 1e-4 * torch.randn(len(t))).float()


def test_the_paper_pipelines_keep_their_dictionaries_and_the_word_ones_name_their_settings():
    assert "trim_db" not in SPOKEN_DIGITS.to_dict() and "word_frames" not in URBAN_4S.to_dict()
    assert FeatureConfig.from_dict(SPOKEN_DIGITS.to_dict()) == SPOKEN_DIGITS
    assert FeatureConfig.from_dict(WORD_MFCC_CMVN.to_dict()) == WORD_MFCC_CMVN
    assert WORD_LOGMEL.to_dict()["trim_db"] == 35.0
    assert WORD_LOGMEL.shape == WORD_MFCC_CMVN.shape == (1, 32, 32)


def test_word_pipelines_are_offered_for_spoken_digits_only():
    assert feature_config_for("fsdd", "paper") is SPOKEN_DIGITS
    assert feature_config_for("arabic-digits", "word-logmel32") is WORD_LOGMEL
    assert "word-mfcc32-cmvn" in feature_names("audiomnist")
    assert feature_names("us8k") == ["paper", "urban-4s"]
    with pytest.raises(UnknownOptionError, match="features for us8k"):
        feature_config_for("us8k", "word-logmel32")


def test_word_settings_are_checked_against_the_architecture():
    with pytest.raises(ConfigError, match="multiple of 16"):
        dataclasses.replace(WORD_LOGMEL, word_frames=20)
    with pytest.raises(ConfigError, match="n_freq must be 64"):
        dataclasses.replace(WORD_LOGMEL, deltas=True)
    with pytest.raises(ConfigError, match="need word_frames"):
        dataclasses.replace(SPOKEN_DIGITS, cmvn=True)


def test_the_trim_finds_the_word_wherever_it_was_said():
    early, late = tone_burst(0.1, 0.3), tone_burst(0.55, 0.3)
    extractor = FeatureExtractor(WORD_LOGMEL, CPU)
    power = extractor.words.mel(torch.stack([early, late]))
    first_early, last_early = word_span(power[0], power.shape[-1], 35.0)
    first_late, last_late = word_span(power[1], power.shape[-1], 35.0)
    # 10 ms frames: the bursts start near frames 10 and 55 and last about 30 frames.
    assert abs(first_early - 10) <= 2 and abs(first_late - 55) <= 2
    assert abs((last_early - first_early) - (last_late - first_late)) <= 1
    images, mask = extractor.transform_batch(torch.stack([early, late]), torch.tensor([8000, 8000]))
    assert images.shape == (2, 1, 32, 32) and bool(mask.all())
    # Aligned, the two takes are nearly the same image (the paper's window is not).
    assert float((images[0] - images[1]).abs().mean()) < 0.2 * float(images[0].std())


def test_silence_and_a_one_frame_clip_do_not_fail():
    extractor = FeatureExtractor(WORD_MFCC_CMVN, CPU)
    quiet = 1e-4 * torch.randn(2, 8000)
    images, _ = extractor.transform_batch(quiet, torch.tensor([8000, 40]))
    assert images.shape == (2, 1, 32, 32) and bool(torch.isfinite(images).all())
    assert torch.equal(images[1, 0, :, 0], images[1, 0, :, -1])  # one frame, repeated


def test_cmvn_and_resampling_helpers():
    rows = torch.tensor([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    out = standardise_rows(rows)
    torch.testing.assert_close(out.mean(dim=1), torch.zeros(2))
    assert torch.equal(out[1], torch.zeros(3))
    torch.testing.assert_close(
        resample_frames(torch.tensor([[0.0, 2.0]]), 3), torch.tensor([[0.0, 1.0, 2.0]])
    )


def test_word_augmentations_keep_the_range_and_the_mask_invariant():
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(8, 1, 32, 32)
    mask = torch.ones(8, 32, dtype=torch.bool)
    view, view_mask = augment(x, mask, WORD_AUGMENT, generator)
    assert view.shape == x.shape and float(view.min()) >= 0 and float(view.max()) <= 1
    assert bool((view * ~view_mask[:, None, None, :]).eq(0).all())
    assert not torch.equal(view, x)
    assert AugmentConfig.for_features(WORD_LOGMEL) == WORD_AUGMENT
    assert WORD_AUGMENT.short_name().startswith("stretch0.15")
