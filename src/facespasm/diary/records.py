"""The diary's plain records: what storage reads and writes, and what the statistics analyse.

Storage (SQLAlchemy) and statistics (statsmodels) meet only here, so each can be tested without
the other: a simulated diary is a list of `Day`s, whatever database it would have come from.
Each record kind is one table's row (`rows.py` derives the mapping from these fields); the person
a record belongs to is not a field: it is the `Diary` that reads and writes it.

Records the database numbers carry their `id` last (None: not stored yet). A day has none: a
person's day is known by its date.

The ⚑ CSV columns of DESIGN.md are the fields of `Day` but its note (`date, episodes,
sleep_hours, caffeine_drinks, alcohol_drinks, stress_0_10, screen_hours, nicotine`);
`sleep_hours` on a day is the sleep of the night before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args

# The ⚑ CSV columns, in order (DESIGN.md).
CSV_COLUMNS = (
    "date",
    "episodes",
    "sleep_hours",
    "caffeine_drinks",
    "alcohol_drinks",
    "stress_0_10",
    "screen_hours",
    "nicotine",
)
FACTORS = CSV_COLUMNS[2:]

# The person's own side, where on the face, and which treatment: the one source of each word list.
Side = Literal["left", "right", "both"]
Region = Literal["eyelid", "brow", "cheek", "mouth", "neck"]
TreatmentKind = Literal["botulinum_toxin", "medication", "microvascular_decompression"]
CareLevel = Literal["self_care", "see_doctor", "see_doctor_soon", "emergency"]
ResultKind = Literal["assessment", "video"]
SIDES: tuple[Side, ...] = get_args(Side)
REGIONS: tuple[Region, ...] = get_args(Region)
TREATMENT_KINDS: tuple[TreatmentKind, ...] = get_args(TreatmentKind)
# The ⚑ care levels, lowest first (knowledge/checks.py holds the knowledge base to the same list).
CARE_LEVELS: tuple[CareLevel, ...] = get_args(CareLevel)
RESULT_KINDS: tuple[ResultKind, ...] = get_args(ResultKind)


@dataclass(frozen=True, slots=True)
class Day:
    """One day of the diary: twitch episodes and the lifestyle factors (None: not recorded)."""

    date: dt.date
    episodes: int | None = None
    sleep_hours: float | None = None
    caffeine_drinks: float | None = None
    alcohol_drinks: float | None = None
    stress_0_10: float | None = None
    screen_hours: float | None = None
    nicotine: bool | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """One twitch the person logged: when (a UTC instant), on which of their days, where, how bad.

    `local_date` is the person's calendar day in `timezone` at the time of writing: an episode at
    23:30 in Berlin belongs to that Berlin day even though it is already the next day in UTC.
    """

    occurred_at: dt.datetime
    local_date: dt.date
    timezone: str
    side: Side
    regions: tuple[Region, ...]
    duration_s: float | None = None
    severity: int | None = None
    note: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Treatment:
    """A treatment as a clinic records it: a botulinum toxin injection, a medicine, or surgery.

    `dose_units` is the total (units of toxin; a medicine's daily dose), `name` the product or
    medicine; a toxin's units may be split by side (`units_left`, `units_right`) and by site
    (`sites`: (site, units) pairs). A medicine runs from `date` to `until` (None: still taken).
    `reported_onset` and `reported_wear_off` are the person's own "it started working" and "it is
    wearing off" dates for an injection, used as data by the cycle analysis.
    """

    date: dt.date
    kind: TreatmentKind
    side: Side | None = None
    dose_units: float | None = None
    name: str | None = None
    note: str | None = None
    units_left: float | None = None
    units_right: float | None = None
    sites: tuple[tuple[str, float], ...] = ()
    until: dt.date | None = None
    reported_onset: dt.date | None = None
    reported_wear_off: dt.date | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating scale answered on a date: the scale, each item's answer, and the score.

    The scales themselves (their items, scoring and sources) are knowledge, not storage: the
    diary keeps what was answered and the score as it was computed then.
    """

    date: dt.date
    scale: str
    answers: tuple[tuple[str, int], ...]
    score: float
    note: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """A saved video analysis as a dated measurement of the person (`measurements.py`).

    Rates are per minute of face in view; None where the clip had no face time to count over.
    `result_id` is the whole analysis, kept (a `StoredResult`).
    """

    measured_at: dt.datetime
    local_date: dt.date
    timezone: str
    face_minutes: float
    blink_rate_per_min: float | None
    spasms_per_min_left: float | None
    spasms_per_min_right: float | None
    eyes_closed_pct: float | None
    result_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SavedAssessment:
    """A finished assessment the person chose to keep: when, its care level and top cause.

    `complete` is the triage's: every safety question answered. `result_id` is the whole ⚑
    assessment JSON, kept (a `StoredResult`), which `changes.py` compares with another.
    """

    assessed_at: dt.datetime
    local_date: dt.date
    timezone: str
    care_level: CareLevel
    complete: bool
    top_cause: str | None
    top_probability: float | None
    result_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredResult:
    """A kept result, whole: an assessment's or a video analysis's JSON, on the person's day."""

    kind: ResultKind
    created_at: dt.datetime
    local_date: dt.date
    timezone: str
    result: dict[str, Any]
    id: int | None = None
