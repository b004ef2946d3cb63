"""`facespasm db upgrade` and `db downgrade`: a database named by --db is migrated when asked."""

from __future__ import annotations

from facespasm.diary.database import HEAD

from .conftest import Run


def test_db_upgrade_creates_migrates_and_says_when_there_is_nothing_to_do(facespasm: Run, tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    refused = facespasm("diary", "show", "--db", url)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"facespasm: error: the database {url} holds no diary yet: to create one, run "
        "`facespasm db upgrade` with the same --db or $FACESPASM_DATABASE_URL"
    ]
    created = facespasm("db", "upgrade", "--db", url)
    assert created.returncode == 0
    assert created.stdout == f"The diary database is at schema {HEAD} (new).\n"
    again = facespasm("db", "upgrade", "--db", url)
    assert again.stdout == f"The diary database is up to date (schema {HEAD}).\n"
    assert facespasm("diary", "show", "--db", url).returncode == 0
    back = facespasm("db", "downgrade", "0001", "--db", url)
    assert (back.returncode, back.stdout) == (0, "The diary database is at schema 0001.\n")
    up = facespasm("db", "upgrade", "--db", url)
    assert up.stdout == f"The diary database is at schema {HEAD} (from schema 0001).\n"
    unknown = facespasm("db", "downgrade", "0042", "--db", url)
    assert unknown.returncode == 2
    assert "0042" in unknown.stderr and "Traceback" not in unknown.stderr
