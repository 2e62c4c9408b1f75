"""Cluster usage, result records and seed tables, settings, clip lookup, overlap measures,
toy sweeps, and the TAU fixture generator (catuvac.evaluation.usage, results, seed_tables, settings,
stored_clips, overlap, toys, data.fixtures)."""

import math

import numpy as np
import pandas as pd
import pytest

from catuvac.book.overlap import background_share, band_separability, class_profiles
from catuvac.book.stored_clips import stored_test_clips
from catuvac.book.toys import softmax, temperature_sweep, toy_softmax_clusters
from catuvac.book.voices import (
    format_speaker_experiment,
    label_and_group_nmi,
    speaker_experiment,
    speaker_norm_changes,
)
from catuvac.data import load
from catuvac.data.fixtures import write_tau_fixture
from catuvac.data.tau2019 import SCENES
from catuvac.evaluation.usage import (
    cluster_usage,
    clusters_used,
    effective_clusters,
    examples_per_cluster,
    history_frame,
    kl_y_decomposition,
    usage_entropy,
    usage_matrix,
    usage_summary,
)
from catuvac.experiments.prepare import SUBSET_SEED, files_digest
from catuvac.records.reports.seed_tables import (
    cluster_use_table,
    format_seed_table,
    seed_table,
    stored_tau_sweeps,
)
from catuvac.records.store.results import (
    Result,
    describe_records,
    largest_profile,
    largest_profile_of,
    profiles_by_epochs,
    select,
)
from catuvac.records.store.settings import (
    default_setting,
    elbo_weight_setting,
    speaker_experiment_runs,
    table_setting,
)
from catuvac.training.lambdas import DEFAULT_LAMBDA, default_lambda


def test_usage_of_a_collapsed_and_a_uniform_clustering():
    assert clusters_used([0, 10, 0, 0]) == 1
    assert usage_entropy([0, 10, 0, 0]) == 0.0
    assert usage_entropy([5, 5, 5, 5]) == pytest.approx(math.log(4))
    assert usage_entropy([5, 5, 5, 5], normalised=True) == pytest.approx(1.0)
    assert effective_clusters([5, 5, 0, 0]) == pytest.approx(2.0)
    assert clusters_used([1, 9, 90], min_share=0.05) == 2
    summary = usage_summary([2, 6, 0, 2])
    assert summary["clusters_used"] == 3 and summary["largest_share"] == pytest.approx(0.6)
    # Hand-computed: p = (0.2, 0.6, 0.2).
    assert summary["entropy"] == pytest.approx(-(0.4 * math.log(0.2) + 0.6 * math.log(0.6)))
    np.testing.assert_array_equal(cluster_usage([0, 2, 2, 3], 5), [1, 0, 2, 1, 0])


def test_usage_rejects_bad_input():
    with pytest.raises(ValueError, match="no samples"):
        usage_entropy([0, 0])
    with pytest.raises(ValueError, match="negative"):
        clusters_used([1, -1])
    with pytest.raises(ValueError, match="cluster ids"):
        cluster_usage([0, 5], 5)


HISTORY = [
    {
        "epoch": 1,
        "loss": 10.0,
        "reconstruction": 8.0,
        "kl_z": 1.5,
        "kl_y": 0.5,
        "tau": 1.0,
        "lr": 1e-3,
        "cluster_usage": [4, 4, 0],
    },
    {
        "epoch": 2,
        "loss": 6.0,
        "reconstruction": 5.0,
        "kl_z": 0.8,
        "kl_y": 0.2,
        "tau": 0.5,
        "lr": 1e-5,
        "cluster_usage": [8, 0, 0],
    },
]


def test_history_frame_and_usage_matrix():
    np.testing.assert_array_equal(usage_matrix(HISTORY), [[4, 4, 0], [8, 0, 0]])
    frame = history_frame(HISTORY)
    assert list(frame.index) == [1, 2]
    assert frame.loc[1, "clusters_used"] == 2 and frame.loc[2, "clusters_used"] == 1
    assert frame.loc[2, "usage_entropy"] == 0.0
    assert frame.loc[1, "usage_entropy"] == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="empty"):
        usage_matrix([])


