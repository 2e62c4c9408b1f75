"""Free Spoken Digit Dataset: ``recordings/{digit}_{speaker}_{take}.wav``, 8 kHz, 6 speakers."""

import re
from pathlib import Path

from catuvac.data.base import AudioDataset, Clip, dataset_not_found, random_split, sorted_clips
from catuvac.errors import CatuvacError, unknown_option

NAME = "fsdd"
CLASS_NAMES = [str(d) for d in range(10)]
FILE_NAME = re.compile(r"(?P<digit>\d)_(?P<speaker>[a-z]+)_(?P<take>\d+)\.wav")
TEST_TAKES = range(5)  # the dataset's own convention: takes 0-4 test, 5-49 train
SPLITS = ("official", "random")


def load(root: Path, split: str = "official", seed: int = 0) -> AudioDataset:
    """Read the recordings; ``split="random"`` gives a seeded 80/10/10 train/validation/test."""
    if split not in SPLITS:
        raise unknown_option("FSDD split", split, SPLITS)
    files = sorted((root / "recordings").glob("*.wav"))
    if not files:
        raise dataset_not_found(NAME, root, "recordings/*.wav files")
    clips = sorted_clips([_clip(path) for path in files], root)
    if split == "official":
        test = [i for i, c in enumerate(clips) if c.meta["take"] in TEST_TAKES]
        train = [i for i, c in enumerate(clips) if c.meta["take"] not in TEST_TAKES]
        splits = {"train": train, "test": test}
    else:
        parts = random_split(len(clips), (0.8, 0.1, 0.1), seed)
        splits = dict(zip(("train", "validation", "test"), parts, strict=True))
    return AudioDataset(NAME, root, CLASS_NAMES, clips, splits)


def _clip(path: Path) -> Clip:
    match = FILE_NAME.fullmatch(path.name)
    if match is None:
        raise CatuvacError(
            f"unexpected FSDD file name {path}; expected {{digit}}_{{speaker}}_{{take}}.wav"
        )
    digit = match["digit"]
    return Clip(path, int(digit), digit, match["speaker"], {"take": int(match["take"])})
