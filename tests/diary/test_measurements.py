"""A kept video analysis is a dated measurement: spasms a minute by side, eyes closed, blinking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from facespasm.diary.measurements import measurement_of
from facespasm.errors import InputError

WHEN: dict[str, Any] = {
    "measured_at": dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
    "local_date": dt.date(2026, 3, 1),
    "timezone": "UTC",
}


def summary(**values) -> dict:
    return {"summary": {"face_minutes": 0.5, "blink_rate_per_min": 18.0, "events_by_side": {},
                        "eyes_closed_s": 0.0, **values}}  # fmt: skip


def test_rates_count_over_the_minutes_the_face_was_seen():
    measured = measurement_of(
        summary(events_by_side={"spasm_left": 6, "spasm_right": 1, "flicker_left": 9},
                eyes_closed_s=3.0),
        **WHEN,
    )  # fmt: skip
    assert (measured.spasms_per_min_left, measured.spasms_per_min_right) == (12.0, 2.0)
    assert measured.eyes_closed_pct == 10.0  # 3 s of 30 s of face
    assert (measured.blink_rate_per_min, measured.face_minutes) == (18.0, 0.5)
    assert (measured.measured_at, measured.local_date) == (WHEN["measured_at"], WHEN["local_date"])


def test_flickers_are_not_spasms():
    measured = measurement_of(summary(events_by_side={"flicker_left": 9}), **WHEN)
    assert (measured.spasms_per_min_left, measured.spasms_per_min_right) == (0.0, 0.0)


def test_a_clip_without_a_face_has_no_rates_but_is_kept():
    measured = measurement_of(summary(face_minutes=0.0, blink_rate_per_min=None), **WHEN)
    assert measured.face_minutes == 0.0
    assert measured.spasms_per_min_left is None and measured.eyes_closed_pct is None
    assert measured.blink_rate_per_min is None


@pytest.mark.parametrize(
    ("analysis", "message"),
    [
        ({"events": []}, "not a video analysis: it has no summary"),
        ({"summary": {}}, "its summary has no face_minutes"),
        (summary(face_minutes="half"), "its summary's face_minutes is not a number"),
        (summary(face_minutes=-1), "its summary's face_minutes is -1"),
        (summary(events_by_side=[]), "events_by_side is not an object"),
        (summary(events_by_side={"spasm_left": True}), "spasm_left is not a number"),
    ],
)
def test_what_is_not_an_analysis_is_refused(analysis, message):
    with pytest.raises(InputError, match=message):
        measurement_of(analysis, **WHEN)
