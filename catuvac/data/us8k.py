"""UrbanSound8K: ``audio/foldN/*`` with ``metadata/UrbanSound8K.csv`` (official release) or
``metadata/UrbanSound8K-subset.csv`` (the offline copy of folds 1 and 10 as FLAC)."""

import csv
from pathlib import Path
from typing import Any

from catuvac.data.base import AudioDataset, Clip, dataset_not_found, sorted_clips
from catuvac.errors import CatuvacError, DatasetNotFoundError, MetadataError, unknown_option

NAME = "us8k"
METADATA = ("metadata/UrbanSound8K.csv", "metadata/UrbanSound8K-subset.csv")


COLUMNS = {  # each column the loader reads, and how its text is read
    "slice_file_name": str,
    "fsID": int,
    "start": float,
    "end": float,
    "salience": int,
    "fold": int,
    "classID": int,
    "class": str,
}


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


def _read_metadata(root: Path) -> list[dict[str, Any]]:
    """Rows of the first metadata CSV that exists (the official one wins over the subset),
    each value read as its column's type. A missing column, a value that is not of its
    type (a fold of ``one``) or a file without rows is a :class:`MetadataError` naming the
    file (and the line): not a ``KeyError``, nor "no fold folders" for an empty file."""
    path = next((root / name for name in METADATA if (root / name).is_file()), None)
    if path is None:
        raise dataset_not_found(NAME, root, " or ".join(METADATA))
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            raise MetadataError(f"{path} is empty: no header, no clips")
        missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
        if missing:
            raise MetadataError(f"{path} lacks the columns {', '.join(missing)}")
        rows = [_typed(row, path, line) for line, row in enumerate(reader, start=2)]
    if not rows:
        raise MetadataError(f"{path} lists no clips (it holds no rows below its header)")
    return rows


def _typed(row: dict[str, str | None], path: Path, line: int) -> dict[str, Any]:
    """One metadata row with each column read as its type, or a :class:`MetadataError`."""
    typed = {}
    for name, kind in COLUMNS.items():
        if row[name] is None:  # a row shorter than the header
            raise MetadataError(f"{path} line {line}: no {name} (the row has too few values)")
        try:
            typed[name] = kind(row[name])
        except ValueError:
            raise MetadataError(
                f"{path} line {line}: {name} is {row[name]!r}, not {kind.__name__}"
            ) from None
    return typed


def _class_names(rows: list[dict[str, Any]]) -> list[str]:
    """Class names ordered by ``classID``, checked to be one name per id with no gaps."""
    names = {row["classID"]: row["class"] for row in rows}
    if sorted(names) != list(range(len(names))) or len(set(names.values())) != len(names):
        raise CatuvacError(f"UrbanSound8K metadata has inconsistent classID/class pairs: {names}")
    return [names[i] for i in range(len(names))]


def _fold_dir(root: Path, row: dict[str, Any]) -> Path:
    return root / "audio" / f"fold{row['fold']}"


def _clip(root: Path, row: dict[str, Any]) -> Clip:
    path = _fold_dir(root, row) / row["slice_file_name"]
    if not path.is_file():
        raise DatasetNotFoundError(f"UrbanSound8K metadata lists {path}, but the file is missing")
    meta = {"fsID": row["fsID"], "start": row["start"], "end": row["end"]}
    meta.update(duration=row["end"] - row["start"], salience=row["salience"], fold=row["fold"])
    return Clip(path, row["classID"], row["class"], f"fold{row['fold']}", meta)
