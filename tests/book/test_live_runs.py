"""The chapters' live runs: the word-aligned input, at least LIVE_EPOCHS for a VAE, and a
stored setting brought to the live profile."""

from dataclasses import asdict, replace

import numpy as np

from catuvac.book.live import (
    CHOSEN_PANEL,
    LIVE_EPOCHS,
    LIVE_INPUT,
    live_epochs,
    live_panels,
    live_spec,
    live_version,
)
from catuvac.experiments.profiles import PROFILES
from catuvac.records.store.results import ARRAYS_KEY, Result
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


def _clustered(method: str, clusters: list[int]) -> Result:
    spec = asdict(RunSpec("fsdd", method, 10, 0, "smoke"))
    arrays = {"labels": np.array([0, 1, 1]), "clusters": np.array(clusters)}
    return Result({"spec": spec, ARRAYS_KEY: arrays})


def test_the_live_confusion_panels_name_each_method_and_the_chosen_setting_last():
    runs = [_clustered("labels", [0, 1, 1]), _clustered("kmeans", [1, 0, 0])]
    chosen = _clustered("catuvac", [2, 2, 0])
    panels = live_panels(runs, chosen)
    assert list(panels) == ["K-means", CHOSEN_PANEL]
    assert panels[CHOSEN_PANEL][1].tolist() == [2, 2, 0]
    assert panels["K-means"][0].tolist() == [0, 1, 1]
    assert list(live_panels(runs, None)) == ["K-means"]
