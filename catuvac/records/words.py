"""The word-aligned spoken-digit runs, read for the book: K-means on each representation,
and every method on the aligned features, each beside K-means on the same input. All of
it is beyond the paper: the reproduction rows of Table I keep the paper's 1 s window."""

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from catuvac.features.config import PAPER_FEATURES
from catuvac.records.beyond import setting_name
from catuvac.records.results import METHOD_NAMES, Record, Result, as_result, select
from catuvac.records.seed_tables import format_seed_table, mean_text, seed_table
from catuvac.records.table import formatted, our_row

WORD_DATASETS = ("arabic-digits", "fsdd")
WORD_PROFILE = "long"
REPRESENTATIONS = {
    PAPER_FEATURES: "the paper's 1 s spectrogram",
    "word-mfcc32-cmvn": "word-aligned MFCC + deltas, per-clip CMVN",
    "word-logmel32": "word-aligned log-mel",
    "word-mfcc32": "word-aligned MFCC + deltas",
}
"""The spoken-digit representations in the order the book shows them."""

OUR_REPRESENTATION = "word-mfcc32-cmvn"
"""The aligned representation the book calls ours, fixed before any test label was read:
the speech front end's standard (MFCC and their deltas, each clip's coefficients
standardised over its own frames, so that no voice sets the scale)."""

_METHODS = ("kmeans", "uvac", "catuvac")


def features_of(result: Result) -> str:
    """The feature pipeline a run read (``paper`` for the dataset's own)."""
    return str(result.beyond_paper.get("features", PAPER_FEATURES))


def kmeans_runs(
    records: Iterable[Record], dataset: str, features: str, speaker_norm: bool
) -> list[Result]:
    """K-means with 10 clusters on one representation: the reproduction's rows (``cpu``
    profile, the paper's normaliser) for the paper's window, the study profile's for an
    aligned one. K-means trains nothing, so both profiles cluster the same clips."""
    profile = "cpu" if features == PAPER_FEATURES else WORD_PROFILE
    runs = select(
        records,
        dataset=dataset,
        profile=profile,
        n_clusters=10,
        method="kmeans",
        speaker_norm=speaker_norm,
    )
    chosen = [as_result(r) for r in runs]
    if features == PAPER_FEATURES:
        return [r for r in chosen if not r.beyond_paper]
    return [r for r in chosen if features_of(r) == features]


def kmeans_by_representation(
    records: Iterable[Record], datasets: Iterable[str] = WORD_DATASETS
) -> pd.DataFrame:
    """Test accuracy of K-means (mean ± std over seeds, %) per representation, as
    extracted and normalised per speaker, one column per dataset; combinations never
    run are left out."""
    records = list(records)
    rows = []
    for features, name in REPRESENTATIONS.items():
        for speaker_norm in (False, True):
            row: dict[str, str] = {
                "representation": name,
                "per-speaker normalised": "yes" if speaker_norm else "no",
            }
            for dataset in datasets:
                runs = kmeans_runs(records, dataset, features, speaker_norm)
                values = np.array([100 * r["metrics"]["accuracy"] for r in runs])
                row[f"{dataset}, accuracy (%)"] = (
                    mean_text(values.mean(), values.std(), len(values), len(values), 1)
                    if len(values)
                    else "–"
                )
            if any(v != "–" for k, v in row.items() if k.endswith("(%)")):
                rows.append(row)
    return pd.DataFrame(rows)


def word_setting(result: Result) -> str:
    """A word-aligned run's setting in words: the pipeline, then the objective and
    likelihood for a trained model, the normaliser and speaker normalisation."""
    if result.method in ("uvac", "catuvac"):
        rest = setting_name(result)
    else:
        parts = []
        if "normaliser" in result.beyond_paper:
            parts.append(f"{result.beyond_paper['normaliser']} range")
        if result.speaker_norm:
            parts.append("per-speaker normalised")
        rest = "; ".join(parts)
    return "; ".join(part for part in (features_of(result), rest) if part)


def word_groups(records: Iterable[Record], dataset: str) -> list[list[Result]]:
    """The study profile's runs of ``dataset`` on aligned features, one list per setting
    (seeds together): K-means, then UVAC, then Cat. UVAC, each by its setting's name."""
    groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for record in select(records, dataset=dataset, profile=WORD_PROFILE, n_clusters=10):
        result = as_result(record)
        if result.method in _METHODS and features_of(result) != PAPER_FEATURES:
            groups[(result.method, word_setting(result))].append(result)
    order = sorted(groups, key=lambda key: (_METHODS.index(key[0]), key[1]))
    return [groups[key] for key in order]


def word_table(records: Iterable[Record], dataset: str) -> pd.DataFrame:
    """Every method on the aligned features of ``dataset``, seeds aggregated, each row
    named by its setting (:func:`word_setting`), metrics in each method's own space."""
    tables = []
    for runs in word_groups(records, dataset):
        shown = format_seed_table(seed_table(runs), with_clusters_used=True)
        shown = shown.drop(columns=["dataset", "clusters", "tau_end"])
        shown.insert(1, "setting", word_setting(runs[0]))
        tables.append(shown)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def word_table_one_rows(
    records: Iterable[Record], space: str = "own", datasets: Iterable[str] = WORD_DATASETS
) -> pd.DataFrame:
    """Table I's rows "<method>, ours" on the aligned features, ready for
    :func:`~catuvac.records.table.with_rows`: each named by its pipeline and setting."""
    records = list(records)
    rows = []
    for dataset in datasets:
        for runs in word_groups(records, dataset):
            table = seed_table(runs, space)
            table["method"] = f"{METHOD_NAMES[runs[0].method]}, ours"
            text = formatted(table).iloc[0]
            rows.append(our_row(table.iloc[0], text, f"; {word_setting(runs[0])}"))
    return pd.DataFrame(rows)
