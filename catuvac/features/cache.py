"""On-disk feature cache keyed by dataset, file list and feature settings."""

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from catuvac.atomic import atomic_write_bytes
from catuvac.features.config import FeatureConfig
from catuvac.features.extract import FeatureExtractor, FeatureSet
from catuvac.paths import cache_dir

CACHE_VERSION = 1


def cache_key(dataset: str, paths: Sequence[Path], config: FeatureConfig) -> str:
    """A hash that changes when the dataset, any file (name or size) or a setting changes."""
    files = [(Path(p).name, Path(p).stat().st_size) for p in paths]
    payload = json.dumps(
        {"version": CACHE_VERSION, "dataset": dataset, "files": files, "config": config.to_dict()},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


class FeatureCache:
    """Stores one ``.pt`` file per (dataset, file list, settings); writes are atomic."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir()

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
        """Cached features when present, else extract them and store them."""
        target = self.path_for(dataset, paths, extractor.config)
        if target.exists():
            stored = torch.load(target, weights_only=True)
            return FeatureSet(
                stored["features"],
                stored["mask"],
                np.asarray(labels, dtype=np.int64),
                [str(p) for p in paths],
            )
        data = extractor.extract(paths, labels, progress=progress)
        self._write(target, {"features": data.features, "mask": data.mask})
        return data

    def _write(self, target: Path, payload: dict) -> None:
        """Write atomically, so an interrupted extraction leaves no partial cache file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, lambda temporary: torch.save(payload, temporary))
