"""Dataset loaders on the real offline data and on generated trees in official layouts."""

import re
from collections import Counter

import numpy as np
import pytest
import soundfile as sf
from conftest import US8K_CLASSES

from catuvac.data import dataset_dir, dataset_names, load, random_split
from catuvac.data.arabic_digits import CLASS_NAMES as ARABIC_WORDS
from catuvac.data.audio import duration_seconds
from catuvac.data.fixtures import write_arabic_digits_fixture
from catuvac.data.tau2019 import SCENES as TAU_SCENES
from catuvac.errors import (
    CatuvacError,
    DatasetNotFoundError,
    DatasetTooSmallError,
    MetadataError,
    UnknownOptionError,
)

# Two samples at 16 kHz: what "the file has its official length end - start" can mean.
DURATION_TOLERANCE = 2 / 16000


@pytest.fixture(scope="module")
def fsdd(offline_data):
    return load("fsdd", root=offline_data / "fsdd")


@pytest.fixture(scope="module")
def us8k(offline_data):
    return load("urbansound8k", root=offline_data / "urbansound8k")


def test_names_and_default_folders(monkeypatch, tmp_path):
    assert dataset_names() == ["arabic-digits", "audiomnist", "fsdd", "tau2019", "us8k"]
    monkeypatch.setenv("CATUVAC_DATA", str(tmp_path))
    assert dataset_dir("US8K") == tmp_path / "urbansound8k"
    assert dataset_dir("urbansound8k") == tmp_path / "urbansound8k"
    assert dataset_dir("tau") == tmp_path / "tau2019"
    assert dataset_dir("audiomnist") == tmp_path / "audiomnist"
    assert dataset_dir("Arabic") == tmp_path / "arabic-speech-commands"


def test_unknown_dataset():
    with pytest.raises(UnknownOptionError, match="unknown dataset 'mnist'.*audiomnist, fsdd"):
        load("mnist")


def test_unknown_option(offline_data):
    with pytest.raises(UnknownOptionError, match="option for fsdd 'test_fold'.*split, seed"):
        load("fsdd", root=offline_data / "fsdd", test_fold=3)


def test_missing_folder_message(monkeypatch, tmp_path):
    monkeypatch.setenv("CATUVAC_DATA", str(tmp_path))
    with pytest.raises(DatasetNotFoundError) as error:
        load("us8k")
    message = str(error.value)
    assert str(tmp_path / "urbansound8k") in message
    assert "CATUVAC_DATA" in message and "`catuvac download us8k`" in message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fsdd", "recordings/"),
        ("audiomnist", "audioMNIST_meta.txt"),
        ("us8k", "UrbanSound8K.csv"),
        ("tau2019", "meta.csv"),
    ],
)
def test_empty_folder_says_what_is_expected(tmp_path, name, expected):
    with pytest.raises(
        DatasetNotFoundError, match=f"exists but has no .*{expected}.*catuvac download"
    ):
        load(name, root=tmp_path)


def test_fsdd_official(fsdd, offline_data, monkeypatch):
    assert len(fsdd) == 3000 and fsdd.class_names == [str(d) for d in range(10)]
    assert Counter(fsdd.labels()) == {d: 300 for d in range(10)}
    assert len({c.group for c in fsdd.clips}) == 6
    assert len(fsdd.split("test")) == 300 and len(fsdd.split("train")) == 2700
    assert all(c.meta["take"] < 5 for c in fsdd.split("test"))
    assert fsdd.clips[0].path.name == "0_george_0.wav"
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    assert load("fsdd").clips == fsdd.clips
    with pytest.raises(UnknownOptionError, match="unknown split 'validation'"):
        fsdd.split("validation")


def test_fsdd_random_split(offline_data):
    a = load("fsdd", root=offline_data / "fsdd", split="random", seed=1)
    b = load("fsdd", root=offline_data / "fsdd", split="random", seed=2)
    sizes = {k: len(v) for k, v in a.splits.items()}
    assert sizes == {"train": 2400, "validation": 300, "test": 300}
    assert sorted(sum(a.splits.values(), [])) == list(range(3000))
    assert a.splits != b.splits
    with pytest.raises(UnknownOptionError, match="FSDD split 'takes'"):
        load("fsdd", root=offline_data / "fsdd", split="takes")


