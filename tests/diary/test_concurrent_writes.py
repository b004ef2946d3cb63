"""Concurrent writers on PostgreSQL: rows locked in one order, and a lost deadlock retried.

Two imports of the same dates in opposite order deadlocked in 3 of 3 runs before imports wrote
in date order; a deadlock that still happens (writers that lock in different orders) is retried
by `run_write` in a fresh transaction.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from facespasm.diary.csv_io import import_csv
from facespasm.diary.database import is_conflict, run_write
from facespasm.diary.models import DayFactors
from facespasm.diary.records import CSV_COLUMNS, Day
from facespasm.diary.store import Diary

START = dt.date(2016, 1, 1)
DATES = [START + dt.timedelta(days=n) for n in range(3000)]


# Row-lock deadlocks are PostgreSQL's: SQLite has one writer at a time (BEGIN IMMEDIATE).
pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def postgres(engine):
    """The diary's engine on a fresh PostgreSQL schema."""
    return engine


def spreadsheet(path: Path, dates: list[dt.date], episodes: int) -> Path:
    rows = [f"{date},{episodes},7,1,0,3,4,0" for date in dates]
    path.write_text(",".join(CSV_COLUMNS) + "\n" + "\n".join(rows) + "\n")
    return path


def test_opposite_order_imports_of_the_same_dates_both_succeed(postgres, tmp_path):
    forwards = spreadsheet(tmp_path / "forwards.csv", DATES, episodes=1)
    backwards = spreadsheet(tmp_path / "backwards.csv", DATES[::-1], episodes=2)
    start = threading.Barrier(2)

    def run(path: Path) -> int:
        start.wait()
        return import_csv(Diary(postgres), path)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, [forwards, backwards]))

    assert results == [len(DATES), len(DATES)]
    stored = Diary(postgres).days.all()
    assert [day.date for day in stored] == DATES  # nothing lost
    # Each import is one transaction: the diary is one file or the other, never a mixture.
    assert {day.episodes for day in stored} in ({1}, {2})


def test_a_deadlock_is_retried_in_a_fresh_transaction(postgres):
    first, second = DATES[:2]
    for date in (first, second):
        Diary(postgres).days.record(Day(date, episodes=0))
    both_locked_one = threading.Barrier(2, timeout=10)
    attempts: list[str] = []

    def lock_in_order(name: str, dates: tuple[dt.date, dt.date], episodes: int) -> None:
        def work(connection) -> None:
            attempts.append(name)
            connection.execute(_set_episodes(dates[0], episodes))
            if attempts.count(name) == 1:
                both_locked_one.wait()  # each holds one row and wants the other's: a deadlock
            connection.execute(_set_episodes(dates[1], episodes))

        run_write(postgres, work)

    with ThreadPoolExecutor(2) as pool:
        done = [
            pool.submit(lock_in_order, "forwards", (first, second), 1),
            pool.submit(lock_in_order, "backwards", (second, first), 2),
        ]
        for future in done:
            future.result()  # neither failed

    assert sorted(attempts) == ["backwards", "backwards", "forwards"] or sorted(attempts) == [
        "backwards",
        "forwards",
        "forwards",
    ]
    with postgres.connect() as connection:
        stored = set(connection.scalars(select(DayFactors.episodes)).all())
    assert stored in ({1}, {2})  # the retried writer's values, on both rows


def test_a_conflict_beyond_the_attempts_is_raised(postgres):
    first, second = DATES[:2]
    for date in (first, second):
        Diary(postgres).days.record(Day(date, episodes=0))
    both_locked_one = threading.Barrier(2, timeout=10)

    def lock_in_order(dates: tuple[dt.date, dt.date]) -> None:
        def work(connection) -> None:
            connection.execute(_set_episodes(dates[0], 1))
            both_locked_one.wait()
            connection.execute(_set_episodes(dates[1], 1))

        run_write(postgres, work, attempts=1)

    with ThreadPoolExecutor(2) as pool:
        done = [
            pool.submit(lock_in_order, (first, second)),
            pool.submit(lock_in_order, (second, first)),
        ]
        errors = [future.exception() for future in done]

    failed = [error for error in errors if error is not None]
    assert len(failed) == 1
    assert isinstance(failed[0], DBAPIError)
    assert is_conflict(failed[0])


def _set_episodes(date: dt.date, episodes: int):
    return update(DayFactors).where(DayFactors.date == date).values(episodes=episodes)
