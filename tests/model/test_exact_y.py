"""The exact sum over y (M2's unlabelled bound) beside the Gumbel-Softmax sample: the same
terms as one pass per cluster weighted by q(y|x), and a refusal where there is no y."""

import pytest
import torch

from catuvac.errors import ConfigError, UnknownOptionError
from catuvac.model import CatUVAC, ModelConfig
from catuvac.model.base import ModelOutput
from catuvac.model.elbo import categorical_kl_uniform, gaussian_kl


def _model(**options) -> CatUVAC:
    torch.manual_seed(0)
    return CatUVAC(ModelConfig("catuvac", 16, 16, n_clusters=3, latent_dim=4, **options))


def _one_pass_per_cluster(model: CatUVAC, x, mask):
    """Reconstruction error and KL_z of each clip with y fixed to each cluster ``[B, K]``,
    the decoder's mean output (no sampling noise)."""
    errors, kls = [], []
    for k in range(model.config.n_clusters):
        y = torch.nn.functional.one_hot(torch.full((len(x),), k), 3).float()
        z_mean, z_logvar = model.encoder_z(x, y)
        recon = model.decoder(torch.cat([z_mean, y], dim=1))
        out = ModelOutput(recon, y, z_mean, z_mean, z_logvar)
        errors.append(model.reconstruction_error(out, x, mask))
        kls.append(gaussian_kl(z_mean, z_logvar))
    return torch.stack(errors, dim=1), torch.stack(kls, dim=1)


def test_exact_terms_are_the_q_weighted_sum_over_clusters(monkeypatch):
    model = _model(y_estimator="exact")
    model.eval()
    x, mask = torch.rand(5, 1, 16, 16), torch.ones(5, 16, dtype=torch.bool)
    monkeypatch.setattr("catuvac.model.cat_uvac.reparameterise", lambda mean, logvar: mean)
    with torch.no_grad():
        terms, out = model.elbo(x, mask, tau=0.5)
        errors, kls = _one_pass_per_cluster(model, x, mask)
        probs = model.assign(x)
    torch.testing.assert_close(terms.reconstruction, (probs * errors).sum(1).mean())
    torch.testing.assert_close(terms.kl_z, (probs * kls).sum(1).mean())
    torch.testing.assert_close(terms.kl_y, categorical_kl_uniform(probs).mean())
    torch.testing.assert_close(out.cluster_probs, probs)
    assert out.reconstruction.shape == x.shape and out.z.shape == (5, 4)


def test_exact_sum_gives_q_a_gradient_from_the_reconstruction():
    model = _model(y_estimator="exact")
    x, mask = torch.rand(4, 1, 16, 16), torch.ones(4, 16, dtype=torch.bool)
    terms, _ = model.elbo(x, mask, tau=0.5)
    terms.reconstruction.backward()
    grads = [p.grad for p in model.encoder_y.parameters() if p.grad is not None]
    assert grads and any(float(g.abs().sum()) > 0 for g in grads)


def test_exact_sum_needs_a_categorical_y_and_a_known_name():
    with pytest.raises(ConfigError, match="only Cat. UVAC"):
        ModelConfig("uvac", 16, 16, y_estimator="exact")
    with pytest.raises(UnknownOptionError, match="y estimator"):
        ModelConfig("catuvac", 16, 16, y_estimator="sampled")
    assert "y_estimator" not in ModelConfig("catuvac", 16, 16).to_dict()  # off: as before
