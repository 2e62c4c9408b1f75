"""Table I runs: the grid, result files, and one tiny Cat. UVAC training through run()."""

import json
from dataclasses import asdict

import numpy as np
import pytest
import torch

from catuvac.errors import ConfigError, ResultExistsError, UnknownOptionError
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import PROFILES, Profile
from catuvac.experiments.reproduce import build_configs, run
from catuvac.experiments.run_folder import RUN_INFO_NAME, evaluate_run_dir
from catuvac.experiments.specs import PAPER_CLUSTERS, grid
from catuvac.features import SPOKEN_DIGITS, FeatureCache, Normaliser
from catuvac.records.store.provenance import environment
from catuvac.records.store.results import ARRAYS_KEY, load_results, save_result
from catuvac.training.lambdas import ELBO_LAMBDA, default_lambda
from catuvac.training.run_spec import RunSpec
from catuvac.training.trainer import CHECKPOINT_NAME, HISTORY_NAME

SMOKE = PROFILES["smoke"]
TINY = Profile("tiny", 16, 16, epochs=1, batch_size=16, checkpoint_every=1)


def test_grid_expands_the_papers_cluster_counts():
    assert PAPER_CLUSTERS == {
        "audiomnist": (10,),
        "arabic-digits": (10,),
        "fsdd": (10,),
        "us8k": (10, 5),
        "tau2019": (10, 5),
    }
    methods = ["labels", "kmeans", "uvac", "catuvac"]
    specs = grid(list(PAPER_CLUSTERS), methods, [0, 1], SMOKE, tau_ends=[0.5, 0.3])
    assert len(specs) == len(set(specs))
    for dataset, ks in PAPER_CLUSTERS.items():
        mine = [s for s in specs if s.dataset == dataset]
        assert [s for s in mine if s.method == "labels"] == [
            RunSpec(dataset, "labels", 10, 0, "smoke")
        ]
        for method in ("kmeans", "uvac"):
            cells = {(s.n_clusters, s.seed, s.tau_end) for s in mine if s.method == method}
            assert cells == {(k, seed, 0.5) for k in ks for seed in (0, 1)}
        cells = {(s.n_clusters, s.seed, s.tau_end) for s in mine if s.method == "catuvac"}
        assert cells == {(k, seed, tau) for k in ks for seed in (0, 1) for tau in (0.5, 0.3)}
    assert len(specs) == 5 * 1 + (1 + 1 + 2 + 2 + 1) * 2 * (1 + 1 + 2)
    assert all(s.profile == "smoke" for s in specs)


def test_grid_options_aliases_and_errors():
    specs = grid(["UrbanSound8K"], ["kmeans"], [3], SMOKE, clusters=[2, 4])
    assert [(s.dataset, s.n_clusters, s.seed) for s in specs] == [("us8k", 2, 3), ("us8k", 4, 3)]
    with pytest.raises(UnknownOptionError, match="unknown dataset 'esc50'.*fsdd"):
        grid(["esc50"], ["kmeans"], [0], SMOKE)
    with pytest.raises(UnknownOptionError, match="unknown method 'gmm'.*labels, kmeans"):
        grid(["fsdd"], ["gmm"], [0], SMOKE)


