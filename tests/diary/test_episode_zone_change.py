"""Changing an episode's time zone alone keeps its instant and moves only the person's day.

A time is checked on its wall-clock date as written (`local_time.local_instant`); the stored UTC
instant of a valid time may lie on 31 December 1899 (1900-01-01T00:30 in Berlin), so checking it
again when only the zone changes refused a valid episode with "time: 1899-12-31 is before
1900-01-01" -- what schemathesis found on `PATCH /api/v1/diary/episodes/{id}`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm.errors import InputError


def test_a_new_zone_alone_keeps_an_instant_before_1900_in_utc(diary):
    logged = diary.episodes.log(
        side="left", regions=["eyelid"], at=dt.datetime(1900, 1, 1, 0, 30), timezone="Europe/Berlin"
    )
    stored = diary.episodes.get(logged)
    assert stored.occurred_at.date() == dt.date(1899, 12, 31)  # UTC
    assert stored.local_date == dt.date(1900, 1, 1)  # Berlin's day
    moved = diary.episodes.edit(logged, {"timezone": "UTC"})
    assert moved.occurred_at == stored.occurred_at
    assert (moved.timezone, moved.local_date) == ("UTC", dt.date(1899, 12, 31))


def test_a_new_zone_files_the_same_instant_on_that_zones_day(diary):
    logged = diary.episodes.log(
        side="right", regions=["cheek"], at=dt.datetime(2026, 3, 1, 23, 30), timezone="UTC"
    )
    moved = diary.episodes.edit(logged, {"timezone": "Asia/Tokyo"})
    assert moved.occurred_at == dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert moved.local_date == dt.date(2026, 3, 2)


def test_a_new_time_is_still_checked_as_written(diary):
    logged = diary.episodes.log(side="left", regions=["eyelid"], timezone="UTC")
    with pytest.raises(InputError, match=r"time: 1899-12-31 is before 1900-01-01"):
        diary.episodes.edit(logged, {"at": dt.datetime(1899, 12, 31, 23, 0, tzinfo=dt.UTC)})
