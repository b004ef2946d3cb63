"""`/diary/measurements` and `/diary/assessments`: the results a person chose to keep.

A video analysis is kept by `POST /api/v1/analyze` with `save=true` and listed here as a dated
measurement (spasms a minute by side, % of time eyes closed, blink rate); an assessment is kept
by `POST /diary/assessments`, which assesses the case it is sent -- the body of `POST
/api/v1/assess`, and the person's time zone -- and keeps the result. Each is listed by its
headline, read whole by id, compared (`/assessments/{id}/changes`: what changed since then) and
deleted; every route calls the person's `Diary`, as `facespasm diary measurements` and `diary
assessments` do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from facespasm.diary.records import Measurement, SavedAssessment
from facespasm.web.api_assess import AssessIn, assessed
from facespasm.web.api_diary import ERRORS, NOT_FOUND
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import (
    MAX_ID,
    ChangesOut,
    EntryId,
    KeptLimit,
    MeasurementOut,
    Offset,
    SavedAssessmentOut,
    TimeZone,
    whole_number,
)
from facespasm.web.responses import FastJSONResponse
from facespasm.web.schemas import AnalysisOut, AssessmentOut

router = APIRouter(prefix="/diary", tags=["diary"])


class KeepAssessmentIn(AssessIn):
    """A case to assess and keep: what `POST /assess` takes, and the person's time zone."""

    timezone: TimeZone = Field("UTC", description="The person's IANA time zone (its day).")


@router.get(
    "/measurements",
    response_model=list[MeasurementOut],
    responses=ERRORS,
    summary="Kept measurements, newest first",
)
def all_measurements(
    diary: DiaryDep, limit: KeptLimit = 100, offset: Offset = 0
) -> list[Measurement]:
    """The kept video measurements, newest first, a page at a time."""
    return diary.measurements.page(limit=limit, offset=offset, newest_first=True)


@router.get(
    "/measurements/{id}",
    response_model=MeasurementOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="One measurement",
)
def one_measurement(id: EntryId, diary: DiaryDep) -> Measurement:
    """One kept measurement, by its id."""
    return diary.measurements.get(id)


@router.get(
    "/measurements/{id}/analysis",
    response_model=None,
    responses={200: {"model": AnalysisOut}, **ERRORS, **NOT_FOUND},
    summary="The analysis a measurement was made from",
)
def measurement_analysis(id: EntryId, diary: DiaryDep) -> FastJSONResponse:
    """The whole ⚑ analysis JSON the measurement was taken from, as it was kept."""
    return FastJSONResponse(diary.measurements.result(id).result)


@router.delete(
    "/measurements/{id}",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a measurement",
)
def delete_measurement(id: EntryId, diary: DiaryDep) -> Response:
    """Delete a kept measurement and the analysis it was made from."""
    diary.measurements.delete(id)
    return Response(status_code=204)


@router.post(
    "/assessments",
    status_code=201,
    response_model=SavedAssessmentOut,
    responses=ERRORS,
    summary="Assess a case and keep the result",
    openapi_extra=documented_body(KeepAssessmentIn),
)
async def keep_assessment(request: Request, diary: DiaryDep) -> SavedAssessment:
    """Assess the case as `POST /assess` does, keep the result whole, and return its headline."""
    body = await json_body(request, KeepAssessmentIn)
    result = assessed(body).to_dict()
    return await run_in_threadpool(lambda: diary.assessments.save(result, timezone=body.timezone))


@router.get(
    "/assessments",
    response_model=list[SavedAssessmentOut],
    responses=ERRORS,
    summary="Kept assessments, newest first",
)
def all_assessments(
    diary: DiaryDep, limit: KeptLimit = 100, offset: Offset = 0
) -> list[SavedAssessment]:
    """The kept assessments' headlines (date, care level, top cause), newest first."""
    return diary.assessments.page(limit=limit, offset=offset, newest_first=True)


@router.get(
    "/assessments/{id}",
    response_model=SavedAssessmentOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="One assessment",
)
def one_assessment(id: EntryId, diary: DiaryDep) -> SavedAssessment:
    """One kept assessment's headline, by its id."""
    return diary.assessments.get(id)


@router.get(
    "/assessments/{id}/result",
    response_model=None,
    responses={200: {"model": AssessmentOut}, **ERRORS, **NOT_FOUND},
    summary="A kept assessment, whole",
)
def assessment_result(id: EntryId, diary: DiaryDep) -> FastJSONResponse:
    """The whole ⚑ assessment JSON, as it was kept."""
    return FastJSONResponse(diary.assessments.result(id).result)


LaterId = Annotated[
    int | None,
    whole_number(1, MAX_ID),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    Query(description="The later assessment's id; default: the newest kept."),
]


@router.get(
    "/assessments/{id}/changes",
    responses={**ERRORS, **NOT_FOUND},
    summary="What changed since an assessment",
)
def assessment_changes(id: EntryId, diary: DiaryDep, to: LaterId = None) -> ChangesOut:
    """What changed from this kept assessment to a later one (by default the newest).

    New findings (spread to the mouth), the care level up or down, another most likely cause,
    each in words, and one sentence saying it all ("Since 12 March 2026: ...").
    """
    return ChangesOut.model_validate(diary.assessments.compare(id, to).to_dict())


@router.delete(
    "/assessments/{id}",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a kept assessment",
)
def delete_assessment(id: EntryId, diary: DiaryDep) -> Response:
    """Delete a kept assessment, whole."""
    diary.assessments.delete(id)
    return Response(status_code=204)
