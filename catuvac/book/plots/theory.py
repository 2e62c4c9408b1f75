"""Plots for the theory chapters: the ELBO toy model, Gumbel sampling, temperature and
the architecture diagram (the paper's Figure 1).

Every function takes data and an optional matplotlib ``Axes`` and returns the ``Axes``
(or a new ``Figure`` for multi-panel plots) it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from catuvac.book.plots import PAGE_WIDTH, axes_for, to_numpy


def _array(values: object) -> np.ndarray:
    return to_numpy(values).astype(float)


# --- the ELBO chapter -------------------------------------------------------------------


def plot_toy_data(
    x: object,
    states: object,
    points: Mapping[str, object] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Samples of the 2-D toy model coloured by their state ``y``; ``points`` are marked."""
    ax = axes_for(ax, (4.5, 4.5))
    x, states = _array(x), np.asarray(states)
    for k in np.unique(states):
        chosen = states == k
        ax.scatter(x[chosen, 0], x[chosen, 1], s=6, alpha=0.4, label=f"y = {k}")
    for name, point in (points or {}).items():
        point = _array(point)
        ax.scatter(*point, marker="*", s=250, color="black", zorder=3)
        ax.annotate(name, point, xytext=(8, 8), textcoords="offset points", fontsize="small")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("samples of the toy model")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="best", fontsize="small", markerscale=2)
    return ax


def plot_elbo_gap(
    names: Sequence[str], elbos: Sequence[float], log_px: float, ax: Axes | None = None
) -> Axes:
    """The ELBO of several posteriors below the exact ``log p(x)``; each gap is annotated."""
    ax = axes_for(ax, (7.0, 3.8))
    positions = np.arange(len(names))
    elbos = _array(elbos)
    ax.axhline(log_px, color="black", linewidth=1.5, label=r"exact $\log p(x)$")
    ax.scatter(positions, elbos, color="tab:blue", zorder=3, label="ELBO")
    span = max(float(log_px - elbos.min()), 1e-12)
    for position, elbo in zip(positions, elbos, strict=True):
        gap = max(float(log_px - elbo), 0.0)
        ax.vlines(position, elbo, log_px, color="tab:red", linewidth=2)
        # A gap too short to hold its label gets it below the point; the last point's label
        # goes to its left, so that no label crosses the line or leaves the axes.
        short = gap < 0.15 * span
        last = position == positions[-1]
        ax.annotate(
            f"gap {gap:.2f}",
            (position, elbo if short else (elbo + log_px) / 2),
            xytext=(-6 if last else 6, -8 if short else 0),
            textcoords="offset points",
            ha="right" if last else "left",
            va="top" if short else "center",
            fontsize="small",
            color="tab:red",
        )
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_xticks(positions, names, rotation=20, ha="right")
    ax.set_ylabel("nats")
    ax.set_title(r"ELBO $\leq \log p(x)$; the gap is KL(q || true posterior)")
    ax.legend(loc="lower left", fontsize="small")
    return ax


def plot_elbo_interpolation(
    alphas: Sequence[float],
    elbos: Sequence[float],
    log_px: float,
    ax: Axes | None = None,
    weighted: Mapping[str, Sequence[float]] | None = None,
) -> Axes:
    """ELBO as ``q(y|x)`` moves from uniform (alpha 0) to the true posterior (alpha 1).

    ``weighted`` optionally adds curves of lambda-weighted objectives, keyed by label.
    """
    ax = axes_for(ax, (6.0, 3.8))
    ax.axhline(log_px, color="black", linewidth=1.5, label=r"exact $\log p(x)$")
    ax.plot(alphas, elbos, marker="o", markersize=3, label=r"ELBO ($\lambda = 1$)")
    for label, values in (weighted or {}).items():
        ax.plot(alphas, values, linestyle="--", label=label)
    ax.set_xlabel(r"$\alpha$: $q(y|x) = (1-\alpha)\,$uniform$ + \alpha\, p(y|x)$")
    ax.set_ylabel("nats")
    ax.set_title("tightening the bound through q(y|x)")
    ax.legend(loc="upper left", fontsize="small")
    return ax


# --- the Gumbel-Softmax chapter ----------------------------------------------------------


