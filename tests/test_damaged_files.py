"""Damaged files the project wrote itself, through the ``catuvac`` command: a feature cache
entry is rebuilt, a checkpoint or ``run.json`` stops the command in one line, a damaged
result file, or a copy of one (a sync tool's conflicted copy), is named and left out,
and a run folder in use is refused. A disk or folder that cannot take a file (full,
read-only, something in the way) stops the command in one line and leaves nothing
half-written; the feature cache then just goes unused. No traceback.

Each test damages a copy of one smoke-profile run folder, cache and result store."""

import csv
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch

from catuvac.cli import main

TRAIN = ["train", "--dataset", "fsdd", "--method", "uvac", "--profile", "smoke", "--epochs", "1"]
REPRODUCE = ["reproduce", "--profile", "smoke", "--datasets", "fsdd", "--methods", "labels"]
REPRODUCE += ["kmeans", "--seeds", "0", "1"]
FOLDERS = ("results", "runs", "cache")


def _use(monkeypatch, root, offline_data) -> None:
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    monkeypatch.delenv("CATUVAC_PROFILE", raising=False)
    for name in FOLDERS:
        monkeypatch.setenv(f"CATUVAC_{name.upper()}", str(root / name))


@pytest.fixture(scope="module")
def written(tmp_path_factory, offline_data):
    """A trained run folder, the feature cache and three results, written once."""
    root = tmp_path_factory.mktemp("written")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use(monkeypatch, root, offline_data)
        assert main([*TRAIN, "--run-dir", str(root / "runs" / "run")]) == 0
        assert main(REPRODUCE) == 0
    return root


@pytest.fixture
def copy(written, tmp_path, monkeypatch, offline_data):
    """This test's own copy of :func:`written`, which the commands use."""
    for name in FOLDERS:
        shutil.copytree(written / name, tmp_path / name)
    _use(monkeypatch, tmp_path, offline_data)
    return tmp_path


def _contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _lines(err: str) -> list[str]:
    """Stderr without the progress bars (they redraw with carriage returns)."""
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("catuvac ")]


def test_a_damaged_feature_cache_entry_is_rebuilt_and_training_goes_on(copy, capsys):
    entries = sorted((copy / "cache").glob("fsdd-*.pt"))
    assert len(entries) == 2  # the train and the test clips
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:1000])
    run_dir = copy / "runs" / "again"
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 0
    warnings = _lines(capsys.readouterr().err)
    assert len(warnings) == 2
    for entry, line in zip(entries, sorted(warnings), strict=True):
        assert line.startswith(f"catuvac train: warning: {entry} is damaged (")
        assert line.endswith("; rebuilding this feature cache entry")
    assert (run_dir / "checkpoint.pt").exists()
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 0  # the healed cache serves
    assert not _lines(capsys.readouterr().err)


def test_a_damaged_checkpoint_stops_train_and_evaluate_in_one_line(copy, capsys):
    run_dir = copy / "runs" / "run"
    checkpoint = run_dir / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    before = _contents(run_dir)
    capsys.readouterr()
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac train: error: {checkpoint} is damaged (RuntimeError: PytorchStreamReader "
        "failed reading zip archive: failed finding central directory); delete it to start "
        "this run afresh, or use another run folder"
    ]
    assert _contents(run_dir) == before
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 1
    (line,) = _lines(capsys.readouterr().err)
    assert line.startswith(f"catuvac evaluate: error: {checkpoint} is damaged (")
    assert _contents(run_dir) == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"dataset": "fsdd",', "JSONDecodeError: Expecting property name enclosed in double "
         "quotes: line 1 column 20 (char 19)"),
        ("", "the file is empty"),
        ("[]", "no dataset and profile in it"),
        ('{"dataset": "fsdd", "profile": {"name": "smoke"}}', "no profile.max_train_clips in it"),
        ('{"dataset": "fsdd", "profile": 3}', "its profile is int, not str or dict"),
    ],
)  # fmt: skip
def test_a_damaged_run_json_stops_evaluate_in_one_line(copy, capsys, text, reason):
    run_dir = copy / "runs" / "run"
    (run_dir / "run.json").write_text(text)
    before = _contents(run_dir)
    capsys.readouterr()
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac evaluate: error: {run_dir / 'run.json'} is damaged ({reason}); run `catuvac "
        "train` with the run's settings on this folder to write it again, or point --run-dir "
        "at another run folder"
    ]
    assert _contents(run_dir) == before


