"""Dataset loaders: ``load(name)`` finds a dataset under ``CATUVAC_DATA`` and reads its layout.

May import: the top-level modules only (``errors``, ``paths``, ``atomic``).
"""

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from catuvac.data import arabic_digits, audiomnist, fsdd, tau2019, us8k
from catuvac.data.base import AudioDataset, Clip, dataset_not_found, fetch_hint, random_split
from catuvac.errors import unknown_option
from catuvac.paths import data_root

__all__ = [
    "AudioDataset",
    "Clip",
    "canonical_name",
    "dataset_dir",
    "dataset_names",
    "how_to_get",
    "load",
    "random_split",
]


class _Entry(NamedTuple):
    """A dataset's loader, its default folder under the data root and, for a dataset that
    ``catuvac download`` cannot fetch, where to get it (None: ``catuvac download`` can)."""

    loader: Callable[..., AudioDataset]
    folder: str
    how_to_get: str | None = None


_DATASETS: dict[str, _Entry] = {
    "arabic-digits": _Entry(arabic_digits.load, "arabic-speech-commands", arabic_digits.HOW_TO_GET),
    "audiomnist": _Entry(audiomnist.load, "audiomnist"),
    "fsdd": _Entry(fsdd.load, "fsdd"),
    "tau2019": _Entry(tau2019.load, "tau2019"),
    "us8k": _Entry(us8k.load, "urbansound8k"),
}
_ALIASES = {
    "urbansound8k": "us8k",
    "tau": "tau2019",
    "arabic": "arabic-digits",
    "arabic-speech-commands": "arabic-digits",
}


def dataset_names() -> list[str]:
    """Canonical dataset names, sorted."""
    return sorted(_DATASETS)


def canonical_name(name: str) -> str:
    """Map a dataset name or alias (case-insensitive) to its canonical name."""
    key = name.lower()
    key = _ALIASES.get(key, key)
    if key not in _DATASETS:
        raise unknown_option("dataset", name, dataset_names())
    return key


def dataset_dir(name: str) -> Path:
    """Default folder of a dataset: its subfolder of ``catuvac.paths.data_root()``."""
    return data_root() / _DATASETS[canonical_name(name)].folder


def how_to_get(name: str) -> str:
    """How to get a dataset: ``catuvac download`` or, where it cannot, where from."""
    canonical = canonical_name(name)
    return fetch_hint(canonical, _DATASETS[canonical].how_to_get)


def load(name: str, root: str | Path | None = None, **options) -> AudioDataset:
    """Load a dataset by name from ``root`` (default :func:`dataset_dir`).

    ``options`` go to the dataset's loader (``fsdd``: split, seed; ``audiomnist``: seed;
    ``us8k``: test_fold; ``arabic-digits``: test_split); an option the loader does not
    take is an error, not ignored.
    """
    canonical = canonical_name(name)
    loader, _, hint = _DATASETS[canonical]
    allowed = [p for p in inspect.signature(loader).parameters if p != "root"]
    for option in options:
        if option not in allowed:
            raise unknown_option(f"option for {canonical}", option, allowed or ["(none)"])
    folder = dataset_dir(canonical) if root is None else Path(root).expanduser().resolve()
    if not folder.is_dir():
        raise dataset_not_found(canonical, folder, how_to_get=hint)
    return loader(folder, **options)
