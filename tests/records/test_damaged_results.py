"""Damaged result files: each is named in one warning and left out, the readable ones are
read, and no file is changed."""

import logging

import numpy as np
import pytest

from catuvac.errors import DamagedFileError
from catuvac.records.reports.table import results_table
from catuvac.records.store.results import ARRAYS_KEY, Result, load_results, save_result

LEFT_OUT = (
    "; left out; move its .json and .npz out of the results folder and run `catuvac "
    "reproduce` for that run again to recompute it"
)


def record(seed: int) -> dict:
    """A K-means result on FSDD, as much of one as Table I reads."""
    return {
        "spec": {"dataset": "fsdd", "method": "kmeans", "n_clusters": 10, "seed": seed},
        "n_classes": 10,
        "profile": {"name": "cpu", "epochs": 10},
        "data_subset": {"train_clips": 2700, "test_clips": 300},
        "environment": {"device": "cpu"},
        "cluster_sizes": [30] * 10,
        "metrics": {
            "accuracy": 0.2 + seed / 10,
            "nmi": 0.5,
            "own": {"silhouette": 0.1, "davies_bouldin": 1.0, "calinski_harabasz": 10.0},
            "common": {"silhouette": 0.1, "davies_bouldin": 2.0, "calinski_harabasz": 5.0},
        },
        ARRAYS_KEY: {"labels": np.arange(4), "clusters": np.arange(4) % 2},
    }


@pytest.fixture
def store(tmp_path):
    """Four stored results: seed 0 sound, seed 1 invalid JSON, seed 2 without its arrays,
    seed 3 with its arrays cut short; plus a JSON file that is not a result."""
    folder = tmp_path / "cpu" / "fsdd" / "k10"
    paths = [save_result(record(seed), folder / f"kmeans-seed{seed}.json") for seed in range(4)]
    paths[1].write_text('{"spec": ')  # cut short
    paths[2].with_suffix(".npz").unlink()
    arrays = paths[3].with_suffix(".npz")
    arrays.write_bytes(arrays.read_bytes()[:50])
    (tmp_path / "notes.json").write_text('{"what": "not a result"}')
    return tmp_path, paths


def _contents(root):
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_damaged_results_are_named_and_left_out(store, caplog):
    root, paths = store
    before = _contents(root)
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        results = load_results(root)
    assert [r.path for r in results] == [paths[0]]
    assert caplog.messages == [
        f"{paths[1]} is damaged (JSONDecodeError: Expecting value: line 1 column 10 (char 9))"
        f"{LEFT_OUT}",
        f"{paths[2]} is damaged (its arrays kmeans-seed2.npz are missing){LEFT_OUT}",
        f"{paths[3].with_suffix('.npz')} is damaged (BadZipFile: File is not a zip file){LEFT_OUT}",
    ]
    assert _contents(root) == before  # nothing deleted, nothing rewritten


def test_the_table_is_built_from_the_readable_results(store, caplog):
    root, _ = store
    with caplog.at_level(logging.WARNING, logger="catuvac"):
        table = results_table("cpu", "csv", records=load_results(root))
    assert len(caplog.messages) == 3
    ours = next(line for line in table.splitlines() if line.startswith("fsdd,10,K-means,"))
    # Seed 0 alone: seeds 1 to 3 are left out.
    assert ours == 'fsdd,10,K-means,"ours (cpu, 1 seed, CPU)",10,20.00,0.50,0.10,1.00,10.00'


def test_arrays_damaged_after_loading_are_named(store):
    root, paths = store
    (result,) = load_results(root)
    arrays = paths[0].with_suffix(".npz")
    arrays.write_bytes(b"PK\x03\x04 not an archive")
    with pytest.raises(DamagedFileError, match=f"^{arrays} is damaged \\(BadZipFile"):
        result.arrays()
    assert isinstance(result, Result)
