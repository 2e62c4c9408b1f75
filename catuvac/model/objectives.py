"""Terms for ``q(y|x)`` beside the paper's (this project's, not the paper's).

Averaged over clips, the paper's ``KL(q(y|x) || U)`` is ``I(x; y) + KL(mean q || U)``: a
weight on it charges for the information y carries as much as for imbalance. These terms
keep the two apart (IMSAT, Hu et al. 2017), set a capacity for KL_y (JointVAE, Dupont 2018)
and ask y to agree across two augmented views of a clip (IIC, Ji et al. 2019).
"""

from dataclasses import dataclass

import torch

EPS = 1e-10


def mean_entropy(probs: torch.Tensor) -> torch.Tensor:
    """``mean_x H(q(y|x))``: low when each clip is assigned confidently."""
    return -(probs * (probs + EPS).log()).sum(dim=1).mean()


def view_mutual_information(probs: torch.Tensor, probs_other: torch.Tensor) -> torch.Tensor:
    """``I(y; y')`` of the cluster assignments of two views of the same clips (IIC): the
    joint is the batch mean of ``q(y|x) q(y'|x')^T``, symmetrised."""
    joint = (probs[:, :, None] * probs_other[:, None, :]).mean(dim=0)
    joint = ((joint + joint.T) / 2).clamp_min(EPS)
    row, column = joint.sum(dim=1, keepdim=True), joint.sum(dim=0, keepdim=True)
    return (joint * (joint.log() - row.log() - column.log())).sum()


@dataclass(frozen=True)
class ClusterObjective:
    """Weights of the extra terms; all zero is the paper's objective.

    ``entropy`` weights the mean ``H(q(y|x))`` (with the balance term, the model
    configuration's ``marginal_weight`` on ``KL(mean_batch q || U)``, the IMSAT form),
    ``capacity_weight * |KL_y - capacity|`` is the JointVAE form, and ``consistency``
    rewards ``I(y; y')`` across augmented views.
    """

    entropy: float = 0.0
    capacity: float = 0.0
    capacity_weight: float = 0.0
    consistency: float = 0.0

    @property
    def active(self) -> bool:
        return any((self.entropy, self.capacity_weight, self.consistency))

    def loss(
        self,
        probs: torch.Tensor,
        kl_y: torch.Tensor,
        probs_augmented: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The weighted extra loss of a batch and its unweighted parts, for logging.

        ``kl_y`` is the batch mean of the per-clip categorical KL; ``probs_augmented`` is
        ``q(y|x')`` of an augmented view, needed when ``consistency > 0``."""
        parts: dict[str, torch.Tensor] = {}
        total = probs.new_zeros(())
        if self.entropy:
            parts["mean_entropy"] = mean_entropy(probs)
            total = total + self.entropy * parts["mean_entropy"]
        if self.capacity_weight:
            parts["capacity_gap"] = (kl_y - self.capacity).abs()
            total = total + self.capacity_weight * parts["capacity_gap"]
        if self.consistency:
            if probs_augmented is None:
                raise ValueError("the consistency term needs q(y|x) of an augmented view")
            parts["view_information"] = view_mutual_information(probs, probs_augmented)
            total = total - self.consistency * parts["view_information"]
        return total, parts
