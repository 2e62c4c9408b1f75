"""A run folder's lock: a second training is refused while the first holds it, the lock
is released however training ends, and a stale lock is replaced."""

import multiprocessing
import os
import socket
import subprocess
import sys

import pytest
import torch

from catuvac.errors import RunFolderLockedError
from catuvac.features import FeatureSet
from catuvac.model import ModelConfig
from catuvac.training.lock import LOCK_NAME, RunLock, read_holder
from catuvac.training.trainer import CHECKPOINT_NAME, TrainConfig, train

HOST = socket.gethostname()


@pytest.fixture
def live_pid():
    """The id of a process that runs for the whole test."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


@pytest.fixture
def dead_pid():
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_lock_holds_this_process_id_and_is_released_however_it_ends(tmp_path):
    lock = tmp_path / LOCK_NAME
    with RunLock(tmp_path):
        assert lock.read_text() == f"{os.getpid()} {HOST}\n"
    assert not lock.exists()
    with pytest.raises(KeyboardInterrupt), RunLock(tmp_path):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_live_holder_is_refused_in_one_line_and_keeps_its_lock(tmp_path, live_pid):
    lock = tmp_path / LOCK_NAME
    lock.write_text(f"{live_pid} {HOST}\n")
    with pytest.raises(RunFolderLockedError) as caught:
        RunLock(tmp_path).acquire()
    assert str(caught.value) == (
        f"{tmp_path} is in use by process {live_pid} on {HOST} (lock file {lock}); wait for "
        "it to end or use another run folder, and delete the lock file only if that process "
        "is not training"
    )
    assert read_holder(lock) == (live_pid, HOST)


def test_a_holder_on_another_host_cannot_be_checked_so_it_holds(tmp_path, dead_pid):
    (tmp_path / LOCK_NAME).write_text(f"{dead_pid} another-host\n")
    with pytest.raises(RunFolderLockedError, match="on another-host"):
        RunLock(tmp_path).acquire()


@pytest.mark.parametrize("content", ["{dead} {host}\n", "", "not a lock"])
def test_a_stale_lock_is_replaced(tmp_path, dead_pid, content):
    lock = tmp_path / LOCK_NAME
    lock.write_text(content.format(dead=dead_pid, host=HOST))
    with RunLock(tmp_path):
        assert read_holder(lock) == (os.getpid(), HOST)
    assert list(tmp_path.iterdir()) == []


def test_a_stale_lock_replaced_meanwhile_by_a_live_one_is_put_back(tmp_path, live_pid, dead_pid):
    """Two processes found the same stale lock; the other replaced it first: ours must
    not remove the other's live lock."""
    lock = tmp_path / LOCK_NAME
    lock.write_text(f"{live_pid} {HOST}\n")
    RunLock(tmp_path)._remove_stale((dead_pid, HOST))
    assert read_holder(lock) == (live_pid, HOST)
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_NAME]


def _try_lock(folder, start, results) -> None:
    """In a child process: take the lock when all start together; hold it a moment."""
    start.wait()
    try:
        RunLock(folder).acquire()
        results.put("held")
        start.wait()  # keep it until every other process has tried
    except RunFolderLockedError:
        results.put("refused")
        start.wait()


def test_one_of_several_processes_starting_together_takes_the_lock(tmp_path):
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_try_lock, args=(tmp_path, start, results)) for _ in "abcd"]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=30) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    assert outcomes == ["held", "refused", "refused", "refused"]


def test_a_second_training_in_a_held_run_folder_is_refused_before_any_work(tmp_path, live_pid):
    (tmp_path / LOCK_NAME).write_text(f"{live_pid} {HOST}\n")
    features = torch.rand(4, 1, 16, 16)
    data = FeatureSet(features, torch.ones(4, 16, dtype=torch.bool), [0, 1, 0, 1], list("abcd"))
    with pytest.raises(RunFolderLockedError, match=f"in use by process {live_pid}"):
        train(ModelConfig("uvac", 16, 16, 2, 2), TrainConfig(1, 4), data, tmp_path, None, False)
    assert not (tmp_path / CHECKPOINT_NAME).exists()
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_NAME]
