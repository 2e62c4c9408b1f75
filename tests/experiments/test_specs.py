"""Run specs name every option beyond the paper, and the records keep such runs apart."""

from dataclasses import asdict

import pytest

from catuvac.errors import UnknownOptionError
from catuvac.experiments.profiles import PROFILES
from catuvac.experiments.specs import grid
from catuvac.records.reports.setting_names import objective_name
from catuvac.records.store.results import Result
from catuvac.records.store.settings import plain_setting
from catuvac.training.run_spec import RunSpec


def test_paper_setting_names_are_unchanged_and_options_are_named():
    assert RunSpec("fsdd", "catuvac", 10, 0, "cpu", lambda_weight=1.0).name == (
        "catuvac-tau0.5-lambda1-kl_y-seed0"
    )
    # At the default lambda, the ELBO's weight, the name carries none: the stored
    # marginal runs' format (results/cpu/us8k/k10/catuvac-tau0.5-marginal1000-seed1.json).
    assert RunSpec("us8k", "catuvac", 10, 1, "cpu", marginal_weight=1000).name == (
        "catuvac-tau0.5-marginal1000-seed1"
    )
    spec = RunSpec(
        "arabic-digits",
        "catuvac",
        10,
        2,
        "long",
        lambda_weight=1.0,
        likelihood="gaussian-optimal",
        normaliser="percentile",
        marginal_weight=1000,
        entropy_weight=100,
        consistency_weight=1000,
    )
    assert spec.name == (
        "catuvac-tau0.5-lambda1-kl_y-marginal1000-entropy100-consistency1000"
        "-gaussian-optimal-normpercentile-seed2"
    )
    kmeans = RunSpec("fsdd", "kmeans", 10, 0, "cpu", likelihood="gaussian-optimal")
    assert kmeans.name == "kmeans-seed0"  # K-means has no decoder
    with pytest.raises(UnknownOptionError, match="normaliser"):
        RunSpec("fsdd", "kmeans", 10, 0, "cpu", normaliser="robust")


def test_grid_passes_options_on_and_gives_the_labels_row_only_the_normaliser():
    specs = grid(
        ["fsdd"],
        ["labels", "catuvac"],
        [0],
        PROFILES["long"],
        likelihood="gaussian-optimal",
        normaliser="percentile",
    )
    labels, catuvac = specs
    assert labels.normaliser == "percentile" and labels.likelihood == "bce"
    assert catuvac.likelihood == "gaussian-optimal"


def test_runs_beyond_the_paper_or_at_a_study_profile_leave_the_paper_setting():
    def record(profile="cpu", **spec):
        base = {"dataset": "fsdd", "method": "catuvac", "n_clusters": 10, "seed": 0}
        return Result({"spec": {**base, "tau_end": 0.5, **spec}, "profile": {"name": profile}})

    assert plain_setting(record())
    assert record().beyond_paper == {}
    assert not plain_setting(record(likelihood="gaussian-optimal"))
    assert not plain_setting(record(normaliser="percentile"))
    assert record(entropy_weight=10.0).beyond_paper == {"entropy_weight": 10.0}
    study = Result({**record(), "profile": {"name": "long", "reproduction": False}})
    assert not study.in_reproduction and not plain_setting(study)


def test_self_labelling_is_named_with_its_threshold_when_not_the_default():
    scan = {"consistency_weight": 1000, "consistency_term": "scan", "neighbours": 10}
    spec = RunSpec("fsdd", "catuvac", 10, 0, "long", lambda_weight=1.0, **scan)
    assert spec.name.endswith("-consistency1000scan-nn10-seed0")
    labelled = RunSpec(
        "fsdd", "catuvac", 10, 0, "long", lambda_weight=1.0, **scan, self_label_weight=100
    )
    assert labelled.name.endswith("-nn10-selflabel100-seed0")
    stricter = RunSpec(
        "fsdd",
        "catuvac",
        10,
        0,
        "long",
        lambda_weight=1.0,
        **scan,
        self_label_weight=100,
        self_label_threshold=0.99,
    )
    assert stricter.name.endswith("-selflabel100at0.99-seed0")
    record = Result({"spec": asdict(stricter), "profile": {"name": "long"}})
    assert record.beyond_paper["self_label_weight"] == 100
    assert "self-labels above q = 0.99" in objective_name(record)


def test_neighbours_mined_in_z_are_a_setting_of_their_own():
    scan = {"consistency_weight": 1000, "consistency_term": "scan", "neighbours": 10}
    features = RunSpec("fsdd", "catuvac", 10, 0, "long", lambda_weight=1.0, **scan)
    in_z = RunSpec(
        "fsdd",
        "catuvac",
        10,
        0,
        "long",
        lambda_weight=1.0,
        **scan,
        neighbour_space="z",
        neighbour_refresh=5,
    )
    names = [
        objective_name(Result({"spec": asdict(spec), "profile": {"name": "long"}}))
        for spec in (features, in_z)
    ]
    assert names[0].endswith("SCAN pairs with 10 neighbours")
    assert names[1].endswith("SCAN pairs with 10 neighbours mined in z every 5 epochs")
