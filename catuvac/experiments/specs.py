"""What one run is: the dataset, method, cluster count, seed, profile and every option that
changes the trained model, and the file names that keep each setting apart."""

from dataclasses import dataclass
from pathlib import Path

from catuvac.data import canonical_name
from catuvac.errors import unknown_option
from catuvac.evaluation.defaults import ELBO_LAMBDA, default_lambda
from catuvac.experiments.profiles import Profile
from catuvac.features import NORMALISERS, PAPER_FEATURES, PAPER_NORMALISER, feature_config_for
from catuvac.model.base import LATER_SETTINGS, ModelConfig
from catuvac.model.elbo import LAMBDA_PLACEMENTS
from catuvac.model.likelihoods import PAPER_LIKELIHOOD, check_likelihood
from catuvac.paths import results_dir, runs_dir
from catuvac.training.schedules import PAPER_TAU_END

RESULT_METHODS = ("labels", "kmeans", "uvac", "catuvac")
PAPER_CLUSTERS = {
    "audiomnist": (10,),
    "arabic-digits": (10,),
    "fsdd": (10,),
    "us8k": (10, 5),
    "tau2019": (10, 5),
}

MODEL_OPTIONS = (
    "likelihood",
    "entropy_weight",
    "capacity_nats",
    "capacity_weight",
    "consistency_weight",
    *LATER_SETTINGS,
)
"""The options beyond the paper that go to the model configuration, as the run spec, the
model configuration and the command line name them."""


