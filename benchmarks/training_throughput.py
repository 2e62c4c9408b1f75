"""Training throughput (samples/s) of the library's step against the reference step.

The *reference* is the formulation the library used before its training step was made
faster, kept here (not in the library) so that every run of this script measures both on
the same machine, interleaved round by round:

* ``q(z | x, y)`` builds the ``K`` constant planes of ``y`` for every clip and convolves
  the ``1 + K`` channel input (the library: :class:`catuvac.model.networks.ConditionedConv2d`);
* the decoder's last layer upsamples with ``nn.ConvTranspose2d`` (the library:
  :class:`catuvac.model.networks.SubpixelConvTranspose2d`);
* weights and activations stay in the default contiguous layout (the library:
  ``channels_last``).

Both models start from the same weights; the script first prints the largest difference
in loss and gradient between the two (float noise: the formulations are exact).

For each model (Cat. UVAC, UVAC) and input shape (128x144: UrbanSound8K's 4 s window;
128x64: a 1 s spoken digit) it prints samples/s of both steps and their ratio, and the
share of a library step spent waiting for data (indexing the in-memory feature tensor and
moving the batch to the device, as ``Trainer.run_epoch`` does once features are cached).
Inputs are random features of the right shape: the step's cost does not depend on values.

Run from the repository root::

    python benchmarks/training_throughput.py                      # 2 cores, batch 64
    python benchmarks/training_throughput.py --rounds 3 --steps 2 # a quick look
    python benchmarks/training_throughput.py --device cuda --batch-size 128

Not collected by pytest: it prints figures, it asserts nothing.
"""

import argparse
import copy
import statistics
import time
import types

import torch
from torch import nn

from catuvac.model import ClusteringVAE, ModelConfig, build_model
from catuvac.model.networks import ConditionedConv2d, SubpixelConvTranspose2d
from catuvac.training.trainer import epoch_order

SHAPES = {"128x144 (US8K 4 s)": (128, 144), "128x64 (digits 1 s)": (128, 64)}
N_CLIPS = 2048  # size of the in-memory feature tensor batches are drawn from


