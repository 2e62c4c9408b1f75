"""The ``catuvac`` command line: reproduce writes, keeps and replaces results; clear errors."""

import json
from dataclasses import asdict

import numpy as np
import pytest
import torch

from catuvac.cli import main
from catuvac.features import SPOKEN_DIGITS
from catuvac.profiles import PROFILES

REPRODUCE = ["reproduce", "--profile", "smoke", "--datasets", "fsdd"]
REPRODUCE += ["--methods", "labels", "kmeans", "--seeds", "0"]


@pytest.fixture
def folders(tmp_path, monkeypatch, offline_data):
    """Results, runs and cache in ``tmp_path``; data from the offline folder."""
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    monkeypatch.delenv("CATUVAC_PROFILE", raising=False)
    for name in ("results", "runs", "cache"):
        monkeypatch.setenv(f"CATUVAC_{name.upper()}", str(tmp_path / name))
    return tmp_path


def test_reproduce_writes_keeps_and_overwrites_results(folders, capsys):
    assert main(REPRODUCE) == 0
    out = capsys.readouterr().out
    folder = folders / "results" / "smoke" / "fsdd" / "k10"
    labels, kmeans = folder / "labels-seed0.json", folder / "kmeans-seed0.json"
    assert f"wrote {labels}" in out and f"wrote {kmeans}" in out
    assert sorted(p.name for p in folder.iterdir()) == [
        "kmeans-seed0.json",
        "kmeans-seed0.npz",
        "labels-seed0.json",
        "labels-seed0.npz",
    ]
    for path, method in ((labels, "labels"), (kmeans, "kmeans")):
        record = json.loads(path.read_text())
        assert record["spec"] == {
            "dataset": "fsdd",
            "method": method,
            "n_clusters": 10,
            "seed": 0,
            "profile": "smoke",
            "tau_end": 0.5,
            "lambda_weight": None,
            "lambda_placement": "kl_y",
            "speaker_norm": False,
        }
        assert record["profile"] == asdict(PROFILES["smoke"])
        assert record["feature_config"] == SPOKEN_DIGITS.to_dict()
        subset = record["data_subset"]
        assert subset["dataset"] == "fsdd" and subset["subset_seed"] == 0
        assert (subset["train_clips"], subset["test_clips"]) == (96, 64)
        assert len(subset["train_files_sha256"]) == 16
        assert set(record["git"]) == {"commit", "dirty"} and record["git"]["commit"]
        assert set(record["metrics"]) == {"accuracy", "nmi", "own", "common"}
        assert 0 <= record["metrics"]["accuracy"] <= 1
        assert sum(record["cluster_sizes"]) == 64
        assert "arrays" not in record
        with np.load(path.with_suffix(".npz")) as arrays:
            assert arrays["labels"].shape == arrays["clusters"].shape == (64,)
            if method == "labels":
                np.testing.assert_array_equal(arrays["labels"], arrays["clusters"])
    assert json.loads(labels.read_text())["metrics"]["accuracy"] == 1.0
    assert list((folders / "cache").glob("fsdd-*.pt"))

    # Again: nothing is recomputed or rewritten.
    marked = {**json.loads(kmeans.read_text()), "marker": "kept"}
    kmeans.write_text(json.dumps(marked))
    before = {p: p.read_bytes() for p in folder.iterdir()}
    assert main(REPRODUCE) == 0
    assert "fsdd: every result already exists (--overwrite to redo)" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in folder.iterdir()} == before

    # A missing result is filled in; the existing one is left alone.
    kmeans.unlink()
    assert main(REPRODUCE) == 0
    out = capsys.readouterr().out
    assert f"wrote {kmeans}" in out and "labels" not in out
    assert labels.read_bytes() == before[labels]

    # --overwrite replaces both.
    kmeans.write_text(json.dumps(marked))
    assert main([*REPRODUCE, "--overwrite"]) == 0
    assert f"wrote {labels}" in capsys.readouterr().out
    assert "marker" not in json.loads(kmeans.read_text())
    assert not list(folder.glob("*.tmp"))


