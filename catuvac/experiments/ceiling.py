"""A diagnostic, never a method: Cat. UVAC's categorical encoder trained on the labels of
the training clips and scored on the test clips (for the Arabic digits, speakers it never
heard). It says how much of the gap between the model and K-means is the architecture and
how much the objective. Its records sit apart from the runs (``results/ceiling/``), are
never a row of Table I and never choose anything."""

from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from catuvac.atomic import write_json
from catuvac.errors import ResultExistsError
from catuvac.experiments.prepare import prepare_for
from catuvac.experiments.profiles import Profile
from catuvac.model import ModelConfig, build_model
from catuvac.model.base import embed_batches
from catuvac.paths import results_dir
from catuvac.records.reports.ceilings import CEILING_FOLDER
from catuvac.records.store.provenance import git_revision
from catuvac.training.run_spec import RunSpec
from catuvac.training.trainer import seed_everything
from catuvac.training.warm_start import fit_assignments


def ceiling_path(spec: RunSpec, root: Path | None = None) -> Path:
    """``results/ceiling/<profile>/<dataset>/ceiling<options>-seed<s>.json``."""
    folder = (root or results_dir()) / CEILING_FOLDER / spec.profile / spec.dataset
    return folder / f"ceiling{spec.beyond_paper_suffix()}-seed{spec.seed}.json"


def supervised_ceiling(spec: RunSpec, profile: Profile) -> dict:
    """Train the categorical encoder on the training clips' labels, at the profile's epochs,
    batch size and first learning rate, on the data ``spec`` asks for (its data options),
    and score it on the test clips: the record of one seed."""
    data = prepare_for(spec, profile)
    _, n_freq, n_frames = data.feature_config.shape
    seed_everything(spec.seed)
    model = build_model(ModelConfig("catuvac", n_freq, n_frames, data.n_classes))
    device = torch.device("cpu")
    train_labels = torch.as_tensor(np.asarray(data.train.labels), dtype=torch.long)
    history = fit_assignments(
        model,
        data.train.features,
        train_labels,
        profile.epochs,
        profile.batch_size,
        profile.lr_start,
        spec.seed,
        device,
    )

    def accuracy(features: torch.Tensor, labels: np.ndarray) -> float:
        clusters = embed_batches(model, features, device=device).clusters.numpy()
        return float(np.mean(clusters == labels))

    return {
        "diagnostic": "supervised ceiling: the categorical encoder trained on labels",
        "spec": asdict(spec),
        "train_accuracy": accuracy(data.train.features, np.asarray(data.train.labels)),
        "test_accuracy": accuracy(data.test.features, np.asarray(data.test.labels)),
        "cross_entropy": history,
        "feature_config": data.feature_config.to_dict(),
        "data_subset": data.subset_description(),
        "profile": asdict(profile),
        "git": git_revision(),
    }


def save_ceiling(record: dict, path: Path) -> Path:
    """Write a ceiling record (never over an existing one)."""
    if path.exists():
        raise ResultExistsError(f"{path} exists; move it away to compute it again")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, record)
    return path
