"""Training throughput (samples/s) of Cat. UVAC and UVAC, and how long steps wait for data.

Two inputs: the 4 s UrbanSound8K window ``(1, 128, 144)`` and the 1 s spoken-digit input
``(1, 128, 64)``. Features are prepared first through ``prepare_data`` (their extraction
fills the feature cache and is not timed), so what is measured is what one epoch of
``Trainer`` costs once the cache is warm.

Each step repeats ``Trainer.run_epoch``'s work for one batch and times its parts:

* data: index the batch out of the in-memory feature tensor and move it to the device
  (the only "data loading" left once features are cached; target < 5% of the step);
* forward: ``model.elbo`` (Gumbel-Softmax/Gaussian sampling, decoder, masked ELBO);
* backward and optimiser: ``backward``, the non-finite-gradient check, ``Adam.step``.

After ``--warmup`` untimed steps, ``--steps`` steps are timed. Per-epoch estimates are
given for the offline training splits (UrbanSound8K fold 1: 873 clips; FSDD takes 5-49:
2700 clips), and, for the spoken-digit input, for AudioMNIST's 24000-clip training split.

The number of torch threads is left as given (``torch.get_num_threads()``) unless
``--threads`` is passed. Run from the repository root with ``CATUVAC_DATA`` set::

    python benchmarks/training_throughput.py                      # 2 warm-up + 10 steps
    python benchmarks/training_throughput.py --steps 3 --warmup 1 --batch-size 16

Not collected by pytest: it prints figures, it asserts nothing.
"""

import argparse
import tempfile
import time
from pathlib import Path

import torch

from catuvac.experiment import prepare_data
from catuvac.features import FeatureCache
from catuvac.models import ModelConfig
from catuvac.profiles import Profile
from catuvac.train import TrainConfig, Trainer, epoch_order

# Training-split sizes an epoch runs over.
EPOCH_SIZES = {
    "us8k": {"UrbanSound8K offline (fold 1)": 873},
    "fsdd": {"FSDD offline (takes 5-49)": 2700, "AudioMNIST (24000 train clips)": 24000},
}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_steps(trainer: Trainer, features, mask, steps: int, warmup: int) -> dict[str, float]:
    """Seconds per part, summed over ``steps`` timed steps (after ``warmup`` untimed ones)."""
    cfg, device, model, optimizer = (
        trainer.train_config,
        trainer.device,
        trainer.model,
        trainer.optimizer,
    )
    model.train()
    order = epoch_order(len(features), cfg.seed, 0)
    batches = order.split(cfg.batch_size)
    if len(batches) < steps + warmup or len(batches[-1]) < cfg.batch_size:
        raise ValueError("not enough clips for the requested full batches")
    totals = dict.fromkeys(("data", "forward", "backward", "optimiser", "step"), 0.0)
    tau = cfg.tau_at(0)
    for i, index in enumerate(batches[: warmup + steps]):
        sync(device)
        t0 = time.perf_counter()
        x = features[index].to(device)
        batch_mask = mask[index].to(device)
        sync(device)
        t1 = time.perf_counter()
        terms, out = model.elbo(x, batch_mask, tau)
        if not torch.isfinite(terms.loss):
            raise RuntimeError("the loss diverged during the benchmark")
        sync(device)
        t2 = time.perf_counter()
        optimizer.zero_grad()
        terms.loss.backward()
        sync(device)
        t3 = time.perf_counter()
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        torch.isfinite(torch.nn.utils.get_total_norm(grads)).item()
        optimizer.step()
        terms.as_floats()
        torch.bincount(out.cluster_probs.argmax(1).cpu(), minlength=out.cluster_probs.shape[1])
        sync(device)
        t4 = time.perf_counter()
        if i >= warmup:
            for name, seconds in (
                ("data", t1 - t0),
                ("forward", t2 - t1),
                ("backward", t3 - t2),
                ("optimiser", t4 - t3),
                ("step", t4 - t0),
            ):
                totals[name] += seconds
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=64, help="the cpu profile's (64)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps (10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (2)")
    parser.add_argument("--methods", nargs="+", default=["catuvac", "uvac"])
    parser.add_argument("--datasets", nargs="+", default=["us8k", "fsdd"])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--threads", type=int, help="torch threads (default: as given)")
    parser.add_argument("--cache", help="feature cache folder (default: a temporary one)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    n_clips = args.batch_size * (args.steps + args.warmup)
    profile = Profile(
        "benchmark", n_clips, 10, epochs=1, batch_size=args.batch_size, checkpoint_every=1
    )
    print(
        f"device {device}, torch threads {torch.get_num_threads()}, batch {args.batch_size}, "
        f"{args.warmup} warm-up + {args.steps} timed steps"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="catuvac-bench-") as scratch:
        cache = FeatureCache(Path(args.cache) if args.cache else Path(scratch) / "cache")
        for dataset in args.datasets:
            data = prepare_data(dataset, profile, progress=False, cache=cache)  # not timed
            _, n_freq, n_frames = data.feature_config.shape
            for method in args.methods:
                model_config = ModelConfig(method, n_freq, n_frames, n_clusters=10)
                train_config = TrainConfig(epochs=1, batch_size=args.batch_size)
                trainer = Trainer(model_config, train_config, Path(scratch) / "run", device, False)
                totals = time_steps(
                    trainer, data.train.features, data.train.mask, args.steps, args.warmup
                )
                rows.append((dataset, method, (n_freq, n_frames), totals))
    print(
        f"{'input':16s} {'method':8s} {'samples/s':>9s} {'s/step':>7s} {'data %':>6s} "
        f"{'fwd %':>5s} {'bwd %':>5s} {'opt %':>5s}"
    )
    samples = args.batch_size * args.steps
    for dataset, method, (n_freq, n_frames), t in rows:
        share = {k: 100 * t[k] / t["step"] for k in ("data", "forward", "backward", "optimiser")}
        print(
            f"{dataset + f' {n_freq}x{n_frames}':16s} {method:8s} {samples / t['step']:9.1f} "
            f"{t['step'] / args.steps:7.3f} {share['data']:6.2f} {share['forward']:5.1f} "
            f"{share['backward']:5.1f} {share['optimiser']:5.1f}"
        )
    print("data %: indexing the cached feature tensor and moving the batch (target < 5%)")
    print("\nper-epoch estimates (training split / samples per s):")
    for dataset, method, _, t in rows:
        rate = samples / t["step"]
        for label, size in EPOCH_SIZES[dataset].items():
            epoch_s = size / rate
            print(
                f"  {method:8s} {label:32s} {size:6d} clips: {epoch_s / 60:7.1f} min/epoch, "
                f"30 epochs {30 * epoch_s / 3600:6.1f} h, 500 epochs {500 * epoch_s / 3600:7.1f} h"
            )


if __name__ == "__main__":
    main()
