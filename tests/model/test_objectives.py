"""The terms on q(y|x) beyond the paper: entropy, capacity and agreement across views."""

import math

import pytest
import torch

from catuvac.model import ModelConfig, build_model
from catuvac.model.elbo import batch_marginal_kl
from catuvac.model.objectives import (
    ClusterObjective,
    ViewPair,
    mean_entropy,
    pair_agreement,
    self_label_loss,
    view_mutual_information,
)

K = 4


def one_hot(indices):
    return torch.nn.functional.one_hot(torch.tensor(indices), K).float()


def test_mean_entropy_is_zero_for_one_hot_and_log_k_for_uniform():
    assert float(mean_entropy(one_hot([0, 1, 2, 3]))) == pytest.approx(0.0, abs=1e-6)
    assert float(mean_entropy(torch.full((5, K), 1 / K))) == pytest.approx(math.log(K))


def test_view_information_is_log_k_for_agreeing_balanced_views_and_zero_for_uniform():
    probs = one_hot([0, 1, 2, 3] * 2)
    assert float(view_mutual_information(probs, probs)) == pytest.approx(math.log(K), abs=1e-5)
    uniform = torch.full((8, K), 1 / K)
    assert float(view_mutual_information(uniform, probs)) == pytest.approx(0.0, abs=1e-6)


def test_objective_adds_each_weighted_part_and_needs_a_view_for_consistency():
    probs = torch.softmax(torch.randn(6, K, generator=torch.Generator().manual_seed(0)), 1)
    kl_y = torch.tensor(0.3)
    assert not ClusterObjective().active
    total, parts = ClusterObjective(entropy=2.0, capacity=1.0, capacity_weight=3.0).loss(
        probs, kl_y
    )
    expected = 2.0 * mean_entropy(probs) + 3.0 * abs(0.3 - 1.0)
    torch.testing.assert_close(total, expected)
    assert set(parts) == {"mean_entropy", "capacity_gap"}
    with pytest.raises(ValueError, match="two views"):
        ClusterObjective(consistency=1.0).loss(probs, kl_y)
    total, parts = ClusterObjective(consistency=5.0).loss(probs, kl_y, (probs, probs))
    torch.testing.assert_close(total, -5.0 * view_mutual_information(probs, probs))
    total, parts = ClusterObjective(consistency=5.0, consistency_term="scan").loss(
        probs, kl_y, (probs, probs.flip(0))
    )
    torch.testing.assert_close(total, -5.0 * pair_agreement(probs, probs.flip(0)))
    assert set(parts) == {"pair_agreement"}


def test_pair_agreement_is_zero_for_agreeing_certain_pairs_and_falls_with_disagreement():
    certain = torch.eye(K)
    assert float(pair_agreement(certain, certain)) == pytest.approx(0.0)
    uniform = torch.full((K, K), 1 / K)
    assert float(pair_agreement(uniform, uniform)) == pytest.approx(math.log(1 / K))
    assert float(pair_agreement(certain, certain.roll(1, 0))) < math.log(1 / K)


def test_models_compare_both_views_when_the_first_is_given():
    torch.manual_seed(0)
    config = ModelConfig("catuvac", 16, 16, 3, 2, consistency_weight=1.0, consistency_term="scan")
    model = build_model(config).eval()
    x = torch.rand(4, 1, 16, 16)
    mask = torch.ones(4, 16, dtype=torch.bool)
    terms, _ = model.elbo(x, mask, 1.0, ViewPair(x.flip(-1), x.flip(0)))
    expected = pair_agreement(model.assign(x.flip(-1)), model.assign(x.flip(0)))
    torch.testing.assert_close(terms.extra["pair_agreement"], expected)


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
def test_models_log_the_extra_terms_and_train_on_them(method):
    torch.manual_seed(0)
    config = ModelConfig(
        method, 16, 16, 3, 2, entropy_weight=1.0, consistency_weight=1.0, marginal_weight=1.0
    )
    model = build_model(config)
    x = torch.rand(4, 1, 16, 16)
    mask = torch.ones(4, 16, dtype=torch.bool)
    terms, _ = model.elbo(x, mask, 1.0, ViewPair(None, x.flip(-1)))
    logged = terms.as_floats()
    assert {"marginal_kl", "mean_entropy", "view_information"} <= set(logged)
    terms.loss.backward()
    assert math.isfinite(logged["loss"])


def test_pairing_neighbours_balances_the_compared_views_too():
    torch.manual_seed(0)
    config = ModelConfig(
        "catuvac",
        16,
        16,
        3,
        2,
        marginal_weight=10.0,
        consistency_weight=1.0,
        consistency_term="scan",
        neighbours=2,
    )
    model = build_model(config).eval()
    x = torch.rand(4, 1, 16, 16)
    terms, _ = model.elbo(x, torch.ones(4, 16, dtype=torch.bool), 1.0, ViewPair(x, x.flip(0)))
    both = torch.cat([model.assign(x), model.assign(x.flip(0))])
    torch.testing.assert_close(terms.extra["view_marginal_kl"], batch_marginal_kl(both))


def test_self_labels_train_confident_clips_towards_their_cluster_balanced_per_cluster():
    probs = torch.tensor([[0.97, 0.01, 0.01, 0.01]] * 3 + [[0.01, 0.97, 0.01, 0.01]])
    probs = torch.cat([probs, torch.full((2, K), 1 / K)])  # two unsure clips, not labelled
    view = torch.full((6, K), 1 / K, requires_grad=True)
    loss = self_label_loss(probs, view, 0.95)
    assert float(loss) == pytest.approx(math.log(K))  # uniform views: log K per label
    loss.backward()
    assert view.grad[4:].abs().sum() == 0  # unsure clips get no gradient
    # cluster 0's three clips share the weight cluster 1's single clip has alone
    assert view.grad[3, 1] == pytest.approx(3 * view.grad[0, 0])
    assert float(self_label_loss(probs, view, 0.99)) == 0.0


def test_self_labelling_uses_each_clips_own_augmented_view():
    torch.manual_seed(0)
    config = ModelConfig(
        "catuvac",
        16,
        16,
        3,
        2,
        consistency_weight=1.0,
        consistency_term="scan",
        neighbours=2,
        self_label_weight=1.0,
        self_label_threshold=0.01,
    )
    model = build_model(config).eval()
    x = torch.rand(4, 1, 16, 16)
    mask = torch.ones(4, 16, dtype=torch.bool)
    terms, out = model.elbo(x, mask, 1.0, ViewPair(x.flip(-1), x.flip(0)))
    expected = self_label_loss(out.cluster_probs, model.assign(x.flip(-1)), 0.01)
    torch.testing.assert_close(terms.extra["self_label"], expected)
    with pytest.raises(ValueError, match="needs the consistency term"):
        ModelConfig("catuvac", 16, 16, 3, 2, self_label_weight=1.0)
    assert "self_label_weight" not in ModelConfig("catuvac", 16, 16).to_dict()
