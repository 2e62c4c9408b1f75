"""What each cluster of a stored run stands for: its decoded prototype (the decoder's
image with ``y`` fixed to the cluster and ``z`` at the prior's mean) and the test clips it
holds most confidently.

A prototype needs the run's checkpoint, which ``results/`` does not keep (``runs/`` is not
committed). ``catuvac prototypes`` decodes them once and stores them beside the run's
result as ``<name>.prototypes.npz``, with the normaliser that turns them back into sound
and where they came from, so that a chapter can show and play them on any machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from catuvac.atomic import atomic_write_bytes, npz_write, read_file
from catuvac.errors import ConfigError, ResultExistsError
from catuvac.experiments.run_folder import open_run_dir
from catuvac.model.cat_uvac import CatUVAC
from catuvac.records.store.provenance import environment, git_revision
from catuvac.records.store.results import METHOD_NAMES, Result
from catuvac.training.run_spec import RunSpec

SUFFIX = ".prototypes.npz"
ADVICE = "run `catuvac prototypes` on the result again with --overwrite"


def decoded_prototypes(model: torch.nn.Module) -> torch.Tensor:
    """``[K, 1, F, T]``: the decoder's output for each one-hot ``y`` at ``z = 0``."""
    if not isinstance(model, CatUVAC):
        raise ConfigError(f"prototypes need a Cat. UVAC model; got {type(model).__name__}")
    model.eval()
    return model.decode_clusters(torch.zeros(model.config.n_clusters, model.config.latent_dim))


def prototypes_path(result: Result) -> Path:
    """``<result stem>.prototypes.npz`` beside the result file."""
    return result.path.with_name(result.path.stem + SUFFIX)


def save_prototypes(result: Result, runs_root: Path | None = None, overwrite: bool = False) -> Path:
    """Decode the prototypes of ``result``'s run from its checkpoint under ``runs_root``
    and store them beside the result; an existing file is an error unless ``overwrite``.
    Another method's result is a ``ConfigError`` saying it has no prototypes (a K-means
    result was sent looking for a run folder, and reported as one without run.json)."""
    if result.method != "catuvac":
        why = "K-means has no decoder" if result.method == "kmeans" else "it decodes none"
        raise ConfigError(
            f"{result.path} is a {METHOD_NAMES[result.method]} result, which has no "
            f"prototypes ({why}); catuvac prototypes decodes those of Cat. UVAC results"
        )
    target = prototypes_path(result)
    if target.exists() and not overwrite:
        raise ResultExistsError(f"{target} exists; pass --overwrite to replace it")
    run_dir = RunSpec(**result.spec).run_dir(runs_root)
    data, trained = open_run_dir(run_dir)
    prototypes = decoded_prototypes(trained.model)[:, 0].numpy().astype(np.float16)
    provenance = {
        "result": result.path.name,
        "run_dir": str(run_dir),
        "normaliser": data.normaliser.to_dict(),
        "git": git_revision(),
        "environment": environment("cpu"),
    }

    stored = {"prototypes": prototypes, "provenance": np.array(json.dumps(provenance))}
    atomic_write_bytes(target, npz_write(stored))
    return target


def load_prototypes(result: Result) -> tuple[np.ndarray, dict] | None:
    """The stored prototypes of ``result`` (``[K, F, T]``, float32) and their provenance,
    or None when none were stored."""
    path = prototypes_path(result)
    if not path.exists():
        return None

    def read(p: Path) -> tuple[np.ndarray, dict]:
        with np.load(p) as stored:
            return stored["prototypes"].astype(np.float32), json.loads(str(stored["provenance"]))

    return read_file(path, read, ADVICE)


def stored_prototypes(result: Result) -> tuple[np.ndarray, dict]:
    """:func:`load_prototypes` for a reader that needs them: with none stored, a
    :class:`FileNotFoundError` that names the command storing them."""
    stored = load_prototypes(result)
    if stored is None:
        raise FileNotFoundError(
            f"no prototypes stored for {result.path}; run `catuvac prototypes {result.path}`"
        )
    return stored


def confident_members(result: Result, per_cluster: int = 3) -> dict[int, list[int]]:
    """Per cluster (largest first), the indices of the test clips it holds with the
    highest ``q(y = k | x)``: the clips that best say what the cluster is, read without a
    label."""
    arrays = result.arrays()
    clusters, probs = arrays["clusters"], arrays["cluster_probs"]
    members = {}
    for k in np.argsort(-np.bincount(clusters, minlength=probs.shape[1]), kind="stable"):
        held = np.flatnonzero(clusters == k)
        if len(held):
            order = np.argsort(-probs[held, k], kind="stable")
            members[int(k)] = held[order[:per_cluster]].tolist()
    return members
