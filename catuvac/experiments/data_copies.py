"""A copy of an offline dataset to damage: the audio linked, the metadata copied, and the
first training clip the smoke profile takes named (the one a hostile-input case breaks).
It sits above the data package because it must know the profile's choice of clips."""

import os
import shutil
from collections.abc import Collection
from pathlib import Path

from catuvac.data import dataset_dir, load
from catuvac.experiments.prepare import chosen_clips
from catuvac.experiments.profiles import get_profile

AUDIO_SUFFIXES = (".wav", ".flac")


def linked_copy(
    base: str | Path, offline_data: str | Path, name: str, keep: Collection[str] | None = None
) -> tuple[Path, Path]:
    """Copy dataset ``name`` from ``offline_data`` to ``base/data`` (its usual folder name
    there): every audio file a link to the offline one (only those named in ``keep``, when
    given), every other file (metadata, split lists) a copy to edit. Return the copy's
    root and the offline path of the first training clip the smoke profile takes (the one
    to damage: replace ``root / first.relative_to(offline_data / folder)``, after
    ``unlink``, so that the offline file stays as it is)."""
    folder = dataset_dir(name).name
    real = Path(offline_data).resolve() / folder
    root = Path(base) / "data" / folder
    for path in sorted(real.rglob("*")):
        target = root / path.relative_to(real)
        if path.is_dir() or (
            path.suffix in AUDIO_SUFFIXES and keep is not None and path.name not in keep
        ):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in AUDIO_SUFFIXES:
            os.symlink(path, target)
        else:
            shutil.copyfile(path, target)
    dataset = load(name, root=real)
    first = chosen_clips(dataset, "train", get_profile("smoke").max_clips("train"))[0]
    return root, first.path
