"""The diary's tables (SQLAlchemy 2): episodes, daily factors, treatments and saved results.

Decisions:
- Times are stored unambiguously: `occurred_at` is a UTC instant, and the person's IANA time zone
  is stored beside it together with the calendar day it fell on *for them* (`local_date`), computed
  once at write time. An episode at 23:30 in Berlin belongs to that Berlin day even though it is
  already the next day in UTC; day-based statistics group by `local_date`, never by UTC date.
- The value ranges the program relies on (severity and stress 0-10, sleep and screen time 0-24 h,
  non-negative counts) are CHECK constraints, so a value written by any client is refused by the
  database itself, not only by the Python validation in `store` and `csv_io`.
- Constraints are named through a naming convention, so migrations can drop or alter them by name
  on PostgreSQL and in SQLite's batch mode alike.

The schema is created and upgraded only by the Alembic migrations in `migrations/`; these models
and the migrations are checked against each other by a test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from facespasm.diary.records import SIDES, TREATMENT_KINDS

RESULT_KINDS = ("assessment", "video")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    check = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {check}" if nullable else check


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A time-zone-aware instant, stored in UTC and always read back as aware UTC.

    SQLite has no time-zone type (it would hand back naive datetimes), so the UTC conversion is
    done here once for every database; PostgreSQL stores it as `timestamp with time zone`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes; store aware ones as UTC (naive UTC on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a naive datetime is ambiguous, give its time zone: {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Read back as aware UTC, whatever the database returned."""
        if value is None:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention the migrations rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Episode(Base):
    """One twitch episode the person logged."""

    __tablename__ = "episodes"
    __table_args__ = (
        CheckConstraint(_one_of("side", SIDES), name="side_known"),
        CheckConstraint("regions <> ''", name="regions_given"),
        CheckConstraint(
            "severity IS NULL OR (severity >= 0 AND severity <= 10)", name="severity_0_10"
        ),
        CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # The person's calendar day, from `timezone` at the time of writing.
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(5))
    # Comma-separated, in the order of REGIONS, e.g. "eyelid,cheek".
    regions: Mapped[str] = mapped_column(String(64))
    duration_s: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class DayFactors(Base):
    """A day's lifestyle factors, and the day's episode count when it was counted, not logged."""

    __tablename__ = "day_factors"
    __table_args__ = (
        CheckConstraint("episodes IS NULL OR episodes >= 0", name="episodes_non_negative"),
        CheckConstraint(
            "sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)", name="sleep_0_24"
        ),
        CheckConstraint(
            "caffeine_drinks IS NULL OR caffeine_drinks >= 0", name="caffeine_non_negative"
        ),
        CheckConstraint(
            "alcohol_drinks IS NULL OR alcohol_drinks >= 0", name="alcohol_non_negative"
        ),
        CheckConstraint(
            "stress_0_10 IS NULL OR (stress_0_10 >= 0 AND stress_0_10 <= 10)", name="stress_0_10"
        ),
        CheckConstraint(
            "screen_hours IS NULL OR (screen_hours >= 0 AND screen_hours <= 24)", name="screen_0_24"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    # An imported (counted) number of episodes; None: count the logged episodes instead.
    episodes: Mapped[int | None] = mapped_column(Integer)
    # The sleep of the night before `date`.
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    caffeine_drinks: Mapped[float | None] = mapped_column(Float)
    alcohol_drinks: Mapped[float | None] = mapped_column(Float)
    stress_0_10: Mapped[float | None] = mapped_column(Float)
    screen_hours: Mapped[float | None] = mapped_column(Float)
    nicotine: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)


class TreatmentRecord(Base):
    """A treatment on a date: a botulinum toxin injection, a medicine, or decompression surgery."""

    __tablename__ = "treatments"
    __table_args__ = (
        CheckConstraint(_one_of("kind", TREATMENT_KINDS), name="kind_known"),
        CheckConstraint(_one_of("side", SIDES, nullable=True), name="side_known"),
        CheckConstraint("dose_units IS NULL OR dose_units >= 0", name="dose_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    side: Mapped[str | None] = mapped_column(String(5))
    dose_units: Mapped[float | None] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class SavedResult(Base):
    """A saved assessment or video analysis (its JSON), linked to the person's day."""

    __tablename__ = "saved_results"
    __table_args__ = (CheckConstraint(_one_of("kind", RESULT_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # The result as JSON text (portable: SQLite and PostgreSQL alike).
    result: Mapped[str] = mapped_column(Text)
