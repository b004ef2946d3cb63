"""Any record the diary accepts comes back from the database exactly: record -> row -> record.

For every kind of record -- day, episode, treatment, rating, measurement, kept assessment and the
whole result behind the last two -- on SQLite and PostgreSQL alike, for every value the bounds
allow: dates from 1900 to a year ahead, floats to the last bit, text in any script with line
breaks, times with any offset, a treatment's units by side and site, a medicine's last day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from facespasm.diary.bounds import (
    EARLIEST_DATE,
    LIMITS,
    MAX_DOSE_UNITS,
    MAX_EPISODE_SECONDS,
    MAX_NAME_LENGTH,
    latest_date,
)
from facespasm.diary.models import DayFactors, Episodes, Ratings, SavedResults, Treatments
from facespasm.diary.records import CARE_LEVELS, REGIONS, SIDES, Day, Rating, Treatment
from facespasm.diary.rows import OWNER, RECORD_TABLES
from facespasm.diary.validation import MAX_RATING_ANSWER, MAX_SITE_LENGTH, MAX_SITES

DATES = st.dates(EARLIEST_DATE, latest_date())
# A day inside the range on every calendar: an offset or a time zone moves a time by under a day.
INNER_DATES = st.dates(EARLIEST_DATE + dt.timedelta(days=1), latest_date() - dt.timedelta(days=1))
LINE = st.characters(exclude_categories=("Cc", "Cs"))
NAMES = st.text(LINE, max_size=MAX_NAME_LENGTH)
# A note may keep its line breaks and tabs; no record holds other control characters.
NOTES = st.text(LINE | st.sampled_from("\t\n\r"), max_size=300)
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"])
UNITS = st.floats(0, MAX_DOSE_UNITS / MAX_SITES, allow_nan=False)
IDS = st.from_regex(r"[a-z][a-z0-9_]{0,39}", fullmatch=True)
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def bounded(name: str) -> st.SearchStrategy[float | None]:
    low, high = LIMITS[name]
    return st.none() | st.floats(low, high, allow_nan=False, allow_infinity=False)


def emptied(diary, *tables) -> None:
    with diary.engine.begin() as connection:
        for table in tables:
            connection.execute(delete(table))


@st.composite
def days(draw: st.DrawFn) -> Day:
    return Day(
        draw(DATES),
        episodes=draw(st.none() | st.integers(0, int(LIMITS["episodes"][1]))),
        sleep_hours=draw(bounded("sleep_hours")),
        caffeine_drinks=draw(bounded("caffeine_drinks")),
        alcohol_drinks=draw(bounded("alcohol_drinks")),
        stress_0_10=draw(bounded("stress_0_10")),
        screen_hours=draw(bounded("screen_hours")),
        nicotine=draw(st.none() | st.booleans()),
        note=draw(st.none() | NOTES),
    )


@st.composite
def treatments(draw: st.DrawFn) -> Treatment:
    date = draw(DATES)
    later = st.none() | st.dates(date, latest_date())
    kind: Any = draw(
        st.sampled_from(["botulinum_toxin", "medication", "microvascular_decompression"])
    )
    side = draw(st.none() | st.sampled_from(SIDES))
    common: dict[str, Any] = {
        "side": side,
        "name": draw(st.none() | NAMES),
        "note": draw(st.none() | NOTES),
    }
    if kind == "medication":
        dose = draw(st.none() | st.floats(0, MAX_DOSE_UNITS, allow_nan=False))
        return Treatment(date, kind, dose_units=dose, until=draw(later), **common)
    if kind != "botulinum_toxin":
        return Treatment(date, kind, **common)
    left = None if side == "right" else draw(st.none() | UNITS)
    right = None if side == "left" else draw(st.none() | UNITS)
    sites = draw(
        st.lists(st.tuples(st.text(LINE, min_size=1, max_size=MAX_SITE_LENGTH), UNITS),
                 max_size=MAX_SITES // 2)
    )  # fmt: skip
    onset = draw(later)
    return Treatment(
        date, kind, dose_units=MAX_DOSE_UNITS, units_left=left, units_right=right,
        sites=tuple(sites), reported_onset=onset,
        reported_wear_off=draw(st.none() | st.dates(onset or date, latest_date())), **common,
    )  # fmt: skip


@st.composite
def ratings(draw: st.DrawFn) -> Rating:
    items = draw(st.lists(IDS, unique=True, max_size=8))
    answers = tuple((item, draw(st.integers(0, MAX_RATING_ANSWER))) for item in items)
    score = draw(st.floats(0, 1_000, allow_nan=False))
    return Rating(draw(DATES), draw(IDS), answers, score, note=draw(st.none() | NOTES))


@st.composite
def moments(draw: st.DrawFn) -> dt.datetime:
    date = draw(INNER_DATES)
    time = draw(st.times())
    offset = dt.timezone(dt.timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60))))
    return dt.datetime.combine(date, time, tzinfo=offset)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False,
    allow_infinity=False) | st.text(LINE, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(LINE, max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip


@st.composite
def analyses(draw: st.DrawFn) -> dict:
    """A video analysis's JSON: a summary with the numbers a measurement is made of, and more."""
    minutes = draw(st.floats(0, 10, allow_nan=False))
    return {
        "summary": {
            "face_minutes": minutes,
            "blink_rate_per_min": draw(st.none() | st.floats(0, 200, allow_nan=False)),
            "events_by_side": {
                "spasm_left": draw(st.integers(0, 500)),
                "spasm_right": draw(st.integers(0, 500)),
                "flicker_left": draw(st.integers(0, 50)),
            },
            "eyes_closed_s": draw(st.floats(0, minutes * 60, allow_nan=False)),
        },
        "events": draw(st.lists(JSON, max_size=3)),
        "anything else": draw(JSON),
    }