def _record(
    method, seed, accuracy, silhouette, k=10, profile="smoke", epochs=2, lam=None, spk=None
):
    record = {
        "spec": {
            "dataset": "fsdd",
            "method": method,
            "n_clusters": k,
            "seed": seed,
            "profile": profile,
            "tau_end": 0.5,
            **({} if spk is None else {"speaker_norm": spk}),
        },
        "n_classes": 10,
        "metrics": {
            "accuracy": accuracy,
            "nmi": None if accuracy is None else accuracy / 2,
            "own": {"silhouette": silhouette, "davies_bouldin": 1.0, "calinski_harabasz": 3.0},
            "common": {"silhouette": 0.1, "davies_bouldin": 2.0, "calinski_harabasz": 4.0},
        },
        "profile": {"name": profile, "epochs": epochs, "max_test_clips": 64},
        "data_subset": {"train_clips": 96, "test_clips": 64},
        "environment": {"device": "cpu"},
        "cluster_sizes": [32, 32] + [0] * (k - 2),
    }
    if method in ("uvac", "catuvac"):
        record["epochs"] = epochs
        record["model_config"] = {"lambda_weight": lam or 1.0, "lambda_placement": "kl_y"}
    return record


RECORDS = [
    _record("kmeans", 0, 0.2, 0.1),
    _record("kmeans", 1, 0.4, 0.3),
    _record("catuvac", 0, 0.5, 0.9),
    _record("catuvac", 1, 0.7, float("nan")),
    _record("catuvac", 0, None, 0.8, k=5),
    _record("labels", 0, 1.0, -0.1),
    _record("catuvac", 0, 0.9, 0.95, profile="cpu", epochs=30),
]


def test_seed_table_means_and_stds():
    table = seed_table(select(RECORDS, profile="smoke"))
    kmeans = table[(table["method"] == "K-means")].iloc[0]
    assert kmeans["seeds"] == 2
    assert kmeans["accuracy_mean"] == pytest.approx(0.3)
    assert kmeans["accuracy_std"] == pytest.approx(0.1)  # population std of 0.2 and 0.4
    cat10 = table[(table["method"] == "Cat. UVAC") & (table["clusters"] == 10)].iloc[0]
    assert cat10["silhouette_mean"] == pytest.approx(0.9)  # the NaN run is left out
    cat5 = table[(table["method"] == "Cat. UVAC") & (table["clusters"] == 5)].iloc[0]
    assert np.isnan(cat5["accuracy_mean"])
    # K = 10 rows first, in the paper's method order.
    assert list(table["method"]) == ["None (labels)", "K-means", "Cat. UVAC", "Cat. UVAC"]
    shown = format_seed_table(table)
    assert shown.loc[1, "accuracy (%)"] == "30.00 ± 10.00"
    assert shown.loc[3, "accuracy (%)"] == "–"
    assert shown.loc[2, "silhouette"] == "0.90 (1 of 2 seeds)"  # two seeds, one NaN
    assert table.loc[2, "silhouette_n"] == 1 and table.loc[2, "device"] == "cpu"
    assert shown.loc[0, "accuracy (%)"] == "100.00"  # a single seed: no spread shown
    assert seed_table([]).empty


def test_metric_values_and_selection():
    values = Result(RECORDS[4]).metric_values(space="common")
    assert np.isnan(values["accuracy"]) and values["silhouette"] == 0.1
    assert len(select(RECORDS, method="catuvac", n_clusters=10)) == 3
    assert len(select(RECORDS, n_clusters=10, method="labels")) == 1
    profile, chosen = largest_profile_of(RECORDS, "fsdd")
    assert profile == "cpu" and len(chosen) == 1
    assert largest_profile_of(RECORDS, "us8k") == (None, [])
    text = describe_records(select(RECORDS, profile="smoke"))
    assert text == "profile smoke, epochs 2, 96 train / 64 test clips, seeds 0, 1, on CPU"
    assert describe_records(RECORDS[:1]).endswith("seed 0, on CPU")
    assert describe_records([]) == "no stored results"


