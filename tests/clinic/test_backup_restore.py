"""A clinic's backup: `pg_dump` of a database with two people's diaries, restored into a fresh one.

The exact commands of docs/clinic.md ("Backups"): a custom-format dump by a backup role that sees
every row (BYPASSRLS, member of pg_read_all_data), `createdb --owner` of a new database for the
tables' owner and `pg_restore --exit-on-error --single-transaction` into it as the superuser. Afterwards each person's rows are there, row security
and the app role's grants too: as the app, one person still sees only their own diary.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from facespasm.diary.database import open_database
from facespasm.diary.people import add_person
from facespasm.diary.records import Day, Treatment
from facespasm.diary.row_security import PERSON_TABLES, row_security_problems
from facespasm.diary.store import Diary
from tests.diary.conftest import snapshot
from tests.diary.postgres_roles import Clinic, clinic_database, drop_database

if TYPE_CHECKING:
    from sqlalchemy import Engine

PG_DUMP = shutil.which("pg_dump")
PG_RESTORE = shutil.which("pg_restore")
CREATEDB = shutil.which("createdb")
pytestmark = pytest.mark.skipif(
    not (PG_DUMP and PG_RESTORE and CREATEDB),
    reason="pg_dump, pg_restore or createdb is not installed (Debian: apt-get install "
    "postgresql-client)",
)
FIRST = dt.date(2026, 5, 4)


def client(
    program: str | None, clinic: Clinic, role: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program against the test server as `role`."""
    url = clinic.owner.url
    assert program is not None
    return subprocess.run(
        [
            program,
            f"--host={url.host}",
            f"--port={url.port}",
            f"--username={role}",
            "--no-password",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_two_diaries(engine: Engine) -> dict[int, tuple[list[Day], list[Treatment]]]:
    """Alice's and Bob's diaries, written as the app; what each reads back."""
    alice, bob = add_person(engine, "alice"), add_person(engine, "bob")
    Diary(engine, alice).days.record(Day(FIRST, episodes=3, sleep_hours=6.0))
    Diary(engine, alice).treatments.add(
        Treatment(FIRST, "botulinum_toxin", side="right", dose_units=25)
    )
    for n in range(2):
        Diary(engine, bob).days.record(
            Day(FIRST + dt.timedelta(days=n), episodes=7, stress_0_10=9.0)
        )
    return {person: read_diary(engine, person) for person in (alice, bob)}


def read_diary(engine: Engine, person: int) -> tuple[list[Day], list[Treatment]]:
    """A person's days and treatments, as the app reads them."""
    diary = Diary(engine, person)
    return diary.days.all(), diary.treatments.all()


def test_a_dump_restored_into_a_fresh_database_keeps_the_rows_and_their_row_security(
    postgres_server, tmp_path: Path
):
    with clinic_database(postgres_server, "backup") as clinic:
        written = write_two_diaries(clinic.app)
        assert len({len(days) for days, _ in written.values()}) == 2  # two different diaries
        dump = tmp_path / "clinic.dump"
        backup = f"{clinic.owner_role}_backup"
        with postgres_server.connect() as connection:
            connection.execute(text(f"CREATE ROLE {backup} LOGIN BYPASSRLS"))
            connection.execute(text(f"GRANT pg_read_all_data TO {backup}"))
        try:
            dumped = client(
                PG_DUMP, clinic, backup, "--format=custom", f"--file={dump}", clinic.database
            )
        finally:
            with postgres_server.connect() as connection:
                connection.execute(text(f"DROP ROLE {backup}"))
        assert dumped.returncode == 0, dumped.stderr
        restored = f"{clinic.database}_restored"
        made = client(CREATEDB, clinic, "postgres", f"--owner={clinic.owner_role}", restored)
        assert made.returncode == 0, made.stderr
        engines: list[Engine] = []
        try:
            done = client(
                PG_RESTORE, clinic, "postgres", "--exit-on-error", "--single-transaction",
                f"--dbname={restored}", str(dump),
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            app = open_database(clinic.url(clinic.app_role, restored))
            engines.append(app)
            for person, diary in written.items():
                assert read_diary(app, person) == diary
            with app.connect() as connection:  # no person named: nothing visible
                for table in PERSON_TABLES:
                    assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0
                with pytest.raises(ProgrammingError, match="permission denied for table audit_log"):
                    connection.execute(text("DELETE FROM audit_log"))
            assert row_security_problems(app) == []
            everything = open_database(clinic.url("postgres", restored))
            engines.append(everything)
            source = open_database(clinic.url("postgres"))
            engines.append(source)
            assert snapshot(everything) == snapshot(source)
        finally:
            for engine in engines:
                engine.dispose()
            drop_database(postgres_server, restored)


def test_the_owner_cannot_dump_what_row_security_hides_and_is_told_so(
    postgres_server, tmp_path: Path
):
    # FORCE binds the owner: pg_dump refuses rather than write a backup without the rows.
    with clinic_database(postgres_server, "ownerdump") as clinic:
        write_two_diaries(clinic.app)
        dumped = client(
            PG_DUMP, clinic, clinic.owner_role, "--format=custom",
            f"--file={tmp_path / 'owner.dump'}", clinic.database,
        )  # fmt: skip
        assert dumped.returncode != 0
        assert "query would be affected by row-level security policy" in dumped.stderr
