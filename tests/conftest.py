"""Shared fixtures: the offline data root and tiny generated trees in official layouts."""

import csv
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from threadpoolctl import threadpool_limits

from catuvac.data.fixtures import write_arabic_digits_fixture, write_tau_fixture
from catuvac.paths import data_root

WriteWav = Callable[..., Path]

US8K_CLASSES = [  # ordered by classID
    "air_conditioner",
    "car_horn",
    "children_playing",
    "dog_bark",
    "drilling",
    "engine_idling",
    "gun_shot",
    "jackhammer",
    "siren",
    "street_music",
]


@pytest.fixture(autouse=True)
def one_thread():
    """One thread for torch, OpenMP and BLAS (K-means, PCA): on a shared 2-core machine two
    threads spin against each other (K-means of the smoke subset: 27 s instead of 0.4 s)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def offline_data() -> Path:
    """The offline data root: ``CATUVAC_DATA`` if set, else the library's default
    (:data:`catuvac.paths.DEFAULT_DATA_ROOT`, ``<repo>/../shared/data``)."""
    root = data_root()
    if not root.is_dir():
        message = f"offline data folder {root} is missing (set CATUVAC_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture
def write_wav() -> WriteWav:
    """Write a short sine tone (or the given samples) as 16-bit wav, creating folders."""

    def write(path: Path, seconds: float = 0.05, sample_rate: int = 8000, samples=None) -> Path:
        if samples is None:
            t = np.arange(round(seconds * sample_rate)) / sample_rate
            samples = 0.5 * np.sin(2 * np.pi * 440 * t)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, np.asarray(samples, dtype=np.float32), sample_rate, subtype="PCM_16")
        return path

    return write


@pytest.fixture
def us8k_tree(tmp_path: Path, write_wav: WriteWav) -> Path:
    """Official UrbanSound8K layout: folds 1, 2 and 10, two clips per class and fold, wav + CSV.

    The CSV also lists fold 3, whose folder is absent (a partial copy).
    """
    root = tmp_path / "urbansound8k"
    rows = []
    for fold in (1, 2, 3, 10):
        for class_id, name in enumerate(US8K_CLASSES):
            for slice_id in range(2):
                fs_id = 1000 * fold + class_id
                file_name = f"{fs_id}-{class_id}-0-{slice_id}.wav"
                start = 0.5 * slice_id
                end = start + 0.05 + 0.01 * class_id
                rows.append([file_name, fs_id, start, end, 1 + slice_id, fold, class_id, name])
                if fold != 3:
                    write_wav(root / "audio" / f"fold{fold}" / file_name, end - start, 8000)
    (root / "metadata").mkdir(parents=True)
    with (root / "metadata" / "UrbanSound8K.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["slice_file_name", "fsID", "start", "end", "salience", "fold", "classID", "class"]
        )
        writer.writerows(rows)
    return root


@pytest.fixture
def tau_tree(tmp_path: Path) -> Path:
    """TAU Urban Acoustic Scenes 2019 development layout: 10 scenes x 3 cities x 2 segments,
    Helsinki as the fold-1 test city (the official fold splits by recording location)."""
    return write_tau_fixture(tmp_path / "tau2019")


@pytest.fixture
def arabic_tree(tmp_path: Path) -> Path:
    """Arabic Speech Commands release layout: wav files of the ten digits and two other
    keywords, speaker-disjoint train.csv (3 speakers), val.csv (1) and test.csv (1)."""
    return write_arabic_digits_fixture(tmp_path / "arabic-speech-commands")
