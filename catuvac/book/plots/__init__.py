"""Plot functions for the book: each takes data (and optionally a matplotlib Axes) and
returns the Axes or Figure it drew on, so chapters stay short and plots are testable."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Width of the book's text column in inches at the notebooks' 100 dpi (about 740 px):
#: a figure this wide is shown at its natural size, so its 10 pt fonts read at 100% zoom.
PAGE_WIDTH = 7.4


def panel_grid(
    n: int, panel_height: float, max_columns: int = 2, **subplot_kw
) -> tuple[Figure, list[Axes]]:
    """``n`` panels in rows of at most ``max_columns``, a page wide; unused cells removed."""
    columns = max(1, min(n, max_columns))
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(PAGE_WIDTH, panel_height * rows),
        squeeze=False,
        layout="constrained",
        **subplot_kw,
    )
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.remove()
    return fig, flat[:n]


def axes_for(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new ``figsize`` figure when none is given."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def to_numpy(values: object) -> np.ndarray:
    """A NumPy array of an array, a list or a (CPU or GPU) tensor."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values)