def test_reproduce_arabic_digits_with_speaker_norm(folders, capsys):
    args = ["reproduce", "--profile", "smoke", "--datasets", "arabic", "--seeds", "0"]
    args += ["--methods", "labels", "kmeans", "--speaker-norm"]
    assert main(args) == 0
    folder = folders / "results" / "smoke" / "arabic-digits" / "k10"
    names = sorted(p.name for p in folder.glob("*.json"))
    assert names == ["kmeans-spknorm-seed0.json", "labels-spknorm-seed0.json"]
    record = json.loads((folder / "kmeans-spknorm-seed0.json").read_text())
    assert record["spec"]["speaker_norm"] is True and record["spec"]["dataset"] == "arabic-digits"
    assert record["feature_config"] == SPOKEN_DIGITS.to_dict()
    assert sum(record["cluster_sizes"]) == 64
    capsys.readouterr()
    assert main(["table", "--profile", "smoke"]) == 0
    assert "arabic-digits" not in capsys.readouterr().out  # Table I leaves the study out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--datasets", "esc50"],
            "unknown dataset 'esc50'; expected one of: arabic-digits, audiomnist, fsdd",
        ),
        (["--methods", "gmm"], "unknown method 'gmm'; expected one of: labels, kmeans"),
        (["--profile", "huge"], "unknown profile 'huge'; expected one of: smoke, cpu, paper"),
        (["--datasets", "tau2019", "--methods", "labels"], "catuvac download tau2019"),
    ],
)
def test_reproduce_errors_are_one_clear_line(folders, capsys, args, message):
    assert main(["reproduce", *args]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("catuvac: error: ") and message in captured.err
    assert captured.err.count("\n") == 1  # one line, no traceback
    assert not (folders / "results").exists()


def test_other_commands_report_errors(folders, capsys):
    assert main(["train", "--dataset", "mnist", "--run-dir", str(folders / "run")]) == 1
    assert "unknown dataset 'mnist'" in capsys.readouterr().err
    assert main(["evaluate", str(folders / "nowhere")]) == 1
    assert "run.json is missing" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # argparse's own check of choices
        main(["train", "--dataset", "fsdd", "--method", "vade", "--run-dir", "x"])
    assert exited.value.code == 2


@pytest.mark.parametrize("weight", ["nan", "-1", "inf", "heavy"])
def test_a_lambda_that_is_not_a_finite_weight_is_refused_before_any_work(folders, capsys, weight):
    with pytest.raises(SystemExit) as exited:
        main(["reproduce", "--datasets", "fsdd", "--methods", "uvac", "--lambda", weight])
    assert exited.value.code == 2
    assert f"argument --lambda: '{weight}'" in capsys.readouterr().err
    assert not (folders / "results").exists()


def test_datasets_lists_every_dataset(folders, capsys, offline_data):
    assert main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = ["arabic-digits", "audiomnist", "fsdd", "tau2019", "us8k"]
    assert [line.split()[0] for line in lines] == names
    by_name = {line.split()[0]: line for line in lines}
    assert "3000 clips, 10 classes" in by_name["fsdd"]
    assert "1710 clips, 10 classes" in by_name["us8k"]
    assert f"{offline_data.resolve() / 'fsdd'} " in by_name["fsdd"]  # where it was looked for
    assert "2400 clips, 10 classes" in by_name["arabic-digits"]
    assert "not available (DatasetNotFoundError)" in by_name["tau2019"]
    assert "`catuvac download tau2019`" in by_name["tau2019"]
    assert f"{offline_data.resolve() / 'urbansound8k'} " in by_name["us8k"]


def test_train_into_a_run_folder_of_another_configuration_is_one_clear_line(folders, capsys):
    run_dir = folders / "run"
    run_dir.mkdir()
    checkpoint = run_dir / "checkpoint.pt"
    torch.save({"identity": {"model": {"method": "uvac"}, "train": {}}}, checkpoint)
    before = checkpoint.read_bytes()
    args = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(run_dir)]
    assert main(args) == 1
    last = capsys.readouterr().err.splitlines()[-1]  # after the feature progress bars
    assert last.startswith("catuvac: error: ") and "another configuration" in last
    assert checkpoint.read_bytes() == before
