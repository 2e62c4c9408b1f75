"""AudioMNIST: ``data/NN/{digit}_{NN}_{take}.wav`` at 48 kHz and ``data/audioMNIST_meta.txt``."""

import json
import re
from pathlib import Path

from catuvac.data.base import AudioDataset, Clip, dataset_not_found, random_split, sorted_clips
from catuvac.errors import CatuvacError

NAME = "audiomnist"
CLASS_NAMES = [str(d) for d in range(10)]
FILE_NAME = re.compile(r"(?P<digit>\d)_(?P<speaker>\d+)_(?P<take>\d+)\.wav")
META_FILE = "data/audioMNIST_meta.txt"
# The paper's random 24000/3000/3000 split of the 30000 clips, as fractions so that
# partial copies (such as the six offline samples) keep the same proportions.
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


def load(root: Path, seed: int = 0) -> AudioDataset:
    """Read the recordings with each speaker's metadata row; seeded random 80/10/10 split."""
    meta_path = root / META_FILE
    if not meta_path.is_file():
        raise dataset_not_found(NAME, root, META_FILE)
    speakers = json.loads(meta_path.read_text(encoding="utf-8"))
    files = sorted((root / "data").glob("*/*.wav"))
    if not files:
        raise dataset_not_found(NAME, root, "data/NN/*.wav files")
    clips = sorted_clips([_clip(path, speakers) for path in files], root)
    parts = random_split(len(clips), SPLIT_FRACTIONS, seed)
    splits = dict(zip(("train", "validation", "test"), parts, strict=True))
    return AudioDataset(NAME, root, CLASS_NAMES, clips, splits)


def _clip(path: Path, speakers: dict[str, dict]) -> Clip:
    match = FILE_NAME.fullmatch(path.name)
    if match is None:
        raise CatuvacError(
            f"unexpected AudioMNIST file name {path}; expected {{digit}}_{{NN}}_{{take}}.wav"
        )
    speaker = match["speaker"]
    if speaker not in speakers:
        raise CatuvacError(f"speaker {speaker!r} of {path} is not in {META_FILE}")
    digit = match["digit"]
    return Clip(path, int(digit), digit, speaker, {**speakers[speaker], "take": int(match["take"])})