def reference_trunk_forward(trunk: nn.Module, x: torch.Tensor, conditions=None) -> torch.Tensor:
    """The trunk as it was: constant y-planes concatenated as channels, contiguous layout."""
    if conditions is not None:
        planes = conditions[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        x = torch.cat([x, planes], dim=1)
    maps = trunk.convs(x)
    _, hidden = trunk.gru(maps.flatten(1, 2).transpose(1, 2))
    return hidden[-1]


def reference_decoder_forward(decoder: nn.Module, code: torch.Tensor) -> torch.Tensor:
    """The decoder as it was: plain transposed convolutions in the contiguous layout."""
    return decoder.deconvs(decoder.project(code).view(-1, *decoder.seed_shape))


def as_reference(model: ClusteringVAE) -> ClusteringVAE:
    """A copy of ``model`` with the same weights, computing the reference formulation."""
    reference = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    for module in reference.modules():
        if isinstance(module, ConditionedConv2d):
            module.__class__ = nn.Conv2d
        elif isinstance(module, SubpixelConvTranspose2d):
            module.__class__ = nn.ConvTranspose2d
        if hasattr(module, "gru"):
            module.forward = types.MethodType(reference_trunk_forward, module)
        if hasattr(module, "deconvs"):
            module.forward = types.MethodType(reference_decoder_forward, module)
    return reference


def training_step(model, optimizer, features, mask, index, device, tau=0.9) -> float:
    """One step of ``Trainer.run_epoch``; returns the seconds spent getting the batch."""
    started = time.perf_counter()
    x, batch_mask = features[index].to(device), mask[index].to(device)
    sync(device)
    waited = time.perf_counter() - started
    terms, out = model.elbo(x, batch_mask, tau)
    optimizer.zero_grad()
    terms.loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    torch.isfinite(torch.nn.utils.get_total_norm(grads)).item()
    optimizer.step()
    terms.as_floats()
    torch.bincount(out.cluster_probs.argmax(1).cpu(), minlength=out.cluster_probs.shape[1])
    return waited


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def agreement(model: ClusteringVAE, reference: ClusteringVAE, x, mask) -> tuple[float, float]:
    """Relative difference of loss and of the whole gradient vector, same noise."""
    results = []
    for candidate in (model, reference):
        candidate.zero_grad()
        torch.manual_seed(1)
        terms, _ = candidate.elbo(x, mask, 0.9)
        terms.loss.backward()
        grads = torch.cat([p.grad.flatten() for p in candidate.parameters()])
        results.append((terms.loss.detach(), grads))
        candidate.zero_grad()
    (loss_a, grad_a), (loss_b, grad_b) = results
    return float((loss_a - loss_b).abs() / loss_b.abs()), float(
        (grad_a - grad_b).norm() / grad_b.norm()
    )


def measure(method: str, shape: tuple[int, int], args, device: torch.device) -> dict:
    """Median samples/s of both steps over interleaved rounds, and the data-wait share."""
    n_freq, n_frames = shape
    torch.manual_seed(0)
    model = build_model(ModelConfig(method, n_freq, n_frames, n_clusters=10)).to(device)
    reference = as_reference(model)
    features = torch.rand(N_CLIPS, 1, n_freq, n_frames)
    mask = torch.ones(N_CLIPS, n_frames)
    probe = features[: args.batch_size].to(device), mask[: args.batch_size].to(device)
    loss_diff, grad_diff = agreement(model, reference, *probe)
    steppers = {
        name: (net.train(), torch.optim.Adam(net.parameters(), lr=1e-3))
        for name, net in (("reference", reference), ("library", model))
    }
    batches = epoch_order(N_CLIPS, 0, 0).split(args.batch_size)
    rates: dict[str, list[float]] = {name: [] for name in steppers}
    waits = []
    step = 0
    for _ in range(args.rounds):
        for name, (net, optimizer) in steppers.items():
            for _ in range(args.warmup):
                training_step(net, optimizer, features, mask, batches[step % len(batches)], device)
            sync(device)
            started, waited = time.perf_counter(), 0.0
            for _ in range(args.steps):
                step += 1
                index = batches[step % len(batches)]
                waited += training_step(net, optimizer, features, mask, index, device)
            sync(device)
            seconds = time.perf_counter() - started
            rates[name].append(args.steps * args.batch_size / seconds)
            if name == "library":
                waits.append(waited / seconds)
    reference_rate = statistics.median(rates["reference"])
    library_rate = statistics.median(rates["library"])
    return {
        "reference": reference_rate,
        "library": library_rate,
        "ratio": library_rate / reference_rate,
        "data_wait": statistics.median(waits),
        "loss_diff": loss_diff,
        "grad_diff": grad_diff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--batch-size", type=int, default=64, help="the cpu profile's is 64")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per round and step")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps before each round")
    parser.add_argument("--methods", nargs="+", default=["catuvac", "uvac"])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"batch {args.batch_size}, {args.rounds} rounds x {args.steps} steps per step kind"
    )
    header = (
        f"{'model':8s} {'input':20s} {'reference':>10s} {'library':>10s} {'ratio':>6s} "
        f"{'data wait':>9s} {'loss diff':>9s} {'grad diff':>9s}"
    )
    print(header)
    for method in args.methods:
        for label, shape in SHAPES.items():
            row = measure(method, shape, args, device)
            print(
                f"{method:8s} {label:20s} {row['reference']:10.1f} {row['library']:10.1f} "
                f"{row['ratio']:6.2f} {100 * row['data_wait']:8.2f}% "
                f"{row['loss_diff']:9.1e} {row['grad_diff']:9.1e}",
                flush=True,
            )
    print(
        "reference / library: samples per second (median of rounds); ratio: library over "
        "reference;\ndata wait: share of a library step spent getting its batch; loss and "
        "grad diff: relative difference, same weights and noise"
    )


if __name__ == "__main__":
    main()
