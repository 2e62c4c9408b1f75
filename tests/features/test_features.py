"""Feature settings, extraction on real clips, resampling, masks, normalisation and the cache."""

import dataclasses
import math

import numpy as np
import pytest
import torch

import catuvac.features.cache as cache_module
from catuvac.data import load
from catuvac.data.audio import duration_seconds
from catuvac.errors import UnknownOptionError, WriteError
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import Profile
from catuvac.features import (
    DATASET_FEATURES,
    SPOKEN_DIGITS,
    URBAN_4S,
    URBAN_10S,
    FeatureCache,
    FeatureExtractor,
    FeatureSet,
    Normaliser,
    feature_config_for,
    normalise_per_group,
)

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def fsdd(offline_data):
    return load("fsdd", root=offline_data / "fsdd")


@pytest.fixture(scope="module")
def fsdd_features(fsdd):
    """Features of 24 real FSDD clips (one every 125 files, so all digits and speakers)."""
    clips = fsdd.clips[::125]
    return FeatureExtractor(SPOKEN_DIGITS, CPU).extract(
        [c.path for c in clips], [c.label for c in clips], progress=False
    )


def tone(frequency: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "shape", "frames"),
    [
        (SPOKEN_DIGITS, (1, 128, 64), 63),
        (URBAN_4S, (1, 128, 144), 134),
        (URBAN_10S, (1, 128, 336), 334),
    ],
)
def test_preset_shapes_are_multiples_of_16(config, shape, frames):
    assert config.shape == shape
    assert config.n_frames == frames  # centred STFT frames of the full window
    assert all(size % 16 == 0 for size in config.shape[1:])


def test_dataset_presets_and_unknown_dataset():
    assert DATASET_FEATURES == {
        "arabic-digits": SPOKEN_DIGITS,  # 16 kHz clips, resampled to the 8 kHz pipeline
        "fsdd": SPOKEN_DIGITS,
        "audiomnist": SPOKEN_DIGITS,
        "us8k": URBAN_4S,
        "tau2019": URBAN_10S,
    }
    assert feature_config_for("us8k") is URBAN_4S
    with pytest.raises(UnknownOptionError, match="unknown dataset 'esc50'"):
        feature_config_for("esc50")


# --- extraction on real clips ----------------------------------------------------------------


def test_fsdd_clips_give_the_spoken_digit_shape(fsdd_features):
    data = fsdd_features
    assert data.features.shape == (24, 1, 128, 64)
    assert data.mask.shape == (24, 64) and data.mask.dtype == torch.bool
    assert torch.isfinite(data.features).all()
    assert not data.mask[:, 63:].any()  # the 64th frame is padding
    assert data.mask[:, 0].all()  # every clip starts with real signal
    assert sorted(set(data.labels.tolist())) == list(range(10))


def test_audiomnist_48khz_clips_are_resampled_to_8khz(offline_data):
    dataset = load("audiomnist", root=offline_data / "audiomnist-samples")
    paths = [c.path for c in dataset.clips]
    assert len(paths) == 6
    extractor = FeatureExtractor(SPOKEN_DIGITS, CPU)
    data = extractor.extract(paths, dataset.labels(), progress=False)
    assert data.features.shape == (6, 1, 128, 64)
    assert torch.isfinite(data.features).all()
    for i, path in enumerate(paths):
        window, length = extractor.load_waveform(path)
        assert window.shape == (8000,)
        # 48 kHz -> 8 kHz keeps the duration: one sample in six.
        expected = min(8000, duration_seconds(path) * 8000)
        assert abs(length - expected) <= 1
        frames = math.ceil(length / SPOKEN_DIGITS.hop_length)
        assert not data.mask[i, frames:].any()
        assert data.mask[i, :frames].all()


def test_resampled_sine_lands_in_its_frequency_bin(tmp_path, write_wav):
    """48 kHz tones: 1 kHz and 3 kHz land in bins 32 and 96 (31.25 Hz per bin at 8 kHz);
    a 5 kHz tone is removed by the anti-aliasing filter instead of folding onto 3 kHz."""
    extractor = FeatureExtractor(SPOKEN_DIGITS, CPU)
    spectra = {}
    for frequency in (1000, 3000, 5000):
        path = write_wav(
            tmp_path / f"{frequency}.wav", samples=tone(frequency, 1.0, 48000), sample_rate=48000
        )
        data = extractor.extract([path], [0], progress=False)
        assert data.mask[0, :63].all()
        spectra[frequency] = data.features[0, 0, :, 4:59].mean(dim=1)  # log magnitude per bin
    assert int(spectra[1000].argmax()) == 32
    assert int(spectra[3000].argmax()) == 96
    # log magnitude: a gap of ln(100) is 40 dB.
    assert spectra[3000][96] - spectra[5000][96] > math.log(100)