def test_a_run_json_normaliser_without_its_mean_stops_evaluate_in_one_line(copy, capsys):
    run_dir = copy / "runs" / "run"
    info = json.loads((run_dir / "run.json").read_text())
    del info["normaliser"]["mean"]
    (run_dir / "run.json").write_text(json.dumps(info))
    capsys.readouterr()
    assert main(["evaluate", "--run-dir", str(run_dir)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac evaluate: error: {run_dir / 'run.json'} is damaged (no normaliser.mean in "
        "it); run `catuvac train` with the run's settings on this folder to write it again, "
        "or point --run-dir at another run folder"
    ]


def test_a_checkpoint_trained_on_other_data_is_refused_by_every_reader(copy, capsys):
    run_dir, other = copy / "runs" / "run", copy / "runs" / "speaker-norm"
    assert main([*TRAIN, "--speaker-norm", "--run-dir", str(other)]) == 0
    capsys.readouterr()
    shutil.copy(other / "checkpoint.pt", run_dir / "checkpoint.pt")
    for command in (["evaluate"], ["budget"]):
        assert main([*command, "--run-dir", str(run_dir)]) == 1
        assert _lines(capsys.readouterr().err) == [
            f"catuvac {command[0]}: error: {run_dir / 'checkpoint.pt'} was trained on other "
            f"data than {run_dir / 'run.json'} describes (not the same speaker "
            "normalisation); train again in this folder, or put the checkpoint back beside "
            "its own run.json"
        ]
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 1  # nor resumed
    assert _lines(capsys.readouterr().err) == [
        f"catuvac train: error: {run_dir / 'checkpoint.pt'} was written by a run with another "
        "configuration or on other data; use a new run folder or delete it to start afresh"
    ]
    # A checkpoint from before checkpoints named their data is read as it is.
    state = torch.load(other / "checkpoint.pt", weights_only=False)
    del state["data"]
    torch.save(state, other / "checkpoint.pt")
    assert main(["evaluate", "--run-dir", str(other)]) == 0
    assert not _lines(capsys.readouterr().err)


LEFT_OUT = (
    "; left out; move its .json and .npz out of the results folder and run `catuvac "
    "reproduce` for that run again to recompute it"
)
"""What ``catuvac table`` adds to the warning that names a damaged result."""


def test_table_names_damaged_results_and_is_built_from_the_others(copy, capsys):
    folder = copy / "results" / "smoke" / "fsdd" / "k10"
    broken, bare = folder / "kmeans-seed1.json", folder / "labels-seed0.json"
    broken.write_text('{"spec": {"dataset": "fs')  # cut short
    bare.with_suffix(".npz").unlink()
    before = _contents(folder)
    capsys.readouterr()
    assert main(["table", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert _lines(captured.err) == [
        f"catuvac table: warning: {broken} is damaged (JSONDecodeError: Unterminated string "
        f"starting at: line 1 column 22 (char 21)){LEFT_OUT}",
        f"catuvac table: warning: {bare} is damaged (its arrays labels-seed0.npz are "
        f"missing){LEFT_OUT}",
    ]
    rows = [row[:4] for row in csv.reader(captured.out.splitlines()) if row]
    ours = [row for row in rows if row[3].startswith("ours")]
    assert ours == [["fsdd", "10", "K-means", "ours (smoke, 1 seed, CPU)"]]  # seed 0 alone
    assert _contents(folder) == before


def test_table_names_results_without_their_metrics_or_profile_and_goes_on(copy, capsys):
    folder = copy / "results" / "smoke" / "fsdd" / "k10"
    no_own, no_profile = folder / "kmeans-seed1.json", folder / "labels-seed0.json"
    for path, part, key in ((no_own, "metrics", "own"), (no_profile, None, "profile")):
        record = json.loads(path.read_text())
        del (record[part] if part else record)[key]
        path.write_text(json.dumps(record))
    before = _contents(folder)
    capsys.readouterr()
    assert main(["table", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert _lines(captured.err) == [
        f"catuvac table: warning: {no_own} is damaged (no metrics.own in it){LEFT_OUT}",
        f"catuvac table: warning: {no_profile} is damaged (no profile in it){LEFT_OUT}",
    ]
    rows = [row[:4] for row in csv.reader(captured.out.splitlines()) if row]
    ours = [row for row in rows if row[3].startswith("ours")]
    assert ours == [["fsdd", "10", "K-means", "ours (smoke, 1 seed, CPU)"]]
    assert _contents(folder) == before


def test_reproduce_names_a_damaged_result_instead_of_calling_it_done(copy, capsys):
    folder = copy / "results" / "smoke" / "fsdd" / "k10"
    broken = folder / "kmeans-seed1.json"
    broken.write_text(broken.read_text()[:30])
    before = _contents(folder)
    capsys.readouterr()
    assert main(REPRODUCE) == 0
    captured = capsys.readouterr()
    (line,) = _lines(captured.err)
    assert line.startswith(f"catuvac reproduce: warning: {broken} is damaged (JSONDecodeError")
    assert line.endswith(
        "; move its .json and .npz out of the results folder and run `catuvac reproduce` for "
        "that run again to recompute it"
    )
    assert captured.out.splitlines() == [
        "fsdd: every result exists, 1 of the 3 damaged (named above)"
    ]
    assert _contents(folder) == before


def test_prototypes_of_a_k_means_result_say_it_has_no_decoder(copy, capsys):
    kmeans = copy / "results" / "smoke" / "fsdd" / "k10" / "kmeans-seed0.json"
    capsys.readouterr()
    assert main(["prototypes", str(kmeans)]) == 2
    assert _lines(capsys.readouterr().err) == [
        f"catuvac prototypes: error: {kmeans} is a K-means result, which has no prototypes "
        "(K-means has no decoder); catuvac prototypes decodes those of Cat. UVAC results"
    ]


def test_a_conflicted_copy_of_a_result_counts_once_and_is_named(copy, capsys):
    folder = copy / "results" / "smoke" / "fsdd" / "k10"
    kept, duplicate = folder / "kmeans-seed1.json", folder / "kmeans-seed1 (conflicted copy).json"
    for suffix in (".json", ".npz"):
        shutil.copy(kept.with_suffix(suffix), duplicate.with_suffix(suffix))
    before = _contents(folder)
    capsys.readouterr()
    assert main(["table", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert _lines(captured.err) == [
        f"catuvac table: warning: {duplicate} holds the same run as {kept} (a copy?); left "
        "out so that the run counts once"
    ]
    rows = [row[:4] for row in csv.reader(captured.out.splitlines()) if row]
    ours = [row for row in rows if row[3].startswith("ours") and row[2] == "K-means"]
    assert ours == [["fsdd", "10", "K-means", "ours (smoke, 2 seeds, CPU)"]]  # not 3
    assert _contents(folder) == before


def test_a_run_folder_in_use_refuses_a_second_training(copy, capsys):
    run_dir = copy / "runs" / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = run_dir / "lock"
        host = socket.gethostname()
        lock.write_text(f"{holder.pid} {host}\n")
        before = _contents(run_dir)
        capsys.readouterr()
        assert main([*TRAIN, "--run-dir", str(run_dir)]) == 1
        assert _lines(capsys.readouterr().err) == [
            f"catuvac train: error: {run_dir} is in use by process {holder.pid} on {host} "
            f"(lock file {lock}); wait for it to end or use another run folder, and delete "
            "the lock file only if that process is not training"
        ]
        assert _contents(run_dir) == before
    finally:
        holder.kill()
        holder.wait()
    # Once the holder is gone its lock is stale: training takes it over, and releases it.
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 0
    assert not lock.exists()


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_stops_reproduce_in_one_line_and_keeps_the_results(copy, capsys, monkeypatch):
    folder = copy / "results" / "smoke" / "fsdd" / "k10"
    before = _contents(folder)
    monkeypatch.setattr(Path, "write_text", _full_disk)
    capsys.readouterr()
    assert main([*REPRODUCE, "--overwrite"]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac reproduce: error: could not write {folder / 'labels-seed0.json'} (No space "
        "left on device); free space on that disk, or point catuvac at a folder on another, "
        "and run again"
    ]
    assert _contents(folder) == before  # neither a new .npz nor a temporary beside them


def test_a_folder_in_the_way_stops_train_in_one_line(copy, capsys):
    run_dir = copy / "runs" / "new"
    (run_dir / "history.json").mkdir(parents=True)
    capsys.readouterr()
    assert main([*TRAIN, "--run-dir", str(run_dir)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac train: error: could not write {run_dir / 'history.json'} (Is a directory); "
        "a folder stands where a file belongs: move the folder away and run again"
    ]
    assert [p.name for p in run_dir.iterdir()] == ["history.json"]  # no lock, no temporary


@pytest.mark.parametrize(
    ("command", "option", "below"),
    [(TRAIN, "--run-dir", ""), (TRAIN, "--run-dir", "run"), (REPRODUCE, "--results-root", "")],
)
def test_a_file_where_a_folder_to_write_belongs_is_refused_in_one_line(
    copy, capsys, command, option, below
):
    blocker = copy / "runs" / "blocker"
    blocker.write_text("not a folder")
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main([*command, option, str(blocker / below)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"catuvac {command[0]}: error: argument {option}: '{blocker}' is a file, not a folder "
        f"(see catuvac {command[0]} --help)"
    ]
    assert blocker.read_text() == "not a folder"


def test_a_read_only_run_folder_stops_train_in_one_line(copy, capsys, monkeypatch):
    run_dir = copy / "runs" / "run"
    before = _contents(run_dir)

    def refuse(dir, suffix):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), f"{dir}/tmpx{suffix}")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    capsys.readouterr()
    assert main([*TRAIN, "--epochs", "2", "--run-dir", str(run_dir)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"catuvac train: error: could not write {run_dir / 'lock'} (Permission denied); make "
        "that folder writable, or point catuvac at another folder, and run again"
    ]
    assert _contents(run_dir) == before


def test_a_cache_folder_that_cannot_be_written_is_one_warning(copy, capsys, monkeypatch):
    blocker = copy / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CATUVAC_CACHE", str(blocker / "cache"))
    capsys.readouterr()
    assert main([*TRAIN, "--run-dir", str(copy / "runs" / "uncached")]) == 0
    (line,) = _lines(capsys.readouterr().err)
    assert line == (
        f"catuvac train: warning: cannot cache features in {blocker / 'cache'} (Not a "
        "directory); the features are computed without caching them (to cache them: a file "
        "stands where a folder belongs: move the file away and run again)"
    )
