import pytest
import torch
import torch.nn.functional as F

from catuvac.model.gumbel import gradient_variance, gumbel_max, gumbel_softmax, sample_gumbel

LOGITS = torch.log(torch.tensor([0.5, 0.25, 0.15, 0.1]))
N = 20000


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _batch() -> torch.Tensor:
    return LOGITS.expand(N, -1)


def test_sample_gumbel_is_finite_with_standard_gumbel_moments():
    g = sample_gumbel((N,), generator=_gen())
    assert torch.isfinite(g).all()
    assert g.mean().item() == pytest.approx(0.5772, abs=0.03)  # Euler-Mascheroni constant
    assert g.var().item() == pytest.approx(torch.pi**2 / 6, abs=0.06)


def test_sample_gumbel_is_reproducible():
    assert torch.equal(sample_gumbel((5, 3), _gen(3)), sample_gumbel((5, 3), _gen(3)))


def test_gumbel_max_frequencies_match_softmax():
    index = gumbel_max(_batch() + 7.0, generator=_gen())  # a shift does not matter
    assert index.dtype == torch.long and index.shape == (N,)
    freq = torch.bincount(index, minlength=4).float() / N
    assert (freq - torch.softmax(LOGITS, -1)).abs().max() < 0.01


def test_matches_torch_gumbel_softmax_in_distribution():
    tau = 0.7
    ours = gumbel_softmax(_batch(), tau, generator=_gen(1))
    torch.manual_seed(2)
    theirs = F.gumbel_softmax(_batch(), tau=tau)
    assert (ours.mean(0) - theirs.mean(0)).abs().max() < 0.015
    ours_freq = torch.bincount(ours.argmax(-1), minlength=4).float() / N
    theirs_freq = torch.bincount(theirs.argmax(-1), minlength=4).float() / N
    assert (ours_freq - theirs_freq).abs().max() < 0.015
    assert ours.max(-1).values.mean().item() == pytest.approx(
        theirs.max(-1).values.mean().item(), abs=0.01
    )


def test_samples_lie_on_the_simplex():
    y = gumbel_softmax(_batch()[:100], 0.5, generator=_gen())
    assert (y >= 0).all()
    assert torch.allclose(y.sum(-1), torch.ones(100))


def test_temperature_limits():
    cold = gumbel_softmax(_batch()[:1000], 0.01, generator=_gen())
    hot = gumbel_softmax(_batch()[:1000], 1000.0, generator=_gen())
    peak = cold.max(-1).values
    assert peak.mean() > 0.98
    assert (peak > 0.99).float().mean() > 0.95  # near-ties of the perturbed logits are rare
    assert (hot - 0.25).abs().max() < 0.01


def test_gradients_flow_to_logits():
    logits = LOGITS.clone().requires_grad_(True)
    y = gumbel_softmax(logits.expand(8, -1), 0.5, generator=_gen())
    (y * torch.arange(4.0)).sum().backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad.abs().sum() > 0


def test_hard_is_one_hot_with_soft_gradients():
    logits = LOGITS.clone().requires_grad_(True)
    y = gumbel_softmax(logits.expand(8, -1), 0.5, hard=True, generator=_gen())
    assert set(y.detach().unique().tolist()) == {0.0, 1.0}
    assert torch.equal(y.detach().sum(-1), torch.ones(8))
    (y * torch.arange(4.0)).sum().backward()
    assert logits.grad.abs().sum() > 0


def test_hard_argmax_follows_the_soft_sample():
    soft = gumbel_softmax(_batch()[:50], 0.5, generator=_gen(4))
    hard = gumbel_softmax(_batch()[:50], 0.5, hard=True, generator=_gen(4))
    assert torch.equal(hard.argmax(-1), soft.argmax(-1))


def test_gradient_variance_grows_as_tau_falls():
    variances = [gradient_variance(LOGITS, tau, 5000, seed=0) for tau in (5.0, 1.0, 0.5, 0.1)]
    assert all(a < b for a, b in zip(variances, variances[1:], strict=False))


@pytest.mark.parametrize("tau", [0.0, -1.0, float("nan")])
def test_non_positive_tau_is_rejected(tau):
    with pytest.raises(ValueError, match="tau"):
        gumbel_softmax(LOGITS, tau)


def test_gradient_variance_rejects_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        gradient_variance(LOGITS[None], 1.0, 10, seed=0)
    with pytest.raises(ValueError, match="n_samples"):
        gradient_variance(LOGITS, 1.0, 1, seed=0)
