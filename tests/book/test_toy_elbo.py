import math

import numpy as np
import pytest

from catuvac.book.toy_elbo import (
    ToyPosterior,
    candidate_posteriors,
    categorical_kl,
    elbo_report,
    format_elbo_report,
    gaussian_kl,
    gaussian_log_density,
    interpolate_probs,
    make_toy_model,
)

MODEL = make_toy_model(n_states=3, data_dim=2, latent_dim=1, seed=0)
POINTS = [np.array([0.0, 0.0]), np.array([-1.5, 0.0]), np.array([2.0, 1.0])]


def test_gaussian_helpers_match_known_values():
    assert gaussian_log_density(np.zeros(2), np.zeros(2), np.eye(2)) == pytest.approx(
        -math.log(2 * math.pi)
    )
    assert gaussian_kl(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2)) == pytest.approx(0.0)
    # 1-D: KL(N(1, 1) || N(0, 1)) = 1/2.
    assert gaussian_kl(np.ones(1), np.eye(1), np.zeros(1), np.eye(1)) == pytest.approx(0.5)
    assert categorical_kl(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == pytest.approx(math.log(2))


def test_log_marginal_matches_monte_carlo_over_the_prior():
    x = POINTS[0]
    samples_y = np.repeat(np.arange(3), 20000)
    z = np.random.default_rng(0).standard_normal((len(samples_y), 1))
    mean = np.einsum("nij,nj->ni", MODEL.weights[samples_y], z) + MODEL.biases[samples_y]
    s2 = MODEL.noise_std**2
    log_lik = -((x - mean) ** 2).sum(1) / (2 * s2) - math.log(2 * math.pi * s2)
    estimate = math.log(np.exp(log_lik).mean())  # uniform prior: equal counts per state
    assert estimate == pytest.approx(MODEL.log_marginal(x), abs=0.05)


@pytest.mark.parametrize("x", POINTS)
def test_exact_posterior_makes_the_bound_tight(x):
    q = MODEL.exact_posterior(x)
    assert q.probs.sum() == pytest.approx(1.0)
    assert MODEL.elbo(x, q) == pytest.approx(MODEL.log_marginal(x), abs=1e-9)
    assert MODEL.kl_to_posterior(x, q) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("x", POINTS)
def test_gap_equals_kl_to_true_posterior_for_every_candidate(x):
    log_px = MODEL.log_marginal(x)
    for name, q in candidate_posteriors(MODEL, x).items():
        elbo = MODEL.elbo(x, q)
        assert elbo <= log_px + 1e-9, name
        assert log_px - elbo == pytest.approx(MODEL.kl_to_posterior(x, q), abs=1e-8), name


def test_terms_add_up_and_lambda_weights_kl_y():
    x = POINTS[0]
    q = candidate_posteriors(MODEL, x)["uniform q(y|x)"]
    terms = MODEL.elbo_terms(x, q)
    assert terms["elbo"] == pytest.approx(terms["reconstruction"] - terms["kl_z"] - terms["kl_y"])
    assert terms["kl_y"] == pytest.approx(0.0)  # uniform q(y|x) against the uniform prior
    one_hot = candidate_posteriors(MODEL, x)["one-hot q(y|x)"]
    assert MODEL.elbo_terms(x, one_hot)["kl_y"] == pytest.approx(math.log(3))
    base = MODEL.elbo(x, one_hot)
    assert MODEL.elbo(x, one_hot, lambda_weight=0.5) == pytest.approx(base + 0.5 * math.log(3))


def test_monte_carlo_agrees_with_closed_form():
    x = POINTS[0]
    for name, q in candidate_posteriors(MODEL, x).items():
        mean, stderr = MODEL.elbo_monte_carlo(x, q, n_samples=3000, seed=1)
        assert abs(mean - MODEL.elbo(x, q)) <= 4 * stderr + 1e-9, name


def test_interpolation_gap_shrinks_to_zero():
    x = POINTS[0]
    alphas = np.linspace(0, 1, 5)
    gaps = [MODEL.log_marginal(x) - MODEL.elbo(x, q) for q in interpolate_probs(MODEL, x, alphas)]
    assert all(a >= b - 1e-12 for a, b in zip(gaps, gaps[1:], strict=False))
    assert gaps[-1] == pytest.approx(0.0, abs=1e-9)


def test_sample_shapes_and_bad_posterior():
    x, y, z = MODEL.sample(7, seed=0)
    assert x.shape == (7, 2) and y.shape == (7,) and z.shape == (7, 1)
    with pytest.raises(ValueError, match="probability vector"):
        ToyPosterior(np.array([0.7, 0.7]), np.zeros((2, 1)), np.ones((2, 1, 1)))
    with pytest.raises(ValueError, match="shapes disagree"):
        ToyPosterior(np.array([0.5, 0.5]), np.zeros((2, 1)), np.ones((3, 1, 1)))


def test_report_rows_and_text():
    x = POINTS[0]
    rows = elbo_report(MODEL, x, candidate_posteriors(MODEL, x))
    assert [r["posterior"] for r in rows][0] == "exact posterior"
    for row in rows:
        assert row["gap"] == pytest.approx(row["kl_to_posterior"], abs=1e-8)
    text = format_elbo_report(rows)
    lines = text.splitlines()
    assert len(lines) == 2 + len(rows)
    assert "-0.000" not in text
    assert lines[2].split()[-2:] == ["0.000", "0.000"]  # tight bound for the exact posterior
