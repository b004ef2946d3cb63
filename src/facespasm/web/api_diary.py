"""`/diary/...`: the diary over HTTP -- episodes, days, CSV, triggers, cycles.

Each route parses the request into the core's records and calls the person's `Diary`
(`DiaryDep`), exactly as `facespasm diary ...` does; values are checked there (an `InputError`
becomes a 422 naming the field, or the CSV row and column; an entry the person does not have, a
404). Bodies and answers are `diary_schemas.py`'s: strict, bounded as the core bounds them, and
published exactly. Treatments are `api_treatments.py`'s, kept measurements and assessments
`api_kept.py`'s.

Decisions:
- **The database is used off the event loop**: routes that read their body with `json_body`
  are async, and hand the store's (blocking) call to the thread pool, as FastAPI does for the
  plain routes, so that one slow write never stalls every other request.
- **Lists are paged**, newest first: `limit` (bounded, with a default that serves a page: a
  year of days, the last 20 episodes) and `offset` to go further back. A page shorter than
  `limit` is the last.
- **Edits are merge patches**: `PUT /days/{date}` and `PATCH /episodes/{id}` set the fields
  given (null clears one), keep the rest.
"""

from __future__ import annotations

import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from facespasm.diary import csv_io
from facespasm.diary.records import Day, Episode
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import (
    CreatedOut,
    DayIn,
    DayOut,
    DaysLimit,
    EntryId,
    EpisodeEditIn,
    EpisodeIn,
    EpisodeOut,
    EpisodesLimit,
    ImportedOut,
    Offset,
    PathDate,
)
from facespasm.web.responses import FastJSONResponse
from facespasm.web.schemas import ErrorOut, TriggersOut

router = APIRouter(prefix="/diary", tags=["diary"])

ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "This person's diary has no such entry."}
}


@router.post(
    "/episodes",
    status_code=201,
    responses=ERRORS,
    summary="Log an episode",
    openapi_extra=documented_body(EpisodeIn),
)
async def log_episode(request: Request, diary: DiaryDep) -> CreatedOut:
    """Log one twitch episode; the time zone decides which day it belongs to."""
    body = await json_body(request, EpisodeIn)
    new_id = await run_in_threadpool(lambda: diary.episodes.log(**body.model_dump()))
    return CreatedOut(id=new_id)


@router.get(
    "/episodes", response_model=list[EpisodeOut], responses=ERRORS, summary="Recent episodes"
)
def recent_episodes(
    diary: DiaryDep, limit: EpisodesLimit = 20, offset: Offset = 0
) -> list[Episode]:
    """The episodes, newest first, a page at a time."""
    return diary.episodes.page(limit=limit, offset=offset, newest_first=True)


@router.get(
    "/episodes/{id}",
    response_model=EpisodeOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="One episode",
)
def one_episode(id: EntryId, diary: DiaryDep) -> Episode:
    """One episode, by its id."""
    return diary.episodes.get(id)


@router.patch(
    "/episodes/{id}",
    response_model=EpisodeOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="Edit an episode",
    openapi_extra=documented_body(EpisodeEditIn),
)
async def edit_episode(id: EntryId, request: Request, diary: DiaryDep) -> Episode:
    """Change an episode: the fields given (null clears one); returns it as now stored."""
    body = await json_body(request, EpisodeEditIn)
    return await run_in_threadpool(diary.episodes.edit, id, body.changes())


@router.delete(
    "/episodes/{id}",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete an episode",
)
def delete_episode(id: EntryId, diary: DiaryDep) -> Response:
    """Delete one episode."""
    diary.episodes.delete(id)
    return Response(status_code=204)


@router.put(
    "/days/{date}",
    response_model=DayOut,
    responses=ERRORS,
    summary="Record a day's factors",
    openapi_extra=documented_body(DayIn),
)
async def record_day(date: PathDate, request: Request, diary: DiaryDep) -> Day:
    """Record or edit a day: the fields given are set (null clears one), the rest kept.

    Returns the day as now stored.
    """
    body = await json_body(request, DayIn)
    return await run_in_threadpool(diary.days.edit, date, body.changes())


@router.get(
    "/days/{date}", response_model=DayOut, responses={**ERRORS, **NOT_FOUND}, summary="One day"
)
def one_day(date: PathDate, diary: DiaryDep) -> Day:
    """One day: its episodes (counted, else logged) and factors."""
    found = diary.days.get(date)
    if found is None:
        raise HTTPException(404, f"nothing recorded or logged on {date.isoformat()}")
    return found


@router.delete(
    "/days/{date}", status_code=204, responses={**ERRORS, **NOT_FOUND}, summary="Delete a day"
)
def delete_day(date: PathDate, diary: DiaryDep) -> Response:
    """Delete what was recorded for a day (factors, counted episodes, note).

    Episodes logged on it are entries of their own: `DELETE /diary/episodes/{id}`.
    """
    diary.days.delete(date)
    return Response(status_code=204)


@router.get("/days", response_model=list[DayOut], responses=ERRORS, summary="Days, newest first")
def all_days(diary: DiaryDep, limit: DaysLimit = 366, offset: Offset = 0) -> list[Day]:
    """The diary's days, newest first, a page at a time, each with its episode count and factors."""
    return diary.days.page(limit=limit, offset=offset, newest_first=True)


@router.post(
    "/import",
    responses={**ERRORS, 413: {"model": ErrorOut}},
    summary="Import days from CSV",
)
def import_days(file: Annotated[UploadFile, File()], diary: DiaryDep) -> ImportedOut:
    """Import the ⚑ CSV columns: every row, or none when any is wrong (422 names row and column).

    The file is read as a stream and refused (413) as soon as it passes the import's size
    limit, whatever size it declares.
    """
    name = _file_name(file.filename)
    if file.size is not None and file.size > csv_io.MAX_BYTES:
        raise HTTPException(413, csv_io.too_large(name))
    try:
        imported = csv_io.import_csv(diary, file.file, name=name)
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
def export_days(diary: DiaryDep) -> Response:
    """Every day as CSV, in the columns the import reads."""
    out = io.StringIO()
    csv_io.export_csv(diary, out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="facespasm-diary.csv"'},
    )


@router.get(
    "/triggers", response_model=None, responses={200: {"model": TriggersOut}}, summary="Triggers"
)
def triggers(diary: DiaryDep) -> FastJSONResponse:
    """The ⚑ triggers JSON: which lifestyle factors go with more episodes, for this person.

    Days dated outside the diary's range (stored by an older version) are left out, and a note
    says so.
    """
    from facespasm.diary.triggers import trigger_analysis

    return FastJSONResponse(trigger_analysis(diary.days.all()).to_dict())


@router.get("/cycles", summary="Botulinum toxin cycles")
def cycles(diary: DiaryDep) -> list[dict[str, Any]]:
    """Each injection's effect: rates before and after, when it wore off, when the next is due.

    Injections dated outside the diary's range (stored by an older version) are left out.
    """
    from facespasm.diary.cycles import toxin_cycles

    return [cycle.to_dict() for cycle in toxin_cycles(diary.days.all(), diary.treatments.all())]
