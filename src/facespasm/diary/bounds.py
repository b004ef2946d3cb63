"""What the diary accepts, in one place: dates, times, text, numbers -- checked once, in the core.

Every way into the diary (the command line, the JSON API, a CSV import, the Python API) ends in
`store`, which checks values here; the API's request models take their limits and published
patterns from here too, so what the OpenAPI schema says is exactly what is accepted.

Decisions:
- **Dates** of days, episodes and treatments lie between 1900-01-01 and one year after today
  (`latest_date`). Earlier is a typing slip (or an attack on the statistics: a day at
  0001-01-01 has no previous day to compare with); later allows a planned injection or a
  person a time zone ahead of the machine, and nothing else. The same range holds for
  treatments as for days: a treatment decades ahead is no plan, and the injection cycles add
  at most a few months to a treatment's date.
- **Times** are checked on their wall-clock date before any conversion: a time zone offset is
  less than a day, so a time within the range always converts to UTC without overflowing
  (0001-01-01T00:00:00+14:00 is refused as a date before 1900, not a crash).
- **Text** is refused when it holds control characters (NUL included: PostgreSQL cannot store
  it) or lone surrogates (not Unicode text; no database can store them); a note may keep its
  line breaks and tabs, a name may not. Lengths follow the columns: a treatment's name is
  `varchar(200)`, a time zone `varchar(64)`; notes are `text`, bounded at 10,000 characters
  so that a note stays a note.
- **Numbers** are bounded with generous upper limits that only catch typing slips (an extra
  zero, a year typed as a count): 100,000 episodes a day, 100 drinks, 24 hours of sleep or
  screens, stress and severity 0-10, an episode of at most a day, a dose of at most 1,000
  units (botulinum toxin sessions use tens to a few hundred).
- **Time zones** are the IANA names this machine knows (`zoneinfo.available_timezones()`).
- **Stored values from before these checks** (a day at 0001-01-01 written by an older
  version) are left in the diary, which is the person's, but `analysable` keeps them out of the
  statistics with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from facespasm.errors import InputError

if TYPE_CHECKING:
    from facespasm.diary.records import Day, Treatment

EARLIEST_DATE = dt.date(1900, 1, 1)
# How far after today a date may lie.
AHEAD_YEARS = 1

MAX_NOTE_LENGTH = 10_000
MAX_NAME_LENGTH = 200  # treatments.name is varchar(200)
MAX_TIMEZONE_LENGTH = 64  # timezone columns are varchar(64)

MAX_SEVERITY = 10
MAX_EPISODE_SECONDS = 24 * 60 * 60
MAX_DOSE_UNITS = 1_000

# Allowed ranges of the numeric day columns (inclusive).
LIMITS: Mapping[str, tuple[float, float]] = {
    "episodes": (0, 100_000),
    "sleep_hours": (0, 24),
    "caffeine_drinks": (0, 100),
    "alcohol_drinks": (0, 100),
    "stress_0_10": (0, 10),
    "screen_hours": (0, 24),
}

# C0 and C1 control characters and DEL; a note may keep tab, line feed and carriage return.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE_BREAKS = "\t\n\r"
# The published (JSON Schema, ECMA 262) patterns of text the diary stores.
NOTE_PATTERN = f"^[^{_CONTROL}]*$".encode("unicode_escape").decode("ascii")
NAME_PATTERN = f"^[^{_CONTROL}{_LINE_BREAKS}]*$".encode("unicode_escape").decode("ascii")
_NOTE_REFUSED = re.compile(f"[{_CONTROL}\ud800-\udfff]")
_NAME_REFUSED = re.compile(f"[{_CONTROL}{_LINE_BREAKS}\ud800-\udfff]")


class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...


_T = TypeVar("_T", bound=_Dated)


def latest_date(today: dt.date | None = None) -> dt.date:
    """The latest date the diary accepts: one year after `today` (28 February for 29 February).

    Args:
        today: The date to count from; None: the machine's today.

    Returns:
        The latest accepted date.
    """
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + AHEAD_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + AHEAD_YEARS, day=28)


def date_problem(date: dt.date, today: dt.date | None = None) -> str | None:
    """What is wrong with a diary date, or None when it lies within the accepted range.

    Args:
        date: The date of a day, an episode or a treatment.
        today: The date to count from; None: the machine's today.

    Returns:
        A short phrase, e.g. "0001-01-01 is before 1900-01-01", or None.
    """
    if date < EARLIEST_DATE:
        return f"{date.isoformat()} is before {EARLIEST_DATE.isoformat()}"
    latest = latest_date(today)
    if date > latest:
        return f"{date.isoformat()} is more than a year ahead (after {latest.isoformat()})"
    return None


def check_date(date: dt.date, what: str, today: dt.date | None = None) -> None:
    """Refuse a diary date outside the accepted range.

    Args:
        date: The date.
        what: What the date is of, for the message ("date", "treatment date").
        today: The date to count from; None: the machine's today.

    Raises:
        InputError: The date is before 1900 or more than a year ahead.
    """
    problem = date_problem(date, today)
    if problem:
        raise InputError(f"{what}: {problem}")


def text_problem(text: str, *, max_length: int, line_breaks: bool) -> str | None:
    """What is wrong with a piece of text the diary would store, or None when it is fine.

    Args:
        text: The text.
        max_length: The most characters it may have.
        line_breaks: Whether tabs and line breaks are allowed (notes) or not (names).

    Returns:
        A short phrase, or None.
    """
    if len(text) > max_length:
        return f"{len(text):,} characters is too long (at most {max_length:,})"
    refused = (_NOTE_REFUSED if line_breaks else _NAME_REFUSED).search(text)
    if refused:
        character = refused.group()
        if "\ud800" <= character <= "\udfff":
            return "it is not valid text (a lone surrogate, e.g. from bytes that are not UTF-8)"
        return f"the control character {character!r} at position {refused.start() + 1}"
    return None


def check_text(text: str | None, what: str, *, max_length: int, line_breaks: bool) -> None:
    """Refuse text the diary cannot or should not store.

    Args:
        text: The text, or None (always fine).
        what: The field, for the message ("note", "name").
        max_length: The most characters it may have.
        line_breaks: Whether tabs and line breaks are allowed.

    Raises:
        InputError: Too long, or holding control characters or lone surrogates.
    """
    if text is None:
        return
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, not {type(text).__name__}")
    problem = text_problem(text, max_length=max_length, line_breaks=line_breaks)
    if problem:
        raise InputError(f"{what}: {problem}")


def number_problem(
    value: object, low: float, high: float, *, whole: bool = False, unit: str = ""
) -> str | None:
    """What is wrong with a number the diary would store, or None when it is fine.

    Booleans are not numbers here, nor are strings: nothing is coerced.

    Args:
        value: The value (not None).
        low: The smallest allowed value.
        high: The largest allowed value.
        whole: Whether it must be a whole number.
        unit: A unit to name in the message (" seconds").

    Returns:
        A short phrase, e.g. "12 is not between 0 and 10", or None.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{_shown(value)} is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{_shown(value)} is not a number"
    if whole and isinstance(value, float) and not value.is_integer():
        return f"{_shown(value)} is not a whole number"
    if not low <= value <= high:
        return f"{_shown(value)} is not between {low:g} and {high:g}{unit}"
    return None