def test_settings_split_runs_by_lambda_and_leave_out_studies(monkeypatch):
    hot = _record("catuvac", 0, 0.5, 0.9)
    hot["spec"]["tau_end"] = 2.0
    heavy = _record("catuvac", 0, 0.5, 0.9, lam=10.0)
    heavy["spec"]["lambda_weight"] = 10.0
    per_speaker = _record("kmeans", 0, 0.5, 0.9, spk=True)
    study_at_one = _record("catuvac", 0, 0.5, 0.9)
    study_at_one["spec"]["lambda_weight"] = 1.0  # the lambda study's run at lambda = 1
    records = [*RECORDS, hot, heavy, per_speaker, study_at_one]
    unweighted = elbo_weight_setting(records)
    assert len(unweighted) == len(RECORDS)
    assert not {id(r) for r in (hot, heavy, per_speaker, study_at_one)} & {
        id(r) for r in unweighted
    }
    # The default is the ELBO's weight: the study's run at lambda = 1 shares seed 0 with a
    # run that does not name it, and the seed counts once.
    assert default_lambda("fsdd", 10) == 1.0
    assert [id(r) for r in default_setting(records)] == [id(r) for r in unweighted]
    assert [id(r) for r in table_setting(records)] == [id(r) for r in unweighted]
    # Alone on its seed, a named run at lambda = 1 belongs to the setting.
    lone = _record("catuvac", 2, 0.5, 0.9)
    lone["spec"]["lambda_weight"] = 1.0
    assert lone in default_setting([*records, lone]) and lone in table_setting([*records, lone])
    assert lone in elbo_weight_setting([*records, lone])
    # A default above 1 is a setting of its own: one more row in Table I.
    monkeypatch.setitem(DEFAULT_LAMBDA, ("fsdd", 10), 10.0)
    default = default_setting(records)
    assert [r["spec"]["method"] for r in default].count("catuvac") == 1 and heavy in default
    table = table_setting(records)
    assert len(table) == len(RECORDS) + 1 and heavy in table and study_at_one not in table


def test_speaker_norm_runs_are_a_setting_of_their_own():
    normalised = [_record("kmeans", seed, 0.6, 0.2, spk=True) for seed in (0, 1)]
    records = [*select(RECORDS, profile="smoke"), *normalised]
    assert select(records, speaker_norm=True) == normalised
    assert len(select(records, speaker_norm=False)) == len(records) - 2  # absent: off
    table = seed_table(records)
    kmeans = table[table["method"] == "K-means"]
    assert list(kmeans["speaker_norm"]) == [False, True]  # off first
    assert list(kmeans["accuracy_mean"]) == pytest.approx([0.3, 0.6])


def test_examples_per_cluster_are_members_largest_first():
    clusters = np.array([2, 2, 2, 0, 0, 5])
    chosen = examples_per_cluster(clusters, n_per_cluster=2, seed=0)
    assert list(chosen) == [2, 0, 5]
    assert all(clusters[i] == c for c, idx in chosen.items() for i in idx)
    assert [len(v) for v in chosen.values()] == [2, 2, 1]
    assert chosen == examples_per_cluster(clusters, n_per_cluster=2, seed=0)


def test_stored_test_clips_match_the_fingerprint(offline_data, monkeypatch):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    dataset = load("fsdd")
    clips = dataset.subset("test", 64, seed=SUBSET_SEED)
    record = {
        "spec": {"dataset": "fsdd"},
        "profile": {"max_test_clips": 64},
        "data_subset": {"test_files_sha256": files_digest([c.path for c in clips], dataset.root)},
    }
    assert [c.path for c in stored_test_clips(record)] == [c.path for c in clips]
    record["data_subset"]["test_files_sha256"] = "0" * 16
    with pytest.raises(ValueError, match="do not match"):
        stored_test_clips(record)


def test_band_separability_and_profiles():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    features = rng.normal(size=(100, 1, 3, 8))
    features[:, 0, 0, :] += 10 * labels[:, None]  # band 0 separates the classes
    mask = np.ones((100, 8), dtype=bool)
    mask[:, 6:] = False
    features[:, 0, 1, 6:] = 1000.0  # masked frames must not count
    eta = band_separability(features, mask, labels)
    assert eta.shape == (3,)
    assert eta[0] > 0.95 and eta[1] < 0.1 and eta[2] < 0.1
    classes, means, stds = class_profiles(features, mask, labels)
    assert list(classes) == [0, 1] and means.shape == stds.shape == (2, 3)
    assert means[1, 0] - means[0, 0] == pytest.approx(10, abs=0.5)
    assert abs(means[0, 1]) < 1


def test_background_share_counts_salience():
    from catuvac.data import Clip

    clips = [
        Clip("a.wav", 0, "hum", "fold1", {"salience": 1}),
        Clip("b.wav", 0, "hum", "fold1", {"salience": 2}),
        Clip("c.wav", 1, "horn", "fold1", {"salience": 2}),
    ]
    table = background_share(clips, ["hum", "horn", "bell"])
    assert table.loc["hum", "background_share"] == 0.5 and table.loc["hum", "clips"] == 2
    assert table.loc["horn", "background_share"] == 1.0
    assert np.isnan(table.loc["bell", "background_share"])


