"""The label-free collapse criterion, and the paper's rule for lambda built on it.

The paper chooses lambda "as low as possible ... while still avoiding the collapse -
unintended merging - of clusters". Its criterion and values are not given, so this module
writes one down. It looks only at how a trained model spreads its *training* clips over
the clusters (never at labels, never at test clips):

* clusters used: clusters holding at least one training clip (argmax of ``q(y|x)``);
* largest share: the fraction of training clips in the fullest cluster;
* marginal entropy: entropy of the average ``q(y|x)`` over the training clips, divided by
  ``log K`` (1: the model spreads its probability evenly; 0: all on one cluster).

A run avoids collapse when it uses at least 80% of its clusters (8 of 10, 4 of 5), no
cluster holds more than 20 points above its fair share ``1/K`` (30% at K = 10, 40% at
K = 5), and the marginal entropy is at least 0.9. The thresholds are fixed before any
study runs, and a setting passes only when every seed passes.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from catuvac.evaluation.usage import usage_entropy, usage_summary

MIN_USED_FRACTION = 0.8
MAX_SHARE_ABOVE_FAIR = 0.2
MIN_MARGINAL_ENTROPY = 0.9
TRAIN_CLUSTERS_KEY = "train_clusters"


@dataclass(frozen=True)
class ClusterSpread:
    """How a model spreads training clips over its ``n_clusters`` clusters."""

    n_clusters: int
    clusters_used: int
    largest_share: float
    marginal_entropy: float

    @property
    def collapsed(self) -> bool:
        """True when the spread fails any of the criterion's three thresholds."""
        return not (
            self.clusters_used >= math.ceil(MIN_USED_FRACTION * self.n_clusters)
            and self.largest_share <= 1 / self.n_clusters + MAX_SHARE_ABOVE_FAIR
            and self.marginal_entropy >= MIN_MARGINAL_ENTROPY
        )


def cluster_spread(cluster_probs: np.ndarray) -> ClusterSpread:
    """The spread of ``[N, K]`` cluster probabilities (``q(y|x)`` or responsibilities)."""
    probs = np.asarray(cluster_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ValueError(f"cluster_probs must be a non-empty [N, K] array; got {probs.shape}")
    n_clusters = probs.shape[1]
    usage = usage_summary(np.bincount(probs.argmax(axis=1), minlength=n_clusters))
    return ClusterSpread(
        n_clusters=n_clusters,
        clusters_used=usage["clusters_used"],
        largest_share=usage["largest_share"],
        marginal_entropy=usage_entropy(probs.mean(axis=0), normalised=True),
    )


def train_spread_of(record: dict) -> ClusterSpread | None:
    """The training-clip spread stored in a trained run's result, None if it has none."""
    stored = record.get(TRAIN_CLUSTERS_KEY)
    return None if stored is None else ClusterSpread(**stored)


def lowest_safe_lambda(runs: Iterable[tuple[float, int, bool]]) -> float | None:
    """The paper's rule: the lowest lambda that was run on every seed of the study and
    none of whose runs collapsed (None if no lambda qualifies).

    ``runs`` holds one ``(lambda, seed, collapsed)`` triple per run. A lambda tried on
    fewer seeds than the study holds is not yet confirmed, so it is never chosen: a single
    lucky seed must not decide the default.
    """
    seeds: dict[float, set[int]] = {}
    passed: dict[float, bool] = {}
    for weight, seed, collapsed in runs:
        seeds.setdefault(float(weight), set()).add(int(seed))
        passed[float(weight)] = passed.get(float(weight), True) and not collapsed
    every_seed = set().union(*seeds.values()) if seeds else set()
    safe = [w for w in seeds if passed[w] and seeds[w] == every_seed]
    return min(safe) if safe else None


def describe_criterion(n_clusters: Sequence[int] = (10, 5)) -> str:
    """The criterion in words, with its thresholds for the given cluster counts."""
    parts = [
        f"K = {k}: at least {math.ceil(MIN_USED_FRACTION * k)} clusters used, none above "
        f"{100 * (1 / k + MAX_SHARE_ABOVE_FAIR):.0f}% of the training clips"
        for k in n_clusters
    ]
    return (
        "; ".join(parts) + f"; marginal entropy of q(y|x) at least {MIN_MARGINAL_ENTROPY} of log K"
    )
