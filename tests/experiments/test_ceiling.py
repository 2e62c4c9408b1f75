"""The supervised ceiling: a diagnostic record apart from the runs, never a result."""

import json

import pytest

from catuvac.errors import ResultExistsError
from catuvac.experiments.ceiling import ceiling_path, save_ceiling, supervised_ceiling
from catuvac.experiments.profiles import Profile
from catuvac.records.reports.ceilings import ceiling_sentence, load_ceilings
from catuvac.records.store.results import load_results
from catuvac.training.run_spec import RunSpec

SMALL = Profile("small", 40, 20, epochs=3, batch_size=8, checkpoint_every=1)


def test_the_ceiling_learns_the_training_labels_and_stays_out_of_the_results(
    offline_data, tmp_path, monkeypatch
):
    monkeypatch.setenv("CATUVAC_CACHE", str(tmp_path / "cache"))
    spec = RunSpec("fsdd", "catuvac", 10, 0, SMALL.name, features="word-logmel32")
    record = supervised_ceiling(spec, SMALL)
    assert len(record["cross_entropy"]) == 3
    assert record["cross_entropy"][-1] < record["cross_entropy"][0]
    assert 0.0 <= record["test_accuracy"] <= 1.0
    assert record["data_subset"]["train_clips"] == 40
    path = ceiling_path(spec, tmp_path / "results")
    assert path.name == "ceiling-word-logmel32-seed0.json"
    save_ceiling(record, path)
    with pytest.raises(ResultExistsError):
        save_ceiling(record, path)
    (stored,) = load_ceilings(tmp_path / "results")
    assert stored["test_accuracy"] == record["test_accuracy"]
    assert json.loads(path.read_text())["spec"]["features"] == "word-logmel32"
    assert load_results(tmp_path / "results") == []  # a diagnostic, never a run
    sentence = ceiling_sentence([stored], "fsdd", "FSDD")
    assert (
        f"{100 * record['test_accuracy']:.1f} % on word-logmel32; minmax range (1 seed)" in sentence
    )
    assert ceiling_sentence([stored], "arabic-digits", "the Arabic digits") == ""
