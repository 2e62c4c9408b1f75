"""Issue 29's hostile inputs and hostile disks, rerun as one script: each case drives the
``catuvac`` command in a subprocess on a damaged copy and records what the user saw.

The tests (``tests/test_hostile_inputs.py``, ``tests/test_damaged_files.py`` and those of
the modules) check each case in process, one by one. This script runs them the way the
issue found them: a fresh process per command, each case with its own results, runs and
cache folders (``CATUVAC_RESULTS``, ``CATUVAC_RUNS``, ``CATUVAC_CACHE``, the smoke
profile, one epoch), the data a damaged copy (built with :mod:`catuvac.data.fixtures`,
as the tests build theirs) where the case needs one. It first writes, once, what the
cases damage copies of: trained run folders, results and the feature cache.

For every case it records the command, its exit status, whether the output holds a
Python traceback, and the line the user saw (the last non-empty line of stderr, else of
stdout, progress bars left out), then prints them as a Markdown table, grouped by the
issue's headings, and one summary line. Each case declares the exit status it expects
(0 done, 1 a failure named in one line, 2 a bad input) and, where a clean exit could
still hide a wrong result, a check of what it printed or left on disk. The script exits
1 when a case shows a traceback, a case that must be refused exits 0, or a check fails.

Disk faults are simulated as the tests simulate them (a full disk: ``ENOSPC`` from the
writes under one folder; a read-only folder: ``EACCES`` from ``tempfile.mkstemp``),
through a wrapper that patches the call and then runs ``catuvac.cli:main`` (the command
column says so). Real read-only folders (``chmod``) are skipped with a note when running
as root, who may write anyway.

Run from the repository root with ``CATUVAC_DATA`` pointing at the offline data (by hand,
not in CI; about 15 minutes on 2 cores)::

    python benchmarks/hostile_cases.py
    python benchmarks/hostile_cases.py --only cache --keep   # a few cases, folders kept

Not collected by pytest.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from catuvac.data.fixtures import fold_one, us8k_copy, without_column
from catuvac.experiments.data_copies import linked_copy
from catuvac.paths import data_root

REPO = Path(__file__).resolve().parent.parent
TRACEBACK = "Traceback (most recent call last)"
PROGRESS = re.compile(r"\d+%\||^\x1b?\[A$")  # a tqdm bar, or its cursor-up leftover
FOLDERS = ("results", "runs", "cache")
TRAIN = ["train", "--dataset", "fsdd", "--method", "uvac", "--profile", "smoke", "--epochs", "1"]
REPRODUCE = ["reproduce", "--profile", "smoke", "--datasets", "fsdd", "--methods", "labels"]
REPRODUCE += ["kmeans", "--seeds", "0", "1"]
K10 = Path("smoke", "fsdd", "k10")  # where REPRODUCE's results land under the results root

# ``catuvac`` itself: the project's entry point (catuvac.cli:main), run by this
# interpreter so that the checkout's code is the one tried.
RUNNER = "import sys; from catuvac.cli import main; sys.exit(main(sys.argv[1:]))"

# The same, with one call patched to fail as a full or read-only disk makes it fail, for
# paths under one folder: the ways tests/test_damaged_files.py and tests/test_atomic.py
# simulate them. HOSTILE_FAULT holds {"call": ..., "under": folder, "errno": n}.
FAULT_SHIM = """
import json, os, sys, tempfile
from pathlib import Path
fault = json.loads(os.environ["HOSTILE_FAULT"])
under, code = fault["under"], fault.get("errno", 28)
def hit(path):
    return str(path).startswith(under)
if fault["call"] == "mkstemp":
    real_mkstemp = tempfile.mkstemp
    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and hit(dir):
            raise OSError(code, os.strerror(code), os.path.join(str(dir), "tmpx.tmp"))
        return real_mkstemp(*args, dir=dir, **kwargs)
    tempfile.mkstemp = mkstemp
elif fault["call"] == "write_text":
    real_write_text = Path.write_text
    def write_text(self, *args, **kwargs):
        if hit(self):
            raise OSError(code, os.strerror(code))
        return real_write_text(self, *args, **kwargs)
    Path.write_text = write_text
elif fault["call"] == "torch.save":
    import torch
    real_save = torch.save
    def save(obj, target, *args, **kwargs):
        if hit(target):
            Path(target).write_bytes(b"PK half")
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 704")
        return real_save(obj, target, *args, **kwargs)
    torch.save = save
from catuvac.cli import main
sys.exit(main(sys.argv[1:]))
"""

Check = Callable[[str], str | None]  # the command's output -> what is wrong, or None


@dataclass
class Invocation:
    """One ``catuvac`` command of a case, and how to run and judge it."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # over the case's CATUVAC_* folders
    fault: dict | None = None  # a simulated disk fault (see FAULT_SHIM)
    umask: int | None = None
    check: Check | None = None
    cleanup: Callable[[], None] | None = None


