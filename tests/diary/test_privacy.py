"""Nothing personal left behind: private files, and database errors that never show a row or note."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from facespasm.diary.database import default_url, error_line, open_database
from facespasm.diary.store import Diary

MARKER = "private-marker-7f3a"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_diary_file_and_its_journal_are_private(tmp_path):
    path = tmp_path / "diary.sqlite3"
    engine = open_database(f"sqlite:///{path}", schema="upgrade")
    Diary(engine).episodes.log(side="left", regions=["eyelid"], note="after coffee", timezone="UTC")
    journals = [path.with_name(path.name + end) for end in ("-wal", "-shm")]
    assert [mode(p) for p in [path, *journals]] == [0o600, 0o600, 0o600]
    engine.dispose()


def test_the_default_diary_folder_and_file_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = tmp_path / "facespasm"
    folder.mkdir(mode=0o755)
    (folder / "diary.sqlite3").touch(mode=0o644)  # as an older version left them
    folder.chmod(0o755)
    (folder / "diary.sqlite3").chmod(0o644)
    assert default_url() == f"sqlite:///{folder / 'diary.sqlite3'}"
    assert (mode(folder), mode(folder / "diary.sqlite3")) == (0o700, 0o600)


def test_a_fresh_default_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default_url()
    assert mode(tmp_path / "data" / "facespasm") == 0o700


@pytest.fixture
def refusing_marker(engine, backend):
    """The diary's engine, whose database refuses a note holding MARKER (as a constraint would)."""
    with engine.begin() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON episodes WHEN instr(NEW.note, '{MARKER}') > 0 "
                "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
            )
        else:
            # PostgreSQL repeats the whole failing row, note included, in its DETAIL line.
            connection.exec_driver_sql(
                f"ALTER TABLE episodes ADD CONSTRAINT refuse CHECK (strpos(note, '{MARKER}') = 0)"
            )
    return engine


def test_a_database_error_carries_no_values(refusing_marker):
    with pytest.raises(DBAPIError) as caught:
        Diary(refusing_marker).episodes.log(
            side="left", regions=["eyelid"], note=MARKER, timezone="UTC"
        )
    assert "[parameters:" not in str(caught.value)  # hide_parameters
    assert MARKER not in error_line(caught.value)
    assert error_line(caught.value).startswith(("the database refused the change", "database"))


def test_the_command_line_shows_a_database_error_in_one_line_without_the_note(
    refusing_marker, db_url
):
    done = subprocess.run(
        [sys.executable, "-m", "facespasm", "diary", "log", "--side", "left", "--region",
         "eyelid", "--note", f"my {MARKER} note", "--db", db_url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert MARKER not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("facespasm: error: the database refused the change")
