"""Fetch datasets from their official sources with ``pooch``: resume, verify, unpack.

Archives are downloaded into ``<dataset folder>/.archives``, continued from where an
interrupted download stopped, checked against the md5 the source publishes (Zenodo does,
GitHub does not), unpacked into the dataset folder without their top-level directory, and
then deleted; a marker file per archive makes a second run skip the finished ones. A
source without archives (the Arabic Speech Commands repository has no release to pin) is
fetched by hand: downloading it is an error that says where from.
"""

import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests
from tqdm import tqdm

from catuvac.data import arabic_digits, canonical_name, dataset_dir, how_to_get
from catuvac.errors import CatuvacError


@dataclass(frozen=True)
class Archive:
    """One downloadable file; ``md5`` is the checksum its source publishes, None if none."""

    url: str
    filename: str
    md5: str | None


@dataclass(frozen=True)
class Source:
    """Where a dataset comes from and under which terms; no archives: fetched by hand."""

    title: str
    homepage: str
    license: str
    archives: tuple[Archive, ...]


_FSDD_COMMIT = "26eb9aaf76e81b692f806f9140c2d2777410d7a1"  # the commit of the offline copy
_TAU_ZENODO = "https://zenodo.org/records/2589280/files/TAU-urban-acoustic-scenes-2019-development"
# md5s as published on Zenodo record 2589280 (the same values are listed by the soundata
# project's tau2019uas loader and by an independent MACS/DCASE download script).
_TAU_MD5 = {
    "audio.1": "aca4ebfd9ed03d5f747d6ba8c24bc728",
    "audio.2": "c4f170408ce77c8c70c532bf268d7be0",
    "audio.3": "c7214a07211f10f3250290d05e72c37e",
    "audio.4": "a6a62110f6699cf4432072acb1dffda6",
    "audio.5": "091a0b6d3c84b8e60e46940aa7d4a8a0",
    "audio.6": "114f4ca13e074391b98a1cfd8140de65",
    "audio.7": "5951dd2968f7a514e2afbe279c4f060d",
    "audio.8": "b0b63dc95b327e1509857c8d8a663cc3",
    "audio.9": "3c32a693a6b111ffb957be3c1dd22e9b",
    "audio.10": "0ffbf60006da520cc761fb74c878b98b",
    "audio.11": "599055d93b4c11057c29be2df54538d4",
    "audio.12": "98b8d162ff3665695c4c910e6c372cc8",
    "audio.13": "a356c08b1a5a21d433eba37ef87587f4",
    "audio.14": "f8969771e7faf7dd471d1cf78b0cf011",
    "audio.15": "4758c4b0fb7484faa632266e78850820",
    "audio.16": "a18acad9ede8ea76574216feb887f0bc",
    "audio.17": "1af7703484632f340da5c33662dc9632",
    "audio.18": "b67402bf3e08f4da394a7c18756c0fd2",
    "audio.19": "035db315f19106eb848b6f9b32bcc47c",
    "audio.20": "9cb28c74911bf8a3eadcf53f50a5b5d6",
    "audio.21": "0e44ed85c88ec036a9725b4dd1dfaea0",
    "meta": "09782f2097e4735687af73c44919329c",
    "doc": "1f6879544e80da70099a191613e7e51f",
}

