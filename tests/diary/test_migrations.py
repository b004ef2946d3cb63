"""Migrations run by a command, keep every row, and go back; a database not at head is said so.

On SQLite and PostgreSQL: a diary written at revision 0001 -- one diary for everyone -- becomes
the default person's at 0002, every row kept, its kept results listed as measurements and
assessments; going back keeps the default person's rows and refuses while anyone else has some.
Only the default local file is migrated on opening; any other database says, in one line, to
run `facespasm db upgrade`.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from facespasm.diary.database import (
    HEAD,
    VERSION_TABLE,
    default_url,
    downgrade_schema,
    open_configured,
    open_database,
    schema_revision,
    upgrade_schema,
)
from facespasm.diary.models import DEFAULT_PERSON_ID, UTCDateTime
from facespasm.diary.people import add_person
from facespasm.diary.records import Day, Episode, Treatment
from facespasm.diary.store import Diary
from facespasm.errors import InputError, OutdatedDatabaseError
from tests.diary.conftest import snapshot

NOON = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
ANALYSIS = {
    "summary": {
        "face_minutes": 0.5,
        "blink_rate_per_min": 22.0,
        "events_by_side": {"spasm_left": 3, "flicker_right": 2},
        "eyes_closed_s": 1.5,
    },
    "events": [],
}
ASSESSMENT = {
    "triage": {"level": "see_doctor_soon", "complete": True},
    "conditions": [{"id": "hemifacial_spasm", "probability": 0.9}],
}


def table(name: str, *columns: str, **typed: sa.types.TypeEngine) -> sa.TableClause:
    return sa.table(
        name, *(sa.column(c) for c in columns), *(sa.column(c, t) for c, t in typed.items())
    )


# The tables as revision 0001 had them (the models have moved on).
EPISODES = table("episodes", "timezone", "side", "regions", "severity", "note",
                 occurred_at=UTCDateTime(), local_date=sa.Date())  # fmt: skip
DAYS = table("day_factors", "episodes", "sleep_hours", "stress_0_10", "nicotine", "note",
             date=sa.Date())  # fmt: skip
TREATMENTS = table("treatments", "kind", "side", "dose_units", "name", "note", date=sa.Date())
RESULTS = table("saved_results", "kind", "timezone", "result", local_date=sa.Date(),
                created_at=UTCDateTime())  # fmt: skip


@pytest.fixture
def at_0001(db_url):
    """An engine on a diary written at revision 0001: days, episodes, treatments, results."""
    engine = open_database(db_url, schema="as_is")
    upgrade_schema(engine, "0001")
    with engine.begin() as connection:
        connection.execute(sa.insert(DAYS), [
            {"date": dt.date(2025, 6, 1), "episodes": None, "sleep_hours": 6.5, "stress_0_10": 7,
             "nicotine": False, "note": "exam"},
            {"date": dt.date(2025, 6, 2), "episodes": 4, "sleep_hours": None, "stress_0_10": None,
             "nicotine": None, "note": None},
        ])  # fmt: skip
        connection.execute(sa.insert(EPISODES), [
            {"occurred_at": NOON, "local_date": NOON.date(), "timezone": "UTC", "side": "left",
             "regions": "eyelid,cheek", "severity": 3, "note": "coffee"},
        ])  # fmt: skip
        connection.execute(sa.insert(TREATMENTS), [
            {"date": dt.date(2025, 5, 1), "kind": "botulinum_toxin", "side": "left",
             "dose_units": 20.0, "name": "onabotulinumtoxinA", "note": None},
        ])  # fmt: skip
        connection.execute(sa.insert(RESULTS), [
            {"kind": "video", "local_date": NOON.date(), "timezone": "UTC", "created_at": NOON,
             "result": json.dumps(ANALYSIS)},
            {"kind": "assessment", "local_date": NOON.date(), "timezone": "UTC",
             "created_at": NOON, "result": json.dumps(ASSESSMENT)},
            {"kind": "video", "local_date": NOON.date(), "timezone": "UTC", "created_at": NOON,
             "result": "{}"},  # kept by hand, without a summary
        ])  # fmt: skip
    yield engine
    engine.dispose()


def rows_at_0001(engine) -> dict[str, list[tuple]]:
    """Every row of the 0001 tables, in the 0001 columns (and their ids)."""
    with engine.connect() as connection:
        return {
            t.name: sorted(
                tuple(row) for row in connection.execute(sa.select(sa.column("id"), *t.c).select_from(t))
            )
            for t in (EPISODES, DAYS, TREATMENTS, RESULTS)
        }  # fmt: skip


def test_every_row_becomes_the_default_persons(at_0001):
    before = rows_at_0001(at_0001)
    upgrade_schema(at_0001)
    assert schema_revision(at_0001) == HEAD
    assert rows_at_0001(at_0001) == before  # every row, every value
    with at_0001.connect() as connection:
        for name in before:
            owners = connection.execute(text(f"SELECT DISTINCT person_id FROM {name}")).scalars()
            assert list(owners) == [DEFAULT_PERSON_ID], name
    diary = Diary(at_0001)
    assert diary.days.all() == [
        Day(dt.date(2025, 6, 1), episodes=1, sleep_hours=6.5, stress_0_10=7, nicotine=False,
            note="exam"),
        Day(dt.date(2025, 6, 2), episodes=4),
    ]  # fmt: skip
    assert diary.episodes.all() == [
        Episode(NOON, NOON.date(), "UTC", "left", ("eyelid", "cheek"), severity=3, note="coffee",
                id=1)
    ]  # fmt: skip
    assert diary.treatments.all() == [
        Treatment(dt.date(2025, 5, 1), "botulinum_toxin", side="left", dose_units=20.0,
                  name="onabotulinumtoxinA", id=1)
    ]  # fmt: skip


def test_results_kept_before_become_measurements_and_assessments(at_0001):
    upgrade_schema(at_0001)
    diary = Diary(at_0001)
    (measurement,) = diary.measurements.all()  # the result without a summary has no headline
    assert (measurement.measured_at, measurement.face_minutes) == (NOON, 0.5)
    assert (measurement.spasms_per_min_left, measurement.spasms_per_min_right) == (6.0, 0.0)
    assert (measurement.eyes_closed_pct, measurement.blink_rate_per_min) == (5.0, 22.0)
    assert measurement.id is not None
    assert diary.measurements.result(measurement.id).result == ANALYSIS
    # The migration's copy of the rules gives what the program gives today.
    assert diary.measurements.save(ANALYSIS, at=NOON).spasms_per_min_left == 6.0
    (assessment,) = diary.assessments.all()
    assert (assessment.care_level, assessment.complete) == ("see_doctor_soon", True)
    assert (assessment.top_cause, assessment.top_probability) == ("hemifacial_spasm", 0.9)


def test_the_next_person_gets_a_new_id(at_0001):
    upgrade_schema(at_0001)
    assert add_person(at_0001, "second") == DEFAULT_PERSON_ID + 1


def test_going_back_keeps_the_default_persons_rows(at_0001):
    before = rows_at_0001(at_0001)
    upgrade_schema(at_0001)
    Diary(at_0001).treatments.add(Treatment(dt.date(2025, 7, 1), "botulinum_toxin", units_left=5))
    downgrade_schema(at_0001, "0001")
    assert schema_revision(at_0001) == "0001"
    after = rows_at_0001(at_0001)
    assert {name: rows for name, rows in after.items() if name != "treatments"} == {
        name: rows for name, rows in before.items() if name != "treatments"
    }
    # The new injection stays, less what 0001 cannot hold (its units by side).
    assert after["treatments"] == [
        *before["treatments"],
        (2, "botulinum_toxin", None, None, None, None, dt.date(2025, 7, 1)),
    ]
    assert "people" not in sa.inspect(at_0001).get_table_names()
    upgrade_schema(at_0001)  # and forward again
    assert schema_revision(at_0001) == HEAD


def test_going_back_is_refused_while_someone_else_has_entries(at_0001):
    upgrade_schema(at_0001)
    Diary(at_0001, add_person(at_0001, "second")).days.record(Day(dt.date(2025, 6, 1), 1))
    before = snapshot(at_0001)
    with pytest.raises(InputError, match="day_factors holds rows of other people"):
        downgrade_schema(at_0001, "0001")
    assert schema_revision(at_0001) == HEAD
    assert snapshot(at_0001) == before


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        (None, "holds no diary yet: to create one, run `facespasm db upgrade`"),
        ("0001", f"is at schema 0001 and this facespasm needs {HEAD}: to migrate it, run "
                 "`facespasm db upgrade` with the same --db or $FACESPASM_DATABASE_URL"),
        ("0099", f"is at schema 0099, newer than this facespasm knows ({HEAD})"),
    ],
)  # fmt: skip
def test_a_database_not_at_head_is_refused_in_one_line(db_url, revision, message):
    engine = open_database(db_url, schema="as_is")
    if revision is not None:
        upgrade_schema(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '{revision}'"))
    with pytest.raises(OutdatedDatabaseError) as refused:
        open_database(db_url)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    with pytest.raises(OutdatedDatabaseError):
        open_configured(db_url)  # a database named by --db is never migrated on opening
    assert schema_revision(engine) == (revision if revision != "0099" else "0099")
    engine.dispose()


def test_the_default_file_is_created_and_migrated_on_first_use(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("FACESPASM_DATABASE_URL", raising=False)
    old = open_database(default_url(), schema="as_is")
    upgrade_schema(old, "0001")  # as an older facespasm left it
    old.dispose()
    engine = open_configured(None)
    assert engine.url.database == str(tmp_path / "facespasm" / "diary.sqlite3")
    assert schema_revision(engine) == HEAD
    engine.dispose()
