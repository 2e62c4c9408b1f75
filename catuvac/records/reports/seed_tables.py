"""Stored results aggregated over seeds: one row per setting with the mean and standard
deviation of every metric, its text form, the clusters each run uses, and the stored
temperature sweeps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from catuvac.evaluation.metrics import METRIC_NAMES
from catuvac.evaluation.usage import clusters_used, usage_summary
from catuvac.records.store.results import (
    METHOD_NAMES,
    Record,
    Result,
    as_result,
    device_label,
    devices_of,
    largest_profile,
    select,
)
from catuvac.records.store.settings import tau_sweep_runs

_METHOD_ORDER = {name: i for i, name in enumerate(METHOD_NAMES)}


def _group_key(result: Result) -> tuple:
    """(profile, dataset, clusters, method, final tau, lambda, placement, speaker norm)."""
    weight, placement = result.lambda_setting or (None, None)
    return (
        result.profile_name,
        result.dataset,
        result.n_clusters,
        result.method,
        result.tau_end,
        weight,
        placement,
        result.speaker_norm,
    )


def seed_table(records: Iterable[Record], space: str = "own") -> pd.DataFrame:
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
    groups: dict[tuple, list[Result]] = defaultdict(list)
    for record in records:
        result = as_result(record)
        groups[_group_key(result)].append(result)
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
            "epochs": runs[0].epochs,
            "train_clips": runs[0]["data_subset"]["train_clips"],
            "test_clips": runs[0]["data_subset"]["test_clips"],
        }
        values = pd.DataFrame([r.metric_values(space) for r in runs])
        for name in METRIC_NAMES:
            column = values[name].dropna()
            row[f"{name}_mean"] = float(column.mean()) if len(column) else np.nan
            row[f"{name}_std"] = float(column.std(ddof=0)) if len(column) else np.nan
            row[f"{name}_n"] = len(column)
        ordered = sorted(runs, key=lambda r: r.seed)
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
    """``seed_table`` with each metric as text, ``mean ± std`` (accuracy in %; a
    Calinski-Harabasz index of 100 or more without decimals); a setting with a single seed
    shows its value alone. ``with_clusters_used`` adds the clusters
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
            mean_text(m, s, n, seeds, _metric_digits(name, m, digits))
            for m, s, n, seeds in zip(means, stds, table[f"{name}_n"], table["seeds"], strict=True)
        ]
    return shown.rename(columns={"accuracy": "accuracy (%)"})


LARGE = 1e6
"""From this magnitude on, a mean is printed in scientific notation."""


def _metric_digits(name: str, mean: float, digits: int) -> int:
    """Decimals for one cell: the Calinski-Harabasz index spans 0.04 to 10^4, so from 100 up
    it is shown without decimals (its three or more significant digits are enough)."""
    return 0 if name == "calinski_harabasz" and abs(mean) >= 100 else digits


def short_scientific(value: float) -> str:
    """``value`` to two significant digits as ``5.0e6``: no plus sign, no padded exponent."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def mean_text(mean: float, std: float, n: int, seeds: int, digits: int) -> str:
    """``mean ± std``; ``(n of N seeds)`` when some seeds had no value (a collapsed run)."""
    if np.isnan(mean):
        return "–"
    # Seven digits and more (a Calinski-Harabasz index of near-identical clusters) would
    # widen a table past the page: two significant digits say as much.
    scientific = abs(mean) >= LARGE

    def number(value: float) -> str:
        return short_scientific(value) if scientific else f"{value:.{digits}f}"

    text = number(mean) + (f" ± {number(std)}" if n > 1 else "")
    return text + (f" ({n} of {seeds} seeds)" if n < seeds else "")


def values_text(values: ArrayLike, digits: int) -> str:
    """:func:`mean_text` of every value given (each a seed): mean ± std over them."""
    values = np.asarray(values, dtype=float)
    return mean_text(values.mean(), values.std(), len(values), len(values), digits)


def cluster_use_table(records: Iterable[Record]) -> pd.DataFrame:
    """One row per trained run (with its final temperature, lambda and device): how many
    of its clusters the test clips use, and the largest cluster's share (1.0 is total
    collapse), from the stored cluster sizes."""
    rows = []
    for result in map(as_result, records):
        if result.lambda_setting is None:
            continue
        summary = usage_summary(result["cluster_sizes"])
        rows.append(
            {
                "dataset": result.dataset,
                "clusters": result.n_clusters,
                "method": METHOD_NAMES[result.method],
                "tau_end": result.tau_end,
                "lambda": result.lambda_setting[0],
                "seed": result.seed,
                "device": device_label(result.device),
                "clusters_used": summary["clusters_used"],
                "largest_share": round(summary["largest_share"], 2),
            }
        )
    if not rows:
        return pd.DataFrame()
    keys = ["dataset", "clusters", "method", "tau_end", "lambda", "seed"]
    order = [True, False, True, True, True, True]
    return pd.DataFrame(rows).sort_values(keys, ascending=order, kind="stable")


def stored_tau_sweeps(
    records: Iterable[Record], spaces: Sequence[str] = ("own", "common")
) -> tuple[str | None, dict[tuple[str, int], dict[str, pd.DataFrame]]]:
    """The stored final-temperature sweeps of Cat. UVAC, at the longest profile that has one.

    A sweep is a (dataset, clusters) cell trained at two or more final temperatures at
    lambda = 1. Returns that profile (None when no sweep exists) and, per cell,
    :func:`seed_table` rows in each space, one row per temperature.
    """
    runs = tau_sweep_runs(records)
    temperatures: dict[tuple[str, str, int], set[float]] = defaultdict(set)
    for result in map(as_result, runs):
        key = (result.profile_name, result.dataset, result.n_clusters)
        temperatures[key].add(result.tau_end)
    swept = {key for key, taus in temperatures.items() if len(taus) >= 2}
    if not swept:
        return None, {}
    swept_profiles = {key[0] for key in swept}
    profile = largest_profile([r for r in runs if as_result(r).profile_name in swept_profiles])
    sweeps = {}
    for _, dataset, k in sorted(key for key in swept if key[0] == profile):
        cell = select(runs, dataset=dataset, profile=profile, n_clusters=k)
        sweeps[(dataset, k)] = {space: seed_table(cell, space) for space in spaces}
    return profile, sweeps
