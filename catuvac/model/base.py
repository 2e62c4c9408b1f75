"""What every clustering VAE shares: its configuration, outputs and evaluation embedding."""

import math
from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from catuvac.errors import ConfigError, unknown_option
from catuvac.model.elbo import LAMBDA_PLACEMENTS, ElboTerms, batch_marginal_kl
from catuvac.model.likelihoods import PAPER_LIKELIHOOD, check_likelihood, reconstruction_nll
from catuvac.model.networks import check_input_size
from catuvac.model.objectives import (
    CONSISTENCY_TERMS,
    SELF_LABEL_THRESHOLD,
    ClusterObjective,
    ViewPair,
)

METHODS = ("catuvac", "uvac")
DEFAULT_CLUSTERS = 10
"""K when none is asked for: the number of digits, the paper's K for every dataset in its
first setting (the urban datasets also at K = 5)."""
DEFAULT_LATENT_DIM = 10
"""The size of z: the paper names a latent dimension but its value was lost from the text;
10 is UVAC's."""
Y_ESTIMATORS = ("gumbel", "exact")
"""How the ELBO's expectation over ``y`` is taken (Cat. UVAC): ``gumbel``, one relaxed
Gumbel-Softmax sample (the paper's), or ``exact``, the sum over the K values of ``y``
weighted by ``q(y|x)`` (the unlabelled M2 objective of Kingma et al., 2014)."""
NEIGHBOUR_SPACES = ("features", "z")
"""Where a clip's nearest neighbours are mined: its normalised input features, or the z
means of the model being trained (re-mined every ``neighbour_refresh`` epochs)."""
START_SPACES = ("features", "z")
"""What the K-means start of ``q(y|x)`` clusters: the normalised input features before
the first epoch (DeepCluster's first round), or the z means of the VAE after its first
``pseudo_label_after`` epochs (the VaDE and DEC recipe: y starts where z already is)."""