def test_audiomnist_samples(offline_data):
    data = load("audiomnist", root=offline_data / "audiomnist-samples")
    assert len(data) == 6
    assert sorted(c.group for c in data.clips) == ["01", "02", "08", "42", "51", "56"]
    assert all(duration_seconds(c.path) < 1.1 for c in data.clips)
    first = data.clips[0]
    assert (first.label, first.group, first.meta["take"]) == (0, "01", 0)
    assert first.meta["gender"] == "male" and first.meta["recordingroom"] == "Kino"
    assert {c.group: c.meta["gender"] for c in data.clips}["56"] == "female"
    assert {k: len(v) for k, v in data.splits.items()} == {"train": 4, "validation": 1, "test": 1}
    assert sorted(sum(data.splits.values(), [])) == list(range(6))


def test_audiomnist_is_48k(offline_data):
    for path in (offline_data / "audiomnist-samples" / "data").glob("*/*.wav"):
        assert sf.info(path).samplerate == 48000


def test_us8k_offline_subset(us8k):
    assert len(us8k) == 1710
    assert len(us8k.split("fold1")) == 873 and len(us8k.split("fold10")) == 837
    assert us8k.split("test") == us8k.split("fold10") and us8k.split("train") == us8k.split("fold1")
    assert us8k.class_names == US8K_CLASSES
    assert all(c.path.suffix == ".flac" and c.group == f"fold{c.meta['fold']}" for c in us8k.clips)
    clip = us8k.clips[0]
    assert clip.meta == {
        "fsID": 101415,
        "start": 1.0,
        "end": 5.0,
        "duration": 4.0,
        "salience": 1,
        "fold": 1,
    }
    assert (clip.label, clip.label_name) == (3, "dog_bark")


def test_us8k_full_length_durations_match_metadata(us8k):
    full = [c for c in us8k.clips if c.meta["duration"] > 3.999]
    assert len(full) == 1448
    for clip in full:
        assert abs(duration_seconds(clip.path) - clip.meta["duration"]) <= DURATION_TOLERANCE


# The short clips were cut from a copy that filled every clip to 4 s by repetition, at the
# point where the repetition starts (data README); that point sits up to a few ms before
# the metadata's end - start, and never after it. Measured: 124 of 262 are 3-87 samples
# short at 16 kHz, none is long by more than 2 samples.
SHORT_CLIP_SHORTFALL = 0.006


def test_us8k_short_clip_durations_match_metadata(us8k):
    short = [c for c in us8k.clips if c.meta["duration"] <= 3.999]
    assert len(short) == 262
    gaps = np.array([duration_seconds(c.path) - c.meta["duration"] for c in short])
    assert gaps.max() <= DURATION_TOLERANCE
    assert gaps.min() >= -SHORT_CLIP_SHORTFALL
    assert (np.abs(gaps) <= DURATION_TOLERANCE).sum() >= 130


def test_us8k_official_layout(us8k_tree):
    data = load("us8k", root=us8k_tree, test_fold=2)
    assert data.class_names == US8K_CLASSES
    assert len(data) == 60  # fold 3 is listed in the CSV but its folder is absent
    assert {k: len(v) for k, v in data.splits.items()} == {
        "fold1": 20,
        "fold2": 20,
        "fold10": 20,
        "train": 40,
        "test": 20,
    }
    assert {c.group for c in data.split("test")} == {"fold2"}
    assert all(c.path.suffix == ".wav" for c in data.clips)
    for clip in data.clips:
        assert abs(duration_seconds(clip.path) - clip.meta["duration"]) <= 1 / 8000
    with pytest.raises(UnknownOptionError, match="test fold '3'.*1, 2, 10"):
        load("us8k", root=us8k_tree, test_fold=3)


def test_us8k_missing_row_file(us8k_tree):
    missing = us8k_tree / "audio" / "fold2" / "2004-4-0-1.wav"
    missing.unlink()
    with pytest.raises(
        DatasetNotFoundError, match=re.escape(f"lists {missing}, but the file is missing")
    ):
        load("us8k", root=us8k_tree)


