"""Storing the diary: episodes on the person's own calendar day, days, treatments, saved results."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from facespasm.diary.models import Episode
from facespasm.diary.records import Day, Treatment
from facespasm.diary.store import (
    add_treatment,
    days,
    log_episode,
    recent_episodes,
    record_day,
    save_result,
    saved_results,
    treatments,
)
from facespasm.errors import InputError

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
def test_an_episode_belongs_to_the_persons_calendar_day(engine, at, timezone, instant, local_date):
    log_episode(engine, side="left", regions=["eyelid"], at=at, timezone=timezone)
    (stored,) = recent_episodes(engine, 5)
    assert stored.occurred_at == instant
    assert stored.occurred_at.tzinfo == UTC
    assert stored.local_date == local_date
    assert stored.timezone == timezone
    assert days(engine) == [Day(local_date, episodes=1)]


def test_episodes_on_either_side_of_local_midnight_count_on_different_days(engine):
    # Three episodes within 1 hour of UTC time, around Berlin midnight on 9/10 March (UTC+1).
    for minute_utc in (22 * 60 + 50, 23 * 60 + 10, 23 * 60 + 40):
        at = at_utc(2024, 3, 9) + dt.timedelta(minutes=minute_utc)
        log_episode(engine, side="right", regions=["cheek"], at=at, timezone="Europe/Berlin")
    assert [(day.date, day.episodes) for day in days(engine)] == [
        (dt.date(2024, 3, 9), 1),  # 23:50 Berlin
        (dt.date(2024, 3, 10), 2),  # 00:10 and 00:40 Berlin, still 9 March in UTC
    ]


def test_an_episode_is_stored_as_given(engine):
    new_id = log_episode(
        engine, side="both", regions=["mouth", "eyelid", "cheek"], severity=7, duration_s=12.5,
        note="after a long meeting", at=at_utc(2024, 2, 1, 9), timezone="UTC",
    )  # fmt: skip
    (stored,) = recent_episodes(engine)
    assert stored.id == new_id
    assert stored.regions == ("eyelid", "cheek", "mouth")  # anatomical order, top to bottom
    assert (stored.side, stored.severity, stored.duration_s) == ("both", 7, 12.5)
    assert stored.note == "after a long meeting"


def test_recent_episodes_are_newest_first_and_limited(engine):
    for hour in (9, 15, 11):
        log_episode(
            engine, side="left", regions=["eyelid"], at=at_utc(2024, 2, 1, hour), timezone="UTC"
        )
    assert [e.occurred_at.hour for e in recent_episodes(engine, 2)] == [15, 11]


def test_now_is_the_default_time(engine):
    before = dt.datetime.now(UTC)
    log_episode(engine, side="left", regions=["brow"], timezone="Asia/Tokyo")
    (stored,) = recent_episodes(engine)
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
def test_a_bad_episode_is_refused_and_nothing_is_stored(engine, kwargs, message):
    values = {"side": "left", "regions": ["eyelid"], "timezone": "UTC", **kwargs}
    with pytest.raises(InputError, match=message):
        log_episode(engine, **values)
    assert recent_episodes(engine) == []


def test_a_counted_number_of_episodes_wins_over_the_logged_ones(engine):
    noon = at_utc(2024, 4, 2, 12)
    for _ in range(3):
        log_episode(engine, side="left", regions=["eyelid"], at=noon, timezone="UTC")
    log_episode(
        engine, side="left", regions=["eyelid"], at=noon + dt.timedelta(days=1), timezone="UTC"
    )
    record_day(engine, Day(dt.date(2024, 4, 1), sleep_hours=6.5))  # factors only, nothing logged
    record_day(engine, Day(dt.date(2024, 4, 3), episodes=9, stress_0_10=8))  # counted
    assert days(engine) == [
        Day(dt.date(2024, 4, 1), episodes=0, sleep_hours=6.5),
        Day(dt.date(2024, 4, 2), episodes=3),
        Day(dt.date(2024, 4, 3), episodes=9, stress_0_10=8),
    ]


def test_recording_a_day_again_merges_and_replace_overwrites(engine):
    date = dt.date(2024, 4, 1)
    record_day(engine, Day(date, sleep_hours=7, nicotine=True), note="slept badly")
    record_day(engine, Day(date, stress_0_10=6, caffeine_drinks=2))
    # nobody counted or logged episodes: unknown, not zero
    assert days(engine) == [
        Day(date, episodes=None, sleep_hours=7, caffeine_drinks=2, stress_0_10=6, nicotine=True)
    ]
    record_day(engine, Day(date, alcohol_drinks=1), replace=True)
    assert days(engine) == [Day(date, episodes=None, alcohol_drinks=1)]


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
def test_a_bad_day_is_refused(engine, day, message):
    with pytest.raises(InputError, match=message):
        record_day(engine, day)
    assert days(engine) == []


def test_treatments_come_back_in_date_order(engine):
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
    add_treatment(engine, later)
    add_treatment(engine, earlier)
    assert treatments(engine) == [earlier, later]


@pytest.mark.parametrize(
    ("treatment", "message"),
    [
        (Treatment(dt.date(2024, 1, 1), "acupuncture"), "treatment kind must be one of"),  # type: ignore[arg-type]
        (Treatment(dt.date(2024, 1, 1), "botulinum_toxin", side="up"), "side must be"),  # type: ignore[arg-type]
        (Treatment(dt.date(2024, 1, 1), "botulinum_toxin", dose_units=-1), "dose: -1 is not"),
    ],
)
def test_a_bad_treatment_is_refused(engine, treatment, message):
    with pytest.raises(InputError, match=message):
        add_treatment(engine, treatment)
    assert treatments(engine) == []


def test_a_saved_result_comes_back_on_the_persons_day(engine):
    result = {
        "triage": {"level": "see_doctor"},
        "conditions": [{"id": "hemifacial_spasm", "probability": 0.61}],
        "note": "Gesichtszucken",
    }
    save_result(
        engine, "assessment", result, at=at_utc(2024, 3, 9, 23, 30), timezone="Europe/Berlin"
    )
    save_result(engine, "video", {"events": []}, at=at_utc(2024, 3, 11, 8), timezone="UTC")
    (stored,) = saved_results(engine, "assessment")
    assert stored.result == result
    assert stored.local_date == dt.date(2024, 3, 10)
    assert stored.created_at == at_utc(2024, 3, 9, 23, 30)
    assert [r.kind for r in saved_results(engine)] == ["assessment", "video"]


@pytest.mark.parametrize(
    ("kind", "result", "message"),
    [
        ("diagnosis", {}, "result kind must be assessment or video"),
        ("video", {"blink_rate": float("nan")}, "cannot be saved as JSON"),
        ("video", {"when": dt.date(2024, 1, 1)}, "cannot be saved as JSON"),
    ],
)
def test_a_result_that_cannot_be_saved_is_refused(engine, kind, result, message):
    with pytest.raises(InputError, match=message):
        save_result(engine, kind, result, timezone="UTC")
    assert saved_results(engine) == []


WRITER = textwrap.dedent(
    """
    import pathlib, sys, time
    from facespasm.diary.database import open_database
    from facespasm.diary.store import log_episode

    url, go, name = sys.argv[1:4]
    engine = open_database(url)
    print("ready", flush=True)
    while not pathlib.Path(go).exists():
        time.sleep(0.002)
    for n in range(100):
        log_episode(engine, side="left", regions=["eyelid"], note=f"{name}-{n}", timezone="UTC")
    """
)


def test_two_processes_logging_at_once_lose_nothing(engine, db_url, tmp_path):
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
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Episode)).scalar_one() == 200
        notes = set(connection.scalars(select(Episode.note)).all())
    assert notes == {f"{name}-{n}" for name in ("first", "second") for n in range(100)}
