"""TAU Urban Acoustic Scenes 2019, development set (DCASE 2019 task 1a).

Layout: ``audio/{scene}-{city}-{location}-{segment}-{device}.wav``, a tab-separated
``meta.csv`` (filename, scene_label, identifier, source_label) and the official fold in
``evaluation_setup/fold1_train.csv`` and ``fold1_evaluate.csv``.
"""

import csv
from pathlib import Path

from catuvac.data.base import (
    AudioDataset,
    Clip,
    check_one_split_each,
    dataset_not_found,
    sorted_clips,
)
from catuvac.errors import CatuvacError, DatasetNotFoundError

NAME = "tau2019"
SCENES = [  # the 10 scene labels, sorted: label i is SCENES[i]
    "airport",
    "bus",
    "metro",
    "metro_station",
    "park",
    "public_square",
    "shopping_mall",
    "street_pedestrian",
    "street_traffic",
    "tram",
]
META = "meta.csv"
SPLIT_FILES = {
    "train": "evaluation_setup/fold1_train.csv",
    "test": "evaluation_setup/fold1_evaluate.csv",
}


def load(root: Path) -> AudioDataset:
    """Read ``meta.csv``; "train" and "test" are the official fold 1 train/evaluate lists."""
    if not (root / META).is_file():
        raise dataset_not_found(NAME, root, META)
    clips = sorted_clips([_clip(root, row) for row in _read_tsv(root / META)], root)
    index = {c.path.relative_to(root).as_posix(): i for i, c in enumerate(clips)}
    listed = {split: _listed(root, name, index) for split, name in SPLIT_FILES.items()}
    check_one_split_each({root / SPLIT_FILES[s]: names for s, names in listed.items()}, root)
    splits = {split: sorted(index[name] for name in names) for split, names in listed.items()}
    return AudioDataset(NAME, root, SCENES, clips, splits)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _clip(root: Path, row: dict[str, str]) -> Clip:
    path = root / row["filename"]
    if not path.is_file():
        raise DatasetNotFoundError(f"TAU 2019 {META} lists {path}, but the file is missing")
    parts = path.stem.split("-")
    scene = row["scene_label"]
    if len(parts) != 5 or parts[0] != scene or scene not in SCENES:
        raise CatuvacError(
            f"TAU 2019 file {path} does not match its scene {scene!r}: "
            "expected {scene}-{city}-{location}-{segment}-{device}.wav with a known scene"
        )
    _, city, location, segment, _ = parts
    meta = {
        "identifier": row["identifier"],
        "device": row["source_label"],
        "location": location,
        "segment": int(segment),
    }
    return Clip(path, SCENES.index(scene), scene, city, meta)


def _listed(root: Path, name: str, index: dict[str, int]) -> list[str]:
    """The clips (their file names) one evaluation-setup file lists, each checked to be
    in ``meta.csv``."""
    path = root / name
    if not path.is_file():
        raise DatasetNotFoundError(
            f"TAU 2019 split file {path} is missing (it comes with the meta zip)"
        )
    names = [row["filename"] for row in _read_tsv(path)]
    unknown = [name for name in names if name not in index]
    if unknown:
        raise CatuvacError(f"{path} lists {len(unknown)} files not in {META}, e.g. {unknown[0]}")
    return names
