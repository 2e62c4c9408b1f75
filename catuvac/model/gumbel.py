"""Gumbel-Max and Gumbel-Softmax sampling (eqs. 8 and 9 of the paper), written out.

`logits` are unnormalised log-probabilities: log pi up to an additive constant, which
neither the argmax nor the softmax sees. All functions take an optional
`torch.Generator` so that book figures and tests are reproducible.
"""

from __future__ import annotations

import torch
from torch import Tensor


def sample_gumbel(
    shape: tuple[int, ...] | torch.Size,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> Tensor:
    """Standard Gumbel noise, g = -log(-log u) with u ~ U(0, 1).

    u is clamped to [tiny, 1 - eps] so that neither logarithm meets 0 and g stays finite.
    """
    dtype = dtype or torch.get_default_dtype()
    finfo = torch.finfo(dtype)
    u = torch.rand(shape, generator=generator, device=device, dtype=dtype)
    u = u.clamp(min=finfo.tiny, max=1.0 - finfo.eps)
    return -torch.log(-torch.log(u))


def _noise_like(logits: Tensor, generator: torch.Generator | None) -> Tensor:
    return sample_gumbel(logits.shape, generator, device=logits.device, dtype=logits.dtype)


def gumbel_max(logits: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Exact categorical sample, argmax_i (log pi_i + g_i) over the last axis (eq. 8).

    Returns class indices (a LongTensor with the batch shape of `logits`). Not
    differentiable: this is why training uses `gumbel_softmax`.
    """
    return (logits + _noise_like(logits, generator)).argmax(dim=-1)


def gumbel_softmax(
    logits: Tensor,
    tau: float,
    hard: bool = False,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Relaxed one-hot sample, softmax((log pi + g) / tau) over the last axis (eq. 9).

    tau -> 0 gives one-hot vectors (the Gumbel-Max sample), tau -> inf the uniform
    vector. With `hard=True` the forward value is the one-hot argmax of the relaxed sample
    and the gradient is the relaxed sample's (straight-through estimator).
    """
    if not tau > 0:
        raise ValueError(f"the Gumbel-Softmax temperature tau must be positive; got {tau}")
    soft = torch.softmax((logits + _noise_like(logits, generator)) / tau, dim=-1)
    if not hard:
        return soft
    index = soft.argmax(dim=-1, keepdim=True)
    one_hot = torch.zeros_like(soft).scatter_(-1, index, 1.0)
    return one_hot - soft.detach() + soft


def gradient_variance(logits: Tensor, tau: float, n_samples: int, seed: int) -> float:
    """Spread of the single-sample Gumbel-Softmax gradient estimator at temperature `tau`.

    For the fixed objective f(y) = sum_i w_i y_i with w = (0, 1, ..., K-1) and y a relaxed
    sample from 1-D `logits`, each of `n_samples` Gumbel draws gives one reparameterised
    estimate of d f / d logits. Returns the variance of these estimates across draws
    (unbiased), averaged over the K logits. Low temperatures make samples near one-hot,
    where the softmax Jacobian is almost always ~0 but occasionally ~1/tau: the variance
    grows as tau falls, the price paid for a smaller relaxation bias.
    """
    if logits.dim() != 1:
        raise ValueError(f"logits must be 1-D (one categorical); got shape {tuple(logits.shape)}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2 to estimate a variance; got {n_samples}")
    generator = torch.Generator(device=logits.device).manual_seed(seed)
    batch = logits.detach().expand(n_samples, -1).clone().requires_grad_(True)
    weights = torch.arange(logits.numel(), device=logits.device, dtype=batch.dtype)
    y = gumbel_softmax(batch, tau, generator=generator)
    (grad,) = torch.autograd.grad((y * weights).sum(), batch)
    return float(grad.var(dim=0).mean())
