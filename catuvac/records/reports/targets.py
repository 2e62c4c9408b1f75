"""The targets set for this project's objective on q(y|x), checked on the stored runs of
the setting the label-free rule chose: per dataset and cluster count, each target, what
the runs reached on their test clips, and whether every seed met it. Thresholds are fixed
here, before the runs were read, and never moved to fit."""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from catuvac.evaluation.selection import information_terms
from catuvac.evaluation.usage import cluster_usage, usage_summary
from catuvac.records.reports.selection_tables import (
    chosen_settings,
    reproduction_kmeans,
    runs_of_setting,
)
from catuvac.records.store.results import Record, Result

ACCURACY_TARGETS = {("arabic-digits", 10): 50.0, ("fsdd", 10): 50.0, ("us8k", 10): 35.46}
"""Test accuracy (%) to reach: half the spoken digits, and the paper's UVAC on
UrbanSound8K (Table I)."""
MIN_MEAN_MAX_Q = 0.9
MIN_SILHOUETTE = 0.7  # own space; the paper's Cat. UVAC rows reach 0.73-0.97
BALANCE_MARGIN = 0.1  # the largest cluster holds at most 1/K + this share of the clips


def seed_checks(run: Result) -> dict[str, float]:
    """One run's test-clip quantities that the targets read."""
    arrays = run.arrays()
    usage = usage_summary(cluster_usage(arrays["clusters"], run.n_clusters))
    metrics = run.metric_values()
    return {
        "accuracy": 100 * metrics["accuracy"],
        "clusters used": usage["clusters_used"],
        "largest share": usage["largest_share"],
        "mean max q": information_terms(arrays["cluster_probs"])["mean_max_prob"],
        "silhouette": metrics["silhouette"],
    }


def kmeans_accuracy(
    records: Iterable[Record], dataset: str, k: int, speaker_norm: bool = False
) -> float:
    """Mean test accuracy (%) of
    :func:`~catuvac.records.reports.selection_tables.reproduction_kmeans`, NaN when none is
    stored."""
    runs = reproduction_kmeans(records, dataset, k, speaker_norm)
    values = [100 * r.metric_values()["accuracy"] for r in runs]
    return float(np.mean(values)) if values else float("nan")


def targets_table(records: Iterable[Record], ranked: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and cluster count of the ranking, each target of the chosen setting:
    the target, the range the seeds reached (min to max over seeds) and whether every seed
    met it."""
    records = list(records)
    rows = []
    for (dataset, k), setting in chosen_settings(ranked).items():
        runs = runs_of_setting(records, dataset, k, setting)
        checks = pd.DataFrame([seed_checks(r) for r in runs])
        share = 1 / k + BALANCE_MARGIN
        targets = [
            ("every cluster used", "clusters used", k, True),
            (f"largest share at most {share:.2f}", "largest share", share, False),
            (f"mean max q(y|x) at least {MIN_MEAN_MAX_Q}", "mean max q", MIN_MEAN_MAX_Q, True),
            (f"own-space silhouette at least {MIN_SILHOUETTE}", "silhouette", MIN_SILHOUETTE, True),
        ]
        if (dataset, k) in ACCURACY_TARGETS:
            goal = ACCURACY_TARGETS[(dataset, k)]
            targets.insert(0, (f"test accuracy at least {goal:g}%", "accuracy", goal, True))
            for features, speaker_norm in (("", False), (", per speaker", True)):
                kmeans = kmeans_accuracy(records, dataset, k, speaker_norm)
                if not np.isnan(kmeans):
                    name = f"above K-means{features} ({kmeans:.1f}%)"
                    targets.insert(1 + speaker_norm, (name, "accuracy", kmeans, True))
        for name, column, bound, at_least in targets:
            values = checks[column].astype(float)
            met = (values >= bound) if at_least else (values <= bound)
            rows.append(
                {
                    "dataset": dataset,
                    "K": k,
                    "seeds": len(runs),
                    "target": name,
                    "reached (min to max over seeds)": f"{values.min():.3g} to {values.max():.3g}",
                    "met on every seed": "yes"
                    if met.all()
                    else f"no ({int(met.sum())} of {len(met)})",
                }
            )
    return pd.DataFrame(rows)


def targets_sentences(table: pd.DataFrame) -> str:
    """:func:`targets_table` in words, one Markdown bullet per dataset and cluster count:
    the targets every seed met and those it missed."""
    lines = []
    for (dataset, k), rows in table.groupby(["dataset", "K"], sort=False):
        met = rows["met on every seed"] == "yes"
        missed = [
            f"{r['target']} (reached {r['reached (min to max over seeds)']})"
            for _, r in rows[~met].iterrows()
        ]
        seeds = rows["seeds"].iloc[0]
        parts = [f"**{dataset}, K = {k}** ({seeds} seed{'' if seeds == 1 else 's'}):"]
        parts.append("met " + ", ".join(rows.loc[met, "target"]) if met.any() else "met none")
        parts.append("missed " + "; ".join(missed) if missed else "missed none")
        lines.append("- " + parts[0] + " " + "; ".join(parts[1:]) + ".")
    return "\n".join(lines)