def value_problem(name: str, value: object) -> str | None:
    """What is wrong with `value` for the day column `name`, or None when it is fine.

    Args:
        name: A `Day` field other than date.
        value: Its value (not None).

    Returns:
        A short phrase, e.g. "12 is not between 0 and 10", or None.
    """
    if name == "nicotine":
        return None if isinstance(value, bool) else f"{_shown(value)} is not true or false"
    low, high = LIMITS[name]
    return number_problem(value, low, high, whole=name == "episodes")


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (the only ones the diary stores)."""
    return frozenset(
        name for name in zoneinfo.available_timezones() if len(name) <= MAX_TIMEZONE_LENGTH
    )


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone called `name`.

    Args:
        name: e.g. "Europe/Berlin".

    Returns:
        The zone.

    Raises:
        InputError: No such zone.
    """
    if not isinstance(name, str) or name not in time_zones():
        shown = _shown(name)
        raise InputError(f"unknown time zone {shown} (an IANA name, e.g. Europe/London)")
    return zoneinfo.ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class Analysable:
    """The part of a diary the statistics can use, and what was left out.

    Attributes:
        days: The days dated within the accepted range.
        treatments: The treatments dated within it.
        notes: One sentence per kind of record left out (empty when nothing was).
    """

    days: list[Day]
    treatments: list[Treatment]
    notes: list[str]


def analysable(
    days: Sequence[Day], treatments: Sequence[Treatment] = (), today: dt.date | None = None
) -> Analysable:
    """Keep records dated outside the accepted range out of the statistics, saying so.

    Such records can only come from before the range was enforced, or from another program
    writing to the database; the statistics count days back and forward from each date, which
    would overflow at 0001-01-01 or 9999-12-31.

    Args:
        days: The diary's days.
        treatments: The diary's treatments.
        today: The date to count from; None: the machine's today.

    Returns:
        The records to analyse, and notes on those left out.
    """
    kept_days, odd_days = _split(days, today)
    kept_treatments, odd_treatments = _split(treatments, today)
    notes = [
        _left_out(odd_days, "day", today),
        _left_out(odd_treatments, "treatment", today),
    ]
    return Analysable(kept_days, kept_treatments, [note for note in notes if note])


