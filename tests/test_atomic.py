"""Files catuvac writes: the process umask's permissions, strict JSON, and a failed write
(a full disk, a read-only folder, a folder in the way) named in one line with the
targets left as they were and nothing half-written beside them."""

import errno
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from catuvac.atomic import atomic_write_bytes, json_text, write_json
from catuvac.errors import WriteError
from catuvac.features import FeatureSet
from catuvac.model import ModelConfig
from catuvac.records.store.results import ARRAYS_KEY, load_results, save_result
from catuvac.training.trainer import CHECKPOINT_NAME, TrainConfig, train

FULL = "No space left on device); free space on that disk, or point catuvac at a folder on another"
TORCH_FULL = "[enforce fail at inline_container.cc:672] . unexpected pos 704 vs 598"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def synthetic(n: int = 8, size: int = 16) -> FeatureSet:
    features = torch.rand(n, 1, size, size, generator=torch.Generator().manual_seed(0))
    mask = torch.ones(n, size, dtype=torch.bool)
    return FeatureSet(features, mask, np.arange(n) % 2, [f"c{i}" for i in range(n)])


def record(silhouette: float = 0.1) -> dict:
    """A K-means result on FSDD, as much of one as Table I reads."""
    return {
        "spec": {"dataset": "fsdd", "method": "kmeans", "n_clusters": 10, "seed": 0},
        "n_classes": 10,
        "profile": {"name": "cpu", "epochs": 10},
        "data_subset": {"train_clips": 2700, "test_clips": 300},
        "environment": {"device": "cpu"},
        "metrics": {
            "accuracy": 0.2,
            "nmi": 0.5,
            "own": {"silhouette": silhouette, "davies_bouldin": 1.0, "calinski_harabasz": 10.0},
            "common": {"silhouette": 0.1, "davies_bouldin": 2.0, "calinski_harabasz": 5.0},
        },
        ARRAYS_KEY: {"labels": np.arange(4), "clusters": np.arange(4) % 2},
    }


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_written_files_have_the_modes_of_the_process_umask(tmp_path, umask):
    before = os.umask(umask)
    try:
        write_json(tmp_path / "a.json", {"a": 1})
        save_result(record(), tmp_path / "r.json")
    finally:
        os.umask(before)
    for name in ("a.json", "r.json", "r.npz"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_json_is_strict_and_nan_reads_back_as_nan(tmp_path):
    assert json_text({"x": [math.nan, math.inf, -math.inf, 1.5]}, None) == (
        '{"x": [null, null, null, 1.5]}'
    )
    save_result(record(silhouette=math.nan), tmp_path / "r.json")

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    json.loads((tmp_path / "r.json").read_text(), parse_constant=refuse)
    (result,) = load_results(tmp_path)
    assert math.isnan(result.metric_values()["silhouette"])


@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_leaves_no_result_half_written(tmp_path, monkeypatch, existing):
    path = tmp_path / "r.json"
    if existing:
        save_result(record(), path)
    before = _files(tmp_path)
    monkeypatch.setattr(Path, "write_text", _full_disk)  # the .npz is written, the .json not
    with pytest.raises(WriteError) as caught:
        save_result(record(silhouette=0.3), path, overwrite=True)
    assert str(caught.value).startswith(f"could not write {path} ({FULL}")
    assert _files(tmp_path) == before  # no orphan .npz, no temporary, the old pair whole


def test_a_folder_where_a_file_belongs_is_named_before_anything_is_written(tmp_path):
    (tmp_path / "r.json").mkdir()
    with pytest.raises(WriteError, match="r.json \\(Is a directory\\); a folder stands where"):
        save_result(record(), tmp_path / "r.json", overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_read_only_folder_is_named(tmp_path, monkeypatch):
    def refuse(dir, suffix):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), f"{dir}/tmpx{suffix}")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(WriteError) as caught:
        atomic_write_bytes(tmp_path / "a.pt", lambda p: Path(p).write_bytes(b"x"))
    assert str(caught.value) == (
        f"could not write {tmp_path / 'a.pt'} (Permission denied); make that folder writable, "
        "or point catuvac at another folder, and run again"
    )


def test_a_really_read_only_folder_is_named(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not make a folder read-only")
        with pytest.raises(WriteError, match="ro/a.json \\(Permission denied\\); make that"):
            write_json(folder / "a.json", {})
        assert not list(folder.iterdir())
    finally:
        folder.chmod(0o755)


def test_a_checkpoint_torch_cannot_finish_is_named_and_not_left(tmp_path, monkeypatch):
    def full(state, target):
        Path(target).write_bytes(b"PK half")
        raise RuntimeError(TORCH_FULL)

    monkeypatch.setattr(torch, "save", full)
    tiny = ModelConfig("catuvac", 16, 16, n_clusters=3, latent_dim=2)
    with pytest.raises(WriteError) as caught:
        train(tiny, TrainConfig(epochs=1, batch_size=4), synthetic(), tmp_path, progress=False)
    assert str(caught.value).startswith(
        f"could not write {tmp_path / CHECKPOINT_NAME} (RuntimeError: [enforce fail at "
        "inline_container.cc:672]); torch could not finish the file, most often because the "
        "disk is full"
    )
    assert sorted(_files(tmp_path)) == ["history.json"]  # no checkpoint, temporary or lock
