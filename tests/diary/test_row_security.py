"""PostgreSQL's row security: as the app's role, a person's transactions see and write their rows only.

One database per module on the test server, owned by a role of its own (the tables' owner, as a
clinic's `facespasm db upgrade` would run), and an app role that is neither owner nor superuser,
given its rights by `grant_app_role` (`facespasm db grant`); both dropped afterwards. The
queries here are the raw SQL an app bug or an injection could send: the database alone refuses.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from facespasm.diary.database import (
    HEAD,
    downgrade_schema,
    open_database,
    schema_revision,
    upgrade_schema,
)
from facespasm.diary.people import add_person
from facespasm.diary.records import Day, Treatment
from facespasm.diary.row_security import (
    APP_TABLES,
    APPEND_ONLY_TABLES,
    PERSON_TABLES,
    grant_app_role,
    row_security_problems,
)
from facespasm.diary.store import Diary
from facespasm.errors import InputError, NotFoundError

from .postgres_roles import Clinic, clinic_database

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

FIRST = dt.date(2026, 3, 2)


@dataclass
class People:
    """Two people with a diary each, written as the app's role."""

    alice: int
    bob: int
    alice_treatment: int


@pytest.fixture(scope="module")
def clinic(postgres_server: Engine) -> Iterator[Clinic]:
    """A database of its own: tables owned by an owner role, an app role granted by `grant_app_role`."""
    with clinic_database(postgres_server, "rls") as made:
        yield made


@pytest.fixture(scope="module")
def people(clinic: Clinic) -> People:
    """Alice and Bob, each with days and a treatment, written through a `Diary` as the app."""
    alice = add_person(clinic.app, "alice")
    bob = add_person(clinic.app, "bob")
    mine = Diary(clinic.app, alice)
    for n in range(3):
        mine.days.record(Day(FIRST + dt.timedelta(days=n), episodes=n + 2, sleep_hours=6.5))
    treatment = mine.treatments.add(Treatment(FIRST, "botulinum_toxin", side="left", dose_units=20))
    Diary(clinic.app, bob).days.record(Day(FIRST, episodes=9, stress_0_10=8.0))
    return People(alice, bob, treatment)


def as_person(connection: Connection, person: int | None) -> None:
    """Name the transaction's person as the `Diary` does (None: leave it unset)."""
    if person is not None:
        connection.execute(
            text("SELECT set_config('facespasm.person', :p, true)"), {"p": str(person)}
        )


def counts(connection: Connection) -> dict[str, int]:
    """Every person table's visible rows, counted without any WHERE of the app's."""
    return {
        table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in PERSON_TABLES
    }


def test_a_persons_diary_reads_back_what_it_wrote_as_the_app_role(clinic, people):
    mine = Diary(clinic.app, people.alice)
    assert [day.episodes for day in mine.days.all()] == [2, 3, 4]
    assert mine.treatments.get(people.alice_treatment).dose_units == 20
    stored = mine.days.record(Day(FIRST, stress_0_10=4.0))  # an upsert: reads, updates its row
    assert (stored.episodes, stored.stress_0_10) == (2, 4.0)
    assert mine.days.get(FIRST) == stored


def test_another_persons_diary_sees_none_of_those_rows(clinic, people):
    theirs = Diary(clinic.app, people.bob)
    assert [day.episodes for day in theirs.days.all()] == [9]
    assert theirs.treatments.all() == []
    with pytest.raises(NotFoundError):
        theirs.treatments.get(people.alice_treatment)


def test_raw_sql_as_another_person_sees_none_of_their_rows(clinic, people):
    with clinic.app.connect() as connection:
        as_person(connection, people.bob)
        assert counts(connection)["day_factors"] == 1
        assert counts(connection)["treatments"] == 0
        query = "SELECT count(*) FROM day_factors WHERE person_id = :alice"
        assert connection.scalar(text(query), {"alice": people.alice}) == 0
        # Changing or deleting their rows touches nothing: to this transaction they do not exist.
        changed = connection.execute(
            text("UPDATE day_factors SET note = 'seen' WHERE person_id = :alice"),
            {"alice": people.alice},
        )
        deleted = connection.execute(
            text("DELETE FROM treatments WHERE id = :id"), {"id": people.alice_treatment}
        )
        assert (changed.rowcount, deleted.rowcount) == (0, 0)
        connection.commit()
    assert Diary(clinic.app, people.alice).treatments.get(people.alice_treatment).dose_units == 20


