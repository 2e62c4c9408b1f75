"""What one run is, declared once: :class:`RunSpec` holds the dataset, method, cluster
count, seed and profile (the grid) and every option that changes what is trained, each
field carrying its help text, its concern (data, model, objective, training), whether it
is one of the paper's settings or this project's, and how a value away from its default
is named in the run's file name. The command line (:mod:`catuvac.cli_options`), the
configurations a run trains with (:func:`catuvac.experiments.reproduce.build_configs`),
the file names and :attr:`catuvac.records.store.results.Result.beyond_paper` are all derived
from these fields: adding an option is one field here plus the code that acts on it."""

from collections.abc import Mapping
from dataclasses import Field, dataclass, fields
from pathlib import Path
from typing import Any

from catuvac.errors import ConfigError, unknown_option
from catuvac.features import NORMALISERS, PAPER_FEATURES, PAPER_NORMALISER, feature_config_for
from catuvac.features.config import feature_names
from catuvac.model.base import (
    METHODS,
    NEIGHBOUR_SPACES,
    START_SPACES,
    Y_ESTIMATORS,
    ModelConfig,
)
from catuvac.model.elbo import LAMBDA_PLACEMENTS
from catuvac.model.likelihoods import LIKELIHOODS, PAPER_LIKELIHOOD, check_likelihood
from catuvac.model.objectives import CONSISTENCY_TERMS, SELF_LABEL_THRESHOLD
from catuvac.paths import results_dir, runs_dir
from catuvac.training.lambdas import ELBO_LAMBDA, default_lambda
from catuvac.training.option_names import (
    consistency_part,
    neighbours_part,
    self_label_part,
    start_part,
)
from catuvac.training.options import declare
from catuvac.training.schedules import PAPER_TAU_END, SCHEDULE_SHAPES
from catuvac.training.trainer import TrainConfig

RESULT_METHODS = ("labels", "kmeans", "uvac", "catuvac")


