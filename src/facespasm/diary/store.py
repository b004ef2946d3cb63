"""The diary's operations: log an episode, record a day, add a treatment, save a result, read back.

Every operation takes the SQLAlchemy `Engine` (from `database.open_database`), so the caller
decides which database; where a time matters it also takes the instant (`at`, default now) and
the person's IANA time zone, which fixes the calendar day the entry belongs to.

Decisions:
- A day's episode count is the counted number recorded for that date (`Day.episodes`, from
  `diary day --episodes` or a CSV import) when there is one, else the number of episodes logged
  on that local date: zero for a day whose factors were recorded but no twitch was logged.
- `record_day` merges: fields given replace what was stored, fields left None keep it (a person
  records sleep in the morning and stress at night). `replace=True` (used by the CSV import)
  makes the record the whole truth for that date, empty fields included.
- Upserts are single `INSERT ... ON CONFLICT (date) DO UPDATE` statements on SQLite and
  PostgreSQL, safe with concurrent writers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, insert, select, update

from facespasm.diary.database import write_transaction
from facespasm.diary.models import (
    REGIONS,
    RESULT_KINDS,
    SIDES,
    TREATMENT_KINDS,
    DayFactors,
    Episode,
    SavedResult,
    TreatmentRecord,
)
from facespasm.diary.records import FACTORS, Day, Treatment
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Executable

DAY_COLUMNS = ("episodes", *FACTORS)


@dataclass(frozen=True, slots=True)
class LoggedEpisode:
    """An episode as stored: when (UTC), the person's day and zone, where, how long, how bad."""

    id: int
    occurred_at: dt.datetime
    local_date: dt.date
    timezone: str
    side: str
    regions: tuple[str, ...]
    duration_s: float | None
    severity: int | None
    note: str | None


