"""Feature-extraction throughput, in clips per second, cold and from the on-disk cache.

For the offline UrbanSound8K subset (folds 1 and 10, 1710 clips, 16 kHz FLAC, the 4 s
mel pipeline) and for FSDD (3000 clips at 8 kHz, the 1 s spoken-digit spectrogram):

* cold: a fresh, empty cache folder; every clip is read with soundfile, fitted to its
  window and transformed with torchaudio, and the result is written to the cache;
* cached: the same request again, served by ``FeatureCache`` from the ``.pt`` file.

The cold figure is also split into reading (soundfile, resampling, windowing) and the
batched torchaudio transform, measured in a separate pass over the same clips.

Run from the repository root with ``CATUVAC_DATA`` pointing at the offline data::

    python benchmarks/feature_throughput.py               # all clips
    python benchmarks/feature_throughput.py --limit 300 --fsdd-limit 600   # a quick look

Not collected by pytest: it prints figures, it asserts nothing.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from catuvac.data import load
from catuvac.features import FeatureCache, FeatureExtractor, default_device, feature_config_for


def measure(name: str, limit: int | None, device: torch.device, batch_size: int) -> dict:
    """Cold and cached throughput for the first ``limit`` clips of dataset ``name``."""
    dataset = load(name)
    clips = dataset.clips[:limit] if limit else dataset.clips
    paths, labels = [c.path for c in clips], [c.label for c in clips]
    config = feature_config_for(dataset.name)
    extractor = FeatureExtractor(config, device)
    with tempfile.TemporaryDirectory(prefix="catuvac-bench-cache-") as folder:
        cache = FeatureCache(Path(folder))
        started = time.perf_counter()
        cold = cache.load_or_extract(dataset.name, paths, labels, extractor, progress=False)
        cold_s = time.perf_counter() - started
        size_mb = cache.path_for(dataset.name, paths, config).stat().st_size / 2**20
        started = time.perf_counter()
        warm = cache.load_or_extract(dataset.name, paths, labels, extractor, progress=False)
        warm_s = time.perf_counter() - started
    assert torch.equal(cold.features, warm.features)
    read_s, transform_s = breakdown(extractor, paths, batch_size)
    return {
        "dataset": dataset.name,
        "clips": len(paths),
        "shape": tuple(cold.features.shape[1:]),
        "cold_s": cold_s,
        "cached_s": warm_s,
        "read_s": read_s,
        "transform_s": transform_s,
        "cache_mb": size_mb,
    }


def breakdown(extractor: FeatureExtractor, paths: list, batch_size: int) -> tuple[float, float]:
    """Seconds spent reading/resampling/windowing and in the batched transform."""
    read_s = transform_s = 0.0
    for start in range(0, len(paths), batch_size):
        began = time.perf_counter()
        loaded = [extractor.load_waveform(Path(p)) for p in paths[start : start + batch_size]]
        waveforms = torch.from_numpy(np.stack([w for w, _ in loaded]))
        lengths = torch.tensor([n for _, n in loaded])
        middle = time.perf_counter()
        extractor.transform_batch(waveforms, lengths)
        read_s += middle - began
        transform_s += time.perf_counter() - middle
    return read_s, transform_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="UrbanSound8K clips (default: all 1710)")
    parser.add_argument("--fsdd-limit", type=int, help="FSDD clips (default: all 3000)")
    parser.add_argument("--batch-size", type=int, default=64, help="extraction batch (64)")
    parser.add_argument("--device", help="cpu or cuda (default: the GPU when present)")
    parser.add_argument("--threads", type=int, help="torch threads (default: as given)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else default_device()
    print(f"device {device}, torch threads {torch.get_num_threads()}")
    header = (
        f"{'dataset':8s} {'clips':>5s} {'shape':>14s} {'cold s':>7s} {'cold clips/s':>12s} "
        f"{'read %':>6s} {'cached s':>8s} {'cached clips/s':>14s} {'cache MB':>8s}"
    )
    print(header)
    for name, limit in (("us8k", args.limit), ("fsdd", args.fsdd_limit)):
        r = measure(name, limit, device, args.batch_size)
        read_share = 100 * r["read_s"] / (r["read_s"] + r["transform_s"])
        print(
            f"{r['dataset']:8s} {r['clips']:5d} {str(r['shape']):>14s} {r['cold_s']:7.2f} "
            f"{r['clips'] / r['cold_s']:12.1f} {read_share:6.1f} {r['cached_s']:8.3f} "
            f"{r['clips'] / r['cached_s']:14.0f} {r['cache_mb']:8.1f}"
        )
    print("read %: share of the cold extraction spent reading, resampling and windowing")
    print("(soundfile + torchaudio Resample), measured in a second pass; the rest is the")
    print("batched STFT/mel transform and log.")


if __name__ == "__main__":
    main()
