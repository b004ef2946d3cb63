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
  PostgreSQL, safe with concurrent writers; their rows are written in date order, so two
  writers of overlapping dates lock them in the same order and cannot deadlock each other.
  Every write goes through `database.run_write`, which retries the rare conflict PostgreSQL
  still reports.
- Values are checked by `bounds` before anything is written (dates 1900 to a year ahead,
  lengths, control characters, number ranges), so an error names the field, never a database
  constraint; the database's own CHECK constraints stay as a second line.
- Reads are paged where the diary can be long: `days`, `treatments` and `recent_episodes` take
  `limit` and `offset`, and `day` reads one date -- `record_day` returns the day as stored
  without reading the rest of the diary back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, union, update

from facespasm.diary.bounds import (
    MAX_DOSE_UNITS,
    MAX_EPISODE_SECONDS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SEVERITY,
    check_date,
    check_text,
    number_problem,
    value_problem,
    zone,
)
from facespasm.diary.database import run_write
from facespasm.diary.models import (
    RESULT_KINDS,
    DayFactors,
    Episode,
    SavedResult,
    TreatmentRecord,
)
from facespasm.diary.records import FACTORS, REGIONS, SIDES, TREATMENT_KINDS, Day, Treatment
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Executable, Row

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
        raise InputError(f"side must be left, right or both, not {str(side)[:20]!r}")
    given = {region.strip().lower() if isinstance(region, str) else region for region in regions}
    unknown = sorted(str(region)[:20] for region in given - set(REGIONS))
    if unknown:
        raise InputError(f"unknown region {unknown[0]!r} (one of {', '.join(REGIONS)})")
    if not given:
        raise InputError("give at least one region (eyelid, brow, cheek, mouth, neck)")
    if severity is not None:
        problem = number_problem(severity, 0, MAX_SEVERITY, whole=True)
        if problem or not isinstance(severity, int):
            shown = problem or f"{severity!r} is not a whole number"
            raise InputError(f"severity must be a whole number from 0 to 10: {shown}")
    if duration_s is not None:
        problem = number_problem(duration_s, 0, MAX_EPISODE_SECONDS, unit=" seconds")
        if problem:
            raise InputError(f"duration: {problem}")
    check_text(note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)
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
    statement = insert(Episode).returning(Episode.id)
    new_id = run_write(engine, lambda c: c.execute(statement, values).scalar_one())
    return int(new_id)


def record_day(engine: Engine, day: Day, note: str | None = None, *, replace: bool = False) -> Day:
    """Record a day's factors (and counted episodes), creating or updating that date.

    Args:
        engine: The diary's engine.
        day: The date and its values; None fields are not recorded.
        note: Free text about the day (kept when None).
        replace: Make `day` the whole record for its date (None fields clear what was stored)
            instead of merging it into what was stored.

    Returns:
        The day as now stored (read back in the same transaction; no other day is read).

    Raises:
        InputError: A value out of range.
    """
    row = day_row(day)
    check_text(note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)

    def write(connection: Connection) -> Day:
        upsert_days(connection, [row], replace=replace, note=note)
        stored = _days_of(connection, day.date, day.date)
        return stored[0]

    return run_write(engine, write)


def day_row(day: Day) -> dict[str, Any]:
    """The `day_factors` row of a `Day`, its values checked.

    Args:
        day: The day.

    Returns:
        Column name → value (without note).

    Raises:
        InputError: A date outside the diary's range, or a value out of range, naming the date
            and the field.
    """
    if not isinstance(day.date, dt.date) or isinstance(day.date, dt.datetime):
        raise InputError(f"a day's date must be a date, not {type(day.date).__name__}")
    check_date(day.date, "date")
    for name in DAY_COLUMNS:
        value = getattr(day, name)
        problem = None if value is None else value_problem(name, value)
        if problem:
            raise InputError(f"{day.date.isoformat()}, {name}: {problem}")
    return {"date": day.date, **{name: getattr(day, name) for name in DAY_COLUMNS}}


