"""A chapter's look at its stored runs: figures titled from the runs, the clusters heard
through the test clips the run used, and a word on how to make runs where none are stored."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from catuvac.book.stored_runs import (  # noqa: E402
    plot_stored_confusions,
    plot_stored_projection,
    plot_stored_prototypes,
    show_seed_tables,
    stored_clusters_heard,
)
from catuvac.data import load  # noqa: E402
from catuvac.experiments.prepare import chosen_clips, files_digest  # noqa: E402
from catuvac.records.store.results import ARRAYS_KEY, Result  # noqa: E402

K = 3


def stored_run(dataset, method: str = "catuvac", seed: int = 0) -> Result:
    """A stored smoke-profile run on FSDD's first 64 test clips, clustered by index."""
    clips = chosen_clips(dataset, "test", 64)
    clusters = np.arange(len(clips)) % K
    return Result(
        {
            "path": f"/nowhere/{method}-{seed}.json",
            "spec": {"dataset": "fsdd", "method": method, "seed": seed, "n_clusters": K},
            "profile": {"name": "smoke", "epochs": 2, "max_test_clips": 64},
            "environment": {"device": "cpu"},
            "data_subset": {
                "train_clips": 96,
                "test_clips": len(clips),
                "test_files_sha256": files_digest([c.path for c in clips], dataset.root),
            },
            ARRAYS_KEY: {
                "labels": np.array([c.label for c in clips]),
                "clusters": clusters,
                "cluster_probs": np.eye(K)[clusters],
            },
        }
    )


@pytest.fixture
def fsdd(offline_data, monkeypatch):
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    return load("fsdd")


def test_figures_are_titled_from_the_runs(fsdd):
    runs = [stored_run(fsdd, "kmeans"), stored_run(fsdd, "catuvac", seed=2)]
    fig = plot_stored_confusions(runs, fsdd.class_names, "stored runs, K = 3")
    titles = [ax.get_title().splitlines()[0] for ax in fig.axes[:2]]
    assert titles == ["K-means, seed 0", "Cat. UVAC, seed 2"]
    assert fig._suptitle.get_text().startswith("stored runs, K = 3: profile smoke")
    fig = plot_stored_projection(runs[1], "cluster_probs", fsdd.class_names)
    assert fig._suptitle.get_text().startswith("Cat. UVAC q(y|x), K = 3, stored smoke run")
    plt.close("all")


def test_the_clusters_are_heard_through_the_runs_own_test_clips(fsdd):
    heard = stored_clusters_heard(stored_run(fsdd), n_per_cluster=1, max_seconds=0.5)
    assert heard.startswith("<p>Cat. UVAC, K = 3, seed 0: profile smoke")
    assert heard.count("<audio") == K


def test_a_run_without_prototypes_says_how_to_make_them(fsdd):
    with pytest.raises(FileNotFoundError, match="catuvac prototypes"):
        plot_stored_prototypes(stored_run(fsdd))


def test_without_stored_runs_the_tables_name_the_command(capsys):
    show_seed_tables([], "FSDD", "fsdd")
    assert "catuvac reproduce --datasets fsdd" in capsys.readouterr().out
