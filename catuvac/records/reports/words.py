"""The word-aligned spoken-digit runs, read for the book: K-means on each representation,
and every method on the aligned features, each beside K-means on the same input. All of
it is beyond the paper: the reproduction rows of Table I keep the paper's 1 s window."""

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from catuvac.evaluation.selection import SEED, SETTING, rank_settings
from catuvac.features.config import PAPER_FEATURES
from catuvac.model.base import DEFAULT_CLUSTERS
from catuvac.records.reports.seed_tables import format_seed_table, seed_table, values_text
from catuvac.records.reports.setting_names import NOT_USED, setting_name
from catuvac.records.reports.table import formatted, our_row
from catuvac.records.store.neighbour_graphs import label_free_quantities
from catuvac.records.store.results import METHOD_NAMES, Record, Result, as_result, select

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


def _accuracies(runs: Iterable[Result]) -> np.ndarray:
    """Test accuracy of each run, in %."""
    return np.array([100 * run["metrics"]["accuracy"] for run in runs])


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
        n_clusters=DEFAULT_CLUSTERS,
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
                values = _accuracies(runs)
                row[f"{dataset}, accuracy (%)"] = values_text(values, 1) if len(values) else "–"
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
    for record in select(
        records, dataset=dataset, profile=WORD_PROFILE, n_clusters=DEFAULT_CLUSTERS
    ):
        result = as_result(record)
        if result.method in _METHODS and features_of(result) != PAPER_FEATURES:
            groups[(result.method, word_setting(result))].append(result)
    for (method, setting), runs in groups.items():
        seeds = [run.seed for run in runs]
        if len(set(seeds)) < len(seeds):  # two settings the name does not tell apart
            raise ValueError(f"{dataset}: {method} runs named '{setting}' repeat a seed {seeds}")
    order = sorted(groups, key=lambda key: (_METHODS.index(key[0]), key[1]))
    return [groups[key] for key in order]


def input_of(result: Result) -> tuple[str, bool, str]:
    """What a run clustered: its feature pipeline, speaker normalisation and normaliser."""
    return features_of(result), result.speaker_norm, result.beyond_paper.get("normaliser", "")


def same_input_kmeans(groups: list[list[Result]], runs: list[Result]) -> list[Result]:
    """The K-means runs among ``groups`` that clustered the same input as ``runs``."""
    for group in groups:
        if group[0].method == "kmeans" and input_of(group[0]) == input_of(runs[0]):
            return group
    return []


def word_table(records: Iterable[Record], dataset: str) -> pd.DataFrame:
    """Every method on the aligned features of ``dataset``, seeds aggregated, each row
    named by its setting (:func:`word_setting`) and numbered (``row``, as
    :func:`word_accuracies` numbers it), metrics in each method's own space, and beside
    each model row the accuracy of K-means on the same input (seeds above it)."""
    groups = word_groups(records, dataset)
    tables = []
    for runs in groups:
        shown = format_seed_table(seed_table(runs), with_clusters_used=True)
        shown = shown.drop(columns=["dataset", "clusters", "tau_end"])
        shown.insert(1, "setting", word_setting(runs[0]))
        shown.insert(4, "K-means, same input (%)", _same_input_text(groups, runs))
        shown["mean max q(y|x)"] = _confidence_text(runs)
        tables.append(shown)
    if not tables:
        return pd.DataFrame()
    table = pd.concat(tables, ignore_index=True)
    table.insert(0, "row", table.index)  # the number the chapter's figure labels it with
    return table


def _confidence_text(runs: list[Result]) -> str:
    """The mean over the test clips of max q(y|x), mean ± std over seeds (blank for
    K-means): 1/K is a flat q(y|x) whatever its clusters' sizes, 1 a one-hot one."""
    if runs[0].method == "kmeans":
        return ""
    return values_text([run["latent_use"]["mean_max_q"] for run in runs], 2)


