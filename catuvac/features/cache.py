"""On-disk feature cache keyed by dataset, feature settings and the clips' content.

Each clip enters the key by its name, size and the SHA-256 of its bytes, so a recording
overwritten in place (even with as many bytes of noise) is extracted again, while a copy
of the dataset elsewhere reuses the entries. Hashing every file is cheaper than sampling
blocks of it (one read per small file against several seeks): measured with
``benchmarks/cache_key.py`` on the offline data (2 shared CPU cores, page cache warm),
keying all of FSDD (3000 clips, 21 MB) takes 0.14 to 0.36 s, the Arabic digits (2400,
38 MB) 0.13 to 0.40 s and the UrbanSound8K subset (1710, 125 MB) 0.18 to 0.74 s (the
higher figures with the cores busy), against minutes to extract their features.
Entries keyed by name and size alone (version 1) are simply extracted again.

It is only a cache: an entry that cannot be read, or whose content is not what its key
promises (the shape of that many clips under those settings, the checksum stored with
it), is reported in one line on the ``catuvac`` logger and extracted again. A cache
folder that cannot take an entry (read-only, full, a folder where the entry belongs) is
one warning, and the features are used without being stored.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from catuvac.atomic import atomic_write_bytes, read_file, write_failure
from catuvac.errors import DamagedFileError, WriteError
from catuvac.features.config import FeatureConfig
from catuvac.features.extract import FeatureExtractor, FeatureSet
from catuvac.paths import cache_dir

CACHE_VERSION = 2  # 2: clips keyed by their content, not their name and size alone
CHECKSUM_KEY = "sha256"
REBUILD = "rebuilding this feature cache entry"
UNCACHED = "the features are computed without caching them"

log = logging.getLogger(__name__)


def checksum(features: torch.Tensor, mask: torch.Tensor) -> str:
    """SHA-256 of the features' and the mask's bytes, stored with an entry."""
    digest = hashlib.sha256(features.contiguous().numpy())
    digest.update(mask.contiguous().numpy())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def cache_key(dataset: str, paths: Sequence[Path], config: FeatureConfig) -> str:
    """A hash that changes when the dataset, a setting or any file (its name, size or
    content) changes."""
    files = [(Path(p).name, Path(p).stat().st_size, file_digest(p)) for p in paths]
    payload = json.dumps(
        {"version": CACHE_VERSION, "dataset": dataset, "files": files, "config": config.to_dict()},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


class FeatureCache:
    """Stores one ``.pt`` file per (dataset, file list, settings); writes are atomic."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir()
        self.writable = True  # until a write fails: then warned once, and not tried again

    def path_for(self, dataset: str, paths: Sequence[Path], config: FeatureConfig) -> Path:
        """Where the features of this exact request live."""
        return self.folder / f"{dataset}-{config.name}-{cache_key(dataset, paths, config)}.pt"

    def load_or_extract(
        self,
        dataset: str,
        paths: Sequence[Path],
        labels: Sequence[int],
        extractor: FeatureExtractor,
        progress: bool = True,
    ) -> FeatureSet:
        """Cached features when present and sound, else extract them and store them (a
        damaged entry is named in one warning and replaced)."""
        target = self.path_for(dataset, paths, extractor.config)
        if target.is_dir():
            log.warning("%s is a folder, not a feature cache entry; %s", target, UNCACHED)
            return extractor.extract(paths, labels, progress=progress)
        if target.exists():
            try:
                features, mask = self._read(target, len(paths), extractor.config)
                return FeatureSet(
                    features, mask, np.asarray(labels, dtype=np.int64), [str(p) for p in paths]
                )
            except DamagedFileError as error:
                log.warning("%s", error)
        data = extractor.extract(paths, labels, progress=progress)
        self._store(target, data.features, data.mask)
        return data

    def _read(
        self, target: Path, n_clips: int, config: FeatureConfig
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Features and mask of an entry, checked against its key and checksum; an entry
        written before checksums were stored is checked on shape and stored again with one."""
        stored = read_file(target, lambda p: torch.load(p, weights_only=True), REBUILD)
        features = stored.get("features") if isinstance(stored, dict) else None
        mask = stored.get("mask") if isinstance(stored, dict) else None
        if not (isinstance(features, torch.Tensor) and isinstance(mask, torch.Tensor)):
            raise DamagedFileError(target, "no features and mask in it", REBUILD)
        expected = (n_clips, *config.shape), (n_clips, config.shape[-1])
        if (tuple(features.shape), tuple(mask.shape)) != expected:
            found = f"features {tuple(features.shape)}, mask {tuple(mask.shape)}"
            raise DamagedFileError(target, f"{found}, expected {expected}", REBUILD)
        if CHECKSUM_KEY not in stored:
            self._store(target, features, mask)
        elif stored[CHECKSUM_KEY] != checksum(features, mask):
            raise DamagedFileError(target, "its content does not match its checksum", REBUILD)
        return features, mask

    def _store(self, target: Path, features: torch.Tensor, mask: torch.Tensor) -> None:
        """Write an entry if the cache folder takes it; the first write that fails is one
        warning, and no other entry is tried."""
        if not self.writable:
            return
        try:
            self._write(target, features, mask)
        except WriteError as error:
            self.writable = False
            log.warning(
                "cannot cache features in %s (%s); %s (to cache them: %s)",
                self.folder,
                error.reason,
                UNCACHED,
                error.advice,
            )

    def _write(self, target: Path, features: torch.Tensor, mask: torch.Tensor) -> None:
        """Write atomically, so an interrupted extraction leaves no partial cache file."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise write_failure(target, error) from error
        payload = {"features": features, "mask": mask, CHECKSUM_KEY: checksum(features, mask)}
        atomic_write_bytes(target, lambda temporary: torch.save(payload, temporary))
