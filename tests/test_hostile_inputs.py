"""Inputs that look valid but cannot work, through the ``catuvac`` command: each stops in
one line naming the option or file and what is wrong, with no traceback and nothing
written. The commands run on the offline data with their own results, runs and cache."""

import json

import numpy as np
import pytest
import soundfile as sf

from catuvac.cli import main
from catuvac.data.fixtures import fold_one, us8k_copy, without_column
from catuvac.experiments.data_copies import linked_copy

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
    # 70 recordings: takes 0-4 are the test split, 5-6 train
    keep = {f"{digit}_george_{take}.wav" for digit in range(10) for take in range(7)}
    root, _ = linked_copy(folders, offline_data, "fsdd", keep)
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    argv = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: the train split of fsdd in {root} holds 20 clips, fewer than "
        "the 96 the profile takes; restore the missing recordings, or choose a profile that "
        "takes them all (--profile cpu)"
    ]


def test_a_recording_with_nan_samples_is_named(folders, capsys, offline_data, monkeypatch):
    root, first = linked_copy(folders, offline_data, "fsdd")
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


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (without_column("classID"), "{csv} lacks the columns classID"),
        (without_column("slice_file_name"), "{csv} lacks the columns slice_file_name"),
        (fold_one, "{csv} line 3: fold is 'one', not int"),
        (lambda lines: lines[:1], "{csv} lists no clips (it holds no rows below its header)"),
        (lambda lines: [], "{csv} is empty: no header, no clips"),
    ],
)
def test_a_bad_urbansound8k_csv_is_named_with_its_row(
    folders, capsys, offline_data, monkeypatch, edit, problem
):
    root, metadata = us8k_copy(folders, offline_data, edit)
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
    root, _ = linked_copy(folders, offline_data, "arabic-digits")
    listed = (real / "train.csv").read_text().splitlines()[5]  # a training clip, also in test
    (root / "test.csv").write_text((real / "test.csv").read_text() + listed + "\n")
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    argv = ["train", "--dataset", "arabic", "--profile", "smoke", "--run-dir", str(folders / "run")]
    assert _refused(argv, capsys, code=1) == [
        f"catuvac train: error: {root / listed.split(',')[0]} is listed in {root / 'train.csv'} "
        f"and again in {root / 'test.csv'}; a clip belongs to one split: remove one of its rows"
    ]


def test_a_wav_cut_short_is_refused_naming_it(folders, capsys, offline_data, monkeypatch):
    root, first = linked_copy(folders, offline_data, "fsdd")
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


def test_a_flac_cut_short_is_refused_naming_it(folders, capsys, offline_data, monkeypatch):
    # A FLAC has no byte count to check, but libsndfile does not read a cut one as a
    # shorter clip: cut at any byte (every one of a 15 kB clip tried), it stops decoding.
    root, first = linked_copy(folders, offline_data, "arabic-digits")
    cut = root / first.relative_to(offline_data.resolve() / "arabic-speech-commands")
    cut.unlink()
    cut.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "data"))
    monkeypatch.setenv("CATUVAC_CACHE", str(folders / "cache"))
    argv = ["train", "--dataset", "arabic", "--profile", "smoke", "--run-dir", str(folders / "run")]
    (line,) = _refused(argv, capsys, code=1)
    assert line.startswith(f"catuvac train: error: cannot read audio file {cut}: ")
    assert not (folders / "run").exists()


def test_a_recording_overwritten_with_noise_of_its_size_is_extracted_again(
    folders, capsys, offline_data, monkeypatch
):
    root, first = linked_copy(folders, offline_data, "fsdd")
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