def plot_category_frequencies(
    probs: object, frequencies: object, ax: Axes | None = None, n_samples: int | None = None
) -> Axes:
    """Bars of the categorical probabilities next to empirical Gumbel-Max frequencies."""
    ax = axes_for(ax, (7.0, 3.5))
    probs, frequencies = _array(probs), _array(frequencies)
    classes = np.arange(len(probs))
    ax.bar(classes - 0.2, probs, width=0.4, label=r"probability $\pi_i$")
    label = "Gumbel-Max frequency" + (f" ({n_samples:,} samples)" if n_samples else "")
    ax.bar(classes + 0.2, frequencies, width=0.4, label=label)
    ax.set_xticks(classes)
    ax.set_ylim(0, 1.35 * max(probs.max(), frequencies.max()))  # room for the legend
    ax.set_xlabel("class $i$")
    ax.set_ylabel("probability")
    ax.set_title("Gumbel-Max samples follow the categorical distribution")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_gumbel_softmax_grid(
    probs: object,
    taus: Sequence[float],
    expectations: Sequence[object],
    samples: Sequence[object],
) -> Figure:
    """The paper's Figure 2, one row per temperature: the expected Gumbel-Softmax vector
    (left, with the class probabilities as a line) and one sample (right)."""
    if not len(taus) == len(expectations) == len(samples):
        raise ValueError(
            f"need one expectation and one sample per temperature; got {len(taus)} taus, "
            f"{len(expectations)} expectations, {len(samples)} samples"
        )
    probs = _array(probs)
    classes = np.arange(len(probs))
    n = len(taus)
    # One row per temperature: a page-wide figure whose labels read at 100% zoom.
    fig, axes = plt.subplots(
        n,
        2,
        figsize=(PAGE_WIDTH, 1.35 * n + 0.9),
        sharex=True,
        sharey="row",
        squeeze=False,
        layout="constrained",
    )
    for row, (tau, mean, sample) in enumerate(zip(taus, expectations, samples, strict=True)):
        left, right = axes[row, 0], axes[row, 1]
        left.bar(classes, _array(mean), color="tab:blue")
        left.plot(classes, probs, "k.", label=r"class probability $\pi_i$")
        right.bar(classes, _array(sample), color="tab:orange")
        left.set_ylabel(rf"$\tau = {tau:g}$")
    for ax in axes[-1]:
        ax.set_xticks(classes)
        ax.set_xlabel("class i")
    axes[0, 0].set_title("expectation of the sample")
    axes[0, 1].set_title("one sample")
    axes[0, 0].legend(fontsize="small", loc="upper left")
    fig.suptitle(f"Gumbel-Softmax over {len(probs)} classes at several temperatures")
    return fig


def plot_gradient_variance(
    taus: Sequence[float], variances: Sequence[float], ax: Axes | None = None
) -> Axes:
    """Variance of the single-sample Gumbel-Softmax gradient against temperature (log-log)."""
    ax = axes_for(ax, (6.0, 3.5))
    ax.loglog(taus, variances, marker="o", markersize=4)
    ax.set_xlabel(r"temperature $\tau$")
    ax.set_ylabel("gradient variance")
    ax.set_title("lower temperature, noisier gradients")
    ax.grid(True, which="both", alpha=0.3)
    return ax


# --- the architecture chapter --------------------------------------------------------------

_BOX = {"encoder": "#cfe2f3", "sampling": "#fce5cd", "decoder": "#d9ead3", "data": "#eeeeee"}


def _box(ax: Axes, centre: tuple[float, float], text: str, kind: str, width: float = 1.9):
    x, y = centre
    height = 0.9
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor=_BOX[kind],
            edgecolor="black",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax: Axes, start, end, text: str = "", rad: float = 0.0, style: str = "-|>", **kw):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": style,
            "connectionstyle": f"arc3,rad={rad}",
            "shrinkA": 4,
            "shrinkB": 4,
            "color": kw.get("color", "black"),
            "linestyle": kw.get("linestyle", "-"),
        },
    )
    if text:
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(*mid, text, fontsize=8, ha="center", va="bottom", color=kw.get("color", "black"))


