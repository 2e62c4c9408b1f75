"""The lambda-study figure draws one line per run group and the criterion's thresholds."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from catuvac.book.plots.study import plot_lambda_study


def test_lambda_study_figure_has_thresholds_and_a_line_per_seed():
    rows = [
        {
            "dataset": "us8k",
            "clusters": 10,
            "seed": seed,
            "lambda": weight,
            "train clusters used": used,
            "train largest share": 0.5,
            "train marginal entropy": 0.9,
            "test accuracy (not used)": 0.2,
            "test NMI (not used)": 0.1,
        }
        for seed in (0, 1)
        for weight, used in ((1.0, 3), (100.0, 10))
    ]
    fig = plot_lambda_study(pd.DataFrame(rows), title="study")
    used_ax = fig.axes[0]
    assert len(used_ax.lines) == 2 + 1  # two seeds, one threshold (8 of 10)
    assert used_ax.lines[-1].get_ydata()[0] == 8
    assert used_ax.get_xscale() == "log"
    assert fig.axes[-1].get_legend() is not None


def test_lambda_study_lines_differ_in_colour_or_style_and_share_colour_per_task():
    rows = [
        {
            "dataset": dataset,
            "clusters": 10,
            "seed": seed,
            "lambda": 1.0,
            "train clusters used": 10,
            "train largest share": 0.2,
            "train marginal entropy": 2.0,
            "test accuracy (not used)": 0.2,
            "test NMI (not used)": 0.1,
        }
        for dataset in ("arabic-digits", "fsdd", "us8k", "tau2019")
        for seed in (0, 1, 2)
    ]
    fig = plot_lambda_study(pd.DataFrame(rows))
    lines = fig.axes[0].lines[:12]
    looks = {(line.get_color(), line.get_linestyle()) for line in lines}
    assert len(looks) == 12
    assert len({line.get_color() for line in lines[:3]}) == 1  # one dataset, three seeds