@st.composite
def assessments(draw: st.DrawFn) -> dict:
    """An assessment's JSON: a care level, causes by probability, evidence, and more."""
    return {
        "triage": {"level": draw(st.sampled_from(CARE_LEVELS)), "complete": draw(st.booleans())},
        "conditions": draw(
            st.lists(st.fixed_dictionaries({"id": IDS, "probability": st.floats(0, 1)}), max_size=3)
        ),
        "evidence": draw(st.dictionaries(IDS, st.fixed_dictionaries({"value": JSON}), max_size=4)),
        "text": draw(st.none() | st.text(LINE, max_size=200)),
    }


@pytest.mark.parametrize("kind", RECORD_TABLES, ids=lambda kind: kind.record.__name__)
def test_every_field_is_a_column_and_every_column_a_field(kind):
    columns = set(kind.table.c.keys()) - {OWNER}
    if "id" not in kind.fields:  # a day is known by its person and date
        columns -= {"id"}
    assert set(kind.fields) == columns


@PROPERTY
@given(original=days())
def test_a_day_comes_back_as_it_was_recorded(diary, original):
    emptied(diary, DayFactors)
    assert diary.days.record(original, replace=True) == original
    assert diary.days.get(original.date) == original


@PROPERTY
@given(original=treatments())
def test_a_treatment_comes_back_as_it_was_recorded(diary, original):
    emptied(diary, Treatments)
    new_id = diary.treatments.add(original)
    assert diary.treatments.all() == [dataclasses.replace(original, id=new_id)]


@PROPERTY
@given(original=ratings())
def test_a_rating_comes_back_as_it_was_given(diary, original):
    emptied(diary, Ratings)
    new_id = diary.ratings.add(original)
    assert diary.ratings.get(new_id) == dataclasses.replace(original, id=new_id)


@PROPERTY
@given(
    at=moments(),
    timezone=ZONES,
    side=st.sampled_from(SIDES),
    regions=st.sets(st.sampled_from(REGIONS), min_size=1),
    severity=st.none() | st.integers(0, 10),
    duration_s=st.none() | st.floats(0, MAX_EPISODE_SECONDS, allow_nan=False),
    note=st.none() | NOTES,
)
def test_an_episode_comes_back_as_it_was_logged(
    diary, at, timezone, side, regions, severity, duration_s, note
):
    emptied(diary, Episodes)
    diary.episodes.log(
        side=side, regions=regions, severity=severity, duration_s=duration_s,
        note=note, at=at, timezone=timezone,
    )  # fmt: skip
    (stored,) = diary.episodes.all()
    assert stored.occurred_at == at  # the same instant, to the microsecond
    assert stored.occurred_at.tzinfo == dt.UTC
    assert stored.local_date == at.astimezone(ZoneInfo(timezone)).date()
    assert (stored.timezone, stored.side, set(stored.regions)) == (timezone, side, regions)
    assert list(stored.regions) == [region for region in REGIONS if region in regions]
    assert (stored.severity, stored.duration_s, stored.note) == (severity, duration_s, note)
    assert diary.episodes.get(stored.id) == stored


@PROPERTY
@given(analysis=analyses(), at=moments(), timezone=ZONES)
def test_a_kept_analysis_comes_back_whole_with_its_measurement(diary, analysis, at, timezone):
    emptied(diary, SavedResults)
    measurement = diary.measurements.save(analysis, at=at, timezone=timezone)
    assert diary.measurements.all() == [measurement]
    assert measurement.measured_at == at
    assert measurement.local_date == at.astimezone(ZoneInfo(timezone)).date()
    kept = diary.measurements.result(measurement.id)
    assert (kept.kind, kept.result, kept.created_at) == ("video", analysis, at)


@PROPERTY
@given(result=assessments(), at=moments(), timezone=ZONES)
def test_a_kept_assessment_comes_back_whole_with_its_headline(diary, result, at, timezone):
    emptied(diary, SavedResults)
    headline = diary.assessments.save(result, at=at, timezone=timezone)
    assert diary.assessments.all() == [headline]
    assert headline.care_level == result["triage"]["level"]
    assert headline.top_cause == (result["conditions"][0]["id"] if result["conditions"] else None)
    kept = diary.assessments.result(headline.id)
    assert (kept.kind, kept.result, kept.created_at) == ("assessment", result, at)
