"""`/diary/rating-scales` and `/diary/ratings/...`: the rating scales clinics use, between visits.

The scales with their exact wording, sources and minimal clinically important change; a person's
ratings (answered, scored and stored with a date, read, deleted); their trend against each
injection with the SMC grade derived from a kept assessment; and the reminder -- every how many
days a rating is due, whether it is due now. Each route calls the person's `Diary` and the core
(`diary/ratings.py`, `diary/rating_views.py`) as `facespasm diary rate` and `diary ratings` do.

Decisions:
- **Exact bodies**: one body per scale (`scale` tells them apart), each item a field with the
  scale's scores as bounds; a JRS needs both items, the in-house impact rating any of its five
  (an item left out is "I don't do this"). A test checks these models against `ratings.yaml`.
- **The in-house scale is labelled wherever it appears** (`label`: "facespasm's own, not a
  validated scale"; null for a validated one).
- **Today is the server's date**: the local app runs on the person's own computer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel, model_validator
from starlette.concurrency import run_in_threadpool

from facespasm.diary.rating_views import (
    NOT_VALIDATED,
    Citation,
    change_text,
    point_of,
    ratings_view,
    reminder,
    scale_sources,
)
from facespasm.diary.ratings import rating_trend, score_rating
from facespasm.diary.records import Rating
from facespasm.diary.reviewed import load_diary_knowledge
from facespasm.web.api_diary import ERRORS, NOT_FOUND
from facespasm.web.bodies import documented_body, json_body
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import MAX_ID, DiaryDate, KeptLimit, Note, Offset

router = APIRouter(prefix="/diary", tags=["diary"])

ScaleId = Literal["jrs", "impact"]


def _whole(value: object) -> object:
    # JSON Schema counts 2.0 as an integer, so it is one here too (true and "2" are not).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A JRS item's answer and an impact item's: the scores of ratings.yaml (0-4 on every item).
# Constraints before the validator, so that they are published as minimum and maximum.
Answer = Annotated[int, Field(ge=0, le=4), BeforeValidator(_whole)]


# Digits only (`{id:int}`), so that /ratings/trend and /ratings/reminder are never taken for one.
RatingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The rating's id.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class JrsAnswers(_Strict):
    """The Jankovic Rating Scale's two items, both needed."""

    severity: Answer = Field(description="Blepharospasm severity, 0 (none) to 4 (severe).")
    frequency: Answer = Field(description="Blepharospasm frequency, 0 (none) to 4.")


def _answer_only(schema: dict[str, Any]) -> None:
    # Left out is "I don't do this"; null is not an answer (refused below), so the published
    # schema is the answer's alone, without null or a default.
    schema.pop("default", None)
    schema.pop("anyOf", None)
    schema.update({"type": "integer", "minimum": 0, "maximum": 4})


class ImpactAnswers(_Strict):
    """facespasm's own impact rating: any of its items; one left out is "I don't do this"."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    driving: Answer | None = Field(None, json_schema_extra=_answer_only)
    reading: Answer | None = Field(None, json_schema_extra=_answer_only)
    screens: Answer | None = Field(None, json_schema_extra=_answer_only)
    work: Answer | None = Field(None, json_schema_extra=_answer_only)
    social: Answer | None = Field(None, json_schema_extra=_answer_only)

    @model_validator(mode="after")
    def _no_null(self) -> ImpactAnswers:
        for name in sorted(self.model_fields_set):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: null is not an answer; leave it out to skip it")
        return self


class JrsIn(_Strict):
    """A Jankovic Rating Scale answered on a date."""

    scale: Literal["jrs"]
    date: DiaryDate
    answers: JrsAnswers
    note: Note | None = None


class ImpactIn(_Strict):
    """facespasm's own impact rating answered on a date (not a validated scale)."""

    scale: Literal["impact"]
    date: DiaryDate
    answers: ImpactAnswers
    note: Note | None = None


class RatingIn(RootModel[JrsIn | ImpactIn]):
    """A rating: one of the scales, told apart by `scale`."""

    root: JrsIn | ImpactIn = Field(discriminator="scale")


class ReminderIn(_Strict):
    """Every how many days a rating is due."""

    interval_days: Annotated[int, Field(ge=3, le=7), BeforeValidator(_whole)] = Field(
        description="3 to 7 days (ratings.yaml)."
    )


class OptionOut(BaseModel):
    """One answer to an item: its score and the scale's exact words."""

    score: int
    wording: str


class ItemOut(BaseModel):
    """One question of a scale."""

    id: str
    question: str
    options: list[OptionOut]
    not_applicable: str | None = Field(description='The "I don\'t do this" answer, if allowed.')


