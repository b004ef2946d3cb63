"""When something happened, and on which of the person's days: a UTC instant and a local date.

An entry's time is stored unambiguously as a UTC instant, and the calendar day it fell on *for
the person* -- in their IANA time zone, at the time of writing -- beside it: an episode at 23:30
in Berlin belongs to that Berlin day even though it is already the next day in UTC.
"""

from __future__ import annotations

import datetime as dt

from facespasm.diary.bounds import check_date, zone
from facespasm.errors import InputError


def local_instant(at: dt.datetime | None, timezone: str) -> tuple[dt.datetime, dt.date]:
    """The UTC instant of `at` and the calendar day it falls on in `timezone`.

    Args:
        at: An aware datetime, or a naive one read as wall-clock time in `timezone` (the earlier
            one when a clock change repeats it); None: now.
        timezone: The person's IANA time zone.

    Returns:
        (UTC instant, local date).

    Raises:
        InputError: An unknown time zone, or a time whose date as written lies outside the
            diary's range.
    """
    tz = zone(timezone)
    if at is None:
        at = dt.datetime.now(dt.UTC)
    else:
        if not isinstance(at, dt.datetime):
            raise InputError(f"time must be a date and time, not {type(at).__name__}")
        # Before any conversion: an offset is under a day, so a date in range cannot overflow.
        check_date(at.date(), "time")
        if at.tzinfo is None or at.utcoffset() is None:
            at = at.replace(tzinfo=tz)
    # The person's day may lie a day beyond the written one (1900-01-01T00:30+14:00 is still
    # 31 December 1899 in Los Angeles): kept, as the time was valid; the statistics leave a day
    # outside the range out with a note (`bounds.analysable`).
    return at.astimezone(dt.UTC), at.astimezone(tz).date()
