"""What keying the feature cache by content costs: seconds to compute ``cache_key`` (each
clip's name, size and SHA-256 of its bytes) for every clip of the offline FSDD, Arabic
digits and UrbanSound8K copies, twice (the first pass may read from disk, the second from
the page cache).

Run from the repository root with ``CATUVAC_DATA`` pointing at the offline data::

    python benchmarks/cache_key.py

Not collected by pytest: it prints figures, it asserts nothing.
"""

import time

from catuvac.data import load
from catuvac.errors import DatasetNotFoundError
from catuvac.features import cache_key, feature_config_for


def main() -> None:
    """Print files, megabytes and the seconds of each keying pass per dataset."""
    for name in ("fsdd", "arabic-digits", "us8k"):
        try:
            paths = [clip.path for clip in load(name).clips]
        except DatasetNotFoundError:
            print(f"{name}: not found, skipped")
            continue
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        config = feature_config_for(name)
        seconds = []
        for _ in range(2):
            started = time.perf_counter()
            cache_key(name, paths, config)
            seconds.append(time.perf_counter() - started)
        passes = ", then ".join(f"{s:.2f} s" for s in seconds)
        print(f"{name}: {len(paths)} clips, {megabytes:.0f} MB, keyed in {passes}")


if __name__ == "__main__":
    main()
