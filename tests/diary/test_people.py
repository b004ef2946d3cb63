"""A diary belongs to a person: two people on one database never see or change each other's entries.

Every kind of entry, on SQLite and PostgreSQL: what one writes, the other does not read; an id of
the other's entry is "not found" to read, edit or delete, and stays as it was.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import delete

from facespasm.diary.csv_io import export_csv, import_csv
from facespasm.diary.models import DEFAULT_PERSON_ID, People
from facespasm.diary.people import add_person, person_named
from facespasm.diary.records import CSV_COLUMNS, Day, Rating, Treatment
from facespasm.errors import InputError, NotFoundError
from tests.diary.conftest import snapshot

DATE = dt.date(2026, 3, 1)
NOON = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
ANALYSIS = {"summary": {"face_minutes": 0.5, "events_by_side": {"spasm_left": 4}}}
ASSESSMENT = {"triage": {"level": "see_doctor"}, "conditions": [{"id": "myokymia"}]}


def write_everything(diary, note: str) -> dict[str, int | None]:
    """One entry of every kind, each marked with `note` where it has one; their ids."""
    diary.days.record(Day(DATE, episodes=3, sleep_hours=6, note=note))
    return {
        "episode": diary.episodes.log(side="left", regions=["eyelid"], note=note, at=NOON,
                                      timezone="UTC"),
        "treatment": diary.treatments.add(Treatment(DATE, "botulinum_toxin", note=note)),
        "rating": diary.ratings.add(Rating(DATE, "jankovic", (("severity", 2),), 2, note=note)),
        "measurement": diary.measurements.save(ANALYSIS, at=NOON).id,
        "assessment": diary.assessments.save(ASSESSMENT, at=NOON).id,
    }  # fmt: skip


def everything(diary) -> dict[str, list]:
    return {
        "days": diary.days.all(),
        "episodes": diary.episodes.all(),
        "treatments": diary.treatments.all(),
        "ratings": diary.ratings.all(),
        "measurements": diary.measurements.all(),
        "assessments": diary.assessments.all(),
    }


def test_each_sees_only_their_own_entries_of_every_kind(diary, other):
    write_everything(diary, "mine")
    write_everything(other, "theirs")
    mine, theirs = everything(diary), everything(other)
    for kind in mine:
        assert len(mine[kind]) == len(theirs[kind]) == 1, kind
    assert mine["days"] == [Day(DATE, episodes=3, sleep_hours=6, note="mine")]
    assert theirs["days"] == [Day(DATE, episodes=3, sleep_hours=6, note="theirs")]
    for kind in ("episodes", "treatments", "ratings"):
        assert mine[kind][0].note == "mine" and theirs[kind][0].note == "theirs", kind
        assert mine[kind][0].id != theirs[kind][0].id


def test_the_same_date_is_a_day_of_each_and_writing_one_never_overwrites_the_other(diary, other):
    diary.days.record(Day(DATE, stress_0_10=9))
    other.days.record(Day(DATE, stress_0_10=1))
    diary.days.record(Day(DATE, stress_0_10=8), replace=True)
    diary.days.edit(DATE, {"sleep_hours": 4})
    assert other.days.get(DATE) == Day(DATE, stress_0_10=1)
    diary.days.delete(DATE)
    assert other.days.get(DATE) == Day(DATE, stress_0_10=1)


@pytest.mark.parametrize("kind", ["episode", "treatment", "rating", "measurement", "assessment"])
def test_an_id_of_someone_elses_entry_is_not_found_and_stays_as_it_was(diary, other, kind):
    theirs = write_everything(other, "theirs")[kind]
    entries = getattr(diary, f"{kind}s")
    before = snapshot(diary.engine)
    with pytest.raises(NotFoundError, match=f"no {kind} {theirs} in this diary"):
        entries.get(theirs)
    with pytest.raises(NotFoundError):
        entries.delete(theirs)
    if hasattr(entries, "edit"):
        with pytest.raises(NotFoundError):
            entries.edit(theirs, {"note": "mine now"})
    if hasattr(entries, "result"):
        with pytest.raises(NotFoundError):
            entries.result(theirs)
    assert snapshot(diary.engine) == before


def test_one_tap_dates_and_comparisons_find_only_ones_own(diary, other):
    other.treatments.add(Treatment(DATE, "botulinum_toxin"))
    with pytest.raises(NotFoundError, match="no botulinum toxin injection on or before"):
        diary.treatments.report_onset(DATE + dt.timedelta(days=5))
    theirs = other.assessments.save(ASSESSMENT).id
    diary.assessments.save(ASSESSMENT)
    with pytest.raises(NotFoundError):
        diary.assessments.compare(theirs)


def test_someone_elses_logged_episodes_never_count_as_ones_own(diary, other):
    # One who only imports counts has unknown, not zero, episodes on a blank day -- whatever
    # someone else logs.
    other.episodes.log(side="left", regions=["eyelid"], at=NOON, timezone="UTC")
    diary.days.record(Day(DATE, sleep_hours=7))
    assert diary.days.all() == [Day(DATE, episodes=None, sleep_hours=7)]
    assert diary.days.page(limit=5) == [Day(DATE, episodes=None, sleep_hours=7)]


def test_a_spreadsheet_goes_to_ones_own_diary(diary, other):
    other.days.record(Day(DATE, episodes=7, note="theirs"))
    sheet = ",".join(CSV_COLUMNS) + f"\n{DATE},2,,,,,,\n"
    assert import_csv(diary, io.StringIO(sheet)) == 1
    assert other.days.all() == [Day(DATE, episodes=7, note="theirs")]
    exported = io.StringIO()
    export_csv(diary, exported)
    assert exported.getvalue() == sheet


def test_a_persons_entries_go_with_them(diary, other, engine):
    write_everything(other, "theirs")
    write_everything(diary, "mine")
    before = everything(diary)
    with engine.begin() as connection:
        connection.execute(delete(People).where(People.id == other.person))
    assert everything(diary) == before
    assert all(not entries for entries in everything(other).values())


def test_people_are_named_once(engine):
    assert person_named(engine, "default") == DEFAULT_PERSON_ID
    ana = add_person(engine, "ana@example.org")
    assert person_named(engine, "ana@example.org") == ana != DEFAULT_PERSON_ID
    with pytest.raises(InputError, match=r"already a person called 'ana@example\.org'"):
        add_person(engine, "ana@example.org")
    with pytest.raises(InputError, match="a person needs a name"):
        add_person(engine, " ")
    with pytest.raises(NotFoundError):
        person_named(engine, "nobody")
