"""One Table I cell per run: train or fit a method, score it, store a result file."""

import json
import time
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path

import numpy as np
import torch

from catuvac.atomic import write_json
from catuvac.data import canonical_name
from catuvac.errors import ConfigError, unknown_option
from catuvac.evaluation.collapse import TRAIN_CLUSTERS_KEY, cluster_spread
from catuvac.evaluation.defaults import ELBO_LAMBDA, default_lambda
from catuvac.evaluation.embedding import embed, own_space, score
from catuvac.experiments.baselines import KMeansBaseline
from catuvac.experiments.prepare import PreparedData, prepare_data
from catuvac.experiments.profiles import Profile, get_profile
from catuvac.features import Normaliser, default_device, feature_config_for
from catuvac.model import ModelConfig
from catuvac.model.elbo import LAMBDA_PLACEMENTS
from catuvac.paths import results_dir, runs_dir
from catuvac.records.provenance import environment, git_revision
from catuvac.records.results import ARRAYS_KEY, save_result
from catuvac.training.trainer import TrainConfig, load_trained, train

RESULT_METHODS = ("labels", "kmeans", "uvac", "catuvac")
PAPER_CLUSTERS = {
    "audiomnist": (10,),
    "arabic-digits": (10,),
    "fsdd": (10,),
    "us8k": (10, 5),
    "tau2019": (10, 5),
}


@dataclass(frozen=True)
class RunSpec:
    """One cell of the grid: which data, method, cluster count, seed and final temperature;
    ``speaker_norm`` standardises the features per speaker first (every method);
    ``marginal_weight`` weights the batch-marginal categorical KL (ours; trained methods)."""

    dataset: str
    method: str
    n_clusters: int
    seed: int
    profile: str
    tau_end: float = 0.5
    lambda_weight: float | None = None  # None: the dataset's default (catuvac.evaluation.defaults)
    lambda_placement: str = "kl_y"
    speaker_norm: bool = False
    marginal_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in RESULT_METHODS:
            raise unknown_option("method", self.method, RESULT_METHODS)
        if self.lambda_placement not in LAMBDA_PLACEMENTS:
            raise unknown_option("lambda placement", self.lambda_placement, LAMBDA_PLACEMENTS)

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
        at lambda = 1 before it), ``-marginal<w>`` for a weighted batch-marginal KL, and
        ``-spknorm`` for features normalised per speaker."""
        tau = f"-tau{self.tau_end:g}" if self.method == "catuvac" else ""
        custom = (
            self.lambda_weight is not None
            or self.lambda_placement != "kl_y"
            or self.weight != ELBO_LAMBDA
        )
        lam = ""
        if custom and self.method in ("uvac", "catuvac"):
            lam = f"-lambda{self.weight:g}-{self.lambda_placement}"
        if self.marginal_weight and self.method in ("uvac", "catuvac"):
            lam += f"-marginal{self.marginal_weight:g}"
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


def build_configs(
    method: str,
    data: PreparedData,
    n_clusters: int,
    profile: Profile,
    seed: int,
    *,
    lambda_weight: float | None = None,
    lambda_placement: str = "kl_y",
    marginal_weight: float = 0.0,
    latent_dim: int = ModelConfig.latent_dim,
    tau_end: float = TrainConfig.tau_end,
    tau_shape: str = TrainConfig.tau_shape,
    epochs: int | None = None,
) -> tuple[ModelConfig, TrainConfig]:
    """The model and training configurations of one run, on the dataset's input shape and
    at the profile's scale: the one place ``reproduce``, ``catuvac train`` and the
    chapters build them. ``lambda_weight=None`` is the dataset's default
    (:mod:`catuvac.evaluation.defaults`); ``epochs=None`` the profile's."""
    _, n_freq, n_frames = data.feature_config.shape
    weight = (
        default_lambda(data.dataset.name, n_clusters) if lambda_weight is None else lambda_weight
    )
    model = ModelConfig(
        method,
        n_freq,
        n_frames,
        n_clusters,
        latent_dim,
        lambda_weight=weight,
        lambda_placement=lambda_placement,
        marginal_weight=marginal_weight,
    )
    training = TrainConfig(
        epochs=profile.epochs if epochs is None else epochs,
        batch_size=profile.batch_size,
        seed=seed,
        checkpoint_every=profile.checkpoint_every,
        tau_end=tau_end,
        tau_shape=tau_shape,
    )
    return model, training


