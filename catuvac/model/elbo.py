"""The masked ELBO of eq. 7, term by term, and where the fixed weight lambda goes."""

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from catuvac.errors import unknown_option

LAMBDA_PLACEMENTS = ("kl_y", "kl_z", "reconstruction")


@dataclass
class ElboTerms:
    """Batch means of the three terms (all >= 0, to be minimised) and the weighted loss."""

    reconstruction: torch.Tensor
    kl_z: torch.Tensor
    kl_y: torch.Tensor
    loss: torch.Tensor
    marginal_kl: torch.Tensor | None = None  # only when the loss weights it (ours)
    extra: dict[str, torch.Tensor] = field(default_factory=dict)  # ours: objectives.py

    def as_floats(self) -> dict[str, float]:
        """Plain numbers for logging."""
        values = {
            "loss": float(self.loss.detach()),
            "reconstruction": float(self.reconstruction.detach()),
            "kl_z": float(self.kl_z.detach()),
            "kl_y": float(self.kl_y.detach()),
        }
        if self.marginal_kl is not None:
            values["marginal_kl"] = float(self.marginal_kl.detach())
        values.update({name: float(value.detach()) for name, value in self.extra.items()})
        return values


def masked_reconstruction(
    reconstruction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Per-clip binary cross-entropy summed over real frames only: ``-log p(x | y, z)``.

    ``mask`` is ``[B, T]``; padding and voice-inactive frames contribute nothing.
    """
    error = F.binary_cross_entropy(reconstruction, target, reduction="none")
    return (error * mask[:, None, None, :].to(error.dtype)).sum(dim=(1, 2, 3))


def gaussian_kl(
    mean: torch.Tensor,
    logvar: torch.Tensor,
    prior_mean: torch.Tensor | float = 0.0,
    prior_logvar: torch.Tensor | float = 0.0,
) -> torch.Tensor:
    """``KL(N(mean, e^logvar) || N(prior_mean, e^prior_logvar))`` summed over the last axis."""
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mean.dtype, device=mean.device)
    ratio = torch.exp(logvar - prior_logvar)
    gap = (mean - prior_mean) ** 2 / torch.exp(prior_logvar)
    return 0.5 * (ratio + gap - 1.0 - logvar + prior_logvar).sum(dim=-1)


def categorical_kl_uniform(probs: torch.Tensor, eps: float = 1e-10) -> torch.Tensor:
    """``KL(q(y|x) || Cat(1/K)) = sum_k q_k log(K q_k)`` per clip.

    With a relaxed (Gumbel-Softmax) sample elsewhere in the ELBO this analytic term is
    standard practice rather than a strict bound.
    """
    n_classes = probs.shape[-1]
    return (probs * (torch.log(probs + eps) + math.log(n_classes))).sum(dim=-1)


def batch_marginal_kl(cluster_probs: torch.Tensor) -> torch.Tensor:
    """``KL(mean_batch q(y|x) || Cat(1/K))``: the part of the categorical KL that measures
    how unevenly a batch spreads over the clusters, without the information ``I(x; y)``."""
    return categorical_kl_uniform(cluster_probs.mean(dim=0))


def combine(
    reconstruction: torch.Tensor,
    kl_z: torch.Tensor,
    kl_y: torch.Tensor,
    lambda_weight: float,
    placement: str,
    cluster_probs: torch.Tensor | None = None,
    marginal_weight: float = 0.0,
) -> ElboTerms:
    """Average per-clip terms over the batch and weight one of them by lambda.

    With ``marginal_weight > 0`` (this project's addition, not the paper's) the loss also
    gets ``marginal_weight * KL(mean_batch q(y|x) || U)`` of ``cluster_probs``.
    """
    if placement not in LAMBDA_PLACEMENTS:
        raise unknown_option("lambda placement", placement, LAMBDA_PLACEMENTS)
    terms = {
        "reconstruction": reconstruction.mean(),
        "kl_z": kl_z.mean(),
        "kl_y": kl_y.mean(),
    }
    weights = {name: lambda_weight if name == placement else 1.0 for name in terms}
    loss = sum(weights[name] * value for name, value in terms.items())
    marginal = None
    if marginal_weight > 0:
        marginal = batch_marginal_kl(cluster_probs)
        loss = loss + marginal_weight * marginal
    return ElboTerms(terms["reconstruction"], terms["kl_z"], terms["kl_y"], loss, marginal)
