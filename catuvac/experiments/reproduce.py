"""One Table I cell per run: train or fit a method, score it, store a result file."""

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict
from itertools import groupby
from pathlib import Path

import numpy as np
import torch

from catuvac.errors import ConfigError, DamagedFileError
from catuvac.evaluation.budget import latent_use
from catuvac.evaluation.collapse import TRAIN_CLUSTERS_KEY, cluster_spread
from catuvac.evaluation.defaults import default_lambda
from catuvac.evaluation.embedding import embed, own_space, score
from catuvac.evaluation.reconstruction import model_reconstruction, reconstruction_check
from catuvac.evaluation.selection import train_clip_summary
from catuvac.experiments.baselines import KMeansBaseline
from catuvac.experiments.prepare import PreparedData, prepare_data
from catuvac.experiments.profiles import Profile
from catuvac.experiments.run_folder import write_run_info
from catuvac.experiments.specs import RunSpec
from catuvac.features import default_device
from catuvac.features.augment import AugmentConfig
from catuvac.model import ModelConfig
from catuvac.records.provenance import environment, git_revision
from catuvac.records.results import ARRAYS_KEY, read_result, save_result
from catuvac.training.trainer import (
    TrainConfig,
    train,
)

log = logging.getLogger(__name__)


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
    likelihood: str = ModelConfig.likelihood,
    entropy_weight: float = 0.0,
    capacity_nats: float = 0.0,
    capacity_weight: float = 0.0,
    consistency_weight: float = 0.0,
    consistency_term: str = "iic",
    neighbours: int = 0,
    neighbour_space: str = "features",
    neighbour_refresh: int = 0,
    self_label_weight: float = 0.0,
    self_label_threshold: float = ModelConfig.self_label_threshold,
) -> tuple[ModelConfig, TrainConfig]:
    """The model and training configurations of one run, on the dataset's input shape and
    at the profile's scale (epochs, batch size, learning rates): the one place
    ``reproduce``, ``catuvac train`` and the chapters build them. ``lambda_weight=None`` is
    the dataset's default (:mod:`catuvac.evaluation.defaults`); ``epochs=None`` the
    profile's. The options after ``epochs`` go beyond the paper (:class:`ModelConfig`)."""
    data.check_clusters(n_clusters)
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
        likelihood=likelihood,
        entropy_weight=entropy_weight,
        capacity_nats=capacity_nats,
        capacity_weight=capacity_weight,
        consistency_weight=consistency_weight,
        consistency_term=consistency_term,
        neighbours=neighbours,
        neighbour_space=neighbour_space,
        neighbour_refresh=neighbour_refresh,
        self_label_weight=self_label_weight,
        self_label_threshold=self_label_threshold,
    )
    training = TrainConfig(
        epochs=profile.epochs if epochs is None else epochs,
        batch_size=profile.batch_size,
        lr_start=profile.lr_start,
        lr_end=profile.lr_end,
        seed=seed,
        checkpoint_every=profile.checkpoint_every,
        tau_end=tau_end,
        tau_shape=tau_shape,
        augment=AugmentConfig.for_features(data.feature_config) if consistency_weight else None,
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
        **spec.model_options,
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
    record says which. ``data`` must be prepared with the spec's ``speaker_norm`` and
    normaliser. A trained run's record carries its ``reconstruction_check`` and the
    ``latent_use`` of its test clips (:mod:`catuvac.evaluation.budget`).
    """
    prepared = {
        "speaker_norm": data.speaker_norm,
        "normaliser": data.normaliser.scaling,
        "features": data.features_name,
    }
    for option, value in prepared.items():
        if getattr(spec, option) != value:
            raise ConfigError(
                f"run {spec.name}: the data were prepared with {option}={value}, "
                f"the spec asks for {option}={getattr(spec, option)}"
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
        data.check_clusters(spec.n_clusters)
        kmeans = KMeansBaseline(spec.n_clusters, random_state=spec.seed)
        kmeans.fit(data.train.features.numpy())
        clusters = kmeans.predict(data.test.features.numpy())
        own = own_space("kmeans", None, data.test)
    else:
        mcfg, tcfg = spec_configs(spec, data, profile)
        folder = run_dir or spec.run_dir(runs_root)
        result = train(mcfg, tcfg, data.train, folder, used, progress, data.identity())
        write_run_info(folder, data, profile, mcfg, tcfg)
        embedding = embed(result.model, data.test)
        clusters = embedding.clusters.numpy()
        own = own_space(spec.method, embedding, data.test)
        arrays = {
            "cluster_probs": embedding.cluster_probs.numpy(),
            "z_mean": embedding.z_mean.numpy(),
        }
        # The collapse criterion and the label-free selection read the training clips only
        # (never labels or test clips).
        train_probs = embed(result.model, data.train).cluster_probs.numpy()
        selection, arrays["train_clusters"] = train_clip_summary(
            result.model, data.train, train_probs
        )
        decoded = model_reconstruction(result.model, data.test)
        record.update(
            model_config=mcfg.to_dict(),
            train_config=asdict(tcfg),
            **{TRAIN_CLUSTERS_KEY: asdict(cluster_spread(train_probs))},
            epochs=len(result.history),
            final_tau=result.final_tau if spec.method == "catuvac" else None,
            history=result.history,
            train_selection=selection,
            reconstruction_check=reconstruction_check(result.model, data.train, data.test, decoded),
            latent_use=latent_use(result.model, data.test, embedding, decoded),
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


def damaged_results(paths: Iterable[Path]) -> int:
    """How many of these existing result files are damaged, each named in a warning
    (what ``reproduce`` leaves as it is must not pass for a sound result)."""
    count = 0
    for path in paths:
        try:
            read_result(path)
        except DamagedFileError as error:
            log.warning("%s", error)
            count += 1
    return count


def run_missing(
    specs: list[RunSpec],
    profile: Profile,
    overwrite: bool = False,
    results_root: Path | None = None,
    runs_root: Path | None = None,
) -> list[Path]:
    """Run every spec whose result file under ``results_root`` (default ``results/``) is
    missing (all with ``overwrite``), the features of each dataset and data preparation
    (normaliser, speaker normalisation, feature pipeline) prepared once, and write each
    result as soon as it exists; checkpoints go under ``runs_root`` (default ``runs/``)."""
    written = []
    for (dataset, scaling, speaker_norm, features), dataset_specs in groupby(
        specs, key=lambda s: (s.dataset, s.normaliser, s.speaker_norm, s.features)
    ):
        dataset_specs = list(dataset_specs)
        todo = [s for s in dataset_specs if overwrite or not s.result_path(results_root).exists()]
        damaged = damaged_results(
            s.result_path(results_root) for s in dataset_specs if s not in todo
        )
        if not todo:
            print(
                f"{dataset}: every result exists, {damaged} of the {len(dataset_specs)} "
                "damaged (named above)"
                if damaged
                else f"{dataset}: every result already exists (--overwrite to redo)"
            )
            continue
        data = prepare_data(
            dataset, profile, speaker_norm=speaker_norm, scaling=scaling, features=features
        )
        common = data.common_space()
        for spec in todo:
            record = run(spec, data, profile, common, runs_root=runs_root)
            path = spec.result_path(results_root)
            written.append(save_result(record, path, overwrite=overwrite))
            print(f"wrote {written[-1]}", flush=True)
    return written
