"""A stored run's clusters as sound: prototypes decoded once from the checkpoint and kept
beside the result, the most confident members, and the players built from both."""

import dataclasses

import numpy as np
import pytest

from catuvac.book.players import cluster_sound_table
from catuvac.cli import main
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import PROFILES
from catuvac.experiments.prototypes import (
    confident_members,
    load_prototypes,
    prototypes_path,
    save_prototypes,
)
from catuvac.experiments.reproduce import run
from catuvac.records.store.results import load_results, save_result
from catuvac.training.run_spec import RunSpec

PROFILE = dataclasses.replace(PROFILES["smoke"], max_train_clips=32, max_test_clips=24, epochs=1)


@pytest.fixture(scope="module")
def stored(tmp_path_factory, offline_data):
    """One Cat. UVAC run on FSDD clips, its result stored and its checkpoint kept."""
    root, runs = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("runs")
    spec = RunSpec("fsdd", "catuvac", 4, 0, "smoke", lambda_weight=1.0)
    data = prepare_data("fsdd", PROFILE, progress=False)
    record = run(spec, data, data.common_space(), progress=False, runs_root=runs)
    save_result(record, spec.result_path(root))
    (result,) = load_results(root)
    return result, runs


def test_prototypes_are_stored_once_beside_the_result(stored):
    result, runs = stored
    assert load_prototypes(result) is None
    path = save_prototypes(result, runs_root=runs)
    assert path == prototypes_path(result) and path.parent == result.path.parent
    prototypes, provenance = load_prototypes(result)
    assert prototypes.shape[0] == 4 and prototypes.ndim == 3
    assert ((prototypes >= 0) & (prototypes <= 1)).all()
    assert provenance["result"] == result.path.name and "commit" in provenance["git"]
    # A second call refuses to overwrite, through the library and the command line.
    with pytest.raises(FileExistsError):
        save_prototypes(result, runs_root=runs)
    assert main(["prototypes", str(result.path), "--runs-root", str(runs)]) == 1
    assert main(["prototypes", str(result.path), "--runs-root", str(runs), "--overwrite"]) == 0


def test_confident_members_are_the_clusters_surest_clips(stored):
    result, _ = stored
    arrays = result.arrays()
    members = confident_members(result, per_cluster=2)
    sizes = np.bincount(arrays["clusters"], minlength=4)
    assert list(members) == sorted(members, key=lambda k: -sizes[k])
    for k, clips in members.items():
        assert len(clips) == min(2, sizes[k]) and (arrays["clusters"][clips] == k).all()
        held = arrays["cluster_probs"][arrays["clusters"] == k, k]
        assert arrays["cluster_probs"][clips[0], k] == held.max()


def test_the_clusters_play_their_prototype_and_members(stored):
    result, _ = stored
    table = cluster_sound_table(result, per_cluster=2, max_seconds=0.5)
    used = len(confident_members(result))
    assert table.count("<tr>") == used and table.count("decoded prototype") == used
    assert table.count("<audio style='width:140px'") == used + sum(
        len(m) for m in confident_members(result, per_cluster=2).values()
    )