@dataclass
class Folder:
    """A case's own folders (results, runs, cache: copies of the written ones where the
    case asks) under ``root``, and the offline data."""

    root: Path
    offline: Path

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def data(self) -> Path:
        """Where :mod:`catuvac.data.fixtures` puts a damaged copy (``CATUVAC_DATA``)."""
        return self.root / "data"


@dataclass
class Case:
    group: str
    name: str
    expect: int
    build: Callable[[Folder], Invocation]
    uses: tuple[str, ...] = ("cache",)  # written folders copied into the case's own
    skip: str | None = None


@dataclass
class Outcome:
    case: Case
    command: str
    code: int | None
    traceback: bool
    message: str
    problem: str | None = None  # a failed check, or the note of a skipped case
    seconds: float = 0.0

    @property
    def unexpected(self) -> bool:
        return self.code is not None and self.code != self.case.expect

    @property
    def wrong(self) -> bool:
        """A traceback, a refusal that did not happen, or a check that failed."""
        if self.code is None:
            return False
        refused_not = self.case.expect != 0 and self.code == 0
        return self.traceback or refused_not or self.problem is not None


# --- checks of what a command printed or left ---------------------------------------------


def says(*texts: str) -> Check:
    """The output holds every one of ``texts``."""

    def check(output: str) -> str | None:
        missing = [t for t in texts if t not in output]
        return f"output lacks {missing}" if missing else None

    return check


def unchanged(folder: Path) -> Check:
    """``folder``'s files, as they are now (before the command), are byte-identical after."""
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def check(output: str) -> str | None:
        after = {p.name: p.read_bytes() for p in folder.iterdir()}
        if after == before:
            return None
        added = sorted(set(after) - set(before))
        changed = sorted(n for n in before if after.get(n) != before[n])
        return f"{folder.name} changed: added {added}, changed or removed {changed}"

    return check


def both(*checks: Check) -> Check:
    def check(output: str) -> str | None:
        return next((p for c in checks if (p := c(output)) is not None), None)

    return check


def strict_json(text: str) -> str | None:
    """Why ``text`` is not strict JSON (a bare NaN or Infinity), or None."""

    def refuse(constant: str) -> float:
        raise ValueError(f"bare {constant}")

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as error:
        return str(error)
    return None


def entries(cache: Path, dataset: str = "fsdd") -> set[str]:
    return {p.name for p in cache.glob(f"{dataset}-*.pt")} if cache.is_dir() else set()


# --- what the cases damage -----------------------------------------------------------------


def cut(path: Path, size: int) -> None:
    """Replace ``path`` (a link to an offline file, or a file) by its first ``size`` bytes."""
    data = path.read_bytes()[:size]
    path.unlink()
    path.write_bytes(data)


def fsdd_with(f: Folder, damage: Callable[[Path, Path], None]) -> Path:
    """A linked FSDD copy whose first smoke training clip ``damage(copy, original)``
    replaced; returns the damaged file."""
    root, first = linked_copy(f.root, f.offline, "fsdd")
    target = root / "recordings" / first.name
    target.unlink()
    damage(target, first)
    return target


def with_samples(value: float) -> Callable[[Path, Path], None]:
    def damage(target: Path, first: Path) -> None:
        samples, rate = sf.read(first, dtype="float32")
        samples[10:13] = value
        sf.write(target, samples, rate, subtype="FLOAT")

    return damage


def noise_of_its_size(target: Path, first: Path) -> None:
    header, samples = first.read_bytes()[:44], sf.read(first, dtype="int16")[0]
    noise = np.random.default_rng(0).integers(-8000, 8000, len(samples), dtype=np.int16)
    target.write_bytes(header + noise.tobytes())


def on_fsdd(damage: Callable[[Path, Path], None], text: str) -> Callable[[Folder], Invocation]:
    """A case: train on a linked FSDD copy with its first smoke training clip damaged; the
    output must say ``text``."""

    def build(f: Folder) -> Invocation:
        fsdd_with(f, damage)
        return Invocation(train_in(f), env=data_env(f), check=says(text))

    return build


def arabic_with(f: Folder, damage: Callable[[bytes], bytes]) -> Path:
    """A linked Arabic digits copy (FLAC) whose first smoke training clip holds
    ``damage(its bytes)``; returns the damaged file."""
    root, first = linked_copy(f.root, f.offline, "arabic-digits")
    target = root / first.relative_to(f.offline / "arabic-speech-commands")
    target.unlink()
    target.write_bytes(damage(first.read_bytes()))
    return target


def unknown_length(data: bytes) -> bytes:
    """A FLAC as a stream writer leaves it: STREAMINFO's 36-bit sample total at 0."""
    flac = bytearray(data)
    flac[21] &= 0xF0
    flac[22:26] = bytes(4)
    return bytes(flac)


def edit_json(path: Path, edit: Callable[[dict], None]) -> None:
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))


def train_in(f: Folder, run: str = "run", *extra: str) -> list[str]:
    return [*TRAIN, *extra, "--run-dir", str(f.runs / run)]


