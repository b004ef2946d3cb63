"""Response shapes of the JSON API, for the OpenAPI document at /docs.

They describe the ⚑ contracts of DESIGN.md for readers of the docs; the routes return the
core's own `to_dict()` JSON directly (no second validation on the hot path), so these models
document, they do not reshape. Nested objects the core owns (advice, treatments, sources,
summary) are left open (`dict`), so adding a field to the core never breaks the API.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """What went wrong, in one sentence a person can act on."""

    message: str


class ErrorOut(BaseModel):
    """Every 4xx answer of the API."""

    error: ErrorDetail


class IncidentDetail(BaseModel):
    """An unexpected failure, and the id under which the server's log records it."""

    message: str
    incident: str = Field(pattern="^[0-9a-f]{12}$")


class IncidentOut(BaseModel):
    """The API's 500 answer: something failed on the server's side."""

    error: IncidentDetail


class ConditionOut(BaseModel):
    """One possible cause, with its probability and the reasons for and against."""

    id: str
    name: str
    probability: float
    supporting: list[Any]
    opposing: list[Any]


class TriageOut(BaseModel):
    """The care level (self_care, see_doctor, see_doctor_soon, emergency) and why."""

    level: str
    reasons: list[Any]


class AssessmentOut(BaseModel):
    """The ⚑ assessment JSON (`facespasm assess --json`)."""

    conditions: list[ConditionOut]
    triage: TriageOut
    advice: list[dict[str, Any]]
    treatments: list[dict[str, Any]]
    evidence: dict[str, dict[str, Any]]
    sources: list[dict[str, Any]]
    disclaimer: str
    knowledge_version: str
    text: ReadingOut | None = None


class UnderstoodOut(BaseModel):
    """One finding read from the description, with the words it came from."""

    finding: str
    value: Any
    text: str
    quote: str
    spans: list[tuple[int, int]]
    hedged: bool


class ToAskOut(BaseModel):
    """A red flag the description mentions only uncertainly: asked, never assumed."""

    finding: str
    question: str
    quote: str
    spans: list[tuple[int, int]]


class ReadingOut(BaseModel):
    """What a description says (`understood`) and what must still be asked (`to_ask`)."""

    understood: list[UnderstoodOut]
    to_ask: list[ToAskOut]


class ChoiceOut(BaseModel):
    """An answer that can be picked."""

    value: str
    label: str


class QuestionOut(BaseModel):
    """The question to ask now."""

    id: str
    question: str
    help: str
    type: str
    choices: list[ChoiceOut]
    unit: str | None
    minimum: float | None
    maximum: float | None
    red_flag: bool
    number: int
    previous: Any


class InterviewOut(BaseModel):
    """A step of the interview: the next question, or the result when done."""

    done: bool
    progress: int
    question: QuestionOut | None = None
    result: AssessmentOut | None = None


class EventOut(BaseModel):
    """One event seen in a video."""

    start_s: float
    end_s: float
    kind: str
    side: str
    regions: list[str]


class AnalysisOut(BaseModel):
    """The ⚑ analysis JSON (`facespasm analyze VIDEO --json`).

    `readable` adds what a page shows people: `summary`, [what, how much] pairs, and
    `evidence`, each finding in words with its confidence and why (`video/readable.py`).
    """

    video: dict[str, Any]
    events: list[EventOut]
    summary: dict[str, Any]
    evidence: dict[str, Any]
    timing: dict[str, Any]
    saved_id: int | None = Field(
        None, description="With `save=true`: the id of the measurement kept in the diary."
    )
    readable: dict[str, Any] | None = None


class FactorOut(BaseModel):
    """One lifestyle factor's effect on the episode rate."""

    factor: str
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool


class TriggersOut(BaseModel):
    """The ⚑ triggers JSON (`facespasm diary triggers --json`)."""

    factors: list[FactorOut]
    days_used: int
    model: str | None
    notes: list[str]
    findings: list[str]
