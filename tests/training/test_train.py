"""Training loop: a smoke run on real clips, exact resume, NaN detection, history, configs."""

import dataclasses
import json

import pytest
import torch

from catuvac.errors import CheckpointMismatchError, TrainingDivergedError, UnknownOptionError
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import Profile
from catuvac.features import FeatureCache, FeatureSet
from catuvac.features.augment import AugmentConfig
from catuvac.model import ModelConfig
from catuvac.training.trainer import (
    CHECKPOINT_NAME,
    HISTORY_NAME,
    TrainConfig,
    Trainer,
    load_trained,
    train,
)


def synthetic(n: int = 8, size: int = 16, seed: int = 0) -> FeatureSet:
    """Random [0, 1] features with a partly masked last clip."""
    generator = torch.Generator().manual_seed(seed)
    features = torch.rand(n, 1, size, size, generator=generator)
    mask = torch.ones(n, size, dtype=torch.bool)
    mask[-1, size // 2 :] = False
    return FeatureSet(features, mask, torch.arange(n).numpy() % 2, [f"clip{i}" for i in range(n)])


TINY = ModelConfig("catuvac", 16, 16, n_clusters=3, latent_dim=2)


def _full_loss(model, data: FeatureSet) -> float:
    """The weighted negative ELBO of all clips in evaluation mode, with fixed sampling noise."""
    mode = model.training
    model.eval()
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(0)
        terms, _ = model.elbo(data.features, data.mask, 0.5)
    model.train(mode)
    return float(terms.loss)


def test_smoke_training_on_real_fsdd_lowers_the_loss(tmp_path, offline_data, monkeypatch):
    monkeypatch.setenv("CATUVAC_CACHE", str(tmp_path / "cache"))
    profile = Profile("test", 64, 16, epochs=4, batch_size=16, checkpoint_every=1)
    data = prepare_data("fsdd", profile, root=offline_data / "fsdd", progress=False)
    assert data.train.features.shape == (64, 1, 128, 64)
    assert list((tmp_path / "cache").glob("fsdd-spoken-digits-1s-*.pt"))  # the cache was used
    model_config = ModelConfig("catuvac", 128, 64, n_clusters=10)
    trainer = Trainer(
        model_config, TrainConfig(epochs=4, batch_size=16), tmp_path / "run", None, False
    )
    before = _full_loss(trainer.model, data.train)
    result = trainer.fit(data.train)
    after = _full_loss(result.model, data.train)
    losses = [record["loss"] for record in result.history]
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0], losses
    # Binary cross-entropy cannot go below the entropy of the [0, 1] targets: training must
    # close a real part of the gap to that floor, not just wobble around the initial loss.
    x = data.train.features.clamp(1e-7, 1 - 1e-7)
    entropy = -(x * x.log() + (1 - x) * (1 - x).log())
    floor = float((entropy * data.train.mask[:, None, None, :]).sum(dim=(1, 2, 3)).mean())
    assert floor < after < before - 0.2 * (before - floor), (floor, before, after)
    assert result.final_tau == 0.5
    assert not result.model.training  # returned in evaluation mode


def _interrupt_at(trainer: Trainer, stop_epoch: int) -> None:
    """Make ``trainer`` die (like a killed job) when it reaches ``stop_epoch``."""
    original = trainer.run_epoch

    def run_epoch(data, epoch):
        if epoch == stop_epoch:
            raise KeyboardInterrupt
        return original(data, epoch)

    trainer.run_epoch = run_epoch


def test_resume_after_interruption_matches_an_uninterrupted_run(tmp_path):
    data = synthetic()
    config = TrainConfig(epochs=4, batch_size=4, checkpoint_every=1, seed=3)
    straight = Trainer(TINY, config, tmp_path / "straight", progress=False)
    expected = straight.fit(data)

    first = Trainer(TINY, config, tmp_path / "resumed", progress=False)
    _interrupt_at(first, 2)
    with pytest.raises(KeyboardInterrupt):
        first.fit(data)
    assert torch.load(tmp_path / "resumed" / CHECKPOINT_NAME, weights_only=False)["epoch"] == 1

    second = Trainer(TINY, config, tmp_path / "resumed", progress=False)  # a new process
    resumed = second.fit(data)
    assert second.start_epoch == 2
    want, got = expected.model.state_dict(), resumed.model.state_dict()
    assert want.keys() == got.keys()
    for name in want:
        assert torch.equal(want[name], got[name]), name
    want_opt, got_opt = straight.optimizer.state_dict(), second.optimizer.state_dict()
    for index, state in want_opt["state"].items():
        for key, value in state.items():
            assert torch.equal(value, got_opt["state"][index][key]), (index, key)
    assert resumed.history == expected.history
    # Loading the finished run folder gives the same model back.
    loaded = load_trained(tmp_path / "resumed")
    for name, value in loaded.model.state_dict().items():
        assert torch.equal(value, want[name]), name


