"""Cat. UVAC and UVAC: shapes for the paper's three inputs, input checks, gradient flow."""

import pytest
import torch
import torch.nn.functional as F

from catuvac.errors import UnknownOptionError
from catuvac.features import SPOKEN_DIGITS, URBAN_4S, URBAN_10S
from catuvac.model import UVAC, CatUVAC, ModelConfig, build_model
from catuvac.model.elbo import masked_reconstruction
from catuvac.model.networks import (
    KERNEL,
    PADDING,
    STRIDE,
    ConditionedConv2d,
    SubpixelConvTranspose2d,
)


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
@pytest.mark.parametrize("features", [SPOKEN_DIGITS, URBAN_4S, URBAN_10S], ids=lambda c: c.name)
def test_shapes_round_trip(method, features):
    torch.manual_seed(0)
    _, n_freq, n_frames = features.shape
    config = ModelConfig(method, n_freq, n_frames, n_clusters=5, latent_dim=6)
    model = build_model(config)
    assert isinstance(model, {"catuvac": CatUVAC, "uvac": UVAC}[method])
    x = torch.rand(2, *features.shape)
    mask = torch.ones(2, n_frames, dtype=torch.bool)
    with torch.no_grad():
        terms, out = model.elbo(x, mask, 0.7)
        embedding = model.embed(x)
    assert out.reconstruction.shape == x.shape
    assert out.reconstruction.min() >= 0 and out.reconstruction.max() <= 1  # sigmoid output
    assert out.cluster_probs.shape == (2, 5)
    torch.testing.assert_close(out.cluster_probs.sum(dim=1), torch.ones(2))
    assert out.z.shape == out.z_mean.shape == out.z_logvar.shape == (2, 6)
    assert embedding.cluster_probs.shape == (2, 5) and embedding.z_mean.shape == (2, 6)
    torch.testing.assert_close(embedding.cluster_probs.sum(dim=1), torch.ones(2))
    assert embedding.clusters.shape == (2,)
    for value in terms.as_floats().values():
        assert torch.isfinite(torch.tensor(value))
    assert terms.kl_z >= 0 and terms.kl_y >= 0 and terms.reconstruction > 0


@pytest.mark.parametrize(("n_freq", "n_frames"), [(128, 63), (120, 64), (8, 16)])
def test_sizes_that_are_not_multiples_of_16_are_refused(n_freq, n_frames):
    axis = "frequency" if n_freq % 16 else "time"
    bad = n_freq if n_freq % 16 else n_frames
    with pytest.raises(ValueError, match=rf"{axis} size {bad} is not a multiple of 16"):
        ModelConfig("catuvac", n_freq, n_frames)


def test_unknown_method_and_options():
    with pytest.raises(UnknownOptionError, match="unknown method 'vade'.*catuvac, uvac"):
        ModelConfig("vade", 128, 64)
    with pytest.raises(UnknownOptionError, match="unknown lambda placement 'kl_x'"):
        ModelConfig("catuvac", 128, 64, lambda_placement="kl_x")
    with pytest.raises(ValueError, match="n_clusters must be at least 2"):
        ModelConfig("catuvac", 128, 64, n_clusters=1)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lambda_weight must be a finite number >= 0"):
            ModelConfig("uvac", 128, 64, lambda_weight=bad)


def _grads(model):
    return {name: p.grad for name, p in model.named_parameters()}


def test_reconstruction_gradient_reaches_q_y_through_the_gumbel_softmax():
    """The reconstruction term alone trains q(y|x): its only path there is the relaxed sample."""
    torch.manual_seed(0)
    model = CatUVAC(ModelConfig("catuvac", 32, 32, n_clusters=4, latent_dim=3))
    x, mask = torch.rand(4, 1, 32, 32), torch.ones(4, 32, dtype=torch.bool)
    out = model(x, tau=0.5)
    masked_reconstruction(out.reconstruction, x, mask).mean().backward()
    for name, grad in _grads(model).items():
        assert grad is not None, f"no gradient reaches {name}"
        assert torch.isfinite(grad).all(), name
        assert grad.abs().sum() > 0, f"zero gradient at {name}"
    assert any(name.startswith("encoder_y.") for name in _grads(model))


@pytest.mark.parametrize("method", ["catuvac", "uvac"])
def test_full_loss_gradient_reaches_every_parameter(method):
    torch.manual_seed(1)
    model = build_model(ModelConfig(method, 32, 32, n_clusters=4, latent_dim=3))
    x, mask = torch.rand(4, 1, 32, 32), torch.ones(4, 32, dtype=torch.bool)
    terms, _ = model.elbo(x, mask, 0.5)
    terms.loss.backward()
    groups = {name.split(".")[0] for name, _ in model.named_parameters()}
    expected = {"catuvac": {"encoder_y", "encoder_z", "decoder"}}
    assert groups == expected.get(method, {"encoder_z", "decoder", "prior_means", "prior_logvars"})
    for name, grad in _grads(model).items():
        assert grad is not None and grad.abs().sum() > 0, f"no gradient reaches {name}"


def test_log_variances_are_clamped():
    """VaDE's NaNs come from exp(log_var) overflow: encoders clamp it to +-logvar_limit."""
    torch.manual_seed(0)
    model = CatUVAC(ModelConfig("catuvac", 16, 16, n_clusters=2, latent_dim=2, logvar_limit=3.0))
    with torch.no_grad():
        model.encoder_z.to_moments.bias.fill_(1e4)
        out = model(torch.rand(2, 1, 16, 16), tau=1.0)
    assert out.z_logvar.max() == 3.0


def test_conditioned_conv_equals_conv_over_stacked_planes():
    torch.manual_seed(0)
    layer = ConditionedConv2d(1 + 3, 5, KERNEL, STRIDE, PADDING).double()
    x, y = torch.rand(2, 1, 16, 32, dtype=torch.float64), torch.rand(2, 3, dtype=torch.float64)
    planes = y[:, :, None, None].expand(-1, -1, 16, 32)
    expected = F.conv2d(torch.cat([x, planes], 1), layer.weight, layer.bias, STRIDE, PADDING)
    assert torch.allclose(layer(x, y), expected, rtol=0, atol=1e-12)


def test_subpixel_deconv_equals_transposed_conv():
    torch.manual_seed(0)
    layer = SubpixelConvTranspose2d(6, 2, KERNEL, STRIDE, PADDING).double()
    x = torch.rand(2, 6, 4, 8, dtype=torch.float64)
    expected = F.conv_transpose2d(x, layer.weight, layer.bias, STRIDE, PADDING)
    assert layer(x).shape == (2, 2, 8, 16)
    assert torch.allclose(layer(x), expected, rtol=0, atol=1e-12)


def test_decode_clusters_fixes_y_per_block_of_codes():
    torch.manual_seed(0)
    model = CatUVAC(ModelConfig("catuvac", 32, 32, n_clusters=4, latent_dim=3)).eval()
    z = torch.randn(8, 3)
    images = model.decode_clusters(z)
    assert images.shape == (8, 1, 32, 32)
    y = F.one_hot(torch.tensor([0, 0, 1, 1, 2, 2, 3, 3]), 4).float()
    with torch.no_grad():
        assert torch.equal(images, model.decoder(torch.cat([z, y], dim=1)))
    with pytest.raises(ValueError, match="multiple of 4"):
        model.decode_clusters(torch.randn(6, 3))