def _same_input_text(groups: list[list[Result]], runs: list[Result]) -> str:
    """K-means' accuracy on the same input and on how many seeds the model is above it
    (matched by seed); blank for K-means itself, a dash where it was not run."""
    if runs[0].method == "kmeans":
        return ""
    kmeans = same_input_kmeans(groups, runs)
    if not kmeans:
        return "–"
    values = _accuracies(kmeans)
    text = values_text(values, 1)
    above, paired = seeds_above_kmeans(kmeans, runs)
    return f"{text} (model above on {above} of {paired} seeds)"


def seeds_above_kmeans(kmeans: list[Result], runs: list[Result]) -> tuple[int, int]:
    """On how many of the seeds both have the model's accuracy is above K-means', and how
    many seeds both have."""
    paired = seed_by_seed(kmeans, runs)
    if paired.empty:
        return 0, 0
    return int((paired[MODEL_ACCURACY] > paired[KMEANS_ACCURACY]).sum()), len(paired)


MODEL_ACCURACY = "model (%)"
KMEANS_ACCURACY = "K-means, same input (%)"


def seed_by_seed(kmeans: list[Result], runs: list[Result]) -> pd.DataFrame:
    """The model's ``runs`` beside K-means on the same input, one row per seed both have:
    test accuracy of each (%), and the model's mean max q(y|x) and largest test cluster."""
    by_seed = {run.seed: run for run in kmeans}
    return pd.DataFrame(
        [
            {
                "seed": run.seed,
                MODEL_ACCURACY: 100 * run["metrics"]["accuracy"],
                KMEANS_ACCURACY: 100 * by_seed[run.seed]["metrics"]["accuracy"],
                "mean max q(y|x)": run["latent_use"]["mean_max_q"],
                "largest test cluster": max(run.cluster_sizes) / sum(run.cluster_sizes),
            }
            for run in runs
            if run.seed in by_seed
        ]
    )


def word_verdict(records: Iterable[Record], dataset: str) -> str:
    """One sentence for the chapter: which model settings on the aligned features beat
    K-means on the same input on every seed (at least three seeds)."""
    groups = word_groups(records, dataset)
    models = [runs for runs in groups if runs[0].method != "kmeans"]
    winners = []
    for runs in models:
        above, paired = seeds_above_kmeans(same_input_kmeans(groups, runs), runs)
        if paired >= 3 and above == paired:
            winners.append(f"{METHOD_NAMES[runs[0].method]} ({word_setting(runs[0])})")
    if not winners:
        return (
            f"On {dataset}, none of the {len(models)} model settings on the aligned features "
            "is above K-means on the same input on every one of at least three seeds."
        )
    return (
        f"On {dataset}, {len(winners)} of the {len(models)} model settings on the aligned "
        f"features {'is' if len(winners) == 1 else 'are'} above K-means on the same input on "
        f"every seed: {'; '.join(winners)}."
    )


def word_accuracies(records: Iterable[Record], dataset: str) -> pd.DataFrame:
    """Test accuracy (%) of every seed of every setting of :func:`word_groups`, numbered in
    :func:`word_table`'s row order (``row``), for the chapter's figure."""
    rows = [
        {
            "row": row,
            "method": METHOD_NAMES[run.method],
            "setting": word_setting(run),
            "seed": run.seed,
            "accuracy (%)": 100 * run["metrics"]["accuracy"],
        }
        for row, runs in enumerate(word_groups(records, dataset))
        for run in runs
    ]
    return pd.DataFrame(rows, columns=["row", "method", "setting", "seed", "accuracy (%)"])


def paper_window_kmeans(records: Iterable[Record], dataset: str) -> float:
    """Mean test accuracy (%) of K-means on the paper's 1 s window (NaN when not stored)."""
    runs = kmeans_runs(records, dataset, PAPER_FEATURES, speaker_norm=False)
    return float(_accuracies(runs).mean()) if runs else float("nan")


