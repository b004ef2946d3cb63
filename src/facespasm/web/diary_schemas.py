"""The diary API's bodies and answers, strict and bounded exactly as the core bounds them.

Decisions:
- **The schema is the contract.** Every limit `facespasm.diary.bounds` and `validation`
  enforce on one field is published: number ranges, string lengths, the characters a note may
  hold (a pattern), time zones (an enum), and dates as a pattern of exactly the calendar dates
  from 1900-01-01 to a year after the day the server started. The request models check the
  same published patterns, so a request the schema allows is accepted and one it forbids is
  refused; the core's checks (the same limits, counted from the live date) can only be as wide
  or wider. A treatment's fields depend on its kind (one body per kind, told apart by `kind`);
  how its parts fit together -- later dates after its date, units by side and by site within
  the total, none on a side not injected -- is beyond what a schema can say, is written in
  the descriptions, and is a 422 naming the field.
- **Strict types.** Nothing is coerced: `"nicotine": "yes"`, `"severity": true`,
  `"sleep_hours": "7"` and a path date `/days/0` are 422, as is an unknown field (named). A
  whole number may be written `3.0`, as JSON Schema counts it an integer.
- **Edits are merge patches** (RFC 7386): a field left out keeps what was stored, `null`
  clears an optional one.
- **Answers are what the core returns**, read from its records (`from_attributes`), so the
  published answer is the stored record's shape.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    RootModel,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from facespasm.diary import bounds
from facespasm.diary.records import REGIONS, CareLevel, Region, Side, TreatmentKind
from facespasm.diary.validation import MAX_SITE_LENGTH, MAX_SITES

# The latest date the schema allows: a year after the day this module was loaded (the core
# allows a year after the live date, never less, so the schema never promises too much).
LATEST_DATE = bounds.latest_date()
_RANGE = f"{bounds.EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
_DATE = bounds.date_pattern(LATEST_DATE)
DATE_PATTERN = f"^{_DATE}$"
TIME_PATTERN = (
    f"^{_DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{{1,6}})?)?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_DATE_RE = re.compile(DATE_PATTERN)
_TIME_RE = re.compile(TIME_PATTERN)
_NOTE_RE = re.compile(bounds.NOTE_PATTERN)
_NAME_RE = re.compile(bounds.NAME_PATTERN)
_LOOKS_LIKE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# PostgreSQL's `integer`: an id beyond it names nothing, and must not reach the database.
MAX_ID = 2**31 - 1


def _invalid(message: str) -> PydanticCustomError:
    # A validation error whose message is ours alone (a ValueError would be "Value error, ...").
    return PydanticCustomError("diary_value", message)


def _diary_date(value: object) -> dt.date:
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        return dt.date.fromisoformat(value)
    problem = f"must be a date from {_RANGE} (YYYY-MM-DD)"
    if isinstance(value, str) and _LOOKS_LIKE_DATE.fullmatch(value):
        try:
            problem = bounds.date_problem(dt.date.fromisoformat(value), LATEST_DATE) or problem
        except ValueError:
            problem = f"{value} is not a calendar date"
    raise _invalid(problem)


def _diary_time(value: object) -> dt.datetime:
    if isinstance(value, str) and _TIME_RE.fullmatch(value):
        return dt.datetime.fromisoformat(value)
    raise _invalid(
        f"must be a date and time from {_RANGE}, as YYYY-MM-DDTHH:MM[:SS[.ffffff]], with an "
        "optional offset (Z, +02:00) -- without one it is wall-clock time in `timezone`"
    )


def _text(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise _invalid(f"{what} must not hold control characters")
        return value

    return AfterValidator(check)


def _time_zone(value: str) -> str:
    if value not in bounds.time_zones():
        raise _invalid(f"unknown time zone {value[:40]!r} (an IANA name, e.g. Europe/London)")
    return value


def _whole(value: object) -> object:
    # JSON Schema counts 155.0 as an integer, so it is one here too (true and "155" are not).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _distinct(values: list[Region]) -> list[Region]:
    if len(set(values)) != len(values):
        raise _invalid("each region at most once")
    return values


def whole_number(low: int, high: int) -> PlainValidator:
    """A query or path value as a whole number from `low` to `high`.

    The value is text; only plain digits count as a number (no "+1", " 1", "1_000").
    """

    def parse(value: object) -> int:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
            number = int(value)
            if low <= number <= high:
                return number
        raise _invalid(f"must be a whole number from {low} to {high}")

    return PlainValidator(parse)


DiaryDate = Annotated[
    dt.date,
    PlainValidator(_diary_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": DATE_PATTERN, "examples": ["2026-03-01"]}
    ),
]
DiaryTime = Annotated[
    dt.datetime,
    PlainValidator(_diary_time),
    WithJsonSchema(
        {"type": "string", "pattern": TIME_PATTERN, "examples": ["2026-03-01T08:30:00+01:00"]}
    ),
]
Note = Annotated[
    str,
    Field(max_length=bounds.MAX_NOTE_LENGTH, json_schema_extra={"pattern": bounds.NOTE_PATTERN}),
    _text(_NOTE_RE, "a note"),
]
Name = Annotated[
    str,
    Field(max_length=bounds.MAX_NAME_LENGTH, json_schema_extra={"pattern": bounds.NAME_PATTERN}),
    _text(_NAME_RE, "a name"),
]
SiteName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SITE_LENGTH,
        json_schema_extra={"pattern": bounds.NAME_PATTERN},
        examples=["left orbicularis oculi, upper lid"],
    ),
    _text(_NAME_RE, "a site"),
]
# Constraints before the validator: after it, pydantic publishes them as "ge"/"le", not JSON
# Schema's "minimum"/"maximum".
Severity = Annotated[int, Field(ge=0, le=bounds.MAX_SEVERITY), BeforeValidator(_whole)]
EpisodeCount = Annotated[int, Field(ge=0, le=bounds.LIMITS["episodes"][1]), BeforeValidator(_whole)]
Units = Annotated[float, Field(ge=0, le=bounds.MAX_DOSE_UNITS)]
Seconds = Annotated[float, Field(ge=0, le=bounds.MAX_EPISODE_SECONDS)]
TimeZone = Annotated[
    str,
    AfterValidator(_time_zone),
    WithJsonSchema({"type": "string", "enum": sorted(bounds.time_zones()), "default": "UTC"}),
]
Regions = Annotated[
    list[Region],
    AfterValidator(_distinct),
    Field(
        min_length=1,
        max_length=len(REGIONS),
        json_schema_extra={"uniqueItems": True},
        examples=[["eyelid"]],
        description="Where it twitched, each place once.",
    ),
]


def _factor(name: str, description: str | None = None) -> Any:
    # An optional day column, bounded as the core bounds it.
    low, high = bounds.LIMITS[name]
    return Field(None, ge=low, le=high, description=description)


class _Strict(BaseModel):
    """A body read strictly: an unknown field is refused by name, nothing is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def changes(self) -> dict[str, Any]:
        """The fields the body gave (a merge patch: null included, left-out fields not)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class EpisodeIn(_Strict):
    """One twitch episode."""

    side: Side = Field(description="The person's own side.")
    regions: Regions
    severity: Severity | None = Field(None, description="0 (barely) to 10 (worst).")
    duration_s: Seconds | None = Field(None, description="How long it lasted, in seconds.")
    note: Note | None = None
    at: DiaryTime | None = Field(
        None, description="When; without an offset, wall-clock time in `timezone`. Default: now."
    )
    timezone: TimeZone = Field("UTC", description="The person's IANA time zone.")


class EpisodeEditIn(_Strict):
    """Changes to an episode: fields left out keep what was stored, null clears."""

    side: Side = Field(None, description="The person's own side.")  # type: ignore[arg-type]
    regions: Regions = None  # type: ignore[assignment]
    severity: Severity | None = Field(None, description="0 (barely) to 10 (worst).")
    duration_s: Seconds | None = Field(None, description="How long it lasted, in seconds.")
    note: Note | None = None
    at: DiaryTime = Field(  # type: ignore[assignment]
        None, description="When; without an offset, wall-clock time in `timezone`."
    )
    timezone: TimeZone = Field(  # type: ignore[assignment]
        None,
        description="The person's IANA time zone; alone, it keeps the instant and moves the "
        "episode to the person's day in that zone.",
    )


class DayIn(_Strict):
    """A day's factors: fields left out keep what was stored, null clears (a merge patch)."""

    episodes: EpisodeCount | None = Field(
        None, description="Counted episodes, if not logged one by one."
    )
    sleep_hours: float | None = _factor("sleep_hours", "Sleep of the night before.")
    caffeine_drinks: float | None = _factor("caffeine_drinks")
    alcohol_drinks: float | None = _factor("alcohol_drinks")
    stress_0_10: float | None = _factor("stress_0_10")
    screen_hours: float | None = _factor("screen_hours")
    nicotine: bool | None = None
    note: Note | None = None