def test_non_finite_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    data = synthetic()
    config = TrainConfig(epochs=3, batch_size=4, checkpoint_every=1)
    trainer = Trainer(TINY, config, tmp_path, progress=False)
    original = trainer.model.elbo
    calls = {"n": 0}
    checkpoint = tmp_path / CHECKPOINT_NAME
    snapshot = {}

    def elbo(x, mask, tau, views=None):
        calls["n"] += 1
        terms, out = original(x, mask, tau)
        if calls["n"] == 3:  # first batch of epoch 2 (two batches per epoch)
            snapshot["bytes"] = checkpoint.read_bytes()
        if calls["n"] >= 4:  # second batch of epoch 2: the model "diverges"
            terms.loss = terms.loss * float("nan")
        return terms, out

    trainer.model.elbo = elbo
    with pytest.raises(TrainingDivergedError, match=r"loss became nan in epoch 2\b") as caught:
        trainer.fit(data)
    assert "last good checkpoint" in str(caught.value)
    assert checkpoint.read_bytes() == snapshot["bytes"]  # epoch 1's checkpoint, untouched
    assert torch.load(checkpoint, weights_only=False)["epoch"] == 0
    assert len(json.loads((tmp_path / HISTORY_NAME).read_text())) == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_infinite_loss_in_the_first_epoch_leaves_no_checkpoint(tmp_path):
    trainer = Trainer(TINY, TrainConfig(epochs=2, batch_size=4), tmp_path, progress=False)
    original = trainer.model.elbo

    def infinite_elbo(x, mask, tau, views=None):
        terms, out = original(x, mask, tau)
        terms.loss = terms.loss * float("inf")
        return terms, out

    trainer.model.elbo = infinite_elbo
    with pytest.raises(TrainingDivergedError, match=r"loss became inf in epoch 1\b"):
        trainer.fit(synthetic())
    assert not (tmp_path / CHECKPOINT_NAME).exists()


def test_non_finite_gradients_stop_training_before_the_step(tmp_path):
    """A finite loss whose gradient is NaN must not reach the optimiser: it would turn the
    weights into NaN and the next batch would fail far from the cause."""
    data = synthetic()
    config = TrainConfig(epochs=3, batch_size=4, checkpoint_every=1)
    trainer = Trainer(TINY, config, tmp_path, progress=False)
    original = trainer.model.elbo
    calls = {"n": 0}
    weight = trainer.model.encoder_y.trunk.convs[0].weight

    def elbo(x, mask, tau, views=None):
        calls["n"] += 1
        terms, out = original(x, mask, tau)
        if calls["n"] == 3:  # first batch of epoch 2: d sqrt(|w - w|) / dw is 0 * inf = nan
            terms.loss = terms.loss + torch.sqrt((weight - weight.detach()).abs().sum())
        return terms, out

    trainer.model.elbo = elbo
    before = tmp_path / CHECKPOINT_NAME
    with pytest.raises(TrainingDivergedError, match=r"gradients became non-finite in epoch 2\b"):
        trainer.fit(data)
    assert calls["n"] == 3
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    assert torch.load(before, weights_only=False)["epoch"] == 0


def test_checkpoint_of_another_configuration_is_refused(tmp_path):
    data = synthetic()
    config = TrainConfig(epochs=1, batch_size=4)
    train(TINY, config, data, tmp_path, progress=False)
    before = (tmp_path / CHECKPOINT_NAME).read_bytes()
    for model_config, train_config in [
        (TINY, TrainConfig(epochs=2, batch_size=4)),  # another schedule length
        (TINY, TrainConfig(epochs=1, batch_size=4, seed=1)),
        (ModelConfig("catuvac", 16, 16, n_clusters=3, latent_dim=2, lambda_weight=0.5), config),
    ]:
        with pytest.raises(CheckpointMismatchError, match="another configuration"):
            train(model_config, train_config, data, tmp_path, progress=False)
    assert (tmp_path / CHECKPOINT_NAME).read_bytes() == before
    # The same configuration resumes: training is already complete, nothing changes.
    again = Trainer(TINY, config, tmp_path, progress=False)
    assert again.resume() and again.start_epoch == 1