@pytest.mark.parametrize(
    "statement",
    [
        # a row written in someone else's name
        "INSERT INTO day_factors (person_id, date, episodes) VALUES (:alice, '2026-01-01', 1)",
        # one's own row handed over to someone else
        "UPDATE day_factors SET person_id = :alice WHERE person_id = :bob",
    ],
)
def test_rows_cannot_be_written_in_another_persons_name(clinic, people, statement):
    with clinic.app.connect() as connection:
        as_person(connection, people.bob)
        with pytest.raises(ProgrammingError, match="row-level security policy"):
            connection.execute(text(statement), {"alice": people.alice, "bob": people.bob})


def test_without_a_person_no_row_is_visible_or_writable(clinic, people):
    with clinic.app.connect() as connection:
        assert set(counts(connection).values()) == {0}
        with pytest.raises(ProgrammingError, match="row-level security policy"):
            connection.execute(
                text("INSERT INTO day_factors (person_id, date) VALUES (:bob, '2026-01-01')"),
                {"bob": people.bob},
            )


def test_the_person_ends_with_the_transaction_on_a_pooled_connection(clinic, people):
    one = create_engine(clinic.app.url, pool_size=1, max_overflow=0)
    try:
        diary = Diary(one, people.alice)
        assert len(diary.days.all()) == 3  # a read: the person named as it began
        diary.days.record(Day(FIRST + dt.timedelta(days=7), episodes=1))  # a write, likewise
        pid = "SELECT pg_backend_pid()"
        with one.connect() as connection:
            first = connection.scalar(text(pid))
        with one.connect() as connection:  # the same server connection, back from the pool
            assert connection.scalar(text(pid)) == first
            assert connection.scalar(text("SELECT current_setting('facespasm.person', true)")) == ""
            assert set(counts(connection).values()) == {0}
        assert len(Diary(one, people.bob).days.all()) == 1
    finally:
        one.dispose()


def test_force_binds_the_tables_owner_too(clinic, people):
    with clinic.owner.connect() as connection:
        assert set(counts(connection).values()) == {0}
    assert len(Diary(clinic.owner, people.alice).days.all()) >= 3


def test_the_app_role_may_add_to_the_audit_log_never_change_it(clinic):
    with clinic.app.connect() as connection:
        connection.scalar(text("SELECT count(*) FROM audit_log"))
        for statement in (
            "UPDATE audit_log SET what = 'nothing happened'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(ProgrammingError, match="permission denied for table audit_log"):
                connection.execute(text(statement))
            connection.rollback()
        may = "SELECT has_table_privilege('audit_log', 'INSERT')"
        assert connection.scalar(text(may)) is True


def test_the_app_role_may_truncate_nothing(clinic):
    with clinic.app.connect() as connection:
        for table in APP_TABLES:
            with pytest.raises(ProgrammingError, match="permission denied"):
                connection.execute(text(f"TRUNCATE {table} CASCADE"))
            connection.rollback()


def test_every_table_the_migrations_make_is_granted_or_append_only(clinic):
    with clinic.owner.connect() as connection:
        made = connection.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
    assert set(made) == {*APP_TABLES, *APPEND_ONLY_TABLES, "facespasm_schema_version"}


def test_row_security_applies_to_the_app_role_and_not_to_the_others(clinic, postgres_server):
    assert row_security_problems(clinic.app) == []
    (owner,) = row_security_problems(clinic.owner)
    assert (
        f"the database role {clinic.owner_role} owns assessments, audit_log, day_factors" in owner
    )
    superuser = open_database(
        postgres_server.url.set(database=clinic.database).render_as_string(hide_password=False)
    )
    try:
        assert row_security_problems(superuser) == [
            "the database role postgres is a superuser, so PostgreSQL's row security does not "
            "apply to it: connect the app as a role of its own (facespasm db grant ROLE)"
        ]
    finally:
        superuser.dispose()


def test_granting_again_takes_back_what_was_given_beyond_the_apps_needs(clinic):
    with clinic.owner.begin() as connection:
        connection.execute(text(f"GRANT TRUNCATE ON episodes TO {clinic.app_role}"))
        connection.execute(text(f"GRANT UPDATE, DELETE ON audit_log TO {clinic.app_role}"))
    assert row_security_problems(clinic.app) == [
        f"the database role {clinic.app_role} may TRUNCATE episodes, which ignores row security: "
        f"run `facespasm db grant {clinic.app_role}` as the tables' owner",
        f"the database role {clinic.app_role} may change, delete or truncate entries of the audit "
        f"log (audit_log): run `facespasm db grant {clinic.app_role}` as the tables' owner",
    ]
    grant_app_role(clinic.owner, clinic.app_role)
    assert row_security_problems(clinic.app) == []


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("nobody_here", "there is no database role nobody_here: create it first"),
        ("postgres", "postgres is a superuser: row security would not apply to the app"),
        ("owner", "owns the diary's tables (or may act as their owner)"),
        ('x"; DROP TABLE episodes; --', "ROLE must be a plain PostgreSQL role name"),
    ],
)
def test_a_role_row_security_would_not_bind_is_refused(clinic, role, message):
    chosen = clinic.owner_role if role == "owner" else role
    with pytest.raises(InputError, match=re.escape(message)):
        grant_app_role(clinic.owner, chosen)


