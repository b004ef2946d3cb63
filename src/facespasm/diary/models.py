"""The diary's tables (SQLAlchemy 2): people, and each person's entries of every kind.

Each person's episodes, days, treatments, ratings, measurements and assessments, and the whole
results the last two were taken from.

Decisions:
- **Every diary row belongs to a person** (`person_id`, deleted with the person), and what is
  unique is unique per person: a day is one row per (person, date). The local app has one
  person, created by the migration that added people (`DEFAULT_PERSON_ID`); a clinic's accounts
  will name theirs. Indexes lead with `person_id`, since every query is one person's.
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
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from facespasm.diary.records import CARE_LEVELS, RESULT_KINDS, SIDES, TREATMENT_KINDS

# The person of the local app (no login), created by migration 0002 with this id.
DEFAULT_PERSON_ID = 1
DEFAULT_PERSON_NAME = "default"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
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


def _owner() -> Mapped[int]:
    # The person a row belongs to; their rows go with them.
    return mapped_column(Integer, ForeignKey("people.id", ondelete="CASCADE"))


def _at_least_zero(*columns: str) -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(f"{column} IS NULL OR {column} >= 0", name=f"{column}_non_negative")
        for column in columns
    )


def _not_before(column: str, start: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR {column} >= {start}", name=f"{column}_after_{start}"
    )


class People(Base):
    """The people whose diaries the database keeps (the local app: one, `DEFAULT_PERSON_ID`)."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("name <> ''", name="name_given"),
        CheckConstraint(
            "rating_every_days IS NULL OR (rating_every_days >= 3 AND rating_every_days <= 7)",
            name="rating_every_days_3_7",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # How often a rating is due, in days (ratings.yaml's reminder bounds); None: the default.
    rating_every_days: Mapped[int | None] = mapped_column(Integer)


class Episodes(Base):
    """One twitch episode the person logged."""

    __tablename__ = "episodes"
    __table_args__ = (
        CheckConstraint(_one_of("side", SIDES), name="side_known"),
        CheckConstraint("regions <> ''", name="regions_given"),
        CheckConstraint(
            "severity IS NULL OR (severity >= 0 AND severity <= 10)", name="severity_0_10"
        ),
        CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration_non_negative"),
        Index(None, "person_id", "occurred_at"),
        Index(None, "person_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The person's calendar day, from `timezone` at the time of writing.
    local_date: Mapped[dt.date] = mapped_column(Date)
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
        UniqueConstraint("person_id", "date"),
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
    person_id: Mapped[int] = _owner()
    date: Mapped[dt.date] = mapped_column(Date)
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


class Treatments(Base):
    """A treatment on a date: a botulinum toxin injection, a medicine, or decompression surgery."""

    __tablename__ = "treatments"
    __table_args__ = (
        CheckConstraint(_one_of("kind", TREATMENT_KINDS), name="kind_known"),
        CheckConstraint(_one_of("side", SIDES, nullable=True), name="side_known"),
        CheckConstraint("dose_units IS NULL OR dose_units >= 0", name="dose_non_negative"),
        *_at_least_zero("units_left", "units_right"),
        _not_before("until", "date"),
        _not_before("reported_onset", "date"),
        _not_before("reported_wear_off", "date"),
        Index(None, "person_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    side: Mapped[str | None] = mapped_column(String(5))
    dose_units: Mapped[float | None] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    units_left: Mapped[float | None] = mapped_column(Float)
    units_right: Mapped[float | None] = mapped_column(Float)
    # Units by injection site, as JSON: [["orbicularis oculi, upper lid", 2.5], ...]; None: none.
    sites: Mapped[str | None] = mapped_column(Text)
    until: Mapped[dt.date | None] = mapped_column(Date)
    reported_onset: Mapped[dt.date | None] = mapped_column(Date)
    reported_wear_off: Mapped[dt.date | None] = mapped_column(Date)


class Ratings(Base):
    """A rating scale answered on a date: the answers (JSON) and the score."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("scale <> ''", name="scale_given"),
        CheckConstraint("score >= 0", name="score_non_negative"),
        Index(None, "person_id", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    date: Mapped[dt.date] = mapped_column(Date)
    scale: Mapped[str] = mapped_column(String(40))
    # [[item, answer], ...] as JSON.
    answers: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class SavedResults(Base):
    """A kept assessment or video analysis (its JSON), on the person's day."""

    __tablename__ = "saved_results"
    __table_args__ = (
        CheckConstraint(_one_of("kind", RESULT_KINDS), name="kind_known"),
        Index(None, "person_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    # The result as JSON text (portable: SQLite and PostgreSQL alike).
    result: Mapped[str] = mapped_column(Text)


def _kept_result() -> Mapped[int]:
    # The whole result a summary row was taken from; deleting the result deletes the summary.
    return mapped_column(Integer, ForeignKey("saved_results.id", ondelete="CASCADE"), unique=True)


class Measurements(Base):
    """A saved video analysis as numbers: spasms per minute by side, eyes closed, blinking."""

    __tablename__ = "measurements"
    __table_args__ = (
        *_at_least_zero(
            "face_minutes", "blink_rate_per_min", "spasms_per_min_left", "spasms_per_min_right"
        ),
        CheckConstraint(
            "eyes_closed_pct IS NULL OR (eyes_closed_pct >= 0 AND eyes_closed_pct <= 100)",
            name="eyes_closed_0_100",
        ),
        Index(None, "person_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    measured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    face_minutes: Mapped[float] = mapped_column(Float)
    blink_rate_per_min: Mapped[float | None] = mapped_column(Float)
    spasms_per_min_left: Mapped[float | None] = mapped_column(Float)
    spasms_per_min_right: Mapped[float | None] = mapped_column(Float)
    eyes_closed_pct: Mapped[float | None] = mapped_column(Float)
    result_id: Mapped[int] = _kept_result()


class Assessments(Base):
    """A kept assessment's headline: its care level and most likely cause."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(_one_of("care_level", CARE_LEVELS), name="care_level_known"),
        CheckConstraint(
            "top_probability IS NULL OR (top_probability >= 0 AND top_probability <= 1)",
            name="top_probability_0_1",
        ),
        Index(None, "person_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _owner()
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    care_level: Mapped[str] = mapped_column(String(16))
    complete: Mapped[bool] = mapped_column(Boolean)
    top_cause: Mapped[str | None] = mapped_column(String(64))
    top_probability: Mapped[float | None] = mapped_column(Float)
    result_id: Mapped[int] = _kept_result()


# The clinic's tables (accounts, sessions, shares, audit log) share this MetaData and migrations.
from facespasm.clinic import tables as _clinic_tables  # noqa: E402, F401
