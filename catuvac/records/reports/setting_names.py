"""How the book names a stored run's setting beyond the paper (its objective on q(y|x),
its likelihood), and which runs belong to the study of those settings."""

from collections.abc import Iterable

from catuvac.records.store.results import CLUSTER_TERM_WEIGHTS, Record, Result, as_result, select

STUDY_PROFILE = "long"


LIKELIHOOD_NAMES = {
    "bce": "BCE (the paper's)",
    "gaussian": "Gaussian, learned σ",
    "gaussian-optimal": "Gaussian, optimal σ",
    "gaussian-band": "Gaussian, σ per band",
}


OBJECTIVE_WEIGHTS = {
    "marginal_weight": "balance",
    "entropy_weight": "entropy",
    "capacity_weight": "capacity",
    "consistency_weight": "consistency",
    "self_label_weight": "self-labelling",
}


NOT_USED = "(not used)"


def objective_name(result: Result) -> str:
    """The objective on q(y|x) a run trained with, in words: the paper's lambda term, then
    this project's weights (balance, entropy, capacity, consistency) where set, and the
    neighbours the consistency term pairs, the K-means start and the exact sum over y."""
    beyond = result.beyond_paper
    lam = result.lambda_setting[0] if result.lambda_setting else float("nan")
    parts = [f"λ = {lam:g}"]
    for key, label in OBJECTIVE_WEIGHTS.items():
        if key == "capacity_weight" and key in beyond:
            target = beyond.get("capacity_nats", 0.0)
            parts.append(f"capacity {target:g} nats at weight {beyond[key]:g}")
        elif key in beyond:
            parts.append(f"{label} {beyond[key]:g}")
    if "neighbours" in beyond:
        term = str(result.spec.get("consistency_term", "iic")).upper()
        where = ""
        if result.spec.get("neighbour_space", "features") == "z":
            where = f" mined in z every {result.spec['neighbour_refresh']} epochs"
        parts.append(f"{term} pairs with {beyond['neighbours']} neighbours{where}")
    if "self_label_threshold" in beyond:
        parts.append(f"self-labels above q = {beyond['self_label_threshold']:g}")
    if "pseudo_label_epochs" in beyond:
        where = ""
        if result.spec.get("pseudo_label_space", "features") == "z":
            where = f" on z at epoch {result.spec['pseudo_label_after']}"
        parts.append(f"q(y|x) started at K-means{where} ({beyond['pseudo_label_epochs']} epochs)")
    if beyond.get("y_estimator") == "exact":
        parts.append("y summed exactly (M2), not sampled")
    return ", ".join(parts)


def setting_name(result: Result) -> str:
    """A run's whole setting in words: objective, likelihood, normaliser, speaker norm."""
    likelihood = LIKELIHOOD_NAMES[result.beyond_paper.get("likelihood", "bce")]
    parts = [objective_name(result), likelihood]
    if "normaliser" in result.beyond_paper:
        parts.append(f"{result.beyond_paper['normaliser']} range")
    if result.speaker_norm:
        parts.append("per-speaker normalised")
    return "; ".join(parts)


def study_runs(records: Iterable[Record], profile: str = STUDY_PROFILE) -> list[Result]:
    """The trained runs of the study profile that carry a reconstruction check, on the
    paper's features: the word-aligned runs are a study of their own, never ranked with
    the paper's windows."""
    return [
        as_result(r)
        for r in select(records, profile=profile)
        if as_result(r).method in ("catuvac", "uvac")
        and "reconstruction_check" in r
        and "features" not in as_result(r).beyond_paper
    ]


def has_cluster_objective(result: Result) -> bool:
    """Whether a run trained with this project's terms on q(y|x) (besides the balance)."""
    return bool(set(result.beyond_paper) & set(CLUSTER_TERM_WEIGHTS))