class SiteIn(_Strict):
    """Units of toxin at one injection site."""

    site: SiteName
    units: Units


Sites = Annotated[
    list[SiteIn],
    Field(max_length=MAX_SITES, description="Units by injection site (together at most the dose)."),
]
LATER_DATES = (
    "On or after the treatment's date; a wear-off on or after the onset. Units by side and by "
    "site add up to at most `dose_units`, and a one-sided injection has none on the other side "
    "(else 422)."
)


class _TreatmentIn(_Strict):
    date: DiaryDate
    side: Side | None = None
    dose_units: Units | None = Field(
        None, description="The total: units of toxin, or a medicine's daily dose."
    )
    name: Name | None = Field(None, description="The product or medicine.")
    note: Note | None = None


class ToxinIn(_TreatmentIn):
    """A botulinum toxin injection: the total, units by side and site, the person's own dates."""

    kind: Literal["botulinum_toxin"]
    units_left: Units | None = Field(None, description="Units on the person's left side.")
    units_right: Units | None = Field(None, description="Units on the person's right side.")
    sites: Sites = []
    reported_onset: DiaryDate | None = Field(
        None, description="When the person noticed it working. " + LATER_DATES
    )
    reported_wear_off: DiaryDate | None = Field(
        None, description="When the person noticed it wearing off. " + LATER_DATES
    )


