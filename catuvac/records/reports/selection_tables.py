"""The label-free selection of an objective for q(y|x), read for the book: the ranking,
the chosen settings' rows for Table I beside K-means on the same input, and the scores
they earn afterwards (accuracy and NMI with the classes, computed after the choice and
marked "not used")."""

from collections.abc import Callable, Iterable

import pandas as pd

from catuvac.evaluation.selection import SEED, SETTING, rank_settings
from catuvac.records.reports.seed_tables import format_seed_table, seed_table
from catuvac.records.reports.setting_names import (
    LIKELIHOOD_NAMES,
    NOT_USED,
    STUDY_PROFILE,
    has_cluster_objective,
    objective_name,
    setting_name,
    study_runs,
)
from catuvac.records.reports.table import formatted, our_row
from catuvac.records.store.neighbour_graphs import label_free_quantities
from catuvac.records.store.results import Record, Result, as_result, select
from catuvac.records.store.settings import default_setting

OURS = "Cat. UVAC, ours"


def selection_runs(records: Iterable[Record], profile: str = STUDY_PROFILE) -> pd.DataFrame:
    """One row per run of the study profile that trained with this project's terms on
    q(y|x): its setting, seed, the label-free quantities of its training clips (their
    neighbour agreement included), its training partition and, beside them, the scores on
    the test clips the choice never reads."""
    rows = []
    for result in study_runs(records, profile):
        if not has_cluster_objective(result) or "train_selection" not in result:
            continue
        metrics = result.metric_values()
        rows.append(
            {
                "dataset": result.dataset,
                "K": result.n_clusters,
                SETTING: setting_name(result),
                SEED: result.seed,
                **label_free_quantities(result),
                f"accuracy {NOT_USED}": metrics["accuracy"],
                f"NMI {NOT_USED}": metrics["nmi"],
            }
        )
    return pd.DataFrame(rows)


def selection_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The settings of each dataset and cluster count ranked by the label-free rule of
    :func:`~catuvac.evaluation.selection.rank_settings`; the first row is the choice."""
    tables = []
    for (dataset, k), group in runs.groupby(["dataset", "K"]):
        ranked = rank_settings(group.drop(columns=["dataset", "K"]))
        ranked.insert(0, "K", k)
        ranked.insert(0, "dataset", dataset)
        tables.append(ranked)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def chosen_settings(ranked: pd.DataFrame) -> dict[tuple[str, int], str]:
    """The setting the rule chose per dataset and cluster count (its first row)."""
    firsts = ranked.sort_values("rank").groupby(["dataset", "K"]).head(1)
    return {(row.dataset, int(row.K)): row.setting for row in firsts.itertuples()}


def runs_of_setting(
    records: Iterable[Record],
    dataset: str,
    n_clusters: int,
    setting: str,
    profile: str = STUDY_PROFILE,
) -> list[Result]:
    """The stored runs of one named setting on one dataset and cluster count, by seed."""
    runs = [
        r
        for r in study_runs(records, profile)
        if (r.dataset, r.n_clusters) == (dataset, n_clusters) and setting_name(r) == setting
    ]
    return sorted(runs, key=lambda r: r.seed)


def chosen_runs(records: Iterable[Record], dataset: str, n_clusters: int) -> list[Result]:
    """The stored runs, by seed, of the setting the label-free rule chose on ``dataset``
    with ``n_clusters`` clusters (empty when no setting of the study is stored there)."""
    records = list(records)
    runs = selection_runs(records)
    if runs.empty:
        return []
    setting = chosen_settings(selection_table(runs)).get((dataset, n_clusters))
    return runs_of_setting(records, dataset, n_clusters, setting) if setting else []


def comparison_table(records: Iterable[Record], ranked: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, the chosen setting's runs beside the reproduction's K-means and Cat.
    UVAC at the default lambda (``cpu`` profile), and K-means on features normalised per
    speaker when the chosen setting normalises per speaker: seeds aggregated, one row per
    method and features."""
    records = list(records)
    tables = []

    def rows(runs: list, method: str | None, features: str) -> pd.DataFrame:
        table = seed_table(runs)
        if method:
            table["method"] = method
        table["features"] = features
        return table

    for (dataset, k), setting in chosen_settings(ranked).items():
        ours = runs_of_setting(records, dataset, k, setting)
        speaker_norm = any(r.speaker_norm for r in ours)
        as_extracted = "as extracted"
        tables.append(rows(ours, OURS, "per-speaker normalised" if speaker_norm else as_extracted))
        tables.append(rows(reproduction_kmeans(records, dataset, k), None, as_extracted))
        reproduction = select(records, dataset=dataset, n_clusters=k, profile="cpu")
        catuvac = select(default_setting(reproduction), method="catuvac")
        tables.append(rows(catuvac, None, as_extracted))
        if speaker_norm:
            kmeans = reproduction_kmeans(records, dataset, k, speaker_norm=True)
            tables.append(rows(kmeans, None, "per-speaker normalised"))
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def reproduction_kmeans(
    records: Iterable[Record], dataset: str, k: int, speaker_norm: bool = False
) -> list[Result]:
    """The reproduction's K-means runs (``cpu`` profile, none of the options beyond the
    paper) on ``dataset`` with ``k`` clusters, on features as extracted or normalised per
    speaker: what this project's objective is compared with."""
    runs = select(
        records,
        dataset=dataset,
        n_clusters=k,
        profile="cpu",
        method="kmeans",
        speaker_norm=speaker_norm,
    )
    return [r for r in map(as_result, runs) if not r.beyond_paper]


