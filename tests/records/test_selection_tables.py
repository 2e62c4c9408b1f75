"""The chapter beyond the paper reads its tables from stored runs: written here by the
library at the smoke profile, one epoch, so that every reader runs on real records."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from catuvac.cli import main
from catuvac.evaluation.selection import neighbour_agreement
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import PROFILES
from catuvac.experiments.reproduce import run
from catuvac.records.reports.latents import latent_sentence, latent_summary, latent_table
from catuvac.records.reports.selection_tables import (
    SELECTION_ROWS,
    chosen_runs,
    chosen_settings,
    comparison_table,
    format_comparison,
    label_free_pick,
    selection_runs,
    selection_table,
    selection_view,
    settings_legend,
    table_one_rows,
)
from catuvac.records.reports.setting_names import NOT_USED, objective_name, setting_name
from catuvac.records.reports.table import with_rows
from catuvac.records.reports.targets import seed_checks, targets_sentences, targets_table
from catuvac.records.store.neighbour_graphs import (
    graph_of,
    label_free_quantities,
    result_neighbour_agreement,
)
from catuvac.records.store.results import Result, load_results, save_result
from catuvac.training.run_spec import RunSpec

PROFILE = dataclasses.replace(PROFILES["long"], max_train_clips=48, max_test_clips=32, epochs=1)


@pytest.fixture(scope="module")
def stored(tmp_path_factory, offline_data):
    """Two seeds of the paper's objective under BCE and the calibrated Gaussian, and of two
    objectives on q(y|x), trained for one epoch on FSDD clips and stored."""
    root = tmp_path_factory.mktemp("results")
    runs = tmp_path_factory.mktemp("runs")
    data = {
        scaling: prepare_data("fsdd", PROFILE, progress=False, scaling=scaling)
        for scaling in ("minmax", "percentile")
    }
    ours = {"lambda_weight": 1.0, "marginal_weight": 10.0, "normaliser": "percentile"}
    settings = [
        {},
        {"likelihood": "gaussian-optimal"},
        {**ours, "entropy_weight": 1.0},
        {**ours, "entropy_weight": 1.0, "consistency_weight": 1.0},
    ]
    for options in settings:
        for seed in (0, 1):
            spec = RunSpec("fsdd", "catuvac", 10, seed, "long", **options)
            prepared = data[spec.normaliser]
            record = run(spec, prepared, prepared.common_space(), progress=False, runs_root=runs)
            save_result(record, spec.result_path(root))
    return load_results(root)


def test_latent_tables_compare_the_likelihoods_seed_by_seed(stored):
    table = latent_table(stored)
    assert sorted(table["likelihood"].unique()) == ["BCE (the paper's)", "Gaussian, optimal σ"]
    assert len(table) == 4 and (table["active units of z"] <= 10).all()
    summary = latent_summary(table)
    assert list(summary["seeds"]) == [2, 2]
    assert summary["seeds where the VAE beats PCA"].str.endswith("of 2").all()
    sentence = latent_sentence(table)
    assert "fsdd, BCE (the paper's): KL_z" in sentence
    means = table.groupby("likelihood")["KL_z (nats)"].mean()
    ratio = means["Gaussian, optimal σ"] / means["BCE (the paper's)"]
    assert f"KL_z is the BCE's {ratio:.1f} times on fsdd (Gaussian, optimal σ)." in sentence


def test_selection_ranks_the_objectives_without_reading_labels(stored):
    runs = selection_runs(stored)
    assert len(runs) == 4 and runs["setting"].nunique() == 2
    ranked = selection_table(runs)
    assert list(ranked["rank"]) == [1, 2] and (ranked["seeds"] == 2).all()
    shuffled = runs.assign(**{f"accuracy {NOT_USED}": runs[f"accuracy {NOT_USED}"][::-1].values})
    assert list(selection_table(shuffled)["setting"]) == list(ranked["setting"])
    (setting,) = chosen_settings(ranked).values()
    assert setting == ranked["setting"].iloc[0]
    view = selection_view(ranked)
    assert view.shape == (len(SELECTION_ROWS), 2) and view.loc["seeds"].tolist() == ["2", "2"]
    assert settings_legend(ranked).count("\n- ") == 1
    pick = label_free_pick(stored, ranked)
    assert setting_name(pick) == setting
    chosen = chosen_runs(stored, "fsdd", 10)
    assert [r.seed for r in chosen] == [0, 1] and {setting_name(r) for r in chosen} == {setting}
    assert chosen_runs(stored, "fsdd", 5) == [] and chosen_runs([], "fsdd", 10) == []
    other = label_free_pick(stored, ranked, dataset="fsdd", usable=lambda r: r is not pick)
    assert other.seed != pick.seed and setting_name(other) == setting
    with pytest.raises(ValueError, match="no stored run"):
        label_free_pick(stored, ranked, usable=lambda r: False)
    table = comparison_table(stored, ranked)
    assert list(table["method"].unique()) == ["Cat. UVAC, ours"]  # no cpu runs stored here
    assert list(format_comparison(table)["features"]) == ["as extracted"]


def test_neighbour_agreement_is_read_from_a_graph_of_the_same_clips(stored, tmp_path, caplog):
    assert selection_runs(stored)["neighbour_agreement"].isna().all()  # no graph mined
    result = next(r for r in stored if r.method == "catuvac")
    clusters = result.arrays()["train_clusters"]
    graph = graph_of(result)
    graph.parent.mkdir(exist_ok=True)
    clips = result["data_subset"]["train_files_sha256"]
    order = np.argsort(clusters, kind="stable")
    following = np.stack([np.roll(order, -s) for s in (1, 2)], axis=1)[np.argsort(order)]
    try:
        np.savez(graph, neighbours=following, train_files_sha256=np.array(clips))
        expected = neighbour_agreement(following, clusters)
        assert result_neighbour_agreement(result) == pytest.approx(expected)
        assert label_free_quantities(result)["neighbour_agreement"] == pytest.approx(expected)
        np.savez(graph, neighbours=following, train_files_sha256=np.array("other clips"))
        assert math.isnan(result_neighbour_agreement(result))
        graph.write_bytes(b"cut")
        assert math.isnan(result_neighbour_agreement(result))
        assert "remine it with `catuvac neighbours`" in caplog.text
    finally:
        graph.unlink()


def test_table_one_gains_one_named_row_for_the_chosen_setting(stored):
    ranked = selection_table(selection_runs(stored))
    rows = table_one_rows(stored, ranked)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["method"] == "Cat. UVAC, ours" and row["clusters used"].count("/") == 1
    assert "long, 1 ep, 2 seeds" in row["source"] and "λ = 1, balance 10" in row["source"]
    table = pd.DataFrame(
        [
            {"dataset": "fsdd", "clusters": 10, "method": "K-means"},
            {"dataset": "us8k", "clusters": 10, "method": "K-means"},
        ]
    )
    placed = with_rows(table, rows[["dataset", "clusters", "method"]])
    assert list(placed["method"]) == ["K-means", "Cat. UVAC, ours", "K-means"]


def test_targets_are_checked_on_every_seed_of_the_chosen_setting(stored):
    ranked = selection_table(selection_runs(stored))
    table = targets_table(stored, ranked)
    assert set(table["dataset"]) == {"fsdd"} and (table["seeds"] == 2).all()
    assert table["target"].iloc[0] == "test accuracy at least 50%"  # no K-means stored here
    assert table["target"].str.contains("mean max q").any()
    assert table["met on every seed"].str.match(r"^(yes|no \(\d of 2\))$").all()
    words = targets_sentences(table)
    assert words.startswith("- **fsdd, K = 10** (2 seeds): met") and words.count("\n- ") == 0
    (setting,) = chosen_settings(ranked).values()
    for chosen in (r for r in stored if setting_name(r) == setting):
        checks = seed_checks(chosen)
        assert 0 <= checks["largest share"] <= 1 and 1 <= checks["clusters used"] <= 10
        assert 0.1 <= checks["mean max q"] <= 1


def test_the_selection_command_prints_the_ranking_rows_and_targets(stored, capsys):
    root = stored[0].path.parents[3]
    assert main(["selection", "--results-root", str(root)]) == 0
    printed = capsys.readouterr().out
    assert "fsdd (K = 10), rank 1" in printed and "Cat. UVAC, ours" in printed
    assert "test accuracy at least 50%" in printed
    assert main(["selection", "--results-root", str(root), "--profile", "cpu"]) == 0
    assert capsys.readouterr().out.startswith("no runs with an objective")


def test_a_capacity_objective_names_its_target():
    spec = {"dataset": "fsdd", "method": "catuvac", "n_clusters": 10, "seed": 0}
    options = {"lambda_weight": 1.0, "capacity_nats": 2.07, "capacity_weight": 100.0}
    config = {"lambda_weight": 1.0, "lambda_placement": "kl_y"}
    record = {"spec": {**spec, **options}, "metrics": {}, "model_config": config}
    name = objective_name(Result(record))
    assert "capacity 2.07 nats at weight 100" in name
