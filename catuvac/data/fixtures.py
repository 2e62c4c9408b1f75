"""Tiny generated dataset trees in official layouts, for tests and for the book.

``write_tau_fixture`` writes a TAU Urban Acoustic Scenes 2019 development tree: wav files
named ``audio/{scene}-{city}-{location}-{segment}-{device}.wav``, the tab-separated
``meta.csv`` and the fold-1 lists in ``evaluation_setup/``, which is what
:func:`catuvac.data.tau2019.load` reads. ``write_arabic_digits_fixture`` writes the Arabic
Speech Commands release (wav files of digits and other keywords, ``train.csv``,
``val.csv``, ``test.csv``) or the digits-only FLAC copy that the offline data holds. The
sounds are synthetic (no real recording is needed): each scene (or word) gets its own
noise colour and hum so that features differ by class.

``linked_copy`` and ``us8k_copy`` build copies of the offline data to damage: each audio
file a link to the offline one (cheap, and the one to damage is replaced, never edited
through its link), the metadata real files to edit. ``tests/test_hostile_inputs.py`` and
``benchmarks/hostile_cases.py`` (the rerun of issue 29's cases) build theirs with them.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import lfilter

from catuvac.data import arabic_digits
from catuvac.data.tau2019 import META, SCENES, SPLIT_FILES

TAU_CITIES = ("barcelona", "helsinki", "lisbon")
"""Default cities of the fixture; the test city (fold-1 "evaluate" list) is the second."""


def scene_sound(
    scene_index: int, seconds: float, sample_rate: int, seed: int, channels: int = 1
) -> np.ndarray:
    """A synthetic scene: noise whose spectral tilt depends on the scene, plus a hum.

    Returns float32 samples in [-1, 1], shape ``[samples]`` or ``[samples, channels]``.
    """
    rng = np.random.default_rng(seed)
    n = max(1, round(seconds * sample_rate))
    noise = rng.normal(size=(n, channels))
    # Scene-specific colour: a one-pole low-pass whose pole moves with the scene.
    pole = 0.1 + 0.08 * (scene_index % 10)
    coloured = lfilter([1 - pole], [1, -pole], noise, axis=0)
    t = np.arange(n)[:, None] / sample_rate
    hum = 0.3 * np.sin(2 * np.pi * (110.0 * (1 + scene_index % 10)) * t)
    signal = coloured / (np.abs(coloured).max() + 1e-9) * 0.5 + hum
    signal = (0.8 * signal / np.abs(signal).max()).astype(np.float32)
    return signal[:, 0] if channels == 1 else signal


def write_tau_fixture(
    root: str | Path,
    scenes: Sequence[str] = SCENES,
    cities: Sequence[str] = TAU_CITIES,
    segments: int = 2,
    test_cities: Sequence[str] = ("helsinki",),
    seconds: float = 0.05,
    sample_rate: int = 8000,
    channels: int = 1,
    device: str = "a",
    seed: int = 0,
    subtype: str = "PCM_16",
) -> Path:
    """Write a TAU 2019 development tree under ``root`` and return ``root``.

    One file per scene, city (``location`` = the city's index) and segment; clips of the
    ``test_cities`` form the fold-1 evaluate (test) list, the rest the train list. The
    defaults (10 scenes x 3 cities x 2 segments of 0.05 s at 8 kHz, Helsinki as the test
    city) give 40 train and 20 test files. The official files are 10 s, 48 kHz, stereo,
    24-bit: pass ``seconds=10, sample_rate=48000, channels=2, subtype="PCM_24"`` for a
    realistic (larger) tree.
    """
    root = Path(root)
    unknown = [s for s in scenes if s not in SCENES]
    if unknown:
        raise ValueError(f"unknown TAU 2019 scenes {unknown}; expected some of {SCENES}")
    missing = [c for c in test_cities if c not in cities]
    if missing:
        raise ValueError(f"test cities {missing} are not among the cities {list(cities)}")
    meta, train, evaluate = [], [], []
    for scene in scenes:
        scene_index = SCENES.index(scene)
        for location, city in enumerate(cities):
            for segment in range(segments):
                name = f"audio/{scene}-{city}-{location}-{segment}-{device}.wav"
                clip_seed = seed * 1_000_003 + (scene_index * 100 + location) * 100 + segment
                samples = scene_sound(scene_index, seconds, sample_rate, clip_seed, channels)
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, samples, sample_rate, subtype=subtype)
                meta.append([name, scene, f"{city}-{location}", device])
                (evaluate if city in test_cities else train).append([name, scene])
    _write_tsv(root / META, ["filename", "scene_label", "identifier", "source_label"], meta)
    _write_tsv(root / SPLIT_FILES["train"], ["filename", "scene_label"], train)
    _write_tsv(root / SPLIT_FILES["test"], ["filename", "scene_label"], evaluate)
    _write_tsv(
        root / "evaluation_setup" / "fold1_test.csv", ["filename"], [[n] for n, _ in evaluate]
    )
    return root


ARABIC_SPEAKERS = {
    "train": ("00000001", "00000003", "00000004"),
    "val": ("00000002",),
    "test": ("00000005",),
}
"""Default speakers of the Arabic fixture per official split file (stem of the CSV)."""


def write_arabic_digits_fixture(
    root: str | Path,
    official: bool = True,
    speakers: dict[str, Sequence[str]] | None = None,
    takes: int = 2,
    other_keywords: Sequence[str] = ("backward", "forward"),
    seconds: float = 0.05,
    sample_rate: int = 16000,
) -> Path:
    """Write an Arabic Speech Commands tree under ``root`` and return ``root``.

    ``official=True``: the release's layout, ``dataset/{word}/{speaker}_NO_{take}.wav`` for
    the ten digits and ``other_keywords``, listed in ``train.csv``/``val.csv``/``test.csv``
    by speaker (default :data:`ARABIC_SPEAKERS`). ``official=False``: the offline copy,
    digits only as FLAC, ``train.csv`` and a ``test.csv`` holding the "val" speakers.
    The defaults give 60 train, 20 val and 20 test digit clips.
    """
    root = Path(root)
    speakers = ARABIC_SPEAKERS if speakers is None else speakers
    words = [*arabic_digits.CLASS_NAMES, *(other_keywords if official else ())]
    # The copy's test.csv holds the official validation speakers.
    csv_names = (
        {"train": "train.csv", "val": "val.csv", "test": "test.csv"}
        if official
        else {"train": "train.csv", "val": "test.csv"}
    )
    suffix = ".wav" if official else ".flac"
    for split, csv_name in csv_names.items():
        rows = []
        for speaker in speakers[split]:
            for index, word in enumerate(words):
                for take in range(1, takes + 1):
                    name = f"dataset/{word}/{speaker}_NO_{take:02d}{suffix}"
                    seed = int(speaker) * 1000 + index * 10 + take
                    path = root / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    sf.write(path, scene_sound(index, seconds, sample_rate, seed), sample_rate)
                    rows.append([name, word])
        _write_rows(root / csv_name, ["file", "class"], rows, ",")
    return root


def _write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    _write_rows(path, header, rows, "\t")


def _write_rows(path: Path, header: list[str], rows: list[list[str]], delimiter: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def us8k_copy(
    base: str | Path, offline_data: str | Path, edit: Callable[[list[str]], list[str]]
) -> tuple[Path, Path]:
    """A data folder ``base/data`` holding UrbanSound8K alone: a link to the offline
    audio, and its metadata CSV as ``edit`` turns the real one's lines. Return the copy's
    root and its CSV."""
    root = Path(base) / "data" / "urbansound8k"
    (root / "metadata").mkdir(parents=True)
    os.symlink(Path(offline_data) / "urbansound8k" / "audio", root / "audio")
    metadata = root / "metadata" / "UrbanSound8K-subset.csv"
    real = Path(offline_data) / "urbansound8k" / "metadata" / metadata.name
    metadata.write_text("".join(edit(real.read_text().splitlines(keepends=True))))
    return root, metadata


def without_column(column: str) -> Callable[[list[str]], list[str]]:
    """An edit for :func:`us8k_copy` dropping one column from every line of a CSV."""

    def edit(lines: list[str]) -> list[str]:
        at = lines[0].rstrip("\n").split(",").index(column)
        rows = [line.rstrip("\n").split(",") for line in lines]
        return [",".join(row[:at] + row[at + 1 :]) + "\n" for row in rows]

    return edit


def fold_one(lines: list[str]) -> list[str]:
    """An edit for :func:`us8k_copy` giving the second clip (line 3) the fold ``one``."""
    row = lines[2].split(",")
    row[5] = "one"
    return [*lines[:2], ",".join(row), *lines[3:]]
