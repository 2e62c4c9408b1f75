"""The verdict box: the paper's claims beside ours, marked and explained from stored runs."""

from pathlib import Path

import numpy as np
import pytest

from catuvac.records.reports.verdict import (
    settings_note,
    silhouette_of_collapse,
    verdict_markdown,
    verdict_table,
)
from catuvac.records.store.results import Result, load_results, save_result
from catuvac.training.lambdas import DEFAULT_LAMBDA


def stored(
    root: Path,
    method: str,
    seed: int,
    accuracy: float,
    silhouette: float,
    sizes: list[int],
    lambda_weight: float | None = None,
    largest: float = 0.9,
) -> None:
    """One stored FSDD run at the cpu profile; ``largest`` sets how sharp its q(y|x) is."""
    trained = method in ("uvac", "catuvac")
    weight = 1.0 if lambda_weight is None else lambda_weight
    spec = {"dataset": "fsdd", "method": method, "n_clusters": 10, "seed": seed}
    spec |= {"profile": "cpu", "tau_end": 0.5, "lambda_weight": lambda_weight}
    probs = np.full((20, 10), (1 - largest) / 9)
    probs[:, 0] = largest
    record = {
        "spec": spec,
        "n_classes": 10,
        "profile": {"name": "cpu", "epochs": 10},
        "epochs": 10 if trained else None,
        "model_config": {"lambda_weight": weight, "lambda_placement": "kl_y"} if trained else None,
        "data_subset": {"train_clips": 2700, "test_clips": 300},
        "environment": {"device": "cpu"},
        "cluster_sizes": sizes,
        "metrics": {
            "accuracy": accuracy,
            "nmi": 0.1,
            "own": {"silhouette": silhouette, "davies_bouldin": 1.0, "calinski_harabasz": 9.0},
            "common": {"silhouette": 0.1, "davies_bouldin": 2.0, "calinski_harabasz": 5.0},
        },
        "arrays": {"clusters": np.zeros(20, dtype=int), "cluster_probs": probs},
    }
    name = f"{method}-{weight:g}-seed{seed}.json"
    save_result(record, root / "cpu" / "fsdd" / "k10" / name)


@pytest.fixture
def former_default(monkeypatch):
    """FSDD's default lambda as the rule chose it before it asked for information."""
    monkeypatch.setitem(DEFAULT_LAMBDA, ("fsdd", 10), 1000.0)


def test_claims_are_marked_and_each_miss_says_why(tmp_path: Path, former_default) -> None:
    spread = [30] * 10
    for seed in (0, 1):
        stored(tmp_path, "kmeans", seed, 0.19, 0.2, spread)  # paper: 18.40 %
        stored(tmp_path, "uvac", seed, 0.10, 0.5, [300] + [0] * 9)  # collapsed
        stored(tmp_path, "catuvac", seed, 0.75, 0.95, spread, largest=0.99)  # lambda = 1
        stored(tmp_path, "catuvac", seed, 0.20, 0.02, spread, lambda_weight=1000.0, largest=0.1)
    records = load_results(tmp_path)
    table = verdict_table(records, "fsdd").replace("\u00a0", " ", regex=True)
    table = table.set_index(["method", "claim"])

    cat = table.loc[("Cat. UVAC", "accuracy (%), K = 10")]
    assert cat["paper"] == "76.3"
    assert cat["λ = 1"] == "75.0 ± 0.0 ✓"
    assert cat["chosen λ"] == "20.0 ± 0.0 ✗"
    assert "nearly uniform" in cat["why ours differ"]
    assert table.loc[("Cat. UVAC", "silhouette, K = 10")]["λ = 1"] == "0.95 ± 0.00 ✓"

    uvac = table.loc[("UVAC", "accuracy (%), K = 10")]
    assert "collapse on 2 of 2 seeds (1 / 1 of 10 clusters used)" in uvac["why ours differ"]

    kmeans = table.loc[("K-means", "accuracy (%), K = 10")]
    assert kmeans["λ = 1"] == "19.0 ± 0.0 ✓"
    assert kmeans["chosen λ"] == "same runs"  # K-means has no lambda: shown once
    assert kmeans["why ours differ"] == ""


