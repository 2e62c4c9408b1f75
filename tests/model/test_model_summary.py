import pytest
import torch
from torch import nn

from catuvac.model import ModelConfig, build_model
from catuvac.model.summary import (
    LayerRow,
    format_counts,
    format_walk,
    format_walks,
    model_walk,
    parameter_counts,
    shape_walk,
)


def test_shape_walk_records_leaves_in_order_and_restores_mode():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    net.train()
    rows = shape_walk(net, torch.zeros(5, 3))
    assert [r.name for r in rows] == ["0", "1", "2"]
    assert [r.kind for r in rows] == ["Linear", "ReLU", "Linear"]
    assert rows[0].input_shape == (5, 3) and rows[0].output_shape == (5, 4)
    assert [r.parameters for r in rows] == [16, 0, 10]
    assert net.training
    # hooks are removed: a second forward pass records nothing new
    net(torch.zeros(1, 3))
    assert len(rows) == 3


def test_gru_rows_use_the_sequence_output():
    gru = nn.GRU(6, 8, num_layers=2, batch_first=True)
    (row,) = shape_walk(gru, torch.zeros(2, 5, 6))
    assert row.output_shape == (2, 5, 8)
    assert row.parameters == sum(p.numel() for p in gru.parameters())


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
def test_model_walk_restores_the_input_shape(method):
    rows = model_walk(ModelConfig(method, 128, 64))
    assert rows[0].input_shape == (1, 1, 128, 64)
    assert rows[-1].kind == "Sigmoid" and rows[-1].output_shape == (1, 1, 128, 64)
    convs = [r for r in rows if r.kind == "Conv2d"]
    assert convs[3].output_shape == (1, 128, 8, 4)  # four halvings: 128x64 -> 8x4
    model = build_model(ModelConfig(method, 128, 64))
    assert sum(r.parameters for r in rows) == parameter_counts(model)["total"] - (
        200 if method == "uvac" else 0  # the mixture prior is no layer
    )


def test_catuvac_encoder_z_sees_y_as_channels():
    rows = model_walk(ModelConfig("catuvac", 128, 144, n_clusters=5))
    first = next(r for r in rows if r.name == "encoder_z.trunk.convs.0")
    # The y planes are folded into the layer (ConditionedConv2d): it receives x alone, but
    # its weight has 1 + K input channels, as in the paper's layer.
    assert first.kind == "ConditionedConv2d" and first.input_shape == (1, 1, 128, 144)
    assert first.parameters == 16 * (1 + 5) * 8 * 8 + 16
    assert next(r for r in rows if r.name == "encoder_y.to_logits").output_shape == (1, 5)


def test_parameter_counts_split_by_network():
    cat = parameter_counts(build_model(ModelConfig("catuvac", 128, 64)))
    assert set(cat) == {"encoder_y", "encoder_z", "decoder", "total"}
    assert cat["total"] == cat["encoder_y"] + cat["encoder_z"] + cat["decoder"]
    uvac = parameter_counts(build_model(ModelConfig("uvac", 128, 64, latent_dim=10)))
    assert uvac["prior_means, prior_logvars"] == 2 * 10 * 10
    assert uvac["total"] == sum(v for k, v in uvac.items() if k != "total")


def test_formatting():
    rows = [LayerRow("a", "Linear", (1, 3), (1, 4), 16), LayerRow("b", "ReLU", (1, 4), (1, 4), 0)]
    text = format_walk(rows)
    assert text.splitlines()[0].split() == [
        "layer",
        "kind",
        "input",
        "shape",
        "output",
        "shape",
        "parameters",
    ]
    assert "[1, 4]" in text and len(text.splitlines()) == 4
    both = format_walks({"small": rows, "big": rows})
    assert both.splitlines()[0].split() == ["layer", "kind", "small", "big"]
    with pytest.raises(ValueError, match="different layers"):
        format_walks({"one": rows, "two": rows[:1]})
    table = format_counts({"m1": {"enc": 1000, "total": 1000}, "m2": {"dec": 5, "total": 5}})
    lines = table.splitlines()
    assert lines[0].split() == ["network", "m1", "m2"]
    assert lines[2].split() == ["enc", "1,000", "-"]
    assert lines[-1].split() == ["total", "1,000", "5"]
