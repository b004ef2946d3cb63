"""`/diary/...`: the diary over HTTP -- episodes, days, treatments, CSV, triggers, cycles.

Each route parses the request into the core's records and calls `facespasm.diary.store`,
`csv_io`, `triggers` or `cycles`, exactly as `facespasm diary ...` does; values are checked
there (an `InputError` becomes a 422 naming the field, or the CSV row and column). The engine
is the application's (`EngineDep`), so tests and clinics choose the database by settings.

Decisions:
- **The schema is the contract.** Every limit `facespasm.diary.bounds` enforces is published:
  number ranges, string lengths, the characters a note may hold (a pattern), time zones (an
  enum), and dates as a pattern of exactly the calendar dates from 1900-01-01 to a year after
  the day the server started. The request models check the same published patterns, so a
  request the schema allows is accepted and one it forbids is refused; the core's checks (the
  same limits, counted from the live date) can only be as wide or wider.
- **Strict types.** Nothing is coerced: `"nicotine": "yes"`, `"severity": true`,
  `"sleep_hours": "7"` and a path date `/days/0` are 422, as is an unknown field (named). A
  whole number may be written `3.0`, as JSON Schema counts it an integer.
  Bodies are parsed by pydantic from their bytes (`bodies.json_body`), where a lone surrogate
  is already invalid JSON.
- **The database is used off the event loop**: routes that read their body with `json_body`
  are async, and hand the store's (blocking) call to the thread pool, as FastAPI does for the
  plain routes, so that one slow write never stalls every other request.
- **Lists are paged**, newest first: `limit` (bounded, with a default that serves a page: a
  year of days, the last 20 episodes, 100 treatments) and `offset` to go further back. A page
  shorter than `limit` is the last.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from facespasm.diary import bounds, csv_io, store
from facespasm.diary.records import REGIONS, Day, Region, Side, Treatment, TreatmentKind
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import EngineDep
from facespasm.web.responses import FastJSONResponse
from facespasm.web.schemas import ErrorOut, TriggersOut

router = APIRouter(prefix="/diary", tags=["diary"])

_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}

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


def _query_int(low: int, high: int) -> PlainValidator:
    # Query values are text; only plain digits count as a number (no "+1", " 1", "1_000").
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
# Constraints before the validator: after it, pydantic publishes them as "ge"/"le", not JSON
# Schema's "minimum"/"maximum".
Severity = Annotated[int, Field(ge=0, le=bounds.MAX_SEVERITY), BeforeValidator(_whole)]
EpisodeCount = Annotated[int, Field(ge=0, le=bounds.LIMITS["episodes"][1]), BeforeValidator(_whole)]
TimeZone = Annotated[
    str,
    AfterValidator(_time_zone),
    WithJsonSchema({"type": "string", "enum": sorted(bounds.time_zones()), "default": "UTC"}),
]


def _factor(name: str, description: str | None = None) -> Any:
    # An optional day column, bounded as the core bounds it.
    low, high = bounds.LIMITS[name]
    return Field(None, ge=low, le=high, description=description)


class _Strict(BaseModel):
    """A body read strictly: an unknown field is refused by name, nothing is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class EpisodeIn(_Strict):
    """One twitch episode."""

    side: Side = Field(description="The person's own side.")
    regions: Annotated[list[Region], AfterValidator(_distinct)] = Field(
        min_length=1,
        max_length=len(REGIONS),
        json_schema_extra={"uniqueItems": True},
        examples=[["eyelid"]],
        description="Where it twitched, each place once.",
    )
    severity: Severity | None = Field(None, description="0 (barely) to 10 (worst).")
    duration_s: float | None = Field(
        None, ge=0, le=bounds.MAX_EPISODE_SECONDS, description="How long it lasted, in seconds."
    )
    note: Note | None = None
    at: DiaryTime | None = Field(
        None, description="When; without an offset, wall-clock time in `timezone`. Default: now."
    )
    timezone: TimeZone = Field("UTC", description="The person's IANA time zone.")


class DayIn(_Strict):
    """A day's factors; fields left out keep what was stored (a merge)."""

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


class TreatmentIn(_Strict):
    """A treatment given on a date."""

    date: DiaryDate
    kind: TreatmentKind
    side: Side | None = None
    dose_units: float | None = Field(None, ge=0, le=bounds.MAX_DOSE_UNITS)
    name: Name | None = None
    note: Note | None = None


class CreatedOut(BaseModel):
    """The id of what was created."""

    id: int


class ImportedOut(BaseModel):
    """How many days a CSV import created or updated."""

    imported: int


def _plain(record: Any) -> dict[str, Any]:
    values = dataclasses.asdict(record)
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in values.items()
    }


_OFFSET_MAX = 10_000_000
Offset = Annotated[
    int,
    _query_int(0, _OFFSET_MAX),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": _OFFSET_MAX, "default": 0}),
    Query(description="How many of the newest to skip: the next page is at offset + limit."),
]


def _limit_schema(default: int, most: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "integer", "minimum": 1, "maximum": most, "default": default})