@dataclass(frozen=True)
class RunSpec:
    """One cell of the grid, and every option of its run (see the module docstring). The
    options away from their defaults appear in :attr:`name`, in the order declared."""

    dataset: str
    method: str
    n_clusters: int
    seed: int
    profile: str
    # The paper's settings (never listed as beyond it; named by :attr:`name` itself).
    tau_end: float = declare(
        PAPER_TAU_END,
        "final Gumbel-Softmax temperature (Cat. UVAC)",
        "training",
        kind="positive",
        ours=False,
        sweep=True,
        listed=False,
    )
    lambda_weight: float | None = declare(
        None,
        "fixed weight on one ELBO term; default: the dataset's",
        "objective",
        kind="weight",
        ours=False,
        flag="--lambda",
        listed=False,
    )
    lambda_placement: str = declare(
        "kl_y",
        "the ELBO term lambda weighs",
        "objective",
        kind="choice",
        ours=False,
        choices=LAMBDA_PLACEMENTS,
        listed=False,
    )
    # This project's options, in the order their names appear in file names.
    marginal_weight: float = declare(
        0.0,
        "weight on KL(batch mean of q(y|x) || uniform), the balance term",
        "objective",
        kind="weight",
        name=lambda s: f"marginal{s.marginal_weight:g}",
    )
    entropy_weight: float = declare(
        0.0,
        "weight on the mean entropy of q(y|x)",
        "objective",
        kind="weight",
        name=lambda s: f"entropy{s.entropy_weight:g}",
    )
    capacity_nats: float = declare(
        0.0,
        "target in nats for KL_y (with --capacity-weight)",
        "objective",
        kind="weight",
        parent="capacity_weight",
        flag="--capacity",
    )
    capacity_weight: float = declare(
        0.0,
        "weight on |KL_y - capacity|",
        "objective",
        kind="weight",
        name=lambda s: f"capacity{s.capacity_nats:g}x{s.capacity_weight:g}",
    )
    consistency_weight: float = declare(
        0.0,
        "weight on the agreement of two views",
        "objective",
        kind="weight",
        name=consistency_part,
    )
    consistency_term: str = declare(
        "iic",
        "how two views must agree: iic (their mutual information) or scan (the log of the "
        "dot product of their assignments)",
        "objective",
        kind="choice",
        choices=CONSISTENCY_TERMS,
        parent="consistency_weight",
        listed=False,
    )
    neighbours: int = declare(
        0,
        "k > 0: the consistency term's second view is one of a clip's k nearest "
        "neighbours, both views augmented (SCAN); 0: an augmentation of the clip",
        "objective",
        kind="count",
        name=neighbours_part,
    )
    neighbour_space: str = declare(
        "features",
        "where neighbours are mined: the normalised features or the model's z means",
        "objective",
        kind="choice",
        choices=NEIGHBOUR_SPACES,
        parent="neighbours",
        listed=False,
    )
    neighbour_refresh: int = declare(
        0,
        "mine the neighbours again in z every this many epochs (with --neighbour-space z)",
        "objective",
        kind="count",
        parent="neighbours",
        listed=False,
    )
    self_label_weight: float = declare(
        0.0,
        "weight on training each confident clip's augmented view towards its own cluster "
        "(SCAN's self-labelling; needs --consistency-weight)",
        "objective",
        kind="weight",
        name=self_label_part,
    )
    self_label_threshold: float = declare(
        SELF_LABEL_THRESHOLD,
        "max q(y|x) above which a clip trains its augmented view towards its cluster",
        "objective",
        kind="probability",
        parent="self_label_weight",
    )
    pseudo_label_epochs: int = declare(
        0,
        "epochs of training q(y|x) to predict K-means' clusters of the training clips, before "
        "the VAE's (DeepCluster's first round) or on z (see --pseudo-label-space); Cat. "
        "UVAC; 0: a random start",
        "training",
        kind="count",
        name=start_part,
    )
    pseudo_label_space: str = declare(
        "features",
        "what the K-means start clusters: the normalised features before the first epoch, "
        "or the VAE's z means after --pseudo-label-after epochs (VaDE's and DEC's start)",
        "training",
        kind="choice",
        choices=START_SPACES,
        parent="pseudo_label_epochs",
        listed=False,
    )
    pseudo_label_after: int = declare(
        0,
        "epochs of the VAE before the K-means start in z (with --pseudo-label-space z)",
        "training",
        kind="count",
        parent="pseudo_label_epochs",
        listed=False,
    )
    y_estimator: str = declare(
        "gumbel",
        "how the ELBO's expectation over y is taken (Cat. UVAC): gumbel, one relaxed sample "
        "(the paper's), or exact, the sum over the K clusters weighted by q(y|x) (M2's)",
        "model",
        kind="choice",
        choices=Y_ESTIMATORS,
        name=lambda s: f"y{s.y_estimator}",
    )
    likelihood: str = declare(
        PAPER_LIKELIHOOD,
        "decoder likelihood; bce is the paper's, the Gaussians are calibrated",
        "model",
        kind="choice",
        choices=LIKELIHOODS,
        name=lambda s: s.likelihood,
    )
    normaliser: str = declare(
        PAPER_NORMALISER,
        "scaling to [0, 1]: minmax (the paper's) or the 0.5-99.5 percentile range",
        "data",
        kind="choice",
        choices=NORMALISERS,
        trained=False,
        name=lambda s: f"norm{s.normaliser}",
    )
    features: str = declare(
        PAPER_FEATURES,
        "feature pipeline: paper (the dataset's own, the paper's) or a word-aligned one "
        "for spoken digits (word-logmel32, word-mfcc32-cmvn, word-mfcc32)",
        "data",
        kind="choice",
        choices=tuple(feature_names()),
        trained=False,
        name=lambda s: s.features,
    )
    latent_dim: int = declare(
        ModelConfig.latent_dim,
        "size of the Gaussian latent z",
        "model",
        kind="size",
        ours=False,
        name=lambda s: f"latent{s.latent_dim}",
    )
    tau_shape: str = declare(
        TrainConfig.tau_shape,
        "temperature schedule",
        "training",
        kind="choice",
        ours=False,
        choices=SCHEDULE_SHAPES,
        name=lambda s: f"schedule{s.tau_shape}",
    )
    epochs: int | None = declare(
        None,
        "training epochs; default: the profile's",
        "training",
        kind="size",
        ours=False,
        name=lambda s: f"epochs{s.epochs}",
    )
    speaker_norm: bool = declare(
        False,
        "standardise each speaker's features with its own statistics first (no labels)",
        "data",
        kind="flag",
        trained=False,
        name=lambda s: "spknorm",
        listed=False,
    )

    def __post_init__(self) -> None:
        feature_config_for(self.dataset, self.features)
        if self.method not in RESULT_METHODS:
            raise unknown_option("method", self.method, RESULT_METHODS)
        if self.lambda_placement not in LAMBDA_PLACEMENTS:
            raise unknown_option("lambda placement", self.lambda_placement, LAMBDA_PLACEMENTS)
        if self.normaliser not in NORMALISERS:
            raise unknown_option("normaliser", self.normaliser, NORMALISERS)
        check_likelihood(self.likelihood)
        if self.method == "uvac":
            for name, text in (("tau_end", "--tau-end"), ("tau_shape", "--tau-shape")):
                if getattr(self, name) != run_option(name).default:
                    raise ConfigError(
                        f"UVAC has no Gumbel-Softmax temperature; {text} is Cat. UVAC's"
                    )

    @classmethod
    def from_stored(cls, spec: Mapping[str, Any]) -> "RunSpec":
        """The spec a result file stores (older files lack the later options: their
        defaults, which is what those runs used)."""
        return cls(**spec)

    @property
    def trained(self) -> bool:
        """Whether the method trains a model (the VAEs), so model options apply."""
        return self.method in METHODS

    def applies(self, option: Field) -> bool:
        """Whether ``option`` acts on this run (:func:`option_applies`)."""
        return option_applies(vars(self), option)

    def beyond_paper(self) -> dict[str, Any]:
        """:func:`beyond_paper` of this run."""
        return beyond_paper(vars(self))

    def beyond_paper_suffix(self) -> str:
        """The name parts of the options set away from their defaults (empty in the
        paper's setting), in the order they are declared."""
        return "".join(
            f"-{option.metadata['name'](self)}"
            for option in run_options()
            if option.metadata["name"] is not None and self.applies(option)
        )

    @property
    def weight(self) -> float:
        """The lambda this spec trains with: its own, else the dataset's default."""
        if self.lambda_weight is None:
            return default_lambda(self.dataset, self.n_clusters)
        return self.lambda_weight

    @property
    def name(self) -> str:
        """File stem; the temperature appears only for Cat. UVAC, the one method it affects,
        lambda for a trained method whenever it is named or is not the ELBO's own weight 1
        (so runs at a default lambda chosen later never take the names of the runs trained
        at lambda = 1 before it), then each option set away from its default
        (:meth:`beyond_paper_suffix`, e.g. ``-marginal<w>`` for a weighted batch-marginal
        KL, ``-spknorm`` for features normalised per speaker)."""
        tau = f"-tau{self.tau_end:g}" if self.method == "catuvac" else ""
        custom = (
            self.lambda_weight is not None
            or self.lambda_placement != "kl_y"
            or self.weight != ELBO_LAMBDA
        )
        lam = f"-lambda{self.weight:g}-{self.lambda_placement}" if custom and self.trained else ""
        return f"{self.method}{tau}{lam}{self.beyond_paper_suffix()}-seed{self.seed}"

    def result_path(self, root: Path | None = None) -> Path:
        """``results/<profile>/<dataset>/k<K>/<name>.json`` (:attr:`name`)."""
        root = root or results_dir()
        return root / self.profile / self.dataset / f"k{self.n_clusters}" / f"{self.name}.json"

    def run_dir(self, root: Path | None = None) -> Path:
        """Checkpoint folder of a trained method under ``root`` (default ``runs/``)."""
        root = root or runs_dir()
        return root / self.profile / self.dataset / f"k{self.n_clusters}" / self.name

    def options(self, group: str | None = None) -> dict[str, Any]:
        """The run options' values (those of one ``group`` when given)."""
        return {
            o.name: getattr(self, o.name)
            for o in run_options()
            if group is None or o.metadata["group"] == group
        }