def word_table_one_rows(
    records: Iterable[Record], space: str = "own", datasets: Iterable[str] = WORD_DATASETS
) -> pd.DataFrame:
    """Table I's rows "<method>, ours" on the aligned features, ready for
    :func:`~catuvac.records.reports.table.with_rows`: each named by its pipeline and setting."""
    records = list(records)
    rows = []
    for dataset in datasets:
        for runs in word_groups(records, dataset):
            table = seed_table(runs, space)
            table["method"] = f"{METHOD_NAMES[runs[0].method]}, ours"
            text = formatted(table).iloc[0]
            rows.append(our_row(table.iloc[0], text, f"; {word_setting(runs[0])}"))
    return pd.DataFrame(rows)


def word_selection(records: Iterable[Record], dataset: str) -> pd.DataFrame:
    """The label-free ranking (:func:`~catuvac.evaluation.selection.rank_settings`) of the
    Cat. UVAC settings on the aligned features of ``dataset``, read from their training
    clips only (no label, no test clip); the test accuracy rides along, marked "not
    used"."""
    return _ranked(word_groups(records, dataset))


def _ranked(groups: list[list[Result]]) -> pd.DataFrame:
    """:func:`word_selection` of the settings in ``groups`` (:func:`word_groups`)."""
    rows = []
    for runs in groups:
        for result in runs:
            if result.method != "catuvac" or "train_selection" not in result:
                continue
            rows.append(
                {
                    SETTING: word_setting(result),
                    SEED: result.seed,
                    **label_free_quantities(result),
                    f"accuracy (%) {NOT_USED}": 100 * result.metric_values()["accuracy"],
                }
            )
    return rank_settings(pd.DataFrame(rows)) if rows else pd.DataFrame()


def chosen_word_runs(
    records: Iterable[Record], dataset: str
) -> tuple[pd.DataFrame, list[Result], list[Result]]:
    """The label-free ranking of the Cat. UVAC settings on the aligned features of
    ``dataset`` (:func:`word_selection`), the runs of its first setting by seed, and K-means
    on the same input (all empty when no setting is stored)."""
    groups = word_groups(records, dataset)
    ranked = _ranked(groups)
    if ranked.empty:
        return ranked, [], []
    setting = ranked[SETTING].iloc[0]
    runs = next(g for g in groups if g[0].method == "catuvac" and word_setting(g[0]) == setting)
    return ranked, sorted(runs, key=lambda r: r.seed), same_input_kmeans(groups, runs)


def word_choice_sentence(records: Iterable[Record], dataset: str) -> str:
    """What the label-free rule chose on the aligned features of ``dataset``
    (:func:`word_selection`'s first setting), and how it then scores on the test clips of
    every seed beside K-means on the same input: accuracy, mean max q(y|x), the largest
    cluster's share."""
    ranked, runs, kmeans = chosen_word_runs(records, dataset)
    if ranked.empty:
        return ""
    setting = ranked[SETTING].iloc[0]
    above, paired = seeds_above_kmeans(kmeans, runs)
    accuracy, reference = _accuracies(runs), _accuracies(kmeans)
    confidence = [run["latent_use"]["mean_max_q"] for run in runs]
    largest = max(max(run.cluster_sizes) / sum(run.cluster_sizes) for run in runs)
    ours, theirs = values_text(accuracy, 1), values_text(reference, 1)
    passing = ranked["seeds_passing"].iloc[0]
    return (
        f"On {dataset} the label-free rule ranks first {setting} ({len(runs)} seeds; every "
        f"criterion met on {passing} of them). Read only after that choice, its test accuracy "
        f"is {ours} %, against {theirs} % for K-means on the same input, above it on {above} "
        f"of {paired} seeds; its mean max q(y|x) is {min(confidence):.2f} to "
        f"{max(confidence):.2f} and its largest test cluster holds at most "
        f"{100 * largest:.0f} % of the clips."
    )
