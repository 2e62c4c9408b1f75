"""The chapters' live runs: the word-aligned input, at least LIVE_EPOCHS for a VAE, and a
stored setting brought to the live profile."""

from dataclasses import asdict, replace

from catuvac.book.live import LIVE_EPOCHS, LIVE_INPUT, live_epochs, live_spec, live_version
from catuvac.experiments.profiles import PROFILES
from catuvac.records.store.results import Result
from catuvac.training.run_spec import RunSpec


def test_a_live_vae_trains_at_least_live_epochs_on_the_aligned_input():
    smoke, paper = PROFILES["smoke"], PROFILES["paper"]
    assert live_epochs(smoke) == LIVE_EPOCHS and live_epochs(paper) == paper.epochs
    vae = live_spec("fsdd", "catuvac", smoke, lambda_weight=1.0)
    assert (vae.epochs, vae.profile, vae.seed, vae.lambda_weight) == (LIVE_EPOCHS, "smoke", 0, 1.0)
    assert (vae.features, vae.normaliser) == (LIVE_INPUT["features"], LIVE_INPUT["normaliser"])
    assert live_spec("fsdd", "kmeans", smoke).epochs is None  # K-means trains no epochs


def test_a_stored_setting_becomes_a_live_run_with_its_options():
    stored = RunSpec("fsdd", "catuvac", 10, 2, "long", neighbours=10, consistency_weight=5.0)
    live = live_version(Result({"spec": asdict(stored)}), PROFILES["smoke"])
    assert live == replace(stored, seed=0, profile="smoke", epochs=LIVE_EPOCHS)
