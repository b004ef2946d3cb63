"""`/diary/treatments/...`: treatments as clinics record them, and the person's one-tap dates.

A botulinum toxin injection with its product, total, units by side and by site; a medicine from
its date `until` its last day, with its daily dose; decompression surgery -- one body per kind
(`kind` tells them apart). `onset` and `wore-off` record, with one tap, that the latest
injection started working or is wearing off on a date: data the cycle analysis uses. Each route
calls the person's `Diary` as `facespasm diary treatment ...` does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from facespasm.diary.records import Treatment
from facespasm.web.api_diary import ERRORS, NOT_FOUND
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import (
    CreatedOut,
    EntryId,
    Offset,
    OnDateIn,
    TreatmentEditIn,
    TreatmentIn,
    TreatmentOut,
    TreatmentsLimit,
)
from facespasm.web.schemas import ErrorOut

router = APIRouter(prefix="/diary/treatments", tags=["diary"])

NO_INJECTION: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No botulinum toxin injection on or before the date."},
    409: {
        "model": ErrorOut,
        "description": "The date conflicts with the other one already reported (a wear-off "
        "before the onset).",
    },
}


@router.post(
    "",
    status_code=201,
    responses=ERRORS,
    summary="Add a treatment",
    openapi_extra=documented_body(TreatmentIn),
)
async def add_treatment(request: Request, diary: DiaryDep) -> CreatedOut:
    """Record a treatment (e.g. a botulinum toxin injection)."""
    body = await json_body(request, TreatmentIn)
    treatment = Treatment(**body.record_values())
    return CreatedOut(id=await run_in_threadpool(diary.treatments.add, treatment))


@router.get(
    "", response_model=list[TreatmentOut], responses=ERRORS, summary="Treatments, newest first"
)
def all_treatments(
    diary: DiaryDep, limit: TreatmentsLimit = 100, offset: Offset = 0
) -> list[Treatment]:
    """The treatments, newest first, a page at a time."""
    return diary.treatments.page(limit=limit, offset=offset, newest_first=True)


@router.get(
    "/{id}", response_model=TreatmentOut, responses={**ERRORS, **NOT_FOUND}, summary="One treatment"
)
def one_treatment(id: EntryId, diary: DiaryDep) -> Treatment:
    """One treatment, by its id."""
    return diary.treatments.get(id)


@router.patch(
    "/{id}",
    response_model=TreatmentOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="Edit a treatment",
    openapi_extra=documented_body(TreatmentEditIn),
)
async def edit_treatment(id: EntryId, request: Request, diary: DiaryDep) -> Treatment:
    """Change a treatment: the fields given (null clears one); returns it as now stored."""
    body = await json_body(request, TreatmentEditIn)
    return await run_in_threadpool(diary.treatments.edit, id, body.changes())


@router.delete(
    "/{id}", status_code=204, responses={**ERRORS, **NOT_FOUND}, summary="Delete a treatment"
)
def delete_treatment(id: EntryId, diary: DiaryDep) -> Response:
    """Delete one treatment."""
    diary.treatments.delete(id)
    return Response(status_code=204)


@router.post(
    "/latest-injection/onset",
    response_model=TreatmentOut,
    responses={**ERRORS, **NO_INJECTION},
    summary="The latest injection started working",
    openapi_extra=documented_body(OnDateIn),
)
async def report_onset(request: Request, diary: DiaryDep) -> Treatment:
    """Record that the latest injection on or before `date` started working on `date`."""
    body = await json_body(request, OnDateIn)
    return await run_in_threadpool(diary.treatments.report_onset, body.date)


@router.post(
    "/latest-injection/wore-off",
    response_model=TreatmentOut,
    responses={**ERRORS, **NO_INJECTION},
    summary="The latest injection is wearing off",
    openapi_extra=documented_body(OnDateIn),
)
async def report_wear_off(request: Request, diary: DiaryDep) -> Treatment:
    """Record that the latest injection on or before `date` was wearing off on `date`."""
    body = await json_body(request, OnDateIn)
    return await run_in_threadpool(diary.treatments.report_wear_off, body.date)