def test_softmax_temperature_sweep():
    probs = softmax(np.array([[0.0, np.log(3.0)]]))
    np.testing.assert_allclose(probs, [[0.25, 0.75]])
    with pytest.raises(ValueError):
        softmax(np.zeros((1, 2)), 0.0)
    points, logits, labels = toy_softmax_clusters(n_per_cluster=30, n_clusters=4, seed=1)
    assert points.shape == (120, 16) and logits.shape == (120, 4) and labels.shape == (120,)
    sweep = temperature_sweep(points, logits, [3.0, 0.3, 0.03])
    sil = sweep[(sweep["metric"] == "silhouette")]
    in_probs = sil[sil["space"] == "probabilities"].sort_values("temperature")["value"].to_numpy()
    fixed = sil[sil["space"] == "input (common)"]["value"].to_numpy()
    assert in_probs[0] > in_probs[1] > in_probs[2]  # colder softmax, higher silhouette
    assert in_probs[0] > 0.8
    assert np.allclose(fixed, fixed[0])  # the clustering itself never changes


def test_tau_fixture_layout(tmp_path):
    root = write_tau_fixture(tmp_path / "tau2019")
    data = load("tau2019", root=root)
    assert data.class_names == SCENES and len(data) == 60
    assert len(data.split("train")) == 40 and len(data.split("test")) == 20
    assert {c.group for c in data.split("test")} == {"helsinki"}
    assert data.clips[0].path.name == "airport-barcelona-0-0-a.wav"
    small = write_tau_fixture(
        tmp_path / "small",
        scenes=["bus", "park"],
        cities=["lisbon", "paris"],
        segments=1,
        test_cities=["paris"],
        seconds=0.5,
        sample_rate=16000,
        channels=2,
        subtype="PCM_24",
    )
    data = load("tau2019", root=small)
    assert len(data) == 4 and [c.label_name for c in data.split("test")] == ["bus", "park"]
    import soundfile as sf

    info = sf.info(data.clips[0].path)
    assert (info.samplerate, info.channels, info.frames) == (16000, 2, 8000)
    assert info.subtype == "PCM_24"
    with pytest.raises(ValueError, match="unknown TAU 2019 scenes"):
        write_tau_fixture(tmp_path / "bad", scenes=["beach"])
    with pytest.raises(ValueError, match="test cities"):
        write_tau_fixture(tmp_path / "bad", test_cities=["oslo"])


def test_history_frame_is_a_dataframe():
    assert isinstance(history_frame(HISTORY), pd.DataFrame)


def test_kl_y_decomposition_adds_up():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4) * 0.3, size=50)
    parts = kl_y_decomposition(probs)
    assert parts["mean_kl"] == pytest.approx(parts["mutual_information"] + parts["marginal_kl"])
    # Every clip one-hot on the same cluster: no information, all marginal (log K).
    collapsed = kl_y_decomposition(np.tile([1.0, 0.0, 0.0, 0.0], (10, 1)))
    assert collapsed["marginal_kl"] == pytest.approx(math.log(4))
    assert collapsed["mutual_information"] == pytest.approx(0.0, abs=1e-9)
    # Confident and balanced: all information, no marginal part.
    balanced = kl_y_decomposition(np.eye(4).repeat(3, axis=0))
    assert balanced["mutual_information"] == pytest.approx(math.log(4))
    assert balanced["marginal_kl"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError):
        kl_y_decomposition(np.ones(3))


def test_stored_tau_sweeps_pick_the_longest_profile_with_a_sweep():
    def tau_run(tau, seed, profile="cpu", epochs=10):
        record = _record("catuvac", seed, 0.3, 0.5, profile=profile, epochs=epochs)
        record["spec"]["tau_end"] = tau
        return record

    runs = [tau_run(t, s) for t in (1.0, 0.5, 0.1) for s in (0, 1)]
    runs += [tau_run(0.5, 0, "paper", 500), _record("kmeans", 0, 0.2, 0.1)]
    profile, sweeps = stored_tau_sweeps(runs)
    assert profile == "cpu"  # "paper" has one temperature only: no sweep
    assert list(sweeps) == [("fsdd", 10)]
    own = sweeps[("fsdd", 10)]["own"]
    assert sorted(own["tau_end"]) == [0.1, 0.5, 1.0] and set(own["seeds"]) == {2}
    assert set(sweeps[("fsdd", 10)]) == {"own", "common"}
    assert stored_tau_sweeps(runs[-2:]) == (None, {})


def test_cluster_use_table_counts_used_clusters_of_trained_runs_only():
    table = cluster_use_table(RECORDS)
    assert set(table["method"]) == {"Cat. UVAC"}  # K-means and labels train nothing
    first = table.iloc[0]
    assert (first["clusters"], first["clusters_used"], first["largest_share"]) == (10, 2, 0.5)
    assert cluster_use_table(RECORDS[:2]).empty


