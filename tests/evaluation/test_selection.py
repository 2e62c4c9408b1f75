"""Label-free selection: information terms, agreements and the ordering of settings."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from catuvac.evaluation.selection import (
    CRITERIA_COLUMNS,
    SelectionCriteria,
    augmentation_agreement,
    information_terms,
    neighbour_agreement,
    rank_settings,
    run_summary,
    seed_agreement,
    speaker_nmi,
    train_clip_summary,
)
from catuvac.features import FeatureSet
from catuvac.model import ModelConfig, build_model

K = 10


def one_hot(assignments, n_clusters: int = K) -> np.ndarray:
    return np.eye(n_clusters)[np.asarray(assignments)]


def test_balanced_one_hot_assignments_carry_log_k_nats():
    terms = information_terms(one_hot(list(range(K)) * 5))
    assert terms["mutual_information"] == pytest.approx(math.log(K))
    assert terms["marginal_entropy"] == pytest.approx(math.log(K))
    assert terms["mean_entropy"] == pytest.approx(0.0, abs=1e-9)
    assert terms["mean_max_prob"] == 1.0
    assert terms["information_ratio"] == pytest.approx(1.0)


def test_uniform_q_is_balanced_but_carries_no_information():
    terms = information_terms(np.full((20, K), 1 / K))
    assert terms["mutual_information"] == pytest.approx(0.0, abs=1e-9)
    assert terms["marginal_entropy"] == pytest.approx(math.log(K))
    assert terms["mean_entropy"] == pytest.approx(math.log(K))
    assert terms["mean_max_prob"] == pytest.approx(1 / K)


def test_collapsed_one_hot_is_sharp_but_carries_no_information():
    terms = information_terms(one_hot([3] * 30))
    assert terms["mutual_information"] == pytest.approx(0.0, abs=1e-9)
    assert terms["marginal_entropy"] == pytest.approx(0.0, abs=1e-9)
    assert terms["mean_max_prob"] == 1.0


def test_information_is_marginal_minus_mean_entropy_on_random_q():
    q = np.random.default_rng(0).dirichlet(np.ones(4), size=200)
    terms = information_terms(q)
    marginal = q.mean(axis=0)
    h_marginal = -(marginal * np.log(marginal)).sum()
    h_mean = -(q * np.log(q)).sum(axis=1).mean()
    assert terms["marginal_entropy"] == pytest.approx(h_marginal, rel=1e-6)
    assert terms["mean_entropy"] == pytest.approx(h_mean, rel=1e-6)
    assert terms["mutual_information"] == pytest.approx(h_marginal - h_mean, rel=1e-6)
    with pytest.raises(ValueError, match="K >= 2"):
        information_terms(np.ones((5, 1)))


def test_seed_agreement_is_one_for_relabelled_partitions_and_low_for_unrelated():
    base = np.repeat(np.arange(K), 20)
    relabelled = (base + 3) % K
    assert seed_agreement([base, relabelled, base]) == pytest.approx(1.0)
    unrelated = np.random.default_rng(1).permutation(base)
    assert seed_agreement([base, unrelated]) < 0.1
    with pytest.raises(ValueError, match="at least 2"):
        seed_agreement([base])
    with pytest.raises(ValueError, match="same clips"):
        seed_agreement([base, base[:-1]])


def test_augmentation_agreement_counts_unchanged_clusters():
    clusters = np.array([0, 1, 2, 3])
    assert augmentation_agreement(clusters, clusters) == 1.0
    assert augmentation_agreement(clusters, [0, 1, 3, 3]) == 0.75
    renamed = (clusters + 1) % 4
    assert augmentation_agreement(clusters, renamed) == 0.0
    assert augmentation_agreement(clusters, renamed, measure="nmi") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="measure"):
        augmentation_agreement(clusters, clusters, measure="accuracy")


def test_speaker_nmi_is_one_when_clusters_are_speakers_and_zero_when_independent():
    speakers = np.array(["a", "b"] * 10)
    assert speaker_nmi(np.array([5, 7] * 10), speakers) == pytest.approx(1.0)
    assert speaker_nmi(np.repeat([0, 1], 10), np.array(["a", "b"] * 10)) == pytest.approx(0.0)


def test_criteria_pass_sharp_balanced_runs_and_name_each_failure():
    criteria = SelectionCriteria()
    sharp = run_summary(one_hot(list(range(K)) * 5))
    assert criteria.passes(sharp) == dict.fromkeys(
        ("information", "sharpness", "usage", "balance", "passes"), True
    )
    nine_used = run_summary(one_hot(list(range(K - 1)) * 5))
    result = criteria.passes(nine_used)
    assert not result["usage"] and result["balance"] and not result["passes"]
    uniform = criteria.passes(run_summary(np.full((20, K), 1 / K)))
    assert not uniform["information"] and not uniform["sharpness"]
    # 1/K + 0.1 = 20% at K = 10: 21% in one cluster fails balance only.
    crowded = [0] * 21 + [1 + i % (K - 1) for i in range(79)]
    summary = run_summary(one_hot(crowded))
    assert summary["largest_share"] == pytest.approx(0.21)
    assert not criteria.passes(summary)["balance"]


def test_neighbour_agreement_is_measured_beyond_chance_and_collapse_earns_nothing():
    clusters = np.repeat(np.arange(4), 5)  # 4 neighbourhoods of 5 clips
    whole = np.array(
        [[j for j in range(5 * (i // 5), 5 * (i // 5) + 5) if j != i] for i in range(20)]
    )
    assert neighbour_agreement(whole, clusters) == pytest.approx(1.0)
    assert neighbour_agreement(whole, np.zeros(20, dtype=int)) == 0.0  # one cluster
    rng = np.random.default_rng(0)
    random_clusters = rng.integers(0, 4, 2000)
    random_graph = rng.integers(0, 2000, (2000, 10))
    assert abs(neighbour_agreement(random_graph, random_clusters)) < 0.02
    # 3 of 4 neighbours agree where chance gives 1/4 with 4 even clusters: (0.75 - 0.25) / 0.75.
    half = np.array([[1, 2, 3, 4]] * 20)
    crafted = np.array([0, 0, 0, 0, 1] * 4)
    shares = np.bincount(crafted) / 20
    chance = float((shares**2).sum())
    agreeing = float(np.mean(crafted[half] == crafted[:, None]))
    expected = (agreeing - chance) / (1 - chance)
    assert neighbour_agreement(half, crafted) == pytest.approx(expected)
    with pytest.raises(ValueError, match="neighbours of the N clustered clips"):
        neighbour_agreement(whole[:5], clusters)


def test_neighbour_agreement_joins_the_pass_criteria_where_a_run_has_one():
    criteria = SelectionCriteria()
    sharp = run_summary(one_hot(list(range(K)) * 5))
    assert "neighbours" not in criteria.passes(sharp)  # no graph: judged without it
    assert "neighbours" not in criteria.passes(sharp | {"neighbour_agreement": float("nan")})
    kept = criteria.passes(sharp | {"neighbour_agreement": 0.5})
    assert kept["neighbours"] and kept["passes"]
    cut = criteria.passes(sharp | {"neighbour_agreement": 0.49})
    assert not cut["neighbours"] and not cut["passes"]


def run_rows(setting: str, partitions: list[np.ndarray], **columns) -> list[dict]:
    """One row per seed: the run summary of each one-hot partition plus extra columns."""
    rows = []
    for seed, partition in enumerate(partitions):
        summary = run_summary(one_hot(partition))
        rows.append({"setting": setting, "seed": seed, "partition": partition} | summary | columns)
    return rows


def study_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    base = np.repeat(np.arange(K), 10)
    shuffled = [rng.permutation(base) for _ in range(3)]
    collapsed = [np.zeros(100, dtype=int)] * 3
    rows = (
        # Passes, but each seed splits the clips differently: low seed agreement.
        run_rows("arbitrary", shuffled, augmentation_agreement=0.9, speaker_nmi=0.05)
        # Passes and every seed agrees, but follows the voice more than "stable".
        + run_rows("voices", [base] * 3, augmentation_agreement=0.8, speaker_nmi=0.6)
        # Passes, every seed agrees, same augmentation agreement, lower speaker NMI.
        + run_rows("stable", [base] * 3, augmentation_agreement=0.8, speaker_nmi=0.05)
        # Every seed agrees (on one cluster) but fails the criteria: last.
        + run_rows("collapsed", collapsed, augmentation_agreement=1.0, speaker_nmi=0.0)
    )
    table = pd.DataFrame(rows)
    table["accuracy"] = rng.uniform(size=len(table))
    table["nmi"] = rng.uniform(size=len(table))
    return table


def test_rank_orders_by_passing_then_seed_then_augmentation_then_speaker_agreement():
    ranked = rank_settings(study_table())
    assert ranked["setting"].tolist() == ["stable", "voices", "arbitrary", "collapsed"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked["passes"].tolist() == [True, True, True, False]
    assert ranked.loc[0, "seed_agreement"] == pytest.approx(1.0)
    assert ranked.loc[2, "seed_agreement"] < 0.5  # chance NMI of 100 clips in 10 clusters
    assert ranked.loc[3, ["seeds", "seeds_passing", "usage", "balance"]].tolist() == [
        3,
        0,
        False,
        False,
    ]
    assert "accuracy" in ranked and "nmi" in ranked
    assert "accuracy" not in ranked.attrs["ordered_by"]


def test_label_columns_never_change_the_order():
    table = study_table()
    order = rank_settings(table)["setting"].tolist()
    rng = np.random.default_rng(3)
    for trial in range(5):
        altered = table.copy()
        altered["accuracy"] = rng.permutation(altered["accuracy"].to_numpy())
        altered["nmi"] = rng.uniform(size=len(altered)) * (trial - 2)
        assert rank_settings(altered)["setting"].tolist() == order
    # The most accurate setting by far is still ranked by the label-free quantities.
    table.loc[table["setting"] == "collapsed", ["accuracy", "nmi"]] = 1.0
    assert rank_settings(table)["setting"].tolist() == order
    # Rows in another order give the same ranking.
    assert rank_settings(table.sample(frac=1, random_state=0))["setting"].tolist() == order


def test_rank_accepts_a_seed_agreement_column_and_skips_absent_keys():
    table = study_table().drop(columns=["partition", "speaker_nmi"])
    table["seed_agreement"] = table["setting"].map(
        {"arbitrary": 0.9, "voices": 0.5, "stable": 0.5, "collapsed": 1.0}
    )
    ranked = rank_settings(table)
    assert ranked["setting"].tolist() == ["arbitrary", "stable", "voices", "collapsed"]
    assert "speaker_nmi" not in ranked.attrs["ordered_by"]
    with pytest.raises(ValueError, match="missing"):
        rank_settings(table.drop(columns=["mean_max_prob"]))
    with pytest.raises(ValueError, match="seed_agreement"):
        rank_settings(table.drop(columns=["seed_agreement"]))


def test_train_clip_summary_of_a_model_reads_its_training_clips():
    torch.manual_seed(0)
    model = build_model(ModelConfig("catuvac", 16, 16, 3, 2)).eval()
    n = 10
    train = FeatureSet(
        torch.rand(n, 1, 16, 16),
        torch.ones(n, 16, dtype=torch.bool),
        np.zeros(n, dtype=np.int64),
        [f"clip{i}" for i in range(n)],
    )
    summary, clusters = train_clip_summary(model, train)
    assert clusters.shape == (n,) and 0 <= summary["augmentation_agreement"] <= 1
    assert set(CRITERIA_COLUMNS) <= set(summary)