def table_one_rows(
    records: Iterable[Record], ranked: pd.DataFrame, space: str = "own"
) -> pd.DataFrame:
    """Table I's rows "Cat. UVAC, ours": per dataset and cluster count, the setting the
    label-free rule chose (:func:`chosen_settings`), seeds aggregated, its objective and
    likelihood named in the source, ready for :func:`~catuvac.records.reports.table.with_rows`."""
    records = list(records)
    rows = []
    for (dataset, k), setting in chosen_settings(ranked).items():
        runs = runs_of_setting(records, dataset, k, setting)
        table = seed_table(runs, space).assign(method=OURS)
        likelihood = LIKELIHOOD_NAMES[runs[0].beyond_paper.get("likelihood", "bce")]
        named = f"; {objective_name(runs[0])}; {likelihood}"
        if runs[0].speaker_norm:
            named += "; per speaker"
        rows += [
            our_row(row, text, named)
            for (_, row), (_, text) in zip(
                table.iterrows(), formatted(table).iterrows(), strict=True
            )
        ]
    return pd.DataFrame(rows)


def format_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`comparison_table` for reading: :func:`format_seed_table` with the features
    each row was computed on in place of the temperature."""
    shown = format_seed_table(table).drop(columns=["tau_end"])
    shown.insert(3, "features", table["features"].to_numpy())
    return shown


def label_free_pick(
    records: Iterable[Record],
    ranked: pd.DataFrame,
    dataset: str | None = None,
    usable: Callable[[Result], bool] = lambda _: True,
) -> Result:
    """The chosen setting's seed whose clusters best survive the held-out augmentation on
    its training clips, among the ``usable`` ones (e.g. those with stored prototypes), on
    ``dataset`` (default: the first in the ranking): a pick that reads no label."""
    chosen = chosen_settings(ranked)
    (dataset, k), setting = next(
        (cell, s) for cell, s in chosen.items() if dataset in (None, cell[0])
    )
    runs = [r for r in runs_of_setting(records, dataset, k, setting) if usable(r)]
    if not runs:
        raise ValueError(f"no stored run of the chosen setting on {dataset} is usable here")
    return most_invariant(runs)


def most_invariant(runs: Iterable[Result]) -> Result:
    """The run whose clusters best survive the held-out augmentation on its training
    clips: a pick among a setting's seeds that reads no label."""
    return max(runs, key=lambda r: r["train_selection"]["augmentation_agreement"])


SELECTION_ROWS = {
    "seeds": "seeds",
    "seeds_passing": "seeds passing every criterion",
    "information_ratio": "I(x; y) / log K",
    "mean_max_prob": "mean max q(y|x)",
    "clusters_used": "clusters used",
    "largest_share": "largest share",
    "seed_agreement": "agreement between seeds (NMI)",
    "augmentation_agreement": "agreement under the held-out augmentation",
    "neighbour_agreement": "neighbour agreement beyond chance",
    f"accuracy {NOT_USED}": f"test accuracy (%) {NOT_USED}",
}


COUNTS = ("seeds", "seeds_passing", "clusters_used")


def selection_view(ranked: pd.DataFrame) -> pd.DataFrame:
    """:func:`selection_table` turned for reading: one row per label-free quantity (and the
    accuracy that rides along unused, in %), one column per ranked setting, so that long
    setting names do not widen the page (:func:`settings_legend` names them). Values are
    text: counts whole, accuracy to one decimal, the rest to two."""

    def shown(key: str, value: float) -> str:
        if pd.isna(value):  # e.g. the agreement between seeds of a single seed
            return "–"
        if key in COUNTS:
            return f"{value:.0f}"
        if key == f"accuracy {NOT_USED}":
            return f"{100 * value:.1f}"
        return f"{value:.2f}"

    columns = {
        f"{row['dataset']} (K = {row['K']}), rank {row['rank']}": [
            shown(key, row[key]) for key in SELECTION_ROWS
        ]
        for _, row in ranked.iterrows()
    }
    view = pd.DataFrame(columns, index=list(SELECTION_ROWS.values()))
    view.index.name = "quantity (training clips unless marked)"
    return view


def settings_legend(ranked: pd.DataFrame) -> str:
    """The ranked settings by name, one Markdown list item per rank."""
    return "\n".join(
        f"- **{row.dataset} (K = {row.K}), rank {row.rank}**: {row.setting}"
        for row in ranked.itertuples()
    )
