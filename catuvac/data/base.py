"""The dataset model shared by every loader: clips, labels, splits and seeded sampling."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from catuvac.errors import (
    DatasetNotFoundError,
    DatasetTooSmallError,
    MetadataError,
    unknown_option,
)
from catuvac.paths import data_root


@dataclass(frozen=True)
class Clip:
    """One labelled audio file."""

    path: Path
    label: int  # index into AudioDataset.class_names
    label_name: str
    group: str  # speaker (fsdd, audiomnist), "foldN" (us8k), city (tau2019)
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class AudioDataset:
    """A dataset's clips in a fixed order, with named splits given as indices into ``clips``."""

    name: str
    root: Path
    class_names: list[str]
    clips: list[Clip]
    splits: dict[str, list[int]]

    def __post_init__(self) -> None:
        missing = {"train", "test"} - self.splits.keys()
        if missing:
            raise ValueError(f"dataset {self.name!r} lacks the splits {sorted(missing)}")

    def __len__(self) -> int:
        return len(self.clips)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def split(self, name: str) -> list[Clip]:
        """The clips of one split, in dataset order."""
        if name not in self.splits:
            raise unknown_option("split", name, sorted(self.splits))
        return [self.clips[i] for i in self.splits[name]]

    def subset(self, split: str, n: int | None, seed: int = 0) -> list[Clip]:
        """``n`` clips of a split drawn at random per label in proportion, or all of it if None.

        Stratifying keeps small experiment profiles balanced like the full split; the
        result is in dataset order so that the same seed always gives the same list. A
        split with fewer than ``n`` clips is a :class:`DatasetTooSmallError`.
        """
        clips = self.split(split)
        if n is None:
            return clips
        if n > len(clips):
            raise DatasetTooSmallError(
                f"the {split} split of {self.name} in {self.root} holds {len(clips)} clips, "
                f"fewer than the {n} the profile takes; restore the missing recordings, or "
                "choose a profile that takes them all (--profile cpu)"
            )
        chosen = stratified_sample(self.labels(clips), n, seed)
        return [clips[i] for i in chosen]

    def labels(self, clips: Sequence[Clip] | None = None) -> np.ndarray:
        """Integer labels of ``clips`` (default: all clips) as an int64 array."""
        return np.array([c.label for c in (self.clips if clips is None else clips)], dtype=np.int64)


def _counts(n: int, sizes: Sequence[int] | Sequence[float]) -> list[int]:
    """Turn split sizes (counts, or fractions of ``n``) into counts that fit in ``n``."""
    if any(s < 0 for s in sizes):
        raise ValueError(f"split sizes must not be negative: {list(sizes)}")
    if all(isinstance(s, int | np.integer) for s in sizes):
        counts = [int(s) for s in sizes]
    else:
        if sum(sizes) > 1 + 1e-9:
            raise ValueError(f"split fractions add up to more than 1: {list(sizes)}")
        # Round each part, then let the largest part absorb the rounding error.
        counts = [round(s * n) for s in sizes]
        largest = int(np.argmax(sizes))
        counts[largest] += round(sum(sizes) * n) - sum(counts)
    if sum(counts) > n:
        raise ValueError(f"split sizes {counts} need {sum(counts)} items, only {n} available")
    return counts


def random_split(n: int, sizes: Sequence[int] | Sequence[float], seed: int) -> list[list[int]]:
    """Seeded disjoint random parts of ``range(n)``, each sorted; sizes are counts or fractions."""
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0, *_counts(n, sizes)])
    return [sorted(order[a:b].tolist()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def stratified_sample(labels: np.ndarray, n: int, seed: int) -> list[int]:
    """Sorted positions of ``n`` items drawn per label in proportion to the label counts."""
    if not 0 < n <= len(labels):
        raise ValueError(f"cannot draw {n} clips from a split of {len(labels)}")
    classes, counts = np.unique(labels, return_counts=True)
    quotas = counts * n / len(labels)
    taken = np.floor(quotas).astype(int)
    # Largest remainders get the leftover places; ties go to the smaller label.
    for k in np.argsort(-(quotas - taken), kind="stable")[: n - taken.sum()]:
        taken[k] += 1
    rng = np.random.default_rng(seed)
    chosen = [
        rng.choice(np.flatnonzero(labels == c), size=k, replace=False)
        for c, k in zip(classes, taken, strict=True)
    ]
    return sorted(np.concatenate(chosen).tolist())


def sorted_clips(clips: list[Clip], root: Path) -> list[Clip]:
    """Clips ordered by their path relative to the dataset root, the same on every machine."""
    return sorted(clips, key=lambda c: c.path.relative_to(root).as_posix())


def check_one_split_each(lists: Mapping[Path, Sequence[str]], root: Path) -> None:
    """Refuse a clip that split files list twice (in two of them, or twice in one): it would
    be trained on and scored as a test clip, or counted twice. ``lists`` maps each split
    file to the clips it lists, as paths relative to the dataset ``root``."""
    seen: dict[str, Path] = {}
    for split_file, names in lists.items():
        for name in names:
            if name in seen:
                raise MetadataError(
                    f"{root / name} is listed in {seen[name]} and again in {split_file}; a "
                    "clip belongs to one split: remove one of its rows"
                )
            seen[name] = split_file


def dataset_not_found(
    name: str, folder: Path, expected: str | None = None, how_to_get: str | None = None
) -> DatasetNotFoundError:
    """The one error for absent data: where we looked, what was missing, how to get it
    (``how_to_get`` for a dataset that ``catuvac download`` cannot fetch)."""
    problem = "does not exist" if expected is None else f"exists but has no {expected}"
    return DatasetNotFoundError(
        f"dataset {name!r} not found: {folder} {problem}. "
        f"CATUVAC_DATA sets the folder holding one subfolder per dataset (now {data_root()}); "
        f"{fetch_hint(name, how_to_get)}."
    )


def fetch_hint(name: str, how_to_get: str | None = None) -> str:
    """How to get a dataset: ``how_to_get`` if given, else ``catuvac download``."""
    return how_to_get or f"fetch this one with `catuvac download {name}`"