SOURCES: dict[str, Source] = {
    "arabic-digits": Source(
        title="Arabic Speech Commands (Ghandoura, Hjabo, Al Dakkak, 2021), digit words",
        homepage=arabic_digits.HOMEPAGE,
        license="CC BY 4.0",
        # A GitHub repository without releases: no stable archive with a checksum.
        archives=(),
    ),
    "fsdd": Source(
        title="Free Spoken Digit Dataset (Jakobovski et al.)",
        homepage="https://github.com/Jakobovski/free-spoken-digit-dataset",
        license="CC BY-SA 4.0",
        # GitHub publishes no checksum for its generated archives.
        archives=(
            Archive(
                f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/{_FSDD_COMMIT}.zip",
                f"free-spoken-digit-dataset-{_FSDD_COMMIT}.zip",
                None,
            ),
        ),
    ),
    "audiomnist": Source(
        title="AudioMNIST (Becker et al.)",
        homepage="https://github.com/soerenab/AudioMNIST",
        license="MIT",
        # GitHub publishes no checksum for its generated archives.
        archives=(
            Archive(
                "https://github.com/soerenab/AudioMNIST/archive/refs/heads/master.zip",
                "AudioMNIST-master.zip",
                None,
            ),
        ),
    ),
    "us8k": Source(
        title="UrbanSound8K (Salamon, Jacoby, Bello), Zenodo record 1203745",
        homepage="https://urbansounddataset.weebly.com/urbansound8k.html",
        license="CC BY-NC 3.0",
        # md5 as published on Zenodo (also listed by soundata's urbansound8k loader).
        archives=(
            Archive(
                "https://zenodo.org/records/1203745/files/UrbanSound8K.tar.gz?download=1",
                "UrbanSound8K.tar.gz",
                "9aa69802bbf37fb986f71ec1483a196e",
            ),
        ),
    ),
    "tau2019": Source(
        title="TAU Urban Acoustic Scenes 2019, development dataset, Zenodo record 2589280",
        homepage="https://zenodo.org/records/2589280",
        license="non-commercial research use (see the dataset's LICENSE in the doc zip)",
        archives=tuple(
            Archive(
                f"{_TAU_ZENODO}.{part}.zip?download=1",
                f"TAU-urban-acoustic-scenes-2019-development.{part}.zip",
                md5,
            )
            for part, md5 in _TAU_MD5.items()
        ),
    ),
}


def download_dataset(name: str, root: Path | None = None) -> Path:
    """Download, verify and unpack a dataset into ``root`` (default its data-root folder)."""
    canonical = canonical_name(name)
    target = dataset_dir(canonical) if root is None else Path(root).expanduser().resolve()
    if not SOURCES[canonical].archives:
        raise CatuvacError(
            f"`catuvac download` cannot fetch {canonical!r} into {target}: {how_to_get(canonical)}"
        )
    archive_dir = target / ".archives"
    archive_dir.mkdir(parents=True, exist_ok=True)
    for archive in SOURCES[canonical].archives:
        done = archive_dir / f"{archive.filename}.unpacked"
        if done.exists():
            continue
        path = pooch.retrieve(
            archive.url,
            known_hash=None if archive.md5 is None else f"md5:{archive.md5}",
            fname=archive.filename,
            path=archive_dir,
            downloader=ResumableDownloader(archive_dir / f"{archive.filename}.part"),
        )
        unpack(Path(path), target)
        done.touch()
        Path(path).unlink()
    return target


@dataclass
class ResumableDownloader:
    """A pooch downloader that keeps a ``.part`` file and continues it with an HTTP Range.

    pooch's own downloader restarts from zero, which is painful for multi-gigabyte
    archives on a flaky connection. pooch verifies the checksum after this returns.
    """

    partial: Path
    chunk_size: int = 1 << 20

    def __call__(self, url: str, output_file: str, pooch_obj: pooch.Pooch | None) -> None:
        offset = self.partial.stat().st_size if self.partial.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with requests.get(url, headers=headers, stream=True, timeout=60) as response:
            if response.status_code != 416:  # 416: the part file is already complete
                response.raise_for_status()
                if response.status_code != 206:  # the server ignored the range: start over
                    offset = 0
                size = offset + int(response.headers.get("content-length", 0))
                with (
                    self.partial.open("ab" if offset else "wb") as f,
                    tqdm(
                        total=size or None,
                        initial=offset,
                        unit="B",
                        unit_scale=True,
                        desc=self.partial.stem,
                    ) as bar,
                ):
                    for chunk in response.iter_content(self.chunk_size):
                        f.write(chunk)
                        bar.update(len(chunk))
        shutil.move(self.partial, output_file)


def unpack(archive: Path, target: Path) -> None:
    """Extract a zip or tar archive into ``target``, dropping its single top-level folder."""
    staging = Path(tempfile.mkdtemp(dir=archive.parent))  # same disk: moving files is cheap
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(staging)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(staging, filter="data")
        entries = [p for p in staging.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        for file in sorted(p for p in top.rglob("*") if p.is_file()):
            dest = target / file.relative_to(top)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, dest)
    finally:
        shutil.rmtree(staging)