def spec_configs(
    spec: RunSpec, data: PreparedData, profile: Profile
) -> tuple[ModelConfig, TrainConfig]:
    """:func:`build_configs` for one cell of the grid."""
    return build_configs(
        spec.method,
        data,
        spec.n_clusters,
        profile,
        spec.seed,
        lambda_weight=spec.weight,
        lambda_placement=spec.lambda_placement,
        marginal_weight=spec.marginal_weight,
        tau_end=spec.tau_end,
    )


def run(
    spec: RunSpec,
    data: PreparedData,
    profile: Profile,
    common: np.ndarray,
    device: torch.device | None = None,
    progress: bool = True,
    run_dir: Path | None = None,
    runs_root: Path | None = None,
) -> dict:
    """Fit/train the spec's method on the train clips and score it on the test clips.

    Trained methods checkpoint into ``run_dir`` (default: :meth:`RunSpec.run_dir` under
    ``runs_root``, itself by default ``runs/``) and resume from it; they run on ``device``
    (default: the GPU if there is one), K-means and the labels row on the CPU, and the
    record says which. ``data`` must be prepared with the spec's ``speaker_norm``.
    """
    if data.speaker_norm != spec.speaker_norm:
        raise ConfigError(
            f"run {spec.name}: the data were prepared with speaker_norm={data.speaker_norm}, "
            f"the spec asks for speaker_norm={spec.speaker_norm}"
        )
    started = time.perf_counter()
    labels = data.test.labels
    record: dict = {"spec": asdict(spec), "n_classes": data.n_classes}
    arrays: dict[str, np.ndarray] = {}
    used = (
        torch.device("cpu") if spec.method in ("labels", "kmeans") else device or default_device()
    )
    if spec.method == "labels":
        clusters, own = labels, own_space("labels", None, data.test)
    elif spec.method == "kmeans":
        kmeans = KMeansBaseline(spec.n_clusters, random_state=spec.seed)
        kmeans.fit(data.train.features.numpy())
        clusters = kmeans.predict(data.test.features.numpy())
        own = own_space("kmeans", None, data.test)
    else:
        mcfg, tcfg = spec_configs(spec, data, profile)
        folder = run_dir or spec.run_dir(runs_root)
        result = train(mcfg, tcfg, data.train, folder, used, progress)
        write_run_info(folder, data, profile, mcfg, tcfg)
        embedding = embed(result.model, data.test)
        clusters = embedding.clusters.numpy()
        own = own_space(spec.method, embedding, data.test)
        arrays = {
            "cluster_probs": embedding.cluster_probs.numpy(),
            "z_mean": embedding.z_mean.numpy(),
        }
        # The collapse criterion reads the training clips only (never labels or test clips).
        train_probs = embed(result.model, data.train).cluster_probs.numpy()
        record.update(
            model_config=mcfg.to_dict(),
            train_config=asdict(tcfg),
            **{TRAIN_CLUSTERS_KEY: asdict(cluster_spread(train_probs))},
            epochs=len(result.history),
            final_tau=result.final_tau if spec.method == "catuvac" else None,
            history=result.history,
        )
    n_clusters = len(np.unique(labels)) if spec.method == "labels" else spec.n_clusters
    record.update(
        metrics=score(labels, clusters, own, common, n_clusters, data.n_classes),
        cluster_sizes=np.bincount(clusters, minlength=n_clusters).tolist(),
        feature_config=data.feature_config.to_dict(),
        data_subset=data.subset_description(),
        profile=asdict(profile),
        git=git_revision(),
        environment=environment(used),
        seconds=round(time.perf_counter() - started, 2),
    )
    record[ARRAYS_KEY] = {"labels": labels, "clusters": np.asarray(clusters), **arrays}
    return record