class CitationOut(BaseModel):
    """A source."""

    id: str
    title: str
    citation: str
    url: str | None


class ScaleOut(BaseModel):
    """A rating scale with its items, wording, sources and minimal important change."""

    id: ScaleId
    name: str
    short_name: str
    validated: bool
    label: str | None = Field(description="Said wherever an in-house scale is shown.")
    note: str | None
    instructions: str
    total: Literal["sum", "mean"]
    maximum: float
    minimal_important_change: float | None
    items: list[ItemOut]
    sources: list[CitationOut]


class ReminderBoundsOut(BaseModel):
    """The intervals a person may choose."""

    min_days: int
    max_days: int
    default_days: int


class ScalesOut(BaseModel):
    """The rating scales, and the reminder's bounds."""

    scales: list[ScaleOut]
    reminder: ReminderBoundsOut


def _answers(value: object) -> object:
    return dict(value) if isinstance(value, tuple) else value


class RatingOut(BaseModel):
    """A rating as stored: the answers (item -> score) and the score computed then."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    date: dt.date
    scale: str
    answers: Annotated[dict[str, int], BeforeValidator(_answers)]
    score: float
    note: str | None


class PointOut(BaseModel):
    """One rating read against the injection in force."""

    date: dt.date
    score: float
    injection: dt.date | None
    days_since_injection: int | None
    reference: float | None = Field(description="The rating just before that injection.")
    change: float | None = Field(description="score - reference; negative is better.")
    important: Literal["better", "worse"] | None


class EffectOut(BaseModel):
    """One injection: the rating before it and the best after it."""

    injection: dt.date
    before: float | None
    before_date: dt.date | None
    best: float | None
    best_date: dt.date | None
    change: float | None
    important: Literal["better", "worse"] | None
    threshold: float | None = Field(description="The score an important improvement reaches.")


class SavedRatingOut(BaseModel):
    """A stored rating, its score and its change since before the injection in force."""

    id: int
    scale: ScaleId
    date: dt.date
    score: float
    maximum: float
    skipped: list[str]
    validated: bool
    label: str | None
    since_injection: PointOut | None
    text: str | None = Field(description="The change in words (validated scales only).")


class TrendOut(BaseModel):
    """A scale's ratings against the injections."""

    scale: ScaleId
    name: str
    validated: bool
    label: str | None
    note: str | None
    maximum: float
    minimal_important_change: float | None
    points: list[PointOut]
    injections: list[EffectOut]
    sources: list[CitationOut]


class GradeOut(BaseModel):
    """The SMC grade derived from a kept assessment."""

    grade_id: str
    name: str
    grade: int
    numeral: str
    wording: str
    because: list[str]
    assessment_id: int
    assessed_on: dt.date
    text: str
    sources: list[CitationOut]


class TrendsOut(BaseModel):
    """The trends, and the SMC grade where hemifacial spasm is in question (else null)."""

    scales: list[TrendOut]
    smc_grade: GradeOut | None


class ReminderOut(BaseModel):
    """Every how many days a rating is due, whether it is due now, and when next."""

    interval_days: int
    min_days: int
    max_days: int
    due: bool
    due_on: dt.date
    next_rating: dt.date = Field(description="When to rate next: today if due, else due_on.")
    days_overdue: int
    last_rated: dt.date | None
    days_since_last: int | None
    text: str | None = Field(description='"A rating is due (last one 5 days ago)" when due.')


def _label(validated: bool) -> str | None:
    return None if validated else NOT_VALIDATED


