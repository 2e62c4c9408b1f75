"""The default lambdas are the ones the stored lambda study selects, without labels."""

import pytest

from catuvac.defaults import DEFAULT_LAMBDA, default_lambda
from catuvac.errors import UnknownOptionError
from catuvac.lambda_study import marginal_comparison, study_defaults, study_table
from catuvac.results import load_results


def test_defaults_are_what_the_stored_cpu_study_selects():
    selected = study_defaults(study_table(load_results(), profile="cpu"))
    assert {"us8k", "fsdd", "arabic-digits"} <= set(selected)
    for dataset, weight in selected.items():
        assert DEFAULT_LAMBDA[dataset] == weight, dataset


def test_datasets_without_a_study_take_their_paper_group_value():
    assert default_lambda("tau2019") == default_lambda("us8k")
    assert default_lambda("audiomnist") == default_lambda("arabic-digits")
    with pytest.raises(UnknownOptionError):
        default_lambda("timit")


def dataset_seeds(rows) -> set:
    return set(zip(rows["dataset"], rows["seed"], strict=True))


def test_marginal_runs_sit_beside_the_paper_rule_on_their_own_seeds():
    table = marginal_comparison(load_results(), "cpu")
    ours = table[table["marginal weight"] > 0]
    beside = table[table["marginal weight"] == 0]
    assert not ours.empty and set(ours["method"]) == {"Cat. UVAC"}
    assert dataset_seeds(beside) <= dataset_seeds(ours)
    for dataset, rows in beside.groupby("dataset"):
        assert set(rows["lambda"]) <= {1.0, default_lambda(dataset)}
