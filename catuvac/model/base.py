"""What every clustering VAE shares: its configuration, outputs and evaluation embedding."""

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from catuvac.errors import unknown_option
from catuvac.model.elbo import LAMBDA_PLACEMENTS, ElboTerms
from catuvac.model.networks import check_input_size

METHODS = ("catuvac", "uvac")


@dataclass(frozen=True)
class ModelConfig:
    """Model choices; the ones the paper leaves out have documented defaults.

    ``lambda_weight`` multiplies the ELBO term named by ``lambda_placement``;
    ``marginal_weight`` (ours, not the paper's) adds that multiple of the batch-marginal
    categorical KL, which penalises uneven clusters but not confident assignments.
    """

    method: str
    n_freq: int
    n_frames: int
    n_clusters: int = 10
    latent_dim: int = 10
    lambda_weight: float = 1.0
    lambda_placement: str = "kl_y"
    logvar_limit: float = 10.0
    marginal_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise unknown_option("method", self.method, METHODS)
        if self.lambda_placement not in LAMBDA_PLACEMENTS:
            raise unknown_option("lambda placement", self.lambda_placement, LAMBDA_PLACEMENTS)
        if self.n_clusters < 2:
            raise ValueError(f"n_clusters must be at least 2, got {self.n_clusters}")
        if self.latent_dim < 1:
            raise ValueError(f"latent_dim must be at least 1, got {self.latent_dim}")
        for name in ("lambda_weight", "marginal_weight"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        check_input_size(self.n_freq, self.n_frames)

    def to_dict(self) -> dict:
        """Plain dictionary for checkpoints and result files."""
        return asdict(self)


@dataclass
class ModelOutput:
    """One forward pass: the reconstruction, cluster probabilities and the Gaussian latent."""

    reconstruction: torch.Tensor
    cluster_probs: torch.Tensor
    z: torch.Tensor
    z_mean: torch.Tensor
    z_logvar: torch.Tensor


@dataclass
class Embedding:
    """Deterministic evaluation view of a batch: ``q(y|x)`` (or responsibilities) and z means."""

    cluster_probs: torch.Tensor
    z_mean: torch.Tensor

    @property
    def clusters(self) -> torch.Tensor:
        """Hard cluster assignment: the most probable class."""
        return self.cluster_probs.argmax(dim=1)


class ClusteringVAE(nn.Module):
    """Interface shared by Cat. UVAC and UVAC, so training and evaluation treat them alike."""

    config: ModelConfig

    def elbo(
        self, x: torch.Tensor, mask: torch.Tensor, tau: float
    ) -> tuple[ElboTerms, ModelOutput]:
        """The weighted negative ELBO of a batch and the forward pass behind it."""
        raise NotImplementedError

    def embed(self, x: torch.Tensor) -> Embedding:
        """Cluster probabilities and latent means without sampling noise."""
        raise NotImplementedError


def reparameterise(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """``z = mean + sigma * eps`` with ``eps ~ N(0, I)``."""
    return mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