def test_result_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("CATUVAC_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("CATUVAC_RUNS", str(tmp_path / "runs"))
    spec = RunSpec("us8k", "catuvac", 5, 2, "cpu", tau_end=0.3)
    assert default_lambda("us8k", 5) == ELBO_LAMBDA  # a default run names no lambda
    assert spec.result_path() == tmp_path / "results/cpu/us8k/k5/catuvac-tau0.3-seed2.json"
    assert spec.run_dir() == tmp_path / "runs/cpu/us8k/k5/catuvac-tau0.3-seed2"
    heavy = RunSpec("us8k", "catuvac", 5, 2, "cpu", tau_end=0.3, lambda_weight=1000.0)
    assert heavy.name == "catuvac-tau0.3-lambda1000-kl_y-seed2"
    # A folder passed explicitly wins over the environment (chapters pass a temporary one).
    assert spec.run_dir(tmp_path / "live") == tmp_path / f"live/cpu/us8k/k5/{spec.name}"
    assert spec.result_path(tmp_path / "out") == tmp_path / f"out/cpu/us8k/k5/{spec.name}.json"
    assert RunSpec("us8k", "uvac", 5, 2, "cpu").name == "uvac-seed2"  # tau: Cat. UVAC


def test_save_result_refuses_to_overwrite(tmp_path):
    path = tmp_path / "results" / "fsdd" / "k10" / "kmeans-seed0.json"
    arrays = {"labels": np.arange(4), "clusters": np.array([1, 0, 1, 0])}
    spec = {"dataset": "fsdd", "method": "kmeans", "seed": 0, "n_clusters": 2, "profile": "smoke"}
    record = {
        "spec": spec,
        "metrics": {"accuracy": 0.5, "own": {}, "common": {}},
        "n_classes": 2,
        "profile": {"name": "smoke", "epochs": 2},
        "environment": {"device": "cpu"},
        "data_subset": {"train_clips": 4, "test_clips": 4},
        ARRAYS_KEY: arrays,
    }
    better = {**record, "metrics": {**record["metrics"], "accuracy": 0.9}}
    assert save_result(record, path) == path
    assert ARRAYS_KEY in record  # the caller's record is not modified
    stored = json.loads(path.read_text())
    assert ARRAYS_KEY not in stored and stored["metrics"]["accuracy"] == 0.5
    before = path.read_bytes(), path.with_suffix(".npz").read_bytes()
    with pytest.raises(ResultExistsError, match="kmeans-seed0.json exists.*--overwrite"):
        save_result(better, path)
    assert (path.read_bytes(), path.with_suffix(".npz").read_bytes()) == before
    save_result(better, path, overwrite=True)
    assert json.loads(path.read_text())["metrics"]["accuracy"] == 0.9
    (loaded,) = load_results(tmp_path / "results")
    assert loaded["path"] == str(path)
    np.testing.assert_array_equal(loaded.arrays()["clusters"], [1, 0, 1, 0])
    assert not list(path.parent.glob("*.tmp"))


@pytest.fixture(scope="module")
def tiny_fsdd(offline_data, tmp_path_factory):
    cache = FeatureCache(tmp_path_factory.mktemp("cache"))
    return prepare_data("fsdd", TINY, root=offline_data / "fsdd", progress=False, cache=cache)


def test_catuvac_run_end_to_end(tiny_fsdd, tmp_path, monkeypatch):
    monkeypatch.setenv("CATUVAC_RUNS", str(tmp_path / "runs"))
    data = tiny_fsdd
    spec = RunSpec("fsdd", "catuvac", 10, 0, TINY.name, tau_end=0.7)
    record = run(spec, data, data.common_space(), progress=False)
    # One epoch trains at the final temperature, which Table I's tau column records.
    assert record["final_tau"] == 0.7
    assert record["epochs"] == 1 and len(record["history"]) == 1
    (epoch,) = record["history"]
    assert epoch["epoch"] == 1 and epoch["tau"] == 0.7 and sum(epoch["cluster_usage"]) == 16
    assert record["train_config"]["tau_end"] == 0.7 and record["train_config"]["epochs"] == 1
    assert record["model_config"]["method"] == "catuvac"
    assert record["model_config"]["n_freq"] == 128 and record["model_config"]["n_frames"] == 64
    assert record["profile"] == asdict(TINY)
    assert record["feature_config"] == SPOKEN_DIGITS.to_dict()
    assert record["data_subset"]["train_clips"] == 16 and record["data_subset"]["test_clips"] == 16
    assert set(record["metrics"]) == {"accuracy", "nmi", "own", "common"}
    assert 0 <= record["metrics"]["accuracy"] <= 1
    assert sum(record["cluster_sizes"]) == 16
    arrays = record[ARRAYS_KEY]
    assert arrays["cluster_probs"].shape == (16, 10) and arrays["z_mean"].shape == (16, 10)
    np.testing.assert_array_equal(arrays["clusters"], arrays["cluster_probs"].argmax(axis=1))
    assert (spec.run_dir() / CHECKPOINT_NAME).is_file()
    history = json.loads((spec.run_dir() / HISTORY_NAME).read_text())
    assert history == record["history"]
    path = save_result(record, tmp_path / "result.json")
    stored = json.loads(path.read_text())
    assert stored["final_tau"] == 0.7 and stored["history"][0]["tau"] == 0.7


def test_kmeans_run_reports_accuracy_only_at_the_class_count(tiny_fsdd):
    data, common = tiny_fsdd, tiny_fsdd.common_space()
    at_classes = run(RunSpec("fsdd", "kmeans", 10, 0, "tiny"), data, common)
    assert at_classes["metrics"]["accuracy"] is not None
    fewer = run(RunSpec("fsdd", "kmeans", 5, 0, "tiny"), data, common)
    assert fewer["metrics"]["accuracy"] is None and fewer["metrics"]["nmi"] is None
    assert set(fewer["metrics"]["own"]) == {"silhouette", "davies_bouldin", "calinski_harabasz"}
    assert "final_tau" not in fewer and len(fewer["cluster_sizes"]) == 5
    labels = run(RunSpec("fsdd", "labels", 10, 0, "tiny"), data, common)
    assert labels["metrics"]["accuracy"] == 1.0 and labels["metrics"]["nmi"] == pytest.approx(1.0)


def test_results_record_the_device_the_run_used_not_the_machines_gpu(
    tiny_fsdd, tmp_path, monkeypatch
):
    data, common = tiny_fsdd, tiny_fsdd.common_space()
    with monkeypatch.context() as gpu_machine:
        gpu_machine.setattr(torch.cuda, "is_available", lambda: True)
        for method in ("labels", "kmeans"):  # scikit-learn and numpy: always the CPU
            record = run(RunSpec("fsdd", method, 10, 0, "tiny"), data, common)
            assert record["environment"]["device"] == "cpu"
    spec = RunSpec("fsdd", "uvac", 10, 0, "tiny")
    cpu = torch.device("cpu")
    record = run(spec, data, common, cpu, progress=False, run_dir=tmp_path / "run")
    assert record["environment"]["device"] == "cpu"  # the device it was given
    assert environment(torch.device("cuda", 1))["device"] == "cuda"
    assert environment("cpu")["device"] == "cpu"


def test_lambda_variants_get_their_own_result_files():
    default = RunSpec("fsdd", "catuvac", 10, 0, "cpu")
    study = RunSpec("fsdd", "catuvac", 10, 0, "cpu", lambda_weight=5.0, lambda_placement="kl_z")
    # The default is the ELBO's weight again: a default run takes the name of the runs
    # trained at it before the study; the study's own run at lambda = 1 names its lambda.
    assert default.weight == ELBO_LAMBDA and default.name == "catuvac-tau0.5-seed0"
    named = RunSpec("fsdd", "catuvac", 10, 0, "cpu", lambda_weight=ELBO_LAMBDA)
    assert named.name == "catuvac-tau0.5-lambda1-kl_y-seed0"
    assert study.name == "catuvac-tau0.5-lambda5-kl_z-seed0"
    assert RunSpec("fsdd", "kmeans", 10, 0, "cpu", lambda_weight=5.0).name == "kmeans-seed0"
    with pytest.raises(UnknownOptionError):
        RunSpec("fsdd", "catuvac", 10, 0, "cpu", lambda_placement="everywhere")


def test_speaker_norm_gets_its_own_result_files_for_every_method():
    for method, stem in (("labels", "labels"), ("kmeans", "kmeans"), ("catuvac", "catuvac-tau0.5")):
        spec = RunSpec("arabic-digits", method, 10, 1, "cpu", speaker_norm=True)
        assert spec.name == f"{stem}-spknorm-seed1"
        assert RunSpec("arabic-digits", method, 10, 1, "cpu").name == f"{stem}-seed1"
    lam = RunSpec("fsdd", "uvac", 10, 0, "cpu", lambda_weight=2.0, speaker_norm=True)
    assert lam.name == "uvac-lambda2-kl_y-spknorm-seed0"
    specs = grid(["arabic"], ["labels", "kmeans"], [0, 1], SMOKE, speaker_norm=True)
    assert [(s.dataset, s.method, s.seed) for s in specs] == [
        ("arabic-digits", "labels", 0),
        ("arabic-digits", "kmeans", 0),
        ("arabic-digits", "kmeans", 1),
    ]
    assert all(s.speaker_norm for s in specs)


def test_run_refuses_data_prepared_without_the_specs_speaker_norm(tiny_fsdd):
    spec = RunSpec("fsdd", "kmeans", 10, 0, "tiny", speaker_norm=True)
    with pytest.raises(ConfigError, match="speaker_norm=False.*speaker_norm=True"):
        run(spec, tiny_fsdd, tiny_fsdd.common_space(), progress=False)


def test_a_trained_run_folder_describes_itself_and_evaluates_to_its_metrics(
    tiny_fsdd, offline_data, tmp_path, monkeypatch
):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    monkeypatch.setenv("CATUVAC_CACHE", str(tmp_path / "cache"))
    data, run_dir = tiny_fsdd, tmp_path / "run"
    spec = RunSpec("fsdd", "uvac", 10, 0, TINY.name)
    record = run(spec, data, data.common_space(), progress=False, run_dir=run_dir)
    info = json.loads((run_dir / RUN_INFO_NAME).read_text())
    assert info["dataset"] == "fsdd" and info["profile"] == asdict(TINY)
    assert info["normaliser"] == data.normaliser.to_dict() and info["speaker_norm"] is False
    assert info["feature_config"] == SPOKEN_DIGITS.to_dict()
    assert info["model_config"] == record["model_config"]
    assert info["train_config"] == record["train_config"]
    restored = Normaliser.from_dict(info["normaliser"])  # bit for bit
    assert torch.equal(restored.mean, data.normaliser.mean)
    assert torch.equal(restored.std, data.normaliser.std)
    assert (restored.low, restored.high) == (data.normaliser.low, data.normaliser.high)
    # Exactly the stored metrics (compared as stored text: a collapsed run's NaNs included),
    # with nothing but the folder given.
    assert json.dumps(evaluate_run_dir(run_dir)) == json.dumps(record["metrics"])
    # Other clips than the run's are refused, not silently scored.
    info["data_subset"]["test_files_sha256"] = "0" * 16
    (run_dir / RUN_INFO_NAME).write_text(json.dumps(info))
    with pytest.raises(ConfigError, match="not the run's"):
        evaluate_run_dir(run_dir)


def test_marginal_weight_names_its_run():
    spec = RunSpec("us8k", "catuvac", 10, 1, "cpu", marginal_weight=100.0)
    assert spec.name == "catuvac-tau0.5-marginal100-seed1"  # at the default lambda, 1
    heavy = RunSpec("us8k", "catuvac", 10, 1, "cpu", marginal_weight=100.0, lambda_weight=10.0)
    assert heavy.name == "catuvac-tau0.5-lambda10-kl_y-marginal100-seed1"
    assert RunSpec("us8k", "kmeans", 10, 1, "cpu", marginal_weight=100.0).name == "kmeans-seed1"


def test_one_builder_makes_the_configs_of_every_run(tiny_fsdd):
    model, training = build_configs(RunSpec("fsdd", "catuvac", 10, 3, "tiny"), tiny_fsdd)
    assert (model.n_freq, model.n_frames) == tiny_fsdd.feature_config.shape[1:]
    assert model.lambda_weight == default_lambda("fsdd", 10)
    assert (training.epochs, training.batch_size, training.seed) == (1, 16, 3)
    uvac = RunSpec("fsdd", "uvac", 5, 0, "tiny", lambda_weight=ELBO_LAMBDA, epochs=4)
    model, training = build_configs(uvac, tiny_fsdd)
    assert (model.lambda_weight, model.n_clusters, training.epochs) == (1.0, 5, 4)
    spec = RunSpec(
        "fsdd", "catuvac", 10, 2, "tiny", tau_end=0.3, marginal_weight=7.0, tau_shape="linear"
    )
    model, training = build_configs(spec, tiny_fsdd)
    assert (model.marginal_weight, training.tau_end, training.seed) == (7.0, 0.3, 2)
    assert training.tau_shape == "linear"
    with pytest.raises(ConfigError, match="trains no model"):
        build_configs(RunSpec("fsdd", "kmeans", 10, 0, "tiny"), tiny_fsdd)
