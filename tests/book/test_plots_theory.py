"""Light checks of the plot functions of the theory and audio chapters (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from catuvac.book.plots import audio, theory  # noqa: E402
from catuvac.book.plots.training import plot_temperature_schedules  # noqa: E402
from catuvac.features import SPOKEN_DIGITS, URBAN_4S  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_toy_and_elbo_plots():
    rng = np.random.default_rng(0)
    ax = theory.plot_toy_data(rng.normal(size=(30, 2)), rng.integers(0, 3, 30), {"x": [0, 0]})
    assert isinstance(ax, Axes) and len(ax.collections) == 4  # 3 states + the marked point
    ax = theory.plot_elbo_gap(["a", "b"], [-3.0, -4.0], -2.5)
    assert len(ax.lines) == 1 and len(ax.collections) == 3  # points + two gap segments
    assert [t.get_text() for t in ax.texts] == ["gap 0.50", "gap 1.50"]
    ax = theory.plot_elbo_interpolation(
        [0, 0.5, 1], [-3, -2.7, -2.5], -2.5, weighted={"w": [1, 2, 3]}
    )
    assert len(ax.lines) == 3


def test_gumbel_plots():
    probs = np.full(10, 0.1)
    ax = theory.plot_category_frequencies(probs, probs, n_samples=100)
    assert len(ax.patches) == 20
    taus = [0.1, 1.0, 10.0]
    fig = theory.plot_gumbel_softmax_grid(probs, taus, [probs] * 3, [torch.tensor(probs)] * 3)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    with pytest.raises(ValueError, match="one expectation and one sample"):
        theory.plot_gumbel_softmax_grid(probs, taus, [probs], [probs])
    ax = theory.plot_gradient_variance(taus, [3.0, 1.0, 0.1])
    assert ax.get_xscale() == "log" and len(ax.lines) == 1
    ax = plot_temperature_schedules({"exponential": [1.0, 0.7, 0.5], "linear": [1, 0.75, 0.5]})
    assert len(ax.lines) == 2 and ax.get_legend() is not None


def test_architecture_diagram():
    fig = theory.plot_architecture()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "Gumbel-Softmax" in texts and "reconstruction" in texts


def test_waveform_and_spectrogram():
    ax = audio.plot_waveform(np.zeros(800), 8000)
    assert ax.get_xlim() == (0.0, 0.1)
    ax = audio.plot_spectrogram(torch.zeros(1, 128, 64), SPOKEN_DIGITS)
    assert len(ax.images) == 1 and len(ax.figure.axes) == 2  # image + colour bar
    assert ax.images[0].get_extent()[3] == pytest.approx(4000.0)  # 128 bins of 31.25 Hz
    ax = audio.plot_spectrogram(np.zeros((128, 144)), URBAN_4S, colorbar=False)
    assert ax.get_ylabel() == "mel bin" and len(ax.figure.axes) == 1


def test_clip_grid_and_histograms():
    fig = audio.plot_clip_grid(
        [np.zeros(8000)] * 3, [np.zeros((128, 64))] * 3, list("abc"), SPOKEN_DIGITS
    )
    assert len(fig.axes) == 7  # 2 x 3 panels + one colour bar
    with pytest.raises(ValueError, match="as many"):
        audio.plot_clip_grid([np.zeros(8000)], [], ["a"], SPOKEN_DIGITS)
    fig = audio.plot_value_histograms(np.random.default_rng(0).normal(size=100), np.ones(100))
    assert len(fig.axes) == 2


def test_mask_overlay_shades_padding_and_inactive_frames():
    mask = np.array([True] * 10 + [False] * 4 + [True] * 6 + [False] * 12)
    padding = np.array([True] * 20 + [False] * 12)
    ax = audio.plot_mask_overlay(np.zeros((128, 32)), mask, URBAN_4S, padding_mask=padding)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["zero-padding (ignored)", "voice-inactive (ignored)", "counted in the loss"]
    assert len(ax.patches) == 2  # one padding run, one inactive run
    ax = audio.plot_mask_overlay(np.zeros((128, 32)), padding, URBAN_4S)
    assert len(ax.patches) == 1


def test_resampling_plot():
    t = np.arange(4800) / 48000
    fig = audio.plot_resampling(np.sin(2 * np.pi * 440 * t), 48000, np.zeros(800), 8000)
    assert len(fig.axes) == 4
    assert fig.axes[2].get_xlim() == (0.0, 24.0)
