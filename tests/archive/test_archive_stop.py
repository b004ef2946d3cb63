"""`facespasm archive analyze` stopped by Ctrl-C, or losing a worker: what is finished is kept.

Both start the real command in a subprocess, as a person would: one is stopped with a single
SIGINT to its whole process group (what a terminal's Ctrl-C sends: Ray's own processes get it
too), the other loses the Ray worker that is analysing one of the videos (killed from outside,
as the kernel's OOM killer or a crash in native code would end it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facespasm.archive import analyze_archive, read_results
from facespasm.video.synthetic import render

from .conftest import RAY_WARNINGS, FirstRun

pytestmark = RAY_WARNINGS

LONG = "long.mp4"


def _long(folder: Path, name: str, seed: int) -> Path:
    """Six seconds of a face: a video that keeps a worker busy for a second or more."""
    made = render(folder / name, [], 6.0, size=160, seed=seed).path
    made.with_suffix(".json").unlink()
    return made


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _long(tmp_path_factory.mktemp("long"), LONG, seed=7)


@pytest.fixture(scope="module")
def long_archive(tmp_path_factory: pytest.TempPathFactory, long_clip: Path) -> Path:
    """Three different long videos, one in a subfolder: after the first row, seconds of work.

    With short videos the run could finish before a Ctrl-C sent on its first row reached it
    (Python handles a signal only between calls into Ray), and the test would see no stop.
    """
    folder = tmp_path_factory.mktemp("archive")
    (folder / "deeper").mkdir()
    shutil.copy(long_clip, folder / LONG)
    _long(folder, "second.mp4", seed=8)
    _long(folder / "deeper", "third.mp4", seed=9)
    return folder


# The command as a terminal starts it, Ctrl-C at its default: a test run in the background (as
# CI runs) has SIGINT ignored, and a child inherits that, so the command is exec'd after
# restoring it.
AS_IN_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'facespasm', *sys.argv[1:]])"
)


def _command(folder: Path, out: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", AS_IN_A_TERMINAL, "archive", "analyze", str(folder),
         "--out", str(out), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a command started in a terminal
    )  # fmt: skip


def _wait_for(condition: object, process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"never saw {what}; the command said:\n{out}\n{err}")
        time.sleep(0.05)


def _group_ended(group: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_one_ctrl_c_keeps_the_finished_rows_and_a_rerun_does_the_rest(
    local_ray: str, long_archive: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(long_archive, folder)
    out = tmp_path / "results.parquet"
    videos = 3

    # Its own local Ray, one video at a time; Ctrl-C once the first row is on disk.
    command = _command(folder, out, "--workers", "1")
    _wait_for(out.exists, command, "the first row written")
    os.killpg(command.pid, signal.SIGINT)
    stdout, stderr = command.communicate(timeout=60)

    assert command.returncode == 130, stderr
    assert stdout == ""
    kept = {row["path"]: row for row in read_results(out)}
    assert 1 <= len(kept) < videos, stderr
    # one line: how many were done, where they are, how to go on; no traceback, no Ray chatter
    assert stderr == (
        f"facespasm: stopped; {len(kept)} of {videos} video file(s) done, kept {len(kept)} "
        f"row(s) in {out}. Run the same command again to go on from there.\n"
    )
    assert _group_ended(command.pid), "a process of the stopped run is still running"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []

    rerun = analyze_archive(folder, out, workers=1)

    assert (rerun.skipped, rerun.analysed, rerun.failed) == (len(kept), videos - len(kept), 0)
    rows = {row["path"]: row for row in read_results(out)}
    assert len(rows) == videos
    assert all(rows[path] == row for path, row in kept.items())  # not analysed again


def _opened_by(path: Path) -> set[int]:
    """The processes (other than this one) that have `path` open."""
    found = set()
    for process in Path("/proc").iterdir():
        if not process.name.isdigit() or int(process.name) == os.getpid():
            continue
        try:
            if any(fd.readlink() == path for fd in (process / "fd").iterdir()):
                found.add(int(process.name))
        except OSError:  # gone, or not ours to look at
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds the worker through /proc")
def test_a_worker_that_dies_costs_its_video_an_error_row_not_the_run(
    local_ray: str, first_run: FirstRun, long_clip: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(long_clip, folder / LONG)
    shutil.copy(first_run.folder / "blinks.mp4", folder / "blinks.mp4")
    out = tmp_path / "results.parquet"
    target = (folder / LONG).resolve()

    command = _command(folder, out, "--address", local_ray, "--workers", "1")
    # The worker decoding the long video: one that has it open now and still a moment later
    # (hashing it takes a millisecond; the analysis, seconds).
    analysing: set[int] = set()

    def found() -> bool:
        nonlocal analysing
        before = _opened_by(target)
        time.sleep(0.2)
        analysing = before & _opened_by(target)
        return bool(analysing)

    _wait_for(found, command, "a worker analysing the long video")
    for pid in analysing:
        os.kill(pid, signal.SIGKILL)
    stdout, stderr = command.communicate(timeout=120)

    assert command.returncode == 1, stderr
    assert stdout == ""  # Ray's report of the dead worker stays out of the output
    assert stderr.count("\n") == 1 and "2 video file(s): 2 analysed, 1 failed" in stderr, stderr
    rows = {row["path"]: row for row in read_results(out)}
    assert rows["blinks.mp4"]["ok"]
    assert not rows[LONG]["ok"]
    assert rows[LONG]["error"].startswith("the analysis did not finish: its Ray worker died")
