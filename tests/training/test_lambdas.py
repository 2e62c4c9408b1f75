"""The default lambdas are the ones the stored lambda study selects, without labels."""

import pytest

from catuvac.errors import UnknownOptionError
from catuvac.experiments.lambda_study import (
    marginal_comparison,
    no_safe_lambda,
    rule_by_lambda,
    rule_summary,
    selected_lambda,
    study_defaults,
    study_table,
)
from catuvac.records.store.results import load_results
from catuvac.training.lambdas import DEFAULT_LAMBDA, ELBO_LAMBDA, default_lambda


def test_defaults_are_what_the_stored_cpu_study_selects():
    selected = study_defaults(study_table(load_results(), profile="cpu"))
    assert {("us8k", 10), ("us8k", 5), ("fsdd", 10), ("arabic-digits", 10)} <= set(selected)
    for cell, weight in selected.items():
        assert DEFAULT_LAMBDA[cell] == weight, cell


def test_no_stored_lambda_is_both_balanced_and_informative_so_the_elbo_weight_is_default():
    table = study_table(load_results(), profile="cpu")
    catuvac = table[table["method"] == "Cat. UVAC"]
    # The balanced runs of the former default (lambda = 1000) carry no information ...
    balanced = catuvac[(catuvac["lambda"] == 1000.0) & ~catuvac["collapsed"]]
    assert len(balanced) >= 6 and (balanced["train information"] < 1e-3).all()
    assert balanced["fails rule"].all()
    # ... no lambda is informative on any seed, and none passes on every seed anywhere:
    # each cell falls back to the ELBO's weight.
    assert (rule_by_lambda(table)["informative seeds"] == 0).all()
    chosen = selected_lambda(table)
    assert chosen["chosen lambda"].isna().all()
    assert (chosen["default lambda"] == ELBO_LAMBDA).all()
    assert set(no_safe_lambda(table)) == set(study_defaults(table))
    # Without the floor the rule would give the former defaults, balanced and flat.
    former = chosen[chosen["method"] == "Cat. UVAC"].set_index(["dataset", "clusters"])
    assert former.loc[("us8k", 5), "balanced lambda"] == 10000.0
    assert (former.drop(("us8k", 5))["balanced lambda"] == 1000.0).all()


def test_datasets_without_a_study_take_their_paper_group_value():
    for k in (10, 5):
        assert default_lambda("tau2019", k) == default_lambda("us8k", k)
    assert default_lambda("audiomnist", 10) == default_lambda("arabic-digits", 10)
    assert default_lambda("fsdd", 7) == default_lambda("fsdd", 10)  # not studied: the largest
    with pytest.raises(UnknownOptionError):
        default_lambda("timit", 10)


def dataset_seeds(rows) -> set:
    return set(zip(rows["dataset"], rows["clusters"], rows["seed"], strict=True))


def test_marginal_runs_sit_beside_the_paper_rule_on_their_own_seeds():
    table = marginal_comparison(load_results(), "cpu")
    ours = table[table["marginal weight"] > 0]
    beside = table[table["marginal weight"] == 0]
    assert not ours.empty and set(ours["method"]) == {"Cat. UVAC"}
    assert dataset_seeds(beside) <= dataset_seeds(ours)
    balanced = selected_lambda(study_table(load_results(), profile="cpu"))
    balanced = balanced[balanced["method"] == "Cat. UVAC"].set_index(["dataset", "clusters"])
    for (dataset, k), rows in beside.groupby(["dataset", "clusters"]):
        weights = {default_lambda(dataset, k), balanced.loc[(dataset, k), "balanced lambda"]}
        assert set(rows["lambda"]) <= weights and 1.0 in weights


def test_the_rule_in_words_names_each_cells_information_and_its_default():
    table = study_table(load_results(), profile="cpu", methods=("catuvac",))
    text = rule_summary(table, {"fsdd": "FSDD"})
    assert "against the floor of 0.5" in text
    assert "FSDD with 10 clusters: 0.25 at λ = 1 (balanced)" in text
    assert "balanced on every seed from λ = 1000, no λ passes, default λ = 1" in text
    assert "us8k with 5 clusters" in text and "from λ = 10000" in text
