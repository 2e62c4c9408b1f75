"""The ten digit words of the Arabic Speech Commands dataset (Ghandoura et al., 2021).

Clips are ``dataset/{word}/{speaker}_NO_{take}.{wav,flac}``: 1 s, 16 kHz, mono; the first
8 characters of a name are the speaker, which is each clip's group. Two layouts are read:

* the official release (public repository abdulkaderghandoura/arabic-speech-commands-dataset):
  ``.wav`` files of 40 keywords listed in the speaker-disjoint ``train.csv``, ``val.csv``
  and ``test.csv`` (columns ``file,class``); only the digit rows are kept;
* the offline copy: ``.flac`` files of the digits only, ``train.csv`` (the official
  training speakers) and ``test.csv``, which lists the official *validation* speakers.

The "test" split a run scores on is the official validation speakers by default
(``test_split="val"``), in both layouts, so a result on either layout is computed on the
same 18 training and 6 test speakers; ``test_split="test"`` picks the official test
speakers instead, which only the official release has. Splits ``"val"`` (and, in the
official layout, ``"official_test"``) name the official files whatever ``test_split`` is.
"""

import csv
import re
from pathlib import Path

from catuvac.data.base import (
    AudioDataset,
    Clip,
    check_one_split_each,
    dataset_not_found,
    sorted_clips,
)
from catuvac.errors import CatuvacError, DatasetNotFoundError, unknown_option

NAME = "arabic-digits"
HOMEPAGE = "https://github.com/abdulkaderghandoura/arabic-speech-commands-dataset"
HOW_TO_GET = (
    f"get it from {HOMEPAGE} (clone or download the repository into the dataset folder; it has "
    "no archive with a published checksum for `catuvac download`)"
)
CLASS_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FILE_NAME = re.compile(r"(?P<speaker>\d{8})_NO_(?P<take>\d+)\.(wav|flac)")
TEST_SPLITS = ("val", "test")
OFFICIAL_CSV = {"train": "train.csv", "val": "val.csv", "official_test": "test.csv"}
COPY_CSV = {"train": "train.csv", "val": "test.csv"}  # the copy's test.csv: official val


def load(root: Path, test_split: str = "val") -> AudioDataset:
    """Read the digit rows of the split files; ``test_split`` is the official split scored as
    "test": ``"val"`` (default, the speakers of the offline copy's ``test.csv``) or ``"test"``
    (official layout only)."""
    if test_split not in TEST_SPLITS:
        raise unknown_option("Arabic digits test split", test_split, TEST_SPLITS)
    if not (root / "train.csv").is_file():
        raise dataset_not_found(NAME, root, "train.csv", HOW_TO_GET)
    official = (root / "val.csv").is_file()
    files = OFFICIAL_CSV if official else COPY_CSV
    if test_split == "test" and not official:
        raise CatuvacError(
            f"{root} is the digits-only copy, whose test.csv lists the official validation "
            "speakers; test_split='test' needs the official release (train/val/test.csv)"
        )
    rows = {split: _digit_rows(root, name, official) for split, name in files.items()}
    check_one_split_each({root / files[s]: [f for f, _ in r] for s, r in rows.items()}, root)
    clips = sorted_clips(
        [_clip(root, *row) for split_rows in rows.values() for row in split_rows], root
    )
    index = {c.path: i for i, c in enumerate(clips)}
    splits = {split: sorted(index[root / file] for file, _ in r) for split, r in rows.items()}
    splits["test"] = splits["val" if test_split == "val" else "official_test"]
    return AudioDataset(NAME, root, CLASS_NAMES, clips, splits)


def _digit_rows(root: Path, name: str, official: bool) -> list[tuple[str, str]]:
    """``(file, word)`` of a split file's digit rows, each checked against the tree.

    Other keywords of the official release (a word naming its file's folder) are skipped;
    any other word is an unknown class.
    """
    path = root / name
    if not path.is_file():
        raise dataset_not_found(NAME, root, name, HOW_TO_GET)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not {"file", "class"} <= set(reader.fieldnames or ()):
            raise CatuvacError(f"{path} needs the columns file,class; found {reader.fieldnames}")
        rows = [(row["file"], row["class"]) for row in reader]
    kept = []
    for line, (file, word) in enumerate(rows, start=2):
        folder = Path(file).parent.name
        if word not in CLASS_NAMES:
            if official and word == folder:
                continue
            raise CatuvacError(
                f"{path} line {line}: unknown class word {word!r} for {file}; "
                f"expected one of: {', '.join(CLASS_NAMES)}"
            )
        if folder != word:
            raise CatuvacError(f"{path} line {line}: {file} is not in the folder of {word!r}")
        if not (root / file).is_file():
            raise DatasetNotFoundError(f"{path} line {line} lists {root / file}, but it is missing")
        kept.append((file, word))
    return kept


def _clip(root: Path, file: str, word: str) -> Clip:
    path = root / file
    match = FILE_NAME.fullmatch(path.name)
    if match is None:
        raise CatuvacError(
            f"unexpected Arabic Speech Commands file name {path}; "
            "expected {8-digit speaker}_NO_{take}.wav or .flac"
        )
    return Clip(path, CLASS_NAMES.index(word), word, match["speaker"], {"take": int(match["take"])})
