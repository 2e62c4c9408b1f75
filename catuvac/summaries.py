"""Summaries the book draws on: cluster usage and collapse, seed statistics of stored results,
lambda studies, the clips behind stored test arrays, and two small toy setups.

Everything here works on plain arrays, training histories (lists of per-epoch dicts as
:func:`catuvac.train.train` returns them) or result records (dicts as
:func:`catuvac.reproduce.load_results` returns them), so it runs without a model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from catuvac.defaults import ELBO_LAMBDA, default_lambda
from catuvac.metrics import INTERNAL_METRIC_NAMES, METRIC_NAMES, internal_metrics

METHOD_NAMES = {
    "labels": "None (labels)",
    "kmeans": "K-means",
    "uvac": "UVAC",
    "catuvac": "Cat. UVAC",
}
"""How the book names each method (the paper's Table I names)."""

# --------------------------------------------------------------------------------------
# Cluster usage: how many clusters a clustering really uses.


def _usage(usage: ArrayLike) -> np.ndarray:
    counts = np.asarray(usage, dtype=np.float64).ravel()
    if counts.size == 0:
        raise ValueError("cluster usage is empty: expected one count per cluster")
    if np.any(counts < 0):
        raise ValueError(f"cluster usage counts must not be negative; got {counts.tolist()}")
    if counts.sum() == 0:
        raise ValueError("cluster usage has no samples (all counts are zero)")
    return counts


def cluster_usage(clusters: ArrayLike, n_clusters: int) -> np.ndarray:
    """Counts of hard assignments per cluster, ``[n_clusters]`` (empty clusters count 0)."""
    assigned = np.asarray(clusters, dtype=np.int64).ravel()
    if assigned.size and (assigned.min() < 0 or assigned.max() >= n_clusters):
        raise ValueError(f"cluster ids must lie in [0, {n_clusters - 1}]")
    return np.bincount(assigned, minlength=n_clusters)


def clusters_used(usage: ArrayLike, min_share: float = 0.0) -> int:
    """Number of clusters holding more than ``min_share`` of the samples (default: any)."""
    counts = _usage(usage)
    return int(np.sum(counts / counts.sum() > min_share))


def usage_entropy(usage: ArrayLike, normalised: bool = False) -> float:
    """Entropy of the cluster-usage distribution in nats, ``-sum p_k log p_k``.

    ``log K`` when every cluster holds the same number of samples, 0 when one cluster
    holds them all (total collapse). ``normalised=True`` divides by ``log K`` (range [0, 1]).
    """
    counts = _usage(usage)
    p = counts[counts > 0] / counts.sum()
    entropy = float(-(p * np.log(p)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0
    if normalised:
        return entropy / float(np.log(counts.size)) if counts.size > 1 else 0.0
    return entropy


def effective_clusters(usage: ArrayLike) -> float:
    """``exp(entropy)``: the number of equally used clusters with the same entropy."""
    return float(np.exp(usage_entropy(usage)))


def usage_summary(usage: ArrayLike) -> dict[str, float]:
    """Clusters used, usage entropy (nats and normalised), effective clusters, largest share."""
    counts = _usage(usage)
    return {
        "clusters": int(counts.size),
        "clusters_used": clusters_used(counts),
        "entropy": usage_entropy(counts),
        "entropy_normalised": usage_entropy(counts, normalised=True),
        "effective_clusters": effective_clusters(counts),
        "largest_share": float(counts.max() / counts.sum()),
    }


def kl_y_decomposition(cluster_probs: ArrayLike, eps: float = 1e-12) -> dict[str, float]:
    """Split the mean categorical KL to the uniform prior into its two parts (nats):

    ``mean_x KL(q(y|x) || U) = I(x; y) + KL(q(y) || U)``, where ``q(y)`` is the average of
    ``q(y|x)`` over the clips. ``mutual_information`` is high when each clip is assigned
    confidently; ``marginal_kl`` is high when the clips pile into few clusters (collapse).
    Returns ``{"mean_kl", "mutual_information", "marginal_kl"}`` for ``[N, K]`` probabilities.
    """
    q = np.asarray(cluster_probs, dtype=np.float64)
    if q.ndim != 2:
        raise ValueError(f"cluster_probs must be [N, K]; got shape {q.shape}")
    k = q.shape[1]
    log_q = np.log(q + eps)
    marginal = q.mean(axis=0)
    mean_kl = float((q * (log_q + np.log(k))).sum(axis=1).mean())
    marginal_kl = float((marginal * (np.log(marginal + eps) + np.log(k))).sum())
    information = float((q * (log_q - np.log(marginal + eps)[None, :])).sum(axis=1).mean())
    return {"mean_kl": mean_kl, "mutual_information": information, "marginal_kl": marginal_kl}


def usage_matrix(history: Sequence[dict]) -> np.ndarray:
    """Per-epoch cluster usage of a training history as an ``[epochs, K]`` array."""
    if not history:
        raise ValueError("the training history is empty")
    return np.array([record["cluster_usage"] for record in history], dtype=np.int64)


def history_frame(history: Sequence[dict]) -> pd.DataFrame:
    """One row per epoch: the loss terms, tau, learning rate and the usage summary."""
    rows = []
    for record in history:
        row = {
            key: record[key]
            for key in ("epoch", "loss", "reconstruction", "kl_z", "kl_y", "tau", "lr")
        }
        summary = usage_summary(record["cluster_usage"])
        row.update(
            clusters_used=summary["clusters_used"],
            usage_entropy=summary["entropy"],
            largest_share=summary["largest_share"],
        )
        rows.append(row)
    return pd.DataFrame(rows).set_index("epoch")


# --------------------------------------------------------------------------------------
# Result records: selecting, grouping over seeds, lambda studies.


def select(
    records: Iterable[dict],
    dataset: str | None = None,
    profile: str | None = None,
    n_clusters: int | None = None,
    method: str | None = None,
    speaker_norm: bool | None = None,
) -> list[dict]:
    """Records matching every given field (the labels row matches any ``n_clusters``
    equal to its number of classes; records older than ``speaker_norm`` had it off)."""
    chosen = []
    for record in records:
        spec = record["spec"]
        k = record["n_classes"] if spec["method"] == "labels" else spec["n_clusters"]
        if dataset is not None and spec["dataset"] != dataset:
            continue
        if profile is not None and record["profile"]["name"] != profile:
            continue
        if n_clusters is not None and k != n_clusters:
            continue
        if method is not None and spec["method"] != method:
            continue
        if speaker_norm is not None and speaker_norm_of(record) != speaker_norm:
            continue
        chosen.append(record)
    return chosen


def largest_profile_of(records: Iterable[dict], dataset: str) -> tuple[str | None, list[dict]]:
    """The profile with the most epochs among ``dataset``'s records, and those records."""
    from catuvac.reproduce import largest_profile

    mine = select(records, dataset=dataset)
    best = largest_profile(mine)
    return best, select(mine, profile=best) if best else []


def speaker_norm_of(record: dict) -> bool:
    """Whether a record's features were normalised per speaker (absent in older records)."""
    return bool(record["spec"].get("speaker_norm", False))


def lambda_of(record: dict) -> tuple[float, str] | None:
    """``(lambda_weight, lambda_placement)`` of a trained model's record, None otherwise."""
    config = record.get("model_config")
    if not config:
        return None
    return float(config["lambda_weight"]), str(config["lambda_placement"])


def metric_values(record: dict, space: str = "own") -> dict[str, float]:
    """The five metrics of one record (accuracy as a fraction; NaN where not reported)."""
    metrics = record["metrics"]
    values = {}
    for name in METRIC_NAMES:
        value = metrics.get(name) if name in ("accuracy", "nmi") else metrics[space].get(name)
        values[name] = np.nan if value is None else float(value)
    return values


def _group_key(record: dict) -> tuple:
    spec = record["spec"]
    method = spec["method"]
    k = record["n_classes"] if method == "labels" else spec["n_clusters"]
    tau = spec.get("tau_end") if method == "catuvac" else None
    weight, placement = lambda_of(record) or (None, None)
    profile = record["profile"]["name"]
    return (profile, spec["dataset"], k, method, tau, weight, placement, speaker_norm_of(record))


_METHOD_ORDER = {name: i for i, name in enumerate(METHOD_NAMES)}


def seed_table(records: Iterable[dict], space: str = "own") -> pd.DataFrame:
    """Mean and standard deviation over seeds of every metric, one row per setting.

    A setting is (profile, dataset, clusters, method, final tau, lambda, placement,
    speaker normalisation); the
    columns ``<metric>_mean`` and ``<metric>_std`` (population std, 0 for one seed) ignore
    NaN values (collapsed runs, or accuracy/NMI when clusters != classes); ``<metric>_n``
    counts the seeds that had a value. ``clusters_used`` lists, seed by seed, how many
    clusters the test clips use, so that a collapsed run cannot hide behind a mean.
    ``epochs``, ``train_clips``, ``test_clips`` and ``device`` say what the numbers were
    computed on.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for record in records:
        groups[_group_key(record)].append(record)
    rows = []
    for key, runs in groups.items():
        profile, dataset, k, method, tau, weight, placement, speaker_norm = key
        row = {
            "profile": profile,
            "dataset": dataset,
            "clusters": k,
            "method": METHOD_NAMES.get(method, method),
            "tau_end": tau,
            "lambda": weight,
            "placement": placement,
            "speaker_norm": speaker_norm,
            "seeds": len(runs),
            "epochs": runs[0].get("epochs"),
            "train_clips": runs[0]["data_subset"]["train_clips"],
            "test_clips": runs[0]["data_subset"]["test_clips"],
        }
        values = pd.DataFrame([metric_values(r, space) for r in runs])
        for name in METRIC_NAMES:
            column = values[name].dropna()
            row[f"{name}_mean"] = float(column.mean()) if len(column) else np.nan
            row[f"{name}_std"] = float(column.std(ddof=0)) if len(column) else np.nan
            row[f"{name}_n"] = len(column)
        ordered = sorted(runs, key=lambda r: r["spec"]["seed"])
        row["clusters_used"] = [clusters_used(r["cluster_sizes"]) for r in ordered]
        row["device"] = devices_of(runs)
        method_order = _METHOD_ORDER.get(method, 99)
        row["_order"] = (
            profile,
            dataset,
            -k,
            method_order,
            weight or 0.0,
            tau or 0.0,
            speaker_norm,
        )
        rows.append(row)
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows).sort_values("_order", kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def format_seed_table(
    table: pd.DataFrame, digits: int = 2, with_clusters_used: bool = False
) -> pd.DataFrame:
    """``seed_table`` with each metric as text, ``mean ± std`` (accuracy in %); a setting
    with a single seed shows its value alone. ``with_clusters_used`` adds the clusters
    each seed's test clips use (``10 / 3 / 9``)."""
    if table.empty:
        return table
    shown = table[["dataset", "clusters", "method", "tau_end", "seeds"]].copy()
    shown["tau_end"] = shown["tau_end"].map(lambda t: "" if pd.isna(t) else f"{t:g}")
    if with_clusters_used:
        shown["clusters used"] = table["clusters_used"].map(lambda n: " / ".join(map(str, n)))
    for name in METRIC_NAMES:
        scale = 100.0 if name == "accuracy" else 1.0
        means, stds = table[f"{name}_mean"] * scale, table[f"{name}_std"] * scale
        shown[name] = [
            _mean_text(m, s, n, seeds, digits)
            for m, s, n, seeds in zip(means, stds, table[f"{name}_n"], table["seeds"], strict=True)
        ]
    return shown.rename(columns={"accuracy": "accuracy (%)"})


def _mean_text(mean: float, std: float, n: int, seeds: int, digits: int) -> str:
    """``mean ± std``; ``(n of N seeds)`` when some seeds had no value (a collapsed run)."""
    if np.isnan(mean):
        return "–"
    text = f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if n > 1 else "")
    return text + (f" ({n} of {seeds} seeds)" if n < seeds else "")


def devices_of(records: Iterable[dict]) -> str:
    """The devices the records ran on, as stored (``cpu``, ``cuda``), joined by ``+``."""
    return "+".join(sorted({r["environment"]["device"] for r in records}))


def device_label(device: str) -> str:
    """``cuda`` → ``GPU``, ``cpu`` → ``CPU``; a setting run on both reads ``CPU+GPU``."""
    return "+".join({"cuda": "GPU", "cpu": "CPU"}.get(d, d) for d in device.split("+"))


def describe_records(records: Sequence[dict]) -> str:
    """One line saying what stored results were computed on: profile, epochs, data."""
    if not records:
        return "no stored results"
    profiles = sorted({r["profile"]["name"] for r in records})
    epochs = sorted({r["epochs"] for r in records if r.get("epochs")})
    subsets = sorted(
        {(r["data_subset"]["train_clips"], r["data_subset"]["test_clips"]) for r in records}
    )
    seeds = sorted({r["spec"]["seed"] for r in records if r["spec"]["method"] != "labels"})
    epoch_text = "/".join(str(e) for e in epochs) if epochs else "none (no training)"
    data_text = "; ".join(f"{a} train / {b} test clips" for a, b in subsets)
    seed_text = f"seed{'s' if len(seeds) > 1 else ''} {', '.join(str(s) for s in seeds)}"
    return (
        f"profile {'/'.join(profiles)}, epochs {epoch_text}, {data_text}, "
        f"{seed_text if seeds else 'no seeds'}, on {device_label(devices_of(records))}"
    )


def plain_setting(record: dict) -> bool:
    """Whether a record has the paper's setting apart from lambda: Cat. UVAC at the final
    temperature 0.5, no batch-marginal term, features not normalised per speaker."""
    spec = record["spec"]
    return (
        (spec["method"] != "catuvac" or spec.get("tau_end", 0.5) == 0.5)
        and not spec.get("marginal_weight", 0.0)
        and not speaker_norm_of(record)
    )


def at_elbo_weight(record: dict) -> bool:
    """A run trained at the ELBO's own weight, lambda = 1 on the categorical KL, without
    naming it (the project's default before the lambda study; the study's own run at
    lambda = 1 names it and is left out, so no seed counts twice). K-means and labels,
    which have no lambda, pass."""
    setting = lambda_of(record)
    return setting is None or (
        setting == (ELBO_LAMBDA, "kl_y") and record["spec"].get("lambda_weight") is None
    )


def at_chosen_lambda(record: dict) -> bool:
    """A run trained at its dataset's default lambda on the categorical KL, the one the
    lambda study chose (:mod:`catuvac.defaults`), named or not. K-means and labels pass."""
    setting = lambda_of(record)
    return setting is None or setting == (default_lambda(record["spec"]["dataset"]), "kl_y")


def default_setting(records: Iterable[dict]) -> list[dict]:
    """The records of the project's default setting: :func:`plain_setting` at the lambda
    the study chose for each dataset."""
    return [r for r in records if plain_setting(r) and at_chosen_lambda(r)]


def elbo_weight_setting(records: Iterable[dict]) -> list[dict]:
    """The records of the paper's setting at lambda = 1: :func:`plain_setting` trained
    before the lambda study (every ``paper`` profile run so far)."""
    return [r for r in records if plain_setting(r) and at_elbo_weight(r)]


def table_setting(records: Iterable[dict]) -> list[dict]:
    """Table I's records: :func:`plain_setting` at lambda = 1 and at the chosen lambda, so
    that each trained method shows a row per lambda."""
    return [r for r in records if plain_setting(r) and (at_elbo_weight(r) or at_chosen_lambda(r))]


def cluster_use_table(records: Iterable[dict]) -> pd.DataFrame:
    """One row per trained run (with its final temperature, lambda and device): how many
    of its clusters the test clips use, and the largest cluster's share (1.0 is total
    collapse), from the stored cluster sizes."""
    rows = []
    for record in records:
        if lambda_of(record) is None:
            continue
        spec, summary = record["spec"], usage_summary(record["cluster_sizes"])
        rows.append(
            {
                "dataset": spec["dataset"],
                "clusters": spec["n_clusters"],
                "method": METHOD_NAMES[spec["method"]],
                "tau_end": spec.get("tau_end") if spec["method"] == "catuvac" else None,
                "lambda": lambda_of(record)[0],
                "seed": spec["seed"],
                "device": device_label(record["environment"]["device"]),
                "clusters_used": summary["clusters_used"],
                "largest_share": round(summary["largest_share"], 2),
            }
        )
    if not rows:
        return pd.DataFrame()
    keys = ["dataset", "clusters", "method", "tau_end", "lambda", "seed"]
    order = [True, False, True, True, True, True]
    return pd.DataFrame(rows).sort_values(keys, ascending=order, kind="stable")


def tau_sweep_runs(records: Iterable[dict]) -> list[dict]:
    """The Cat. UVAC runs temperature sweeps are made of: lambda = 1 (every sweep was
    trained before the lambda study), no batch-marginal term, features as extracted."""
    return [
        r
        for r in select(records, method="catuvac")
        if at_elbo_weight(r) and not r["spec"].get("marginal_weight") and not speaker_norm_of(r)
    ]


def stored_tau_sweeps(
    records: Iterable[dict], spaces: Sequence[str] = ("own", "common")
) -> tuple[str | None, dict[tuple[str, int], dict[str, pd.DataFrame]]]:
    """The stored final-temperature sweeps of Cat. UVAC, at the longest profile that has one.

    A sweep is a (dataset, clusters) cell trained at two or more final temperatures at
    lambda = 1. Returns that profile (None when no sweep exists) and, per cell,
    :func:`seed_table` rows in each space, one row per temperature.
    """
    from catuvac.reproduce import largest_profile

    runs = tau_sweep_runs(records)
    temperatures: dict[tuple[str, str, int], set[float]] = defaultdict(set)
    for record in runs:
        spec = record["spec"]
        key = (record["profile"]["name"], spec["dataset"], spec["n_clusters"])
        temperatures[key].add(spec["tau_end"])
    swept = {key for key, taus in temperatures.items() if len(taus) >= 2}
    if not swept:
        return None, {}
    swept_profiles = {key[0] for key in swept}
    profile = largest_profile([r for r in runs if r["profile"]["name"] in swept_profiles])
    sweeps = {}
    for _, dataset, k in sorted(key for key in swept if key[0] == profile):
        cell = select(runs, dataset=dataset, profile=profile, n_clusters=k)
        sweeps[(dataset, k)] = {space: seed_table(cell, space) for space in spaces}
    return profile, sweeps


def stored_test_clips(record: dict, root=None) -> list:
    """The test clips (``catuvac.data.Clip``) a stored result was computed on, in the order
    of its arrays.

    Rebuilt from the dataset and the record's profile exactly as
    :func:`catuvac.experiment.prepare_data` chooses them, then checked against the file
    fingerprint stored in the record: a mismatch (other data, other loader) is an error.
    """
    from catuvac.data import load
    from catuvac.experiment import SUBSET_SEED, files_digest

    subset = record["data_subset"]
    dataset = load(record["spec"]["dataset"], root=root)
    clips = dataset.subset("test", record["profile"]["max_test_clips"], seed=SUBSET_SEED)
    digest = files_digest([c.path for c in clips], dataset.root)
    if digest != subset["test_files_sha256"]:
        raise ValueError(
            f"the test clips of {dataset.name} under {dataset.root} do not match the result "
            f"{record.get('path', '')} (fingerprint {digest}, stored "
            f"{subset['test_files_sha256']}): the data differ from the run's"
        )
    return clips


def label_and_group_nmi(records: Iterable[dict], root=None) -> pd.DataFrame:
    """NMI of each stored clustering with the class labels and with the clips' groups
    (the speakers, for spoken digits), to tell which of the two the clusters follow.

    Reads each record's test arrays and rebuilds its test clips
    (:func:`stored_test_clips`), so the dataset must be present.
    """
    from catuvac.metrics import nmi
    from catuvac.reproduce import load_arrays

    rows = []
    for record in records:
        clips = stored_test_clips(record, root)
        clusters = load_arrays(record)["clusters"]
        spec = record["spec"]
        rows.append(
            {
                "dataset": spec["dataset"],
                "profile": record["profile"]["name"],
                "method": METHOD_NAMES[spec["method"]],
                "seed": spec["seed"],
                "speaker_norm": speaker_norm_of(record),
                "nmi_labels": nmi([c.label for c in clips], clusters),
                "nmi_groups": nmi([c.group for c in clips], clusters),
            }
        )
    return pd.DataFrame(rows)


def speaker_experiment(records: Iterable[dict], root=None) -> pd.DataFrame:
    """Digits or voices: per dataset, method and feature setting (with or without the
    per-speaker normalisation), mean ± std over seeds of the accuracy, the NMI with the
    digits and the NMI with the speakers, and the clusters each seed uses."""
    records = list(records)
    nmis = label_and_group_nmi(records, root)
    nmis["accuracy"] = [100 * r["metrics"]["accuracy"] for r in records]
    nmis["clusters used"] = [clusters_used(r["cluster_sizes"]) for r in records]
    rows = []
    keys = ["dataset", "method", "speaker_norm"]
    for (dataset, method, normalised), group in nmis.groupby(keys, sort=False):
        group = group.sort_values("seed")
        row = {
            "dataset": dataset,
            "method": method,
            "features": "per-speaker normalised" if normalised else "as extracted",
            "seeds": len(group),
        }
        for column, label in (
            ("accuracy", "accuracy (%)"),
            ("nmi_labels", "NMI with digits"),
            ("nmi_groups", "NMI with speakers"),
        ):
            values = group[column]
            row[label] = _mean_text(values.mean(), values.std(ddof=0), len(values), len(values), 2)
        row["clusters used"] = " / ".join(map(str, group["clusters used"]))
        rows.append(row)
    return pd.DataFrame(rows)


def examples_per_cluster(
    clusters: ArrayLike, n_per_cluster: int = 2, seed: int = 0
) -> dict[int, list[int]]:
    """Up to ``n_per_cluster`` sample positions drawn at random from each non-empty cluster,
    ordered by cluster size (largest first); reproducible through ``seed``."""
    assigned = np.asarray(clusters).ravel()
    rng = np.random.default_rng(seed)
    ids, counts = np.unique(assigned, return_counts=True)
    chosen = {}
    for cluster in ids[np.argsort(-counts, kind="stable")]:
        members = np.flatnonzero(assigned == cluster)
        take = min(n_per_cluster, members.size)
        chosen[int(cluster)] = sorted(rng.choice(members, size=take, replace=False).tolist())
    return chosen


# --------------------------------------------------------------------------------------
# How much classes overlap (the urban-sound argument).


def band_separability(features: ArrayLike, mask: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Per frequency band, the share of the variance of clip-average energy that the
    class explains (eta squared, between-class / total variance), ``[F]`` in [0, 1].

    Each clip is reduced to its mean over the frames where ``mask`` is True. 1 means the
    band's level alone tells the classes apart; near 0 means the classes overlap fully.
    """
    x = np.asarray(features, dtype=np.float64)
    x = x.reshape(x.shape[0], -1, x.shape[-1])  # [N, F, T]
    m = np.asarray(mask, dtype=np.float64)[:, None, :]
    frames = np.maximum(m.sum(axis=2), 1.0)
    profile = (x * m).sum(axis=2) / frames  # [N, F]
    y = np.asarray(labels).ravel()
    total = profile.var(axis=0)
    means = np.stack([profile[y == c].mean(axis=0) for c in np.unique(y)])
    weights = np.array([np.mean(y == c) for c in np.unique(y)])
    between = (weights[:, None] * (means - profile.mean(axis=0)) ** 2).sum(axis=0)
    return np.divide(between, total, out=np.zeros_like(total), where=total > 0)


def class_profiles(
    features: ArrayLike, mask: ArrayLike, labels: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class: the mean and standard deviation over clips of the clip-average spectrum.

    Returns ``(classes, means [C, F], stds [C, F])``.
    """
    x = np.asarray(features, dtype=np.float64)
    x = x.reshape(x.shape[0], -1, x.shape[-1])
    m = np.asarray(mask, dtype=np.float64)[:, None, :]
    profile = (x * m).sum(axis=2) / np.maximum(m.sum(axis=2), 1.0)
    y = np.asarray(labels).ravel()
    classes = np.unique(y)
    means = np.stack([profile[y == c].mean(axis=0) for c in classes])
    stds = np.stack([profile[y == c].std(axis=0) for c in classes])
    return classes, means, stds


def background_share(clips: Sequence, class_names: Sequence[str]) -> pd.DataFrame:
    """Per class, how many UrbanSound8K clips there are and the share whose labelled sound
    is in the background (official ``salience`` 2) rather than the foreground (1)."""
    rows = []
    for label, name in enumerate(class_names):
        mine = [c for c in clips if c.label == label]
        background = sum(1 for c in mine if c.meta.get("salience") == 2)
        share = background / len(mine) if mine else np.nan
        rows.append({"class": name, "clips": len(mine), "background_share": share})
    return pd.DataFrame(rows).set_index("class")


# --------------------------------------------------------------------------------------
# Toy setup for the metrics chapter: softmax outputs at decreasing temperature.


def toy_softmax_clusters(
    n_per_cluster: int = 60,
    n_clusters: int = 5,
    dim: int = 16,
    separation: float = 0.6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlapping Gaussian blobs and a fixed linear "encoder" to ``n_clusters`` logits.

    Returns ``(points [N, dim], logits [N, n_clusters], labels [N])``. The logits are the
    negative squared distances to the blob centres, so ``softmax(logits / T)`` is a soft
    assignment whose argmax does not depend on the temperature ``T``.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=separation, size=(n_clusters, dim))
    labels = np.repeat(np.arange(n_clusters), n_per_cluster)
    points = centres[labels] + rng.normal(size=(labels.size, dim))
    logits = -((points[:, None, :] - centres[None]) ** 2).sum(axis=2) / dim
    return points, logits, labels


def softmax(logits: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    """Row-wise ``softmax(logits / temperature)``, computed stably."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def temperature_sweep(
    points: ArrayLike, logits: ArrayLike, temperatures: Sequence[float]
) -> pd.DataFrame:
    """Silhouette, DBI and CHI of the argmax clustering, in the probability space
    ``softmax(logits / T)`` and in the fixed input space, for each temperature ``T``.

    The clustering is the same at every temperature; only the probability space changes.
    """
    clusters = np.asarray(logits).argmax(axis=1)
    fixed = internal_metrics(np.asarray(points), clusters)
    rows = []
    for t in temperatures:
        probs = softmax(logits, t)
        in_probs = internal_metrics(probs, clusters)
        for name in INTERNAL_METRIC_NAMES:
            rows.append(
                {
                    "temperature": t,
                    "metric": name,
                    "space": "probabilities",
                    "value": in_probs[name],
                }
            )
            rows.append(
                {"temperature": t, "metric": name, "space": "input (common)", "value": fixed[name]}
            )
    return pd.DataFrame(rows)
