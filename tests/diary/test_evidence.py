"""The diary's last two weeks answer the lifestyle questions, where they answer them clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm import assess
from facespasm.diary.evidence import diary_evidence
from facespasm.diary.records import Day
from facespasm.reasoning import Origin

TODAY = dt.date(2026, 11, 24)


def fortnight(**factors: object) -> list[Day]:
    return [Day(TODAY - dt.timedelta(days=n), **factors) for n in range(14)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("factors", "finding", "value"),
    [
        ({"stress_0_10": 8}, "stress", True),
        ({"stress_0_10": 2}, "stress", False),
        ({"sleep_hours": 5.5}, "poor_sleep", True),
        ({"sleep_hours": 8}, "poor_sleep", False),
        ({"caffeine_drinks": 4}, "caffeine", True),
        ({"alcohol_drinks": 0}, "alcohol", False),
        ({"screen_hours": 9}, "screen_time", True),
        ({"nicotine": True}, "nicotine", True),
    ],
)
def test_a_clear_fortnight_answers_the_question(factors, finding: str, value: bool) -> None:
    evidence = diary_evidence(fortnight(**factors), today=TODAY)
    item = evidence.items[finding]
    assert (item.value, item.origin) == (value, Origin.DIARY)
    assert item.detail is not None and "14 recent days" in item.detail


def test_in_between_values_and_sparse_records_say_nothing() -> None:
    middling = diary_evidence(fortnight(stress_0_10=5, sleep_hours=7), today=TODAY)
    assert "stress" not in middling and "poor_sleep" not in middling
    sparse = [Day(TODAY, stress_0_10=9), Day(TODAY - dt.timedelta(days=1), stress_0_10=9)]
    assert "stress" not in diary_evidence(sparse, today=TODAY)


def test_days_older_than_two_weeks_are_not_used() -> None:
    old = [Day(TODAY - dt.timedelta(days=20 + n), stress_0_10=9) for n in range(10)]
    assert len(diary_evidence(old, today=TODAY)) == 0


def test_diary_evidence_feeds_the_assessment_and_the_persons_answers_win() -> None:
    diary = diary_evidence(fortnight(stress_0_10=8, caffeine_drinks=5), today=TODAY)
    answers = assess({"stress": False}).evidence
    result = assess(answers.merged(diary))
    assert result.evidence.items["stress"].origin is Origin.ANSWER
    assert result.evidence.items["caffeine"].origin is Origin.DIARY
    assert "stimulants" in result.relevant_advice
