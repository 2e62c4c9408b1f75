"""The label-free collapse criterion, and the paper's rule for lambda built on it.

The paper chooses lambda "as low as possible ... while still avoiding the collapse -
unintended merging - of clusters". Its criterion and values are not given, so this module
writes one down. It looks only at how a trained model spreads its *training* clips over
the clusters and how much its ``q(y|x)`` says about them (never at labels, never at test
clips):

* clusters used: clusters holding at least one training clip (argmax of ``q(y|x)``);
* largest share: the fraction of training clips in the fullest cluster;
* marginal entropy: entropy of the average ``q(y|x)`` over the training clips, divided by
  ``log K`` (1: the model spreads its probability evenly; 0: all on one cluster);
* information: ``I(x; y) = H(mean q) - mean H(q)`` of ``q(y|x)`` over the training clips,
  divided by ``log K`` (0: every clip gets the same ``q(y|x)``, the uniform one included;
  1: one-hot and balanced).

A run avoids collapse when it uses at least 80% of its clusters (8 of 10, 4 of 5), no
cluster holds more than 20 points above its fair share ``1/K`` (30% at K = 10, 40% at
K = 5), and the marginal entropy is at least 0.9. Those three read balance only, and a
uniform ``q(y|x)`` meets all of them (its argmax falls wherever rounding puts it), so the
rule also asks for information: ``I(x; y) / log K`` at least :data:`MIN_INFORMATION`, 0.5.

Why 0.5: with the clips balanced, ``I(x; y) >= 0.5 log K`` means the average clip's
``q(y|x)`` has entropy at most ``0.5 log K``, as uncertain as a uniform choice among
``sqrt(K)`` clusters (3.2 of 10, 2.2 of 5): halfway, on the scale of ``log`` (clusters a
clip could be in), between the uniform prior (K) and a decision (1). Below it a clip's
``q(y|x)`` lies nearer the prior than a choice, and its argmax is read off near-ties.
The floor asks for no more than that: this is the paper's rule (avoid collapse), not the
sharper targets of this project's own objectives
(:class:`~catuvac.evaluation.selection.SelectionCriteria`).

The information is read on the training clips: exactly from their ``q(y|x)`` where the
record stores it, and otherwise (runs recorded before the criterion read it) from the
final epoch's mean categorical KL over the training clips, through
``E_x KL(q(y|x) || U) = I(x; y) + KL(mean q || U)`` (the guide's split): ``I = KL_y -
(1 - marginal entropy) log K``, floored at 0. Both parts are training-clip quantities;
KL_y is averaged over the last epoch's batches, while training still moves the model.
Since ``I <= KL_y``, a run whose final KL_y is below ``0.5 log K`` fails either way.

The thresholds are fixed before any study runs (the information floor was added, and
justified as above, before the stored study was read again under it), and a setting passes
only when every seed passes.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from catuvac.evaluation.usage import kl_y_decomposition, usage_entropy, usage_summary

MIN_USED_FRACTION = 0.8
MAX_SHARE_ABOVE_FAIR = 0.2
MIN_MARGINAL_ENTROPY = 0.9
MIN_INFORMATION = 0.5
TRAIN_CLUSTERS_KEY = "train_clusters"


@dataclass(frozen=True)
class ClusterSpread:
    """How a model spreads training clips over its ``n_clusters`` clusters, and how much
    its ``q(y|x)`` says about them (``information``: ``I(x; y) / log K``)."""

    n_clusters: int
    clusters_used: int
    largest_share: float
    marginal_entropy: float
    information: float

    @property
    def collapsed(self) -> bool:
        """True when the spread fails any of the three balance thresholds."""
        return not (
            self.clusters_used >= math.ceil(MIN_USED_FRACTION * self.n_clusters)
            and self.largest_share <= 1 / self.n_clusters + MAX_SHARE_ABOVE_FAIR
            and self.marginal_entropy >= MIN_MARGINAL_ENTROPY
        )

    @property
    def uninformative(self) -> bool:
        """True when ``q(y|x)`` carries less than :data:`MIN_INFORMATION` of ``log K``."""
        return self.information < MIN_INFORMATION

    @property
    def fails(self) -> bool:
        """True when the run fails the lambda rule: collapsed or uninformative."""
        return self.collapsed or self.uninformative


def cluster_spread(cluster_probs: np.ndarray) -> ClusterSpread:
    """The spread of ``[N, K]`` cluster probabilities (``q(y|x)`` or responsibilities)."""
    probs = np.asarray(cluster_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ValueError(f"cluster_probs must be a non-empty [N, K] array; got {probs.shape}")
    n_clusters = probs.shape[1]
    usage = usage_summary(np.bincount(probs.argmax(axis=1), minlength=n_clusters))
    information = kl_y_decomposition(probs)["mutual_information"] / math.log(n_clusters)
    return ClusterSpread(
        n_clusters=n_clusters,
        clusters_used=usage["clusters_used"],
        largest_share=usage["largest_share"],
        marginal_entropy=usage_entropy(probs.mean(axis=0), normalised=True),
        information=max(information, 0.0),
    )


def information_from_kl_y(kl_y: float, n_clusters: int, marginal_entropy: float) -> float:
    """``I(x; y) / log K`` from the mean categorical KL over the training clips and the
    normalised entropy of their mean ``q(y|x)``: ``(KL_y - KL(mean q || U)) / log K``, where
    ``KL(mean q || U) = (1 - marginal entropy) log K``; floored at 0."""
    log_k = math.log(n_clusters)
    return max(kl_y / log_k - (1.0 - marginal_entropy), 0.0)


def train_spread_of(record: dict) -> ClusterSpread | None:
    """The training-clip spread stored in a trained run's result, None if it has none.

    A record stored before the criterion read the information gets it from its final
    epoch's categorical KL on the training clips (:func:`information_from_kl_y`)."""
    stored = record.get(TRAIN_CLUSTERS_KEY)
    if stored is None:
        return None
    if "information" not in stored:
        kl_y = record["history"][-1]["kl_y"]
        stored = stored | {
            "information": information_from_kl_y(
                kl_y, stored["n_clusters"], stored["marginal_entropy"]
            )
        }
    return ClusterSpread(**stored)


def lowest_safe_lambda(runs: Iterable[tuple[float, int, bool]]) -> float | None:
    """The paper's rule: the lowest lambda that was run on every seed of the study and
    none of whose runs fails the criterion, collapse or information (None if no lambda
    qualifies).

    ``runs`` holds one ``(lambda, seed, fails)`` triple per run (:attr:`ClusterSpread.fails`).
    A lambda tried on fewer seeds than the study holds is not yet confirmed, so it is never
    chosen: a single lucky seed must not decide the default.
    """
    seeds: dict[float, set[int]] = {}
    passed: dict[float, bool] = {}
    for weight, seed, fails in runs:
        seeds.setdefault(float(weight), set()).add(int(seed))
        passed[float(weight)] = passed.get(float(weight), True) and not fails
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
        "; ".join(parts)
        + f"; marginal entropy of q(y|x) at least {MIN_MARGINAL_ENTROPY} of log K"
        + f"; information I(x; y) at least {MIN_INFORMATION} of log K"
    )
