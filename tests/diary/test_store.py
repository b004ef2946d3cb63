"""Storing the diary: episodes on the person's own calendar day, days, treatments."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from facespasm.diary.models import Episodes
from facespasm.diary.records import Day, Treatment
from facespasm.errors import InputError, NotFoundError

UTC = dt.UTC


def at_utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "timezone", "instant", "local_date"),
    [
        # 23:30 in Berlin (summer, UTC+2) is 21:30 UTC: same day either way
        (
            dt.datetime(2024, 7, 1, 23, 30),
            "Europe/Berlin",
            at_utc(2024, 7, 1, 21, 30),
            dt.date(2024, 7, 1),
        ),
        # 00:30 in Berlin on 10 March is still 9 March in UTC: the Berlin day counts
        (
            at_utc(2024, 3, 9, 23, 30),
            "Europe/Berlin",
            at_utc(2024, 3, 9, 23, 30),
            dt.date(2024, 3, 10),
        ),
        # 21:00 in New York is 02:00 UTC the next day: the New York day counts
        (
            dt.datetime(2024, 3, 9, 21, 0),
            "America/New_York",
            at_utc(2024, 3, 10, 2, 0),
            dt.date(2024, 3, 9),
        ),
        # Auckland is 12 h ahead: 13:00 UTC on 30 June is 1 July there
        (
            at_utc(2024, 6, 30, 13, 0),
            "Pacific/Auckland",
            at_utc(2024, 6, 30, 13, 0),
            dt.date(2024, 7, 1),
        ),
        # 02:30 on the night Berlin's clocks go back happens twice: the earlier (summer time) one
        (
            dt.datetime(2024, 10, 27, 2, 30),
            "Europe/Berlin",
            at_utc(2024, 10, 27, 0, 30),
            dt.date(2024, 10, 27),
        ),
        # an aware time in another zone is the same instant, filed on the person's day
        (
            dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))),
            "America/Los_Angeles",
            at_utc(2023, 12, 31, 23, 0),
            dt.date(2023, 12, 31),
        ),
    ],
)
def test_an_episode_belongs_to_the_persons_calendar_day(diary, at, timezone, instant, local_date):
    diary.episodes.log(side="left", regions=["eyelid"], at=at, timezone=timezone)
    (stored,) = diary.episodes.page(limit=5, newest_first=True)
    assert stored.occurred_at == instant
    assert stored.occurred_at.tzinfo == UTC
    assert stored.local_date == local_date
    assert stored.timezone == timezone
    assert diary.days.all() == [Day(local_date, episodes=1)]


def test_episodes_on_either_side_of_local_midnight_count_on_different_days(diary):
    # Three episodes within 1 hour of UTC time, around Berlin midnight on 9/10 March (UTC+1).
    for minute_utc in (22 * 60 + 50, 23 * 60 + 10, 23 * 60 + 40):
        at = at_utc(2024, 3, 9) + dt.timedelta(minutes=minute_utc)
        diary.episodes.log(side="right", regions=["cheek"], at=at, timezone="Europe/Berlin")
    assert [(day.date, day.episodes) for day in diary.days.all()] == [
        (dt.date(2024, 3, 9), 1),  # 23:50 Berlin
        (dt.date(2024, 3, 10), 2),  # 00:10 and 00:40 Berlin, still 9 March in UTC
    ]


def test_an_episode_is_stored_as_given(diary):
    new_id = diary.episodes.log(side="both", regions=["mouth", "eyelid", "cheek"], severity=7, duration_s=12.5,
        note="after a long meeting", at=at_utc(2024, 2, 1, 9), timezone="UTC",
    )  # fmt: skip
    (stored,) = diary.episodes.page(newest_first=True)
    assert stored.id == new_id
    assert stored.regions == ("eyelid", "cheek", "mouth")  # anatomical order, top to bottom
    assert (stored.side, stored.severity, stored.duration_s) == ("both", 7, 12.5)
    assert stored.note == "after a long meeting"


def test_recent_episodes_are_newest_first_and_limited(diary):
    for hour in (9, 15, 11):
        diary.episodes.log(
            side="left", regions=["eyelid"], at=at_utc(2024, 2, 1, hour), timezone="UTC"
        )
    assert [e.occurred_at.hour for e in diary.episodes.page(limit=2, newest_first=True)] == [15, 11]


def test_now_is_the_default_time(diary):
    before = dt.datetime.now(UTC)
    diary.episodes.log(side="left", regions=["brow"], timezone="Asia/Tokyo")
    (stored,) = diary.episodes.page(newest_first=True)
    assert before <= stored.occurred_at <= dt.datetime.now(UTC)
    assert (
        stored.local_date
        == stored.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": "middle"}, "side must be left, right or both"),
        ({"regions": ["ear"]}, "unknown region 'ear'"),
        ({"regions": []}, "at least one region"),
        ({"severity": 11}, "severity must be a whole number from 0 to 10"),
        ({"severity": -1}, "severity must be a whole number from 0 to 10"),
        ({"duration_s": -2.0}, "duration: -2 is not between 0 and 86400 seconds"),
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
    ],
)
def test_a_bad_episode_is_refused_and_nothing_is_stored(diary, kwargs, message):
    values = {"side": "left", "regions": ["eyelid"], "timezone": "UTC", **kwargs}
    with pytest.raises(InputError, match=message):
        diary.episodes.log(**values)
    assert diary.episodes.page(newest_first=True) == []


def test_a_counted_number_of_episodes_wins_over_the_logged_ones(diary):
    noon = at_utc(2024, 4, 2, 12)
    for _ in range(3):
        diary.episodes.log(side="left", regions=["eyelid"], at=noon, timezone="UTC")
    diary.episodes.log(
        side="left", regions=["eyelid"], at=noon + dt.timedelta(days=1), timezone="UTC"
    )
    diary.days.record(Day(dt.date(2024, 4, 1), sleep_hours=6.5))  # factors only, nothing logged
    diary.days.record(Day(dt.date(2024, 4, 3), episodes=9, stress_0_10=8))  # counted
    assert diary.days.all() == [
        Day(dt.date(2024, 4, 1), episodes=0, sleep_hours=6.5),
        Day(dt.date(2024, 4, 2), episodes=3),
        Day(dt.date(2024, 4, 3), episodes=9, stress_0_10=8),
    ]


def test_recording_a_day_again_merges_and_replace_overwrites(diary):
    date = dt.date(2024, 4, 1)
    diary.days.record(Day(date, sleep_hours=7, nicotine=True, note="slept badly"))
    diary.days.record(Day(date, stress_0_10=6, caffeine_drinks=2))
    # nobody counted or logged episodes: unknown, not zero
    assert diary.days.all() == [
        Day(date, None, 7, caffeine_drinks=2, stress_0_10=6, nicotine=True, note="slept badly")
    ]
    diary.days.record(Day(date, alcohol_drinks=1), replace=True)  # the note stays
    assert diary.days.all() == [Day(date, episodes=None, alcohol_drinks=1, note="slept badly")]


def test_an_edit_sets_what_it_names_and_clears_what_it_sets_to_none(diary):
    date = dt.date(2024, 4, 1)
    diary.days.record(Day(date, sleep_hours=7, stress_0_10=6, note="slept badly"))
    edited = diary.days.edit(date, {"sleep_hours": None, "note": None, "caffeine_drinks": 3})
    assert edited == Day(date, stress_0_10=6, caffeine_drinks=3)
    assert diary.days.get(date) == edited
    # a day not recorded yet is created by its first edit
    assert diary.days.edit(dt.date(2024, 4, 2), {"stress_0_10": 2}) == Day(
        dt.date(2024, 4, 2), stress_0_10=2
    )
    with pytest.raises(InputError, match="'sleep' is not a field of a day"):
        diary.days.edit(date, {"sleep": 5})
    with pytest.raises(InputError, match="stress_0_10: 11 is not between 0 and 10"):
        diary.days.edit(date, {"stress_0_10": 11})


def test_deleting_a_day_deletes_what_was_recorded_not_the_logged_episodes(diary):
    date = dt.date(2024, 4, 1)
    diary.days.record(Day(date, episodes=4, sleep_hours=7))
    diary.episodes.log(side="left", regions=["eyelid"], at=at_utc(2024, 4, 1, 12), timezone="UTC")
    diary.days.delete(date)
    assert diary.days.all() == [Day(date, episodes=1)]  # the logged one, an entry of its own
    with pytest.raises(NotFoundError, match="nothing recorded for 2024-04-01"):
        diary.days.delete(date)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (Day(dt.date(2024, 1, 1), stress_0_10=11), "stress_0_10: 11 is not between 0 and 10"),
        (Day(dt.date(2024, 1, 1), sleep_hours=-1), "sleep_hours: -1 is not between 0 and 24"),
        (Day(dt.date(2024, 1, 1), episodes=-4), "episodes: -4 is not between 0 and"),
        (
            Day(dt.date(2024, 1, 1), caffeine_drinks=float("nan")),
            "caffeine_drinks: nan is not a number",
        ),
    ],
)
def test_a_bad_day_is_refused(diary, day, message):
    with pytest.raises(InputError, match=message):
        diary.days.record(day)
    assert diary.days.all() == []


def test_treatments_come_back_in_date_order(diary):
    later = Treatment(
        dt.date(2024, 5, 2),
        "botulinum_toxin",
        side="left",
        dose_units=12.5,
        name="onabotulinumtoxinA",
    )
    earlier = Treatment(
        dt.date(2024, 1, 15), "medication", name="clonazepam", note="0.5 mg at night"
    )
    later_id = diary.treatments.add(later)
    earlier_id = diary.treatments.add(earlier)
    assert diary.treatments.all() == [
        dataclasses.replace(earlier, id=earlier_id),
        dataclasses.replace(later, id=later_id),
    ]


@pytest.mark.parametrize(
    ("treatment", "message"),
    [
        (Treatment(dt.date(2024, 1, 1), "acupuncture"), "treatment kind must be one of"),  # type: ignore[arg-type]
        (Treatment(dt.date(2024, 1, 1), "botulinum_toxin", side="up"), "side must be"),  # type: ignore[arg-type]
        (Treatment(dt.date(2024, 1, 1), "botulinum_toxin", dose_units=-1), "dose: -1 is not"),
    ],
)
def test_a_bad_treatment_is_refused(diary, treatment, message):
    with pytest.raises(InputError, match=message):
        diary.treatments.add(treatment)
    assert diary.treatments.all() == []


WRITER = textwrap.dedent(
    """
    import pathlib, sys, time
    from facespasm.diary.database import open_database
    from facespasm.diary.store import Diary

    url, go, name = sys.argv[1:4]
    diary = Diary(open_database(url))
    print("ready", flush=True)
    while not pathlib.Path(go).exists():
        time.sleep(0.002)
    for n in range(100):
        diary.episodes.log(side="left", regions=["eyelid"], note=f"{name}-{n}", timezone="UTC")
    """
)


def test_two_processes_logging_at_once_lose_nothing(diary, db_url, tmp_path):
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db_url, str(go), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    try:
        for writer in writers:  # both have opened the database before either writes
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "ready", writer.communicate()[1]
        go.touch()
        for writer in writers:
            _, errors = writer.communicate(timeout=120)
            assert writer.returncode == 0, errors
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.communicate()
    with diary.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Episodes)).scalar_one() == 200
        notes = set(connection.scalars(select(Episodes.note)).all())
    assert notes == {f"{name}-{n}" for name in ("first", "second") for n in range(100)}


def test_an_episode_is_edited_and_checked_as_a_new_one(diary):
    new_id = diary.episodes.log(
        side="left", regions=["eyelid"], severity=3, note="coffee", at=at_utc(2024, 3, 9, 23, 30),
        timezone="UTC",
    )  # fmt: skip
    edited = diary.episodes.edit(new_id, {"regions": ["mouth", "eyelid"], "severity": None})
    assert (edited.regions, edited.severity, edited.note) == (("eyelid", "mouth"), None, "coffee")
    # a new time zone alone keeps the instant and moves it to the person's day there
    moved = diary.episodes.edit(new_id, {"timezone": "Europe/Berlin"})
    assert (moved.occurred_at, moved.local_date) == (
        at_utc(2024, 3, 9, 23, 30),
        dt.date(2024, 3, 10),
    )
    # a new time is read as logging reads it: wall-clock time in the person's zone
    moved = diary.episodes.edit(new_id, {"at": dt.datetime(2024, 3, 11, 8, 0)})
    assert (moved.occurred_at, moved.local_date) == (at_utc(2024, 3, 11, 7), dt.date(2024, 3, 11))
    assert diary.episodes.get(new_id) == moved
    with pytest.raises(InputError, match="severity must be a whole number from 0 to 10"):
        diary.episodes.edit(new_id, {"severity": 11})
    with pytest.raises(InputError, match="'occurred' is not a field of an episode"):
        diary.episodes.edit(new_id, {"occurred": None})
    assert diary.episodes.get(new_id) == moved


def test_a_deleted_episode_no_longer_counts(diary):
    keep = diary.episodes.log(
        side="left", regions=["eyelid"], at=at_utc(2024, 3, 1, 9), timezone="UTC"
    )
    gone = diary.episodes.log(
        side="left", regions=["eyelid"], at=at_utc(2024, 3, 1, 10), timezone="UTC"
    )
    diary.episodes.delete(gone)
    assert [e.id for e in diary.episodes.all()] == [keep]
    assert diary.days.all() == [Day(dt.date(2024, 3, 1), episodes=1)]
    with pytest.raises(NotFoundError, match=f"no episode {gone} in this diary"):
        diary.episodes.get(gone)