def test_label_and_group_nmi_tells_speaker_clusters_from_digit_clusters(
    offline_data, monkeypatch, tmp_path
):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    dataset = load("fsdd")
    clips = dataset.subset("test", 64, seed=SUBSET_SEED)
    speakers = sorted({c.group for c in clips})
    by_speaker = np.array([speakers.index(c.group) for c in clips])
    np.savez(tmp_path / "run.npz", clusters=by_speaker)
    record = {
        "path": str(tmp_path / "run.json"),
        "spec": {"dataset": "fsdd", "method": "catuvac", "seed": 3},
        "profile": {"name": "smoke", "max_test_clips": 64},
        "data_subset": {"test_files_sha256": files_digest([c.path for c in clips], dataset.root)},
    }
    row = label_and_group_nmi([record]).iloc[0]
    assert row["nmi_groups"] == pytest.approx(1.0)  # clusters are exactly the speakers
    assert row["nmi_labels"] < 0.5
    assert (row["method"], row["seed"], row["speaker_norm"]) == ("Cat. UVAC", 3, False)


def test_speaker_experiment_sets_each_feature_setting_apart(offline_data, monkeypatch, tmp_path):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    dataset = load("fsdd")
    clips = dataset.subset("test", 64, seed=SUBSET_SEED)
    speakers = sorted({c.group for c in clips})
    records = []
    for normalised, clusters in (
        (False, [speakers.index(c.group) for c in clips]),  # the voices
        (True, [c.label for c in clips]),  # the digits
    ):
        name = f"run-{normalised}"
        np.savez(tmp_path / f"{name}.npz", clusters=np.array(clusters))
        records.append(
            {
                "path": str(tmp_path / f"{name}.json"),
                "spec": {"dataset": "fsdd", "method": "kmeans", "seed": 0},
                "profile": {"name": "smoke", "max_test_clips": 64},
                "data_subset": {
                    "test_files_sha256": files_digest([c.path for c in clips], dataset.root)
                },
                "metrics": {"accuracy": 1.0 if normalised else 0.2},
                "cluster_sizes": np.bincount(clusters, minlength=10).tolist(),
            }
        )
    records[1]["spec"]["speaker_norm"] = True
    numbers = speaker_experiment(records)
    assert list(numbers["accuracy (%)"]) == [20.0, 100.0]
    assert list(numbers["NMI with speakers std"]) == [0.0, 0.0]
    table = format_speaker_experiment(numbers)
    assert list(table["features"]) == ["as extracted", "per-speaker normalised"]
    assert list(table["NMI with speakers"])[0] == "1.00"
    assert list(table["NMI with digits"])[1] == "1.00"
    assert list(table["accuracy (%)"]) == ["20.00", "100.00"]
    assert table["clusters used"].iloc[1] == str(len({c.label for c in clips}))
    (line,) = speaker_norm_changes(numbers, {"fsdd": "FSDD"}, ["K-means"]).splitlines()
    assert line.startswith("**FSDD**, K-means, per-speaker normalisation: NMI with the speakers")
    assert line.endswith("accuracy (%) rises from 20.00 to 100.00.")


def test_profiles_are_ordered_by_their_training_epochs():
    assert profiles_by_epochs(RECORDS) == ["smoke", "cpu"]  # 2 epochs, then 30
    assert largest_profile(RECORDS) == "cpu"
    assert profiles_by_epochs([]) == [] and largest_profile([]) is None


def test_speaker_experiment_runs_meet_at_the_lambda_of_the_normalised_runs():
    trained_at = 1000.0  # not the default: the lambda the per-speaker runs name
    plain = _record("catuvac", 0, 0.5, 0.9, profile="cpu", lam=trained_at)
    normalised = _record("catuvac", 0, 0.5, 0.9, profile="cpu", lam=trained_at, spk=True)
    for run in (plain, normalised):
        run["spec"]["lambda_weight"] = trained_at
    unweighted = _record("catuvac", 0, 0.5, 0.9, profile="cpu")
    marginal = _record("catuvac", 1, 0.5, 0.9, profile="cpu", lam=trained_at)
    marginal["spec"]["marginal_weight"] = 100.0
    kmeans = _record("kmeans", 0, 0.2, 0.1, profile="cpu", spk=True)
    records = [plain, normalised, unweighted, marginal, kmeans, *RECORDS]
    runs = speaker_experiment_runs(records, ("fsdd",), "cpu")
    assert [id(r) for r in runs] == [id(plain), id(normalised), id(kmeans)]
    assert speaker_experiment_runs(records, ("arabic-digits",), "cpu") == []
