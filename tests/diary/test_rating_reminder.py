"""The rating reminder: every how many days a person wants to rate, kept per person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from facespasm.diary.people import add_person
from facespasm.diary.records import Rating
from facespasm.diary.reviewed import load_diary_knowledge
from facespasm.diary.store import Diary
from facespasm.errors import InputError

TODAY = dt.date(2026, 5, 20)


def _rate(diary: Diary, on: dt.date) -> None:
    diary.ratings.add(Rating(on, "jrs", (("severity", 2), ("frequency", 2)), 4.0))


def test_never_rated_is_due_today_at_the_default_interval(diary: Diary) -> None:
    due = diary.ratings.reminder(today=TODAY)
    assert (due.due, due.due_on, due.interval_days) == (True, TODAY, 3)


def test_the_chosen_interval_is_kept_and_decides_when_it_is_due(diary: Diary) -> None:
    _rate(diary, TODAY - dt.timedelta(days=5))
    assert diary.ratings.reminder(today=TODAY).days_overdue == 2  # default 3 days
    diary.ratings.set_reminder(7)
    due = diary.ratings.reminder(today=TODAY)
    assert (due.due, due.due_on, due.interval_days) == (False, TODAY + dt.timedelta(days=2), 7)


def test_each_person_has_their_own_interval(diary: Diary) -> None:
    other = Diary(diary.engine, add_person(diary.engine, "someone else"))
    diary.ratings.set_reminder(5)
    other.ratings.set_reminder(4)
    _rate(other, TODAY)
    assert diary.ratings.reminder(today=TODAY).interval_days == 5
    assert diary.ratings.reminder(today=TODAY).due  # the other person's rating is not theirs
    assert other.ratings.reminder(today=TODAY).interval_days == 4
    assert not other.ratings.reminder(today=TODAY).due


@pytest.mark.parametrize(
    "days",
    [
        2,  # under the bound
        8,  # over it
        True,  # not a number of days
        3.5,  # not whole
    ],
)
def test_an_interval_outside_the_bounds_is_refused(diary: Diary, days: object) -> None:
    with pytest.raises(InputError, match="3 to 7 days"):
        diary.ratings.set_reminder(days)  # type: ignore[arg-type]
    assert diary.ratings.reminder(today=TODAY).interval_days == 3


def test_the_database_refuses_an_interval_out_of_bounds(diary: Diary) -> None:
    with pytest.raises(IntegrityError), diary.engine.begin() as connection:
        connection.execute(text("UPDATE people SET rating_every_days = 9 WHERE id = 1"))


def test_the_database_bounds_are_the_reviewed_ones() -> None:
    reminder = load_diary_knowledge().ratings.reminder
    assert (reminder.min_days, reminder.max_days) == (3, 7)
