"""Any record the diary accepts comes back from the database exactly: record -> row -> record.

On SQLite and PostgreSQL alike, for every value the bounds allow: dates from 1900 to a year
ahead, floats to the last bit, text in any script with line breaks, times with any offset.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

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
from facespasm.diary.models import Episode, TreatmentRecord
from facespasm.diary.records import REGIONS, SIDES, TREATMENT_KINDS, Day, Treatment
from facespasm.diary.store import add_treatment, day, log_episode, recent_episodes, record_day
from facespasm.diary.store import treatments as stored_treatments

DATES = st.dates(EARLIEST_DATE, latest_date())
# A day inside the range on every calendar: an offset or a time zone moves a time by under a day.
INNER_DATES = st.dates(EARLIEST_DATE + dt.timedelta(days=1), latest_date() - dt.timedelta(days=1))
NAMES = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=MAX_NAME_LENGTH)
# A note may keep its line breaks and tabs; no record holds other control characters.
NOTES = st.text(
    st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"), max_size=300
)
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"])
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def bounded(name: str) -> st.SearchStrategy[float | None]:
    low, high = LIMITS[name]
    return st.none() | st.floats(low, high, allow_nan=False, allow_infinity=False)


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
    )


@st.composite
def treatments(draw: st.DrawFn) -> Treatment:
    return Treatment(
        draw(DATES),
        draw(st.sampled_from(TREATMENT_KINDS)),
        side=draw(st.none() | st.sampled_from(SIDES)),
        dose_units=draw(st.none() | st.floats(0, MAX_DOSE_UNITS, allow_nan=False)),
        name=draw(st.none() | NAMES),
        note=draw(st.none() | NOTES),
    )


@st.composite
def moments(draw: st.DrawFn) -> dt.datetime:
    date = draw(INNER_DATES)
    time = draw(st.times())
    offset = dt.timezone(dt.timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60))))
    return dt.datetime.combine(date, time, tzinfo=offset)


@PROPERTY
@given(original=days())
def test_a_day_comes_back_as_it_was_recorded(engine, original):
    assert record_day(engine, original, replace=True) == original
    assert day(engine, original.date) == original


@PROPERTY
@given(original=treatments())
def test_a_treatment_comes_back_as_it_was_recorded(engine, original):
    with engine.begin() as connection:
        connection.execute(delete(TreatmentRecord))
    add_treatment(engine, original)
    assert stored_treatments(engine) == [original]


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
    engine, at, timezone, side, regions, severity, duration_s, note
):
    with engine.begin() as connection:
        connection.execute(delete(Episode))
    log_episode(
        engine, side=side, regions=regions, severity=severity, duration_s=duration_s,
        note=note, at=at, timezone=timezone,
    )  # fmt: skip
    (stored,) = recent_episodes(engine, 1)
    assert stored.occurred_at == at  # the same instant, to the microsecond
    assert stored.occurred_at.tzinfo == dt.UTC
    assert stored.local_date == at.astimezone(ZoneInfo(timezone)).date()
    assert (stored.timezone, stored.side, set(stored.regions)) == (timezone, side, regions)
    assert list(stored.regions) == [region for region in REGIONS if region in regions]
    assert (stored.severity, stored.duration_s, stored.note) == (severity, duration_s, note)
