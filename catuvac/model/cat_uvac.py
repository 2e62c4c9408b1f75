"""Cat. UVAC: an unsupervised M2 with a Gumbel-Softmax categorical y and a Gaussian z.

The paper estimates the expectation over ``y`` with one relaxed Gumbel-Softmax sample.
``y_estimator = "exact"`` sums it instead, as M2 does (Kingma et al., 2014): each clip is
encoded and decoded once per cluster, and the per-cluster reconstruction and KL_z are
weighted by ``q(y|x)``, so the bound is exact in ``y`` and ``q(y|x)`` gets its gradient
without a temperature or sampling noise, at K times the cost of the z path. A likelihood
whose sigma is fitted to the batch (``gaussian-optimal``) fits it over the K passes alike."""

import torch
import torch.nn.functional as F

from catuvac.model.base import (
    ClusteringVAE,
    Embedding,
    ModelConfig,
    ModelOutput,
    reparameterise,
)
from catuvac.model.elbo import ElboTerms, categorical_kl_uniform, combine, gaussian_kl
from catuvac.model.gumbel import gumbel_softmax
from catuvac.model.networks import CategoricalEncoder, Decoder, GaussianEncoder
from catuvac.model.objectives import ViewPair


class CatUVAC(ClusteringVAE):
    """``p(x|y,z) p(y) p(z)`` with ``q(y|x) q(z|x,y)``; clusters are ``argmax q(y|x)``."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        k, d = config.n_clusters, config.latent_dim
        self.encoder_y = CategoricalEncoder(config.n_freq, k)
        self.encoder_z = GaussianEncoder(config.n_freq, d, k, config.logvar_limit)
        self.decoder = Decoder(d + k, config.n_freq, config.n_frames)
        self.init_likelihood()

    def forward(self, x: torch.Tensor, tau: float) -> ModelOutput:
        logits = self.encoder_y(x)
        y = gumbel_softmax(logits, tau)
        z_mean, z_logvar = self.encoder_z(x, y)
        z = reparameterise(z_mean, z_logvar)
        reconstruction = self.decoder(torch.cat([z, y], dim=1))
        return ModelOutput(reconstruction, logits.softmax(dim=1), z, z_mean, z_logvar)

    def summed_over_y(
        self, x: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, ModelOutput]:
        """The reconstruction error and KL_z per clip, each the ``q(y|x)``-weighted sum over
        the K values of ``y`` (the exact expectation), and the pass with ``y`` at each
        clip's argmax (its z and reconstruction, for what reads the output)."""
        probs = self.assign(x)
        batch, k = probs.shape
        every_y = torch.eye(k, dtype=x.dtype, device=x.device).repeat(batch, 1)
        repeated, repeated_mask = x.repeat_interleave(k, 0), mask.repeat_interleave(k, 0)
        z_mean, z_logvar = self.encoder_z(repeated, every_y)
        z = reparameterise(z_mean, z_logvar)
        pass_each_y = ModelOutput(
            self.decoder(torch.cat([z, every_y], dim=1)), every_y, z, z_mean, z_logvar
        )
        error = self.reconstruction_error(pass_each_y, repeated, repeated_mask).view(batch, k)
        kl_z = gaussian_kl(z_mean, z_logvar).view(batch, k)
        at_argmax = probs.argmax(dim=1) + k * torch.arange(batch, device=x.device)
        out = ModelOutput(
            pass_each_y.reconstruction[at_argmax],
            probs,
            z[at_argmax],
            z_mean[at_argmax],
            z_logvar[at_argmax],
        )
        return (probs * error).sum(dim=1), (probs * kl_z).sum(dim=1), out

    def elbo(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        tau: float,
        views: ViewPair | None = None,
    ) -> tuple[ElboTerms, ModelOutput]:
        if self.config.y_estimator == "exact":
            error, kl_z, out = self.summed_over_y(x, mask)
        else:
            out = self(x, tau)
            error, kl_z = (
                self.reconstruction_error(out, x, mask),
                gaussian_kl(out.z_mean, out.z_logvar),
            )
        terms = combine(
            error,
            kl_z,
            categorical_kl_uniform(out.cluster_probs),
            self.config.lambda_weight,
            self.config.lambda_placement,
            out.cluster_probs,
            self.config.marginal_weight,
        )
        return self.add_cluster_terms(terms, out.cluster_probs, views), out

    def assign(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder_y(x).softmax(dim=1)

    def _deterministic_code(self, x: torch.Tensor):
        """``q(y|x)``, its argmax one-hot and the z mean and log-variance given that y."""
        probs = self.encoder_y(x).softmax(dim=1)
        one_hot = F.one_hot(probs.argmax(dim=1), self.config.n_clusters).to(x.dtype)
        z_mean, z_logvar = self.encoder_z(x, one_hot)
        return probs, one_hot, z_mean, z_logvar

    @torch.no_grad()
    def embed(self, x: torch.Tensor) -> Embedding:
        probs, _, z_mean, z_logvar = self._deterministic_code(x)
        return Embedding(probs, z_mean, z_logvar)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        _, one_hot, z_mean, _ = self._deterministic_code(x)
        return self.decoder(torch.cat([z_mean, one_hot], dim=1))

    @torch.no_grad()
    def decode_clusters(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's images ``[K * n, 1, F, T]`` for codes ``z`` ``[K * n, d]`` taken in
        blocks of ``n`` per cluster: the first ``n`` rows with ``y`` fixed to cluster 0, and
        so on (decoder samples per cluster, or each cluster's prototype at ``z = 0``)."""
        k = self.config.n_clusters
        if z.shape[0] % k:
            raise ValueError(f"need n codes per cluster, a multiple of {k}; got {z.shape[0]}")
        clusters = torch.arange(k).repeat_interleave(z.shape[0] // k)
        return self.decoder(torch.cat([z, F.one_hot(clusters, k).to(z.dtype)], dim=1))
