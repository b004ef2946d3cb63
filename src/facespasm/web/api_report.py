"""`/report` and `/fhir`: the doctor's PDF and the clinic's FHIR R4B Bundle, over HTTP.

Both take the body of `POST /api/v1/assess` -- answers, a description, what was misread, a
video's evidence -- and two more fields: `diary` (true: the person's diary joins the report --
episodes, injections and cycles, ratings, measurements) and `name` (shown on the report only when
the person types one; bounded, and no control characters, since it is printed). The routes only
parse, call the one core call the command line makes too (`facespasm.sharing.make_report`) and
render (`report.pdf.render_pdf`, `report.fhir.fhir_json`): `facespasm report --pdf/--fhir` and
these routes cannot disagree.

The work -- reading the diary, assessing, laying out a PDF -- is CPU and I/O bound, so it runs in
a worker thread and the server keeps answering other requests. PDFs are laid out one at a time
(`RENDERS_AT_ONCE`): WeasyPrint's text layout goes through Pango and fontconfig, which are not
documented as safe to drive from several threads at once, and one PDF takes a fraction of a
second (bench/RESULTS.md, "Sharing (issue 13)").

Both answers are attachments named with the report's date (`facespasm-report-2026-11-30.pdf`,
`facespasm-2026-11-30.fhir.json`), so a browser saves them as files; errors are the API's JSON
error shape, as on every route.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from pydantic import Field, StrictBool, StringConstraints

from facespasm.web.api_assess import AssessIn
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import diary_of
from facespasm.web.schemas import ErrorOut

if TYPE_CHECKING:
    from facespasm.report.case_report import CaseReport

router = APIRouter(tags=["sharing"])

PDF = "application/pdf"
FHIR_JSON = "application/fhir+json"
RENDERS_AT_ONCE = 1
MAX_NAME = 100
# Printed on the report: no control characters (C0, DEL, C1) -- a line break or an escape in a
# name would change the page's layout or a terminal's.
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"

Name = Annotated[str, StringConstraints(max_length=MAX_NAME, pattern=NAME_PATTERN)]


class ReportIn(AssessIn):
    """A case to report: what `POST /assess` takes, the diary if asked, and a name if typed."""

    diary: StrictBool = Field(
        False,
        description="Include the person's diary: 90 days of episodes, injections and their "
        "cycles, ratings, kept measurements. Its lifestyle factors join the evidence, so a "
        "diary that has some is a case even without answers; an empty one alone is nothing "
        "to assess (422).",
    )
    name: Name | None = Field(
        None,
        description="The person's name as they want it on the report (none by default).",
        examples=["A. Patient"],
    )


_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}
BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4B Bundle (https://hl7.org/fhir/R4B/bundle.html).",
    "required": ["resourceType", "type", "entry"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "type": {"type": "string"},
        "entry": {"type": "array", "items": {"type": "object"}},
    },
}


def renders(app: FastAPI) -> anyio.CapacityLimiter:
    """The application's limiter of PDF layouts (one at a time)."""
    limiter: anyio.CapacityLimiter | None = getattr(app.state, "render_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(RENDERS_AT_ONCE)
        app.state.render_limiter = limiter
    return limiter


@router.post(
    "/report",
    response_class=Response,
    responses={
        200: {
            "description": "The one-page PDF for the person's doctor (sources on page 2).",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
        **_ERRORS,
    },
    summary="The doctor's PDF of a case",
    openapi_extra=documented_body(ReportIn),
)
async def report_pdf(request: Request) -> Response:
    """A dated PDF a neurologist reads in a minute, as `facespasm report --pdf` writes it.

    Raises:
        InputError: nothing to assess, an unknown finding or a value that does not fit it (422).
    """
    from facespasm.report.pdf import render_pdf

    body = await json_body(request, ReportIn)
    report = await anyio.to_thread.run_sync(_report, request, body)
    content = await anyio.to_thread.run_sync(render_pdf, report, limiter=renders(request.app))
    return attachment(content, PDF, f"facespasm-report-{_day(report)}.pdf")


@router.post(
    "/fhir",
    response_class=Response,
    responses={
        200: {
            "description": "A FHIR R4B Bundle of the case, for the clinic's system.",
            "content": {FHIR_JSON: {"schema": BUNDLE_SCHEMA}},
        },
        **_ERRORS,
    },
    summary="The case as a FHIR R4B Bundle",
    openapi_extra=documented_body(ReportIn),
)
async def report_fhir(request: Request) -> Response:
    """The case as a FHIR R4B Bundle, as `facespasm report --fhir` writes it.

    Raises:
        InputError: nothing to assess, an unknown finding or a value that does not fit it (422).
    """
    from facespasm.report.fhir import fhir_json

    body = await json_body(request, ReportIn)
    report = await anyio.to_thread.run_sync(_report, request, body)
    # The web sends a video's evidence, never its analysis: the Bundle has no video report, so
    # no PDF is laid out for one here (outside the renderer's limiter).
    content = await anyio.to_thread.run_sync(fhir_json, report)
    return attachment(content, FHIR_JSON, f"facespasm-{_day(report)}.fhir.json")


def _report(request: Request, body: ReportIn) -> CaseReport:
    """The report of a request's case (run in a worker thread: it reads the diary, assesses)."""
    from facespasm.sharing import make_report

    return make_report(
        body.answers,
        text=body.text,
        wrong=body.wrong,
        video=body.video_evidence,
        diary=diary_of(request) if body.diary else None,
        name=printable(body.name),
    )


def printable(name: str | None) -> str | None:
    """The name without the characters a page cannot show; None when nothing is left.

    The schema refuses control characters (Cc). Invisible format characters, private-use,
    surrogate and unassigned code points (Unicode categories Cf, Co, Cs, Cn) are dropped here
    instead of refused: no JSON Schema pattern can name "unassigned", and the schema must say
    exactly what is accepted. `make_report` refuses any that reach it (the command line's
    `--name`).
    """
    if name is None:
        return None
    kept = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    return kept.strip() or None


def _day(report: CaseReport) -> str:
    made_at: dt.datetime = report.made_at
    return made_at.date().isoformat()


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """An answer the browser saves as a file of this name."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)
