"""A chapter's look at its stored runs, the same wherever it is taken: the seed tables and
their bars, each method's first seed as matched confusion matrices and as a 2-D PCA of a
latent space, a run's decoded prototypes, and one run's clusters heard."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from matplotlib.figure import Figure

from catuvac.book.players import cluster_audio_table
from catuvac.book.plots.audio import plot_prototypes
from catuvac.book.plots.clusters import plot_confusion_row, plot_metric_bars, plot_projection
from catuvac.book.stored_clips import stored_test_clips
from catuvac.experiments.prototypes import confident_members, stored_prototypes
from catuvac.records.reports.seed_tables import format_seed_table, seed_table
from catuvac.records.store.results import METHOD_NAMES, Result, describe_records

SPACE_NAMES = {"cluster_probs": "q(y|x)", "z_mean": "z means"}
"""The stored test arrays a projection can show, by the name the book gives them."""


def show_seed_tables(stored: Sequence[Result], name: str, dataset: str) -> None:
    """Print what the stored runs of ``dataset`` (called ``name``) were computed on and show
    their mean ± std over seeds, in each method's own space and in the common one; with none
    stored, say which command makes them."""
    # IPython comes with the book's extra, not with the library: imported only when used.
    from IPython.display import display

    if not stored:
        print(
            f"No stored {name} results yet: run `catuvac reproduce --datasets {dataset}` "
            "(CATUVAC_PROFILE=cpu for all offline clips and ten epochs)."
        )
        return
    print(f"stored {name} results: {describe_records(stored)}")
    print("mean ± std over seeds, internal metrics in each method's own space:")
    display(format_seed_table(seed_table(stored, "own")).drop(columns="dataset"))
    print("internal metrics in the common space:")
    display(format_seed_table(seed_table(stored, "common")).drop(columns="dataset"))


def plot_stored_metric_bars(stored: Sequence[Result], name: str) -> Figure | None:
    """The stored runs' mean ± std over seeds per method and metric (each method's own
    space), titled with what they were computed on; None when none are stored."""
    if not stored:
        return None
    title = f"{name}, stored results ({describe_records(stored)})"
    return plot_metric_bars(seed_table(stored, "own"), title=title)


def plot_stored_confusions(
    runs: Iterable[Result], class_names: Sequence[str], title: str = "stored runs"
) -> Figure:
    """One matched confusion matrix per stored run, each named by its method and seed, under
    ``title`` and what the runs were computed on."""
    runs = list(runs)
    matrices = {
        f"{METHOD_NAMES[run.method]}, seed {run.seed}": (
            run.arrays()["labels"],
            run.arrays()["clusters"],
        )
        for run in runs
    }
    return plot_confusion_row(
        matrices, class_names=class_names, title=f"{title}: {describe_records(runs)}"
    )


def plot_stored_projection(run: Result, space: str, class_names: Sequence[str]) -> Figure:
    """2-D PCA of a stored run's test ``space`` (a key of :data:`SPACE_NAMES`), titled with
    its method, cluster count, profile, epochs and test clips."""
    arrays = run.arrays()
    title = (
        f"{METHOD_NAMES[run.method]} {SPACE_NAMES[space]}, K = {run.n_clusters}, stored "
        f"{run.profile_name} run ({run.epochs} epochs, {len(arrays['labels'])} test clips): "
        "2-D PCA"
    )
    return plot_projection(
        arrays[space], arrays["clusters"], arrays["labels"], class_names, title=title
    )


def plot_stored_prototypes(run: Result) -> Figure:
    """A stored run's decoded prototype per cluster (``catuvac prototypes`` stores them),
    largest cluster first, as :func:`~catuvac.experiments.prototypes.confident_members`
    orders the clusters its players show."""
    prototypes, _ = stored_prototypes(run)
    order = list(confident_members(run))
    return plot_prototypes(prototypes[order], [f"cluster {k}" for k in order])


def stored_clusters_heard(
    run: Result, n_per_cluster: int = 2, max_seconds: float | None = None
) -> str:
    """HTML: which stored run is heard (method, K, seed, what it was computed on), then
    ``n_per_cluster`` of its test clips per cluster as players, captioned with their class
    and file (:func:`~catuvac.book.players.cluster_audio_table`)."""
    clips = stored_test_clips(run)
    heading = (
        f"{METHOD_NAMES[run.method]}, K = {run.n_clusters}, seed {run.seed}: "
        f"{describe_records([run])}"
    )
    players = cluster_audio_table(
        run.arrays()["clusters"],
        [c.path for c in clips],
        [f"{c.label_name} ({c.path.name})" for c in clips],
        n_per_cluster=n_per_cluster,
        max_seconds=max_seconds,
    )
    return f"<p>{html.escape(heading)}</p>\n{players}"