def test_history_has_one_record_per_epoch(tmp_path):
    data = synthetic(n=10)
    config = TrainConfig(epochs=3, batch_size=4, tau_shape="linear", checkpoint_every=2)
    result = train(TINY, config, data, tmp_path, progress=False)
    history = json.loads((tmp_path / HISTORY_NAME).read_text())
    assert history == result.history
    assert [record["epoch"] for record in history] == [1, 2, 3]
    for epoch, record in enumerate(history):
        assert record["tau"] == pytest.approx(config.tau_at(epoch))
        assert record["lr"] == pytest.approx(config.lr_at(epoch))
        assert len(record["cluster_usage"]) == 3 and sum(record["cluster_usage"]) == 10
        for key in ("loss", "reconstruction", "kl_z", "kl_y"):
            assert isinstance(record[key], float)
    assert [r["tau"] for r in history] == pytest.approx([1.0, 0.75, 0.5])  # linear 1.0 -> 0.5
    assert history[0]["lr"] == pytest.approx(1e-3) and history[-1]["lr"] == pytest.approx(1e-5)
    assert result.final_tau == 0.5
    # checkpoint_every=2 with 3 epochs: saved after epoch 2 and at the end.
    assert torch.load(tmp_path / CHECKPOINT_NAME, weights_only=False)["epoch"] == 2


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "must be positive"),
        ({"batch_size": 0}, ValueError, "must be positive"),
        ({"checkpoint_every": 0}, ValueError, "must be positive"),
        ({"tau_shape": "cosine"}, UnknownOptionError, "unknown temperature schedule 'cosine'"),
        ({"tau_end": 0.0, "tau_shape": "linear"}, ValueError, "tau_end must be positive"),
        ({"tau_start": -1.0}, ValueError, "tau_start must be positive"),
        ({"lr_start": 0.0}, ValueError, "lr_start must be positive"),
        ({"lr_end": -1e-5}, ValueError, "lr_end must be positive"),
    ],
)
def test_bad_train_config_values(options, error, message):
    with pytest.raises(error, match=message):
        TrainConfig(**options)


def test_fsdd_cache_is_shared_between_prepare_calls(tmp_path, offline_data):
    """prepare_data's second call reads the cache (same subset, same settings)."""
    profile = Profile("test", 16, 8, epochs=1, batch_size=8, checkpoint_every=1)
    cache = FeatureCache(tmp_path)
    first = prepare_data("fsdd", profile, root=offline_data / "fsdd", progress=False, cache=cache)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.pt")}
    assert len(stamps) == 2  # train and test
    second = prepare_data("fsdd", profile, root=offline_data / "fsdd", progress=False, cache=cache)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.pt")} == stamps
    assert torch.equal(first.train.features, second.train.features)
    assert first.train.paths == second.train.paths and len(first.test) == 8


def assert_resume_is_exact(model, config, data, expected, folder):
    """A run interrupted after its first epoch and resumed in ``folder`` ends with the
    history and weights of the uninterrupted run ``expected``."""
    first = Trainer(model, config, folder, progress=False)
    _interrupt_at(first, 1)
    with pytest.raises(KeyboardInterrupt):
        first.fit(data)
    resumed = Trainer(model, config, folder, progress=False).fit(data)
    assert resumed.history == expected.history
    for name, value in expected.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name


def test_consistency_views_are_drawn_per_epoch_so_resume_stays_exact(tmp_path):
    """The augmented views of the consistency term come from a (seed, epoch) generator: an
    interrupted run resumes to the same weights and history as an uninterrupted one."""
    data = synthetic()
    model = dataclasses.replace(TINY, consistency_weight=10.0, entropy_weight=1.0)
    augment = AugmentConfig(max_shift=2, freq_mask_width=2, time_mask_width=2)
    config = TrainConfig(epochs=3, batch_size=4, checkpoint_every=1, seed=1, augment=augment)
    expected = Trainer(model, config, tmp_path / "straight", progress=False).fit(data)
    assert "view_information" in expected.history[-1]

    assert_resume_is_exact(model, config, data, expected, tmp_path / "resumed")


def test_neighbour_pairs_resume_exactly_and_refresh_in_z(tmp_path):
    """Pairing neighbours mined in z (re-mined every epoch here), augmenting both views and
    self-labelling resumes to the same weights and history: the table of neighbours is
    checkpointed."""
    data = synthetic()
    model = dataclasses.replace(
        TINY,
        consistency_weight=10.0,
        consistency_term="scan",
        neighbours=2,
        neighbour_space="z",
        neighbour_refresh=1,
        self_label_weight=1.0,
        self_label_threshold=0.3,
    )
    augment = AugmentConfig(max_shift=1, stretch=0.1, freq_shift=1, noise=0.03)
    config = TrainConfig(epochs=3, batch_size=4, checkpoint_every=1, seed=1, augment=augment)
    straight = Trainer(model, config, tmp_path / "straight", progress=False)
    expected = straight.fit(data)
    assert {"pair_agreement", "self_label"} <= set(expected.history[-1])
    assert straight.neighbours.shape == (len(data), 2)

    assert_resume_is_exact(model, config, data, expected, tmp_path / "resumed")