def upsert_days(
    connection: Connection,
    rows: Sequence[Mapping[str, Any]],
    *,
    replace: bool,
    note: str | None = None,
) -> None:
    """Insert day rows, updating dates already stored (inside the caller's transaction).

    Rows are written in date order whatever their order in `rows`, so that concurrent writers
    lock the dates they share in the same order.

    Args:
        connection: A connection in a write transaction.
        rows: `day_row` dictionaries, one per date.
        replace: Replace stored values (None included) instead of merging given ones in.
        note: A note to store on every row (None: keep the stored note).
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: row["date"])
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
        InputError: A date outside the diary's range, an unknown kind or side, a dose out of
            range, or a name or note that cannot be stored.
    """
    if not isinstance(treatment.date, dt.date) or isinstance(treatment.date, dt.datetime):
        raise InputError(f"a treatment's date must be a date, not {type(treatment.date).__name__}")
    check_date(treatment.date, "treatment date")
    if treatment.kind not in TREATMENT_KINDS:
        raise InputError(f"treatment kind must be one of {', '.join(TREATMENT_KINDS)}")
    if treatment.side is not None and treatment.side not in SIDES:
        raise InputError(f"side must be left, right or both, not {str(treatment.side)[:20]!r}")
    if treatment.dose_units is not None:
        problem = number_problem(treatment.dose_units, 0, MAX_DOSE_UNITS, unit=" units")
        if problem:
            raise InputError(f"dose: {problem}")
    check_text(treatment.name, "name", max_length=MAX_NAME_LENGTH, line_breaks=False)
    check_text(treatment.note, "note", max_length=MAX_NOTE_LENGTH, line_breaks=True)
    values = {
        "date": treatment.date,
        "kind": treatment.kind,
        "side": treatment.side,
        "dose_units": treatment.dose_units,
        "name": treatment.name,
        "note": treatment.note,
    }
    statement = insert(TreatmentRecord).returning(TreatmentRecord.id)
    return int(run_write(engine, lambda c: c.execute(statement, values).scalar_one()))


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
    statement = insert(SavedResult).returning(SavedResult.id)
    return int(run_write(engine, lambda c: c.execute(statement, values).scalar_one()))


def days(
    engine: Engine, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
) -> list[Day]:
    """The diary's days, oldest first (or newest first): recorded factors and episode counts.

    Args:
        engine: The diary's engine.
        limit: How many days at most; None: all.
        offset: How many days to skip first (paging: `offset` += `limit`).
        newest_first: Order by date descending instead of ascending.

    Returns:
        One `Day` per date with recorded factors or logged episodes.
    """
    with engine.connect() as connection:
        if limit is None and offset == 0:
            found = _days_of(connection, None, None)
            return found[::-1] if newest_first else found
        dates = union(select(DayFactors.date), select(Episode.local_date.label("date"))).subquery()
        order = dates.c.date.desc() if newest_first else dates.c.date.asc()
        page = connection.scalars(select(dates.c.date).order_by(order).limit(limit).offset(offset))
        chosen = list(page)
        if not chosen:
            return []
        found = _days_of(connection, min(chosen), max(chosen))
    return found[::-1] if newest_first else found


def day(engine: Engine, date: dt.date) -> Day | None:
    """One day of the diary, read alone (not the whole diary).

    Args:
        engine: The diary's engine.
        date: The date.

    Returns:
        The day, or None when nothing is recorded or logged on it.
    """
    with engine.connect() as connection:
        found = _days_of(connection, date, date)
    return found[0] if found else None


def _days_of(connection: Connection, first: dt.date | None, last: dt.date | None) -> list[Day]:
    # The days from `first` to `last` (None: unbounded), oldest first.
    episodes = select(Episode.local_date, func.count()).group_by(Episode.local_date)
    factors = select(DayFactors.__table__)
    if first is not None:
        episodes = episodes.where(Episode.local_date >= first)
        factors = factors.where(DayFactors.date >= first)
    if last is not None:
        episodes = episodes.where(Episode.local_date <= last)
        factors = factors.where(DayFactors.date <= last)
    logged: dict[dt.date, int] = {date: int(n) for date, n in connection.execute(episodes).all()}
    rows: dict[dt.date, Row[Any]] = {row.date: row for row in connection.execute(factors).all()}
    # A day without a counted number of episodes has as many as were logged on it -- but only
    # for someone who logs episodes at all; for someone who only imports counts, a blank count
    # is unknown, not zero, and must not enter the statistics as a day without twitches.
    logs_episodes = bool(logged) or (
        (first is not None or last is not None)
        and connection.scalar(select(Episode.id).limit(1)) is not None
    )
    result = []
    for date in sorted(set(logged) | set(rows)):
        row = rows.get(date)
        counted = row.episodes if row is not None else None
        values = {name: getattr(row, name) for name in FACTORS} if row is not None else {}
        if counted is None and logs_episodes:
            counted = logged.get(date, 0)
        result.append(Day(date=date, episodes=counted, **values))
    return result


def treatments(
    engine: Engine, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
) -> list[Treatment]:
    """The treatments, oldest first (or newest first).

    Args:
        engine: The diary's engine.
        limit: How many at most; None: all.
        offset: How many to skip first.
        newest_first: Order by date descending instead of ascending.

    Returns:
        The treatments.
    """
    table = TreatmentRecord
    order = (table.date.desc(), table.id.desc()) if newest_first else (table.date, table.id)
    query = select(table.__table__).order_by(*order).limit(limit).offset(offset)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
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


def recent_episodes(engine: Engine, limit: int = 20, offset: int = 0) -> list[LoggedEpisode]:
    """The most recently occurred episodes, newest first.

    Args:
        engine: The diary's engine.
        limit: How many at most.
        offset: How many of the most recent to skip first (paging).

    Returns:
        The episodes.
    """
    query = (
        select(Episode.__table__)
        .order_by(Episode.occurred_at.desc(), Episode.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
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
