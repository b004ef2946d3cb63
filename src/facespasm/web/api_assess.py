"""`/assess`, `/read` and `/interview`: the ⚑ assessment over HTTP, and the interview step by step.

The routes only parse, call `facespasm.assess` / `read` / `Interview` and present: the
assessment is exactly `assess(...).to_dict()`, the JSON of `facespasm assess --json`. What the
person wrote in their own words (`text`) and evidence measured from a video join the answers
below them, as `assess --text --video` does (`Evidence.merged`: what the person answered always
wins). Findings the person marked as misread (`wrong`) are dropped from the text's evidence, so
the interview asks them instead.

The interview is stateless: the client sends every answer so far, in order, and gets the next
question (or the result). Replaying a dozen answers costs well under a millisecond, and no
session has to live on the server -- the pages and other clients drive the same thing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from facespasm.errors import InputError
from facespasm.language import Reading, read
from facespasm.reasoning import Evidence, Origin, assess
from facespasm.reasoning.interview import Interview, Question
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.responses import FastJSONResponse, JSONFragment
from facespasm.web.schemas import AssessmentOut, ErrorOut, InterviewOut, ReadingOut

router = APIRouter(tags=["assessment"])

_ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}
MAX_TEXT = 10_000
TEXT_HELP = (
    "The twitching described in the person's own words; what it states joins the evidence "
    "(origin text, below the answers)."
)
WRONG_HELP = "Findings read from `text` that the person says are wrong: left out, and asked."


class AssessIn(BaseModel):
    """An assessment request: ⚑ answers, optionally with evidence measured from a video."""

    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="⚑ answers {finding_id: value}; a missing key or null means unknown.",
        examples=[{"age": 45, "side": "one", "regions": ["eyelid"], "small_flicker": True}],
    )
    text: str | None = Field(None, description=TEXT_HELP, max_length=MAX_TEXT)
    wrong: list[str] = Field(default_factory=list, description=WRONG_HELP)
    video_evidence: dict[str, Any] | None = Field(
        None,
        description="The `evidence` of an analysis from /analyze; the answers outrank it.",
    )


class InterviewIn(BaseModel):
    """Every answer of the interview so far, in order; null is "don't know"."""

    answers: list[tuple[str, Any]] = Field(
        default_factory=list, examples=[[["sudden_weakness", False], ["facial_weakness", None]]]
    )
    back: bool = Field(False, description="Undo the last answer: its question comes back.")
    text: str | None = Field(None, description=TEXT_HELP, max_length=MAX_TEXT)
    wrong: list[str] = Field(default_factory=list, description=WRONG_HELP)
    video_evidence: dict[str, Any] | None = Field(
        None, description="Evidence already measured from a video; it is not asked again."
    )


class ReadIn(BaseModel):
    """A description of the twitching in the person's own words."""

    text: str = Field(
        max_length=MAX_TEXT,
        examples=["my left eye has been jumping for three weeks, way too much coffee, no pain"],
    )


def _known(reading: Reading | None, wrong: list[str], video: dict[str, Any] | None) -> Evidence:
    """What the text says (less what the person marked wrong), above what the video measured."""
    known = _video_evidence(video)
    if reading is not None:
        text = reading.evidence()
        for finding_id in wrong:
            text = text.without(finding_id)
        known = text.merged(known)
    return known


def _video_evidence(raw: dict[str, Any] | None) -> Evidence:
    if not raw:
        return Evidence()
    try:
        return Evidence.from_answers(raw, origin=Origin.VIDEO)
    except InputError as error:
        raise InputError(f"video_evidence: {error}") from None


@router.post(
    "/assess",
    response_model=None,
    responses={200: {"model": AssessmentOut}, **_ERRORS},
    summary="Assess answers (and video evidence)",
    openapi_extra=documented_body(AssessIn),
)
async def assess_answers(request: Request) -> FastJSONResponse:
    """The ⚑ assessment JSON of these answers, as `facespasm assess --answers F --json` prints it.

    Raises:
        InputError: an unknown finding or a value that does not fit it (422).
    """
    body = await json_body(request, AssessIn)
    reading = read(body.text) if body.text else None
    known = _known(reading, body.wrong, body.video_evidence)
    result = assess(Evidence.from_answers(body.answers).merged(known))
    if reading is None:
        return FastJSONResponse(JSONFragment(result.to_json()))
    return FastJSONResponse({**result.to_dict(), "text": reading.to_dict()})


@router.post(
    "/read",
    response_model=None,
    responses={200: {"model": ReadingOut}, **_ERRORS},
    summary="Read a description in the person's own words",
)
async def read_text(body: ReadIn) -> FastJSONResponse:
    """What the description says, as evidence with the words it came from, and what to ask.

    Red flags it mentions only uncertainly ("maybe a bit numb?") are never taken as yes or
    no: they come back under `to_ask`, and the interview asks them first.
    """
    return FastJSONResponse(read(body.text).to_dict())


@router.post(
    "/interview",
    response_model=None,
    responses={200: {"model": InterviewOut}, **_ERRORS},
    summary="One step of the adaptive interview",
    openapi_extra=documented_body(InterviewIn),
)
async def interview_step(request: Request) -> FastJSONResponse:
    """The next question after these answers, or the result when the interview is complete.

    Raises:
        InputError: an answer names an unknown finding or does not fit it (422).
    """
    body = await json_body(request, InterviewIn)
    reading = read(body.text) if body.text else None
    interview = Interview(known=_known(reading, body.wrong, body.video_evidence))
    for finding_id, value in body.answers:
        interview.answer(finding_id, value)
    if body.back:
        interview.back()
    progress = len(interview.answers)
    question = interview.next_question()
    if question is None:
        return FastJSONResponse(
            {
                "done": True,
                "progress": progress,
                "result": JSONFragment(interview.result().to_json()),
            }
        )
    return FastJSONResponse({"done": False, "progress": progress, "question": _question(question)})


def _question(question: Question) -> dict[str, Any]:
    finding = question.finding
    return {
        "id": finding.id,
        "question": finding.question,
        "help": finding.help,
        "type": finding.type,
        "choices": [{"value": c.value, "label": c.label} for c in finding.choices],
        "unit": finding.unit,
        "minimum": finding.minimum,
        "maximum": finding.maximum,
        "red_flag": question.red_flag,
        "number": question.number,
        "previous": question.previous,
    }
