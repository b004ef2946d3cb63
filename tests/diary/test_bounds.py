"""What the diary accepts: dates, text and numbers, checked once in the core (`bounds`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from facespasm.diary.bounds import (
    analysable,
    check_date,
    check_text,
    date_pattern,
    latest_date,
    number_problem,
    value_problem,
    zone,
)
from facespasm.diary.records import Day, Treatment
from facespasm.errors import InputError

TODAY = dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("date", "accepted"),
    [
        (dt.date(1900, 1, 1), True),  # the first accepted date
        (dt.date(1899, 12, 31), False),  # the day before
        (dt.date(1, 1, 1), False),  # no previous day to compare with: broke the statistics
        (dt.date(2027, 5, 20), True),  # a year ahead: a planned injection
        (dt.date(2027, 5, 21), False),  # more than a year ahead
        (dt.date(9999, 12, 31), False),  # 12 weeks after it is no date: broke the cycles
    ],
)
def test_dates_lie_between_1900_and_a_year_ahead(date: dt.date, accepted: bool) -> None:
    if accepted:
        check_date(date, "date", TODAY)
    else:
        with pytest.raises(InputError, match=r"^date: .* (before 1900-01-01|more than a year)"):
            check_date(date, "date", TODAY)


def test_a_year_after_29_february_is_28_february() -> None:
    assert latest_date(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


@pytest.mark.parametrize(
    "latest",
    [
        dt.date(2027, 5, 20),  # an ordinary day
        dt.date(2028, 2, 29),  # a leap day
        dt.date(2027, 1, 1),  # the first day of a year
        dt.date(2027, 12, 31),  # the last day of a year
    ],
)
def test_the_published_date_pattern_matches_exactly_the_accepted_dates(latest: dt.date) -> None:
    pattern = re.compile(date_pattern(latest))
    day = dt.date(1895, 1, 1)
    while day <= latest + dt.timedelta(days=400):
        accepted = dt.date(1900, 1, 1) <= day <= latest
        assert bool(pattern.fullmatch(day.isoformat())) == accepted, day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    "text",
    [
        "1900-02-29",  # 1900 was no leap year
        "2023-02-29",  # nor was 2023
        "2024-04-31",  # April has 30 days
        "2024-13-01",  # no 13th month
        "2024-00-10",  # no month 0
        "2024-1-01",  # not zero-padded
        "２０２４-01-01",  # full-width digits are digits to Python's \\d, not to the pattern
    ],
)
def test_the_published_date_pattern_refuses_what_is_no_calendar_date(text: str) -> None:
    assert not re.fullmatch(date_pattern(dt.date(2027, 5, 20)), text)


@pytest.mark.parametrize(
    ("text", "line_breaks", "problem"),
    [
        ("after coffee\nand a bad night", True, None),  # a note keeps its line breaks
        ("after coffee\nand a bad night", False, "control character '\\n'"),  # a name does not
        ("nul\x00byte", True, "control character '\\x00' at position 4"),  # PostgreSQL refuses
        ("bell\x07", True, "control character '\\x07'"),
        ("c1 \x85 control", True, "control character '\\x85'"),
        ("\udcff from bytes", True, "not valid text (a lone surrogate"),  # no database stores it
        ("x" * 201, False, "201 characters is too long (at most 200)"),  # varchar(200)
        ("Botox® 50 U — левый глаз 😣", False, None),  # any language, any symbol
    ],
)
def test_text_is_refused_for_control_characters_and_length(
    text: str, line_breaks: bool, problem: str | None
) -> None:
    if problem is None:
        check_text(text, "name", max_length=200, line_breaks=line_breaks)
        return
    with pytest.raises(InputError) as caught:
        check_text(text, "name", max_length=200, line_breaks=line_breaks)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (5, None),
        (5.5, None),
        (True, "True is not a number"),  # a boolean is no count
        ("5", "'5' is not a number"),  # nor is text: nothing is coerced
        (float("nan"), "nan is not a number"),
        (float("inf"), "inf is not a number"),
        (11, "11 is not between 0 and 10"),
        # a 4,000-digit number is neither printed whole nor turned into a float (OverflowError)
        pytest.param(10**4000, "a number that large is not between 0 and 10", id="huge"),
    ],
)
def test_numbers_are_bounded_and_never_coerced(value: object, problem: str | None) -> None:
    assert number_problem(value, 0, 10) == problem


def test_a_day_count_must_be_whole_and_nicotine_a_boolean() -> None:
    assert value_problem("episodes", 2.5) == "2.5 is not a whole number"
    assert value_problem("nicotine", 1) == "1 is not true or false"
    assert value_problem("nicotine", "yes") == "'yes' is not true or false"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd", "", "UTC\x00"])
def test_an_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(InputError, match="unknown time zone"):
        zone(name)


def test_records_outside_the_range_are_left_out_of_the_statistics_with_a_note() -> None:
    days = [Day(dt.date(1, 1, 1), 3), Day(dt.date(2026, 5, 1), 2), Day(dt.date(9999, 1, 1), 1)]
    treatments = [Treatment(dt.date(9999, 12, 31), "botulinum_toxin")]
    usable = analysable(days, treatments, today=TODAY)
    assert usable.days == [Day(dt.date(2026, 5, 1), 2)]
    assert usable.treatments == []
    assert usable.notes == [
        "2 days dated outside 1900-01-01 to 2027-05-20 left out of the analysis "
        "(0001-01-01, 9999-01-01)",
        "1 treatment dated outside 1900-01-01 to 2027-05-20 left out of the analysis (9999-12-31)",
    ]
