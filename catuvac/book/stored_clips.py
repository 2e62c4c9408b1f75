"""The clips behind a stored result's test arrays, and whether its clusters follow the
class labels or the clips' groups (the speakers, for spoken digits)."""

from __future__ import annotations

from pathlib import Path

from catuvac.data import Clip, load
from catuvac.experiments.prepare import chosen_clips, files_digest
from catuvac.records.store.results import Record


def stored_test_clips(record: Record, root: Path | None = None) -> list[Clip]:
    """The test clips a stored result was computed on, in the order of its arrays.

    Rebuilt from the dataset and the record's profile by the one choice of clips
    (:func:`catuvac.experiments.prepare.chosen_clips`, which ``prepare_data`` makes too),
    then checked against the file fingerprint stored in the record: a mismatch (other data,
    other loader) is an error.
    """
    subset = record["data_subset"]
    dataset = load(record["spec"]["dataset"], root=root)
    clips = chosen_clips(dataset, "test", record["profile"]["max_test_clips"])
    digest = files_digest([c.path for c in clips], dataset.root)
    if digest != subset["test_files_sha256"]:
        raise ValueError(
            f"the test clips of {dataset.name} under {dataset.root} do not match the result "
            f"{record.get('path', '')} (fingerprint {digest}, stored "
            f"{subset['test_files_sha256']}): the data differ from the run's"
        )
    return clips
