"""Shape walks and parameter counts of the real networks, recorded with forward hooks.

Nothing here re-implements the architecture: :func:`shape_walk` runs a module once and a
forward hook on every leaf layer records what the layer received and returned, so the
tables in the book are the shapes the training code actually sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from catuvac.model import ModelConfig, build_model


@dataclass(frozen=True)
class LayerRow:
    """One leaf layer in execution order.

    ``name`` is the dotted module path (``encoder_y.trunk.convs.0``), ``kind`` the layer
    class, shapes include the batch axis, ``parameters`` counts the layer's own weights.
    """

    name: str
    kind: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    parameters: int


def _first_tensor(value: object) -> torch.Tensor | None:
    """The first tensor in a hook argument (a tensor, or a tuple such as a GRU's output)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, tuple | list):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _shape(value: object) -> tuple[int, ...]:
    tensor = _first_tensor(value)
    return tuple(tensor.shape) if tensor is not None else ()


def shape_walk(module: nn.Module, *inputs: object, **kwargs: object) -> list[LayerRow]:
    """Call ``module(*inputs, **kwargs)`` once and record every leaf layer it runs.

    The module runs in evaluation mode without gradients; its training flag is restored
    afterwards. A layer that runs twice appears twice.
    """
    rows: list[LayerRow] = []
    names = {id(m): name for name, m in module.named_modules()}

    def record(layer: nn.Module, args: tuple, output: object) -> None:
        rows.append(
            LayerRow(
                names[id(layer)],
                type(layer).__name__,
                _shape(args),
                _shape(output),
                sum(p.numel() for p in layer.parameters(recurse=False)),
            )
        )

    leaves = [m for m in module.modules() if not any(True for _ in m.children())]
    handles = [leaf.register_forward_hook(record) for leaf in leaves]
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(*inputs, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    return rows


def model_walk(config: ModelConfig, batch_size: int = 1, seed: int = 0) -> list[LayerRow]:
    """Shape walk of a freshly built model on a zero input of the configured size.

    Cat. UVAC runs with ``tau = 1`` (the temperature changes values, not shapes).
    """
    torch.manual_seed(seed)
    model = build_model(config)
    x = torch.zeros(batch_size, 1, config.n_freq, config.n_frames)
    return shape_walk(model, x, 1.0)


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Trainable parameters per top-level network, parameters held by the model itself
    (such as UVAC's mixture prior, keyed by their names) and a ``total``."""
    counts = {
        name: sum(p.numel() for p in child.parameters() if p.requires_grad)
        for name, child in model.named_children()
    }
    own = [(name, p) for name, p in model.named_parameters(recurse=False) if p.requires_grad]
    if own:
        counts[", ".join(name for name, _ in own)] = sum(p.numel() for _, p in own)
    counts["total"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return counts


def format_walk(rows: Sequence[LayerRow]) -> str:
    """A plain-text table of a shape walk (for printing in checked notebook cells)."""
    header = ("layer", "kind", "input shape", "output shape", "parameters")
    body = [
        (
            r.name,
            r.kind,
            str(list(r.input_shape)),
            str(list(r.output_shape)),
            f"{r.parameters:,}",
        )
        for r in rows
    ]
    return _format_table(header, body, right_align=(4,))


def format_walks(walks: Mapping[str, Sequence[LayerRow]]) -> str:
    """One table of output shapes with a column per input size (walks of the same model).

    ``walks`` maps a column title (such as ``"128x64"``) to a :func:`shape_walk` result;
    every walk must run the same layers in the same order.
    """
    walk_list = list(walks.values())
    names = [(r.name, r.kind) for r in walk_list[0]]
    for title, rows in walks.items():
        if [(r.name, r.kind) for r in rows] != names:
            raise ValueError(f"walk {title!r} runs different layers than the first walk")
    header = ("layer", "kind", *walks)
    body = [
        (name, kind, *(str(list(rows[i].output_shape)) for rows in walk_list))
        for i, (name, kind) in enumerate(names)
    ]
    return _format_table(header, body)


def format_counts(counts: Mapping[str, Mapping[str, int]]) -> str:
    """A plain-text table of parameter counts: one column per model, one row per network.

    ``counts`` maps a column title to a :func:`parameter_counts` result; networks a model
    lacks show as ``-``.
    """
    rows: list[str] = []
    for per_model in counts.values():
        rows += [name for name in per_model if name not in rows and name != "total"]
    rows.append("total")
    header = ("network", *counts)
    body = [(row, *(f"{c[row]:,}" if row in c else "-" for c in counts.values())) for row in rows]
    return _format_table(header, body, right_align=tuple(range(1, len(header))))


def _format_table(
    header: Sequence[str], body: Sequence[Sequence[str]], right_align: Sequence[int] = ()
) -> str:
    widths = [max(len(str(row[i])) for row in (header, *body)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right_align else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in body)])
