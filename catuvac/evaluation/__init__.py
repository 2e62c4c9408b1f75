"""How a clustering is scored and judged: the paper's five metrics, cluster usage, the
evaluation embedding of a trained model, the label-free collapse criterion and the defaults
it selected.

May import: the top-level modules, ``data``, ``features``, ``model`` and ``training``."""
