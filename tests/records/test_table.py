"""Table I assembly: the paper's values as published, ours aggregated over seeds beside them."""

import math

import matplotlib
import pytest

matplotlib.use("Agg")

from catuvac.book.plots.results import plot_metrics_vs_tau, plot_ours_vs_paper
from catuvac.records.reports.seed_tables import mean_text, seed_table
from catuvac.records.reports.table import (
    PAPER_TABLE,
    differences,
    paper_frame,
    run_scale,
    side_by_side,
    table_one_by_profile,
)
from catuvac.records.store.results import device_label
from catuvac.training.lambdas import DEFAULT_LAMBDA, default_lambda


def record(method: str, seed: int, accuracy: float, silhouette: float, tau: float = 0.5) -> dict:
    trained = method in ("uvac", "catuvac")
    return {
        "spec": {
            "dataset": "fsdd",
            "method": method,
            "n_clusters": 10,
            "seed": seed,
            "profile": "cpu",
            "tau_end": tau,
        },
        "n_classes": 10,
        "profile": {"name": "cpu", "epochs": 10},
        "epochs": 10 if trained else None,
        "model_config": {"lambda_weight": 1.0, "lambda_placement": "kl_y"} if trained else None,
        "data_subset": {"train_clips": 2700, "test_clips": 300},
        "environment": {"device": "cpu"},
        "cluster_sizes": [30] * 10 if seed == 0 else [150, 150] + [0] * 8,
        "metrics": {
            "accuracy": accuracy,
            "nmi": 0.5,
            "own": {"silhouette": silhouette, "davies_bouldin": 1.0, "calinski_harabasz": 10.0},
            "common": {"silhouette": 0.1, "davies_bouldin": 2.0, "calinski_harabasz": 5.0},
        },
    }


RECORDS = [
    record("kmeans", 0, 0.20, 0.10),
    record("kmeans", 1, 0.30, 0.20),
    record("catuvac", 0, 0.50, 0.90),
    record("catuvac", 0, 0.10, 0.99, tau=0.1),  # a temperature-study run: not Table I
]


def test_paper_table_holds_every_published_row():
    assert len(PAPER_TABLE) == 18
    assert PAPER_TABLE[("audiomnist", 10, "catuvac")] == (76.30, 0.78, 0.97, 0.07, 40.14)
    assert paper_frame().shape == (18, 8)


def test_side_by_side_aggregates_seeds_and_interleaves_the_paper():
    table = side_by_side(RECORDS, space="own", profile="cpu")
    assert list(table["method"]) == ["K-means", "K-means", "Cat. UVAC", "Cat. UVAC"]
    ours = table.iloc[0]
    assert ours["Accuracy (%)"] == "25.00 ± 5.00"
    assert ours["Silhouette"] == "0.15 ± 0.05"
    assert ours["CHI"] == "10.00 ± 0.00"  # below 100: two decimals
    assert ours["source"] == "ours (cpu, 2 seeds, CPU)"  # K-means: no lambda
    assert ours["clusters used"] == "10 / 2"  # seed by seed: a collapse stays visible
    assert table.iloc[1]["source"] == "paper (audiomnist)"  # K-means trains no epochs
    assert table.iloc[3]["source"] == "paper (audiomnist, 500 ep)"
    assert table.iloc[2]["source"] == "ours (cpu, 10 ep, 1 seed, CPU, λ = 1)"


def test_run_scale_says_what_each_row_was_computed_on():
    scale = run_scale(RECORDS, profile="cpu")
    assert scale.iloc[0][["train_clips", "test_clips", "seeds", "device"]].tolist() == [
        2700,
        300,
        2,
        "CPU",
    ]


def test_device_label_names_both_devices_of_a_mixed_setting():
    assert device_label("cuda") == "GPU"
    assert device_label("cpu+cuda") == "CPU+GPU"


def test_differences_are_ours_minus_the_paper():
    table = differences(RECORDS, space="own", profile="cpu")
    kmeans = table[table["method"] == "K-means"].iloc[0]
    assert kmeans["Accuracy (%)"] == f"{25.0 - 18.40:+.2f}"
    catuvac = table[table["method"] == "Cat. UVAC"].iloc[0]
    assert catuvac["Silhouette"] == f"{0.90 - 0.97:+.2f}"


def test_metrics_vs_tau_draws_one_panel_per_metric():
    runs = [r for r in RECORDS if r["spec"]["method"] == "catuvac"]
    frames = {space: seed_table(runs, space) for space in ("own", "common")}
    figure = plot_metrics_vs_tau(frames, "toy")
    assert len(figure.axes) == 5
    silhouette_lines = figure.axes[2].lines
    assert len(silhouette_lines) >= 2
    assert not math.isnan(float(silhouette_lines[0].get_ydata()[0]))


