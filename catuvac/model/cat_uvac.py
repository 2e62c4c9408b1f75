"""Cat. UVAC: an unsupervised M2 with a Gumbel-Softmax categorical y and a Gaussian z."""

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

    def elbo(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        tau: float,
        views: ViewPair | None = None,
    ) -> tuple[ElboTerms, ModelOutput]:
        out = self(x, tau)
        terms = combine(
            self.reconstruction_error(out, x, mask),
            gaussian_kl(out.z_mean, out.z_logvar),
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