def test_the_box_names_the_paper_dataset_and_a_missing_one(tmp_path: Path) -> None:
    stored(tmp_path, "kmeans", 0, 0.19, 0.2, [30] * 10)
    text = verdict_markdown(load_results(tmp_path), ["fsdd", "tau2019"], methods=["kmeans"])
    assert text.startswith(":::{admonition} What reproduces and what does not")
    assert text.endswith(":::")
    assert "**FSDD** (the paper's AudioMNIST)" in text
    assert "**TAU 2019**: no stored run yet." in text
    assert "Of the 1 claim we have runs for, 1 reproduces" in text  # K-means, FSDD
    assert "no stored run" in text.split("**TAU 2019**")[1]
    assert "UVAC" not in text.replace("Cat. UVAC", "")  # methods filter keeps K-means only
    assert "the paper's λ was not run" in text  # its values could not be recovered


def test_a_silhouette_miss_over_seeds_that_differ_is_explained_seed_by_seed(tmp_path: Path):
    # Seed 0 nearly collapsed (70% of the clips in one cluster, silhouette 0.95), seed 1
    # nearly uniform (0.05): their mean, 0.50, misses the paper's 0.97, and neither "not
    # near one-hot" nor "nearly uniform" for the pair would be true of both.
    stored(tmp_path, "catuvac", 0, 0.3, 0.95, [210] + [10] * 9, largest=0.99)
    stored(tmp_path, "catuvac", 1, 0.2, 0.05, [30] * 10, largest=0.1)
    table = verdict_table(load_results(tmp_path), "fsdd").set_index("claim")
    why = table.loc["silhouette, K = 10", "why ours differ"]
    assert why.startswith("λ = 1: silhouette by seed: ")
    assert "seed 0: 0.95, one cluster holds 70%" in why
    assert "seed 1: 0.05, $q(y \\mid x)$ nearly uniform" in why
    assert "not near one-hot" not in why


def test_seeds_in_one_state_share_one_reason(tmp_path: Path, former_default):
    for seed in (0, 1):
        stored(tmp_path, "catuvac", seed, 0.3, 0.6, [30] * 10, largest=0.7)
    why = verdict_table(load_results(tmp_path), "fsdd").set_index("claim")
    why = why.loc["silhouette, K = 10", "why ours differ"]
    assert why == "λ = 1: $q(y \\mid x)$ not near one-hot (mean max 0.70)"


def test_a_chosen_lambda_of_one_shows_the_elbo_weights_runs_once(tmp_path: Path) -> None:
    # Where no lambda passes the rule the default is 1: the chosen-λ column holds the λ = 1
    # column's runs, and says so instead of repeating their values and reasons.
    assert DEFAULT_LAMBDA[("fsdd", 10)] == 1.0
    for seed in (0, 1):
        stored(tmp_path, "catuvac", seed, 0.3, 0.6, [30] * 10, largest=0.7)
    records = load_results(tmp_path)
    table = verdict_table(records, "fsdd", methods=["catuvac"]).set_index("claim")
    assert list(table["chosen λ"]) == ["same runs", "same runs"]
    assert table.loc["silhouette, K = 10", "λ = 1"].endswith("✗")
    assert "chosen λ:" not in table.loc["silhouette, K = 10", "why ours differ"]
    note = settings_note(records, "fsdd")
    assert note.endswith("; at the chosen λ (1 at K = 10), the same runs")


def test_a_value_and_its_mark_stay_on_one_line(tmp_path: Path) -> None:
    for seed in (0, 1):
        stored(tmp_path, "kmeans", seed, 0.19 + 0.01 * seed, 0.2, [30] * 10)
    cell = verdict_table(load_results(tmp_path), "fsdd")["λ = 1"].iloc[-1]
    assert cell == "19.5\u00a0±\u00a00.5\u00a0✓"  # no-break spaces: one line in the box


def test_silhouette_of_a_collapsed_run_is_read_with_its_cluster_sizes():
    def run(sizes):
        spec = {"dataset": "us8k", "method": "catuvac", "n_clusters": 5, "seed": 0}
        record = {"spec": spec, "profile": {"name": "cpu"}, "cluster_sizes": sizes}
        return Result({**record, "metrics": {"own": {"silhouette": 0.9412}}})

    collapsed = silhouette_of_collapse(run([769, 20, 20, 20, 8]))
    assert collapsed.startswith("The Cat. UVAC run shown at K = 5 (seed 0) puts 769 of its 837")
    assert "silhouette is 0.94." in collapsed and "nearly collapsed" in collapsed
    assert "nearly collapsed" not in silhouette_of_collapse(run([200, 170, 160, 160, 147]))
