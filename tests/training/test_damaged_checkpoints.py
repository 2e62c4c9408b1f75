"""A checkpoint that cannot be read stops training in one line and touches nothing; a
crash while a checkpoint is written leaves the previous one readable."""

from pathlib import Path

import pytest
import torch

import catuvac.training.trainer as trainer_module
from catuvac.errors import DamagedFileError
from catuvac.features import FeatureSet
from catuvac.model import ModelConfig
from catuvac.training.trainer import CHECKPOINT_NAME, TrainConfig, Trainer, load_trained, train

TINY = ModelConfig("catuvac", 16, 16, n_clusters=3, latent_dim=2)
CONFIG = TrainConfig(epochs=2, batch_size=4, checkpoint_every=1)
ADVICE = "; delete it to start this run afresh, or use another run folder"


def synthetic(n: int = 8, size: int = 16) -> FeatureSet:
    generator = torch.Generator().manual_seed(0)
    features = torch.rand(n, 1, size, size, generator=generator)
    mask = torch.ones(n, size, dtype=torch.bool)
    return FeatureSet(features, mask, torch.arange(n).numpy() % 2, [f"c{i}" for i in range(n)])


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _drop_parts(path):
    state = torch.load(path, weights_only=False)
    torch.save({"identity": state["identity"], "epoch": state["epoch"]}, path)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_truncate, "(RuntimeError: PytorchStreamReader failed reading zip archive"),
        (lambda path: path.write_bytes(b""), "(the file is empty)"),
        (lambda path: torch.save([1, 2], path), "(not a catuvac checkpoint)"),
        (_drop_parts, "(no history, model, optimizer, rng in it)"),
    ],
)
def test_a_damaged_checkpoint_stops_training_and_loading_in_one_line(tmp_path, damage, reason):
    data, run_dir = synthetic(), tmp_path / "run"
    train(TINY, CONFIG, data, run_dir, progress=False)
    checkpoint = run_dir / CHECKPOINT_NAME
    damage(checkpoint)
    before = _snapshot(run_dir)
    with pytest.raises(DamagedFileError) as caught:
        train(TINY, CONFIG, data, run_dir, progress=False)
    message = str(caught.value)
    assert message.startswith(f"{checkpoint} is damaged {reason}") and message.endswith(ADVICE)
    assert "\n" not in message
    assert _snapshot(run_dir) == before  # no history, no checkpoint, no lock left behind
    with pytest.raises(DamagedFileError, match="is damaged"):
        load_trained(run_dir)


def test_a_crash_while_writing_a_checkpoint_keeps_the_previous_one(tmp_path, monkeypatch):
    data = synthetic()
    trainer = Trainer(TINY, CONFIG, tmp_path, progress=False)
    real_save = torch.save

    def save_then_die(state, target, *args, **kwargs):
        if state["epoch"] == 1:  # epoch 2's checkpoint: half written, then the crash
            real_save(state, target)
            _truncate(Path(target))
            raise KeyboardInterrupt
        real_save(state, target, *args, **kwargs)

    monkeypatch.setattr(trainer_module.torch, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(data)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT_NAME, "history.json"]
    assert len(load_trained(tmp_path).history) == 1  # epoch 1's checkpoint, whole
    # and a new process resumes from it to the end.
    again = Trainer(TINY, CONFIG, tmp_path, progress=False)
    assert len(again.fit(data).history) == 2 and again.start_epoch == 1
