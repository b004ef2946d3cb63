"""The diary's "Measurements & assessments" page, rendered here.

The kept video measurements and assessments come as HTML (a missing measure reads "—", a
probability never claims certainty); the page's script only deletes through the JSON API and
swaps in the fragments these routes answer with (`/diary/kept/...`). An opened assessment cites
the sources it was kept with, numbered as the result page numbers its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from facespasm.diary.records import Measurement, SavedAssessment
from facespasm.diary.wording import amount
from facespasm.report.view import percent
from facespasm.web.deps import DiaryDep
from facespasm.web.diary_schemas import EntryId
from facespasm.web.pages import render
from facespasm.web.pages_treatments import Statement

router = APIRouter(include_in_schema=False)

# How many of the newest entries each list shows (the JSON API pages further back).
SHOWN = 200


# --- kept ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    """A kept measurement in words."""

    id: int
    date: dt.date
    left: str
    right: str
    eyes_closed: str
    blinks: str
    minutes: str


def measurement_row(measurement: Measurement) -> MeasurementRow:
    """A kept measurement's words for the list."""
    assert measurement.id is not None
    return MeasurementRow(
        id=measurement.id,
        date=measurement.local_date,
        left=amount(measurement.spasms_per_min_left),
        right=amount(measurement.spasms_per_min_right),
        eyes_closed=amount(measurement.eyes_closed_pct, "%"),
        blinks=amount(measurement.blink_rate_per_min),
        minutes=f"{measurement.face_minutes * 60:.0f} s",
    )


@dataclass(frozen=True)
class AssessmentRow:
    """A kept assessment's headline in words."""

    id: int
    date: dt.date
    time: str
    care_level: str
    level: str
    top_cause: str
    complete: bool


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    from facespasm.knowledge import load_knowledge

    knowledge = load_knowledge()
    levels = {level.id: level.label for level in knowledge.care_levels}
    causes = {cause.id: cause.name for cause in knowledge.causes}
    return levels, causes


def assessment_row(saved: SavedAssessment) -> AssessmentRow:
    """A kept assessment's headline for the list."""
    assert saved.id is not None
    levels, causes = _labels()
    top = "—"
    if saved.top_cause:
        top = causes.get(saved.top_cause, saved.top_cause)
        if saved.top_probability is not None:
            top += f" ({percent(saved.top_probability)})"
    return AssessmentRow(
        id=saved.id,
        date=saved.local_date,
        time=saved.assessed_at.strftime("%H:%M UTC"),
        care_level=levels.get(saved.care_level, saved.care_level),
        level=saved.care_level,
        top_cause=top,
        complete=saved.complete,
    )


def kept_context(diary: Any) -> dict[str, Any]:
    """What the kept page's lists show."""
    measurements = diary.measurements.page(limit=SHOWN, offset=0, newest_first=True)
    assessments = diary.assessments.page(limit=SHOWN, offset=0, newest_first=True)
    return {
        "measurements": [measurement_row(m) for m in measurements],
        "assessments": [assessment_row(a) for a in assessments],
    }


def opened_context(diary: Any, entry_id: int, since: int | None) -> dict[str, Any]:
    """One kept assessment opened: its result in brief with its sources, and what changed.

    Raises:
        NotFound: no such kept assessment (404), or no such earlier one.
    """
    saved = diary.assessments.get(entry_id)
    result: Mapping[str, Any] = diary.assessments.result(entry_id).result
    sources = {s["id"]: s for s in result.get("sources", []) if isinstance(s, dict)}
    cite = _StoredCiting(sources)
    triage = result.get("triage", {})
    summary = Statement(str(triage.get("summary", "")), cite(triage.get("sources", ())))
    conditions = [
        Statement(
            f"{c.get('name', c.get('id'))}: {percent(float(c.get('probability', 0.0)))}",
            cite(c.get("sources", ())),
        )
        for c in result.get("conditions", [])[:3]
    ]
    earlier = [
        assessment_row(a)
        for a in diary.assessments.page(limit=SHOWN, offset=0, newest_first=True)
        if a.id != entry_id and (a.assessed_at, a.id or 0) < (saved.assessed_at, entry_id)
    ]
    changes = None
    if since is not None:
        changes = diary.assessments.compare(since, entry_id).to_dict()
    return {
        "opened": assessment_row(saved),
        "summary": summary,
        "conditions": conditions,
        "disclaimer": result.get("disclaimer"),
        "sources": cite.listed(),
        "earlier": earlier,
        "since": since,
        "changes": changes,
    }


@dataclass
class _StoredCiting:
    """Numbers the sources a kept assessment was stored with."""

    known: Mapping[str, Mapping[str, Any]]
    numbers: dict[str, int] = field(default_factory=dict)

    def __call__(self, source_ids: Iterable[str]) -> str:
        from facespasm.report.citations import Cited

        cited = {
            self.numbers.setdefault(s, len(self.numbers) + 1) for s in source_ids if s in self.known
        }
        return Cited(tuple(sorted(cited))).text

    def listed(self) -> list[dict[str, Any]]:
        return [
            {
                "number": n,
                "citation": self.known[s].get("citation"),
                "url": self.known[s].get("url"),
            }
            for s, n in self.numbers.items()
        ]


@router.get("/diary/kept", response_class=HTMLResponse)
def kept_page(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Kept video measurements and assessments: list, open, compare, delete."""
    return render(
        request,
        "diary_kept.html",
        title="Measurements & assessments",
        page="diary_kept.html",
        diary_page="kept",
        **kept_context(diary),
    )


@router.get("/diary/kept/lists", response_class=HTMLResponse)
def kept_lists(request: Request, diary: DiaryDep) -> HTMLResponse:
    """Both kept lists, as an HTML fragment."""
    return render(request, "diary_kept_lists.html", **kept_context(diary))


@router.get("/diary/kept/assessments/{id}", response_class=HTMLResponse)
def kept_assessment(
    request: Request,
    id: EntryId,
    diary: DiaryDep,
    since: int | None = Query(None, ge=1, le=2**31 - 1),
) -> HTMLResponse:
    """One kept assessment, opened, and (with `since`) what changed since an earlier one.

    Raises:
        NotFound: no such kept assessment (404, as JSON).
    """
    return render(request, "diary_assessment.html", **opened_context(diary, id, since))
