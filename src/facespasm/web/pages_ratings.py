"""`/diary/ratings`: answer the rating scales, see the score, the trend and the reminder.

The page is rendered here from the same core as `facespasm diary ratings`
(`diary/rating_views.py`): the scales' questions in their exact words as radio groups, the
ratings with their change since before the injection in force, the JRS chart
(`rating_chart.py`), the SMC grade where it applies, and the reminder interval. Its script
(`static/diary_ratings.js`) only sends the answers and the interval to the JSON API and comes
back to this page, which then shows the saved rating's score and change (`?saved=ID`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from facespasm.diary.rating_views import (
    NOT_VALIDATED,
    change_text,
    citations,
    ratings_view,
)
from facespasm.diary.reviewed import Option, Scale, load_diary_knowledge
from facespasm.diary.wording import long_date
from facespasm.web.deps import diary_of
from facespasm.web.pages import TEMPLATES
from facespasm.web.rating_chart import trend_chart

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Row:
    """One rating as the page lists it."""

    id: int
    date: str
    score: str
    change: str
    important: str | None


@router.get("/diary/ratings", response_class=HTMLResponse)
async def ratings_page(request: Request) -> HTMLResponse:
    """The ratings: answer a scale, see the scores against the injections, choose the reminder."""
    saved = request.query_params.get("saved", "")
    saved_id = int(saved) if saved.isascii() and saved.isdigit() and len(saved) <= 9 else None
    context = await run_in_threadpool(_context, request, saved_id)
    return TEMPLATES.TemplateResponse(request, "diary_ratings.html", context)


def _context(request: Request, saved_id: int | None) -> dict[str, Any]:
    diary = diary_of(request)
    today = dt.date.today()
    reviewed = load_diary_knowledge().ratings
    view = ratings_view(diary, today=today)
    ratings = diary.ratings.all()
    lists = []
    saved = None
    for trend in view.trends:
        scale = reviewed.scale(trend.scale)
        own = [r for r in ratings if r.scale == trend.scale]
        rows = []
        for rating, point in zip(own, trend.points, strict=True):
            assert rating.id is not None
            row = Row(
                id=rating.id,
                date=long_date(rating.date),
                score=f"{rating.score:g} of {trend.maximum:g}",
                change=change_text(point, trend.minimal_important_change),
                important=point.important,
            )
            rows.append(row)
            if rating.id == saved_id:
                saved = {"scale": scale, "row": row}
        lists.append({"scale": scale, "trend": trend, "rows": rows[::-1]})
    if saved_id is not None and saved is None:
        saved_id = None  # not this person's, or deleted since
    jrs = next((t for t in view.trends if t.scale == "jrs"), None)
    return {
        "title": "Diary: ratings",
        "page": "diary.html",
        "diary_page": "ratings",
        "scales": reviewed.scales,
        "shared_options": {scale.id: _shared_options(scale) for scale in reviewed.scales},
        "lists": lists,
        "chart": None if jrs is None else trend_chart(jrs),
        "jrs": jrs,
        "grade": view.grade,
        "reminder": view.reminder,
        "bounds": reviewed.reminder,
        "sources": view.sources,
        "reminder_sources": citations(reviewed.reminder.sources),
        "not_validated": NOT_VALIDATED,
        "today": today.isoformat(),
        "saved": saved,
        "due_on": long_date(view.reminder.due.due_on),
    }


def _shared_options(scale: Scale) -> tuple[Option, ...] | None:
    # Items that all have the same answers (the impact rating's five) are shown compactly: the
    # answers' words once, a row of numbered choices per item (one phone screen in all).
    first = scale.items[0].options
    return (
        first
        if all(item.options == first for item in scale.items) and len(scale.items) > 2
        else None
    )
