"""The ``catuvac`` command line: reproduce writes, keeps and replaces results; clear errors."""

import argparse
import json
import shutil
from dataclasses import asdict

import numpy as np
import pytest
import torch

from catuvac.cli import main
from catuvac.experiments.profiles import PROFILES
from catuvac.features import SPOKEN_DIGITS

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
            "marginal_weight": 0.0,
            "likelihood": "bce",
            "normaliser": "minmax",
            "entropy_weight": 0.0,
            "capacity_nats": 0.0,
            "capacity_weight": 0.0,
            "consistency_weight": 0.0,
            "consistency_term": "iic",
            "neighbours": 0,
            "neighbour_space": "features",
            "neighbour_refresh": 0,
            "features": "paper",
            "self_label_weight": 0.0,
            "self_label_threshold": 0.95,
            "pseudo_label_epochs": 0,
            "pseudo_label_space": "features",
            "pseudo_label_after": 0,
            "y_estimator": "gumbel",
            "latent_dim": 10,
            "tau_shape": "exponential",
            "epochs": None,
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


def exit_code(argv: list[str]) -> int:
    """``main``'s exit status, whether it returns it or argparse exits."""
    try:
        return main(argv)
    except SystemExit as exited:
        return exited.code


def assert_one_line(err: str, command: str, message: str) -> None:
    assert err.startswith(f"catuvac {command}: error: "), err
    assert message in err, err
    assert err.count("\n") == 1  # one line: no usage block, no traceback


TRAIN = ["train", "--dataset", "fsdd", "--run-dir", "RUN"]
BAD_INPUTS = [
    (["--epochs", "0"], "argument --epochs: '0' must be an integer >= 1"),
    (["--epochs", "-3"], "argument --epochs: '-3' must be an integer >= 1"),
    (["--epochs", "ten"], "argument --epochs: 'ten' is not an integer"),
    (["--clusters", "1"], "argument --clusters: '1' must be an integer >= 2"),
    (["--latent-dim", "0"], "argument --latent-dim: '0' must be an integer >= 1"),
    (["--tau-end", "0"], "argument --tau-end: '0' must be a finite number > 0"),
    (["--tau-end", "nan"], "argument --tau-end: 'nan' must be a finite number > 0"),
    (["--seed", "-1"], "argument --seed: '-1' must be an integer from 0 to 4294967295"),
    (["--seed", "99999999999999999999"], "'99999999999999999999' must be an integer from 0 to"),
    (["--lambda", "inf"], "argument --lambda: 'inf' must be a finite number >= 0"),
    (["--dataset", "mnist"], "argument --dataset: unknown dataset 'mnist'"),
    (["--method", "vade"], "argument --method: invalid choice: 'vade'"),
    (["--profile", "huge"], "argument --profile: invalid choice: 'huge'"),
    (["--tau-shape", "cosine"], "argument --tau-shape: invalid choice: 'cosine'"),
    (["--lambda-placement", "all"], "argument --lambda-placement: invalid choice: 'all'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_train_refuses_bad_input_in_one_line_before_reading_data(
    folders, monkeypatch, capsys, args, message
):
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "no-data"))  # data would be an error 1
    run_dir = folders / "run"
    argv = [str(run_dir) if a == "RUN" else a for a in TRAIN] + args
    assert exit_code(argv) == 2
    assert_one_line(capsys.readouterr().err, "train", message)
    assert not run_dir.exists()


REPRODUCE_BAD = [
    (["--datasets", "esc50"], "unknown dataset 'esc50'; expected one of: arabic-digits, audio"),
    (["--methods", "gmm"], "argument --methods: invalid choice: 'gmm'"),
    (["--profile", "huge"], "argument --profile: invalid choice: 'huge'"),
    (["--clusters", "10", "1"], "argument --clusters: '1' must be an integer >= 2"),
    (["--seeds", "0", "-1"], "argument --seeds: '-1' must be an integer from 0 to 4294967295"),
    (["--seeds", "4294967296"], "argument --seeds: '4294967296' must be an integer from 0 to"),
    (["--seeds", "0", "1", "0"], "argument --seeds: 0 is given twice"),
    (["--datasets", "fsdd", "FSDD"], "argument --datasets: 'fsdd' is given twice"),
    (["--datasets", "urbansound8k", "us8k"], "argument --datasets: 'us8k' is given twice"),
    (["--methods", "kmeans", "kmeans"], "argument --methods: 'kmeans' is given twice"),
    (["--tau-end", "0.5", "0"], "argument --tau-end: '0' must be a finite number > 0"),
    (["--lambda", "nan"], "argument --lambda: 'nan' must be a finite number >= 0"),
    (["--lambda", "-1"], "argument --lambda: '-1' must be a finite number >= 0"),
    (["--lambda", "heavy"], "argument --lambda: 'heavy' is not a number"),
]


