"""A budget is stored once, with its provenance, and read back as the table it was."""

import pytest

from catuvac.experiments.budget_study import (
    budget_name,
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
