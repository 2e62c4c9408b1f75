"""A budget is stored once, with its provenance, and read back as the table it was."""

import math

import pytest

from catuvac.experiments.budget_study import (
    budget_name,
    budget_of,
    budget_record,
    budget_table,
    load_budgets,
    save_budget,
)
from catuvac.experiments.profiles import PROFILES


def test_budget_is_stored_with_provenance_and_never_overwritten(tmp_path, offline_data):
    record = budget_record("fsdd", PROFILES["smoke"], normaliser="percentile", latent_dim=4)
    path = save_budget(record, tmp_path)
    assert path == tmp_path / "budget" / "smoke" / "fsdd-normpercentile.json"
    (stored,) = load_budgets(tmp_path)
    assert stored["git"]["commit"] and stored["data_subset"]["train_clips"] == 96
    table = budget_table(stored)
    assert list(table.index)[3] == "PCA, 4 components"
    assert stored["summary"]["budget"] == pytest.approx(
        table.loc["mean predictor", "bce"] - table.loc["floor (the targets)", "bce"]
    )
    with pytest.raises(FileExistsError, match="move it away"):
        save_budget(record, tmp_path)
    assert budget_name("arabic-digits", True, "minmax") == "arabic-digits-spknorm"


def test_budget_names_and_finds_its_feature_pipeline():
    assert budget_name("fsdd", False, "percentile", "word-mfcc32-cmvn") == (
        "fsdd-normpercentile-word-mfcc32-cmvn"
    )
    paper = {"dataset": "fsdd", "normaliser": "percentile", "speaker_norm": False}
    paper["summary"] = {"budget": 40.0}
    aligned = {**paper, "features": "word-mfcc32-cmvn", "summary": {"budget": 80.0}}
    budgets = [paper, aligned]
    assert budget_of(budgets, "fsdd", "percentile") == 40.0
    assert budget_of(budgets, "fsdd", "percentile", features="word-mfcc32-cmvn") == 80.0
    assert math.isnan(budget_of(budgets, "fsdd", "percentile", features="word-logmel32"))
