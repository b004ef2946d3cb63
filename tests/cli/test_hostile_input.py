"""Hostile input never crashes the command line: exit code 2 and one clear line on stderr.

Each row of the table is a command line a person (or a script, or a fuzzer) might type, and the
words the one line of stderr must hold. Placeholders: {tmp} a fresh folder, {db} a diary with a
day in it, {fifo} a named pipe that a writer fills for ever, {media} the shared test media.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Run
from .test_bad_input import assert_clear_error

HOSTILE = [
    # a camera number OpenCV is never shown: -1 was a segmentation fault
    ("analyze --camera -1", "no camera -1: cameras are numbered 0 (the first) to 63"),
    ("analyze --camera 99999999999", "no camera 99999999999"),
    # a still photo is no video: refused with what to record instead
    ("analyze {media}/single_face.jpg", "is a still photo, not a video: a twitch shows only"),
    # output folders are checked before any work: the missing video is not even looked at
    ("analyze {tmp}/nope.mp4 --plot {tmp}/missing/t.png", "there is no folder {tmp}/missing"),
    ("analyze {tmp}/nope.mp4 --annotate {tmp}/missing/a.mp4", "there is no folder"),
    ("diary triggers --history {tmp}/missing/h.png --db {db}", "there is no folder"),
    ("diary export {tmp}/missing/days.csv --db {db}", "there is no folder {tmp}/missing"),
    # a full device
    ("diary export /dev/full --db {db}", "cannot write /dev/full: No space left on device"),
    # devices and pipes that never end are read with a byte cap, never trusting `stat`
    ("assess --answers /dev/zero --json", "answers file is larger than 100 kB: /dev/zero"),
    ("assess --answers {fifo} --json", "answers file is larger than 100 kB"),
    ("diary import /dev/zero --db {db}", "zero, line 1: longer than 10,000 characters"),
    ("diary import {fifo} --db {db}", "line 1: longer than 10,000 characters"),
    # numbers too long to be numbers
    ("assess --answers {tmp}/age5000.json --json", "holds a number too long to be one"),
    ("assess --answers {tmp}/age4000.json --json", "'age' must be between 1 and 120 years, not a"),
    # diary values outside what the diary keeps
    ("diary day --date 0001-01-01 --sleep 7 --db {db}", "date: 0001-01-01 is before 1900-01-01"),
    (
        "diary log --side left --region eyelid --at 0001-01-01T00:00:00+14:00 --db {db}",
        "time: 0001-01-01 is before 1900-01-01",
    ),
    (
        "diary treatment add --kind botulinum_toxin --date 9999-12-31 --db {db}",
        "treatment date: 9999-12-31 is more than a year ahead",
    ),
    ("diary treatment add --kind medication --name {long_name} --db {db}", "201 characters"),
    ("diary treatment add --kind botulinum_toxin --dose 1e9 --db {db}", "dose: 1e+09 is not"),
    ("diary log --side left --region eyelid --note {escape} --db {db}", "control character"),
    ("diary log --side left --region eyelid --note {not_utf8} --db {db}", "a lone surrogate"),
    ("diary log --side left --region eyelid --timezone ../../etc/passwd --db {db}", "time zone"),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> dict[str, str]:
    """The placeholders' values: files and a diary with a day in it, in a folder of their own."""
    from facespasm.diary.database import open_database
    from facespasm.diary.records import Day
    from facespasm.diary.store import Diary

    folder = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{folder / 'diary.sqlite3'}"
    engine = open_database(db, schema="upgrade")  # as `facespasm db upgrade --db` does
    Diary(engine).days.record(Day(dt.date(2026, 1, 1), sleep_hours=7.0))
    engine.dispose()
    (folder / "age5000.json").write_text('{"age": ' + "9" * 5000 + "}")
    (folder / "age4000.json").write_text('{"age": ' + "9" * 4000 + "}")
    return {
        "tmp": str(folder),
        "db": db,
        "media": str(shared / "media"),
        "long_name": "x" * 201,
        "escape": "red\x1b[31m",
        "not_utf8": os.fsdecode(b"caf\xe9"),  # Latin-1 bytes, not UTF-8
    }


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe that a writer fills with zeros for as long as someone reads it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fill_for_ever, args=(fifo,), daemon=True)
    writer.start()
    yield fifo
    if writer.is_alive():  # never read: open it without waiting, so the writer stops
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=5)


def fill_for_ever(fifo: Path) -> None:
    """Write zeros into the pipe until its reader goes away."""
    block = b"0" * 65536
    try:
        with fifo.open("wb") as pipe:
            while True:
                pipe.write(block)
    except BrokenPipeError:
        pass


@pytest.mark.parametrize(("command", "message"), HOSTILE, ids=[c for c, _ in HOSTILE])
def test_hostile_input_gets_one_clear_line(
    facespasm: Run, places: dict[str, str], command: str, message: str, request
) -> None:
    values = dict(places)
    if "{fifo}" in command:
        values["fifo"] = str(request.getfixturevalue("fifo"))
    arguments = [part.format(**values) for part in command.split()]
    assert_clear_error(facespasm(*arguments), message.format(**values))


def test_output_that_cannot_be_delivered_is_one_clear_line(places: dict[str, str]) -> None:
    with open("/dev/full", "w") as full:  # noqa: PTH123
        done = subprocess.run(
            [sys.executable, "-m", "facespasm", "diary", "export", "--db", places["db"]],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert_clear_error(done, "cannot write the output: No space left on device")


def test_a_clip_of_two_seconds_is_analysed_with_a_warning(facespasm: Run, shared: Path) -> None:
    done = facespasm("analyze", str(shared / "media" / "jefapato_2sec.mp4"), "--json")
    assert done.returncode == 0, done.stderr
    (warning,) = [w for w in json.loads(done.stdout)["warnings"] if "too short" in w]
    assert warning.startswith("the clip is only ")
    assert warning.endswith(
        "too short to count blinks and spasms reliably; record 20 to 30 seconds"
    )