@dataclass(frozen=True)
class ModelConfig:
    """Model choices; the ones the paper leaves out have documented defaults.

    ``lambda_weight`` multiplies the ELBO term named by ``lambda_placement``. Beyond the
    paper (each zero or the paper's value by default): ``likelihood`` of the decoder
    (:mod:`~catuvac.model.likelihoods`), ``marginal_weight`` on the batch-marginal
    categorical KL (the balance term: it penalises uneven clusters but not confident
    assignments), ``entropy_weight`` on the mean ``H(q(y|x))``, a capacity target on KL_y
    and ``consistency_weight`` on the agreement of y across two views, measured by
    ``consistency_term`` (:mod:`~catuvac.model.objectives`). With ``neighbours`` of k > 0
    the second view of a clip is one of its k nearest neighbours (SCAN), mined without
    labels in ``neighbour_space`` (re-mined every ``neighbour_refresh`` epochs in z; the
    first epochs use the features), and both views are augmented; with 0 it is an
    augmentation of the clip itself (IIC). ``self_label_weight`` trains the augmented view
    of each clip whose ``q(y|x)`` exceeds ``self_label_threshold`` towards its argmax
    (SCAN's self-labelling; it uses the consistency term's views, so needs that term).
    ``pseudo_label_epochs`` > 0 trains ``q(y|x)`` for that many epochs to predict K-means'
    clusters of the training clips in ``pseudo_label_space`` (:data:`START_SPACES`):
    before the first epoch, or in z after ``pseudo_label_after`` epochs of the VAE
    (:mod:`catuvac.training.warm_start`).
    ``y_estimator`` is how the expectation over ``y`` is taken (:data:`Y_ESTIMATORS`).
    """

    method: str
    n_freq: int
    n_frames: int
    n_clusters: int = DEFAULT_CLUSTERS
    latent_dim: int = DEFAULT_LATENT_DIM
    lambda_weight: float = 1.0
    lambda_placement: str = "kl_y"
    logvar_limit: float = 10.0
    marginal_weight: float = 0.0
    likelihood: str = PAPER_LIKELIHOOD
    entropy_weight: float = 0.0
    capacity_nats: float = 0.0
    capacity_weight: float = 0.0
    consistency_weight: float = 0.0
    consistency_term: str = "iic"
    neighbours: int = 0
    neighbour_space: str = "features"
    neighbour_refresh: int = 0
    self_label_weight: float = 0.0
    self_label_threshold: float = SELF_LABEL_THRESHOLD
    pseudo_label_epochs: int = 0
    pseudo_label_space: str = "features"
    pseudo_label_after: int = 0
    y_estimator: str = "gumbel"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise unknown_option("method", self.method, METHODS)
        if self.lambda_placement not in LAMBDA_PLACEMENTS:
            raise unknown_option("lambda placement", self.lambda_placement, LAMBDA_PLACEMENTS)
        if self.n_clusters < 2:
            raise ConfigError(f"n_clusters must be at least 2, got {self.n_clusters}")
        if self.latent_dim < 1:
            raise ConfigError(f"latent_dim must be at least 1, got {self.latent_dim}")
        check_likelihood(self.likelihood)
        if self.consistency_term not in CONSISTENCY_TERMS:
            raise unknown_option("consistency term", self.consistency_term, CONSISTENCY_TERMS)
        if self.neighbour_space not in NEIGHBOUR_SPACES:
            raise unknown_option("neighbour space", self.neighbour_space, NEIGHBOUR_SPACES)
        if self.neighbours < 0 or self.neighbour_refresh < 0:
            raise ConfigError(
                "neighbours and neighbour_refresh must be >= 0, got "
                f"{self.neighbours} and {self.neighbour_refresh}"
            )
        if self.capacity_nats and not self.capacity_weight:
            raise ConfigError("a KL_y capacity needs its weight (--capacity-weight)")
        if self.self_label_weight and not self.consistency_weight:
            raise ConfigError("self-labelling needs the consistency term's views")
        if not 0.0 < self.self_label_threshold < 1.0:
            raise ConfigError(
                f"self_label_threshold must lie in (0, 1), got {self.self_label_threshold}"
            )
        if self.pseudo_label_epochs < 0:
            raise ConfigError(f"pseudo_label_epochs must be >= 0, got {self.pseudo_label_epochs}")
        if self.pseudo_label_epochs and self.method != "catuvac":
            raise ConfigError("a K-means start of q(y|x) needs Cat. UVAC's categorical encoder")
        if self.pseudo_label_space not in START_SPACES:
            raise unknown_option("K-means start space", self.pseudo_label_space, START_SPACES)
        if self.pseudo_label_after < 0:
            raise ConfigError(f"pseudo_label_after must be >= 0, got {self.pseudo_label_after}")
        in_z = self.pseudo_label_space == "z"
        if (in_z or self.pseudo_label_after) and not self.pseudo_label_epochs:
            raise ConfigError("a K-means start in z needs its epochs (pseudo_label_epochs)")
        if in_z != bool(self.pseudo_label_after):
            raise ConfigError(
                "a K-means start in z needs the VAE epochs before it (pseudo_label_after > 0), "
                "and only a start in z waits for them"
            )
        if self.y_estimator not in Y_ESTIMATORS:
            raise unknown_option("y estimator", self.y_estimator, Y_ESTIMATORS)
        if self.y_estimator != "gumbel" and self.method != "catuvac":
            raise ConfigError("only Cat. UVAC has a categorical y to sum over")
        if self.neighbour_space == "z" and not self.neighbour_refresh:
            raise ConfigError("neighbours mined in z need neighbour_refresh > 0 (epochs)")
        for name in (
            "lambda_weight",
            "marginal_weight",
            "entropy_weight",
            "capacity_nats",
            "capacity_weight",
            "consistency_weight",
            "self_label_weight",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"{name} must be a finite number >= 0, got {value}")
        check_input_size(self.n_freq, self.n_frames)

    def to_dict(self) -> dict:
        """Plain dictionary for checkpoints and result files; the neighbour settings are
        left out while off, so older checkpoints keep their identity."""
        defaults = {f.name: f.default for f in fields(self) if f.name in LATER_SETTINGS}
        return {
            key: value
            for key, value in asdict(self).items()
            if key not in defaults or value != defaults[key]
        }

    @property
    def cluster_objective(self) -> ClusterObjective:
        """The extra terms on ``q(y|x)`` this configuration weights (none: the paper's)."""
        return ClusterObjective(
            self.entropy_weight,
            self.capacity_nats,
            self.capacity_weight,
            self.consistency_weight,
            self.consistency_term,
            self.self_label_weight,
            self.self_label_threshold,
        )