def test_tau_layout(tau_tree):
    data = load("tau", root=tau_tree)
    assert data.name == "tau2019" and data.class_names == TAU_SCENES
    assert len(data) == 60
    assert len(data.split("train")) == 40 and len(data.split("test")) == 20
    assert {c.group for c in data.split("test")} == {"helsinki"}
    assert Counter(data.labels(data.split("test"))) == {k: 2 for k in range(10)}
    clip = data.clips[0]
    assert clip.path.name == "airport-barcelona-0-0-a.wav"
    assert (clip.label_name, clip.group, clip.meta["device"]) == ("airport", "barcelona", "a")


def test_tau_missing_evaluation_setup(tau_tree):
    (tau_tree / "evaluation_setup" / "fold1_evaluate.csv").unlink()
    with pytest.raises(DatasetNotFoundError, match="fold1_evaluate.csv is missing"):
        load("tau2019", root=tau_tree)


def test_tau_refuses_a_clip_in_both_splits(tau_tree):
    setup = tau_tree / "evaluation_setup"
    first = (setup / "fold1_train.csv").read_text().splitlines()[1]
    with (setup / "fold1_evaluate.csv").open("a") as evaluate:
        evaluate.write(first + "\n")
    clip = tau_tree / first.split("\t")[0]
    with pytest.raises(MetadataError, match=f"{clip} is listed in .*fold1_train.csv and again"):
        load("tau2019", root=tau_tree)


def test_tau_scene_must_match_file_name(tau_tree):
    meta = tau_tree / "meta.csv"
    meta.write_text(
        meta.read_text().replace(
            "audio/bus-lisbon-2-0-a.wav\tbus", "audio/bus-lisbon-2-0-a.wav\ttram"
        )
    )
    with pytest.raises(CatuvacError, match="bus-lisbon-2-0-a.wav does not match its scene 'tram'"):
        load("tau2019", root=tau_tree)


def test_subset_is_stratified_and_seeded(fsdd, us8k):
    picked = fsdd.subset("train", 100, seed=0)
    assert Counter(fsdd.labels(picked)) == {d: 10 for d in range(10)}
    assert picked == fsdd.subset("train", 100, seed=0)
    assert picked != fsdd.subset("train", 100, seed=1)
    assert picked == sorted(picked, key=fsdd.clips.index)
    assert fsdd.subset("test", None) == fsdd.split("test")
    # Unbalanced classes: every label gets its share of 171 from fold 1, within one clip.
    split = us8k.split("train")
    picked = us8k.subset("train", 171, seed=3)
    counts = Counter(us8k.labels(picked))
    expected = Counter(us8k.labels(split))
    assert len(picked) == 171
    assert all(abs(counts[k] - expected[k] * 171 / len(split)) < 1 for k in expected)
    with pytest.raises(DatasetTooSmallError, match="holds 300 clips, fewer than the 301"):
        fsdd.subset("test", 301)


def test_random_split():
    parts = random_split(10, [6, 2, 2], seed=0)
    assert [len(p) for p in parts] == [6, 2, 2]
    assert sorted(sum(parts, [])) == list(range(10))
    assert all(p == sorted(p) for p in parts)
    assert parts == random_split(10, [6, 2, 2], seed=0) != random_split(10, [6, 2, 2], seed=1)
    assert [len(p) for p in random_split(30000, [0.8, 0.1, 0.1], seed=0)] == [24000, 3000, 3000]
    # 3.5 and 1.75 round to 4 and 2, but 0.75 * 7 rounds to 5: the largest part gives one back.
    assert [len(p) for p in random_split(7, [0.5, 0.25], seed=0)] == [3, 2]
    assert [len(p) for p in random_split(100, [50, 10], seed=0)] == [50, 10]
    with pytest.raises(ValueError):
        random_split(5, [4, 2], seed=0)
    with pytest.raises(ValueError):
        random_split(5, [0.8, 0.3], seed=0)
    assert np.unique(np.concatenate(random_split(50, [0.5, 0.5], seed=4))).size == 50


# Arabic Speech Commands digits: the offline FLAC copy, and the official release layout.


@pytest.fixture(scope="module")
def arabic(offline_data):
    return load("arabic-digits", root=offline_data / "arabic-speech-commands")


