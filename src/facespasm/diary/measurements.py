"""A video analysis kept as a dated measurement of the person: what a clinician would count by eye.

Doctors rarely see a spasm in the clinic; a clip measured the same way every few weeks shows
whether it became rarer after an injection -- an objective response beside the diary's
remembered one. From the ⚑ analysis JSON (`facespasm analyze --json`, `POST /api/v1/analyze`):

- **Spasms per minute, by side**: the clip's `spasm` events (one side contracting while the
  other does not) on the person's left and on their right, per minute of face in view
  (`summary.face_minutes`), not of clip, so a clip where the face left the frame is not diluted.
  Flickers (small ripples of one eyelid, myokymia's sign) are not spasms and are not counted.
- **% of time eyes closed**: the time both eyes were shut (`summary.eyes_closed_s`: blinks,
  closures, a blepharospasm's squeezing) as a share of the face time.
- **Blink rate**: the analysis's own `summary.blink_rate_per_min` (normal at rest is about 17 a
  minute; above 27 counts as increased, Bentivoglio 2006 -- `video/pattern.py`).

A clip in which no face was found has no rates (None) but is kept: it says the measurement was
tried. Migration 0002 holds a copy of these rules as they were then, for results kept before it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from facespasm.diary.records import Measurement
from facespasm.errors import InputError

SECONDS_PER_MINUTE = 60.0


def measurement_of(
    analysis: Mapping[str, Any], *, measured_at: dt.datetime, local_date: dt.date, timezone: str
) -> Measurement:
    """The measurement a video analysis makes, on the person's day.

    Args:
        analysis: The ⚑ analysis JSON (`VideoAnalysis.to_dict()`).
        measured_at: When it was measured (aware, UTC).
        local_date: The person's calendar day then.
        timezone: The person's IANA time zone.

    Returns:
        The measurement (not stored: no `id`, no `result_id`).

    Raises:
        InputError: The JSON is not a video analysis (no summary, or a summary without its
            numbers).
    """
    summary = analysis.get("summary") if isinstance(analysis, Mapping) else None
    if not isinstance(summary, Mapping):
        raise InputError("not a video analysis: it has no summary")
    minutes = _count(summary, "face_minutes")
    if minutes is None:
        raise InputError("not a video analysis: its summary has no face_minutes")
    by_side = summary.get("events_by_side", {})
    if not isinstance(by_side, Mapping):
        raise InputError("not a video analysis: its summary's events_by_side is not an object")
    closed = _count(summary, "eyes_closed_s")
    face_time = minutes > 0
    return Measurement(
        measured_at=measured_at,
        local_date=local_date,
        timezone=timezone,
        face_minutes=minutes,
        blink_rate_per_min=_count(summary, "blink_rate_per_min") if face_time else None,
        spasms_per_min_left=_per_minute(by_side, "spasm_left", minutes),
        spasms_per_min_right=_per_minute(by_side, "spasm_right", minutes),
        eyes_closed_pct=(
            min(100.0, 100.0 * closed / (minutes * SECONDS_PER_MINUTE))
            if face_time and closed is not None
            else None
        ),
    )


def _count(values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"not a video analysis: its summary's {key} is not a number")
    if not math.isfinite(value) or value < 0:
        raise InputError(f"not a video analysis: its summary's {key} is {value!r}")
    return float(value)


def _per_minute(by_side: Mapping[str, Any], key: str, minutes: float) -> float | None:
    if minutes <= 0:
        return None
    count = _count(by_side, key)
    return (count or 0.0) / minutes