class MedicationIn(_TreatmentIn):
    """A medicine taken from `date` to `until` (null: still taken), `dose_units` a day."""

    kind: Literal["medication"]
    until: DiaryDate | None = Field(None, description="The last day taken. " + LATER_DATES)


class SurgeryIn(_TreatmentIn):
    """Microvascular decompression surgery."""

    kind: Literal["microvascular_decompression"]


class TreatmentIn(RootModel[ToxinIn | MedicationIn | SurgeryIn]):
    """A treatment: its fields depend on its `kind`."""

    root: Annotated[ToxinIn | MedicationIn | SurgeryIn, Field(discriminator="kind")]

    def record_values(self) -> dict[str, Any]:
        """The `Treatment` fields the body gives."""
        values = self.root.model_dump()
        if "sites" in values:
            values["sites"] = tuple((site["site"], site["units"]) for site in values["sites"])
        return values


class TreatmentEditIn(_Strict):
    """Changes to a treatment: left out keeps, null clears; its kind stays (delete and add)."""

    date: DiaryDate = None  # type: ignore[assignment]
    side: Side | None = None
    dose_units: Units | None = None
    name: Name | None = None
    note: Note | None = None
    units_left: Units | None = Field(None, description="A botulinum toxin's. " + LATER_DATES)
    units_right: Units | None = Field(None, description="A botulinum toxin's.")
    sites: Sites | None = None
    until: DiaryDate | None = Field(None, description="A medicine's. " + LATER_DATES)
    reported_onset: DiaryDate | None = Field(None, description="A botulinum toxin's.")
    reported_wear_off: DiaryDate | None = Field(None, description="A botulinum toxin's.")

    def changes(self) -> dict[str, Any]:
        """The fields given, as `Treatment` values (sites as pairs, null sites as none)."""
        changes = super().changes()
        if "sites" in changes:
            sites = changes["sites"] or []
            changes["sites"] = tuple((site.site, site.units) for site in sites)
        return changes