def test_arabic_digits_offline_copy(arabic, offline_data, monkeypatch):
    assert arabic.name == "arabic-digits"
    assert arabic.class_names == ARABIC_WORDS
    assert len(arabic) == 2400
    assert len(arabic.split("train")) == 1800 and len(arabic.split("test")) == 600
    assert arabic.split("test") == arabic.split("val")  # the copy's test.csv: official val
    train_speakers = {c.group for c in arabic.split("train")}
    test_speakers = {c.group for c in arabic.split("test")}
    assert len(train_speakers) == 18 and len(test_speakers) == 6
    assert not train_speakers & test_speakers
    assert Counter(arabic.labels(arabic.split("test"))) == {d: 60 for d in range(10)}
    for clip in arabic.clips:
        assert clip.group == clip.path.name[:8] and clip.label_name == clip.path.parent.name
        assert ARABIC_WORDS[clip.label] == clip.label_name and clip.path.suffix == ".flac"
    monkeypatch.setenv("CATUVAC_DATA", str(offline_data))
    assert load("arabic").clips == arabic.clips  # alias and default folder


def test_arabic_digits_real_clips_are_one_second_at_16k(arabic):
    for clip in arabic.clips[::480]:  # a handful, across words and speakers
        info = sf.info(clip.path)
        assert (info.samplerate, info.channels, info.frames) == (16000, 1, 16000)


def test_arabic_digits_official_layout(arabic_tree):
    data = load("arabic-speech-commands", root=arabic_tree)
    assert data.class_names == ARABIC_WORDS and len(data) == 100  # other keywords skipped
    sizes = {k: len(v) for k, v in data.splits.items()}
    assert sizes == {"train": 60, "val": 20, "official_test": 20, "test": 20}
    assert data.split("test") == data.split("val")
    assert {c.group for c in data.split("test")} == {"00000002"}
    assert all(c.path.suffix == ".wav" for c in data.clips)
    clip = data.clips[0]
    assert clip.path.relative_to(arabic_tree).as_posix() == "dataset/eight/00000001_NO_01.wav"
    assert (clip.label, clip.group, clip.meta) == (8, "00000001", {"take": 1})
    official = load("arabic-digits", root=arabic_tree, test_split="test")
    assert official.split("test") == official.split("official_test")
    assert {c.group for c in official.split("test")} == {"00000005"}


def test_arabic_digits_copy_layout_has_no_official_test(tmp_path):
    root = write_arabic_digits_fixture(tmp_path / "copy", official=False)
    data = load("arabic-digits", root=root)
    assert {k: len(v) for k, v in data.splits.items()} == {"train": 60, "val": 20, "test": 20}
    assert all(c.path.suffix == ".flac" for c in data.clips)
    with pytest.raises(CatuvacError, match="official validation speakers"):
        load("arabic-digits", root=root, test_split="test")
    with pytest.raises(UnknownOptionError, match="test split 'eval'.*val, test"):
        load("arabic-digits", root=root, test_split="eval")


def test_arabic_digits_missing_folder_says_where_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CATUVAC_DATA", str(tmp_path))
    with pytest.raises(DatasetNotFoundError) as error:
        load("arabic-digits")
    message = str(error.value)
    assert str(tmp_path / "arabic-speech-commands") in message
    assert "abdulkaderghandoura/arabic-speech-commands-dataset" in message
    with pytest.raises(DatasetNotFoundError, match="exists but has no train.csv.*github.com"):
        load("arabic-digits", root=tmp_path)


def _rewrite_row(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


def test_arabic_digits_row_whose_file_is_missing(arabic_tree):
    missing = arabic_tree / "dataset" / "three" / "00000002_NO_02.wav"
    missing.unlink()
    with pytest.raises(
        DatasetNotFoundError, match=re.escape(f"lists {missing}, but it is missing")
    ):
        load("arabic-digits", root=arabic_tree)


def test_arabic_digits_unknown_class_word(arabic_tree):
    _rewrite_row(
        arabic_tree / "train.csv",
        "dataset/two/00000001_NO_01.wav,two",
        "dataset/two/00000001_NO_01.wav,tow",
    )
    with pytest.raises(CatuvacError, match=r"train.csv line \d+: unknown class word 'tow'"):
        load("arabic-digits", root=arabic_tree)


def test_arabic_digits_class_and_folder_disagree(arabic_tree):
    _rewrite_row(
        arabic_tree / "val.csv",
        "dataset/two/00000002_NO_01.wav,two",
        "dataset/two/00000002_NO_01.wav,six",
    )
    with pytest.raises(CatuvacError, match=r"val.csv line \d+: .* not in the folder of 'six'"):
        load("arabic-digits", root=arabic_tree)
