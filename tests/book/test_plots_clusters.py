"""Light checks of the training and clustering plots (Agg backend, no display)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from catuvac.book.overlap import class_profiles  # noqa: E402
from catuvac.book.players import audio_table, cluster_audio_table  # noqa: E402
from catuvac.book.plots.clusters import (  # noqa: E402
    matched_order,
    plot_band_separability,
    plot_class_profiles,
    plot_class_shares,
    plot_confusion,
    plot_confusion_row,
    plot_hungarian,
    plot_metric_bars,
    plot_projection,
    plot_temperature_sweep,
    project_2d,
)
from catuvac.book.plots.training import (  # noqa: E402
    plot_history,
    plot_schedules,
    plot_usage_comparison,
    plot_usage_heatmap,
)
from catuvac.book.toys import temperature_sweep, toy_softmax_clusters  # noqa: E402
from catuvac.records.reports.seed_tables import seed_table  # noqa: E402

HISTORY = [
    {
        "epoch": e,
        "loss": 9.0 - e,
        "reconstruction": 8.0 - e,
        "kl_z": 0.5,
        "kl_y": 0.5,
        "tau": tau,
        "lr": lr,
        "cluster_usage": usage,
    }
    for e, tau, lr, usage in ((1, 1.0, 1e-3, [4, 4, 0]), (2, 0.5, 1e-5, [8, 0, 0]))
]


def _record(method, k, seed, accuracy):
    return {
        "spec": {
            "dataset": "fsdd",
            "method": method,
            "n_clusters": k,
            "seed": seed,
            "tau_end": 0.5,
        },
        "n_classes": 10,
        "metrics": {
            "accuracy": accuracy,
            "nmi": accuracy,
            "own": {"silhouette": 0.5, "davies_bouldin": 1.0, "calinski_harabasz": 3.0},
        },
        "profile": {"name": "smoke", "epochs": 2},
        "data_subset": {"train_clips": 96, "test_clips": 64},
        "environment": {"device": "cpu"},
        "cluster_sizes": [64] + [0] * (k - 1),
    }


RECORDS = [
    _record("kmeans", 10, 0, 0.2),
    _record("kmeans", 10, 1, 0.4),
    _record("catuvac", 10, 0, 0.5),
    _record("catuvac", 5, 0, None),
]

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2])
Y_PRED = np.array([5, 5, 1, 1, 1, 3, 3, 7])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_matched_order_puts_unmatched_clusters_last():
    labels, columns = matched_order(Y_TRUE, Y_PRED)
    assert list(labels) == [0, 1, 2]
    assert columns == [5, 1, 3, 7]


def test_hungarian_figure_outlines_the_assignment():
    fig = plot_hungarian(Y_TRUE, Y_PRED, class_names=["a", "b", "c"])
    before, after = fig.axes
    assert len(before.patches) == 3 and len(after.patches) == 3
    assert "accuracy 0.750" in after.get_title()
    assert [t.get_text() for t in after.get_xticklabels()] == ["5", "1", "3", "7"]


def test_confusion_rows_sum_to_one():
    ax = plot_confusion(Y_TRUE, Y_PRED, ["a", "b", "c"], title="toy")
    image = ax.images[0].get_array()
    np.testing.assert_allclose(image.sum(axis=1), 1.0)
    assert ax.get_title() == "toy\naccuracy 75.0 %"
    fig = plot_confusion_row({"a": (Y_TRUE, Y_PRED), "b": (Y_TRUE, Y_TRUE)}, title="row")
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a\naccuracy 75.0 %", "b\naccuracy 100.0 %"]


def test_projection_and_pca():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(40, 5))
    xy, ratio = project_2d(points)
    assert xy.shape == (40, 2) and 0 < ratio.sum() <= 1
    fig = plot_projection(points, rng.integers(0, 3, 40), rng.integers(0, 2, 40), ["x", "y"])
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "coloured by true label"


def test_metric_bars_and_sweep():
    table = seed_table(RECORDS)
    fig = plot_metric_bars(table)
    assert len(fig.axes) == 5
    kmeans = table[(table["method"] == "K-means") & (table["clusters"] == 10)]
    expected = 100 * float(kmeans["accuracy_mean"].iloc[0])  # in %, as in the tables
    assert any(p.get_height() == pytest.approx(expected) for p in fig.axes[0].patches)
    hot = _record("catuvac", 10, 0, 0.3)
    hot["spec"]["tau_end"] = 2.0
    fig = plot_metric_bars(seed_table([*RECORDS, hot]), metrics=("accuracy",))
    names = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert names == ["K-means", "Cat. UVAC τ=0.5", "Cat. UVAC τ=2", "Cat. UVAC"]
    points, logits, _ = toy_softmax_clusters(n_per_cluster=20, n_clusters=3)
    fig = plot_temperature_sweep(temperature_sweep(points, logits, [1.0, 0.1]))
    assert len(fig.axes) == 3 and len(fig.axes[0].lines) == 2


def test_overlap_plots():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(20, 1, 4, 6))
    labels = np.repeat([0, 1], 10)
    ax = plot_class_profiles(*class_profiles(features, np.ones((20, 6), bool), labels), ["p", "q"])
    assert len(ax.lines) == 2
    ax = plot_band_separability({"a": np.array([0.1, 0.2]), "b": np.array([0.5, 0.6])})
    assert len(ax.lines) == 2 and ax.get_ylim() == (0, 1)
    import pandas as pd

    ax = plot_class_shares(pd.Series([0.2, 0.7], index=["a", "b"]), title="shares")
    assert len(ax.patches) == 2 and ax.get_title() == "shares"


def test_training_plots():
    fig = plot_schedules(n_epochs=20)
    left, right = fig.axes
    assert len(left.lines) == 2 and right.get_yscale() == "log"
    assert left.lines[0].get_ydata()[0] == 1.0 and left.lines[0].get_ydata()[-1] == 0.5
    fig = plot_history(HISTORY, title="toy")
    assert len(fig.axes) == 4 and len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 2
    assert fig.axes[0].get_yscale() == "linear"  # a log axis hid the real decrease
    ax = plot_usage_heatmap(HISTORY)
    assert ax.images[0].get_array().shape == (2, 3)
    assert ax.get_yticklabels()[1].get_text() == "2: 1 used, H=0.00"
    ax = plot_usage_heatmap(np.array([[1, 2, 3]]), row_label="run")
    assert ax.get_ylabel() == "run"
    fig = plot_usage_comparison({"λ = 1": [5, 0, 5], "λ = 10": [3, 3, 4]})
    assert len(fig.axes) == 2 and "2 used" in fig.axes[0].get_title()


def test_audio_table_embeds_players():
    wave = np.sin(np.linspace(0, 100, 800))
    markup = audio_table({"cluster 0": [("clip <a>", wave, 8000)], "cluster 1": []})
    assert markup.count("<audio") == 1 and "clip &lt;a&gt;" in markup
    assert markup.startswith("<table>") and "cluster 1" in markup


def test_cluster_audio_table_reads_the_clips(tmp_path):
    import soundfile as sf

    paths = []
    for i in range(3):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, 0.1 * np.sin(np.linspace(0, 50 * (i + 1), 8000)), 8000)
        paths.append(str(path))
    markup = cluster_audio_table(
        [1, 1, 0], paths, ["a", "b", "c"], n_per_cluster=1, max_seconds=0.5
    )
    assert markup.count("<audio") == 2
    assert markup.index("cluster 1 (2 clips)") < markup.index("cluster 0 (1 clip)")
    with pytest.raises(ValueError, match="one cluster, path and caption"):
        cluster_audio_table([0], paths, ["a"])


def test_usage_heatmap_subsamples_long_histories():
    counts = np.tile([[3, 1, 0]], (500, 1))
    ax = plot_usage_heatmap(counts, max_rows=20)
    assert ax.images[0].get_array().shape == (20, 3)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("1:") and ax.get_ylabel() == "epoch (20 of 500 shown)"
    assert ax.figure.get_size_inches()[1] < 8  # a page, not 500 rows


def test_book_table_hides_the_index_and_names_columns():
    import pandas as pd

    from catuvac.book.plots.tables import book_table

    frame = pd.DataFrame({"davies_bouldin": [0.5], "tau_end": ["0.5"], "nmi": ["0.13 ± 0.02"]})
    html = book_table(frame).to_html()
    assert "Davies-Bouldin" in html and "final τ" in html and "davies_bouldin" not in html
    assert "0.13\u00a0±\u00a00.02" in html  # mean ± std kept on one line
    assert "row0_col0" in html and "level0_row0" not in html  # no index column


def test_book_table_rounds_each_column_for_reading():
    import pandas as pd

    from catuvac.book.plots.tables import book_table, column_digits

    frame = pd.DataFrame(
        {
            "lambda": [1.0, 1000.0],  # whole numbers: no decimals
            "loss": [2409.75, 2510.15],  # hundreds or more: no decimals
            "clusters_used": [7.666, 6.667],  # about three significant digits
            "kl_y": [0.876, 0.000004],  # orders of magnitude apart: two significant digits
        }
    )
    assert [column_digits(frame[c]) for c in frame] == [0, 0, 2, None]
    html = book_table(frame).to_html()
    for text in (">1000<", ">2410<", ">7.67<", ">0.88<", ">4e-06<", "clusters used"):
        assert text in html
    assert "1000.000" not in html and "clusters_used" not in html
