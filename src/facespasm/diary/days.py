"""A person's days: the factors they recorded, and the episodes counted or logged on each date.

A day is known by its date (one row per person and date), so it is recorded, edited and
deleted by date; its episodes are the counted number when there is one, else those logged.

Decisions:
- A day's episode count is the counted number recorded for that date (`Day.episodes`, from
  `diary day --episodes` or a CSV import) when there is one, else the number of episodes logged
  on that local date: zero for a day whose factors were recorded but no twitch was logged --
  but only for someone who logs episodes at all; for someone who only imports counts, a blank
  count is unknown, not zero, and must not enter the statistics as a day without twitches.
- `record` merges: fields given replace what was stored, fields left None keep it (a person
  records sleep in the morning and stress at night). `replace=True` (the CSV import) makes the
  record the whole truth for that date, empty fields included -- but a note kept unless given:
  a spreadsheet has no notes. `edit` is a merge patch: the fields named are set, None clears.
- Upserts are single `INSERT ... ON CONFLICT (person_id, date) DO UPDATE` statements on SQLite
  and PostgreSQL, safe with concurrent writers; their rows are written in date order, so two
  writers of overlapping dates lock them in the same order and cannot deadlock each other.
- Reads are paged (`page`), and `get` reads one date; `record` returns the day as stored
  without reading the rest of the diary back.
- Deleting a day deletes what was recorded for it (factors, counted episodes, note); episodes
  logged on it are entries of their own, deleted one by one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, union, update

from facespasm.diary.database import run_write
from facespasm.diary.models import DayFactors, Episodes
from facespasm.diary.records import Day
from facespasm.diary.rows import DAYS, OWNER
from facespasm.diary.validation import check_day
from facespasm.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Connection, Engine, Executable

_FACTORS = DayFactors.__table__.c
_EPISODES = Episodes.__table__.c
_KEY = (OWNER, "date")


class Days:
    """One person's days.

    Args:
        engine: The diary's engine.
        person: Whose days.
    """

    def __init__(self, engine: Engine, person: int) -> None:
        self.engine = engine
        self.person = person

    def record(self, day: Day, *, replace: bool = False) -> Day:
        """Record a day's factors (and counted episodes, and note), creating or updating it.

        Args:
            day: The date and its values; None fields are not recorded.
            replace: Make `day` the whole record for its date (None fields clear what was
                stored, but the note) instead of merging it into what was stored.

        Returns:
            The day as now stored (read back in the same transaction; no other day is read).

        Raises:
            InputError: A value out of range.
        """
        check_day(day)
        row = DAYS.row(day, person=self.person)

        def write(connection: Connection) -> Day:
            _upsert(connection, [row], replace=replace)
            return self._between(connection, day.date, day.date)[0]

        return run_write(self.engine, write)

    def import_days(self, days: Sequence[Day]) -> int:
        """Write many days at once, each the whole record of its date (a spreadsheet's rows).

        Notes stored for those dates are kept. All are written, or none.

        Args:
            days: The days, one per date.

        Returns:
            How many days were written.

        Raises:
            InputError: A value out of range (nothing is written).
        """
        for day in days:
            check_day(day)
        rows = [DAYS.row(day, person=self.person) for day in days]
        for row in rows:
            row.pop("note")
        run_write(self.engine, lambda connection: _upsert(connection, rows, replace=True))
        return len(rows)

    def edit(self, date: dt.date, changes: Mapping[str, Any]) -> Day:
        """Set some of a day's fields (None clears one), creating the day if need be.

        Args:
            date: The day.
            changes: Field name → value: `episodes` (the counted number), a factor, `note`.

        Returns:
            The day as now stored.

        Raises:
            InputError: An unknown field, or a value out of range.
        """
        editable = set(DAYS.fields) - {"date"}
        unknown = sorted(str(name)[:40] for name in changes if name not in editable)
        if unknown:
            raise InputError(f"{unknown[0]!r} is not a field of a day")

        def write(connection: Connection) -> Day:
            query = select(*DAYS.columns).where(self._mine(), _FACTORS.date == date)
            found = connection.execute(query).first()
            stored = DAYS.from_row(found) if found is not None else Day(date)
            edited = dataclasses.replace(stored, **changes)
            check_day(edited)
            _upsert(connection, [DAYS.row(edited, person=self.person)], replace=True, note=True)
            return self._between(connection, date, date)[0]

        return run_write(self.engine, write)

    def delete(self, date: dt.date) -> None:
        """Delete what was recorded for a day: its factors, counted episodes and note.

        Args:
            date: The day.

        Raises:
            NotFoundError: Nothing was recorded for that day (episodes logged on it are
                deleted as episodes).
        """
        statement = delete(DayFactors).where(self._mine(), DayFactors.date == date)
        deleted = run_write(self.engine, lambda c: c.execute(statement).rowcount)
        if not deleted:
            raise NotFoundError(f"nothing recorded for {date.isoformat()} in this diary")

    def get(self, date: dt.date) -> Day | None:
        """One day, read alone (not the whole diary).

        Args:
            date: The date.

        Returns:
            The day, or None when nothing is recorded or logged on it.
        """
        with self.engine.connect() as connection:
            found = self._between(connection, date, date)
        return found[0] if found else None

    def page(
        self, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> list[Day]:
        """The days, oldest first (or newest first): recorded factors and episode counts.

        Args:
            limit: How many days at most; None: all.
            offset: How many days to skip first (paging: `offset` += `limit`).
            newest_first: Order by date descending instead of ascending.

        Returns:
            One `Day` per date with recorded factors or logged episodes.
        """
        with self.engine.connect() as connection:
            if limit is None and offset == 0:
                found = self._between(connection, None, None)
                return found[::-1] if newest_first else found
            dates = union(
                select(DayFactors.date).where(self._mine()),
                select(Episodes.local_date.label("date")).where(self._mine_logged()),
            ).subquery()
            order = dates.c.date.desc() if newest_first else dates.c.date.asc()
            query = select(dates.c.date).order_by(order).limit(limit).offset(offset)
            chosen = list(connection.scalars(query))
            if not chosen:
                return []
            found = self._between(connection, min(chosen), max(chosen))
        return found[::-1] if newest_first else found

    def all(self) -> list[Day]:
        """Every day, oldest first."""
        return self.page()

    def _mine(self) -> ColumnElement[bool]:
        return DayFactors.person_id == self.person

    def _mine_logged(self) -> ColumnElement[bool]:
        return Episodes.person_id == self.person

    def _between(
        self, connection: Connection, first: dt.date | None, last: dt.date | None
    ) -> list[Day]:
        # The days from `first` to `last` (None: unbounded), oldest first.
        episodes = (
            select(Episodes.local_date, func.count())
            .where(self._mine_logged())
            .group_by(Episodes.local_date)
        )
        factors = select(*DAYS.columns).where(self._mine())
        if first is not None:
            episodes = episodes.where(Episodes.local_date >= first)
            factors = factors.where(DayFactors.date >= first)
        if last is not None:
            episodes = episodes.where(Episodes.local_date <= last)
            factors = factors.where(DayFactors.date <= last)
        logged = {date: int(n) for date, n in connection.execute(episodes).all()}
        recorded = {row.date: DAYS.from_row(row) for row in connection.execute(factors)}
        logs_episodes = bool(logged) or (
            (first is not None or last is not None)
            and connection.scalar(select(Episodes.id).where(self._mine_logged()).limit(1))
            is not None
        )
        result = []
        for date in sorted(set(logged) | set(recorded)):
            day = recorded.get(date) or Day(date)
            if day.episodes is None and logs_episodes:
                day = dataclasses.replace(day, episodes=logged.get(date, 0))
            result.append(day)
        return result


def _upsert(
    connection: Connection,
    rows: Sequence[Mapping[str, Any]],
    *,
    replace: bool,
    note: bool = False,
) -> None:
    # Insert day rows, updating dates already stored, in date order (see the module's
    # decisions). Values given replace (replace) or merge into (not replace) the stored ones;
    # a note given replaces the stored one (note=True: also when None), else it is kept.
    if not rows:
        return
    rows = sorted(rows, key=lambda row: row["date"])
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        _upsert_generic(connection, rows, replace=replace, note=note)
        return
    statement: Executable
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        lite = sqlite.insert(DayFactors)
        changes = _changes(lite.excluded, rows[0], replace=replace, note=note)
        statement = lite.on_conflict_do_update(index_elements=list(_KEY), set_=changes)
    else:
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(DayFactors)
        changes = _changes(pg.excluded, rows[0], replace=replace, note=note)
        statement = pg.on_conflict_do_update(index_elements=list(_KEY), set_=changes)
    connection.execute(statement, list(rows))


def _changes(
    excluded: Any, example: Mapping[str, Any], *, replace: bool, note: bool
) -> dict[str, Any]:
    # What an upsert sets on a stored date: the new values (replace), or the new ones where given.
    changes: dict[str, Any] = {}
    for name in example:
        if name in _KEY:
            continue
        overwrite = note if name == "note" else replace
        changes[name] = (
            excluded[name] if overwrite else func.coalesce(excluded[name], _FACTORS[name])
        )
    return changes


def _upsert_generic(
    connection: Connection, rows: Sequence[Mapping[str, Any]], *, replace: bool, note: bool
) -> None:
    # Databases without ON CONFLICT: look up, then update or insert, in the same transaction.
    person = rows[0][OWNER]
    dates = [row["date"] for row in rows]
    stored = set(
        connection.scalars(
            select(DayFactors.date).where(
                DayFactors.person_id == person, DayFactors.date.in_(dates)
            )
        ).all()
    )
    for row in rows:
        if row["date"] not in stored:
            connection.execute(insert(DayFactors).values(dict(row)))
            continue
        values = {
            name: value
            for name, value in row.items()
            if name not in _KEY and (value is not None or (note if name == "note" else replace))
        }
        connection.execute(
            update(DayFactors)
            .where(DayFactors.person_id == person, DayFactors.date == row["date"])
            .values(values)
        )