def _split(records: Iterable[_T], today: dt.date | None) -> tuple[list[_T], list[_T]]:
    kept: list[_T] = []
    odd: list[_T] = []
    for record in records:
        (odd if date_problem(record.date, today) else kept).append(record)
    return kept, odd


def _left_out(records: list[_T], what: str, today: dt.date | None) -> str:
    if not records:
        return ""
    dates = sorted({record.date.isoformat() for record in records})
    shown = ", ".join(dates[:3]) + (", ..." if len(dates) > 3 else "")
    count = f"{len(records)} {what}{'s' if len(records) > 1 else ''}"
    return (
        f"{count} dated outside {EARLIEST_DATE.isoformat()} to "
        f"{latest_date(today).isoformat()} left out of the analysis ({shown})"
    )


def _shown(value: object) -> str:
    # A value as a message shows it: never a 5,000-digit number or a page of text.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return "a number that large"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def date_pattern(latest: dt.date, earliest: dt.date = EARLIEST_DATE) -> str:
    """A regular expression (ECMA 262 and Python alike) of exactly the ISO dates in a range.

    Real calendar dates only: 1900-02-29 and 2023-02-30 do not match, 2024-02-29 does. The API
    publishes it, so a client (or a fuzzer) can see exactly which dates are accepted.

    Args:
        latest: The last date that matches.
        earliest: The first date that matches (1 January of its year).

    Returns:
        The pattern, without anchors.

    Raises:
        ValueError: `earliest` is not a 1 January, or comes after `latest`.
    """
    if (earliest.month, earliest.day) != (1, 1) or earliest > latest:
        raise ValueError(f"date range must start on 1 January: {earliest} to {latest}")
    parts = []
    if latest.year > earliest.year:
        years = _number_range(earliest.year, latest.year - 1, 4)
        parts.append(f"{years}-{_month_days(leap=False)}")
        leaps = [y for y in range(earliest.year, latest.year) if _is_leap(y)]
        if leaps:
            parts.append(f"(?:{'|'.join(str(y) for y in leaps)})-02-29")
    parts.append(f"{latest.year}-{_months_until(latest)}")
    return "(?:" + "|".join(parts) + ")"


def _months_until(latest: dt.date) -> str:
    # The month-day part of every date of latest's year up to latest.
    parts = []
    for month in range(1, latest.month + 1):
        length = _month_length(latest.year, month)
        last = min(length, latest.day) if month == latest.month else length
        parts.append(f"{month:02d}-{_number_range(1, last, 2)}")
    return "(?:" + "|".join(parts) + ")"


def _month_days(*, leap: bool) -> str:
    # MM-DD of any year, 29 February only when `leap`.
    thirty_one = "(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    thirty = "(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    february = "02-(?:0[1-9]|1[0-9]|2[0-9])" if leap else "02-(?:0[1-9]|1[0-9]|2[0-8])"
    return f"(?:{thirty_one}|{thirty}|{february})"


def _month_length(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _number_range(low: int, high: int, width: int) -> str:
    # A pattern of the zero-padded numbers low..high with `width` digits ([0-9], never \d,
    # which in Python also matches other scripts' digits).
    if width == 0:
        return ""
    if low == high:
        return f"{low:0{width}d}"
    unit = 10 ** (width - 1)
    first_low, rest_low = divmod(low, unit)
    first_high, rest_high = divmod(high, unit)
    any_rest = "[0-9]" * (width - 1)
    if first_low == first_high:
        return f"{first_low}{_number_range(rest_low, rest_high, width - 1)}"
    parts = []
    if rest_low == 0:
        start = first_low
    else:
        parts.append(f"{first_low}{_number_range(rest_low, unit - 1, width - 1)}")
        start = first_low + 1
    end = first_high if rest_high == unit - 1 else first_high - 1
    if start <= end:
        digits = str(start) if start == end else f"[{start}-{end}]"
        parts.append(digits + any_rest)
    if end < first_high:
        parts.append(f"{first_high}{_number_range(0, rest_high, width - 1)}")
    # A lone part is a concatenation, safe to concatenate further without a group.
    return "(?:" + "|".join(parts) + ")" if len(parts) > 1 else parts[0]
