"""The information budget of a dataset, computed at a profile and stored under
``results/budget/`` with what produced it, so chapters show the full-data figures."""

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from catuvac.atomic import read_json, write_json
from catuvac.evaluation.budget import budget_summary, data_budget
from catuvac.experiments.prepare import prepare_data
from catuvac.experiments.profiles import Profile
from catuvac.features import PAPER_FEATURES, PAPER_NORMALISER
from catuvac.model.base import DEFAULT_CLUSTERS, DEFAULT_LATENT_DIM
from catuvac.paths import results_dir
from catuvac.records.store.provenance import git_revision

BUDGET_FOLDER = "budget"


def budget_name(
    dataset: str, speaker_norm: bool, normaliser: str, features: str = PAPER_FEATURES
) -> str:
    """File stem of a stored budget: the dataset and the feature options away from the paper."""
    options = ("-spknorm" if speaker_norm else "") + (
        "" if normaliser == PAPER_NORMALISER else f"-norm{normaliser}"
    )
    pipeline = "" if features == PAPER_FEATURES else f"-{features}"
    return f"{dataset}{options}{pipeline}"


def features_of(record: dict) -> str:
    """The feature pipeline of a stored budget (older records: the paper's)."""
    return str(record.get("features", PAPER_FEATURES))


def budget_record(
    dataset: str,
    profile: Profile,
    speaker_norm: bool = False,
    normaliser: str = PAPER_NORMALISER,
    latent_dim: int = DEFAULT_LATENT_DIM,
    n_clusters: int = DEFAULT_CLUSTERS,
    features: str = PAPER_FEATURES,
) -> dict:
    """The budget table of ``dataset``'s training clips at ``profile`` with its provenance;
    ``features`` names the pipeline (the paper's, or a word-aligned one)."""
    data = prepare_data(
        dataset, profile, speaker_norm=speaker_norm, scaling=normaliser, features=features
    )
    table = data_budget(data.train, latent_dim, n_clusters)
    return {
        "dataset": data.dataset.name,
        "features": features,
        "speaker_norm": speaker_norm,
        "normaliser": normaliser,
        "latent_dim": latent_dim,
        "n_clusters": n_clusters,
        "table": json.loads(table.to_json(orient="split")),
        "summary": budget_summary(table),
        "profile": asdict(profile),
        "data_subset": data.subset_description(),
        "git": git_revision(),
    }


def save_budget(record: dict, root: Path | None = None) -> Path:
    """Write a budget record under ``root/budget/<profile>/`` (never over an existing one)."""
    folder = (root or results_dir()) / BUDGET_FOLDER / record["profile"]["name"]
    name = budget_name(
        record["dataset"], record["speaker_norm"], record["normaliser"], features_of(record)
    )
    path = folder / f"{name}.json"
    if path.exists():
        raise FileExistsError(f"{path} exists; move it away to compute the budget again")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(path, record)
    return path


def budget_table(record: dict) -> pd.DataFrame:
    """The stored table of a budget record, as :func:`~catuvac.evaluation.budget.data_budget`
    returned it."""
    stored = record["table"]
    table = pd.DataFrame(stored["data"], index=stored["index"], columns=stored["columns"])
    table.index.name = "predictor (nats per clip)"
    return table


def load_budgets(root: Path | None = None) -> list[dict]:
    """Every stored budget record, with its path."""
    folder = (root or results_dir()) / BUDGET_FOLDER
    records = []
    for path in sorted(folder.rglob("*.json")):
        record = read_json(path, "move it away and run `catuvac budget --save` again")
        records.append({**record, "path": str(path)})
    return records


def budget_overview(budgets: list[dict]) -> pd.DataFrame:
    """One row per stored budget: the BCE floor, mean predictor, budget and PCA with as many
    components as z, in nats per training clip."""
    rows = []
    for record in budgets:
        table = budget_table(record)
        pca = f"PCA, {record['latent_dim']} components"
        pipeline = "" if features_of(record) == PAPER_FEATURES else f"{features_of(record)}, "
        features = "per-speaker normalised, " if record["speaker_norm"] else ""
        rows.append(
            {
                "dataset": record["dataset"],
                "features": f"{pipeline}{features}{record['normaliser']} range",
                "floor": record["summary"]["floor"],
                "mean predictor": record["summary"]["mean_predictor"],
                "budget (BCE)": record["summary"]["budget"],
                f"{pca} (BCE)": table.loc[pca, "bce"],
                "clips": record["data_subset"]["train_clips"],
            }
        )
    return pd.DataFrame(rows)


def budget_of(
    budgets: list[dict],
    dataset: str,
    normaliser: str = PAPER_NORMALISER,
    speaker_norm: bool = False,
    features: str = PAPER_FEATURES,
) -> float:
    """The stored BCE budget of one dataset and feature setting (NaN when not stored)."""
    for record in budgets:
        setting = (record["dataset"], record["normaliser"], record["speaker_norm"])
        if setting == (dataset, normaliser, speaker_norm) and features_of(record) == features:
            return float(record["summary"]["budget"])
    return float("nan")


def budget_sentence(budgets: list[dict]) -> str:
    """The stored budgets in one paragraph, for the chapter."""
    arabic = budget_of(budgets, "arabic-digits")
    return (
        f"Under the paper's min-max scaling, a latent code can earn at most **{arabic:.0f} "
        f"nats** per clip on the Arabic digits, "
        f"{budget_of(budgets, 'arabic-digits', speaker_norm=True):.0f} once each speaker is "
        f"normalised, {budget_of(budgets, 'fsdd'):.0f} on FSDD and "
        f"{budget_of(budgets, 'us8k'):.0f} on UrbanSound8K. Mapping the 0.5th and 99.5th "
        f"percentiles to 0 and 1 instead of the extremes raises the Arabic digits' budget to "
        f"{budget_of(budgets, 'arabic-digits', 'percentile'):.0f} nats and UrbanSound8K's to "
        f"{budget_of(budgets, 'us8k', 'percentile'):.0f}."
    )
