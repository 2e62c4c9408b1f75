"""Tables as the book shows them: no index column, readable headers, numbers unbroken.

:func:`use_book_tables` makes every DataFrame a chapter displays go through
:func:`book_table`, so chapters keep returning plain frames (and tests keep reading them).
"""

from __future__ import annotations

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
    "accuracy": "accuracy (%)",
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


def book_table(frame: pd.DataFrame, precision: int = 3) -> Styler:
    """``frame`` without its index (unless it is a meaningful, named one), with readable
    headers and floats to ``precision`` digits."""
    shown = frame.copy()
    named_index = any(n is not None for n in shown.index.names)
    if named_index:
        shown = shown.reset_index()
    shown.columns = [readable(c) for c in shown.columns]
    styler = shown.style.hide(axis="index").format(lambda v: _unbroken(v, precision), na_rep="–")
    return styler


def _unbroken(value: object, precision: int) -> str:
    """A float to ``precision`` digits; in text, ``mean ± std`` kept on one line."""
    if isinstance(value, float):
        return f"{value:.{precision}f}"
    return str(value).replace(" ± ", "\u00a0±\u00a0")


def use_book_tables() -> None:
    """Show every DataFrame in this IPython session as :func:`book_table` does."""
    # IPython comes with the book's extra, not with the library: imported only when used.
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(pd.DataFrame, lambda frame: book_table(frame).to_html())
