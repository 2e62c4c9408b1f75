"""The label-free collapse criterion, the paper's lambda rule and the study's run names."""

import math
from dataclasses import asdict

import numpy as np
import pytest
import torch

from catuvac.evaluation.collapse import (
    MIN_INFORMATION,
    ClusterSpread,
    cluster_spread,
    describe_criterion,
    information_from_kl_y,
    lowest_safe_lambda,
    train_spread_of,
)
from catuvac.evaluation.collapse import TRAIN_CLUSTERS_KEY as TRAIN_KEY
from catuvac.experiments.lambda_study import LAMBDA_GRID, is_study_run, study_specs
from catuvac.experiments.profiles import PROFILES
from catuvac.model.elbo import batch_marginal_kl, combine


def one_hot_probs(assignments: list[int], n_clusters: int) -> np.ndarray:
    return np.eye(n_clusters)[assignments]


def test_spread_of_even_sharp_assignments_passes():
    spread = cluster_spread(one_hot_probs(list(range(10)) * 3, 10))
    assert (spread.clusters_used, spread.largest_share) == (10, 0.1)
    assert spread.marginal_entropy == pytest.approx(1.0)
    assert spread.information == pytest.approx(1.0)
    assert not spread.collapsed and not spread.fails


def test_spread_flags_each_threshold():
    merged = cluster_spread(one_hot_probs([0] * 4 + list(range(1, 10)), 10))
    assert merged.clusters_used == 10 and merged.largest_share == pytest.approx(4 / 13)
    assert merged.collapsed  # 31% > 30%
    few = ClusterSpread(10, 7, largest_share=0.2, marginal_entropy=0.95, information=1.0)
    flat_but_piled = ClusterSpread(10, 10, largest_share=0.2, marginal_entropy=0.8, information=1)
    assert few.collapsed and flat_but_piled.collapsed
    assert not ClusterSpread(5, 4, largest_share=0.4, marginal_entropy=0.9, information=1).collapsed
    assert ClusterSpread(5, 4, largest_share=0.41, marginal_entropy=0.9, information=1).collapsed


def test_flat_q_piled_by_argmax_is_collapsed():
    probs = np.full((20, 10), 0.1)
    probs[:, 0] += 1e-3  # nearly uniform, every argmax the same cluster
    spread = cluster_spread(probs / probs.sum(1, keepdims=True))
    assert spread.marginal_entropy > 0.99 and spread.clusters_used == 1 and spread.collapsed


def test_uniform_q_is_balanced_but_fails_the_rule_for_want_of_information():
    # Every clip near 1/K, argmaxes spread evenly: the balance thresholds all pass.
    probs = np.full((30, 10), 0.1) + 1e-4 * one_hot_probs(list(range(10)) * 3, 10)
    spread = cluster_spread(probs / probs.sum(1, keepdims=True))
    assert (spread.clusters_used, spread.largest_share) == (10, pytest.approx(0.1))
    assert not spread.collapsed
    assert spread.information < 1e-6 and spread.uninformative and spread.fails


def test_information_floor_sits_at_a_sqrt_k_way_choice_per_clip():
    # Each clip spread evenly over sqrt(K) = 3 of K = 9 clusters, the clips balanced:
    # I(x; y) = log 9 - log 3 = 0.5 log K, exactly on the floor.
    probs = np.zeros((9, 9))
    for i in range(9):
        probs[i, [i, (i + 1) % 9, (i + 2) % 9]] = 1 / 3
    assert cluster_spread(probs).information == pytest.approx(MIN_INFORMATION)
    sharper = cluster_spread(0.9 * probs + 0.1 * np.eye(9))
    blurred = cluster_spread(0.9 * probs + 0.1 / 9)
    assert not sharper.fails and blurred.uninformative


def test_information_from_the_final_kl_y_of_an_older_record():
    assert information_from_kl_y(math.log(10), 10, 1.0) == pytest.approx(1.0)
    assert information_from_kl_y(4e-6, 10, 1.0) < 1e-5  # a uniform q(y|x)
    assert information_from_kl_y(0.1, 10, 0.5) == 0.0  # KL_y all marginal: floored at 0
    older = {n: v for n, v in asdict(cluster_spread(np.eye(10))).items() if n != "information"}
    record = {TRAIN_KEY: older, "history": [{"kl_y": 0.0}, {"kl_y": 0.5 * math.log(10)}]}
    assert train_spread_of(record).information == pytest.approx(0.5)
    newer = {TRAIN_KEY: asdict(cluster_spread(np.full((4, 10), 0.1))), "history": record["history"]}
    assert train_spread_of(newer).information == pytest.approx(0.0, abs=1e-9)  # stored wins