def test_ours_vs_paper_draws_the_paper_and_each_profile_per_metric():
    figure = plot_ours_vs_paper(
        table_one_by_profile(RECORDS, ["cpu"]), metrics=("accuracy", "silhouette")
    )
    assert len(figure.axes) == 2
    accuracy = figure.axes[0]
    paper_bar, kmeans_bar = accuracy.patches[:2]
    assert paper_bar.get_height() == pytest.approx(18.40)  # K-means, AudioMNIST
    assert kmeans_bar.get_height() == pytest.approx(25.0)  # mean of our two seeds, in %
    legend = [text.get_text() for text in figure.legends[0].get_texts()]  # below the panels
    assert legend[0] == "paper" and "cpu, λ = 1 (10 ep, CPU)" in legend[1]
    assert legend[-1] == "ours, cpu (no training, CPU)"  # K-means: no lambda in its name


def at_lambda(base: dict, weight: float) -> dict:
    """``base`` trained at ``weight``, named as the lambda study names it."""
    chosen = {**base, "model_config": {"lambda_weight": weight, "lambda_placement": "kl_y"}}
    return {**chosen, "spec": {**base["spec"], "lambda_weight": weight}}


def test_a_vae_shows_one_row_per_lambda_and_the_paper_once(monkeypatch):
    monkeypatch.setitem(DEFAULT_LAMBDA, ("fsdd", 10), 1000.0)  # a chosen lambda above 1
    chosen = at_lambda(record("catuvac", 0, 0.30, 0.05), default_lambda("fsdd", 10))
    other = at_lambda(record("catuvac", 1, 0.30, 0.05), 10.0)  # a study run: left out
    table = side_by_side([*RECORDS, chosen, other], space="own", profile="cpu")
    catuvac = table[table["method"] == "Cat. UVAC"]
    ends = ["λ = 1)", f"λ = {default_lambda('fsdd', 10):g})", "(audiomnist, 500 ep)"]
    assert all(text.endswith(end) for text, end in zip(catuvac["source"], ends, strict=True))
    assert list(catuvac["source"].str.startswith("paper")) == [False, False, True]
    figure = plot_ours_vs_paper(table_one_by_profile([*RECORDS, chosen], ["cpu"]))
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend[1].startswith("ours, cpu, λ = 1 (") and "λ = 1000" in legend[2]
    kmeans_bars = [bar for bar in figure.axes[0].patches if bar.get_x() < 0.5]
    assert len(kmeans_bars) == 2  # the paper's and ours once, not once per lambda series


def test_a_chosen_lambda_of_one_adds_no_row_and_counts_a_seed_once():
    # The default is the ELBO's weight: the study's named run at lambda = 1 on a seed that
    # has an unnamed run joins the lambda = 1 row without counting that seed twice.
    assert default_lambda("fsdd", 10) == 1.0
    study_at_one = at_lambda(record("catuvac", 0, 0.99, 0.99), 1.0)
    table = side_by_side([*RECORDS, study_at_one], space="own", profile="cpu")
    ours = table[(table["method"] == "Cat. UVAC") & ~table["source"].str.startswith("paper")]
    assert list(ours["source"].str.endswith("λ = 1)")) == [True]
    alone = side_by_side(RECORDS, space="own", profile="cpu")
    assert ours.equals(
        alone[(alone["method"] == "Cat. UVAC") & ~alone["source"].str.startswith("paper")]
    )


def test_a_large_calinski_harabasz_index_is_shown_without_decimals():
    from catuvac.records.reports.seed_tables import format_seed_table

    runs = [record("kmeans", seed, 0.2, 0.1) for seed in (0, 1)]
    for run, chi in zip(runs, (1000.4, 2000.6), strict=True):
        run["metrics"]["own"]["calinski_harabasz"] = chi
    shown = format_seed_table(seed_table(runs))
    assert shown.loc[0, "calinski_harabasz"] == "1500 ± 500"  # was 1500.50 ± 500.10
    assert shown.loc[0, "silhouette"] == "0.10 ± 0.00"


def test_huge_means_are_printed_short_so_tables_fit_the_page():
    assert mean_text(5013294.2, 7028932.1, 3, 3, 0) == "5.0e6 ± 7.0e6"
    assert mean_text(4489.1, 1277.3, 3, 3, 0) == "4489 ± 1277"
    assert mean_text(2.04e6, 0.0, 1, 3, 0) == "2.0e6 (1 of 3 seeds)"
