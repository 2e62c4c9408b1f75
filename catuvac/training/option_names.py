"""How the options that take several settings are named in a run's file name, when away
from their defaults: each function gives the part of
:attr:`~catuvac.training.run_spec.RunSpec.name` for one option of a spec."""

from typing import TYPE_CHECKING

from catuvac.model.objectives import SELF_LABEL_THRESHOLD

if TYPE_CHECKING:
    from catuvac.training.run_spec import RunSpec


def consistency_part(spec: "RunSpec") -> str:
    """The consistency weight, and its term unless IIC."""
    term = "" if spec.consistency_term == "iic" else spec.consistency_term
    return f"consistency{spec.consistency_weight:g}{term}"


def neighbours_part(spec: "RunSpec") -> str:
    """The neighbour count, and the refresh when mined in z."""
    space = f"z{spec.neighbour_refresh}" if spec.neighbour_space == "z" else ""
    return f"nn{spec.neighbours}{space}"


def start_part(spec: "RunSpec") -> str:
    """The K-means start's epochs, and the epoch it comes at when in z."""
    space = f"z{spec.pseudo_label_after}" if spec.pseudo_label_space == "z" else ""
    return f"kmeansstart{spec.pseudo_label_epochs}{space}"


def self_label_part(spec: "RunSpec") -> str:
    """The self-labelling weight, and its threshold unless the default."""
    at = "" if spec.self_label_threshold == SELF_LABEL_THRESHOLD else "at"
    if at:
        at += f"{spec.self_label_threshold:g}"
    return f"selflabel{spec.self_label_weight:g}{at}"