@pytest.mark.parametrize(("args", "message"), REPRODUCE_BAD)
def test_reproduce_refuses_bad_input_in_one_line_before_reading_data(
    folders, monkeypatch, capsys, args, message
):
    monkeypatch.setenv("CATUVAC_DATA", str(folders / "no-data"))
    assert exit_code(["reproduce", *args]) == 2
    assert_one_line(capsys.readouterr().err, "reproduce", message)
    assert not (folders / "results").exists() and not (folders / "cache").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["table", "--format", "html"], "argument --format: invalid choice: 'html'"),
        (["table", "--space", "pca"], "argument --space: invalid choice: 'pca'"),
        (["download", "esc50"], "argument name: unknown dataset 'esc50'"),
        (["evaluate", "--run-dir", "nowhere"], "argument --run-dir: 'nowhere' is not a folder"),
        (["evaluate", "RUN"], "the following arguments are required: --run-dir"),
        (["lambda-study", "--grid", "1", "1.0"], "argument --grid: 1.0 is given twice"),
        (["lambda-study", "--seeds", "5000000000"], "'5000000000' must be an integer from 0"),
    ],
)
def test_other_commands_refuse_bad_input_in_one_line(folders, capsys, argv, message):
    assert exit_code(argv) == 2
    assert_one_line(capsys.readouterr().err, argv[0], message)


def test_a_bad_profile_from_the_environment_is_bad_input(folders, monkeypatch, capsys):
    monkeypatch.setenv("CATUVAC_PROFILE", "huge")
    assert exit_code(["reproduce", "--datasets", "fsdd", "--methods", "labels"]) == 2
    assert_one_line(capsys.readouterr().err, "reproduce", "unknown profile 'huge'")
    assert not (folders / "results").exists()


def test_evaluate_a_folder_not_written_by_train_is_bad_input(folders, capsys):
    (folders / "empty").mkdir()
    assert exit_code(["evaluate", "--run-dir", str(folders / "empty")]) == 2
    assert_one_line(capsys.readouterr().err, "evaluate", "run.json is missing")


def test_absent_data_is_a_failure_not_bad_input(folders, capsys):
    assert exit_code(["reproduce", "--datasets", "tau2019", "--methods", "labels"]) == 1
    assert_one_line(capsys.readouterr().err, "reproduce", "catuvac download tau2019")
    assert not (folders / "results").exists()


def test_every_option_has_help_and_shows_its_default(capsys):
    from catuvac.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help, f"catuvac {name} {action.option_strings or action.dest}"
        with pytest.raises(SystemExit):
            sub.parse_args(["--help"])
        text = capsys.readouterr().out
        if name == "train":
            assert "(default: 10)" in text and "(default: exponential)" in text
            assert "(default: None)" not in text


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


def test_train_then_evaluate_the_run_folder_alone(folders, capsys):
    run_dir = folders / "run"
    args = ["train", "--dataset", "fsdd", "--method", "uvac", "--profile", "smoke"]
    assert main([*args, "--epochs", "1", "--run-dir", str(run_dir)]) == 0
    assert len(json.loads((run_dir / "history.json").read_text())) == 1  # not the profile's 2
    info = json.loads((run_dir / "run.json").read_text())
    assert info["profile"]["name"] == "smoke" and info["train_config"]["epochs"] == 1
    assert set(info["normaliser"]) == {"mean", "std", "low", "high", "scaling"}
    capsys.readouterr()
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert set(metrics) == {"accuracy", "nmi", "own", "common"}
    # A run.json from before it held the normaliser: refitted on the same profile's clips.
    (run_dir / "run.json").write_text(json.dumps({"dataset": "fsdd", "profile": "smoke"}))
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 0
    assert capsys.readouterr().out == json.dumps(metrics, indent=2) + "\n"


