"""The word-aligned tables read real records: K-means on the paper's window and on an
aligned pipeline, and a one-epoch Cat. UVAC on the aligned features, all written by the
library on a few FSDD clips."""

import dataclasses

import matplotlib
import numpy as np
import pytest

from catuvac.book.plots.words import plot_word_accuracy
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import PROFILES
from catuvac.experiments.reproduce import run
from catuvac.records.reports.variants import (
    ESTIMATOR_NAMES,
    EXPECTATION_OVER_Y,
    START_OF_Q_Y,
    variant_runs,
    variant_sentence,
    variant_table,
)
from catuvac.records.reports.words import (
    KMEANS_ACCURACY,
    MODEL_ACCURACY,
    REPRESENTATIONS,
    chosen_word_runs,
    kmeans_by_representation,
    paper_window_kmeans,
    seed_by_seed,
    seeds_above_kmeans,
    word_accuracies,
    word_choice_sentence,
    word_selection,
    word_setting,
    word_table,
    word_table_one_rows,
    word_verdict,
)
from catuvac.records.store.results import Result, load_results, save_result
from catuvac.training.run_spec import RunSpec

matplotlib.use("Agg")

SMALL = {"max_train_clips": 48, "max_test_clips": 32, "epochs": 1}


@pytest.fixture(scope="module")
def stored(tmp_path_factory, offline_data):
    """K-means on the paper's window (``cpu`` profile, as the reproduction stores it), and
    K-means and Cat. UVAC on ``word-mfcc32-cmvn`` (``long``), two seeds each."""
    root, runs = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("runs")
    cases = [
        ("cpu", "kmeans", {}),
        ("long", "kmeans", {"features": "word-mfcc32-cmvn", "normaliser": "percentile"}),
        (
            "long",
            "catuvac",
            {"features": "word-mfcc32-cmvn", "normaliser": "percentile", "lambda_weight": 1.0},
        ),
    ]
    for name, method, options in cases:
        profile = dataclasses.replace(PROFILES[name], **SMALL)
        data = prepare_data(
            "fsdd",
            profile,
            progress=False,
            scaling=options.get("normaliser", "minmax"),
            features=options.get("features"),
        )
        for seed in (0, 1):
            spec = RunSpec("fsdd", method, 10, seed, name, **options)
            record = run(spec, data, data.common_space(), progress=False, runs_root=runs)
            save_result(record, spec.result_path(root))
    return load_results(root)


def test_kmeans_table_has_one_row_per_representation_run(stored):
    table = kmeans_by_representation(stored, datasets=["fsdd"])
    assert list(table["representation"]) == [
        REPRESENTATIONS["paper"],
        REPRESENTATIONS["word-mfcc32-cmvn"],
    ]
    assert (table["per-speaker normalised"] == "no").all()
    cells = table["fsdd, accuracy (%)"]
    assert cells.str.contains(" ± ").all()
    accuracy = sorted(100 * r["metrics"]["accuracy"] for r in stored if r.method == "kmeans")
    assert all(0 <= a <= 100 for a in accuracy)


def test_word_table_names_each_setting_beside_kmeans(stored):
    table = word_table(stored, "fsdd")
    assert list(table["method"]) == ["K-means", "Cat. UVAC"]
    assert list(table["seeds"]) == [2, 2]
    assert table["setting"].str.startswith("word-mfcc32-cmvn").all()
    cat = next(r for r in stored if r.method == "catuvac")
    assert word_setting(cat) == ("word-mfcc32-cmvn; λ = 1; BCE (the paper's); percentile range")


def test_table_one_rows_are_ours_and_name_their_pipeline(stored):
    rows = word_table_one_rows(stored, datasets=["fsdd"])
    assert list(rows["method"]) == ["K-means, ours", "Cat. UVAC, ours"]
    assert rows["source"].str.contains("word-mfcc32-cmvn").all()
    assert rows["source"].str.startswith("ours (long").all()


def test_word_accuracies_follow_the_table_rows_seed_by_seed(stored):
    table = word_table(stored, "fsdd")
    accuracies = word_accuracies(stored, "fsdd")
    assert list(accuracies["row"]) == [0, 0, 1, 1]
    assert list(accuracies["method"].drop_duplicates()) == list(table["method"])
    assert list(table["row"]) == [0, 1]
    for row, runs in accuracies.groupby("row"):
        mean = float(table.loc[row, "accuracy (%)"].split(" ± ")[0])
        assert runs["accuracy (%)"].mean() == pytest.approx(mean, abs=0.006)
    window = paper_window_kmeans(stored, "fsdd")
    kmeans = [r for r in stored if r.method == "kmeans" and r.profile_name == "cpu"]
    assert window == pytest.approx(100 * sum(r["metrics"]["accuracy"] for r in kmeans) / 2)


def test_word_accuracy_figure_has_a_bar_per_setting_and_the_window_line(stored):
    fig = plot_word_accuracy(
        {"fsdd": word_accuracies(stored, "fsdd")}, {"fsdd": paper_window_kmeans(stored, "fsdd")}
    )
    (ax,) = fig.axes
    assert len(ax.patches) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0: K-means", "1: Cat. UVAC"]
    assert ax.get_legend().get_texts()[0].get_text() == "K-means, 1 s window"


def test_model_rows_stand_beside_kmeans_on_the_same_input(stored):
    table = word_table(stored, "fsdd").set_index("method")
    assert table.loc["K-means", "K-means, same input (%)"] == ""
    beside = table.loc["Cat. UVAC", "K-means, same input (%)"]
    kmeans = [r for r in stored if r.method == "kmeans" and r.profile_name == "long"]
    mean = 100 * sum(r["metrics"]["accuracy"] for r in kmeans) / 2
    assert beside.startswith(f"{mean:.1f} ± ")
    assert beside.endswith("of 2 seeds)")


