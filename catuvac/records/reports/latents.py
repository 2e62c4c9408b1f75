"""What the latents of the study's runs carry under each likelihood (KL_z, active units,
the reconstruction against PCA, I(x; y)), read from the stored runs for the book."""

from collections.abc import Iterable

import pandas as pd

from catuvac.records.reports.seed_tables import values_text
from catuvac.records.reports.setting_names import (
    LIKELIHOOD_NAMES,
    NOT_USED,
    STUDY_PROFILE,
    has_cluster_objective,
    study_runs,
)
from catuvac.records.store.results import Record


def latent_table(records: Iterable[Record], profile: str = STUDY_PROFILE) -> pd.DataFrame:
    """One row per run of the study profile trained with the paper's objective on q(y|x):
    what its latents carry on the test clips, by likelihood."""
    rows = []
    for result in study_runs(records, profile):
        if has_cluster_objective(result):
            continue
        check, use = result["reconstruction_check"], result["latent_use"]
        rows.append(
            {
                "dataset": result.dataset,
                "K": result.n_clusters,
                "likelihood": LIKELIHOOD_NAMES[result.beyond_paper.get("likelihood", "bce")],
                "seed": result.seed,
                "KL_z (nats)": use["kl_z"],
                "active units of z": use["active_units"],
                "model MSE": check["model_mse"],
                "PCA MSE": check["pca_mse"],
                "mean MSE": check["mean_mse"],
                "KL_y (nats)": use["kl_y"],
                "I(x; y) (nats)": use["information_xy"],
                "mean max q(y|x)": use["mean_max_q"],
                f"accuracy (%) {NOT_USED}": 100 * result.metric_values()["accuracy"],
            }
        )
    return pd.DataFrame(rows)


def latent_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`latent_table` as mean ± std over seeds per dataset and likelihood, with the
    targets' verdict: the VAE beats PCA, KL_z at least 10 nats, at least 5 active units."""
    rows = []
    for (dataset, k, likelihood), runs in table.groupby(["dataset", "K", "likelihood"]):
        n = len(runs)
        beats_pca = int((runs["model MSE"] < runs["PCA MSE"]).sum())
        rows.append(
            {
                "dataset": dataset,
                "K": k,
                "likelihood": likelihood,
                "seeds": n,
                "KL_z (nats)": text_scaled(runs["KL_z (nats)"], 1, 1),
                "active units": text_scaled(runs["active units of z"], 1, 1),
                "model MSE (×1000)": text_scaled(runs["model MSE"], 1000, 2),
                "PCA MSE (×1000)": text_scaled(runs["PCA MSE"], 1000, 2),
                "seeds where the VAE beats PCA": f"{beats_pca} of {n}",
                "I(x; y) (nats)": text_scaled(runs["I(x; y) (nats)"], 1, 2),
                f"accuracy (%) {NOT_USED}": text_scaled(runs[f"accuracy (%) {NOT_USED}"], 1, 1),
            }
        )
    return pd.DataFrame(rows)


def text_scaled(values: pd.Series, scale: float, digits: int) -> str:
    """``mean ± std`` of ``values * scale``."""
    return values_text(values.astype(float) * scale, digits)


def latent_sentence(table: pd.DataFrame) -> str:
    """What :func:`latent_table` says, per dataset and likelihood, in one sentence, and
    then how many times the paper's BCE's KL_z each other likelihood's is, per dataset
    (the factor differs between datasets, so a single "several times" would not be true)."""
    parts = []
    for (dataset, likelihood), runs in table.groupby(["dataset", "likelihood"]):
        beats = int((runs["model MSE"] < runs["PCA MSE"]).sum())
        parts.append(
            f"{dataset}, {likelihood}: KL_z {runs['KL_z (nats)'].mean():.1f} nats, "
            f"{runs['active units of z'].mean():.1f} active units of 10, a reconstruction "
            f"better than PCA's on {beats} of {len(runs)} seeds"
        )
    sentence = "On the test clips: " + "; ".join(parts) + "."
    means = table.groupby(["dataset", "likelihood"])["KL_z (nats)"].mean()
    bce = LIKELIHOOD_NAMES["bce"]
    ratios = [
        f"{means[dataset, likelihood] / means[dataset, bce]:.1f} times on {dataset} ({likelihood})"
        for dataset, likelihood in means.index
        if likelihood != bce and (dataset, bce) in means.index and means[dataset, bce] > 0
    ]
    if ratios:
        sentence += " The calibrated likelihood's KL_z is the BCE's " + ", ".join(ratios) + "."
    return sentence
