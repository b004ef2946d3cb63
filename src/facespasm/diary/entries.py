"""One person's entries of one kind, known by id: add, read one, read a page, edit, delete.

The episodes, treatments and ratings of a `Diary` are `Entries` (the episodes and treatments
with a little more: logging now, and the one-tap onset and wear-off of the latest injection).
Every statement names the person (`person_id`), so an id of someone else's entry is as absent
as one never given: reading, editing or deleting it is a `NotFoundError`, never their data.

Decisions:
- An edit is a whole record checked again: the stored record with the changes applied
  (`dataclasses.replace`) must pass the same checks as a new one, read and written in one
  transaction.
- Pages are ordered by the kind's date (then id), oldest first or newest first, so paging
  with `offset += limit` visits every entry once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import delete, func, insert, select, update

from facespasm.diary.bounds import check_date, zone
from facespasm.diary.database import run_write
from facespasm.diary.local_time import local_instant
from facespasm.diary.models import People
from facespasm.diary.ratings import RatingDue, rating_due
from facespasm.diary.records import Episode, Rating, Treatment
from facespasm.diary.rows import EPISODES, RATINGS, TREATMENTS, RecordTable
from facespasm.diary.validation import (
    check_episode,
    check_rating,
    check_treatment,
    episode_regions,
)
from facespasm.errors import ConflictError, InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Connection, Engine

Record = TypeVar("Record")


class Stored(Generic[Record]):
    """Entries of one kind that can be read, paged and deleted (not necessarily added or edited).

    Args:
        engine: The diary's engine.
        person: Whose entries.
        kind: The record kind and its table.
        what: What one entry is called in messages ("episode").
        order: The columns a page is ordered by, before the id.
    """

    def __init__(
        self,
        engine: Engine,
        person: int,
        kind: RecordTable[Record],
        *,
        what: str,
        order: tuple[str, ...],
    ) -> None:
        self.engine = engine
        self.person = person
        self.kind = kind
        self.what = what
        self.order = order

    def _mine(self) -> ColumnElement[bool]:
        return self.kind.table.c.person_id == self.person

    def _one(self, connection: Connection, entry_id: int) -> Record:
        table = self.kind.table
        query = select(*self.kind.columns).where(self._mine(), table.c.id == entry_id)
        row = connection.execute(query).first()
        if row is None:
            raise NotFoundError(f"no {self.what} {entry_id} in this diary")
        return self.kind.from_row(row)

    def get(self, entry_id: int) -> Record:
        """One entry.

        Args:
            entry_id: Its id.

        Returns:
            The entry.

        Raises:
            NotFoundError: This person has no entry of this kind with that id.
        """
        with self.engine.connect() as connection:
            return self._one(connection, entry_id)

    def page(
        self, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> list[Record]:
        """The entries, oldest first (or newest first), a page at a time.

        Args:
            limit: How many at most; None: all.
            offset: How many to skip first (the next page is at `offset + limit`).
            newest_first: Order by date descending instead of ascending.

        Returns:
            The entries.
        """
        columns = [self.kind.table.c[name] for name in (*self.order, "id")]
        order = [column.desc() if newest_first else column.asc() for column in columns]
        query = (
            select(*self.kind.columns)
            .where(self._mine())
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as connection:
            return [self.kind.from_row(row) for row in connection.execute(query)]

    def all(self) -> list[Record]:
        """Every entry, oldest first."""
        return self.page()

    def delete(self, entry_id: int) -> None:
        """Delete one entry.

        Args:
            entry_id: Its id.

        Raises:
            NotFoundError: This person has no entry of this kind with that id.
        """
        table = self.kind.table
        statement = delete(table).where(self._mine(), table.c.id == entry_id)
        deleted = run_write(self.engine, lambda c: c.execute(statement).rowcount)
        if not deleted:
            raise NotFoundError(f"no {self.what} {entry_id} in this diary")


class Entries(Stored[Record]):
    """Entries of one kind the person adds and edits, each checked whole before it is written.

    Args:
        engine: The diary's engine.
        person: Whose entries.
        kind: The record kind and its table.
        check: Raises `InputError` for a record the diary does not accept.
        what: What one entry is called in messages.
        order: The columns a page is ordered by, before the id.
    """

    def __init__(
        self,
        engine: Engine,
        person: int,
        kind: RecordTable[Record],
        check: Callable[[Record], None],
        *,
        what: str,
        order: tuple[str, ...],
    ) -> None:
        super().__init__(engine, person, kind, what=what, order=order)
        self.check = check

    def add(self, record: Record) -> int:
        """Store a new entry.

        Args:
            record: The entry (its `id` is ignored: the database gives one).

        Returns:
            The new entry's id.

        Raises:
            InputError: A value the diary does not accept, named.
        """
        self.check(record)
        values = self.kind.row(record, person=self.person)
        values.pop("id", None)
        statement = insert(self.kind.table).returning(self.kind.table.c.id)
        return int(run_write(self.engine, lambda c: c.execute(statement, values).scalar_one()))

    def edit(self, entry_id: int, changes: Mapping[str, Any]) -> Record:
        """Change some fields of an entry; the result is checked as a new entry would be.

        Args:
            entry_id: Its id.
            changes: Field name → new value (None clears an optional field).

        Returns:
            The entry as now stored.

        Raises:
            InputError: An unknown field, or a value the diary does not accept.
            NotFoundError: This person has no entry of this kind with that id.
        """
        self._known_fields(changes)

        def write(connection: Connection) -> Record:
            edited = dataclasses.replace(self._one(connection, entry_id), **changes)  # type: ignore[type-var]
            self.check(edited)
            values = self.kind.row(edited)
            values.pop("id")
            table = self.kind.table
            connection.execute(
                update(table).where(self._mine(), table.c.id == entry_id).values(values)
            )
            return edited

        return run_write(self.engine, write)

    def _known_fields(self, changes: Iterable[str]) -> None:
        editable = set(self.kind.fields) - {"id"}
        unknown = sorted(str(name)[:40] for name in changes if name not in editable)
        if unknown:
            article = "an" if self.what[0] in "aeiou" else "a"
            raise InputError(
                f"{unknown[0]!r} is not a field of {article} {self.what} "
                f"(one of {', '.join(sorted(editable))})"
            )


class EpisodeEntries(Entries[Episode]):
    """The person's logged episodes: logged at a time on their own calendar day."""

    def __init__(self, engine: Engine, person: int) -> None:
        super().__init__(
            engine, person, EPISODES, check_episode, what="episode", order=("occurred_at",)
        )

    def log(
        self,
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
        ordered = episode_regions(regions)
        occurred_at, local_date = local_instant(at, timezone)
        episode = Episode(
            occurred_at=occurred_at, local_date=local_date, timezone=timezone, side=side,  # type: ignore[arg-type]
            regions=ordered, duration_s=duration_s, severity=severity, note=note,
        )  # fmt: skip
        return self.add(episode)

    def edit(self, entry_id: int, changes: Mapping[str, Any]) -> Episode:
        """Change some of an episode's fields, or its time (`at`) or time zone.

        A new `at` is read as `log` reads it; a new time zone alone keeps the instant and files
        it on the person's day in that zone.

        Args:
            entry_id: Its id.
            changes: Any of side, regions, severity, duration_s, note, at, timezone.

        Returns:
            The episode as now stored.

        Raises:
            InputError: An unknown field, or a value the diary does not accept.
            NotFoundError: This person has no episode with that id.
        """
        changes = dict(changes)
        if "regions" in changes:
            changes["regions"] = episode_regions(changes["regions"])
        if "at" in changes or "timezone" in changes:
            stored = self.get(entry_id)
            at = changes.pop("at", None)
            timezone = changes.get("timezone") or stored.timezone
            changes["timezone"] = timezone
            if at is None:
                # The stored instant was checked as written; only its day moves with the zone
                # (checking it again refused 1900-01-01T00:30 Berlin, stored as 1899-12-31 UTC).
                changes["local_date"] = stored.occurred_at.astimezone(zone(timezone)).date()
            else:
                changes["occurred_at"], changes["local_date"] = local_instant(at, timezone)
        return super().edit(entry_id, changes)


class TreatmentEntries(Entries[Treatment]):
    """The person's treatments, and the person's own onset and wear-off dates of an injection."""

    def __init__(self, engine: Engine, person: int) -> None:
        super().__init__(
            engine, person, TREATMENTS, check_treatment, what="treatment", order=("date",)
        )

    def report_onset(self, on: dt.date) -> Treatment:
        """Record that the latest injection (on or before `on`) started working on `on`.

        Args:
            on: The day the person noticed it working.

        Returns:
            The injection as now stored.

        Raises:
            InputError: `on` is outside the diary's range.
            ConflictError: `on` is after the injection's reported wear-off.
            NotFoundError: No botulinum toxin injection on or before `on`.
        """
        injection = self._latest_injection(on)
        wear_off = injection.reported_wear_off
        if wear_off is not None and on > wear_off:
            raise ConflictError(
                f"the injection of {injection.date.isoformat()} was reported wearing off on "
                f"{wear_off.isoformat()}, before {on.isoformat()}"
            )
        return self.edit(_id(injection), {"reported_onset": on})

    def report_wear_off(self, on: dt.date) -> Treatment:
        """Record that the latest injection (on or before `on`) was wearing off on `on`.

        Args:
            on: The day the person noticed it wearing off.

        Returns:
            The injection as now stored.

        Raises:
            InputError: `on` is outside the diary's range.
            ConflictError: `on` is before the injection's reported onset.
            NotFoundError: No botulinum toxin injection on or before `on`.
        """
        injection = self._latest_injection(on)
        onset = injection.reported_onset
        if onset is not None and on < onset:
            raise ConflictError(
                f"the injection of {injection.date.isoformat()} was reported working from "
                f"{onset.isoformat()}, after {on.isoformat()}"
            )
        return self.edit(_id(injection), {"reported_wear_off": on})

    def _latest_injection(self, on: dt.date) -> Treatment:
        check_date(on, "date")
        table = self.kind.table
        query = (
            select(*self.kind.columns)
            .where(self._mine(), table.c.kind == "botulinum_toxin", table.c.date <= on)
            .order_by(table.c.date.desc(), table.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).first()
        if found is None:
            raise NotFoundError(f"no botulinum toxin injection on or before {on.isoformat()}")
        return self.kind.from_row(found)


def _id(record: Episode | Treatment | Rating) -> int:
    assert record.id is not None, "a record read from the database has its id"
    return record.id


class RatingEntries(Entries[Rating]):
    """The person's answered rating scales, and how often they want to be reminded to rate."""

    def __init__(self, engine: Engine, person: int) -> None:
        super().__init__(engine, person, RATINGS, check_rating, what="rating", order=("date",))

    def reminder(self, *, today: dt.date) -> RatingDue:
        """Whether a rating is due today, at the person's chosen interval (`rating_due`).

        Args:
            today: The person's today (the clock is the caller's).

        Returns:
            When the next rating is due, and whether that is today or past.
        """
        table = self.kind.table
        with self.engine.connect() as connection:
            every = connection.scalar(
                select(People.rating_every_days).where(People.id == self.person)
            )
            last = connection.scalar(select(func.max(table.c.date)).where(self._mine()))
        return rating_due(last, today=today, interval_days=every)

    def set_reminder(self, days: int) -> None:
        """Choose every how many days a rating is due (3-7, `ratings.yaml`'s bounds).

        Args:
            days: The interval in days.

        Raises:
            InputError: An interval outside the bounds, or not a whole number.
            NotFoundError: The person is not in the database.
        """
        rating_due(None, today=dt.date.today(), interval_days=days)
        statement = update(People).where(People.id == self.person).values(rating_every_days=days)
        if not run_write(self.engine, lambda c: c.execute(statement).rowcount):
            raise NotFoundError(f"no person {self.person} in this database")