def test_train_takes_the_options_reproduce_takes(folders, capsys):
    run_dir = folders / "run"
    args = ["train", "--dataset", "fsdd", "--method", "catuvac", "--profile", "smoke"]
    options = ["--speaker-norm", "--marginal-weight", "10", "--epochs", "1"]
    assert main([*args, *options, "--run-dir", str(run_dir)]) == 0
    info = json.loads((run_dir / "run.json").read_text())
    assert info["speaker_norm"] is True and info["model_config"]["marginal_weight"] == 10.0
    capsys.readouterr()
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"accuracy", "nmi", "own", "common"}


def test_train_into_a_run_folder_of_another_configuration_is_one_clear_line(folders, capsys):
    run_dir = folders / "run"
    run_dir.mkdir()
    checkpoint = run_dir / "checkpoint.pt"
    torch.save({"identity": {"model": {"method": "uvac"}, "train": {}}}, checkpoint)
    before = checkpoint.read_bytes()
    args = ["train", "--dataset", "fsdd", "--profile", "smoke", "--run-dir", str(run_dir)]
    assert main(args) == 1
    last = capsys.readouterr().err.splitlines()[-1]  # after the feature progress bars
    assert last.startswith("catuvac train: error: ") and "another configuration" in last
    assert checkpoint.read_bytes() == before


def test_budget_of_a_dataset_and_of_a_trained_run(folders, capsys):
    assert main(["budget", "--dataset", "fsdd", "--profile", "smoke"]) == 0
    out = capsys.readouterr().out
    assert "mean predictor" in out and "PCA, 20 components" in out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["budget"] == pytest.approx(summary["mean_predictor"] - summary["floor"], abs=0.2)
    run_dir = folders / "run"
    args = ["train", "--dataset", "fsdd", "--profile", "smoke", "--epochs", "1"]
    options = ["--likelihood", "gaussian-optimal", "--normaliser", "percentile"]
    assert main([*args, *options, "--run-dir", str(run_dir)]) == 0
    capsys.readouterr()
    assert main(["budget", "--run-dir", str(run_dir)]) == 0
    use = json.loads(capsys.readouterr().out.split(":\n", 1)[1])
    assert {"reconstruction", "kl_z", "active_units", "information_xy"} <= set(use)
    info = json.loads((run_dir / "run.json").read_text())
    assert info["normaliser"]["scaling"] == "percentile"
    assert info["model_config"]["likelihood"] == "gaussian-optimal"


CONTRADICTIONS = [
    (["--self-label-weight", "1"], "self-labelling needs the consistency term's views"),
    (["--capacity", "2"], "a KL_y capacity needs its weight (--capacity-weight)"),
    (["--method", "uvac", "--tau-end", "0.1"], "UVAC has no Gumbel-Softmax temperature"),
]


@pytest.mark.parametrize(("args", "message"), CONTRADICTIONS)
def test_settings_that_contradict_are_one_line_and_train_nothing(folders, capsys, args, message):
    train = ["train", "--dataset", "fsdd", "--profile", "smoke", *args]
    assert exit_code([*train, "--run-dir", str(folders / "run")]) == 2
    last = capsys.readouterr().err.splitlines()[-1]  # after any feature progress bars
    assert last.startswith(f"catuvac train: error: {message}")
    assert not (folders / "run").exists()


def test_evaluate_refuses_a_checkpoint_its_run_json_does_not_describe(folders, capsys):
    train = [
        "train",
        "--dataset",
        "fsdd",
        "--method",
        "uvac",
        "--profile",
        "smoke",
        "--epochs",
        "1",
    ]
    assert main([*train, "--run-dir", str(folders / "ten")]) == 0
    assert main([*train, "--clusters", "3", "--run-dir", str(folders / "three")]) == 0
    shutil.copy(folders / "three" / "checkpoint.pt", folders / "ten" / "checkpoint.pt")
    capsys.readouterr()
    assert main(["evaluate", "--run-dir", str(folders / "ten")]) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("catuvac evaluate: error: ") and "was not written by the run" in last
    assert "K = 3" in last