def us8k_train(f: Folder) -> list[str]:
    return ["train", "--dataset", "us8k", "--profile", "smoke", "--run-dir", str(f.runs / "u")]


def data_env(f: Folder) -> dict[str, str]:
    return {"CATUVAC_DATA": str(f.data)}


def live_lock(f: Folder) -> Invocation:
    """The run folder's lock held by a live process (one this script starts and ends)."""
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    run_dir = f.runs / "run"
    (run_dir / "lock").write_text(f"{holder.pid} {socket.gethostname()}\n")
    check = unchanged(run_dir)

    def stop() -> None:
        holder.kill()
        holder.wait()

    return Invocation(train_in(f), check=check, cleanup=stop)


def dead_lock(f: Folder) -> Invocation:
    """A lock left by a process that has ended: taken over, then released."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock = f.runs / "run" / "lock"
    lock.write_text(f"{gone.pid} {socket.gethostname()}\n")
    return Invocation(
        train_in(f),
        check=lambda _: "the stale lock is still there" if lock.exists() else None,
    )


def read_only(folder: Path, argv: list[str], check: Check | None = None) -> Invocation:
    """``argv`` with ``folder`` made read-only by chmod, and made writable again after."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    return Invocation(argv, check=check, cleanup=lambda: folder.chmod(0o755))


def modes(folder: Path, mode: int, pattern: str) -> Check:
    """Every file matching ``pattern`` under ``folder`` has permissions ``mode``."""

    def check(output: str) -> str | None:
        files = sorted(folder.rglob(pattern))
        if not files:
            return f"no {pattern} written under {folder.name}"
        off = [
            f"{p.name} {p.stat().st_mode & 0o777:o}"
            for p in files
            if p.stat().st_mode & 0o777 != mode
        ]
        return f"not mode {mode:o}: {off}" if off else None

    return check


def all_strict(folder: Path) -> Check:
    def check(output: str) -> str | None:
        bad = [
            f"{p.name}: {why}"
            for p in folder.rglob("*.json")
            if (why := strict_json(p.read_text()))
        ]
        return f"not strict JSON: {bad}" if bad else None

    return check


def new_entries(f: Folder, count: int) -> Check:
    """The command added ``count`` FSDD cache entries (armed when the case is built)."""
    before = entries(f.cache)

    def check(output: str) -> str | None:
        added = entries(f.cache) - before
        if len(added) != count:
            return f"{len(added)} new FSDD cache entries, not {count}"
        return None

    return check


# --- the cases, by the headings ----------------------------------------------------

ROOT = os.geteuid() == 0
AS_ROOT = "skipped: running as root, whom chmod does not keep from writing (see the simulated case)"
TRACEBACKS = "Tracebacks (defects 1-8)"
SILENT = "Wrong results without a word (defects 9-11)"
MINOR = "Minor"
BUILD = "What to build"
RESULT = K10 / "kmeans-seed1.json"


