"""Tables as the book shows them: no index column, readable headers, numbers rounded for
reading (digits chosen per column) and unbroken.

:func:`use_book_tables` makes every DataFrame a chapter displays go through
:func:`book_table`, so chapters keep returning plain frames (and tests keep reading them).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

#: Column names in the library's frames and the headers a reader sees.
HEADERS = {
    "dataset": "dataset",
    "clusters": "K",
    "n_clusters": "K",
    "method": "method",
    "tau_end": "final τ",
    "seeds": "seeds",
    "accuracy": "accuracy (fraction)",
    "accuracy (%)": "accuracy (%)",
    "nmi": "NMI",
    "silhouette": "silhouette",
    "davies_bouldin": "Davies-Bouldin",
    "calinski_harabasz": "Calinski-Harabasz",
    "epochs": "epochs",
    "test_clips": "test clips",
    "train_clips": "train clips",
    "clusters_used": "clusters used",
    "entropy": "usage entropy (nats)",
    "lambda": "λ",
    "placement": "λ on",
    "loss": "loss (nats)",
    "reconstruction": "reconstruction (nats)",
    "kl_z": "KL(z) (nats)",
    "kl_y": "KL(y) (nats)",
    "final kl_y (nats)": "final KL(y) (nats)",
    "tau": "τ",
    "lr": "learning rate",
    "usage_entropy": "usage entropy (nats)",
    "largest_share": "largest share",
    "nmi_labels": "NMI with labels",
    "nmi_groups": "NMI with groups",
}


def readable(name: object) -> str:
    """A header for a column name: known names from :data:`HEADERS`, others with spaces."""
    if isinstance(name, tuple):
        return " / ".join(readable(part) for part in name if str(part))
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    for suffix, label in (("_mean", " (mean)"), ("_std", " (std)")):
        if text.endswith(suffix) and text[: -len(suffix)] in HEADERS:
            return HEADERS[text[: -len(suffix)]] + label
    return text.replace("_", " ")


def book_table(frame: pd.DataFrame, precision: int | None = None) -> Styler:
    """``frame`` without its index (unless it is a meaningful, named one), with readable
    headers, and floats to ``precision`` digits, or, by default, to the digits
    :func:`column_digits` picks for each column."""
    shown = frame.copy()
    named_index = any(n is not None for n in shown.index.names)
    if named_index:
        shown = shown.reset_index()
    shown.columns = [readable(c) for c in shown.columns]
    text = shown.astype(object)
    for i in range(shown.shape[1]):
        text.isetitem(i, shown.iloc[:, i].map(_formatter(shown.iloc[:, i], precision)))
    return text.style.hide(axis="index")


def column_digits(values: pd.Series) -> int | None:
    """Decimals that show a float column's typical value to about three significant
    digits: none for whole numbers (and values of 100 or more), up to three for values
    near 0.01; None when the column spans too many orders of magnitude for one count of
    decimals (each value then gets two significant digits)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = np.abs(numbers[np.isfinite(numbers)])
    if finite.size == 0 or np.all(finite == np.round(finite)):
        return 0
    nonzero = finite[finite > 0]
    typical = float(np.median(nonzero))
    if typical < 0.01 or nonzero.max() / nonzero.min() > 1e4:
        return None
    return int(min(3, max(0, 2 - math.floor(math.log10(typical)))))


def _formatter(values: pd.Series, precision: int | None) -> Callable[[object], str]:
    """How one column's cells read: floats rounded, missing values as a dash, ``mean ± std``
    kept on one line."""
    digits = precision
    if precision is None and pd.api.types.is_float_dtype(values):
        digits = column_digits(values)

    def show(value: object) -> str:
        if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
            return "–"
        if isinstance(value, float | np.floating):
            return f"{value:.2g}" if digits is None else f"{value:.{digits}f}"
        return str(value).replace(" ± ", "\u00a0±\u00a0")

    return show


def use_book_tables() -> None:
    """Show every DataFrame in this IPython session as :func:`book_table` does."""
    # IPython comes with the book's extra, not with the library: imported only when used.
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(pd.DataFrame, lambda frame: book_table(frame).to_html())
