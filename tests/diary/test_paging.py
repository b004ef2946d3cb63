"""A long diary is read a page at a time, and one day alone; a write reads back only its own day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from facespasm.diary.records import Day, Treatment
from facespasm.diary.store import (
    add_treatment,
    day,
    days,
    log_episode,
    recent_episodes,
    record_day,
    treatments,
)

START = dt.date(2025, 1, 1)


def at(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@pytest.fixture
def diary(engine):
    """Ten days: factors on the even ones, a logged twitch on every third (so some days have only
    a twitch, some only factors, some both)."""
    for n in range(0, 10, 2):
        record_day(engine, Day(at(n), sleep_hours=7.0))
    for n in range(0, 10, 3):
        log_episode(engine, side="left", regions=["eyelid"], at=dt.datetime(2025, 1, 1 + n, 12),
                    timezone="UTC")  # fmt: skip
    return engine


def test_pages_of_days_cover_the_diary_once_in_order(diary):
    every_day = days(diary)
    assert [d.date for d in every_day] == [at(n) for n in (0, 2, 3, 4, 6, 8, 9)]
    pages = [days(diary, limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [d for page in pages for d in page] == every_day  # counts and factors alike


def test_newest_days_first(diary):
    newest = days(diary, limit=2, newest_first=True)
    assert newest == days(diary)[::-1][:2]
    assert days(diary, limit=2, offset=2, newest_first=True) == days(diary)[::-1][2:4]


def test_one_day_alone_has_the_same_count_as_in_the_whole_diary(diary):
    for stored in days(diary):
        assert day(diary, stored.date) == stored
    # A day with factors but no twitch logged counts 0 for someone who logs twitches at all.
    assert day(diary, at(2)) == Day(at(2), episodes=0, sleep_hours=7.0)
    assert day(diary, at(1)) is None


def test_recording_a_day_reads_back_only_that_day(diary):
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(diary, "before_cursor_execute", seen)
    try:
        stored = record_day(diary, Day(at(4), stress_0_10=3.0))
    finally:
        event.remove(diary, "before_cursor_execute", seen)
    assert stored == Day(at(4), episodes=0, sleep_hours=7.0, stress_0_10=3.0)
    reads = [s for s in statements if s.upper().startswith("SELECT")]
    assert reads, statements
    for read in reads:  # every read is bounded to the day (or asks whether any episode exists)
        assert " WHERE " in read.upper() or " LIMIT " in read.upper(), read


def test_pages_of_treatments_and_episodes(diary):
    for n in range(5):
        add_treatment(diary, Treatment(at(n * 10), "medication", name=f"dose {n}"))
    oldest_first = treatments(diary)
    assert treatments(diary, limit=2, offset=1) == oldest_first[1:3]
    assert treatments(diary, limit=2, newest_first=True) == oldest_first[::-1][:2]
    everything = recent_episodes(diary, limit=10)
    assert recent_episodes(diary, limit=2, offset=2) == everything[2:4]