def cases() -> list[Case]:
    """Every case: the issue's defects 1-11, its minor list and the checks of what to build."""
    c: list[Case] = []

    def add(group: str, name: str, expect: int, build, uses=("cache",), skip=None) -> None:
        c.append(Case(group, name, expect, build, tuple(uses), skip))

    g = TRACEBACKS
    add(
        g,
        "1. train --seed 99999999999999999999",
        2,
        lambda f: Invocation(train_in(f, "run", "--seed", "99999999999999999999")),
    )
    add(g, "1. train --seed -1", 2, lambda f: Invocation(train_in(f, "run", "--seed", "-1")))
    add(
        g,
        "1. reproduce --seeds 4294967296",
        2,
        lambda f: Invocation([*REPRODUCE[:-2], "4294967296"]),
    )
    add(
        g,
        "2. reproduce kmeans --clusters 200 (96 clips)",
        2,
        lambda f: Invocation(
            [
                "reproduce",
                "--profile",
                "smoke",
                "--datasets",
                "fsdd",
                "--methods",
                "kmeans",
                "--clusters",
                "200",
                "--seeds",
                "0",
            ]
        ),
    )
    add(
        g,
        "2. train --clusters 200 (96 clips)",
        2,
        lambda f: Invocation(train_in(f, "run", "--clusters", "200")),
    )

    def file_run_dir(below: str, command: list[str], option: str) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            blocker = f.root / "blocker"
            blocker.write_text("not a folder")
            return Invocation(
                [*command, option, str(blocker / below)],
                check=lambda _: None if blocker.read_text() == "not a folder" else "file changed",
            )

        return build

    add(g, "3. train --run-dir <an existing file>", 2, file_run_dir("", TRAIN, "--run-dir"))
    add(g, "3. train --run-dir <a file>/run", 2, file_run_dir("run", TRAIN, "--run-dir"))
    add(g, "3. reproduce --results-root <a file>", 2, file_run_dir("", REPRODUCE, "--results-root"))

    def seventy(f: Folder) -> Invocation:
        keep = {f"{digit}_george_{take}.wav" for digit in range(10) for take in range(7)}
        linked_copy(f.root, f.offline, "fsdd", keep)
        return Invocation(train_in(f), env=data_env(f))

    add(g, "4. FSDD folder of 70 recordings, train", 1, seventy)
    for label, edit, problem in (
        ("without classID", without_column("classID"), "lacks the columns classID"),
        (
            "without slice_file_name",
            without_column("slice_file_name"),
            "lacks the columns slice_file_name",
        ),
        ("with a fold 'one'", fold_one, "line 3: fold is 'one', not int"),
    ):

        def us8k(f: Folder, edit=edit, problem=problem) -> Invocation:
            us8k_copy(f.root, f.offline, edit)
            return Invocation(us8k_train(f), env=data_env(f), check=says(problem))

        def listing(f: Folder, edit=edit, problem=problem) -> Invocation:
            us8k_copy(f.root, f.offline, edit)
            return Invocation(["datasets"], env=data_env(f), check=says("unusable: ", problem))

        add(g, f"5. UrbanSound8K CSV {label}, train", 1, us8k)
        add(g, f"5. UrbanSound8K CSV {label}, datasets", 0, listing)
    add(
        g,
        "6. float wav holding NaN samples, train",
        1,
        on_fsdd(with_samples(np.nan), "NaN or infinite"),
    )
    add(
        g,
        "6. float wav holding infinite samples, train",
        1,
        on_fsdd(with_samples(np.inf), "NaN or infinite"),
    )

    # 7. Write failures.
    add(
        g,
        "7. read-only results folder (chmod), reproduce",
        1,
        lambda f: read_only(f.results, REPRODUCE),
        skip=AS_ROOT if ROOT else None,
    )
    add(
        g,
        "7. read-only results folder (EACCES), reproduce --overwrite",
        1,
        lambda f: Invocation(
            [*REPRODUCE, "--overwrite"],
            fault={"call": "mkstemp", "under": str(f.results), "errno": errno.EACCES},
            check=unchanged(f.results / K10),
        ),
        uses=FOLDERS,
    )
    add(
        g,
        "7. read-only results folder (EACCES), budget --save",
        1,
        lambda f: Invocation(
            ["budget", "--dataset", "fsdd", "--profile", "smoke", "--save"],
            fault={"call": "mkstemp", "under": str(f.results), "errno": errno.EACCES},
        ),
    )
    add(
        g,
        "7. read-only runs folder (chmod), train",
        1,
        lambda f: read_only(f.runs / "run", train_in(f, "run", "--epochs", "2")),
        uses=FOLDERS,
        skip=AS_ROOT if ROOT else None,
    )
    add(
        g,
        "7. read-only runs folder (EACCES), train",
        1,
        lambda f: Invocation(
            train_in(f, "run", "--epochs", "2"),
            fault={"call": "mkstemp", "under": str(f.runs), "errno": errno.EACCES},
            check=unchanged(f.runs / "run"),
        ),
        uses=FOLDERS,
    )
    add(
        g,
        "7. read-only cache folder (chmod), train",
        0,
        lambda f: read_only(
            f.cache, train_in(f, "fresh", "--clusters", "5"), says("cannot cache features")
        ),
        skip=AS_ROOT if ROOT else None,
    )
    add(
        g,
        "7. read-only cache folder (EACCES), train on features not cached",
        0,
        lambda f: Invocation(
            train_in(f),
            fault={"call": "mkstemp", "under": str(f.cache), "errno": errno.EACCES},
            check=says("cannot cache features"),
        ),
        uses=(),
    )

    def cache_under_a_file(f: Folder) -> Invocation:
        (f.root / "blocker").write_text("")
        env = {"CATUVAC_CACHE": str(f.root / "blocker" / "cache")}
        return Invocation(
            train_in(f), env=env, check=says("cannot cache features", "Not a directory")
        )

    add(g, "7. cache folder under a file, train", 0, cache_under_a_file, uses=())
    add(
        g,
        "7. full cache disk (ENOSPC), train",
        0,
        lambda f: Invocation(
            train_in(f),
            fault={"call": "mkstemp", "under": str(f.cache)},
            check=says("cannot cache features", "No space left"),
        ),
        uses=(),
    )
    add(
        g,
        "7. checkpoint on a full disk (torch.save fails), train",
        1,
        lambda f: Invocation(
            train_in(f, "full"),
            fault={"call": "torch.save", "under": str(f.runs)},
            check=lambda _: (
                None
                if not list((f.runs / "full").glob("*.pt"))
                and not list((f.runs / "full").glob("*.tmp"))
                else "a checkpoint or temporary was left"
            ),
        ),
    )
    add(
        g,
        "7. results on a full disk (ENOSPC), reproduce --overwrite",
        1,
        lambda f: Invocation(
            [*REPRODUCE, "--overwrite"],
            fault={"call": "write_text", "under": str(f.results)},
            check=unchanged(f.results / K10),
        ),
        uses=FOLDERS,
    )

    def entry_is_folder(f: Folder) -> Invocation:
        for entry in entries(f.cache):
            (f.cache / entry).unlink()
            (f.cache / entry).mkdir()
        return Invocation(
            train_in(f, "fresh"), check=says("is a folder, not a feature cache entry")
        )

    add(g, "7. cache entries that are directories, train", 0, entry_is_folder)

    def history_folder(f: Folder) -> Invocation:
        (f.runs / "new" / "history.json").mkdir(parents=True)
        return Invocation(
            train_in(f, "new"),
            check=lambda _: (
                None
                if [p.name for p in (f.runs / "new").iterdir()] == ["history.json"]
                else "left files beside it"
            ),
        )

    add(g, "7. history.json is a directory, train", 1, history_folder)

    # 8. Valid JSON, wrong inside; and files cut short.
    def run_json(text: str | Callable[[dict], None]) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            path = f.runs / "run" / "run.json"
            if callable(text):
                edit_json(path, text)
            else:
                path.write_text(text)
            return Invocation(
                ["evaluate", "--run-dir", str(f.runs / "run")], check=unchanged(f.runs / "run")
            )

        return build

    add(
        g,
        '8. run.json with "profile": {"name": "smoke"}, evaluate',
        1,
        run_json(lambda r: r.update(profile={"name": "smoke"})),
        uses=FOLDERS,
    )
    add(
        g,
        "8. run.json normaliser without mean, evaluate",
        1,
        run_json(lambda r: r["normaliser"].pop("mean")),
        uses=FOLDERS,
    )
    add(g, "8. run.json cut short, evaluate", 1, run_json('{"dataset": "fsdd",'), uses=FOLDERS)
    add(g, "8. run.json empty, evaluate", 1, run_json(""), uses=FOLDERS)
    add(g, "8. run.json holding [], evaluate", 1, run_json("[]"), uses=FOLDERS)

    def result(damage: Callable[[Path], None], *texts: str) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            damage(f.results / RESULT)
            check = both(says("left out", *texts), unchanged(f.results / K10))
            return Invocation(["table", "--format", "csv"], check=check)

        return build

    add(
        g,
        "8. result whose metrics lack own, table",
        0,
        result(lambda p: edit_json(p, lambda r: r["metrics"].pop("own")), "no metrics.own"),
        uses=FOLDERS,
    )
    add(
        g,
        "8. result without profile, table",
        0,
        result(lambda p: edit_json(p, lambda r: r.pop("profile")), "no profile in it"),
        uses=FOLDERS,
    )
    add(
        g,
        "8. result cut short, table",
        0,
        result(lambda p: p.write_text(p.read_text()[:30]), "JSONDecodeError"),
        uses=FOLDERS,
    )
    add(
        g,
        "8. result's .npz missing, table",
        0,
        result(lambda p: p.with_suffix(".npz").unlink(), "are missing"),
        uses=FOLDERS,
    )
    add(
        g,
        "8. result's .npz cut short, table",
        0,
        result(lambda p: cut(p.with_suffix(".npz"), 200), "is damaged"),
        uses=FOLDERS,
    )

    def cut_checkpoint(command: list[str]) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            cut(f.runs / "run" / "checkpoint.pt", 1000)
            argv = train_in(f) if command == TRAIN else [*command, "--run-dir", str(f.runs / "run")]
            return Invocation(argv, check=unchanged(f.runs / "run"))

        return build

    add(g, "8. checkpoint cut short, train (resume)", 1, cut_checkpoint(TRAIN), uses=FOLDERS)
    add(g, "8. checkpoint cut short, evaluate", 1, cut_checkpoint(["evaluate"]), uses=FOLDERS)

    g = SILENT

    def conflicted(f: Folder) -> Invocation:
        kept = f.results / RESULT
        duplicate = kept.with_name("kmeans-seed1 (conflicted copy).json")
        for suffix in (".json", ".npz"):
            shutil.copy(kept.with_suffix(suffix), duplicate.with_suffix(suffix))
        return Invocation(
            ["table", "--format", "csv"],
            check=says("holds the same run as", 'K-means,"ours (smoke, 2 seeds, CPU)"'),
        )

    add(g, "9. conflicted copy of a result (.json and .npz), table", 0, conflicted, uses=FOLDERS)

    def foreign_checkpoint(source: str, command: list[str]) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            shutil.copy(f.runs / source / "checkpoint.pt", f.runs / "run" / "checkpoint.pt")
            argv = train_in(f) if command == TRAIN else [*command, "--run-dir", str(f.runs / "run")]
            return Invocation(argv)

        return build

    add(
        g,
        "10. K = 3 checkpoint in a K = 10 FSDD folder, evaluate",
        1,
        foreign_checkpoint("k3", ["evaluate"]),
        uses=FOLDERS,
    )
    add(
        g,
        "10. Arabic digits checkpoint in an FSDD folder, evaluate",
        1,
        foreign_checkpoint("arabic", ["evaluate"]),
        uses=FOLDERS,
    )
    add(
        g,
        "10. speaker-normalised checkpoint in a plain folder, evaluate",
        1,
        foreign_checkpoint("speaker-norm", ["evaluate"]),
        uses=FOLDERS,
    )
    add(
        g,
        "10. speaker-normalised checkpoint in a plain folder, budget --run-dir",
        1,
        foreign_checkpoint("speaker-norm", ["budget"]),
        uses=FOLDERS,
    )
    add(
        g,
        "10. speaker-normalised checkpoint in a plain folder, train (resume)",
        1,
        foreign_checkpoint("speaker-norm", TRAIN),
        uses=FOLDERS,
    )

    def noisy(f: Folder) -> Invocation:
        fsdd_with(f, noise_of_its_size)
        return Invocation(train_in(f, "after"), env=data_env(f), check=new_entries(f, 1))

    def untouched(f: Folder) -> Invocation:
        linked_copy(f.root, f.offline, "fsdd")
        return Invocation(train_in(f, "again"), env=data_env(f), check=new_entries(f, 0))

    add(g, "11. a recording overwritten with noise of its size, train (its entry anew)", 0, noisy)
    add(g, "11. control: the same copy untouched, train (the cache serves)", 0, untouched)

    g = MINOR

    def damaged_done(f: Folder) -> Invocation:
        path = f.results / RESULT
        path.write_text(path.read_text()[:30])
        return Invocation(REPRODUCE, check=says("1 of the 3 damaged"))

    add(g, "reproduce with one result damaged", 0, damaged_done, uses=FOLDERS)
    add(g, "reproduce --seeds 0 0", 2, lambda f: Invocation([*REPRODUCE[:-2], "0", "0"]))
    add(
        g,
        "reproduce --datasets fsdd FSDD",
        2,
        lambda f: Invocation(
            ["reproduce", "--profile", "smoke", "--datasets", "fsdd", "FSDD", "--methods", "kmeans"]
        ),
    )
    add(
        g,
        "train --capacity 2 without --capacity-weight",
        2,
        lambda f: Invocation(train_in(f, "run", "--method", "catuvac", "--capacity", "2")),
    )
    add(
        g,
        "train --method uvac --tau-end 0.1",
        2,
        lambda f: Invocation(train_in(f, "run", "--tau-end", "0.1")),
    )
    add(
        g,
        "wav cut to 1000 bytes, train",
        1,
        on_fsdd(lambda t, o: t.write_bytes(o.read_bytes()[:1000]), "is cut short"),
    )

    def arabic(damage: Callable[[bytes], bytes], text: str) -> Callable[[Folder], Invocation]:
        def build(f: Folder) -> Invocation:
            arabic_with(f, damage)
            argv = [
                "train",
                "--dataset",
                "arabic",
                "--profile",
                "smoke",
                "--epochs",
                "1",
                "--run-dir",
                str(f.runs / "a"),
            ]
            return Invocation(argv, env=data_env(f), check=says(text))

        return build

    add(
        g,
        "FLAC cut to half its bytes, train (Arabic digits)",
        1,
        arabic(lambda b: b[: len(b) // 2], "cannot read audio file"),
    )
    add(
        g,
        "FLAC of unknown length (streamed), train (Arabic digits)",
        1,
        arabic(unknown_length, "does not say how many samples"),
    )

    def both_splits(f: Folder) -> Invocation:
        root, _ = linked_copy(f.root, f.offline, "arabic-digits")
        listed = (root / "train.csv").read_text().splitlines()[5]
        (root / "test.csv").write_text((root / "test.csv").read_text() + listed + "\n")
        return Invocation(
            ["train", "--dataset", "arabic", "--profile", "smoke", "--run-dir", str(f.runs / "a")],
            env=data_env(f),
            check=says("a clip belongs to one split"),
        )

    add(g, "a clip in both train.csv and test.csv, train", 1, both_splits)
    add(
        g,
        "train --lambda 1e308",
        1,
        lambda f: Invocation(
            train_in(f, "run", "--method", "catuvac", "--lambda", "1e308"),
            check=says("no checkpoint exists yet"),
        ),
    )
    for label, edit, text in (
        ("empty", lambda lines: [], "is empty"),
        ("header-only", lambda lines: lines[:1], "lists no clips"),
    ):

        def us8k_empty(f: Folder, edit=edit, text=text) -> Invocation:
            us8k_copy(f.root, f.offline, edit)
            return Invocation(us8k_train(f), env=data_env(f), check=says(text))

        add(g, f"{label} UrbanSound8K CSV, train", 1, us8k_empty)
    add(
        g,
        "prototypes of a K-means result",
        2,
        lambda f: Invocation(["prototypes", str(f.results / K10 / "kmeans-seed0.json")]),
        uses=FOLDERS,
    )
    add(
        g,
        "evaluate prints strict JSON",
        0,
        lambda f: Invocation(
            ["evaluate", "--run-dir", str(f.runs / "run")],
            check=lambda out: (
                strict_json(out[out.index("{") : out.rindex("}") + 1])
                if "{" in out
                else "no JSON printed"
            ),
        ),
        uses=FOLDERS,
    )
    add(
        g,
        "umask 002: reproduce writes 0664 files of strict JSON",
        0,
        lambda f: Invocation(
            REPRODUCE,
            umask=0o002,
            check=both(modes(f.results, 0o664, "*.*"), all_strict(f.results)),
        ),
    )
    add(
        g,
        "umask 077: train writes 0600 files",
        0,
        lambda f: Invocation(
            train_in(f, "private"), umask=0o077, check=modes(f.runs / "private", 0o600, "*")
        ),
    )

    g = BUILD
    add(g, "a second training in a folder in use (live lock)", 1, live_lock, uses=FOLDERS)
    add(g, "a lock left by a process that died is taken over", 0, dead_lock, uses=FOLDERS)

    def damaged_entries(f: Folder) -> Invocation:
        for entry in entries(f.cache):
            cut(f.cache / entry, 1000)
        return Invocation(train_in(f, "again"), check=says("rebuilding this feature cache entry"))

    add(g, "feature cache entries cut short are rebuilt, train", 0, damaged_entries)
    for args in (
        ["--epochs", "0"],
        ["--lambda", "nan"],
        ["--tau-end", "0"],
        ["--dataset", "mnist"],
        ["--latent-dim", "0"],
    ):
        add(g, f"train {' '.join(args)}", 2, lambda f, args=args: Invocation([*train_in(f), *args]))
    add(
        g,
        "CATUVAC_PROFILE=huge, reproduce",
        2,
        lambda f: Invocation(
            ["reproduce", "--datasets", "fsdd", "--methods", "labels"],
            env={"CATUVAC_PROFILE": "huge"},
        ),
    )

    def empty_run_dir(f: Folder) -> Invocation:
        (f.runs / "empty").mkdir(parents=True)
        return Invocation(
            ["evaluate", "--run-dir", str(f.runs / "empty")], check=says("run.json is missing")
        )

    add(g, "evaluate a folder train did not write", 2, empty_run_dir)
    add(
        g,
        "a dataset that is absent (TAU 2019), reproduce",
        1,
        lambda f: Invocation(
            ["reproduce", "--profile", "smoke", "--datasets", "tau2019", "--methods", "labels"],
            env={"CATUVAC_DATA": str(f.data)},
        ),
    )
    return c


# --- running them --------------------------------------------------------------------------


def run(
    argv: list[str], env: dict[str, str], fault: dict | None, umask: int | None, timeout: float
) -> tuple[int, str, str]:
    """``catuvac argv`` in a fresh interpreter (through FAULT_SHIM when a fault is set)."""
    env = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.setdefault("OMP_NUM_THREADS", "1")
    if fault is not None:
        env["HOSTILE_FAULT"] = json.dumps(fault)
    code = RUNNER if fault is None else FAULT_SHIM
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        umask=-1 if umask is None else umask,
    )
    return done.returncode, done.stdout, done.stderr


def last_line(stderr: str, stdout: str) -> str:
    """The line the user saw last: stderr's, else stdout's (progress bars left out)."""
    for text in (stderr, stdout):
        lines = [line.split("\r")[-1].strip() for line in text.splitlines()]
        lines = [line for line in lines if line and not PROGRESS.search(line)]
        if lines:
            return lines[-1]
    return ""


def folder_env(root: Path, offline: Path) -> dict[str, str]:
    env = {f"CATUVAC_{name.upper()}": str(root / name) for name in FOLDERS}
    return {**env, "CATUVAC_DATA": str(offline), "CATUVAC_PROFILE": "smoke"}


def write_base(base: Path, offline: Path, timeout: float) -> None:
    """What the cases damage copies of: four trained run folders, three results, and the
    feature cache they filled."""
    env = folder_env(base, offline)
    arabic = [
        "train",
        "--dataset",
        "arabic",
        "--method",
        "uvac",
        "--profile",
        "smoke",
        "--epochs",
        "1",
    ]
    for argv in (
        [*TRAIN, "--run-dir", str(base / "runs" / "run")],
        [*TRAIN, "--clusters", "3", "--run-dir", str(base / "runs" / "k3")],
        [*TRAIN, "--speaker-norm", "--run-dir", str(base / "runs" / "speaker-norm")],
        [*arabic, "--run-dir", str(base / "runs" / "arabic")],
        REPRODUCE,
    ):
        code, out, err = run(argv, env, None, None, timeout)
        if code != 0:
            command = " ".join(argv)
            sys.exit(f"hostile_cases: writing what the cases copy failed: {command}\n{err}")


def try_case(case: Case, cases_root: Path, base: Path, offline: Path, timeout: float) -> Outcome:
    slug = re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")[:60]
    root = cases_root / slug
    root.mkdir(parents=True)
    if case.skip:
        return Outcome(case, "", None, False, "", problem=case.skip)
    for name in case.uses:
        shutil.copytree(base / name, root / name)
    invocation = case.build(Folder(root, offline))
    env = {**folder_env(root, offline), **invocation.env}
    started = time.perf_counter()
    try:
        code, out, err = run(invocation.argv, env, invocation.fault, invocation.umask, timeout)
    except subprocess.TimeoutExpired:
        code, out, err = -1, "", f"timed out after {timeout:.0f} s"
    finally:
        if invocation.cleanup is not None:
            invocation.cleanup()
    seconds = time.perf_counter() - started
    (root / "stdout").write_text(out)
    (root / "stderr").write_text(err)
    problem = (
        invocation.check(out + err)
        if invocation.check is not None and code == case.expect
        else None
    )
    return Outcome(
        case,
        describe(invocation, cases_root),
        code,
        TRACEBACK in out + err,
        last_line(err, out),
        problem,
        seconds,
    )


def describe(invocation: Invocation, cases_root: Path) -> str:
    words = ["catuvac", *invocation.argv]
    text = " ".join(f"'{w}'" if " " in w or not w else w for w in words)
    if invocation.umask is not None:
        text = f"umask {invocation.umask:03o}; {text}"
    if invocation.fault is not None:
        fault = invocation.fault
        why = {
            "write_text": "ENOSPC from Path.write_text",
            "torch.save": "torch.save failing as on a full disk",
        }
        cause = why.get(
            fault["call"],
            f"{errno.errorcode[fault.get('errno', errno.ENOSPC)]} from tempfile.mkstemp",
        )
        text += f" [simulated: {cause} under {fault['under']}]"
    return text.replace(str(cases_root), "$T")


def cell(text: str, width: int) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("|", "\\|").replace("`", "'")


def report(outcomes: list[Outcome], cases_root: Path, width: int) -> str:
    lines = []
    for group in (TRACEBACKS, SILENT, MINOR, BUILD):
        lines += [
            f"\n### {group}\n",
            "| case | command | exit (expected) | traceback | what the user saw |",
            "|---|---|---|---|---|",
        ]
        for o in (o for o in outcomes if o.case.group == group):
            if o.code is None:
                lines.append(
                    f"| {cell(o.case.name, 200)} | | skipped ({o.case.expect}) | | {o.problem} |"
                )
                continue
            status = f"{o.code} ({o.case.expect})" + (" **unexpected**" if o.unexpected else "")
            seen = cell(o.message.replace(str(cases_root), "$T"), width)
            if o.problem:
                seen += (
                    f" **check failed: {cell(o.problem.replace(str(cases_root), '$T'), width)}**"
                )
            traceback = "**yes**" if o.traceback else "no"
            command = cell(o.command, width)
            lines.append(
                f"| {cell(o.case.name, 200)} | `{command}` | {status} | {traceback} | {seen} |"
            )
    ran = [o for o in outcomes if o.code is not None]
    summary = (
        f"{len(ran)} cases run ({len(outcomes) - len(ran)} skipped), "
        f"{sum(o.traceback for o in ran)} tracebacks, "
        f"{sum(o.unexpected for o in ran)} unexpected exit codes, "
        f"{sum(o.case.expect != 0 and o.code == 0 for o in ran)} refusals that exited 0, "
        f"{sum(o.problem is not None for o in ran)} failed checks"
    )
    return "\n".join([*lines, "", summary])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the cases whose name holds this text")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per command (600)")
    parser.add_argument("--width", type=int, default=400, help="longest table cell (400)")
    args = parser.parse_args()
    chosen = [c for c in cases() if args.only is None or args.only.lower() in c.name.lower()]
    if args.list:
        for c in chosen:
            print(f"{c.group}: {c.name} (expects {c.expect})")
        return 0
    offline = data_root()
    if not (offline / "fsdd").is_dir():
        sys.exit(f"hostile_cases: no FSDD in {offline}; set CATUVAC_DATA to the offline data")
    tmp = Path(tempfile.mkdtemp(prefix="catuvac-hostile-"))
    try:
        print(f"writing the run folders, results and cache the cases copy, in {tmp}", flush=True)
        write_base(tmp / "written", offline, args.timeout)
        outcomes = []
        for case in chosen:
            outcome = try_case(case, tmp / "cases", tmp / "written", offline, args.timeout)
            flag = (
                " <-- " + ("traceback" if outcome.traceback else "wrong") if outcome.wrong else ""
            )
            done = "skipped" if outcome.code is None else f"exit {outcome.code}"
            print(
                f"  {case.name}: {done} ({outcome.seconds:.0f} s){flag}",
                file=sys.stderr,
                flush=True,
            )
            outcomes.append(outcome)
        print(report(outcomes, tmp / "cases", args.width))
    finally:
        if args.keep:
            print(f"folders kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if any(o.wrong for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
