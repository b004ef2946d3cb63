"""Ratings: the scales' scores, their trend against injections, reminders, and the SMC grade."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from facespasm.diary.ratings import (
    rating_due,
    rating_trend,
    score_rating,
    smc_grade,
)
from facespasm.diary.records import Rating, Treatment
from facespasm.diary.reviewed import load_diary_knowledge
from facespasm.errors import InputError

DAY = dt.date(2025, 3, 1)


def on(days: int) -> dt.date:
    return DAY + dt.timedelta(days=days)


def jrs(days: int, severity: int, frequency: int) -> Rating:
    score = score_rating("jrs", {"severity": severity, "frequency": frequency})
    return Rating(on(days), "jrs", score.answers, score.total)


# --- scoring -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ({"severity": 0, "frequency": 0}, 0),  # none at all
        ({"severity": 1, "frequency": 1}, 2),  # blinking with bright light, slightly more often
        ({"severity": 3, "frequency": 2}, 5),  # very noticeable spasm; fluttering under a second
        ({"severity": 4, "frequency": 4}, 8),  # incapacitating; functionally blind: the maximum
    ],
)
def test_the_jrs_total_is_severity_plus_frequency(answers: dict[str, int], total: int) -> None:
    score = score_rating("jrs", answers)
    assert score.total == total
    assert score.maximum == 8
    assert score.answers == (("severity", answers["severity"]), ("frequency", answers["frequency"]))
    assert score.validated


@pytest.mark.parametrize(
    ("answers", "total", "skipped"),
    [
        ({"driving": 0, "reading": 0, "screens": 0, "work": 0, "social": 0}, 0.0, ()),
        ({"driving": 4, "reading": 2, "screens": 3, "work": 1, "social": 0}, 2.0, ()),
        # Doesn't drive: the mean of the four answered.
        ({"driving": None, "reading": 3, "screens": 3, "work": 2, "social": 1}, 2.25, ("driving",)),
        # Left out is the same as "I don't do this".
        ({"reading": 4}, 4.0, ("driving", "screens", "work", "social")),
    ],
)
def test_the_impact_rating_is_the_mean_of_what_was_answered(
    answers: dict[str, Any], total: float, skipped: tuple[str, ...]
) -> None:
    score = score_rating("impact", answers)
    assert score.total == total
    assert score.skipped == skipped
    assert score.maximum == 4
    assert not score.validated


@pytest.mark.parametrize(
    ("scale", "answers", "message"),
    [
        ("jrs", {"severity": 2}, "needs an answer to 'frequency'"),  # a summed scale skips nothing
        ("jrs", {"severity": 5, "frequency": 0}, "'severity': 5 is not a whole number from 0 to 4"),
        ("jrs", {"severity": 2.5, "frequency": 0}, "not a whole number"),
        ("jrs", {"severity": True, "frequency": 0}, "not a whole number"),  # not a number
        ("jrs", {"severity": 1, "frequency": 1, "mood": 2}, "has no item 'mood'"),
        ("impact", {}, "answer at least one item"),
        ("bsdi", {}, "unknown rating scale 'bsdi'"),  # not offered: wording and licence
    ],
)
def test_a_rating_that_cannot_be_scored_is_refused(
    scale: str, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        score_rating(scale, answers)


def test_the_jrs_wording_is_the_published_wording() -> None:
    """Jankovic & Orman 1987 as reproduced in Park et al., Table 16.2 (knowledge-notes §4.1)."""
    scale = load_diary_knowledge().ratings.scale("jrs")
    severity = [o.wording for o in scale.item("severity").options]
    frequency = [o.wording for o in scale.item("frequency").options]
    assert severity[1].startswith("Minimal, increased blinking present only with external stimuli")
    assert (
        severity[4] == "Severe, incapacitating spasm of eyelids and possibly other facial muscles"
    )
    assert frequency[2] == "Eyelid fluttering lasting less than 1 second (s) in duration"
    assert frequency[4].startswith("Functionally “blind” due to persistent eye closure")
    assert scale.minimal_important_change == 2
    assert "jankovic2009.jrs_bsdi" in scale.minimal_important_change_sources


def test_the_in_house_rating_says_it_is_not_a_validated_scale() -> None:
    scale = load_diary_knowledge().ratings.scale("impact")
    assert scale.note is not None
    assert "not a validated scale" in scale.note
    assert "Blepharospasm Disability Index" in scale.note and "HFS-7" in scale.note
    assert scale.minimal_important_change is None
    assert [item.id for item in scale.items] == ["driving", "reading", "screens", "work", "social"]


# --- the trend against injections ----------------------------------------------------------------


def test_the_trend_marks_a_clinically_important_change_from_before_the_injection() -> None:
    ratings = [
        jrs(-10, 3, 3),  # 6, too long before the injection to be its reference
        jrs(0, 3, 3),  # 6, on the injection day: the state injected
        jrs(7, 2, 3),  # 5: -1, not important
        jrs(21, 1, 1),  # 2: -4, better
        jrs(80, 3, 4),  # 7: +1, not important
    ]
    trend = rating_trend(ratings, [Treatment(DAY, "botulinum_toxin")], "jrs")
    assert trend.minimal_important_change == 2
    assert [p.change for p in trend.points] == [None, None, -1, -4, 1]
    assert [p.important for p in trend.points] == [None, None, None, "better", None]
    assert [p.days_since_injection for p in trend.points] == [None, None, 7, 21, 80]
    (effect,) = trend.injections
    assert (effect.before, effect.best, effect.change) == (6, 2, -4)
    assert (effect.before_date, effect.best_date) == (on(0), on(21))
    assert effect.important == "better"
    assert effect.threshold == 4  # the line on the chart: 2 points below the rating before


def test_each_injection_is_read_against_the_rating_before_it() -> None:
    injections = [Treatment(on(0), "botulinum_toxin"), Treatment(on(84), "botulinum_toxin")]
    ratings = [jrs(-2, 3, 3), jrs(20, 1, 1), jrs(82, 3, 2), jrs(95, 3, 3), jrs(110, 2, 2)]
    trend = rating_trend(ratings, injections, "jrs")
    first, second = trend.injections
    assert (first.before, first.best, first.important) == (6, 2, "better")
    assert (second.before, second.best, second.important) == (5, 4, None)
    assert [p.injection for p in trend.points] == [None, on(0), on(0), on(84), on(84)]
    assert trend.points[3].important is None  # 6 against 5: one point worse


def test_a_worsening_is_marked_too() -> None:
    trend = rating_trend([jrs(-1, 1, 1), jrs(30, 3, 2)], [Treatment(DAY, "botulinum_toxin")], "jrs")
    assert trend.points[-1].important == "worse"


def test_the_in_house_rating_is_never_called_clinically_important() -> None:
    score = score_rating("impact", {"reading": 4, "driving": 4})
    later = score_rating("impact", {"reading": 0, "driving": 0})
    ratings = [
        Rating(on(-1), "impact", score.answers, score.total),
        Rating(on(20), "impact", later.answers, later.total),
    ]
    trend = rating_trend(ratings, [Treatment(DAY, "botulinum_toxin")], "impact")
    assert trend.points[-1].change == -4
    assert trend.points[-1].important is None
    assert trend.injections[0].threshold is None
    assert trend.note is not None and "not a validated scale" in trend.note


def test_a_trend_follows_one_scale_and_toxin_injections_only() -> None:
    impact = score_rating("impact", {"reading": 1})
    ratings = [jrs(-1, 2, 2), Rating(on(5), "impact", impact.answers, impact.total), jrs(9, 1, 1)]
    treatments = [Treatment(DAY, "botulinum_toxin"), Treatment(on(3), "medication")]
    trend = rating_trend(ratings, treatments, "jrs")
    assert [p.date for p in trend.points] == [on(-1), on(9)]
    assert [e.injection for e in trend.injections] == [DAY]
    data = trend.to_dict()
    assert data["points"][1]["injection"] == DAY.isoformat()


# --- reminders -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "interval", "due", "due_on", "overdue"),
    [
        (None, None, True, 0, 0),  # never rated: due today
        (-1, 3, False, 2, 0),  # rated yesterday, every 3 days
        (-3, 3, True, 0, 0),  # due today
        (-10, 7, True, -3, 3),  # a weekly rating, three days overdue
        (-5, None, True, -2, 2),  # the default interval: 3 days
    ],
)
def test_a_rating_is_due_after_the_chosen_interval(
    last: int | None, interval: int | None, due: bool, due_on: int, overdue: int
) -> None:
    reminder = rating_due(None if last is None else on(last), today=DAY, interval_days=interval)
    assert (reminder.due, reminder.due_on, reminder.days_overdue) == (due, on(due_on), overdue)


@pytest.mark.parametrize("interval", [0, 2, 8, 30])
def test_the_interval_is_three_to_seven_days(interval: int) -> None:
    with pytest.raises(InputError, match="3 to 7 days"):
        rating_due(DAY, today=DAY, interval_days=interval)


# --- the SMC grade -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "numeral"),
    [
        ({"regions": ["eyelid"]}, "I"),  # around the eye only
        ({"regions": ["eyelid", "cheek"]}, "II"),  # spread to the cheek (zygomaticus)
        ({"regions": ["eyelid"], "spread_to_lower_face": True}, "II"),
        ({"regions": ["eyelid", "neck"]}, "II"),  # platysma
        ({"regions": ["eyelid", "mouth"], "vision_blocked": True}, "III"),  # tonic closure
        ({"regions": ["eyelid"], "vision_blocked": True, "disfiguring_asymmetry": True}, "IV"),
        ({"regions": ["eyelid"], "vision_blocked": False}, "I"),  # a "no" meets nothing
    ],
)
def test_the_smc_grade_is_the_highest_whose_condition_the_answers_meet(
    answers: dict[str, Any], numeral: str
) -> None:
    grade = smc_grade(answers)
    assert grade is not None
    assert grade.numeral == numeral
    assert grade.grade == ["I", "II", "III", "IV"].index(numeral) + 1


def test_too_little_known_gives_no_smc_grade() -> None:
    assert smc_grade({}) is None
    assert smc_grade({"regions": None, "vision_blocked": None}) is None


def test_the_smc_grade_says_why() -> None:
    grade = smc_grade({"regions": ["eyelid", "mouth"], "vision_blocked": True})
    assert grade is not None
    assert grade.because == ("vision_blocked",)
    assert grade.wording == "Interference with vision because of frequent tonic spasms"
    assert grade.to_dict()["numeral"] == "III"
