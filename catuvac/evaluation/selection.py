"""Label-free selection of a clustering setting, fixed before any label is read.

A setting (an objective and its weights) is trained on several seeds; each run is
summarised on its *training* clips by quantities that need no class label:

* information: ``I(x; y) = H(mean q) - mean H(q)`` of ``q(y|x)``, at least 0.85 ``log K``
  (the clusters carry nearly all the information ``y`` can hold);
* sharpness: mean ``max_y q(y|x)`` at least 0.9 (each clip is assigned confidently);
* usage and balance: every cluster used and the largest share at most ``1/K + 0.1``;
* stability: agreement (NMI) between the seeds' partitions of the same clips;
* invariance: the share of clips whose cluster survives held-out augmentations;
* neighbour agreement: how much more often than chance a clip's nearest neighbours in the
  run's own input share its cluster, at least 0.5 (:func:`neighbour_agreement`);
* voice independence: NMI with speaker metadata (metadata, never the class), lower better.

Neighbour agreement joins the pass criteria, not the ordering: a setting that pairs
neighbours in its objective is trained on the very graph it would be ordered by, so the
criterion may refuse a run whose clusters cut across its input's neighbourhoods, but it
never ranks one setting above another. Its threshold, 0.5, lies halfway between chance (0)
and clusters made of whole neighbourhoods (1), and was fixed before any run's agreement
was computed.

:func:`rank_settings` orders the settings by these alone. Accuracy and NMI with the
classes may ride along in the same table for reporting; they never enter the ordering.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike
from sklearn.metrics import normalized_mutual_info_score

from catuvac.evaluation.collapse import cluster_spread
from catuvac.evaluation.embedding import embed
from catuvac.evaluation.metrics import nmi
from catuvac.evaluation.usage import kl_y_decomposition
from catuvac.features import FeatureSet
from catuvac.features.augment import AugmentConfig, augment
from catuvac.model import ClusteringVAE
from catuvac.training.neighbours import neighbour_agreement as agreeing_share

SELECTION_NEIGHBOURS = 10
"""k of the neighbour graph :func:`neighbour_agreement` reads: each training clip's 10
nearest others in the run's own normalised input, mined without labels
(:func:`~catuvac.training.neighbours.mine_neighbours`)."""
SETTING = "setting"
SEED = "seed"
PARTITION = "partition"
"""Optional column of :func:`rank_settings`: each run's argmax partition of the common
training clips (an integer array), from which seed agreement is computed."""
CRITERIA_COLUMNS = (
    "information_ratio",
    "mean_max_prob",
    "n_clusters",
    "clusters_used",
    "largest_share",
)
"""The :func:`run_summary` columns :class:`SelectionCriteria` reads from each run."""
ORDER = (
    ("passes", False),
    ("seed_agreement", False),
    ("augmentation_agreement", False),
    ("speaker_nmi", True),
)
"""The ordering keys of :func:`rank_settings` with ``ascending``: passing first, then higher
seed agreement, higher augmentation agreement, lower speaker NMI."""


def information_terms(cluster_probs: ArrayLike) -> dict[str, float]:
    """How much information the soft assignments ``[N, K]`` carry, in nats.

    ``marginal_entropy`` ``H(mean q)`` measures balance (``log K`` when clips spread evenly),
    ``mean_entropy`` ``mean H(q)`` the uncertainty of each clip (0 when one-hot);
    ``mutual_information`` ``I(x; y)`` is their difference, ``log K`` only for sharp and
    balanced assignments, and ``information_ratio`` divides it by ``log K``.
    ``mean_max_prob`` is the average confidence of the argmax. The parts come from
    :func:`~catuvac.evaluation.usage.kl_y_decomposition`, the same split the ELBO's KL uses.
    """
    q = np.asarray(cluster_probs, dtype=np.float64)
    if q.ndim != 2 or q.shape[0] == 0 or q.shape[1] < 2:
        raise ValueError(f"cluster_probs must be [N, K] with N >= 1 and K >= 2; got {q.shape}")
    log_k = math.log(q.shape[1])
    parts = kl_y_decomposition(q)
    marginal_entropy = log_k - parts["marginal_kl"]
    information = parts["mutual_information"]
    return {
        "mutual_information": information,
        "marginal_entropy": marginal_entropy,
        "mean_entropy": marginal_entropy - information,
        "mean_max_prob": float(q.max(axis=1).mean()),
        "information_ratio": information / log_k,
    }


def run_summary(cluster_probs: ArrayLike) -> dict[str, float]:
    """Everything :class:`SelectionCriteria` reads, for one run's training clips: the
    :func:`information_terms` plus clusters used, their number and the largest share (from
    :func:`~catuvac.evaluation.collapse.cluster_spread`, argmax of ``q(y|x)``)."""
    spread = cluster_spread(np.asarray(cluster_probs))
    return information_terms(cluster_probs) | {
        "n_clusters": spread.n_clusters,
        "clusters_used": spread.clusters_used,
        "largest_share": spread.largest_share,
    }


def seed_agreement(partitions: Sequence[ArrayLike]) -> float:
    """Mean pairwise NMI between the partitions of the same clips by different seeds.

    1 when every seed finds the same clusters (up to renaming); near 0 when each seed's
    split is arbitrary. A setting whose clusters change with the seed has found no
    structure of the data, however sharp and balanced each run is.
    """
    arrays = [np.asarray(p).ravel() for p in partitions]
    if len(arrays) < 2:
        raise ValueError(f"seed agreement needs at least 2 partitions; got {len(arrays)}")
    if len({a.size for a in arrays}) != 1:
        raise ValueError(f"partitions must cover the same clips; sizes {[a.size for a in arrays]}")
    scores = [normalized_mutual_info_score(a, b) for a, b in combinations(arrays, 2)]
    return float(np.mean(scores))


def augmentation_agreement(
    clusters: ArrayLike,
    clusters_augmented: ArrayLike,
    measure: Literal["share", "nmi"] = "share",
) -> float:
    """Agreement of one model's argmax clusters on clips and on augmented copies of them.

    ``share``: fraction of clips whose cluster is unchanged (the same model names the
    clusters on both views, so no matching is needed); ``nmi``: NMI between the two
    assignments, which forgives a consistent relabelling. High when the clusters ignore
    what the augmentations change (voice, level, small shifts) and follow what they keep.
    Use augmentations held out from training, or the score rewards memorised invariance.
    """
    before, after = np.asarray(clusters).ravel(), np.asarray(clusters_augmented).ravel()
    if before.size != after.size or before.size == 0:
        raise ValueError(
            f"expected two equal, non-empty assignments; got {before.size}, {after.size}"
        )
    if measure == "share":
        return float(np.mean(before == after))
    if measure == "nmi":
        return float(normalized_mutual_info_score(before, after))
    raise ValueError(f"measure must be 'share' or 'nmi'; got {measure!r}")


def neighbour_agreement(neighbours: ArrayLike, clusters: ArrayLike) -> float:
    """How far beyond chance the clusters keep each clip with its mined neighbours
    ``[N, k]``: ``(a - c) / (1 - c)``, where ``a`` is the share of neighbour pairs in one
    cluster and ``c`` the share that clusters of these sizes hold by chance (the sum of
    the squared shares). 1 when every neighbourhood lies in one cluster, 0 at chance; a
    single cluster holds every pair by chance and scores 0, so collapse cannot earn it."""
    clusters = np.asarray(clusters).ravel()
    neighbours = np.asarray(neighbours)
    if neighbours.ndim != 2 or len(neighbours) != clusters.size or clusters.size == 0:
        raise ValueError(
            f"need [N, k] neighbours of the N clustered clips; got {neighbours.shape} for "
            f"{clusters.size} clips"
        )
    shares = np.bincount(clusters) / clusters.size
    chance = float(np.sum(shares**2))
    if chance >= 1.0:
        return 0.0
    agreeing = agreeing_share(torch.as_tensor(neighbours), torch.as_tensor(clusters))
    return (agreeing - chance) / (1.0 - chance)


def speaker_nmi(clusters: ArrayLike, speakers: ArrayLike) -> float:
    """NMI between clusters and speaker metadata (never the class): how much of the split
    follows the voice. Spoken-digit features cluster by voice first, so a low value is
    the sign that ``y`` found something else."""
    return nmi(speakers, clusters)


@dataclass(frozen=True)
class SelectionCriteria:
    """The thresholds a run must meet on its training clips (issue 19's targets, and the
    neighbour agreement of the module docstring)."""

    min_information_ratio: float = 0.85
    min_mean_max_prob: float = 0.9
    min_used_fraction: float = 1.0
    max_share_above_fair: float = 0.1
    min_neighbour_agreement: float = 0.5

    def passes(self, summary: Mapping[str, float]) -> dict[str, bool]:
        """Each criterion and ``passes`` (all of them) for a :func:`run_summary`; the
        neighbour agreement is checked where the summary has one (a run whose graph was
        not mined is judged without it)."""
        k = int(summary["n_clusters"])
        checks = {
            "information": summary["information_ratio"] >= self.min_information_ratio,
            "sharpness": summary["mean_max_prob"] >= self.min_mean_max_prob,
            "usage": summary["clusters_used"] >= math.ceil(self.min_used_fraction * k),
            "balance": summary["largest_share"] <= 1 / k + self.max_share_above_fair,
        }
        agreement = summary.get("neighbour_agreement")
        if agreement is not None and not pd.isna(agreement):
            checks["neighbours"] = agreement >= self.min_neighbour_agreement
        checks = {name: bool(ok) for name, ok in checks.items()}
        return checks | {"passes": all(checks.values())}


def _setting_row(runs: pd.DataFrame, criteria: SelectionCriteria) -> dict[str, object]:
    """One setting's runs: the seed mean of numeric columns (the first value of others),
    then the computed columns, which win over input columns of the same name."""
    carried: dict[str, object] = {}
    for column in runs.columns.drop([SETTING, SEED, PARTITION], errors="ignore"):
        values = runs[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        carried[column] = values.mean() if numeric else values.iloc[0]
    checks = pd.DataFrame([criteria.passes(row) for row in runs.to_dict("records")])
    computed: dict[str, object] = {"seeds": len(runs), "seeds_passing": int(checks["passes"].sum())}
    computed |= {name: bool(checks[name].all()) for name in checks.columns}
    if PARTITION in runs:
        partitions = list(runs[PARTITION])
        computed["seed_agreement"] = seed_agreement(partitions) if len(partitions) > 1 else np.nan
    return carried | computed


def rank_settings(table: pd.DataFrame, criteria: SelectionCriteria | None = None) -> pd.DataFrame:
    """Order settings by label-free quantities only; one row per setting, best first.

    ``table`` holds one row per run: ``setting``, ``seed``, the :func:`run_summary` columns
    (``information_ratio``, ``mean_max_prob``, ``n_clusters``, ``clusters_used``,
    ``largest_share``), optionally ``augmentation_agreement`` and ``speaker_nmi``, and
    either a ``partition`` column (each run's argmax on the same training clips) or a
    ``seed_agreement`` column. Each setting gets the mean of its numeric columns over
    seeds, ``seeds`` and ``seeds_passing``, one column per criterion that is True only when
    every seed meets it, and ``passes`` (every criterion on every seed).

    Ordering rule: settings that pass come first; then higher seed agreement, then higher
    augmentation agreement, then lower speaker NMI (keys whose column is absent are
    skipped, missing values sort last, the setting name breaks ties). ``rank`` numbers the
    result from 1. Any other column (accuracy, NMI with the classes) is carried through,
    averaged over seeds, and never read for the ordering; ``attrs["ordered_by"]`` names the
    columns that were.
    """
    criteria = criteria or SelectionCriteria()
    needed = {SETTING, SEED, *CRITERIA_COLUMNS}
    missing = sorted(needed - set(table.columns))
    if missing:
        raise ValueError(f"rank_settings needs the columns {sorted(needed)}; missing {missing}")
    if PARTITION not in table and "seed_agreement" not in table:
        raise ValueError(f"rank_settings needs a {PARTITION!r} or a 'seed_agreement' column")
    computed = ("passes", "seed_agreement")
    keys = [
        (column, ascending) for column, ascending in ORDER if column in computed or column in table
    ]
    rows = [
        {SETTING: setting} | _setting_row(runs, criteria)
        for setting, runs in table.groupby(SETTING, sort=True)
    ]
    ranked = pd.DataFrame(rows).sort_values(
        by=[column for column, _ in keys] + [SETTING],
        ascending=[ascending for _, ascending in keys] + [True],
        na_position="last",
    )
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    ranked.attrs["ordered_by"] = list(CRITERIA_COLUMNS) + [column for column, _ in keys[1:]]
    return ranked.reset_index(drop=True)


HELD_OUT_AUGMENT = AugmentConfig(warp=0.15, max_shift=0, n_freq_masks=0, n_time_masks=0, gain=0.15)
"""The held-out augmentation of :func:`train_clip_summary`: a stronger frequency warp and
gain than training uses, without the shifts and masks training sees, drawn with a
generator of its own."""
HELD_OUT_SEED = 10_007


def train_clip_summary(
    model: ClusteringVAE, train: FeatureSet, probs: np.ndarray | None = None
) -> tuple[dict, np.ndarray]:
    """The label-free quantities of one trained run on its training clips (a
    :func:`run_summary`, plus the share of clips whose argmax survives
    :data:`HELD_OUT_AUGMENT`) and the argmax partition, from which seed agreement is
    computed across runs on the same clips. ``probs``: the clips' ``q(y|x)`` when the
    caller has embedded them already."""
    if probs is None:
        probs = embed(model, train).cluster_probs.numpy()
    generator = torch.Generator().manual_seed(HELD_OUT_SEED)
    view, view_mask = augment(train.features, train.mask, HELD_OUT_AUGMENT, generator)
    augmented = FeatureSet(view, view_mask, train.labels, train.paths)
    clusters = probs.argmax(axis=1)
    moved = embed(model, augmented).cluster_probs.numpy().argmax(axis=1)
    summary = run_summary(probs) | {
        "augmentation_agreement": augmentation_agreement(clusters, moved)
    }
    return summary, clusters
