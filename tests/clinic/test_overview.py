"""A clinician's patient list: each sharing patient's care level, twitch trend and injections.

The trend rule is a table (one row per case); the list itself is read from real diaries on
SQLite and PostgreSQL (`clinic_url`), through each patient's own `Diary`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm.clinic import add_account, revoke_share, share_with, shares_of
from facespasm.clinic.overview import MIN_TREND_DAYS, clinic_overview, twitch_trend
from facespasm.diary.records import Day, Treatment
from facespasm.diary.store import Diary
from tests.clinic.conftest import PASSWORD, unique_email

TODAY = dt.date(2026, 3, 2)


def days(recent: list[int | None], before: list[int | None]) -> list[Day]:
    """Days counted back from TODAY: `recent` in the last 30 days, `before` in the 30 before."""
    made = [Day(TODAY - dt.timedelta(days=k), episodes=n) for k, n in enumerate(recent)]
    made += [Day(TODAY - dt.timedelta(days=30 + k), episodes=n) for k, n in enumerate(before)]
    return sorted(made, key=lambda d: d.date)


@pytest.mark.parametrize(
    ("recent", "before", "direction", "change"),
    [
        ([2] * 10, [8] * 10, "fewer", -0.75),  # a quarter or more down
        ([8] * 10, [4] * 10, "more", 1.0),  # doubled
        ([5] * 10, [6] * 10, "about the same", -1 / 6),  # less than a quarter
        ([3] * 10, [0] * 10, "more", None),  # from none at all
        ([0] * 10, [0] * 10, "about the same", None),  # none, still none
        ([2] * (MIN_TREND_DAYS - 1), [8] * 10, "too few diary days", None),  # too few recently
        ([2] * 10 + [None] * 20, [8] * 3, "too few diary days", None),  # blanks are not zeros
    ],
)
def test_the_twitch_trend(recent, before, direction, change):
    trend = twitch_trend(days(recent, before), today=TODAY)
    assert trend.direction == direction
    assert trend.change == (pytest.approx(change) if change is not None else None)
    assert trend.text.startswith(direction)


def test_the_trend_in_words_and_numbers():
    trend = twitch_trend(days([2] * 10, [8] * 10), today=TODAY)
    assert trend.text == "fewer: 2.0 a day over the last 30 days against 8.0 the 30 before (-75%)"
    assert trend.to_dict()["recent_days"] == 10


def test_days_after_today_and_older_than_60_days_do_not_count():
    future = [Day(TODAY + dt.timedelta(days=1), episodes=100)]
    old = [Day(TODAY - dt.timedelta(days=60 + k), episodes=100) for k in range(10)]
    trend = twitch_trend(days([2] * 10, [2] * 10) + future + old, today=TODAY)
    assert (trend.recent, trend.before) == (2, 2)


def _assessed(diary: Diary, level: str, on: dt.date) -> None:
    at = dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)
    diary.assessments.save({"triage": {"level": level}, "conditions": []}, at=at)


def test_the_list_is_the_sharing_patients_most_urgent_first(clinic_engine):
    engine = clinic_engine
    clinician = add_account(engine, unique_email("dr"), "clinician", PASSWORD)
    other = add_account(engine, unique_email("other-dr"), "clinician", PASSWORD)
    names = ("calm", "urgent", "busy", "gone")
    patients = {
        name: add_account(engine, unique_email(name), "patient", PASSWORD) for name in names
    }
    diaries = {name: Diary(engine, account.person_id) for name, account in patients.items()}
    for account in patients.values():
        share_with(engine, account, clinician.email)
    share_with(engine, patients["gone"], other.email)
    for share in shares_of(engine, patients["gone"]):  # it stops sharing with both
        revoke_share(engine, patients["gone"], share.id)
    for diary in diaries.values():
        counted = [
            Day(TODAY - dt.timedelta(days=k + 1), episodes=6 if k < 30 else 9) for k in range(60)
        ]
        diary.days.import_days(counted)
    _assessed(diaries["calm"], "self_care", TODAY - dt.timedelta(days=3))
    _assessed(diaries["urgent"], "see_doctor_soon", TODAY - dt.timedelta(days=20))
    _assessed(diaries["urgent"], "self_care", TODAY - dt.timedelta(days=10))  # the newest counts
    _assessed(diaries["busy"], "see_doctor", TODAY - dt.timedelta(days=50))
    diaries["busy"].days.record(Day(TODAY, episodes=4))  # active today
    diaries["urgent"].days.record(Day(TODAY, episodes=2))  # so is this one
    diaries["calm"].treatments.add(
        Treatment(TODAY - dt.timedelta(days=40), "botulinum_toxin", side="left", dose_units=20)
    )

    listed = clinic_overview(engine, clinician, today=TODAY)

    # The highest care level first; at the same level, the latest activity first; no one whose
    # share was revoked.
    assert [s.email for s in listed] == [
        patients[name].email for name in ("busy", "urgent", "calm")
    ]
    busy, urgent, calm = listed
    assert (busy.care_level, busy.assessed_on) == ("see_doctor", TODAY - dt.timedelta(days=50))
    assert (urgent.care_level, urgent.assessed_on) == ("self_care", TODAY - dt.timedelta(days=10))
    assert urgent.last_activity == TODAY and calm.last_activity == TODAY - dt.timedelta(days=1)
    assert calm.last_injection == TODAY - dt.timedelta(days=40)
    assert calm.next_due is not None and calm.next_due > calm.last_injection
    assert urgent.last_injection is None and urgent.next_due is None
    assert calm.trend.direction == "fewer"
    assert calm.to_dict()["twitch_trend"]["direction"] == "fewer"
    # Revoked shares are gone; another role than a clinician has no list at all.
    assert clinic_overview(engine, other, today=TODAY) == []
    assert clinic_overview(engine, patients["calm"], today=TODAY) == []