def test_only_the_owner_can_grant(clinic):
    with pytest.raises(InputError, match="only the tables' owner can grant on them"):
        grant_app_role(clinic.app, clinic.app_role)


def test_sqlite_has_no_roles_to_grant_and_no_problems(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'd.sqlite3'}", schema="upgrade")
    try:
        assert row_security_problems(engine) == []
        with pytest.raises(InputError, match="grants are for PostgreSQL"):
            grant_app_role(engine, "facespasm_app")
    finally:
        engine.dispose()


def secured(engine: Engine) -> dict[str, tuple[bool, bool, int]]:
    """Each person table's row security: (enabled, forced, how many policies)."""
    query = text(
        "SELECT c.relrowsecurity, c.relforcerowsecurity,"
        " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)"
        " FROM pg_class c WHERE c.oid = to_regclass(:table)"
    )
    with engine.connect() as connection:
        return {
            table: tuple(connection.execute(query, {"table": table}).one())
            for table in PERSON_TABLES
        }


def test_migrating_down_to_0003_and_up_again(db_url, backend):
    engine = open_database(db_url, schema="upgrade")
    try:
        diary = Diary(engine)
        diary.days.record(Day(FIRST, episodes=4))
        if backend == "postgresql":
            assert set(secured(engine).values()) == {(True, True, 1)}
        downgrade_schema(engine, "0003")
        assert schema_revision(engine) == "0003"
        if backend == "postgresql":
            assert set(secured(engine).values()) == {(False, False, 0)}
        upgrade_schema(engine)
        assert schema_revision(engine) == HEAD
        if backend == "postgresql":
            assert set(secured(engine).values()) == {(True, True, 1)}
        assert [day.episodes for day in Diary(engine).days.all()] == [4]
    finally:
        engine.dispose()


def test_a_clinic_database_goes_down_to_0002_as_its_owner(postgres_server):
    # 0002's downgrade check reads every person's rows: after 0004's own downgrade row security
    # is gone, so the owner's check sees them all and refuses to mix two people's diaries.
    with clinic_database(postgres_server, "down") as made:
        other = add_person(made.app, "someone")
        Diary(made.app, other).days.record(Day(FIRST, episodes=1))
        with pytest.raises(InputError, match="day_factors holds rows of other people"):
            downgrade_schema(made.owner, "0001")
        assert schema_revision(made.owner) == HEAD
        assert set(secured(made.owner).values()) == {(True, True, 1)}
        with made.owner.connect() as connection:  # and FORCE is back on: the owner sees nothing
            assert set(counts(connection).values()) == {0}


def test_the_app_role_cannot_switch_row_security_off(clinic):
    with clinic.app.connect() as connection, pytest.raises(DBAPIError, match="must be owner"):
        connection.execute(text("ALTER TABLE episodes DISABLE ROW LEVEL SECURITY"))


def facespasm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `facespasm ARGS...` in a fresh process, as a clinic's administrator would."""
    return subprocess.run(
        [sys.executable, "-m", "facespasm", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_db_grant_and_db_check_on_the_command_line(postgres_server):
    with clinic_database(postgres_server, "cli") as made:
        owner_url, app_url = made.url(made.owner_role), made.url(made.app_role)
        granted = facespasm("db", "grant", made.app_role, "--db", owner_url)
        assert (granted.returncode, granted.stderr) == (0, "")
        assert granted.stdout == (
            f"{made.app_role} may now read and write 11 tables of the diary and accounts, under "
            "row security, and read and add to (never change) audit_log.\n"
        )
        checked = facespasm("db", "check", "--db", app_url)
        assert (checked.returncode, checked.stderr) == (0, "")
        assert checked.stdout.startswith("Row security applies to this role")
        as_owner = facespasm("db", "check", "--db", owner_url)
        assert as_owner.returncode == 1
        assert as_owner.stderr.startswith(f"problem: the database role {made.owner_role} owns ")
        refused = facespasm("db", "grant", "postgres", "--db", owner_url)
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines() == [
            "facespasm: error: postgres is a superuser: row security would not apply to the app; "
            "give it a role of its own"
        ]