def run_options() -> tuple[Field, ...]:
    """The declared run options: every field of :class:`RunSpec` but the grid's."""
    return tuple(f for f in fields(RunSpec) if "group" in f.metadata)


def run_option(name: str) -> Field:
    """The declared run option ``name``."""
    return next(f for f in run_options() if f.name == name)


def option_applies(spec: Mapping[str, Any], option: Field) -> bool:
    """Whether ``option`` acts on the run a spec (a mapping of its fields; those missing
    take their defaults) describes: set away from its default, on a method it applies to,
    with the option it qualifies (its parent) set."""
    meta = option.metadata
    if meta["trained"] and spec.get("method") not in METHODS:
        return False
    if meta["parent"] is not None and not option_applies(spec, run_option(meta["parent"])):
        return False
    return spec.get(option.name, option.default) != option.default


def beyond_paper(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The options away from the paper's setting that a spec's run used, by field name
    (empty in the paper's setting; the paper's own lambda and final temperature are its
    settings, never listed): each listed option set away from its default, and each
    qualifier of an option that is set (a capacity's target, a threshold). A stored spec
    may be a mapping from before an option existed: it then had the option's default."""
    listed = {}
    for option in run_options():
        meta = option.metadata
        if not meta["listed"]:
            continue
        parent = meta["parent"]
        if option_applies(spec, run_option(parent) if parent else option):
            listed[option.name] = spec.get(option.name, option.default)
    return listed