DaysLimit = Annotated[
    int, _query_int(1, 5_000), _limit_schema(366, 5_000), Query(description="Days in a page.")
]
EpisodesLimit = Annotated[
    int, _query_int(1, 1_000), _limit_schema(20, 1_000), Query(description="Episodes in a page.")
]
TreatmentsLimit = Annotated[
    int,
    _query_int(1, 1_000),
    _limit_schema(100, 1_000),
    Query(description="Treatments in a page."),
]


@router.post(
    "/episodes",
    status_code=201,
    responses=_ERRORS,
    summary="Log an episode",
    openapi_extra=documented_body(EpisodeIn),
)
async def log_episode(request: Request, engine: EngineDep) -> CreatedOut:
    """Log one twitch episode; the time zone decides which day it belongs to."""
    body = await json_body(request, EpisodeIn)
    new_id = await run_in_threadpool(lambda: store.log_episode(engine, **body.model_dump()))
    return CreatedOut(id=new_id)


@router.get("/episodes", responses=_ERRORS, summary="Recent episodes")
def recent_episodes(
    engine: EngineDep,
    limit: EpisodesLimit = 20,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The episodes, newest first, a page at a time."""
    return [_plain(episode) for episode in store.recent_episodes(engine, limit, offset)]


@router.put(
    "/days/{date}",
    responses=_ERRORS,
    summary="Record a day's factors",
    openapi_extra=documented_body(DayIn),
)
async def record_day(
    date: Annotated[DiaryDate, Path(description="The day, YYYY-MM-DD.")],
    request: Request,
    engine: EngineDep,
) -> dict[str, Any]:
    """Record a day's factors (merged into what was stored); returns the day as now stored."""
    body = await json_body(request, DayIn)
    day = Day(date=date, **body.model_dump(exclude={"note"}))
    return _plain(await run_in_threadpool(store.record_day, engine, day, body.note))


@router.get("/days", responses=_ERRORS, summary="Days, newest first")
def all_days(
    engine: EngineDep,
    limit: DaysLimit = 366,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The diary's days, newest first, a page at a time, each with its episode count and factors."""
    return [
        _plain(day) for day in store.days(engine, limit=limit, offset=offset, newest_first=True)
    ]


@router.post(
    "/treatments",
    status_code=201,
    responses=_ERRORS,
    summary="Add a treatment",
    openapi_extra=documented_body(TreatmentIn),
)
async def add_treatment(request: Request, engine: EngineDep) -> CreatedOut:
    """Record a treatment (e.g. a botulinum toxin injection)."""
    body = await json_body(request, TreatmentIn)
    treatment = Treatment(**body.model_dump())
    return CreatedOut(id=await run_in_threadpool(store.add_treatment, engine, treatment))


@router.get("/treatments", responses=_ERRORS, summary="Treatments, newest first")
def all_treatments(
    engine: EngineDep,
    limit: TreatmentsLimit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The treatments, newest first, a page at a time."""
    page = store.treatments(engine, limit=limit, offset=offset, newest_first=True)
    return [_plain(treatment) for treatment in page]


@router.post(
    "/import",
    responses={**_ERRORS, 413: {"model": ErrorOut}},
    summary="Import days from CSV",
)
def import_days(file: Annotated[UploadFile, File()], engine: EngineDep) -> ImportedOut:
    """Import the ⚑ CSV columns: every row, or none when any is wrong (422 names row and column).

    The file is read as a stream and refused (413) as soon as it passes the import's size
    limit, whatever size it declares.
    """
    name = _file_name(file.filename)
    if file.size is not None and file.size > csv_io.MAX_BYTES:
        raise HTTPException(413, csv_io.too_large(name))
    try:
        imported = csv_io.import_csv(engine, file.file, name=name)
    except csv_io.TooLargeError as error:
        raise HTTPException(413, str(error)) from None
    return ImportedOut(imported=imported)


def _file_name(given: str | None) -> str:
    # The upload's name appears in messages: its last part, printable, and short.
    last = re.split(r"[\\/]", given or "")[-1]
    shown = re.sub(r"[^\w.\- ]", "_", last)[:60].strip()
    return shown or "upload.csv"


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Export days as CSV",
)
def export_days(engine: EngineDep) -> Response:
    """Every day as CSV, in the columns the import reads."""
    out = io.StringIO()
    csv_io.export_csv(engine, out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="facespasm-diary.csv"'},
    )


@router.get(
    "/triggers", response_model=None, responses={200: {"model": TriggersOut}}, summary="Triggers"
)
def triggers(engine: EngineDep) -> FastJSONResponse:
    """The ⚑ triggers JSON: which lifestyle factors go with more episodes, for this person.

    Days dated outside the diary's range (stored by an older version) are left out, and a note
    says so.
    """
    from facespasm.diary.triggers import trigger_analysis

    return FastJSONResponse(trigger_analysis(store.days(engine)).to_dict())


@router.get("/cycles", summary="Botulinum toxin cycles")
def cycles(engine: EngineDep) -> list[dict[str, Any]]:
    """Each injection's effect: rates before and after, when it wore off, when the next is due.

    Injections dated outside the diary's range (stored by an older version) are left out.
    """
    from facespasm.diary.cycles import toxin_cycles

    return [cycle.to_dict() for cycle in toxin_cycles(store.days(engine), store.treatments(engine))]