def test_lowest_safe_lambda_needs_every_seed():
    ok = ClusterSpread(10, 10, 0.15, 0.95, 0.8)
    bad = ClusterSpread(10, 3, 0.65, 0.5, 0.8)
    runs = [(1.0, 0, bad), (10.0, 0, ok), (10.0, 1, bad), (100.0, 0, ok), (100.0, 1, ok)]
    runs += [(1000.0, 0, ok)]
    assert lowest_safe_lambda((w, s, spread.fails) for w, s, spread in runs) == 100.0
    assert lowest_safe_lambda([(1.0, 0, bad.fails)]) is None


def test_lowest_safe_lambda_skips_a_lambda_not_run_on_every_seed():
    ok = ClusterSpread(10, 10, 0.15, 0.95, 0.8)
    runs = [(100.0, 0, ok), (1000.0, 0, ok), (1000.0, 1, ok), (1000.0, 2, ok)]
    assert lowest_safe_lambda((w, s, spread.fails) for w, s, spread in runs) == 1000.0


def test_lowest_safe_lambda_refuses_a_balanced_but_uniform_lambda():
    sharp = ClusterSpread(10, 8, 0.3, 0.9, 0.6)
    uniform = ClusterSpread(10, 10, 0.15, 1.0, 0.0)
    runs = [(1.0, s, sharp) for s in (0, 1)] + [(1000.0, s, uniform) for s in (0, 1)]
    assert lowest_safe_lambda((w, s, spread.fails) for w, s, spread in runs) == 1.0
    uniform_only = [(1000.0, s, uniform.fails) for s in (0, 1)]
    assert lowest_safe_lambda(uniform_only) is None


def test_criterion_in_words_names_the_thresholds():
    text = describe_criterion((10, 5))
    assert "at least 8 clusters used, none above 30%" in text
    assert "at least 4 clusters used, none above 40%" in text
    assert f"I(x; y) at least {MIN_INFORMATION} of log K" in text


def test_batch_marginal_kl_is_zero_when_balanced_and_log_k_when_piled():
    balanced = torch.eye(4)
    assert float(batch_marginal_kl(balanced)) == pytest.approx(0.0, abs=1e-6)
    piled = torch.eye(4)[[0, 0, 0]]
    assert float(batch_marginal_kl(piled)) == pytest.approx(math.log(4), rel=1e-5)


def test_combine_adds_the_weighted_marginal_term_only_when_asked():
    probs = torch.eye(3)[[0, 0, 1]]
    per_clip = torch.ones(3)
    plain = combine(per_clip, per_clip, per_clip, 1.0, "kl_y", probs, 0.0)
    weighted = combine(per_clip, per_clip, per_clip, 1.0, "kl_y", probs, 10.0)
    assert plain.marginal_kl is None and "marginal_kl" not in plain.as_floats()
    expected = float(plain.loss) + 10.0 * float(batch_marginal_kl(probs))
    assert float(weighted.loss) == pytest.approx(expected)
    assert weighted.as_floats()["marginal_kl"] == pytest.approx(float(batch_marginal_kl(probs)))


def test_study_runs_name_their_lambda_and_default_runs_do_not():
    specs = study_specs(["us8k"], ["catuvac"], [0], PROFILES["cpu"], [10])
    names = [spec.name for spec in specs]
    assert names == [f"catuvac-tau0.5-lambda{w:g}-kl_y-seed0" for w in LAMBDA_GRID]
    assert LAMBDA_GRID == (1.0, 10.0, 100.0, 1000.0, 10000.0)


def test_study_runs_and_marginal_runs_are_told_apart():
    spread = asdict(ClusterSpread(10, 10, largest_share=0.2, marginal_entropy=1, information=1))

    def record(**spec):
        spec = {"method": "catuvac", "tau_end": 0.5, "lambda_placement": "kl_y", **spec}
        return {"spec": spec, "profile": {"name": "cpu"}, TRAIN_KEY: spread}

    study = record(lambda_weight=100.0)
    ours = record(lambda_weight=None, marginal_weight=100.0)
    table_run = record(lambda_weight=None)
    assert is_study_run(study) and not is_study_run(ours) and not is_study_run(table_run)
    assert is_study_run(ours, with_marginal=True) and is_study_run(study, with_marginal=True)
    assert not is_study_run(table_run, with_marginal=True)
