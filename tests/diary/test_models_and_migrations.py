"""The schema: migrations go up, down and up again, match the models, and refuse impossible values."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from facespasm.diary.database import (
    ENV_VAR,
    HEAD,
    MIGRATIONS,
    VERSION_TABLE,
    database_url,
    downgrade_schema,
    open_database,
    schema_revision,
    upgrade_schema,
)
from facespasm.diary.models import (
    DEFAULT_PERSON_ID,
    Assessments,
    Base,
    DayFactors,
    Episodes,
    Measurements,
    People,
    Ratings,
    SavedResults,
    Treatments,
)
from facespasm.diary.people import add_person
from facespasm.errors import InputError

DIARY_TABLES = {table.name for table in Base.metadata.sorted_tables}
NOON = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
ME = {"person_id": DEFAULT_PERSON_ID}


def diary_tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & DIARY_TABLES


def test_migrations_upgrade_downgrade_upgrade(db_url):
    engine = open_database(db_url, schema="as_is")
    try:
        assert schema_revision(engine) is None
        upgrade_schema(engine)
        assert schema_revision(engine) == HEAD
        assert diary_tables(engine) == DIARY_TABLES
        downgrade_schema(engine)
        assert schema_revision(engine) is None
        assert diary_tables(engine) == set()
        upgrade_schema(engine)
        assert diary_tables(engine) == DIARY_TABLES
        assert schema_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_head_is_the_newest_migration():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


def test_opening_again_keeps_the_data(db_url):
    first = open_database(db_url, schema="upgrade")
    with first.begin() as connection:
        connection.execute(
            insert(Treatments), {**ME, "date": dt.date(2024, 1, 1), "kind": "medication"}
        )
    first.dispose()
    second = open_database(db_url)
    with second.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM treatments")).scalar_one() == 1
    second.dispose()


def test_models_match_the_migrations(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_migrated_check_constraints_are_the_models(engine):
    # Alembic's comparison leaves CHECK constraints out; they are the second line of the bounds.
    migrated = inspect(engine)
    for table in Base.metadata.sorted_tables:
        modelled = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
        found = {c["name"] for c in migrated.get_check_constraints(table.name)}
        assert found == modelled, table.name


def test_migrations_ship_inside_the_package():
    # The wheel packages everything under src/facespasm; nothing is read from an alembic.ini.
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
    assert (MIGRATIONS / "versions" / "0002_people.py").is_file()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'd.sqlite3'}", schema="upgrade")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


EPISODE = {
    **ME,
    "occurred_at": NOON,
    "local_date": NOON.date(),
    "timezone": "UTC",
    "side": "left",
    "regions": "eyelid",
}


DAY = {**ME, "date": NOON.date()}
TREATMENT = {**ME, "date": NOON.date(), "kind": "medication"}
RESULT = {**ME, "kind": "video", "created_at": NOON, "local_date": NOON.date(), "timezone": "UTC",
          "result": "{}"}  # fmt: skip
HEADLINE = {**ME, "local_date": NOON.date(), "timezone": "UTC", "result_id": 1}


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Episodes, {**EPISODE, "severity": 11}),  # severity above 10
        (Episodes, {**EPISODE, "severity": -1}),  # severity below 0
        (Episodes, {**EPISODE, "side": "upper"}),  # not a side
        (Episodes, {**EPISODE, "regions": ""}),  # no region
        (Episodes, {**EPISODE, "duration_s": -0.5}),  # negative duration
        (Episodes, {**EPISODE, "person_id": 99}),  # nobody's
        (DayFactors, {**DAY, "stress_0_10": 10.5}),  # stress above 10
        (DayFactors, {**DAY, "sleep_hours": 25}),  # more than a day of sleep
        (DayFactors, {**DAY, "sleep_hours": -1}),  # negative sleep
        (DayFactors, {**DAY, "caffeine_drinks": -1}),  # negative count
        (DayFactors, {**DAY, "alcohol_drinks": -2}),  # negative count
        (DayFactors, {**DAY, "screen_hours": -1}),  # negative hours
        (DayFactors, {**DAY, "episodes": -3}),  # negative episodes
        (Treatments, {**TREATMENT, "kind": "acupuncture"}),  # unknown kind
        (Treatments, {**TREATMENT, "dose_units": -5}),  # negative dose
        (Treatments, {**TREATMENT, "units_left": -1}),  # negative units on a side
        (Treatments, {**TREATMENT, "until": dt.date(2024, 4, 30)}),  # ends before it starts
        (Treatments, {**TREATMENT, "reported_wear_off": dt.date(2024, 4, 1)}),  # before it
        (Ratings, {**ME, "date": NOON.date(), "scale": "", "answers": "[]", "score": 1}),
        (Ratings, {**ME, "date": NOON.date(), "scale": "x", "answers": "[]", "score": -1}),
        (SavedResults, {**RESULT, "kind": "x"}),  # neither an assessment nor a video
        (
            Measurements,
            {**HEADLINE, "measured_at": NOON, "face_minutes": 1, "eyes_closed_pct": 101},
        ),
        (Assessments, {**HEADLINE, "assessed_at": NOON, "care_level": "panic", "complete": False}),
        (People, {"name": ""}),  # a person without a name
    ],
)
def test_the_database_refuses_impossible_values(engine, model, values):
    if "result_id" in values:
        with engine.begin() as connection:
            connection.execute(insert(SavedResults), {**RESULT, "id": 1})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(model), values)


def test_a_date_has_one_row_of_factors_per_person(engine):
    other = add_person(engine, "someone else")
    with engine.begin() as connection:
        connection.execute(insert(DayFactors), [DAY, {**DAY, "person_id": other}])
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(DayFactors), DAY)


def test_times_come_back_as_aware_utc(engine):
    berlin_evening = dt.datetime(2024, 5, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with engine.begin() as connection:
        connection.execute(insert(Episodes), {**EPISODE, "occurred_at": berlin_evening})
    with engine.connect() as connection:
        stored = connection.execute(Episodes.__table__.select()).one().occurred_at
    assert stored == berlin_evening
    assert stored.tzinfo == dt.UTC
    assert stored.hour == 21


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),  # no scheme at all
        ("nosuchdb://host/x", "cannot use database nosuchdb://host/x"),  # unknown dialect
        ("sqlite:////no/such/folder/diary.sqlite3", "unable to open database file"),
        # nothing listens on port 1; the password is never shown
        ("postgresql+psycopg://me:secret@127.0.0.1:1/diary", "cannot open database"),
    ],
)
def test_a_bad_or_unreachable_database_is_a_one_line_input_error(url, message):
    with pytest.raises(InputError) as caught:
        open_database(url)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_the_url_comes_from_the_option_then_the_environment_then_the_data_folder(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    default = database_url(None)
    assert default == f"sqlite:///{tmp_path / 'data' / 'facespasm' / 'diary.sqlite3'}"
    assert (tmp_path / "data" / "facespasm").is_dir()
    monkeypatch.setenv(ENV_VAR, "sqlite:///from-env.sqlite3")
    assert database_url(None) == "sqlite:///from-env.sqlite3"
    assert database_url("sqlite:///explicit.sqlite3") == "sqlite:///explicit.sqlite3"


def test_importing_facespasm_does_not_import_sqlalchemy():
    code = "import sys, facespasm; print('sqlalchemy' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "False"
