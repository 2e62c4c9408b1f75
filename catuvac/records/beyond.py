"""The stored runs beyond the paper, read for the book: what the latents carry under each
likelihood, and the label-free selection of an objective for q(y|x) with the scores it
earns afterwards (accuracy and NMI with the classes, computed after the choice and marked
"not used")."""

from collections.abc import Callable, Iterable

import pandas as pd

from catuvac.evaluation.selection import SEED, SETTING, rank_settings
from catuvac.records.results import CLUSTER_TERM_WEIGHTS, Record, Result, as_result, select
from catuvac.records.seed_tables import format_seed_table, mean_text, seed_table
from catuvac.records.settings import default_setting
from catuvac.records.table import formatted, our_row

STUDY_PROFILE = "long"
LIKELIHOOD_NAMES = {
    "bce": "BCE (the paper's)",
    "gaussian": "Gaussian, learned σ",
    "gaussian-optimal": "Gaussian, optimal σ",
    "gaussian-band": "Gaussian, σ per band",
}
OURS = "Cat. UVAC, ours"
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
    neighbours the consistency term pairs."""
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
        parts.append(f"q(y|x) started at K-means ({beyond['pseudo_label_epochs']} epochs)")
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


def latent_table(records: Iterable[Record], profile: str = STUDY_PROFILE) -> pd.DataFrame:
    """One row per run of the study profile trained with the paper's objective on q(y|x):
    what its latents carry on the test clips, by likelihood."""
    rows = []
    for result in study_runs(records, profile):
        if has_cluster_objective(result):
            continue
        check, use = result["reconstruction_check"], result["latent_use"]
        rows.append(
            {
                "dataset": result.dataset,
                "K": result.n_clusters,
                "likelihood": LIKELIHOOD_NAMES[result.beyond_paper.get("likelihood", "bce")],
                "seed": result.seed,
                "KL_z (nats)": use["kl_z"],
                "active units of z": use["active_units"],
                "model MSE": check["model_mse"],
                "PCA MSE": check["pca_mse"],
                "mean MSE": check["mean_mse"],
                "KL_y (nats)": use["kl_y"],
                "I(x; y) (nats)": use["information_xy"],
                "mean max q(y|x)": use["mean_max_q"],
                f"accuracy (%) {NOT_USED}": 100 * result.metric_values()["accuracy"],
            }
        )
    return pd.DataFrame(rows)


def latent_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`latent_table` as mean ± std over seeds per dataset and likelihood, with the
    targets' verdict: the VAE beats PCA, KL_z at least 10 nats, at least 5 active units."""
    rows = []
    for (dataset, k, likelihood), runs in table.groupby(["dataset", "K", "likelihood"]):
        n = len(runs)
        beats_pca = int((runs["model MSE"] < runs["PCA MSE"]).sum())
        rows.append(
            {
                "dataset": dataset,
                "K": k,
                "likelihood": likelihood,
                "seeds": n,
                "KL_z (nats)": text_scaled(runs["KL_z (nats)"], 1, 1),
                "active units": text_scaled(runs["active units of z"], 1, 1),
                "model MSE (×1000)": text_scaled(runs["model MSE"], 1000, 2),
                "PCA MSE (×1000)": text_scaled(runs["PCA MSE"], 1000, 2),
                "seeds where the VAE beats PCA": f"{beats_pca} of {n}",
                "I(x; y) (nats)": text_scaled(runs["I(x; y) (nats)"], 1, 2),
                f"accuracy (%) {NOT_USED}": text_scaled(runs[f"accuracy (%) {NOT_USED}"], 1, 1),
            }
        )
    return pd.DataFrame(rows)


def text_scaled(values: pd.Series, scale: float, digits: int) -> str:
    """``mean ± std`` of ``values * scale``."""
    scaled = values.astype(float) * scale
    return mean_text(scaled.mean(), scaled.std(ddof=0), len(scaled), len(scaled), digits)


def selection_runs(records: Iterable[Record], profile: str = STUDY_PROFILE) -> pd.DataFrame:
    """One row per run of the study profile that trained with this project's terms on
    q(y|x): its setting, seed, the label-free quantities of its training clips, its
    training partition and, beside them, the scores on the test clips the choice never
    reads."""
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
                **result["train_selection"],
                "partition": result.arrays()["train_clusters"],
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


def latent_sentence(table: pd.DataFrame) -> str:
    """What :func:`latent_table` says, per dataset and likelihood, in one sentence, and
    then how many times the paper's BCE's KL_z each other likelihood's is, per dataset
    (the factor differs between datasets, so a single "several times" would not be true)."""
    parts = []
    for (dataset, likelihood), runs in table.groupby(["dataset", "likelihood"]):
        beats = int((runs["model MSE"] < runs["PCA MSE"]).sum())
        parts.append(
            f"{dataset}, {likelihood}: KL_z {runs['KL_z (nats)'].mean():.1f} nats, "
            f"{runs['active units of z'].mean():.1f} active units of 10, a reconstruction "
            f"better than PCA's on {beats} of {len(runs)} seeds"
        )
    sentence = "On the test clips: " + "; ".join(parts) + "."
    means = table.groupby(["dataset", "likelihood"])["KL_z (nats)"].mean()
    bce = LIKELIHOOD_NAMES["bce"]
    ratios = [
        f"{means[dataset, likelihood] / means[dataset, bce]:.1f} times on {dataset} ({likelihood})"
        for dataset, likelihood in means.index
        if likelihood != bce and (dataset, bce) in means.index and means[dataset, bce] > 0
    ]
    if ratios:
        sentence += " The calibrated likelihood's KL_z is the BCE's " + ", ".join(ratios) + "."
    return sentence


def comparison_table(records: Iterable[Record], ranked: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, the chosen setting's runs beside the reproduction's K-means and Cat.
    UVAC at the chosen lambda (``cpu`` profile), and K-means on features normalised per
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
    likelihood named in the source, ready for :func:`~catuvac.records.table.with_rows`."""
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
