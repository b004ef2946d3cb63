"""The clinic's pages: a clinician's patient list and patient page, a patient's sharing page.

Only in clinic mode (`Settings.clinic`); signed-out visitors go to `/login` first
(`auth.require_page_account`).

- `GET /clinic` (clinicians): the patients who share with the signed-in clinician, the most
  urgent first (`clinic.overview.clinic_overview`). Anyone else: a 403 page.
- `GET /clinic/patients/{patient_id}` (the clinician a patient shares with): what a neurologist
  needs in a minute -- at the top how the patient is doing, what changed and when the next
  injection is due; below, the diary's history chart (`diary_chart`, the patient's own), the
  injection cycles, the ratings, the measured spasms, the kept assessments, and links to the
  doctor's report (PDF) and FHIR. Each view is one audit entry (`clinic.record`). Everyone
  else -- no share, a revoked one, another patient, an administrator, no such id -- gets the
  same 404 page, so a page never says whether a patient exists.
- `GET /sharing` (patients): share with a clinician by email, stop sharing, and who looked at
  their data (`clinic.entries_about`). `POST /sharing` and `POST /sharing/stop` are HTML forms
  carrying the page's CSRF token (checked by `require_page_account`), answered by a redirect
  back to the page (post/redirect/get), or the page again with why not.

The pages hold no clinical logic: the display rules are the diary pages' own (`pages_treatments`
for the cycles, `pages_kept` for kept results, `rating_views` for the ratings' changes).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from facespasm.clinic import (
    Account,
    entries_about,
    record,
    revoke_share,
    share_with,
    shared_patient,
    shares_of,
)
from facespasm.clinic.overview import clinic_overview, patient_summary
from facespasm.diary.store import Diary
from facespasm.diary.wording import long_date
from facespasm.errors import InputError, NotFoundError
from facespasm.web.auth import MAX_ACCOUNT_ID, now, require_page_account
from facespasm.web.deps import app_engine
from facespasm.web.pages import render

router = APIRouter(include_in_schema=False)

PageAccount = Annotated[Account, Depends(require_page_account)]

# What the patient page's audit entries say was read (the route's template, never its values).
PATIENT_PAGE = "GET /clinic/patients/{patient_id}"
# How many of the newest entries the patient page lists (the API pages further back).
SHOWN = 20
MAX_EMAIL = 254
NO_PATIENT_PAGE = (
    "No patient here: either there is no such patient, or they do not share their diary with you."
)

# The audit log's routes in words, for the patient's "Who looked at my data".
READ_WORDS = {
    PATIENT_PAGE: "your summary page in the clinic",
    "GET /api/v1/patients/{patient_id}/report": "your doctor's report (PDF)",
    "GET /api/v1/patients/{patient_id}/fhir": "your records as a FHIR document",
}


def _refused(request: Request, status: int, message: str) -> HTMLResponse:
    page = render(
        request,
        "clinician_refused.html",
        title="Not found" if status == 404 else "Not allowed",
        page="clinician_refused.html",
        message=message,
    )
    page.status_code = status
    return page


def _care_labels() -> dict[str, str]:
    from facespasm.knowledge import load_knowledge

    return {level.id: level.label for level in load_knowledge().care_levels}


def _today(request: Request) -> dt.date:
    return now(request).date()


# --- the clinician's patient list ---------------------------------------------------------


@router.get("/clinic", response_class=HTMLResponse)
def patient_list(request: Request, account: PageAccount) -> HTMLResponse:
    """The patients who share with the signed-in clinician, the most urgent first."""
    if account.role != "clinician":
        return _refused(request, 403, "Only a clinician has a patient list.")
    engine = app_engine(request.app)
    return render(
        request,
        "clinician_list.html",
        title="Patients",
        page="clinician_list.html",
        patients=clinic_overview(engine, account, today=_today(request)),
        levels=_care_labels(),
    )


# --- the clinician's patient page ---------------------------------------------------------


def _patient_id(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ACCOUNT_ID else None


@router.get("/clinic/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, patient_id: str, account: PageAccount, range: str = "6m"
) -> HTMLResponse:
    """One shared patient at a glance, then their diary in detail; the view is audited."""
    engine = app_engine(request.app)
    number = _patient_id(patient_id)
    try:
        if number is None:
            raise NotFoundError("no such patient")
        patient = shared_patient(engine, account, number)
    except NotFoundError:
        return _refused(request, 404, NO_PATIENT_PAGE)
    moment = now(request)
    record(
        engine,
        account,
        "read",
        PATIENT_PAGE,
        patient,
        from_address=request.client.host if request.client else None,
        now=moment,
    )
    context = patient_context(Diary(engine, patient.person_id), patient, range, moment.date())
    return render(
        request,
        "clinician_patient.html",
        title=f"Patient {patient.email}",
        page="clinician_patient.html",
        **context,
    )


def patient_context(diary: Diary, patient: Account, chosen: str, today: dt.date) -> dict[str, Any]:
    """What the patient page shows, from the patient's own diary.

    Args:
        diary: The patient's diary.
        patient: The patient's account.
        chosen: The history chart's range (30d, 6m, all; anything else: 6 months).
        today: The clinic's today.
    """
    from facespasm.diary.cycles import toxin_cycles
    from facespasm.diary.rating_views import change_text, ratings_view
    from facespasm.knowledge import load_knowledge
    from facespasm.report.citations import Numbering
    from facespasm.web.diary_chart import RANGES, history_chart, parse_range
    from facespasm.web.pages_kept import assessment_row, measurement_row
    from facespasm.web.pages_treatments import cycle_rows

    page = f"/clinic/patients/{patient.id}"
    days = diary.days.all()
    treatments = diary.treatments.all()
    cycles = toxin_cycles(days, treatments, today=today) if treatments else []
    summary = patient_summary(patient.id, patient.email, None, diary, today=today, cycles=cycles)
    cite = Numbering(load_knowledge())
    cycle_list = cycle_rows(cycles, cite)
    view = ratings_view(diary, today=today)
    ratings: list[dict[str, Any]] = []
    for trend in view.trends:
        points = [
            {
                "date": point.date,
                "score": f"{point.score:g} of {trend.maximum:g}",
                "change": change_text(point, trend.minimal_important_change)
                if trend.validated
                else None,
                "important": point.important,
            }
            for point in trend.points[::-1][:SHOWN]
        ]
        ratings.append({"trend": trend, "points": points})
    jrs = next((r for r in ratings if r["trend"].scale == "jrs" and r["points"]), None)
    chart = history_chart(
        chosen=parse_range(chosen) if chosen in RANGES else "6m",
        today=today,
        days=days,
        treatments=treatments,
        cycles=cycles,
        ratings=diary.ratings.all(),
        measurements=diary.measurements.all(),
        page=page,
    )
    return {
        "patient": patient,
        "summary": summary,
        "level_label": _care_labels().get(summary.care_level or "", None),
        "latest_cycle": cycle_list[-1] if cycle_list else None,
        "cycles": cycle_list[::-1],
        "cycle_sources": cite.sources(),
        "jrs": jrs,
        "ratings": ratings,
        "not_validated": _not_validated(),
        "history": Markup(chart),  # every value is escaped by history_chart
        "measurements": [
            measurement_row(m)
            for m in diary.measurements.page(limit=SHOWN, offset=0, newest_first=True)
        ],
        "assessments": [
            assessment_row(a)
            for a in diary.assessments.page(limit=SHOWN, offset=0, newest_first=True)
        ],
        "report_url": f"/api/v1/patients/{patient.id}/report",
        "fhir_url": f"/api/v1/patients/{patient.id}/fhir",
        "today": today,
    }


def _not_validated() -> str:
    from facespasm.diary.rating_views import NOT_VALIDATED

    return NOT_VALIDATED


# --- the patient's sharing page -------------------------------------------------------------


def _sharing_page(
    request: Request, patient: Account, *, message: str | None = None, status: int = 200
) -> HTMLResponse:
    engine = app_engine(request.app)
    looked = [
        {
            "email": entry.email,
            "role": entry.role,
            "what": READ_WORDS.get(entry.what),
            "route": entry.what,
            "at": entry.at,
            "when": f"{long_date(entry.at.date())}, {entry.at.strftime('%H:%M')} UTC",
        }
        for entry in entries_about(engine, patient, limit=100)
    ]
    page = render(
        request,
        "clinician_sharing.html",
        title="Sharing",
        page="clinician_sharing.html",
        shares=[
            {"id": s.id, "email": s.clinician_email, "since": long_date(s.created_at.date())}
            for s in shares_of(engine, patient)
        ],
        looked=looked,
        message=message,
        shared=request.query_params.get("done"),
    )
    page.status_code = status
    return page


@router.get("/sharing", response_class=HTMLResponse)
def sharing(request: Request, account: PageAccount) -> HTMLResponse:
    """A patient's shares with clinicians, and who looked at their data."""
    if account.role != "patient":
        return _refused(request, 403, "Only a patient shares a diary.")
    return _sharing_page(request, account)