def _cited(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    return [citation.to_dict() for citation in citations]


@router.get("/rating-scales", response_model=ScalesOut, summary="The rating scales")
def rating_scales() -> dict[str, Any]:
    """The scales with their items, exact wording, sources, validated flag and important change."""
    reviewed = load_diary_knowledge().ratings
    scales = [
        {
            "id": s.id, "name": s.name, "short_name": s.short_name, "validated": s.validated,
            "label": _label(s.validated), "note": s.note, "instructions": s.instructions,
            "total": s.total, "maximum": s.maximum,
            "minimal_important_change": s.minimal_important_change,
            "items": [
                {"id": i.id, "question": i.question, "not_applicable": i.not_applicable,
                 "options": [{"score": o.score, "wording": o.wording} for o in i.options]}
                for i in s.items
            ],
            "sources": _cited(scale_sources(s.id, reviewed)),
        }
        for s in reviewed.scales
    ]  # fmt: skip
    bounds = reviewed.reminder
    return {
        "scales": scales,
        "reminder": {
            "min_days": bounds.min_days,
            "max_days": bounds.max_days,
            "default_days": bounds.default_days,
        },
    }


@router.post(
    "/ratings",
    status_code=201,
    response_model=SavedRatingOut,
    responses=ERRORS,
    summary="Rate",
    openapi_extra=documented_body(RatingIn),
)
async def add_rating(request: Request, diary: DiaryDep) -> dict[str, Any]:
    """Answer a scale: scored and stored with its date.

    For the JRS, the answer says its change since before the injection in force, marked where it
    reaches the clinically important 2 points.
    """
    body = (await json_body(request, RatingIn)).root
    answers = body.answers.model_dump(exclude_unset=True)
    scored = score_rating(body.scale, answers)

    def store() -> dict[str, Any]:
        rating = Rating(body.date, body.scale, scored.answers, scored.total, body.note)
        new_id = diary.ratings.add(rating)
        point, text = None, None
        if scored.validated:
            trend = rating_trend(diary.ratings.all(), diary.treatments.all(), body.scale)
            found = point_of(trend, diary.ratings.get(new_id))
            if found is not None:
                point = dataclasses.asdict(found)
                text = change_text(found, trend.minimal_important_change)
        return {
            "id": new_id, "scale": body.scale, "date": body.date, "score": scored.total,
            "maximum": scored.maximum, "skipped": list(scored.skipped),
            "validated": scored.validated, "label": _label(scored.validated),
            "since_injection": point, "text": text,
        }  # fmt: skip

    return await run_in_threadpool(store)


@router.get("/ratings", response_model=list[RatingOut], responses=ERRORS, summary="Ratings")
def all_ratings(diary: DiaryDep, limit: KeptLimit = 100, offset: Offset = 0) -> list[Rating]:
    """The ratings of every scale, newest first, a page at a time."""
    return diary.ratings.page(limit=limit, offset=offset, newest_first=True)


@router.get("/ratings/trend", response_model=TrendsOut, responses=ERRORS, summary="Ratings' trend")
def ratings_trend(
    diary: DiaryDep,
    scale: Annotated[ScaleId | None, Query(description="Only this scale.")] = None,
) -> dict[str, Any]:
    """Each scale's ratings against the injections, important changes marked.

    With the SMC grade derived from the newest kept assessment where hemifacial spasm is in
    question.
    """
    view = ratings_view(diary, today=dt.date.today(), scale_ids=None if scale is None else [scale])
    return {
        "scales": [
            {
                **trend.to_dict(),
                "label": _label(trend.validated),
                "sources": _cited(view.sources[trend.scale]),
            }
            for trend in view.trends
        ],
        "smc_grade": None if view.grade is None else view.grade.to_dict(),
    }


@router.get(
    "/ratings/reminder", response_model=ReminderOut, responses=ERRORS, summary="Rating reminder"
)
def rating_reminder(diary: DiaryDep) -> dict[str, Any]:
    """Every how many days a rating is due, whether it is due now, and the next date."""
    return _reminder(diary)


@router.put(
    "/ratings/reminder",
    response_model=ReminderOut,
    responses=ERRORS,
    summary="Choose the rating reminder",
    openapi_extra=documented_body(ReminderIn),
)
async def set_rating_reminder(request: Request, diary: DiaryDep) -> dict[str, Any]:
    """Choose every how many days (3-7) a rating is due."""
    body = await json_body(request, ReminderIn)

    def write() -> dict[str, Any]:
        diary.ratings.set_reminder(body.interval_days)
        return _reminder(diary)

    return await run_in_threadpool(write)


@router.get(
    "/ratings/{id:int}",
    response_model=RatingOut,
    responses={**ERRORS, **NOT_FOUND},
    summary="A rating",
)
def one_rating(id: RatingId, diary: DiaryDep) -> Rating:
    """One rating, by its id."""
    return diary.ratings.get(id)


@router.delete(
    "/ratings/{id:int}",
    status_code=204,
    responses={**ERRORS, **NOT_FOUND},
    summary="Delete a rating",
)
def delete_rating(id: RatingId, diary: DiaryDep) -> Response:
    """Delete one rating."""
    diary.ratings.delete(id)
    return Response(status_code=204)


def _reminder(diary: Any) -> dict[str, Any]:
    today = dt.date.today()
    state = reminder(diary, today=today)
    bounds = load_diary_knowledge().ratings.reminder
    return {
        **state.to_dict(),
        "min_days": bounds.min_days,
        "max_days": bounds.max_days,
        "next_rating": max(state.due.due_on, today),
    }
