"""A damaged feature cache entry is named in one warning and extracted again; a cache
that takes no entry is one warning and the features are computed without it. The run
goes on."""

import errno
import logging
import os

import pytest
import torch

from catuvac.data import load
from catuvac.features import SPOKEN_DIGITS, FeatureCache, FeatureExtractor
from catuvac.features.cache import CHECKSUM_KEY

CPU = torch.device("cpu")


class SpyExtractor(FeatureExtractor):
    """A real extractor that counts its extract() calls."""

    calls = 0

    def extract(self, paths, labels, batch_size=64, progress=True):
        self.calls += 1
        return super().extract(paths, labels, batch_size, progress)


@pytest.fixture
def cached(tmp_path, offline_data):
    """A cache holding the features of three real FSDD clips, and what to ask it."""
    clips = load("fsdd", root=offline_data / "fsdd").clips[:3]
    paths, labels = [c.path for c in clips], [c.label for c in clips]
    cache, spy = FeatureCache(tmp_path / "cache"), SpyExtractor(SPOKEN_DIGITS, CPU)
    good = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    return cache, spy, paths, labels, good


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _other_clip_count(path):
    stored = torch.load(path, weights_only=True)
    stored["features"], stored["mask"] = stored["features"][:2], stored["mask"][:2]
    torch.save(stored, path)


def _altered_values(path):
    stored = torch.load(path, weights_only=True)
    stored["features"][0, 0, 0, 0] += 1.0  # the old checksum stays
    torch.save(stored, path)


def _not_features(path):
    torch.save([1, 2, 3], path)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_truncate, " is damaged ("),  # torch's own reason: OSError: [Errno 22] ...
        (lambda path: path.write_bytes(b""), "(the file is empty)"),
        (_other_clip_count, "features (2, 1, 128, 64), mask (2, 64), expected ((3, 1, 128, 64)"),
        (_altered_values, "(its content does not match its checksum)"),
        (_not_features, "(no features and mask in it)"),
    ],
)
def test_a_damaged_entry_is_named_and_rebuilt(cached, caplog, damage, reason):
    cache, spy, paths, labels, good = cached
    entry = cache.path_for("fsdd", paths, SPOKEN_DIGITS)
    damage(entry)
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        again = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    (message,) = caplog.messages
    assert message.startswith(f"{entry} is damaged ")
    assert reason in message and message.endswith("; rebuilding this feature cache entry")
    assert spy.calls == 2  # extracted again...
    assert torch.equal(again.features, good.features) and torch.equal(again.mask, good.mask)
    caplog.clear()
    cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    assert spy.calls == 2 and not caplog.messages  # ...and the healed entry serves again


def test_an_entry_from_before_checksums_is_kept_and_given_one(cached, caplog):
    cache, spy, paths, labels, good = cached
    entry = cache.path_for("fsdd", paths, SPOKEN_DIGITS)
    torch.save({"features": good.features, "mask": good.mask}, entry)
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        data = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    assert spy.calls == 1 and not caplog.messages
    assert torch.equal(data.features, good.features)
    assert CHECKSUM_KEY in torch.load(entry, weights_only=True)


def test_an_entry_that_is_a_folder_is_one_warning_and_the_features_computed(cached, caplog):
    cache, spy, paths, labels, good = cached
    entry = cache.path_for("fsdd", paths, SPOKEN_DIGITS)
    entry.unlink()
    entry.mkdir()
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        again = cache.load_or_extract("fsdd", paths, labels, spy, progress=False)
    assert caplog.messages == [
        f"{entry} is a folder, not a feature cache entry; the features are computed without "
        "caching them"
    ]
    assert spy.calls == 2 and torch.equal(again.features, good.features) and entry.is_dir()


def test_a_cache_folder_that_takes_no_entry_is_one_warning(cached, caplog, monkeypatch):
    cache, spy, paths, labels, good = cached
    monkeypatch.setattr(torch, "save", _full_disk)
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        for clips in (paths[:2], paths[1:]):  # two entries, one warning
            cache.load_or_extract("fsdd", clips, labels[:2], spy, progress=False)
    assert caplog.messages == [
        f"cannot cache features in {cache.folder} (No space left on device); the features are "
        "computed without caching them (to cache them: free space on that disk, or point "
        "catuvac at a folder on another, and run again)"
    ]
    assert spy.calls == 3 and len(list(cache.folder.iterdir())) == 1  # the first entry only


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