@dataclass(frozen=True, slots=True)
class StoredResult:
    """A saved assessment or video analysis."""

    id: int
    kind: str
    created_at: dt.datetime
    local_date: dt.date
    timezone: str
    result: dict[str, Any]


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`.

    Args:
        name: e.g. "Europe/Berlin".

    Returns:
        The zone.

    Raises:
        InputError: No such zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r} (an IANA name, e.g. Europe/London)") from None


def local_instant(at: dt.datetime | None, timezone: str) -> tuple[dt.datetime, dt.date]:
    """The UTC instant of `at` and the calendar day it falls on in `timezone`.

    Args:
        at: An aware datetime, or a naive one read as wall-clock time in `timezone` (the earlier
            one when a clock change repeats it); None: now.
        timezone: The person's IANA time zone.

    Returns:
        (UTC instant, local date).
    """
    tz = zone(timezone)
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif at.tzinfo is None or at.utcoffset() is None:
        at = at.replace(tzinfo=tz)
    return at.astimezone(dt.UTC), at.astimezone(tz).date()


def log_episode(
    engine: Engine,
    *,
    side: str,
    regions: Iterable[str],
    severity: int | None = None,
    duration_s: float | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
    timezone: str,
) -> int:
    """Log one twitch episode.

    Args:
        engine: The diary's engine.
        side: The person's "left", "right" or "both".
        regions: Where it twitched: any of eyelid, brow, cheek, mouth, neck.
        severity: 0 (barely) to 10 (worst), or None.
        duration_s: How long it lasted in seconds, or None.
        note: Free text.
        at: When it happened (see `local_instant`); None: now.
        timezone: The person's IANA time zone; it decides the day the episode belongs to.

    Returns:
        The new episode's id.

    Raises:
        InputError: A value out of range or unknown.
    """
    if side not in SIDES:
        raise InputError(f"side must be left, right or both, not {side!r}")
    given = {region.strip().lower() for region in regions}
    unknown = sorted(given - set(REGIONS))
    if unknown:
        raise InputError(f"unknown region {unknown[0]!r} (one of {', '.join(REGIONS)})")
    if not given:
        raise InputError("give at least one region (eyelid, brow, cheek, mouth, neck)")
    if severity is not None and not (isinstance(severity, int) and 0 <= severity <= 10):
        raise InputError(f"severity must be a whole number from 0 to 10, not {severity!r}")
    if duration_s is not None and not duration_s >= 0:
        raise InputError(f"duration must be 0 seconds or more, not {duration_s!r}")
    occurred_at, local_date = local_instant(at, timezone)
    values = {
        "occurred_at": occurred_at,
        "local_date": local_date,
        "timezone": timezone,
        "side": side,
        "regions": ",".join(region for region in REGIONS if region in given),
        "duration_s": duration_s,
        "severity": severity,
        "note": note,
    }
    with write_transaction(engine) as connection:
        new_id = connection.execute(insert(Episode).returning(Episode.id), values).scalar_one()
    return int(new_id)


def record_day(engine: Engine, day: Day, note: str | None = None, *, replace: bool = False) -> None:
    """Record a day's factors (and counted episodes), creating or updating that date.

    Args:
        engine: The diary's engine.
        day: The date and its values; None fields are not recorded.
        note: Free text about the day (kept when None).
        replace: Make `day` the whole record for its date (None fields clear what was stored)
            instead of merging it into what was stored.

    Raises:
        InputError: A value out of range.
    """
    row = day_row(day)
    with write_transaction(engine) as connection:
        upsert_days(connection, [row], replace=replace, note=note)


def day_row(day: Day) -> dict[str, Any]:
    """The `day_factors` row of a `Day`, its values checked.

    Args:
        day: The day.

    Returns:
        Column name → value (without note).

    Raises:
        InputError: A value out of range, naming the date and the field.
    """
    for name in DAY_COLUMNS:
        value = getattr(day, name)
        problem = None if value is None else value_problem(name, value)
        if problem:
            raise InputError(f"{day.date.isoformat()}, {name}: {problem}")
    return {"date": day.date, **{name: getattr(day, name) for name in DAY_COLUMNS}}


# Allowed ranges of the numeric day columns (inclusive). Counts of drinks and episodes have
# generous upper limits that only catch typing slips (an extra zero, a year typed as a count).
LIMITS: Mapping[str, tuple[float, float]] = {
    "episodes": (0, 100_000),
    "sleep_hours": (0, 24),
    "caffeine_drinks": (0, 100),
    "alcohol_drinks": (0, 100),
    "stress_0_10": (0, 10),
    "screen_hours": (0, 24),
}


def value_problem(name: str, value: object) -> str | None:
    """What is wrong with `value` for the day column `name`, or None when it is fine.

    Args:
        name: A `Day` field other than date.
        value: Its value (not None).

    Returns:
        A short phrase, e.g. "12 is not between 0 and 10", or None.
    """
    if name == "nicotine":
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{value!r} is not a number"
    if name == "episodes" and not float(value).is_integer():
        return f"{value:g} is not a whole number"
    low, high = LIMITS[name]
    if not low <= value <= high:
        return f"{value:g} is not between {low:g} and {high:g}"
    return None


def upsert_days(
    connection: Connection,
    rows: Sequence[Mapping[str, Any]],
    *,
    replace: bool,
    note: str | None = None,
) -> None:
    """Insert day rows, updating dates already stored (inside the caller's transaction).

    Args:
        connection: A connection in a write transaction.
        rows: `day_row` dictionaries, one per date.
        replace: Replace stored values (None included) instead of merging given ones in.
        note: A note to store on every row (None: keep the stored note).
    """
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        _upsert_days_generic(connection, rows, replace=replace, note=note)
        return
    statement: Executable
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        lite = sqlite.insert(DayFactors)
        changes = _day_changes(lite.excluded, replace=replace)
        statement = lite.on_conflict_do_update(index_elements=["date"], set_=changes)
    else:
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(DayFactors)
        changes = _day_changes(pg.excluded, replace=replace)
        statement = pg.on_conflict_do_update(index_elements=["date"], set_=changes)
    connection.execute(statement, [{**row, "note": note} for row in rows])


def _day_changes(excluded: Any, *, replace: bool) -> dict[str, Any]:
    # What an upsert sets on a stored date: the new values (replace), or the new ones where given.
    table = DayFactors.__table__.c
    changes: dict[str, Any] = {
        name: excluded[name] if replace else func.coalesce(excluded[name], table[name])
        for name in DAY_COLUMNS
    }
    changes["note"] = func.coalesce(excluded["note"], table["note"])
    return changes


def _upsert_days_generic(
    connection: Connection, rows: Sequence[Mapping[str, Any]], *, replace: bool, note: str | None
) -> None:
    # Databases without ON CONFLICT: look up, then update or insert, in the same transaction.
    dates = [row["date"] for row in rows]
    stored = set(
        connection.scalars(select(DayFactors.date).where(DayFactors.date.in_(dates))).all()
    )
    for row in rows:
        values = dict(row) if replace else {k: v for k, v in row.items() if v is not None}
        if note is not None:
            values["note"] = note
        if row["date"] in stored:
            connection.execute(
                update(DayFactors).where(DayFactors.date == row["date"]).values(values)
            )
        else:
            connection.execute(insert(DayFactors).values({**row, "note": note}))


def add_treatment(engine: Engine, treatment: Treatment) -> int:
    """Record a treatment.

    Args:
        engine: The diary's engine.
        treatment: What was given, when, on which side, how much.

    Returns:
        The new record's id.

    Raises:
        InputError: An unknown kind or side, or a negative dose.
    """
    if treatment.kind not in TREATMENT_KINDS:
        raise InputError(f"treatment kind must be one of {', '.join(TREATMENT_KINDS)}")
    if treatment.side is not None and treatment.side not in SIDES:
        raise InputError(f"side must be left, right or both, not {treatment.side!r}")
    if treatment.dose_units is not None and not treatment.dose_units >= 0:
        raise InputError(f"dose must be 0 units or more, not {treatment.dose_units!r}")
    values = {
        "date": treatment.date,
        "kind": treatment.kind,
        "side": treatment.side,
        "dose_units": treatment.dose_units,
        "name": treatment.name,
        "note": treatment.note,
    }
    with write_transaction(engine) as connection:
        statement = insert(TreatmentRecord).returning(TreatmentRecord.id)
        return int(connection.execute(statement, values).scalar_one())


def save_result(
    engine: Engine,
    kind: str,
    result: Mapping[str, Any],
    at: dt.datetime | None = None,
    timezone: str = "UTC",
) -> int:
    """Save an assessment's or a video analysis's JSON result, linked to the person's day.

    Args:
        engine: The diary's engine.
        kind: "assessment" or "video".
        result: The JSON-able result (e.g. `Assessment.to_dict()`).
        at: When it was made (see `local_instant`); None: now.
        timezone: The person's IANA time zone.

    Returns:
        The new record's id.

    Raises:
        InputError: An unknown kind, or a result that is not JSON (NaN included).
    """
    if kind not in RESULT_KINDS:
        raise InputError(f"result kind must be assessment or video, not {kind!r}")
    try:
        text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InputError(f"the {kind} result cannot be saved as JSON: {error}") from None
    created_at, local_date = local_instant(at, timezone)
    values = {
        "kind": kind,
        "created_at": created_at,
        "local_date": local_date,
        "timezone": timezone,
        "result": text,
    }
    with write_transaction(engine) as connection:
        statement = insert(SavedResult).returning(SavedResult.id)
        return int(connection.execute(statement, values).scalar_one())


def days(engine: Engine) -> list[Day]:
    """Every day in the diary, oldest first: recorded factors and the day's episode count.

    Args:
        engine: The diary's engine.

    Returns:
        One `Day` per date with recorded factors or logged episodes.
    """
    with engine.connect() as connection:
        logged = dict(
            connection.execute(
                select(Episode.local_date, func.count()).group_by(Episode.local_date)
            ).all()
        )
        factors = {row.date: row for row in connection.execute(select(DayFactors.__table__)).all()}
    # A day without a counted number of episodes has as many as were logged on it -- but only
    # for someone who logs episodes at all; for someone who only imports counts, a blank count
    # is unknown, not zero, and must not enter the statistics as a day without twitches.
    logs_episodes = bool(logged)
    result = []
    for date in sorted(set(logged) | set(factors)):
        row = factors.get(date)
        counted = row.episodes if row is not None else None
        values = {name: getattr(row, name) for name in FACTORS} if row is not None else {}
        if counted is None and logs_episodes:
            counted = int(logged.get(date, 0))
        result.append(Day(date=date, episodes=counted, **values))
    return result


def treatments(engine: Engine) -> list[Treatment]:
    """Every treatment, oldest first.

    Args:
        engine: The diary's engine.

    Returns:
        The treatments.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            select(TreatmentRecord.__table__).order_by(TreatmentRecord.date, TreatmentRecord.id)
        ).all()
    return [
        Treatment(
            date=row.date,
            kind=row.kind,
            side=row.side,
            dose_units=row.dose_units,
            name=row.name,
            note=row.note,
        )
        for row in rows
    ]


def recent_episodes(engine: Engine, limit: int = 20) -> list[LoggedEpisode]:
    """The most recently occurred episodes, newest first.

    Args:
        engine: The diary's engine.
        limit: How many at most.

    Returns:
        The episodes.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            select(Episode.__table__)
            .order_by(Episode.occurred_at.desc(), Episode.id.desc())
            .limit(limit)
        ).all()
        return [
            LoggedEpisode(
                id=row.id,
                occurred_at=row.occurred_at,
                local_date=row.local_date,
                timezone=row.timezone,
                side=row.side,
                regions=tuple(row.regions.split(",")),
                duration_s=row.duration_s,
                severity=row.severity,
                note=row.note,
            )
            for row in rows
        ]


def saved_results(engine: Engine, kind: str | None = None) -> list[StoredResult]:
    """The saved results, oldest first (of one kind, or all).

    Args:
        engine: The diary's engine.
        kind: "assessment", "video", or None for both.

    Returns:
        The results with their JSON parsed.
    """
    query = select(SavedResult.__table__).order_by(SavedResult.created_at, SavedResult.id)
    if kind is not None:
        query = query.where(SavedResult.kind == kind)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        return [
            StoredResult(
                id=row.id,
                kind=row.kind,
                created_at=row.created_at,
                local_date=row.local_date,
                timezone=row.timezone,
                result=json.loads(row.result),
            )
            for row in rows
        ]
