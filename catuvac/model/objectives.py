"""Terms for ``q(y|x)`` beside the paper's (this project's, not the paper's).

Averaged over clips, the paper's ``KL(q(y|x) || U)`` is ``I(x; y) + KL(mean q || U)``: a
weight on it charges for the information y carries as much as for imbalance. These terms
keep the two apart (IMSAT, Hu et al. 2017), set a capacity for KL_y (JointVAE, Dupont 2018)
and ask y to agree across two views: a clip and an augmentation of it, through their mutual
information (IIC, Ji et al. 2019), or a clip and one of its nearest neighbours, both
augmented, through the log of the dot product of their assignments (SCAN, Van Gansbeke et
al. 2020); and it can train each confidently assigned clip's augmented view towards that
assignment (self-labelling: SCAN's second step, FixMatch's pseudo-labels).
"""

from dataclasses import dataclass

import torch

from catuvac.errors import unknown_option

EPS = 1e-10
CONSISTENCY_TERMS = ("iic", "scan")
"""How two views' assignments are made to agree: their mutual information ``I(y; y')`` over
the batch (IIC) or ``mean log q(y|v1) . q(y|v2)`` per pair (SCAN)."""
SELF_LABEL_THRESHOLD = 0.95
"""The max q(y|x) above which a clip labels itself by default (FixMatch's threshold)."""


@dataclass
class ViewPair:
    """The two views the consistency term compares: ``first`` (``None``: the clip itself,
    as the ELBO saw it) and ``second``, each ``[B, 1, F, T]``, row by row a pair."""

    first: torch.Tensor | None
    second: torch.Tensor


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


def pair_agreement(probs: torch.Tensor, probs_other: torch.Tensor) -> torch.Tensor:
    """SCAN's ``mean log(q(y|v1) . q(y|v2))`` over pairs: 0 when both views of every pair
    are assigned the same cluster with certainty, very negative when they disagree."""
    return (probs * probs_other).sum(dim=1).clamp_min(EPS).log().mean()


def self_label_loss(
    probs: torch.Tensor, probs_view: torch.Tensor, threshold: float
) -> torch.Tensor:
    """Cross-entropy of the augmented views ``probs_view`` against the argmax of the clips'
    own ``probs`` where its maximum exceeds ``threshold``, each cluster's clips weighted by
    the inverse of their count among the confident ones (SCAN's balance), so that a large
    cluster cannot grow by labelling itself; 0 when no clip is confident."""
    confidence, target = probs.detach().max(dim=1)
    confident = confidence > threshold
    if not confident.any():
        return probs_view.new_zeros(())
    target = target[confident]
    counts = torch.bincount(target, minlength=probs.shape[1]).to(probs_view.dtype)
    weights = torch.where(counts > 0, 1.0 / counts.clamp_min(1.0), torch.zeros_like(counts))
    log_q = probs_view[confident].clamp_min(EPS).log()
    return torch.nn.functional.nll_loss(log_q, target, weight=weights)


@dataclass(frozen=True)
class ClusterObjective:
    """Weights of the extra terms; all zero is the paper's objective.

    ``entropy`` weights the mean ``H(q(y|x))`` (with the balance term, the model
    configuration's ``marginal_weight`` on ``KL(mean_batch q || U)``, the IMSAT form),
    ``capacity_weight * |KL_y - capacity|`` is the JointVAE form, and ``consistency``
    rewards the agreement of two views' assignments, measured by ``consistency_term``
    (:data:`CONSISTENCY_TERMS`); ``self_label`` weights :func:`self_label_loss` at
    ``self_label_threshold``.
    """

    entropy: float = 0.0
    capacity: float = 0.0
    capacity_weight: float = 0.0
    consistency: float = 0.0
    consistency_term: str = "iic"
    self_label: float = 0.0
    self_label_threshold: float = SELF_LABEL_THRESHOLD

    def __post_init__(self) -> None:
        if self.consistency_term not in CONSISTENCY_TERMS:
            raise unknown_option("consistency term", self.consistency_term, CONSISTENCY_TERMS)

    @property
    def active(self) -> bool:
        return any((self.entropy, self.capacity_weight, self.consistency, self.self_label))

    def loss(
        self,
        probs: torch.Tensor,
        kl_y: torch.Tensor,
        views: tuple[torch.Tensor, torch.Tensor] | None = None,
        own_view: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The weighted extra loss of a batch and its unweighted parts, for logging.

        ``kl_y`` is the batch mean of the per-clip categorical KL; ``views`` holds the
        assignments of the two views of each pair (:class:`ViewPair`), needed when
        ``consistency > 0``; ``own_view`` those of an augmentation of each clip itself,
        needed when ``self_label > 0``."""
        parts: dict[str, torch.Tensor] = {}
        total = probs.new_zeros(())
        if self.entropy:
            parts["mean_entropy"] = mean_entropy(probs)
            total = total + self.entropy * parts["mean_entropy"]
        if self.capacity_weight:
            parts["capacity_gap"] = (kl_y - self.capacity).abs()
            total = total + self.capacity_weight * parts["capacity_gap"]
        if self.consistency:
            if views is None:
                raise ValueError("the consistency term needs q(y|x) of two views")
            if self.consistency_term == "iic":
                parts["view_information"] = view_mutual_information(*views)
                total = total - self.consistency * parts["view_information"]
            else:
                parts["pair_agreement"] = pair_agreement(*views)
                total = total - self.consistency * parts["pair_agreement"]
        if self.self_label:
            if own_view is None:
                raise ValueError("self-labelling needs q(y|x) of an augmentation of each clip")
            parts["self_label"] = self_label_loss(probs, own_view, self.self_label_threshold)
            total = total + self.self_label * parts["self_label"]
        return total, parts
