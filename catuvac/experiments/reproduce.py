"""One Table I cell per run: train or fit a method, score it, store a result file."""

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, fields
from itertools import groupby
from pathlib import Path

import numpy as np
import torch

from catuvac.errors import ConfigError, DamagedFileError
from catuvac.evaluation.budget import latent_use
from catuvac.evaluation.collapse import TRAIN_CLUSTERS_KEY, cluster_spread
from catuvac.evaluation.embedding import embed, own_space, score
from catuvac.evaluation.reconstruction import model_reconstruction, reconstruction_check
from catuvac.evaluation.selection import train_clip_summary
from catuvac.experiments.baselines import KMeansBaseline
from catuvac.experiments.prepare import PreparedData, prepare_for
from catuvac.experiments.run_folder import write_run_info
from catuvac.features import default_device
from catuvac.features.augment import AugmentConfig
from catuvac.model import ModelConfig
from catuvac.model.base import METHODS
from catuvac.records.store.provenance import environment, git_revision
from catuvac.records.store.results import ARRAYS_KEY, Result, read_result, save_result
from catuvac.training.run_spec import RunSpec, run_options
from catuvac.training.trainer import TrainConfig, train

log = logging.getLogger(__name__)

MODEL_OPTIONS = tuple(
    option.name
    for option in run_options()
    if option.name in {f.name for f in fields(ModelConfig)} and option.name != "lambda_weight"
)
"""The run options that go to the model configuration (lambda goes resolved, as
:attr:`~catuvac.training.run_spec.RunSpec.weight`)."""


def build_configs(spec: RunSpec, data: PreparedData) -> tuple[ModelConfig, TrainConfig]:
    """The model and training configurations of one run, on the dataset's input shape and
    at the data's profile (epochs unless the spec names its own, batch size, learning
    rates): the one place ``reproduce``, ``catuvac train`` and the chapters build them."""
    if not spec.trained:
        raise ConfigError(f"{spec.method} trains no model; only {', '.join(METHODS)} do")
    data.check_clusters(spec.n_clusters)
    _, n_freq, n_frames = data.feature_config.shape
    model = ModelConfig(
        spec.method,
        n_freq,
        n_frames,
        spec.n_clusters,
        lambda_weight=spec.weight,
        **{name: getattr(spec, name) for name in MODEL_OPTIONS},
    )
    profile = data.profile
    training = TrainConfig(
        epochs=profile.epochs if spec.epochs is None else spec.epochs,
        batch_size=profile.batch_size,
        lr_start=profile.lr_start,
        lr_end=profile.lr_end,
        seed=spec.seed,
        checkpoint_every=profile.checkpoint_every,
        tau_end=spec.tau_end,
        tau_shape=spec.tau_shape,
        augment=AugmentConfig.for_features(data.feature_config)
        if spec.consistency_weight
        else None,
    )
    return model, training


def check_prepared_for(spec: RunSpec, data: PreparedData) -> None:
    """Refuse data prepared otherwise than ``spec`` asks (a :class:`ConfigError`): another
    dataset, profile or data option would train or score the run on other clips."""
    prepared = {
        "dataset": data.dataset.name,
        "profile": data.profile.name,
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


def run(
    spec: RunSpec,
    data: PreparedData,
    common: np.ndarray,
    device: torch.device | None = None,
    progress: bool = True,
    run_dir: Path | None = None,
    runs_root: Path | None = None,
) -> Result:
    """Fit/train the spec's method on the train clips and score it on the test clips, at
    the data's profile; the record comes back as a :class:`Result` holding its test-set
    arrays in memory (:func:`~catuvac.records.store.results.save_result` stores both).

    Trained methods checkpoint into ``run_dir`` (default: :meth:`RunSpec.run_dir` under
    ``runs_root``, itself by default ``runs/``) and resume from it; they run on ``device``
    (default: the GPU if there is one), K-means and the labels row on the CPU, and the
    record says which. ``data`` must be prepared as the spec asks
    (:func:`~catuvac.experiments.prepare.prepare_for`). A trained run's record carries its
    ``reconstruction_check`` and the ``latent_use`` of its test clips
    (:mod:`catuvac.evaluation.budget`).
    """
    check_prepared_for(spec, data)
    started = time.perf_counter()
    labels = data.test.labels
    record: dict = {"spec": asdict(spec), "n_classes": data.n_classes}
    arrays: dict[str, np.ndarray] = {}
    used = torch.device("cpu") if not spec.trained else device or default_device()
    if spec.method == "labels":
        clusters, own = labels, own_space("labels", None, data.test)
    elif spec.method == "kmeans":
        data.check_clusters(spec.n_clusters)
        kmeans = KMeansBaseline(spec.n_clusters, random_state=spec.seed)
        kmeans.fit(data.train.features.numpy())
        clusters = kmeans.predict(data.test.features.numpy())
        own = own_space("kmeans", None, data.test)
    else:
        mcfg, tcfg = build_configs(spec, data)
        folder = run_dir or spec.run_dir(runs_root)
        result = train(mcfg, tcfg, data.train, folder, used, progress, data.identity())
        write_run_info(folder, data, mcfg, tcfg)
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
        profile=asdict(data.profile),
        git=git_revision(),
        environment=environment(used),
        seconds=round(time.perf_counter() - started, 2),
    )
    record[ARRAYS_KEY] = {"labels": labels, "clusters": np.asarray(clusters), **arrays}
    return Result(record)


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


def data_preparation(spec: RunSpec) -> tuple:
    """What the data of a run are prepared from: its dataset, profile and data options."""
    return spec.dataset, spec.profile, *spec.options("data").values()


def run_missing(
    specs: list[RunSpec],
    overwrite: bool = False,
    results_root: Path | None = None,
    runs_root: Path | None = None,
) -> list[Path]:
    """Run every spec whose result file under ``results_root`` (default ``results/``) is
    missing (all with ``overwrite``), the data of each data preparation (dataset, profile,
    feature pipeline, normaliser, speaker normalisation) prepared once, and write each
    result as soon as it exists; checkpoints go under ``runs_root`` (default ``runs/``)."""
    written = []
    for _, group in groupby(specs, key=data_preparation):
        group = list(group)
        todo = [s for s in group if overwrite or not s.result_path(results_root).exists()]
        damaged = damaged_results(s.result_path(results_root) for s in group if s not in todo)
        if not todo:
            dataset = group[0].dataset
            print(
                f"{dataset}: every result exists, {damaged} of the {len(group)} damaged "
                "(named above)"
                if damaged
                else f"{dataset}: every result already exists (--overwrite to redo)"
            )
            continue
        data = prepare_for(todo[0])
        common = data.common_space()
        for spec in todo:
            record = run(spec, data, common, runs_root=runs_root)
            path = spec.result_path(results_root)
            written.append(save_result(record, path, overwrite=overwrite))
            print(f"wrote {written[-1]}", flush=True)
    return written
