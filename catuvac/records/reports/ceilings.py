"""The supervised ceilings stored under ``results/ceiling/`` (written by ``catuvac
ceiling``, :mod:`catuvac.experiments.ceiling`): read back, and said in one sentence beside
the unsupervised rows. A diagnostic only: nothing is chosen by them."""

from pathlib import Path

from catuvac.atomic import read_json
from catuvac.paths import results_dir
from catuvac.records.reports.seed_tables import values_text

CEILING_FOLDER = "ceiling"


def load_ceilings(root: Path | None = None) -> list[dict]:
    """Every stored ceiling record, with its path."""
    folder = (root or results_dir()) / CEILING_FOLDER
    records = []
    for path in sorted(folder.rglob("*.json")):
        record = read_json(path, "move it away and run `catuvac ceiling` again")
        records.append({**record, "path": str(path)})
    return records


def ceiling_sentence(ceilings: list[dict], dataset: str, shown_name: str) -> str:
    """How far the categorical encoder gets when it is given the labels, per input it was
    given (mean ± std over the seeds stored); empty when none is stored."""
    by_input: dict[str, list[float]] = {}
    for record in ceilings:
        spec = record["spec"]
        if spec["dataset"] != dataset:
            continue
        parts = [spec["features"], f"{spec['normaliser']} range"]
        if spec["speaker_norm"]:
            parts.append("per-speaker normalised")
        by_input.setdefault("; ".join(parts), []).append(100 * record["test_accuracy"])
    if not by_input:
        return ""
    said = [
        f"{values_text(v, 1)} % on {name} ({len(v)} seed{'s' if len(v) > 1 else ''})"
        for name, v in sorted(by_input.items())
    ]
    return (
        f"Trained on the labels of the training clips (a diagnostic, never a method, and "
        f"never used to choose anything), the same categorical encoder that gives "
        f"Cat. UVAC its q(y|x) reaches {', '.join(said)} on the test clips of {shown_name}: "
        "the architecture can tell the words apart, so what keeps the model below it is "
        "the objective."
    )
