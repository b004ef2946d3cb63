"""Durations: how long it has been going on, in days, counted back from a fixed today."""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm.language import read
from facespasm.language.durations import find_durations
from facespasm.language.lexicon import load_lexicon
from facespasm.language.text import tokenise


def days(text: str, today: dt.date) -> float | None:
    value = read(text, today=today).evidence().value("duration_days")
    assert value is None or isinstance(value, float)
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("three weeks", 21),
        ("for 3 weeks", 21),
        ("2 days ago", 2),
        ("a few days", 3),
        ("a couple of weeks", 14),
        ("a couple weeks", 14),
        ("a month", 30),
        ("for a month now", 30),
        ("about a week ago", 7),
        ("for months", 60),  # a vague plural is a fixed amount
        ("for weeks", 14),
        ("six months", 180),
        ("half a year", 182.5),
        ("a year", 365),
        ("a year and a half", 547.5),
        ("for years", 730),
        ("on and off for years", 730),
        ("twenty days", 20),
        ("twelve weeks", 84),
        ("several weeks", 21),
        ("10 days", 10),
        ("2-3 weeks", 21),  # a range: the longer end
        ("two or three months", 90),
        ("the past month", 30),
        ("last week", 7),
        ("3 hours ago", 0.125),  # hours only with "ago"
    ],
)
def test_amounts_of_time(text: str, expected: float, today: dt.date) -> None:
    assert days(text, today) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since Monday", 1),  # today is a Tuesday
        ("since Sunday", 2),
        ("since last Friday", 4),
        ("since last Monday", 8),  # said on a Tuesday, "last Monday" is the week before
        ("since last week", 7),
        ("since yesterday", 1),
        ("since this morning", 0),
        ("since March", 268),  # from the first of the month
        ("since 3 March", 266),
        ("since March 3rd", 266),
        ("since the summer", 176),
        ("since Christmas", 334),  # last year's: this year's has not come
        ("since 2025", 692),
        ("it started on Friday", 4),
        ("it started in January", 327),
        ("yesterday", 1),
    ],
)
def test_points_in_time_count_back_from_today(text: str, expected: float, today: dt.date) -> None:
    assert days(text, today) == expected


def test_a_weekday_counts_back_a_whole_week_when_it_is_today() -> None:
    monday = dt.date(2026, 11, 23)
    assert days("since Monday", monday) == 7


def test_today_defaults_to_the_real_date() -> None:
    expected = (dt.date.today() - dt.date(dt.date.today().year - 1, 12, 25)).days
    if dt.date.today() > dt.date(dt.date.today().year, 12, 25):
        expected = (dt.date.today() - dt.date(dt.date.today().year, 12, 25)).days
    assert read("since Christmas").evidence().value("duration_days") == expected


@pytest.mark.parametrize(
    "text",
    [
        "twice a day",  # a rate
        "3 cups a day",
        "several times a week",
        "3 days a week",
        "8 hours a day at a screen",
        "each spasm lasts a few seconds",  # how long one spasm lasts
        "I'm 52 years old",  # an age
        "every day",
        "I've been stressed for months",  # a habit's time, not the twitching's
        "had Bell's palsy 10 years ago",  # a history's time
    ],
)
def test_look_alikes_are_no_duration(text: str, today: dt.date) -> None:
    assert days(text, today) is None


def test_the_longest_duration_of_the_twitching_wins(today: dt.date) -> None:
    text = "it has been twitching for two years, much worse in the last month"
    assert days(text, today) == 730


def test_a_habit_beside_the_twitching_does_not_take_its_duration(today: dt.date) -> None:
    text = "stressed for months at work, the twitch started 2 weeks ago"
    assert days(text, today) == 14


def test_the_twitching_can_start_after_the_habit_in_one_clause(today: dt.date) -> None:
    assert days("it started 3 weeks ago after exams", today) == 21


def test_durations_give_the_words_they_came_from(today: dt.date) -> None:
    lexicon = load_lexicon()
    text = "Twitching since last Friday, and for 2-3 weeks before that"
    tokens = tokenise(text, lexicon.speller, lexicon.numbers)
    found = find_durations(tokens, lexicon.durations, today)
    quoted = [(text[tokens.starts[d.first] : tokens.ends[d.end - 1]], d.days) for d in found]
    assert quoted == [("since last Friday", 4), ("2-3 weeks", 21)]
