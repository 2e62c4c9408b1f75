"""UVAC baseline: the same conv-recurrent VAE with a Gaussian-mixture prior on z (a GMVAE)."""

import math

import torch
from torch import nn

from catuvac.model.base import (
    ClusteringVAE,
    Embedding,
    ModelConfig,
    ModelOutput,
    reparameterise,
)
from catuvac.model.elbo import ElboTerms, categorical_kl_uniform, combine, gaussian_kl
from catuvac.model.networks import Decoder, GaussianEncoder
from catuvac.model.objectives import ViewPair


class UVAC(ClusteringVAE):
    """``p(x|z) p(z|c) p(c)`` with a learnt K-component Gaussian mixture and uniform ``p(c)``.

    Clusters are the mixture component with the highest responsibility ``p(c | z)``.
    ``kl_z`` is the responsibility-weighted KL to each component, ``kl_y`` the KL of the
    responsibilities to the uniform ``p(c)``.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        k, d = config.n_clusters, config.latent_dim
        self.encoder_z = GaussianEncoder(config.n_freq, d, 0, config.logvar_limit)
        self.decoder = Decoder(d, config.n_freq, config.n_frames)
        self.prior_means = nn.Parameter(torch.randn(k, d))
        self.prior_logvars = nn.Parameter(torch.zeros(k, d))
        self.init_likelihood()

    def clamped_prior_logvars(self) -> torch.Tensor:
        """The mixture's log-variances, clamped like the encoder's so ``exp`` cannot overflow."""
        return self.prior_logvars.clamp(-self.config.logvar_limit, self.config.logvar_limit)

    def responsibilities(self, z: torch.Tensor) -> torch.Tensor:
        """``p(c | z)`` under the mixture with uniform weights: ``[B, K]``."""
        logvars = self.clamped_prior_logvars()
        diff = z[:, None, :] - self.prior_means[None]
        log_density = -0.5 * (diff**2 / logvars.exp() + logvars + math.log(2 * math.pi)).sum(-1)
        return log_density.softmax(dim=1)

    def forward(self, x: torch.Tensor, tau: float | None = None) -> ModelOutput:
        z_mean, z_logvar = self.encoder_z(x)
        z = reparameterise(z_mean, z_logvar)
        reconstruction = self.decoder(z)
        return ModelOutput(reconstruction, self.responsibilities(z), z, z_mean, z_logvar)

    def elbo(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        tau: float | None = None,
        views: ViewPair | None = None,
    ) -> tuple[ElboTerms, ModelOutput]:
        out = self(x)
        gamma = out.cluster_probs
        per_component = gaussian_kl(
            out.z_mean[:, None, :],
            out.z_logvar[:, None, :],
            self.prior_means[None],
            self.clamped_prior_logvars()[None],
        )
        terms = combine(
            self.reconstruction_error(out, x, mask),
            (gamma * per_component).sum(dim=1),
            categorical_kl_uniform(gamma),
            self.config.lambda_weight,
            self.config.lambda_placement,
            gamma,
            self.config.marginal_weight,
        )
        return self.add_cluster_terms(terms, gamma, views), out

    def assign(self, x: torch.Tensor) -> torch.Tensor:
        return self.responsibilities(self.encoder_z(x)[0])

    @torch.no_grad()
    def embed(self, x: torch.Tensor) -> Embedding:
        z_mean, z_logvar = self.encoder_z(x)
        return Embedding(self.responsibilities(z_mean), z_mean, z_logvar)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder_z(x)[0])