@pytest.fixture(scope="module")
def short_us8k(offline_data):
    """Three real UrbanSound8K clips shorter than the 4 s window, per the official metadata."""
    dataset = load("us8k", root=offline_data / "urbansound8k")
    short = [c for c in dataset.clips if c.meta["duration"] <= 3.999]  # 3.99999... is "4 s"
    short.sort(key=lambda c: c.meta["duration"])
    assert len(short) == 262
    return [short[0], short[len(short) // 2], short[-1]]


def test_short_urbansound_clips_are_zero_padded_and_masked(short_us8k):
    extractor = FeatureExtractor(URBAN_4S, CPU)
    paths = [c.path for c in short_us8k]
    data = extractor.extract(paths, [c.label for c in short_us8k], progress=False)
    assert data.features.shape == (3, 1, 128, 144)
    floor = math.log(URBAN_4S.log_floor)
    for i, clip in enumerate(short_us8k):
        window, length = extractor.load_waveform(clip.path)
        # The clip's own length (a few offline files are up to 87 samples shorter than
        # their metadata row: see test_data_loaders), well short of the 4 s window.
        assert length == round(duration_seconds(clip.path) * 16000)
        assert length <= clip.meta["duration"] * 16000 + 2
        assert window.shape == (64000,)
        assert not window[length:].any()  # zero-padded after the clip
        assert window[:length].any()
        hop = URBAN_4S.hop_length
        beyond = math.ceil(length / hop)  # first frame centred after the clip's end
        assert not data.mask[i, beyond:].any()
        assert data.mask[i, :beyond].any()
        # Frames whose whole STFT window lies in the zero padding hold only the log floor.
        silent = math.ceil((length + URBAN_4S.n_fft // 2) / hop)
        assert torch.allclose(data.features[i, 0, :, silent:], torch.tensor(floor))


# --- normalisation ---------------------------------------------------------------------------


def test_normaliser_maps_train_to_unit_interval_with_zero_padding(fsdd_features):
    train = fsdd_features.select(range(16))
    normaliser = Normaliser.fit(train)
    scaled = normaliser.transform(train)
    real = scaled.mask[:, None, None, :].expand_as(scaled.features)
    assert scaled.features.min() >= 0 and scaled.features.max() <= 1
    assert float(scaled.features[real].min()) == pytest.approx(0.0, abs=1e-6)
    assert float(scaled.features[real].max()) == pytest.approx(1.0, abs=1e-6)
    assert not scaled.features[~real].any()  # masked frames are exactly zero
    assert torch.equal(scaled.mask, train.mask) and scaled.paths == train.paths


def test_percentile_normaliser_spreads_the_values_and_clips_the_outliers(fsdd_features):
    train = fsdd_features.select(range(16))
    minmax, robust = Normaliser.fit(train), Normaliser.fit(train, "percentile")
    assert minmax.low < robust.low < robust.high < minmax.high
    real = train.mask[:, None, None, :].expand_as(train.features)
    plain = minmax.transform(train).features[real]
    spread = robust.transform(train).features[real]
    assert float(spread.std()) > float(plain.std())
    clipped = float(((spread == 0) | (spread == 1)).float().mean())
    assert 0.005 < clipped < 0.02  # about 0.5% clipped at each end
    restored = Normaliser.from_dict(robust.to_dict())
    assert restored.scaling == "percentile" and restored.low == robust.low
    stored = minmax.to_dict()
    del stored["scaling"]  # a run.json from before the option reads as the paper's
    assert Normaliser.from_dict(stored).scaling == "minmax"
    with pytest.raises(UnknownOptionError, match="normaliser"):
        Normaliser.fit(train, "robust")


def test_normaliser_uses_train_statistics_only(fsdd_features):
    train, test = fsdd_features.select(range(16)), fsdd_features.select(range(16, 24))
    normaliser = Normaliser.fit(train)
    # The statistics are the per-frequency mean/std of the training clips' real frames.
    x = train.features[:, 0].permute(1, 0, 2)[:, train.mask]  # [F, real frames]
    torch.testing.assert_close(normaliser.mean, x.mean(dim=1))
    torch.testing.assert_close(normaliser.std, x.std(dim=1, unbiased=False), rtol=1e-4, atol=1e-5)
    # Values on padding frames do not enter the statistics.
    noisy = train.features.clone()
    noisy[~train.mask[:, None, None, :].expand_as(noisy)] = 1e3
    refit = Normaliser.fit(FeatureSet(noisy, train.mask, train.labels, train.paths))
    assert torch.equal(refit.mean, normaliser.mean) and refit.low == normaliser.low
    # Applied to other data, values outside the training range are clipped.
    loud = FeatureSet(test.features + 100.0, test.mask, test.labels, test.paths)
    quiet = FeatureSet(test.features - 100.0, test.mask, test.labels, test.paths)
    real = test.mask[:, None, None, :].expand_as(test.features)
    assert torch.all(normaliser.transform(loud).features[real] == 1.0)
    assert torch.all(normaliser.transform(quiet).features[real] == 0.0)
    scaled = normaliser.transform(test).features
    assert scaled.min() >= 0 and scaled.max() <= 1
    # ...and transforming the test split leaves the fitted statistics alone.
    assert torch.equal(Normaliser.fit(train).mean, normaliser.mean)


# --- cache -----------------------------------------------------------------------------------


class SpyExtractor(FeatureExtractor):
    """A real extractor that counts its extract() calls."""

    calls = 0

    def extract(self, paths, labels, batch_size=64, progress=True):
        self.calls += 1
        return super().extract(paths, labels, batch_size, progress)


def test_cache_hits_and_invalidation(tmp_path, fsdd):
    cache = FeatureCache(tmp_path / "cache")
    clips = fsdd.clips[:6]
    paths, labels = [c.path for c in clips], [c.label for c in clips]
    spy = SpyExtractor(SPOKEN_DIGITS, CPU)
    first = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    assert spy.calls == 1
    stored = cache.path_for("fsdd", paths, SPOKEN_DIGITS)
    assert stored.is_file()
    second = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    assert spy.calls == 1  # served from disk
    assert torch.equal(first.features, second.features) and torch.equal(first.mask, second.mask)
    assert second.paths == [str(p) for p in paths] and np.array_equal(second.labels, labels)
    # Another file list (one clip fewer, or another order) is another entry.
    cache.load_or_extract("fsdd", paths[:5], labels[:5], spy, progress=False)
    assert spy.calls == 2
    cache.load_or_extract("fsdd", paths[::-1], labels[::-1], spy, progress=False)
    assert spy.calls == 3
    # So is any change of a feature setting, even one that keeps the shape.
    changed = SpyExtractor(dataclasses.replace(SPOKEN_DIGITS, log_floor=1e-5), CPU)
    assert cache.path_for("fsdd", paths, changed.config) != stored
    cache.load_or_extract("fsdd", paths, labels, changed, progress=False)
    assert changed.calls == 1
    cache.load_or_extract("fsdd", paths, labels, changed, progress=False)
    assert changed.calls == 1
    assert len(list(cache.folder.glob("*.pt"))) == 4
    assert not list(cache.folder.glob("*.tmp"))


def test_cache_write_is_atomic(tmp_path, fsdd, monkeypatch):
    cache = FeatureCache(tmp_path / "cache")
    clips = fsdd.clips[:2]
    paths, labels = [c.path for c in clips], [c.label for c in clips]
    extractor = FeatureExtractor(SPOKEN_DIGITS, CPU)

    def failing_save(payload, target, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(b"partial")  # a write that dies half-way
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.torch, "save", failing_save)
    # Only a cache: the features are computed without it (test_cache_damage: the warning).
    data = cache.load_or_extract("fsdd", paths, labels, extractor, progress=False)
    assert data.features.shape == (2, 1, 128, 64)
    assert list(cache.folder.iterdir()) == []  # neither the target nor a temporary file
    # An existing entry survives a failed rewrite untouched.
    target = cache.folder / "entry.pt"
    target.write_bytes(b"good")
    with pytest.raises(WriteError, match=r"entry.pt \(OSError: disk full\)"):
        cache._write(target, torch.zeros(1), torch.zeros(1, dtype=torch.bool))
    assert target.read_bytes() == b"good"
    assert [p.name for p in cache.folder.iterdir()] == ["entry.pt"]
    monkeypatch.undo()
    data = cache.load_or_extract("fsdd", paths, labels, extractor, progress=False)
    assert data.features.shape == (2, 1, 128, 64)


# --- per-speaker normalisation -------------------------------------------------------------


def _speaker_set(seed: int = 0) -> tuple[FeatureSet, list[str]]:
    """Three speakers, each with its own per-frequency offset and scale; the last two frames
    of every clip are padding (masked out) holding a sentinel value."""
    gen = torch.Generator().manual_seed(seed)
    groups = ["a", "b", "a", "c", "b", "a", "c", "b"]
    offset = {"a": 5.0, "b": -3.0, "c": 0.0}
    scale = {"a": 1.0, "b": 4.0, "c": 0.5}
    x = torch.randn(len(groups), 1, 4, 6, generator=gen)
    for i, g in enumerate(groups):
        x[i] = x[i] * scale[g] + offset[g] * torch.arange(1, 5.0)[None, :, None]
    mask = torch.ones(len(groups), 6, dtype=torch.bool)
    mask[:, 4:] = False
    x[:, :, :, 4:] = -99.0
    labels = np.arange(len(groups)) % 2
    return FeatureSet(x, mask, labels, [f"{g}{i}.wav" for i, g in enumerate(groups)]), groups


def test_normalise_per_group_standardises_each_speaker_with_its_own_clips():
    data, groups = _speaker_set()
    out = normalise_per_group(data, groups)
    assert out.features.shape == data.features.shape and out.paths == data.paths
    np.testing.assert_array_equal(out.labels, data.labels)
    for group in set(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        real = out.features[members][:, 0, :, :4]  # [n, F, real frames]
        per_freq = real.permute(1, 0, 2).reshape(4, -1)
        torch.testing.assert_close(per_freq.mean(dim=1), torch.zeros(4), atol=1e-5, rtol=0)
        torch.testing.assert_close(
            per_freq.std(dim=1, unbiased=False), torch.ones(4), atol=1e-4, rtol=0
        )
    assert torch.all(out.features[:, :, :, 4:] == -99.0)  # padding is left alone
    # A speaker's result depends on that speaker's clips only, never on the labels.
    other, _ = _speaker_set(seed=1)
    mixed = data.features.clone()
    b = [i for i, g in enumerate(groups) if g == "b"]
    mixed[b] = other.features[b]
    relabelled = FeatureSet(mixed, data.mask, 1 - data.labels, data.paths)
    again = normalise_per_group(relabelled, groups)
    a = [i for i, g in enumerate(groups) if g == "a"]
    assert torch.equal(again.features[a], out.features[a])
    with pytest.raises(ValueError, match="7 groups given for 8 clips"):
        normalise_per_group(data, groups[:-1])


def test_speaker_norm_removes_the_speaker_offset_that_plain_normalisation_keeps():
    data, groups = _speaker_set()
    plain = Normaliser.fit(data).transform(data)
    per_speaker = normalise_per_group(data, groups)
    per_speaker = Normaliser.fit(per_speaker).transform(per_speaker)

    def spread_of_speaker_means(features: FeatureSet) -> float:
        x = features.features[:, 0, :, :4].mean(dim=(1, 2))
        means = [x[[i for i, g in enumerate(groups) if g == s]].mean() for s in "abc"]
        return float(torch.stack(means).std())

    assert spread_of_speaker_means(per_speaker) < 0.1 * spread_of_speaker_means(plain)


def test_arabic_digits_through_the_spoken_digit_pipeline(offline_data, tmp_path):
    tiny = Profile("tiny", 20, 20, epochs=1, batch_size=16, checkpoint_every=1)
    root = offline_data / "arabic-speech-commands"
    cache = FeatureCache(tmp_path)
    plain = prepare_data("arabic-digits", tiny, root=root, progress=False, cache=cache)
    assert plain.feature_config == SPOKEN_DIGITS and not plain.speaker_norm
    assert plain.train.features.shape == (20, 1, 128, 64)  # 16 kHz resampled to 8 kHz
    assert plain.train.mask[:, :63].all() and not plain.train.mask[:, 63:].any()
    normed = prepare_data("arabic", tiny, root=root, progress=False, cache=cache, speaker_norm=True)
    assert normed.speaker_norm and normed.test.paths == plain.test.paths
    assert len(list(tmp_path.glob("*.pt"))) == 2  # the raw features are shared
    assert not torch.equal(normed.train.features, plain.train.features)
    assert normed.train.features.min() >= 0 and normed.train.features.max() <= 1