LATER_SETTINGS = (
    "consistency_term",
    "neighbours",
    "neighbour_space",
    "neighbour_refresh",
    "self_label_weight",
    "self_label_threshold",
    "pseudo_label_epochs",
    "pseudo_label_space",
    "pseudo_label_after",
    "y_estimator",
)
"""The options added with neighbour pairing, self-labelling, the K-means start (in the
features or in z) and the exact sum over y; older configurations meant their defaults."""


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
    z_logvar: torch.Tensor | None = None  # q(z|x, argmax y)'s, for the KL per dimension

    @property
    def clusters(self) -> torch.Tensor:
        """Hard cluster assignment: the most probable class."""
        return self.cluster_probs.argmax(dim=1)


class ClusteringVAE(nn.Module):
    """Interface shared by Cat. UVAC and UVAC, so training and evaluation treat them alike."""

    config: ModelConfig
    learned_log_sigma: nn.Parameter | None  # the 'gaussian' likelihood's only

    def init_likelihood(self) -> None:
        """A shared log-sigma parameter when the likelihood learns one (``gaussian``);
        other likelihoods add no parameter, so older checkpoints load unchanged."""
        learned = self.config.likelihood == "gaussian"
        self.register_parameter(
            "learned_log_sigma", nn.Parameter(torch.tensor(-1.0)) if learned else None
        )

    def elbo(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        tau: float,
        views: ViewPair | None = None,
    ) -> tuple[ElboTerms, ModelOutput]:
        """The weighted negative ELBO of a batch (plus the configuration's extra terms on
        ``q(y|x)``; ``views`` are the consistency term's two views) and the forward pass
        behind it."""
        raise NotImplementedError

    def assign(self, x: torch.Tensor) -> torch.Tensor:
        """``q(y|x)`` (or the responsibilities) of a batch, with gradients: what the
        consistency term compares across views."""
        raise NotImplementedError

    def reconstruction_error(self, out: ModelOutput, x: torch.Tensor, mask: torch.Tensor):
        """``-log p(x | y, z)`` per clip under the configured likelihood."""
        return reconstruction_nll(
            out.reconstruction, x, mask, self.config.likelihood, self.learned_log_sigma
        )

    def add_cluster_terms(
        self, terms: ElboTerms, probs: torch.Tensor, views: ViewPair | None
    ) -> ElboTerms:
        """``terms`` with the configuration's extra objective on ``q(y|x)`` added; ``probs``
        are the batch's assignments in the ELBO, which stand for a missing first view."""
        objective = self.config.cluster_objective
        if not objective.active:
            return terms
        assigned = own_view = None
        if views is not None:
            first = probs if views.first is None else self.assign(views.first)
            assigned = (first, self.assign(views.second))
            own_view = assigned[1] if views.first is None else assigned[0]
        extra, parts = objective.loss(probs, terms.kl_y, assigned, own_view)
        if assigned is not None and self.config.neighbours and self.config.marginal_weight:
            # The balance must hold where the pairs are compared too: weighted on the clean
            # batch alone, every augmented view can fall into one cluster, where the pairs
            # agree perfectly (measured: a single cluster at evaluation).
            parts["view_marginal_kl"] = batch_marginal_kl(torch.cat(assigned))
            extra = extra + self.config.marginal_weight * parts["view_marginal_kl"]
        terms.loss = terms.loss + extra
        terms.extra = parts
        return terms

    def embed(self, x: torch.Tensor) -> Embedding:
        """Cluster probabilities and latent means without sampling noise."""
        raise NotImplementedError

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """The decoder's mean for the deterministic code: the z mean and, for Cat. UVAC,
        the argmax of ``q(y|x)`` (the reconstruction the check of each run scores)."""
        raise NotImplementedError


@torch.no_grad()
def embed_batches(
    model: "ClusteringVAE",
    features: torch.Tensor,
    batch_size: int = 128,
    device: torch.device | None = None,
) -> Embedding:
    """:meth:`ClusteringVAE.embed` of every clip of ``features`` ``[N, 1, F, T]``, in eval
    mode and in batches on ``device`` (default: the model's), gathered on the CPU."""
    device = device or next(model.parameters()).device
    model.eval()
    parts = [
        model.embed(features[start : start + batch_size].to(device))
        for start in range(0, len(features), batch_size)
    ]
    return Embedding(
        torch.cat([p.cluster_probs for p in parts]).cpu(),
        torch.cat([p.z_mean for p in parts]).cpu(),
        torch.cat([p.z_logvar for p in parts]).cpu(),
    )


def reparameterise(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """``z = mean + sigma * eps`` with ``eps ~ N(0, I)``."""
    return mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
