"""What the exact sum over y costs beside one Gumbel-Softmax sample: samples/s of Cat.
UVAC's training step (forward, backward, optimiser step) on the word-aligned 32 x 32 input
with ``y_estimator`` ``gumbel`` and ``exact``, measured round by round interleaved so that
both meet the same machine load, and their ratio.

Run from the repository root::

    python benchmarks/y_estimator_cost.py                 # one thread, batch 64, K = 10
    python benchmarks/y_estimator_cost.py --clusters 5 --rounds 3

Not collected by pytest: it prints figures, it asserts nothing.
"""

import argparse
import statistics
import time

import torch

from catuvac.model import ModelConfig, build_model
from catuvac.model.base import Y_ESTIMATORS

SIDE = 32  # the word-aligned pipelines' bands and frames


def step_seconds(model, optimiser, x: torch.Tensor, mask: torch.Tensor, steps: int) -> float:
    """Mean seconds of ``steps`` training steps on one batch."""
    start = time.perf_counter()
    for _ in range(steps):
        terms, _ = model.elbo(x, mask, tau=0.5)
        optimiser.zero_grad()
        terms.loss.backward()
        optimiser.step()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64, help="the long profile's is 64")
    parser.add_argument("--clusters", type=int, default=10, help="K")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per round")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.rand(args.batch_size, 1, SIDE, SIDE)
    mask = torch.ones(args.batch_size, SIDE, dtype=torch.bool)
    models = {}
    for estimator in Y_ESTIMATORS:
        config = ModelConfig("catuvac", SIDE, SIDE, args.clusters, y_estimator=estimator)
        model = build_model(config)
        models[estimator] = (model, torch.optim.Adam(model.parameters(), lr=1e-3))
        step_seconds(*models[estimator], x, mask, 1)  # warm-up
    seconds = {estimator: [] for estimator in Y_ESTIMATORS}
    for _ in range(args.rounds):
        for estimator, (model, optimiser) in models.items():
            seconds[estimator].append(step_seconds(model, optimiser, x, mask, args.steps))
    rates = {e: args.batch_size / statistics.median(s) for e, s in seconds.items()}
    print(f"Cat. UVAC step, {SIDE} x {SIDE} input, K = {args.clusters}, batch {args.batch_size}")
    for estimator, rate in rates.items():
        print(f"  {estimator:>6}: {rate:8.1f} samples/s (median of {args.rounds} rounds)")
    print(f"  exact / gumbel time per step: {rates['gumbel'] / rates['exact']:.2f}")


if __name__ == "__main__":
    main()
