"""`/api/v1/patients`: for a clinician, the patients who share with them and their records.

`GET /patients` lists them (each with its account `id`, `email` and `shared_since`).
`/patients/{patient_id}/...` are the read-only (GET) routes of the diary -- episodes, days,
treatments and cycles, ratings, kept measurements and assessments -- a second time, now acting
on the shared patient's diary, plus the doctor's report of that diary
(`/patients/{patient_id}/report`, a PDF, and `/fhir`, a FHIR R4B Bundle, made by
`facespasm.make_report` from the diary alone). Each is the very route a patient uses for their
own diary: `auth.patient_access` checks the active share, writes the audit entry and hands the
patient's diary to `DiaryDep`, so the two cannot drift apart. Everyone but the shared clinician
gets the same 404 "no such patient" (anonymous: 401). Only in clinic mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from facespasm.clinic import shared_patients
from facespasm.diary.store import Diary
from facespasm.web import api_diary, api_kept, api_ratings, api_report, api_treatments
from facespasm.web.auth import AccountDep, PatientDep, now, patient_access, role_needed
from facespasm.web.deps import EngineDep, diary_of
from facespasm.web.schemas import ErrorOut

router = APIRouter(prefix="/patients", tags=["patients"])

_ERROR = {"model": ErrorOut}
ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 403: _ERROR, 422: _ERROR}
PATIENT_ERRORS: dict[int | str, dict[str, Any]] = {401: _ERROR, 404: _ERROR, 422: _ERROR}
# The routers whose GET routes a shared clinician reads, for the patient.
READABLE = (api_diary.router, api_treatments.router, api_ratings.router, api_kept.router)


class PatientOut(BaseModel):
    """A patient who shares their diary with the signed-in clinician."""

    id: int
    email: str
    shared_since: dt.datetime


@router.get("", responses=ERRORS, summary="The patients who share with me")
def patients(account: AccountDep, engine: EngineDep) -> list[PatientOut]:
    """The patients who share their diary with the signed-in clinician, by email."""
    role_needed(account, "clinician")
    return [
        PatientOut(id=patient.id, email=patient.email, shared_since=patient.shared_since)
        for patient in shared_patients(engine, account)
    ]


patient_router = APIRouter(
    prefix="/{patient_id}", tags=["patients"], dependencies=[Depends(patient_access)]
)


def _readable_routes() -> None:
    for source in READABLE:
        for route in source.routes:
            if not isinstance(route, APIRoute) or route.methods != {"GET"}:
                continue
            patient_router.add_api_route(
                route.path,
                route.endpoint,
                methods=["GET"],
                response_model=route.response_model,
                status_code=route.status_code,
                responses={**route.responses, **PATIENT_ERRORS},
                summary=f"{route.summary or route.name} (a shared patient's)",
                description=route.description,
                response_class=route.response_class,
                name=f"patient_{route.name}",
                openapi_extra=route.openapi_extra,
            )


_readable_routes()

# 409: the patient has kept no assessment and logged too little to report on yet.
_NOTHING_YET: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "Nothing to report yet."}
}
_PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The one-page PDF of the patient's records (sources on page 2).",
        "content": {api_report.PDF: {"schema": {"type": "string", "format": "binary"}}},
    },
    **PATIENT_ERRORS,
    **_NOTHING_YET,
}
_FHIR_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A FHIR R4B Bundle of the patient's records.",
        "content": {api_report.FHIR_JSON: {"schema": api_report.BUNDLE_SCHEMA}},
    },
    **PATIENT_ERRORS,
    **_NOTHING_YET,
}


@patient_router.get(
    "/report", response_class=Response, responses=_PDF_ANSWER,
    summary="The doctor's PDF of a shared patient's diary",
)  # fmt: skip
async def patient_report(request: Request, patient: PatientDep) -> Response:
    """The doctor's PDF of the patient's latest kept assessment and last 90 days of diary.

    Raises:
        ConflictError: nothing to report yet (409).
    """
    from facespasm.report.pdf import render_pdf

    report = await anyio.to_thread.run_sync(_report, request)
    content = await anyio.to_thread.run_sync(
        render_pdf, report, limiter=api_report.renders(request.app)
    )
    day = report.made_at.date().isoformat()
    return api_report.attachment(content, api_report.PDF, f"facespasm-report-{day}.pdf")


@patient_router.get(
    "/fhir", response_class=Response, responses=_FHIR_ANSWER,
    summary="A shared patient's diary as a FHIR R4B Bundle",
)  # fmt: skip
async def patient_fhir(request: Request, patient: PatientDep) -> Response:
    """The patient's latest kept assessment and diary as a FHIR R4B Bundle.

    Raises:
        ConflictError: nothing to report yet (409).
    """
    from facespasm.report.fhir import fhir_json

    report = await anyio.to_thread.run_sync(_report, request)
    content = await anyio.to_thread.run_sync(fhir_json, report)
    day = report.made_at.date().isoformat()
    return api_report.attachment(content, api_report.FHIR_JSON, f"facespasm-{day}.fhir.json")


def _report(request: Request) -> Any:
    from facespasm.sharing import records_report

    diary: Diary = diary_of(request)
    return records_report(diary, now=now(request))


router.include_router(patient_router)