class OnDateIn(_Strict):
    """The day the person noticed it."""

    date: DiaryDate


class CreatedOut(BaseModel):
    """The id of what was created."""

    id: int


class ImportedOut(BaseModel):
    """How many days a CSV import created or updated."""

    imported: int


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EpisodeOut(_Out):
    """An episode as stored: its UTC instant, the person's day and zone, where, how bad."""

    id: int
    occurred_at: dt.datetime
    local_date: dt.date
    timezone: str
    side: Side
    regions: list[Region]
    duration_s: float | None
    severity: int | None
    note: str | None


class DayOut(_Out):
    """A day as stored: its episodes (counted, else logged) and factors."""

    date: dt.date
    episodes: int | None
    sleep_hours: float | None
    caffeine_drinks: float | None
    alcohol_drinks: float | None
    stress_0_10: float | None
    screen_hours: float | None
    nicotine: bool | None
    note: str | None


def _site_objects(value: object) -> object:
    # The record's (site, units) pairs, as the body's objects.
    if isinstance(value, tuple):
        return [{"site": site, "units": units} for site, units in value]
    return value


class SiteOut(_Out):
    """Units at one injection site."""

    site: str
    units: float


class TreatmentOut(_Out):
    """A treatment as stored."""

    id: int
    date: dt.date
    kind: TreatmentKind
    side: Side | None
    dose_units: float | None
    name: str | None
    note: str | None
    units_left: float | None
    units_right: float | None
    sites: Annotated[list[SiteOut], BeforeValidator(_site_objects)]
    until: dt.date | None
    reported_onset: dt.date | None
    reported_wear_off: dt.date | None


class MeasurementOut(_Out):
    """A kept video analysis as a measurement (rates per minute of face in view)."""

    id: int
    measured_at: dt.datetime
    local_date: dt.date
    timezone: str
    face_minutes: float
    blink_rate_per_min: float | None
    spasms_per_min_left: float | None
    spasms_per_min_right: float | None
    eyes_closed_pct: float | None


class SavedAssessmentOut(_Out):
    """A kept assessment's headline: its care level and most likely cause."""

    id: int
    assessed_at: dt.datetime
    local_date: dt.date
    timezone: str
    care_level: CareLevel
    complete: bool = Field(description="Every safety question was answered.")
    top_cause: str | None
    top_probability: float | None


class _Change(BaseModel):
    before: Any
    after: Any


class CareChangeOut(_Change):
    """The care level before and after, and whether it went up or down."""

    change: Literal["up", "down", "same"]


class CauseChangeOut(_Change):
    """The most likely cause before and after (ids)."""

    changed: bool


class FindingChangeOut(_Change):
    """One finding that changed."""

    finding: str
    change: Literal["new", "gone", "changed"]
    text: str


class ChangesOut(BaseModel):
    """What changed from an earlier kept assessment to a later one."""

    since: dt.date | None
    care_level: CareChangeOut
    top_cause: CauseChangeOut
    findings: list[FindingChangeOut]
    texts: list[str]
    summary: str


_OFFSET_MAX = 10_000_000
Offset = Annotated[
    int,
    whole_number(0, _OFFSET_MAX),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": _OFFSET_MAX, "default": 0}),
    Query(description="How many of the newest to skip: the next page is at offset + limit."),
]


def _limit(default: int, most: int, what: str) -> tuple[Any, ...]:
    # The `limit` query parameter of a list: how many in a page, bounded.
    return (
        whole_number(1, most),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": most, "default": default}),
        Query(description=f"{what} in a page."),
    )


DaysLimit = Annotated[int, *_limit(366, 5_000, "Days")]
EpisodesLimit = Annotated[int, *_limit(20, 1_000, "Episodes")]
TreatmentsLimit = Annotated[int, *_limit(100, 1_000, "Treatments")]
KeptLimit = Annotated[int, *_limit(100, 1_000, "Entries")]
EntryId = Annotated[
    int,
    whole_number(1, MAX_ID),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    Path(description="The entry's id."),
]
PathDate = Annotated[DiaryDate, Path(description="The day, YYYY-MM-DD.")]
