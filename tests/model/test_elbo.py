"""The ELBO's terms against closed forms and torch.distributions, the mask, and lambda."""

import math

import pytest
import torch
from torch.distributions import Categorical, Normal, kl_divergence

from catuvac.errors import UnknownOptionError
from catuvac.model.elbo import (
    LAMBDA_PLACEMENTS,
    categorical_kl_uniform,
    combine,
    gaussian_kl,
    masked_reconstruction,
)


def test_gaussian_kl_closed_form():
    # KL(N(1, e^0) || N(0, 1)) = 1/2 (1 + 1 - 1 - 0) = 0.5 per dimension.
    assert float(gaussian_kl(torch.tensor([1.0]), torch.tensor([0.0]))) == pytest.approx(0.5)
    # Same distribution: zero.
    mean, logvar = torch.tensor([[0.3, -2.0]]), torch.tensor([[0.7, -1.5]])
    assert torch.allclose(gaussian_kl(mean, logvar, mean, logvar), torch.zeros(1))
    # 1-D formula log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2, summed over 2 dims.
    m1, s1, m2, s2 = 0.5, 0.8, -0.25, 1.5
    one = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    kl = gaussian_kl(
        torch.full((2,), m1),
        torch.full((2,), 2 * math.log(s1)),
        torch.full((2,), m2),
        torch.full((2,), 2 * math.log(s2)),
    )
    assert float(kl) == pytest.approx(2 * one, rel=1e-5)


def test_gaussian_kl_matches_torch_distributions():
    generator = torch.Generator().manual_seed(0)
    mean, logvar = torch.randn(5, 4, generator=generator), torch.randn(5, 4, generator=generator)
    prior_mean, prior_logvar = (
        torch.randn(5, 4, generator=generator),
        torch.randn(5, 4, generator=generator),
    )
    q = Normal(mean, torch.exp(0.5 * logvar))
    expected = kl_divergence(q, Normal(prior_mean, torch.exp(0.5 * prior_logvar))).sum(-1)
    torch.testing.assert_close(gaussian_kl(mean, logvar, prior_mean, prior_logvar), expected)
    standard = kl_divergence(q, Normal(torch.zeros(5, 4), torch.ones(5, 4))).sum(-1)
    torch.testing.assert_close(gaussian_kl(mean, logvar), standard)
    assert gaussian_kl(mean, logvar).shape == (5,)


@pytest.mark.parametrize("k", [2, 5, 10])
def test_categorical_kl_uniform_ends(k):
    uniform = torch.full((3, k), 1.0 / k)
    torch.testing.assert_close(categorical_kl_uniform(uniform), torch.zeros(3))
    one_hot = torch.eye(k)
    torch.testing.assert_close(categorical_kl_uniform(one_hot), torch.full((k,), math.log(k)))


def test_categorical_kl_uniform_matches_torch_distributions():
    probs = torch.softmax(torch.randn(6, 7, generator=torch.Generator().manual_seed(1)), dim=1)
    expected = kl_divergence(Categorical(probs=probs), Categorical(probs=torch.full((6, 7), 1 / 7)))
    torch.testing.assert_close(categorical_kl_uniform(probs), expected)
    assert (categorical_kl_uniform(probs) >= 0).all()


def test_masked_reconstruction_ignores_masked_frames():
    generator = torch.Generator().manual_seed(2)
    reconstruction = torch.rand(3, 1, 4, 6, generator=generator).clamp(0.01, 0.99)
    target = torch.rand(3, 1, 4, 6, generator=generator)
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[0, 4:] = False
    mask[2, :3] = False
    error = masked_reconstruction(reconstruction, target, mask)
    assert error.shape == (3,)
    # Anything on masked frames, in the reconstruction or the target, changes nothing.
    hidden = ~mask[:, None, None, :].expand_as(target)
    other_rec, other_target = reconstruction.clone(), target.clone()
    other_rec[hidden] = 0.5
    other_target[hidden] = 1.0
    torch.testing.assert_close(masked_reconstruction(other_rec, other_target, mask), error)
    # Real frames count: the sum of per-bin binary cross-entropies over them.
    bce = -(target * reconstruction.log() + (1 - target) * (1 - reconstruction).log())
    torch.testing.assert_close(error, (bce * ~hidden).sum(dim=(1, 2, 3)))
    changed = reconstruction.clone()
    changed[1, 0, 0, 0] = 0.02
    assert not torch.allclose(masked_reconstruction(changed, target, mask)[1], error[1])
    # A fully masked clip costs nothing.
    assert (
        float(masked_reconstruction(reconstruction, target, torch.zeros(3, 6, dtype=bool)).sum())
        == 0
    )


@pytest.mark.parametrize("placement", LAMBDA_PLACEMENTS)
def test_combine_weights_the_named_term(placement):
    terms = {
        "reconstruction": torch.tensor([10.0, 20.0]),
        "kl_z": torch.tensor([1.0, 3.0]),
        "kl_y": torch.tensor([0.5, 1.5]),
    }
    means = {"reconstruction": 15.0, "kl_z": 2.0, "kl_y": 1.0}
    result = combine(terms["reconstruction"], terms["kl_z"], terms["kl_y"], 0.25, placement)
    expected = sum(value * (0.25 if name == placement else 1.0) for name, value in means.items())
    assert float(result.loss) == pytest.approx(expected)
    # The reported terms are the unweighted batch means.
    assert result.as_floats() == pytest.approx({"loss": expected, **means})
    # lambda = 1 is the plain negative ELBO whatever the placement.
    plain = combine(terms["reconstruction"], terms["kl_z"], terms["kl_y"], 1.0, placement)
    assert float(plain.loss) == pytest.approx(sum(means.values()))


def test_combine_unknown_placement():
    one = torch.ones(1)
    with pytest.raises(UnknownOptionError, match="unknown lambda placement 'kl_x'.*kl_y, kl_z"):
        combine(one, one, one, 1.0, "kl_x")
