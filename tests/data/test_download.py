"""The download registry and machinery, without network: pooch and requests are mocked."""

import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from catuvac.data import dataset_names, load
from catuvac.data import download as dl
from catuvac.errors import CatuvacError, UnknownOptionError

MD5 = re.compile(r"[0-9a-f]{32}")


def test_every_dataset_has_a_source():
    assert sorted(dl.SOURCES) == dataset_names()
    for name, source in dl.SOURCES.items():
        assert source.license and source.homepage.startswith("https://")
        assert source.archives or name == "arabic-digits"  # no release to pin
        names = [a.filename for a in source.archives]
        assert len(set(names)) == len(names)


def test_checksums_are_published_md5s_or_none():
    for source in dl.SOURCES.values():
        for archive in source.archives:
            assert archive.url.startswith("https://")
            if "zenodo.org" in archive.url:  # Zenodo publishes an md5 for every file
                assert archive.md5 is not None and MD5.fullmatch(archive.md5), archive
            else:  # GitHub archives come without a published checksum
                assert archive.md5 is None, archive
    (us8k,) = dl.SOURCES["us8k"].archives
    assert "records/1203745/" in us8k.url and us8k.filename == "UrbanSound8K.tar.gz"
    assert us8k.md5 == "9aa69802bbf37fb986f71ec1483a196e"


def test_tau_archives():
    archives = dl.SOURCES["tau2019"].archives
    parts = [
        a.filename.removeprefix("TAU-urban-acoustic-scenes-2019-development.") for a in archives
    ]
    assert parts == [f"audio.{i}.zip" for i in range(1, 22)] + ["meta.zip", "doc.zip"]
    assert all("records/2589280/" in a.url for a in archives)
    assert len({a.md5 for a in archives}) == 23


def test_unknown_dataset():
    with pytest.raises(UnknownOptionError, match="unknown dataset 'esc50'"):
        dl.download_dataset("esc50")


def test_a_source_without_archives_says_where_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(dl.pooch, "retrieve", lambda *a, **k: pytest.fail("no download"))
    with pytest.raises(CatuvacError, match="cannot fetch 'arabic-digits'.*github.com/abdulk"):
        dl.download_dataset("arabic", tmp_path / "arabic")
    assert not (tmp_path / "arabic").exists()


def _fake_retrieve(monkeypatch, build):
    """Replace pooch.retrieve by a function that builds the archive locally; return its calls."""
    calls = []

    def retrieve(url, known_hash, fname, path, downloader):
        calls.append({"url": url, "known_hash": known_hash, "fname": fname})
        target = Path(path) / fname
        build(target)
        return str(target)

    monkeypatch.setattr(dl.pooch, "retrieve", retrieve)
    return calls


def test_download_unpacks_without_top_folder(monkeypatch, tmp_path, write_wav):
    wav = write_wav(tmp_path / "src" / "3_theo_7.wav")

    def build(target):
        with zipfile.ZipFile(target, "w") as zf:
            zf.write(wav, "free-spoken-digit-dataset-x/recordings/3_theo_7.wav")
            zf.writestr("free-spoken-digit-dataset-x/README.md", "FSDD")

    calls = _fake_retrieve(monkeypatch, build)
    monkeypatch.setenv("CATUVAC_DATA", str(tmp_path / "data"))
    root = dl.download_dataset("fsdd")
    assert root == tmp_path / "data" / "fsdd"
    assert (root / "README.md").read_text() == "FSDD"
    assert calls[0]["known_hash"] is None and "Jakobovski" in calls[0]["url"]
    clips = load("fsdd").clips
    assert [(c.label, c.group) for c in clips] == [(3, "theo")]
    archive_dir = root / ".archives"
    assert not (archive_dir / calls[0]["fname"]).exists()  # deleted once unpacked
    dl.download_dataset("fsdd")
    assert len(calls) == 1  # the finished archive is skipped on a second run


def test_download_tar_checks_md5(monkeypatch, tmp_path):
    def build(target):
        (tmp_path / "UrbanSound8K" / "metadata").mkdir(parents=True)
        (tmp_path / "UrbanSound8K" / "metadata" / "UrbanSound8K.csv").write_text("x")
        with tarfile.open(target, "w:gz") as tf:
            tf.add(tmp_path / "UrbanSound8K", "UrbanSound8K")

    calls = _fake_retrieve(monkeypatch, build)
    root = dl.download_dataset("urbansound8k", root=tmp_path / "us")
    assert calls[0]["known_hash"] == "md5:9aa69802bbf37fb986f71ec1483a196e"
    assert (root / "metadata" / "UrbanSound8K.csv").read_text() == "x"


class _Response:
    """The parts of a streamed ``requests`` response that the downloader uses."""

    def __init__(self, status: int, body: bytes):
        self.status_code = status
        self.headers = {"content-length": str(len(body))}
        self.body = body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def raise_for_status(self):
        assert self.status_code < 400

    def iter_content(self, chunk_size):
        yield from (self.body[i : i + chunk_size] for i in range(0, len(self.body), chunk_size))


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [(206, b"def", b"abcdef"), (200, b"abcdef", b"abcdef"), (416, b"", b"abc")],
    ids=["resumed", "range-ignored", "already-complete"],
)
def test_resumable_downloader(monkeypatch, tmp_path, status, body, expected):
    partial = tmp_path / "a.zip.part"
    partial.write_bytes(b"abc")
    requests_made = []

    def get(url, headers, stream, timeout):
        requests_made.append(headers)
        return _Response(status, body)

    monkeypatch.setattr(dl.requests, "get", get)
    out = tmp_path / "tmp-output"
    dl.ResumableDownloader(partial, chunk_size=2)("https://example.org/a.zip", str(out), None)
    assert requests_made == [{"Range": "bytes=3-"}]
    assert out.read_bytes() == expected and not partial.exists()
