"""Inputs that look valid but cannot work, through the ``catuvac`` command: each stops in
one line naming the option or file and what is wrong, with no traceback and nothing
written. The commands run on the offline data with their own results, runs and cache."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from catuvac.cli import main
from catuvac.data import load
from catuvac.experiments.prepare import SUBSET_SEED
from catuvac.experiments.profiles import get_profile

SMOKE = ["--profile", "smoke", "--datasets", "fsdd", "--seeds", "0"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One feature cache for the module: the smoke subset's features are extracted once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def folders(tmp_path, cache, monkeypatch, offline_data):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    monkeypatch.delenv("CATUVAC_PROFILE", raising=False)
    monkeypatch.setenv("CATUVAC_CACHE", str(cache))
    for name in ("results", "runs"):
        monkeypatch.setenv(f"CATUVAC_{name.upper()}", str(tmp_path / name))
    return tmp_path


def _refused(argv: list[str], capsys, code: int = 2) -> list[str]:
    """Run a command that must stop (exit 2: a bad input, 1: other); its stderr lines."""
    capsys.readouterr()
    assert main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("catuvac ")]


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce", *SMOKE, "--methods", "kmeans", "--clusters", "200"],
        [
            "train",
            "--dataset",
            "fsdd",
            "--profile",
            "smoke",
            "--clusters",
            "200",
            "--run-dir",
            "RUN",
        ],
    ],
)
def test_more_clusters_than_training_clips_are_refused(folders, capsys, argv):
    argv = [str(folders / "runs" / "run") if a == "RUN" else a for a in argv]
    assert _refused(argv, capsys) == [
        f"catuvac {argv[0]}: error: 200 clusters are more than the 96 training clips of fsdd "
        "here; ask for at most 96 (--clusters)"
    ]
    assert not (folders / "results").exists() and not (folders / "runs").exists()


def test_a_split_smaller_than_the_profile_takes_is_named_with_both_numbers(
    folders, capsys, offline_data, monkeypatch
):
    root = folders / "data" / "fsdd"
    (root / "recordings").mkdir(parents=True)
    for digit in range(10):  # 70 recordings: takes 0-4 are the test split, 5-6 train
        for take in range(7):
            name = f"{digit}_george_{take}.wav"
            os.symlink(offline_data / "fsdd" / "recordings" / name, root / "recordings" / name)
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: the train split of fsdd in {root} holds 20 clips, fewer than "
        "the 96 the profile takes; restore the missing recordings, or choose a profile that "
        "takes them all (--profile cpu)"
    ]


def linked_fsdd(folders: Path, offline_data: Path) -> tuple[Path, Path]:
    """An FSDD folder under ``folders`` whose recordings link to the offline ones, and the
    first training clip the smoke profile takes (the one a test damages in its copy)."""
    fsdd = load("fsdd", root=offline_data / "fsdd")
    first = fsdd.subset("train", get_profile("smoke").max_train_clips, seed=SUBSET_SEED)[0].path
    root = folders / "data" / "fsdd"
    (root / "recordings").mkdir(parents=True)
    for path in (offline_data / "fsdd" / "recordings").glob("*.wav"):
        os.symlink(path, root / "recordings" / path.name)
    return root, first


def test_a_recording_with_nan_samples_is_named(folders, capsys, offline_data, monkeypatch):
    root, first = linked_fsdd(folders, offline_data)
    broken = root / "recordings" / first.name
    samples, rate = sf.read(first, dtype="float32")
    samples[10:13] = np.nan
    broken.unlink()
    sf.write(broken, samples, rate, subtype="FLOAT")
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    monkeypatch.setenv("CATUVAC_CACHE", str(folders / "cache"))
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: audio file {broken} holds 3 NaN or infinite samples (of "
        f"{len(samples)}); replace it with a sound copy or remove it"
    ]
    assert not (folders / "run").exists()


def test_a_lambda_that_overflows_the_loss_says_so_and_keeps_no_checkpoint(folders, capsys):
    run_dir = folders / "runs" / "run"
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--lambda", "1e308"]
    (line,) = _refused([*argv, "--run-dir", str(run_dir)], capsys, code=1)
    assert line.startswith("catuvac train: error: loss became inf in epoch 1 ({'loss': inf, ")
    assert line.endswith(
        "}); no checkpoint exists yet. Every term is finite but their weighted sum is not: a "
        "weight is too large for float32 (lambda_weight 1e+308); use a smaller one"
    )
    assert not (run_dir / "checkpoint.pt").exists()


def _us8k_copy(folders, offline_data, edit) -> tuple[Path, Path]:
    """A data folder holding UrbanSound8K alone: the offline audio, and its metadata CSV
    as ``edit`` turns the real one's lines."""
    root = folders / "data" / "urbansound8k"
    (root / "metadata").mkdir(parents=True)
    os.symlink(offline_data / "urbansound8k" / "audio", root / "audio")
    metadata = root / "metadata" / "UrbanSound8K-subset.csv"
    real = offline_data / "urbansound8k" / "metadata" / metadata.name
    metadata.write_text("".join(edit(real.read_text().splitlines(keepends=True))))
    return root, metadata


