"""A long diary is read a page at a time, and one day alone; a write reads back only its own day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from facespasm.diary.records import Day, Treatment

START = dt.date(2025, 1, 1)


def at(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@pytest.fixture
def diary(diary):
    """Ten days: factors on the even ones, a logged twitch on every third (so some days have only
    a twitch, some only factors, some both)."""
    for n in range(0, 10, 2):
        diary.days.record(Day(at(n), sleep_hours=7.0))
    for n in range(0, 10, 3):
        diary.episodes.log(side="left", regions=["eyelid"], at=dt.datetime(2025, 1, 1 + n, 12),
                           timezone="UTC")  # fmt: skip
    return diary


def test_pages_of_days_cover_the_diary_once_in_order(diary):
    every_day = diary.days.all()
    assert [d.date for d in every_day] == [at(n) for n in (0, 2, 3, 4, 6, 8, 9)]
    pages = [diary.days.page(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [d for page in pages for d in page] == every_day  # counts and factors alike


def test_newest_days_first(diary):
    newest = diary.days.page(limit=2, newest_first=True)
    assert newest == diary.days.all()[::-1][:2]
    assert diary.days.page(limit=2, offset=2, newest_first=True) == diary.days.all()[::-1][2:4]


def test_one_day_alone_has_the_same_count_as_in_the_whole_diary(diary):
    for stored in diary.days.all():
        assert diary.days.get(stored.date) == stored
    # A day with factors but no twitch logged counts 0 for someone who logs twitches at all.
    assert diary.days.get(at(2)) == Day(at(2), episodes=0, sleep_hours=7.0)
    assert diary.days.get(at(1)) is None


def test_recording_a_day_reads_back_only_that_day(diary):
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(diary.engine, "before_cursor_execute", seen)
    try:
        stored = diary.days.record(Day(at(4), stress_0_10=3.0))
    finally:
        event.remove(diary.engine, "before_cursor_execute", seen)
    assert stored == Day(at(4), episodes=0, sleep_hours=7.0, stress_0_10=3.0)
    reads = [s for s in statements if s.upper().startswith("SELECT")]
    assert reads, statements
    for read in reads:  # every read is bounded to the day (or asks whether any episode exists)
        assert " WHERE " in read.upper() or " LIMIT " in read.upper(), read


def test_pages_of_treatments_and_episodes(diary):
    for n in range(5):
        diary.treatments.add(Treatment(at(n * 10), "medication", name=f"dose {n}"))
    oldest_first = diary.treatments.all()
    assert diary.treatments.page(limit=2, offset=1) == oldest_first[1:3]
    assert diary.treatments.page(limit=2, newest_first=True) == oldest_first[::-1][:2]
    everything = diary.episodes.page(limit=10, newest_first=True)
    assert diary.episodes.page(limit=2, offset=2, newest_first=True) == everything[2:4]