def run_missing(
    specs: list[RunSpec],
    profile: Profile,
    overwrite: bool = False,
    speaker_norm: bool = False,
    results_root: Path | None = None,
    runs_root: Path | None = None,
) -> list[Path]:
    """Run every spec whose result file under ``results_root`` (default ``results/``) is
    missing (all with ``overwrite``), one dataset's features prepared once, and write each
    result as soon as it exists; checkpoints go under ``runs_root`` (default ``runs/``)."""
    written = []
    for dataset, dataset_specs in groupby(specs, key=lambda s: s.dataset):
        todo = [s for s in dataset_specs if overwrite or not s.result_path(results_root).exists()]
        if not todo:
            print(f"{dataset}: every result already exists (--overwrite to redo)")
            continue
        data = prepare_data(dataset, profile, speaker_norm=speaker_norm)
        common = data.common_space()
        for spec in todo:
            record = run(spec, data, profile, common, runs_root=runs_root)
            path = spec.result_path(results_root)
            written.append(save_result(record, path, overwrite=overwrite))
            print(f"wrote {written[-1]}", flush=True)
    return written


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
) -> list[RunSpec]:
    """Every run of a Table I style grid; clusters default to the paper's per dataset.

    The labels row needs no seed and no cluster count of its own: it is scored once per
    dataset, at the number of classes. Dataset names may be aliases (``urbansound8k``);
    an unknown one is an :class:`~catuvac.errors.UnknownOptionError`.
    """
    specs = []
    for dataset in map(canonical_name, datasets):
        if "labels" in methods:
            specs.append(RunSpec(dataset, "labels", 10, 0, profile.name, speaker_norm=speaker_norm))
        # Seed-major order: an interrupted grid has every cell at the first seeds.
        for seed in seeds:
            for method in (m for m in methods if m != "labels"):
                taus = tau_ends if method == "catuvac" and tau_ends else [0.5]
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
                    )
                    for k in clusters or PAPER_CLUSTERS[dataset]
                    for tau in taus
                ]
    return specs


RUN_INFO_NAME = "run.json"


def write_run_info(
    run_dir: Path,
    data: PreparedData,
    profile: Profile,
    model: ModelConfig,
    training: TrainConfig,
) -> None:
    """Describe a trained run folder in its ``run.json``: dataset, profile, data subset,
    feature settings, the fitted normaliser's statistics and the model and train configs,
    so that :func:`evaluate_run_dir` needs nothing else to score it as it was trained.
    Written after training, so a folder whose checkpoint belongs to another configuration
    (which training refuses) keeps its own description."""
    info = {
        "dataset": data.dataset.name,
        "profile": asdict(profile),
        "speaker_norm": data.speaker_norm,
        "data_subset": data.subset_description(),
        "feature_config": data.feature_config.to_dict(),
        "normaliser": data.normaliser.to_dict(),
        "model_config": model.to_dict(),
        "train_config": asdict(training),
    }
    write_json(Path(run_dir) / RUN_INFO_NAME, info)


def _same_clips(subset: dict) -> dict:
    """What identifies a data subset wherever the dataset lies: all but its folder."""
    return {key: value for key, value in subset.items() if key != "root"}


def evaluate_run_dir(run_dir: Path) -> dict:
    """Score the model in a run folder (``catuvac train`` or a trained ``reproduce`` cell)
    on its test clips, with the profile, speaker normalisation and normaliser statistics
    its ``run.json`` records: the metrics of the run, exactly.

    A ``run.json`` from before it held the normaliser names only the dataset and profile;
    the normaliser is then fitted again on that profile's training clips.
    """
    info_path = Path(run_dir) / RUN_INFO_NAME
    if not info_path.exists():
        raise ConfigError(f"{info_path} is missing: not a run folder written by catuvac")
    info = json.loads(info_path.read_text())
    stored = info["profile"]
    profile = Profile(**stored) if isinstance(stored, dict) else get_profile(stored)
    feature_config = feature_config_for(info["dataset"]).to_dict()
    if info.get("feature_config", feature_config) != feature_config:
        raise ConfigError(
            f"{info_path}: the run's feature settings differ from {info['dataset']}'s now"
        )
    data = prepare_data(
        info["dataset"],
        profile,
        speaker_norm=info.get("speaker_norm", False),
        normaliser=Normaliser.from_dict(info["normaliser"]) if "normaliser" in info else None,
    )
    stored_subset, found = info.get("data_subset"), data.subset_description()
    if stored_subset is not None and _same_clips(stored_subset) != _same_clips(found):
        raise ConfigError(
            f"{info_path}: the clips found under {data.dataset.root} are not the run's "
            f"(stored {stored_subset}, found {found})"
        )
    result = load_trained(Path(run_dir))
    embedding = embed(result.model, data.test)
    method = result.model.config.method
    return score(
        data.test.labels,
        embedding.clusters.numpy(),
        own_space(method, embedding, data.test),
        data.common_space(),
        result.model.config.n_clusters,
        data.n_classes,
    )