def test_verdict_needs_three_seeds_above_kmeans(stored):
    assert word_verdict(stored, "fsdd").startswith("On fsdd, none of the 1 model settings")
    kmeans = [r for r in stored if r.method == "kmeans" and r.profile_name == "long"]
    model = [r for r in stored if r.method == "catuvac"]
    above, paired = seeds_above_kmeans(kmeans, model)
    assert paired == 2 and 0 <= above <= 2


def test_settings_the_name_cannot_tell_apart_are_refused(stored):
    twice = stored + [r for r in stored if r.method == "catuvac"]
    with pytest.raises(ValueError, match="repeat a seed"):
        word_table(twice, "fsdd")


def test_the_word_settings_are_ranked_from_their_training_clips_alone(stored):
    ranked = word_selection(stored, "fsdd")
    assert list(ranked["rank"]) == [1] and ranked["seeds"].iloc[0] == 2
    assert not any("accuracy" in column for column in ranked.attrs["ordered_by"])
    runs = [r for r in stored if r.method == "catuvac"]
    mean = np.mean([100 * r["metrics"]["accuracy"] for r in runs])
    assert ranked["accuracy (%) (not used)"].iloc[0] == pytest.approx(mean)
    assert word_selection([r for r in stored if r.method == "kmeans"], "fsdd").empty


def test_the_choice_sentence_names_the_first_setting_and_its_kmeans(stored):
    sentence = word_choice_sentence(stored, "fsdd")
    assert sentence.startswith("On fsdd the label-free rule ranks first word-mfcc32-cmvn")
    assert "for K-means on the same input, above it on" in sentence and "of 2 seeds" in sentence


def test_the_chosen_runs_stand_beside_kmeans_seed_by_seed(stored):
    ranked, runs, kmeans = chosen_word_runs(stored, "fsdd")
    assert ranked["rank"].iloc[0] == 1 and [r.seed for r in runs] == [0, 1]
    assert {r.method for r in runs} == {"catuvac"} and {r.method for r in kmeans} == {"kmeans"}
    table = seed_by_seed(kmeans, runs)
    assert list(table["seed"]) == [0, 1]
    by_seed = {r.seed: r for r in kmeans}
    for row, model_run in zip(table.itertuples(index=False), runs, strict=True):
        assert row[1] == pytest.approx(100 * model_run["metrics"]["accuracy"])
        assert row[2] == pytest.approx(100 * by_seed[model_run.seed]["metrics"]["accuracy"])
        assert row[4] == pytest.approx(max(model_run.cluster_sizes) / sum(model_run.cluster_sizes))
    above = int((table[MODEL_ACCURACY] > table[KMEANS_ACCURACY]).sum())
    assert seeds_above_kmeans(kmeans, runs) == (above, 2)
    assert seeds_above_kmeans([], runs) == (0, 0)
    assert chosen_word_runs([r for r in stored if r.method == "kmeans"], "fsdd")[1] == []


def test_the_variant_table_finds_the_same_setting_made_each_way(stored):
    _, runs, _ = chosen_word_runs(stored, "fsdd")
    assert variant_runs(stored, runs[0], EXPECTATION_OVER_Y) == {ESTIMATOR_NAMES["gumbel"]: runs}
    table = variant_table(stored, runs, EXPECTATION_OVER_Y)
    assert list(table["expectation over y"]) == [ESTIMATOR_NAMES["gumbel"]]
    assert table["seeds"].iloc[0] == 2
    mean = np.mean([100 * r["metrics"]["accuracy"] for r in runs])
    assert table["test accuracy (%)"].iloc[0].startswith(f"{mean:.1f} ± ")
    minutes = np.mean([r["seconds"] / 60 for r in runs])
    assert table["minutes per run (wall clock)"].iloc[0].startswith(f"{minutes:.1f} ± ")


def _made_another_way(run: Result, accuracy_gain: float, **options) -> Result:
    """``run`` as if stored with ``options`` changed and ``accuracy_gain`` more accuracy."""
    other = Result({**run.record, "spec": {**run.spec, **options}})
    other.record["metrics"] = {
        **run["metrics"],
        "accuracy": run["metrics"]["accuracy"] + accuracy_gain,
    }
    return other


def test_the_variant_sentence_pairs_seeds_run_both_ways(stored):
    _, runs, _ = chosen_word_runs(stored, "fsdd")
    assert variant_sentence(stored, runs, EXPECTATION_OVER_Y) == ""  # no exact run stored
    exact = [_made_another_way(runs[0], 0.05, y_estimator="exact")]
    sentence = variant_sentence(stored + exact, runs, EXPECTATION_OVER_Y)
    assert sentence.startswith("On fsdd, over the 1 seed run both ways, against one Gumbel")
    assert ", the exact sum over the K clusters (M2) changes" in sentence
    assert "by +5.0 to +5.0 points" in sentence and "by +0.000 to +0.000" in sentence
    in_z = [_made_another_way(r, -0.1, pseudo_label_space="z", pseudo_label_after=10) for r in runs]
    groups = variant_runs(stored + in_z + exact, runs[0], START_OF_Q_Y)
    assert list(groups) == [
        "K-means on the input, before the first epoch",
        "K-means on z at epoch 10",
    ]
    assert groups["K-means on z at epoch 10"] == in_z  # the exact run is another setting
    sentence = variant_sentence(stored + in_z, runs, START_OF_Q_Y)
    assert "before the first epoch, K-means on z at epoch 10 changes the test" in sentence
    assert "by -10.0 to -10.0 points" in sentence