@dataclass(frozen=True)
class RunSpec:
    """One cell of the grid: which data, method, cluster count, seed and final temperature;
    ``speaker_norm`` standardises the features per speaker first (every method);
    ``normaliser`` names the scaling to [0, 1] and ``features`` the feature pipeline (every
    method; ``"paper"`` is the dataset's own, :func:`~catuvac.features.feature_config_for`).
    For the trained methods,
    beyond the paper: ``marginal_weight`` weights the batch-marginal categorical KL (the
    balance term), ``likelihood`` the decoder's likelihood, and the weights of the extra
    terms on ``q(y|x)`` (:class:`~catuvac.model.objectives.ClusterObjective`). Each option
    away from the paper's setting appears in :attr:`name`."""

    dataset: str
    method: str
    n_clusters: int
    seed: int
    profile: str
    tau_end: float = PAPER_TAU_END
    lambda_weight: float | None = None  # None: the dataset's default (catuvac.evaluation.defaults)
    lambda_placement: str = "kl_y"
    speaker_norm: bool = False
    marginal_weight: float = 0.0
    likelihood: str = PAPER_LIKELIHOOD
    normaliser: str = PAPER_NORMALISER
    entropy_weight: float = 0.0
    capacity_nats: float = 0.0
    capacity_weight: float = 0.0
    consistency_weight: float = 0.0
    consistency_term: str = "iic"
    neighbours: int = 0
    neighbour_space: str = "features"
    neighbour_refresh: int = 0
    features: str = PAPER_FEATURES
    self_label_weight: float = 0.0
    self_label_threshold: float = ModelConfig.self_label_threshold

    def __post_init__(self) -> None:
        feature_config_for(self.dataset, self.features)
        if self.method not in RESULT_METHODS:
            raise unknown_option("method", self.method, RESULT_METHODS)
        if self.lambda_placement not in LAMBDA_PLACEMENTS:
            raise unknown_option("lambda placement", self.lambda_placement, LAMBDA_PLACEMENTS)
        if self.normaliser not in NORMALISERS:
            raise unknown_option("normaliser", self.normaliser, NORMALISERS)
        check_likelihood(self.likelihood)

    @property
    def trained(self) -> bool:
        """Whether the method trains a model (the VAEs), so model options apply."""
        return self.method in ("uvac", "catuvac")

    @property
    def model_options(self) -> dict[str, str | float]:
        """The spec's :data:`MODEL_OPTIONS`, as ``build_configs`` takes them."""
        return {name: getattr(self, name) for name in MODEL_OPTIONS}

    def beyond_paper_suffix(self) -> str:
        """The name part of the options beyond the paper (empty in the paper's setting)."""
        parts = []
        if self.trained:
            if self.marginal_weight:
                parts.append(f"marginal{self.marginal_weight:g}")
            if self.entropy_weight:
                parts.append(f"entropy{self.entropy_weight:g}")
            if self.capacity_weight:
                parts.append(f"capacity{self.capacity_nats:g}x{self.capacity_weight:g}")
            if self.consistency_weight:
                term = "" if self.consistency_term == "iic" else self.consistency_term
                parts.append(f"consistency{self.consistency_weight:g}{term}")
            if self.neighbours:
                space = f"z{self.neighbour_refresh}" if self.neighbour_space == "z" else ""
                parts.append(f"nn{self.neighbours}{space}")
            if self.self_label_weight:
                default = self.self_label_threshold == ModelConfig.self_label_threshold
                at = "" if default else f"at{self.self_label_threshold:g}"
                parts.append(f"selflabel{self.self_label_weight:g}{at}")
            if self.likelihood != PAPER_LIKELIHOOD:
                parts.append(self.likelihood)
        if self.normaliser != PAPER_NORMALISER:
            parts.append(f"norm{self.normaliser}")
        if feature_config_for(self.dataset, self.features).aligned:
            parts.append(self.features)
        return "".join(f"-{part}" for part in parts)

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
        at lambda = 1 before it), the options beyond the paper
        (:meth:`beyond_paper_suffix`, e.g. ``-marginal<w>`` for a weighted batch-marginal
        KL) and ``-spknorm`` for features normalised per speaker."""
        tau = f"-tau{self.tau_end:g}" if self.method == "catuvac" else ""
        custom = (
            self.lambda_weight is not None
            or self.lambda_placement != "kl_y"
            or self.weight != ELBO_LAMBDA
        )
        lam = ""
        if custom and self.trained:
            lam = f"-lambda{self.weight:g}-{self.lambda_placement}"
        lam += self.beyond_paper_suffix()
        speaker = "-spknorm" if self.speaker_norm else ""
        return f"{self.method}{tau}{lam}{speaker}-seed{self.seed}"

    def result_path(self, root: Path | None = None) -> Path:
        """``results/<profile>/<dataset>/k<K>/<name>.json`` (:attr:`name`)."""
        root = root or results_dir()
        return root / self.profile / self.dataset / f"k{self.n_clusters}" / f"{self.name}.json"

    def run_dir(self, root: Path | None = None) -> Path:
        """Checkpoint folder of a trained method under ``root`` (default ``runs/``)."""
        root = root or runs_dir()
        return root / self.profile / self.dataset / f"k{self.n_clusters}" / self.name


def grid(
    datasets: list[str],
    methods: list[str],
    seeds: list[int],
    profile: Profile,
    clusters: list[int] | None = None,
    tau_ends: list[float] | None = None,
    lambda_weight: float | None = None,
    lambda_placement: str = "kl_y",
    speaker_norm: bool = False,
    marginal_weight: float = 0.0,
    **beyond: str | float,
) -> list[RunSpec]:
    """Every run of a Table I style grid; clusters default to the paper's per dataset.

    The labels row needs no seed and no cluster count of its own: it is scored once per
    dataset, at the number of classes. Dataset names may be aliases (``urbansound8k``);
    an unknown one is an :class:`~catuvac.errors.UnknownOptionError`. ``beyond`` sets
    :class:`RunSpec`'s options beyond the paper (``likelihood``, ``normaliser``,
    ``entropy_weight``, ...) on every run; the labels row takes only the normaliser.
    """
    specs = []
    for dataset in map(canonical_name, datasets):
        if "labels" in methods:
            normaliser = str(beyond.get("normaliser", PAPER_NORMALISER))
            features = str(beyond.get("features", PAPER_FEATURES))
            specs.append(
                RunSpec(
                    dataset,
                    "labels",
                    10,
                    0,
                    profile.name,
                    speaker_norm=speaker_norm,
                    normaliser=normaliser,
                    features=features,
                )
            )
        # Seed-major order: an interrupted grid has every cell at the first seeds.
        for seed in seeds:
            for method in (m for m in methods if m != "labels"):
                taus = tau_ends if method == "catuvac" and tau_ends else [PAPER_TAU_END]
                specs += [
                    RunSpec(
                        dataset,
                        method,
                        k,
                        seed,
                        profile.name,
                        tau,
                        lambda_weight,
                        lambda_placement,
                        speaker_norm,
                        marginal_weight,
                        **beyond,
                    )
                    for k in clusters or PAPER_CLUSTERS[dataset]
                    for tau in taus
                ]
    return specs
