"""Dates stored before the range was enforced never break the statistics: left out, with a note.

An older facespasm accepted any date; a diary holding a day at 0001-01-01 or an injection on
9999-12-31 made `diary triggers`, `diary cycles` and `/diary/triggers` fail from then on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import insert

from facespasm.diary.cycles import toxin_cycles
from facespasm.diary.models import DEFAULT_PERSON_ID, DayFactors, Treatments
from facespasm.diary.plots import plot_history
from facespasm.diary.records import Day, Treatment
from facespasm.diary.triggers import trigger_analysis

START = dt.date(2026, 1, 1)


@pytest.fixture
def odd_diary(diary):
    """Three weeks of ordinary days and an injection, plus a day and an injection out of range."""
    for n in range(21):
        diary.days.record(Day(START + dt.timedelta(days=n), n % 4, 7.0 - n % 3, float(n % 5)))
    me = {"person_id": DEFAULT_PERSON_ID}
    with diary.engine.begin() as connection:  # as an older version (or another program) wrote
        connection.execute(insert(DayFactors), [{**me, "date": dt.date(1, 1, 1), "episodes": 3}])
        connection.execute(
            insert(Treatments),
            [
                {**me, "date": dt.date(9999, 12, 31), "kind": "botulinum_toxin"},
                {**me, "date": START + dt.timedelta(days=10), "kind": "botulinum_toxin"},
            ],
        )
    return diary


def test_triggers_leave_the_odd_day_out_and_say_so(odd_diary):
    report = trigger_analysis(odd_diary.days.all())
    assert report.model is not None  # the ordinary days were analysed
    assert report.notes[0].startswith("1 day dated outside 1900-01-01 to ")
    assert report.notes[0].endswith("left out of the analysis (0001-01-01)")


def test_cycles_leave_the_odd_injection_out(odd_diary):
    cycles = toxin_cycles(odd_diary.days.all(), odd_diary.treatments.all())
    assert [cycle.injection for cycle in cycles] == [START + dt.timedelta(days=10)]


def test_the_history_chart_is_drawn_without_them(odd_diary, tmp_path):
    assert plot_history(
        odd_diary.days.all(), odd_diary.treatments.all(), tmp_path / "h.png"
    ).exists()


def test_the_odd_records_stay_in_the_diary(odd_diary):
    # They are the person's: the analysis leaves them out, the diary keeps (and exports) them.
    assert odd_diary.days.all()[0].date == dt.date(1, 1, 1)
    odd = Treatment(dt.date(9999, 12, 31), "botulinum_toxin")
    assert odd in [dataclasses.replace(t, id=None) for t in odd_diary.treatments.all()]


def test_a_valid_time_whose_day_is_just_before_1900_is_kept_and_left_out(diary):
    # Valid as written (the schema allows it), but still 31 December 1899 in Los Angeles.
    at = dt.datetime(1900, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    diary.episodes.log(side="left", regions=["eyelid"], at=at, timezone="America/Los_Angeles")
    assert diary.days.all() == [Day(dt.date(1899, 12, 31), episodes=1)]
    report = trigger_analysis(diary.days.all())
    assert any("1 day dated outside 1900-01-01" in note for note in report.notes)
