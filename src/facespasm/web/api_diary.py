"""`/diary/...`: the diary over HTTP -- episodes, days, treatments, CSV, triggers, cycles.

Each route parses the request into the core's records and calls `facespasm.diary.store`,
`csv_io`, `triggers` or `cycles`, exactly as `facespasm diary ...` does; values are checked
there (an `InputError` becomes a 422 naming the field, or the CSV row and column). The engine
is the application's (`EngineDep`), so tests and clinics choose the database by settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from facespasm.diary import csv_io, store
from facespasm.diary.records import Day, Treatment
from facespasm.web.deps import EngineDep
from facespasm.web.responses import FastJSONResponse
from facespasm.web.schemas import ErrorOut, TriggersOut

router = APIRouter(prefix="/diary", tags=["diary"])

_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}


class _Strict(BaseModel):
    """A body that refuses a field it does not know ("sevrity": 9), naming it, not drop it."""

    model_config = ConfigDict(extra="forbid")


class EpisodeIn(_Strict):
    """One twitch episode."""

    side: Literal["left", "right", "both"] = Field(description="The person's own side.")
    regions: list[str] = Field(examples=[["eyelid"]], description="eyelid, brow, cheek, ...")
    severity: int | None = Field(None, description="0 (barely) to 10 (worst).")
    duration_s: float | None = Field(None, description="How long it lasted, in seconds.")
    note: str | None = None
    at: dt.datetime | None = Field(
        None, description="When (ISO 8601); without an offset, wall-clock time in `timezone`."
    )
    timezone: str = Field("UTC", description="The person's IANA time zone, e.g. Europe/Berlin.")


class DayIn(_Strict):
    """A day's factors; fields left out keep what was stored (a merge)."""

    episodes: int | None = Field(None, description="Counted episodes, if not logged one by one.")
    sleep_hours: float | None = Field(None, description="Sleep of the night before.")
    caffeine_drinks: float | None = None
    alcohol_drinks: float | None = None
    stress_0_10: float | None = None
    screen_hours: float | None = None
    nicotine: bool | None = None
    note: str | None = None


class TreatmentIn(_Strict):
    """A treatment given on a date."""

    date: dt.date
    kind: Literal["botulinum_toxin", "medication", "microvascular_decompression"]
    side: Literal["left", "right", "both"] | None = None
    dose_units: float | None = None
    name: str | None = None
    note: str | None = None


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


@router.post("/episodes", status_code=201, responses=_ERRORS, summary="Log an episode")
def log_episode(body: EpisodeIn, engine: EngineDep) -> CreatedOut:
    """Log one twitch episode; the time zone decides which day it belongs to."""
    new_id = store.log_episode(engine, **body.model_dump())
    return CreatedOut(id=new_id)


@router.get("/episodes", summary="Recent episodes")
def recent_episodes(
    engine: EngineDep, limit: Annotated[int, Query(ge=1, le=1000)] = 20
) -> list[dict[str, Any]]:
    """The most recent episodes, newest first."""
    return [_plain(episode) for episode in store.recent_episodes(engine, limit)]


@router.put("/days/{date}", responses=_ERRORS, summary="Record a day's factors")
def record_day(date: dt.date, body: DayIn, engine: EngineDep) -> dict[str, Any]:
    """Record a day's factors (merged into what was stored); returns the day as now stored."""
    values = body.model_dump(exclude={"note"})
    store.record_day(engine, Day(date=date, **values), note=body.note)
    stored = next(day for day in store.days(engine) if day.date == date)
    return _plain(stored)


@router.get("/days", summary="Every day")
def all_days(engine: EngineDep) -> list[dict[str, Any]]:
    """Every day of the diary, oldest first, with its episode count and factors."""
    return [_plain(day) for day in store.days(engine)]


@router.post("/treatments", status_code=201, responses=_ERRORS, summary="Add a treatment")
def add_treatment(body: TreatmentIn, engine: EngineDep) -> CreatedOut:
    """Record a treatment (e.g. a botulinum toxin injection)."""
    return CreatedOut(id=store.add_treatment(engine, Treatment(**body.model_dump())))


@router.get("/treatments", summary="Every treatment")
def all_treatments(engine: EngineDep) -> list[dict[str, Any]]:
    """Every treatment, oldest first."""
    return [_plain(treatment) for treatment in store.treatments(engine)]


@router.post(
    "/import",
    responses={**_ERRORS, 413: {"model": ErrorOut}},
    summary="Import days from CSV",
)
def import_days(file: Annotated[UploadFile, File()], engine: EngineDep) -> ImportedOut:
    """Import the ⚑ CSV columns: every row, or none when any is wrong (422 names row and column)."""
    if file.size is not None and file.size > csv_io.MAX_BYTES:
        raise HTTPException(413, f"the CSV file is larger than {csv_io.MAX_BYTES // 2**20} MB")
    name = file.filename or "upload.csv"
    try:
        # utf-8-sig: spreadsheet programs often start a CSV with a byte-order mark.
        text = file.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(422, f"{name}: not a UTF-8 text file") from None
    stream = io.StringIO(text, newline="")
    stream.name = name  # csv_io names the file in its messages
    return ImportedOut(imported=csv_io.import_csv(engine, stream))


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
    """The ⚑ triggers JSON: which lifestyle factors go with more episodes, for this person."""
    from facespasm.diary.triggers import trigger_analysis

    return FastJSONResponse(trigger_analysis(store.days(engine)).to_dict())


@router.get("/cycles", summary="Botulinum toxin cycles")
def cycles(engine: EngineDep) -> list[dict[str, Any]]:
    """Each injection's effect: rates before and after, when it wore off, when the next is due."""
    from facespasm.diary.cycles import toxin_cycles

    return [cycle.to_dict() for cycle in toxin_cycles(store.days(engine), store.treatments(engine))]