def plot_architecture(ax: Axes | None = None) -> Figure:
    """Block diagram of Cat. UVAC (the paper's Figure 1), top to bottom so that it reads at
    the page's width: the features, the two encoders, the two samplers, the latent
    variables, the decoder and the reconstruction, with the three ELBO terms marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, 5.8), layout="constrained")
    left, right, centre = 2.7, 7.3, 5.0
    rows = {"x": 6.0, "enc": 4.8, "samp": 3.6, "lat": 2.4, "dec": 1.2, "out": 0.0}
    half = 0.45  # half a box's height
    _box(ax, (centre, rows["x"]), "x: features [1, F, T]", "data", width=2.6)
    _box(
        ax,
        (left, rows["enc"]),
        "$q_\\phi(y|x)$\n4 conv + 2 GRU\n+ Linear to K logits",
        "encoder",
        3.0,
    )
    _box(
        ax,
        (right, rows["enc"]),
        "$q_\\phi(z|x,y)$\n[x, y] as channels\n4 conv + 2 GRU + Linear",
        "encoder",
        3.0,
    )
    _box(
        ax,
        (left, rows["samp"]),
        "Gumbel-Softmax at\ntemperature $\\tau$",
        "sampling",
        3.0,
    )
    _box(
        ax,
        (right, rows["samp"]),
        "$z = \\mu + \\sigma \\odot \\epsilon$\n$\\epsilon \\sim N(0, I)$",
        "sampling",
        3.0,
    )
    _box(ax, (left, rows["lat"]), "y: a point of\nthe K-simplex", "data", 1.8)
    _box(ax, (right, rows["lat"]), "z: $d_z$ values", "data", 1.8)
    _box(
        ax,
        (centre, rows["dec"]),
        "$p_\\theta(x|y,z)$\n[z, y] -> Linear + 4 transposed conv",
        "decoder",
        4.2,
    )
    _box(ax, (centre, rows["out"]), "$\\hat{x}$: sigmoid, [1, F, T]", "data", 2.6)

    _arrow(ax, (centre - 0.6, rows["x"] - half), (left, rows["enc"] + half))
    _arrow(ax, (centre + 0.6, rows["x"] - half), (right, rows["enc"] + half))
    _arrow(ax, (left, rows["enc"] - half), (left, rows["samp"] + half))
    ax.text(left + 0.1, (rows["enc"] + rows["samp"]) / 2 - 0.05, "logits", fontsize=8)
    _arrow(ax, (right, rows["enc"] - half), (right, rows["samp"] + half))
    ax.text(
        right + 0.1, (rows["enc"] + rows["samp"]) / 2 - 0.05, r"$\mu, \log\sigma^2$", fontsize=8
    )
    _arrow(ax, (left, rows["samp"] - half), (left, rows["lat"] + half))
    _arrow(ax, (right, rows["samp"] - half), (right, rows["lat"] + half))
    orange = "tab:orange"
    _arrow(
        ax,
        (left + 0.9, rows["lat"] + 0.15),
        (right - 1.4, rows["enc"] - half),
        rad=0.25,
        color=orange,
    )
    # Below the arc, between the two latent boxes, so the arrow never crosses its label.
    ax.text(
        centre - 0.45,
        rows["lat"] - 0.15,
        "y, broadcast\nas K channels",
        fontsize=8,
        ha="left",
        va="center",
        color=orange,
    )
    _arrow(ax, (left, rows["lat"] - half), (centre - 1.2, rows["dec"] + half))
    _arrow(ax, (right, rows["lat"] - half), (centre + 1.2, rows["dec"] + half))
    _arrow(ax, (centre, rows["dec"] - half), (centre, rows["out"] + half))

    purple = "tab:purple"
    ax.text(
        left - 1.0,
        rows["lat"],
        "KL$(q(y|x)\\,\\|\\,$Cat$(1/K))$\nweighted by $\\lambda$",
        ha="right",
        va="center",
        fontsize=8.5,
        color=purple,
    )
    ax.text(
        right + 1.0,
        rows["lat"],
        "KL$(q(z|x,y)\\,\\|$\n$N(0, I))$",
        ha="left",
        va="center",
        fontsize=8.5,
        color=purple,
    )
    red, edge = "tab:red", 10.1
    ax.plot(
        [centre + 1.3, edge, edge, centre + 1.3],
        [rows["x"], rows["x"], rows["out"], rows["out"]],
        color=red,
        linestyle="--",
        linewidth=1,
    )
    ax.text(
        edge + 0.12,
        (rows["x"] + rows["out"]) / 2,
        r"reconstruction $-\log p_\theta(x|y,z)$: "
        r"masked binary cross-entropy of $\hat{x}$ against x",
        rotation=90,
        ha="left",
        va="center",
        fontsize=8.5,
        color=red,
    )
    ax.set_xlim(-0.7, 10.6)
    ax.set_ylim(rows["out"] - 0.6, rows["x"] + 0.6)
    ax.set_axis_off()
    ax.set_title("Cat. UVAC: inference (top) and generation (bottom), after the paper's Figure 1")
    return ax.figure