def _without(column: str):
    """An edit dropping one column from every line of a CSV."""

    def edit(lines: list[str]) -> list[str]:
        at = lines[0].rstrip("\n").split(",").index(column)
        rows = [line.rstrip("\n").split(",") for line in lines]
        return [",".join(row[:at] + row[at + 1 :]) + "\n" for row in rows]

    return edit


def _fold_one(lines: list[str]) -> list[str]:
    """An edit giving the second clip (line 3) the fold ``one``."""
    row = lines[2].split(",")
    row[5] = "one"
    return [*lines[:2], ",".join(row), *lines[3:]]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_without("classID"), "{csv} lacks the columns classID"),
        (_without("slice_file_name"), "{csv} lacks the columns slice_file_name"),
        (_fold_one, "{csv} line 3: fold is 'one', not int"),
        (lambda lines: lines[:1], "{csv} lists no clips (it holds no rows below its header)"),
        (lambda lines: [], "{csv} is empty: no header, no clips"),
    ],
)
def test_a_bad_urbansound8k_csv_is_named_with_its_row(
    folders, capsys, offline_data, monkeypatch, edit, problem
):
    root, metadata = _us8k_copy(folders, offline_data, edit)
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    problem = problem.format(csv=metadata)
    capsys.readouterr()
    assert main(["datasets"]) == 0  # the list goes on: one line for the dataset at fault
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "arabic-digits",
        "audiomnist",
        "fsdd",
        "tau2019",
        "us8k",
    ]
    assert lines[-1] == f"us8k          {root}  unusable: {problem}"
    argv = ["train", "--dataset", "us8k", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [f"catuvac train: error: {problem}"]


def test_a_clip_in_both_split_files_is_refused_naming_it(
    folders, capsys, offline_data, monkeypatch
):
    real = offline_data / "arabic-speech-commands"
    root = folders / "data" / "arabic-speech-commands"
    root.mkdir(parents=True)
    os.symlink(real / "dataset", root / "dataset")
    shutil.copy(real / "train.csv", root / "train.csv")
    listed = (real / "train.csv").read_text().splitlines()[5]  # a training clip, also in test
    (root / "test.csv").write_text((real / "test.csv").read_text() + listed + "\n")
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    argv = ["train", "--dataset", "arabic", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: {root / listed.split(',')[0]} is listed in {root / 'train.csv'} "
        f"and again in {root / 'test.csv'}; a clip belongs to one split: remove one of its rows"
    ]


def test_a_wav_cut_short_is_refused_naming_it(folders, capsys, offline_data, monkeypatch):
    root, first = linked_fsdd(folders, offline_data)
    cut = root / "recordings" / first.name
    cut.unlink()
    cut.write_bytes(first.read_bytes()[:1000])  # 956 of the data chunk's bytes
    announced = first.stat().st_size - 44  # the data chunk of a plain 44-byte header
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    monkeypatch.setenv("CATUVAC_CACHE", str(folders / "cache"))
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: audio file {cut} is cut short: its header announces "
        f"{announced} bytes of samples, the file holds 956; replace it with a whole copy or "
        "remove it"
    ]
    assert not (folders / "run").exists()


def test_a_recording_overwritten_with_noise_of_its_size_is_extracted_again(
    folders, capsys, offline_data, monkeypatch
):
    root, first = linked_fsdd(folders, offline_data)
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    monkeypatch.setenv("CATUVAC_CACHE", str(folders / "cache"))
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--epochs", "1", "--run-dir"]

    def loss(run: str) -> float:
        assert main([*argv, str(folders / run)]) == 0
        return json.loads((folders / run / "history.json").read_text())[0]["loss"]

    before = loss("before")
    entries = set((folders / "cache").iterdir())
    edited = root / "recordings" / first.name
    edited.unlink()
    header, samples = first.read_bytes()[:44], sf.read(first, dtype="int16")[0]
    noise = np.random.default_rng(0).integers(-8000, 8000, len(samples), dtype=np.int16)
    edited.write_bytes(header + noise.tobytes())
    assert edited.stat().st_size == first.stat().st_size
    assert loss("after") != before  # not the stale features of the recording it replaced
    assert len(set((folders / "cache").iterdir()) - entries) == 1  # the train entry, anew
