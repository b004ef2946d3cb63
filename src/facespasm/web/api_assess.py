"""`/assess`, `/read` and `/interview`: the ⚑ assessment over HTTP, and the interview step by step.

The routes only parse, call the core -- `assess_case` / `make_case(...).interview()` / `read`
-- and present: the assessment is exactly the JSON of `facespasm assess --json`, and the case
(answers over the person's own words over a video's evidence; `wrong` findings dropped from the
text, so they are asked) is assembled by the same function the command line calls.

Bodies are strict: an unknown field is refused with its name, and an answer put beside
`answers` instead of inside it is named as such, so nothing is silently left out of an
assessment. The schema they publish is exact (`answer_schemas.py`): every finding with the
values it takes, and `/assess` needing at least one of answers, a description or a video's
evidence -- so a request that fits the schema is assessed and one that does not is refused.

The interview is stateless: the client sends every answer so far, in order, and gets the next
question (or the result). Replaying a dozen answers costs well under a millisecond, and no
session has to live on the server -- the pages and other clients drive the same thing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, model_validator

from facespasm.amounts import DAYS_EXAMPLE
from facespasm.case import assess_case, make_case
from facespasm.knowledge import load_knowledge
from facespasm.language import read
from facespasm.reasoning import Assessment
from facespasm.reasoning.interview import Question
from facespasm.web.answer_schemas import NULL, Published, answer_pairs, answers_object, finding_ids
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
AMOUNT_HELP = (
    "A number may also be the text a person typed, read as the terminal reads it: days as "
    f"{DAYS_EXAMPLE}; other numbers with or without their unit ('56 years'). Text that is no "
    "such amount is refused (422)."
)


class _Strict(BaseModel):
    """A body that refuses what it does not know, naming an answer put in the wrong place."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _answers_in_place(cls, data: Any) -> Any:
        if isinstance(data, dict):
            findings = load_knowledge().findings
            misplaced = [key for key in data if key in findings]
            if misplaced:
                raise ValueError(
                    f"'{misplaced[0]}' is an answer: put it inside \"answers\", "
                    f'as in {{"answers": {{"{misplaced[0]}": ...}}}}'
                )
        return data


def _video_evidence() -> dict[str, Any]:
    return {"anyOf": [answers_object(typed=False), NULL]}


AnswersObject = Annotated[dict[str, Any], Published(answers_object)]
AnswerPairs = Annotated[list[tuple[str, Any]], Published(answer_pairs)]
WrongFindings = Annotated[list[str], Published(finding_ids)]
VideoEvidence = Annotated[dict[str, Any] | None, Published(_video_evidence)]

# What makes an assessment: answers (one at least, "don't know" counts), a description (even an
# empty one), or a video's evidence -- the core refuses a case with none ("nothing to assess").
SOMETHING_TO_ASSESS: list[JsonValue] = [
    {"required": ["answers"], "properties": {"answers": {"type": "object", "minProperties": 1}}},
    {"required": ["text"], "properties": {"text": {"type": "string"}}},
    {
        "required": ["video_evidence"],
        "properties": {"video_evidence": {"type": "object", "minProperties": 1}},
    },
]


class AssessIn(_Strict):
    """An assessment request: ⚑ answers, a description, video evidence -- at least one."""

    model_config = ConfigDict(json_schema_extra={"anyOf": SOMETHING_TO_ASSESS})

    answers: AnswersObject = Field(
        default_factory=dict,
        description="Answers {finding_id: value}; a missing key or null means unknown. "
        + AMOUNT_HELP,
        examples=[
            {"age": 45, "side": "one", "regions": ["eyelid"], "duration_days": "3 weeks"},
        ],
    )
    text: str | None = Field(None, description=TEXT_HELP, max_length=MAX_TEXT)
    wrong: WrongFindings = Field(default_factory=list, description=WRONG_HELP)
    video_evidence: VideoEvidence = Field(
        None,
        description="The `evidence` of an analysis from /analyze; the answers outrank it.",
    )


class InterviewIn(_Strict):
    """Every answer of the interview so far, in order; null is "don't know"."""

    answers: AnswerPairs = Field(
        default_factory=list,
        description="Answers [finding_id, value] in the order given; null is don't know. "
        + AMOUNT_HELP,
        examples=[
            [["sudden_weakness", False], ["facial_weakness", None], ["duration_days", "2 years"]]
        ],
    )
    back: StrictBool = Field(False, description="Undo the last answer: its question comes back.")
    text: str | None = Field(None, description=TEXT_HELP, max_length=MAX_TEXT)
    wrong: WrongFindings = Field(default_factory=list, description=WRONG_HELP)
    video_evidence: VideoEvidence = Field(
        None, description="Evidence already measured from a video; it is not asked again."
    )


class ReadIn(_Strict):
    """A description of the twitching in the person's own words."""

    text: str = Field(
        max_length=MAX_TEXT,
        examples=["my left eye has been jumping for three weeks, way too much coffee, no pain"],
    )


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
    return FastJSONResponse(JSONFragment(assessed(body).to_json()))


def assessed(body: AssessIn) -> Assessment:
    """The assessment of a request's case (amounts typed as text are read by the core).

    Raises:
        InputError: an unknown finding, a value that does not fit it, or text that is no amount.
    """
    return assess_case(body.answers, text=body.text, wrong=body.wrong, video=body.video_evidence)


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
    case = make_case(body.answers, text=body.text, wrong=body.wrong, video=body.video_evidence)
    interview = case.interview()
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