async def _field(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value[:MAX_EMAIL] if isinstance(value, str) else ""


@router.post("/sharing", response_class=HTMLResponse)
async def share(request: Request, account: PageAccount) -> Response:
    """Share with the clinician of the form's email; back to the page (or why not)."""
    if account.role != "patient":
        return _refused(request, 403, "Only a patient shares a diary.")
    email = (await _field(request, "clinician")).strip()
    if not email:
        return _sharing_page(request, account, message="Enter your clinician's email.", status=422)
    engine = app_engine(request.app)
    try:
        share_with(engine, account, email, now=now(request))
    except NotFoundError as missing:
        return _sharing_page(request, account, message=f"Not shared: {missing}.", status=404)
    except InputError as wrong:
        return _sharing_page(request, account, message=f"Not shared: {wrong}.", status=422)
    return RedirectResponse("/sharing?done=shared", status_code=303)


@router.post("/sharing/stop", response_class=HTMLResponse)
async def stop_sharing(request: Request, account: PageAccount) -> Response:
    """Stop one of the patient's shares (the form's `share_id`); back to the page."""
    if account.role != "patient":
        return _refused(request, 403, "Only a patient shares a diary.")
    given = await _field(request, "share_id")
    share_id = _patient_id(given)  # the same bounds as any id
    engine = app_engine(request.app)
    try:
        if share_id is None:
            raise NotFoundError("no such share")
        revoke_share(engine, account, share_id, now=now(request))
    except NotFoundError as missing:
        return _sharing_page(request, account, message=f"Not stopped: {missing}.", status=404)
    return RedirectResponse("/sharing?done=stopped", status_code=303)
