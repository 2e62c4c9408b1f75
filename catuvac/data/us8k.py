"""UrbanSound8K: ``audio/foldN/*`` with ``metadata/UrbanSound8K.csv`` (official release) or
``metadata/UrbanSound8K-subset.csv`` (the offline copy of folds 1 and 10 as FLAC)."""

import csv
from pathlib import Path

from catuvac.data.base import AudioDataset, Clip, dataset_not_found, sorted_clips
from catuvac.errors import CatuvacError, DatasetNotFoundError, unknown_option

NAME = "us8k"
METADATA = ("metadata/UrbanSound8K.csv", "metadata/UrbanSound8K-subset.csv")


def load(root: Path, test_fold: int = 10) -> AudioDataset:
    """Read the metadata rows of the folds present; ``test_fold`` is the "test" split.

    Folds whose folder is absent are skipped (partial copies), but a row whose file is
    missing from a present fold is an error: it means a damaged copy.
    """
    rows = _read_metadata(root)
    class_names = _class_names(rows)
    clips = sorted_clips([_clip(root, row) for row in rows if _fold_dir(root, row).is_dir()], root)
    if not clips:
        raise dataset_not_found(NAME, root, "audio/foldN folders with the files of the metadata")
    folds = sorted({c.meta["fold"] for c in clips})
    if test_fold not in folds:
        raise unknown_option("UrbanSound8K test fold", str(test_fold), [str(f) for f in folds])
    splits = {f"fold{f}": [i for i, c in enumerate(clips) if c.meta["fold"] == f] for f in folds}
    splits["train"] = [i for i, c in enumerate(clips) if c.meta["fold"] != test_fold]
    splits["test"] = splits[f"fold{test_fold}"]
    return AudioDataset(NAME, root, class_names, clips, splits)


def _read_metadata(root: Path) -> list[dict[str, str]]:
    """Rows of the first metadata CSV that exists (the official one wins over the subset)."""
    for name in METADATA:
        if (root / name).is_file():
            with (root / name).open(newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))
    raise dataset_not_found(NAME, root, " or ".join(METADATA))


def _class_names(rows: list[dict[str, str]]) -> list[str]:
    """Class names ordered by ``classID``, checked to be one name per id with no gaps."""
    names = {int(row["classID"]): row["class"] for row in rows}
    if sorted(names) != list(range(len(names))) or len(set(names.values())) != len(names):
        raise CatuvacError(f"UrbanSound8K metadata has inconsistent classID/class pairs: {names}")
    return [names[i] for i in range(len(names))]


def _fold_dir(root: Path, row: dict[str, str]) -> Path:
    return root / "audio" / f"fold{row['fold']}"


def _clip(root: Path, row: dict[str, str]) -> Clip:
    path = _fold_dir(root, row) / row["slice_file_name"]
    if not path.is_file():
        raise DatasetNotFoundError(f"UrbanSound8K metadata lists {path}, but the file is missing")
    fold = int(row["fold"])
    start, end = float(row["start"]), float(row["end"])
    meta = {
        "fsID": int(row["fsID"]),
        "start": start,
        "end": end,
        "duration": end - start,
        "salience": int(row["salience"]),
        "fold": fold,
    }
    return Clip(path, int(row["classID"]), row["class"], f"fold{fold}", meta)
