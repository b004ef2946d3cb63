"""What the ratings pages and commands show, built once: trends, the reminder, the SMC grade.

`ratings_view(diary, today=...)` gathers, for one person, what `facespasm diary ratings`,
`GET /api/v1/diary/ratings/...` and the `/diary/ratings` page present: each scale's ratings
against the injections (`ratings.rating_trend`), whether a rating is due at the person's chosen
interval (`ratings.rating_due`), and the SMC grade derived from their newest kept assessment.

Decisions:
- **The SMC grade only where hemifacial spasm is in question** (`ratings.yaml`: the grade
  `applies_to` hemifacial spasm): the newest kept assessment's most likely cause, or the
  diagnosis the person said a doctor gave them (⚑ `known_diagnosis`), must be one the grade
  applies to. It is derived from that assessment's evidence (⚑ vocabulary) by `smc_grade`; an
  older assessment is not used, since the grade describes the person now.
- **Sources are shown as citations** from the knowledge base (`knowledge/data/sources.yaml`),
  the ids `ratings.yaml` cites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facespasm.diary.ratings import (
    DerivedGrade,
    RatingDue,
    RatingTrend,
    TrendPoint,
    rating_trend,
    smc_grade,
)
from facespasm.diary.reviewed import RatingScales, load_diary_knowledge
from facespasm.diary.wording import long_date

if TYPE_CHECKING:
    from facespasm.diary.records import Rating
    from facespasm.diary.store import Diary

# What every view of the in-house scale says, wherever it is shown.
NOT_VALIDATED = "facespasm's own, not a validated scale"


@dataclass(frozen=True, slots=True)
class Citation:
    """A source as shown: its id, title, citation and link."""

    id: str
    title: str
    citation: str
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        """The citation as JSON-ready values."""
        return {"id": self.id, "title": self.title, "citation": self.citation, "url": self.url}


@dataclass(frozen=True, slots=True)
class KeptGrade:
    """A grade derived from a kept assessment: which one, when, and the grade's sources."""

    grade: DerivedGrade
    assessment_id: int
    assessed_on: dt.date
    sources: tuple[Citation, ...]

    @property
    def text(self) -> str:
        """E.g. "SMC grade II, derived from your assessment of 12 March 2026"."""
        return (
            f"SMC grade {self.grade.numeral}, derived from your assessment of "
            f"{long_date(self.assessed_on)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The grade as JSON-ready values."""
        return {
            **self.grade.to_dict(),
            "assessment_id": self.assessment_id,
            "assessed_on": self.assessed_on.isoformat(),
            "text": self.text,
            "sources": [source.to_dict() for source in self.sources],
        }


@dataclass(frozen=True, slots=True)
class Reminder:
    """Whether a rating is due, and the last one's date."""

    due: RatingDue
    last_rated: dt.date | None
    today: dt.date

    @property
    def days_since(self) -> int | None:
        """Days since the last rating (None: never rated)."""
        return None if self.last_rated is None else (self.today - self.last_rated).days

    @property
    def text(self) -> str:
        """E.g. "A rating is due (last one 5 days ago)"."""
        since = self.days_since
        if since is None:
            return "A rating is due (none yet)"
        ago = "today" if since == 0 else "1 day ago" if since == 1 else f"{since} days ago"
        return f"A rating is due (last one {ago})"

    def to_dict(self) -> dict[str, Any]:
        """The reminder as JSON-ready values."""
        last = self.last_rated
        return {
            **self.due.to_dict(),
            "last_rated": None if last is None else last.isoformat(),
            "days_since_last": self.days_since,
            "text": self.text if self.due.due else None,
        }


@dataclass(frozen=True, slots=True)
class RatingsView:
    """One person's ratings as every front end shows them."""

    trends: tuple[RatingTrend, ...]
    reminder: Reminder
    grade: KeptGrade | None
    sources: Mapping[str, tuple[Citation, ...]]


def ratings_view(
    diary: Diary, *, today: dt.date, scale_ids: Iterable[str] | None = None
) -> RatingsView:
    """The person's ratings, trends against injections, reminder and SMC grade.

    Args:
        diary: The person's diary.
        today: The person's today.
        scale_ids: The scales to follow (None: all of `ratings.yaml`'s).

    Returns:
        The view.

    Raises:
        InputError: An unknown scale.
    """
    scales = load_diary_knowledge().ratings
    ratings = diary.ratings.all()
    treatments = diary.treatments.all()
    chosen = tuple(scale_ids) if scale_ids is not None else tuple(s.id for s in scales.scales)
    trends = tuple(rating_trend(ratings, treatments, scale_id) for scale_id in chosen)
    return RatingsView(
        trends=trends,
        reminder=reminder_of(diary, ratings, today=today),
        grade=kept_grade(diary, scales=scales),
        sources={trend.scale: scale_sources(trend.scale, scales) for trend in trends},
    )


def reminder_of(diary: Diary, ratings: list[Rating], *, today: dt.date) -> Reminder:
    """The reminder, from the person's interval and their ratings (already read)."""
    last = max((rating.date for rating in ratings), default=None)
    return Reminder(diary.ratings.reminder(today=today), last, today)


def reminder(diary: Diary, *, today: dt.date) -> Reminder:
    """Whether the person's next rating is due, and when they last rated."""
    newest = diary.ratings.page(limit=1, newest_first=True)
    last = newest[0].date if newest else None
    return Reminder(diary.ratings.reminder(today=today), last, today)


def point_of(trend: RatingTrend, rating: Rating) -> TrendPoint | None:
    """The trend's point for one rating (the last on its date)."""
    same_day = [point for point in trend.points if point.date == rating.date]
    return same_day[-1] if same_day else None


def kept_grade(diary: Diary, *, scales: RatingScales | None = None) -> KeptGrade | None:
    """The SMC grade derived from the newest kept assessment, where hemifacial spasm is relevant.

    Args:
        diary: The person's diary.
        scales: The reviewed scales and grades (None: the packaged ones).

    Returns:
        The grade, or None: no kept assessment, hemifacial spasm not in question, or too little
        known to grade.
    """
    reviewed = scales or load_diary_knowledge().ratings
    grade = reviewed.grade("smc")
    newest = diary.assessments.page(limit=1, newest_first=True)
    if not newest or newest[0].id is None:
        return None
    headline = newest[0]
    assert headline.id is not None
    result = diary.assessments.result(headline.id).result
    evidence = result.get("evidence")
    answers = {
        finding: item.get("value")
        for finding, item in (evidence.items() if isinstance(evidence, dict) else ())
        if isinstance(item, dict)
    }
    if headline.top_cause not in grade.applies_to and (
        answers.get("known_diagnosis") not in grade.applies_to
    ):
        return None
    derived = smc_grade(answers, scales=reviewed)
    if derived is None:
        return None
    return KeptGrade(derived, headline.id, headline.local_date, citations(grade.sources))


def scale_sources(scale_id: str, scales: RatingScales | None = None) -> tuple[Citation, ...]:
    """A scale's sources, its minimal important change's included, each once."""
    scale = (scales or load_diary_knowledge().ratings).scale(scale_id)
    ids = [*scale.sources, *scale.minimal_important_change_sources]
    for item in scale.items:
        ids.extend(item.sources)
    return citations(ids)


def citations(ids: Iterable[str]) -> tuple[Citation, ...]:
    """The sources with these ids, each once, in order."""
    from facespasm.knowledge import load_knowledge

    known = load_knowledge().sources
    unique = dict.fromkeys(ids)
    return tuple(
        Citation(s.id, s.title, s.citation, s.url) for s in (known[i] for i in unique if i in known)
    )


def change_text(point: TrendPoint, minimal_important_change: float | None) -> str:
    """A rating's change since before the injection in force, in words.

    E.g. "2 points better than before the injection of 1 March 2026 (clinically important:
    2 points or more)".
    """
    if point.injection is None:
        return "no injection before it to compare with"
    if point.change is None:
        return (
            f"no rating in the two weeks before the injection of {long_date(point.injection)} "
            "to compare with"
        )
    size = abs(point.change)
    amount = f"{size:g} point{'' if size == 1 else 's'}"
    since = f"the injection of {long_date(point.injection)}"
    if point.change == 0:
        said = f"the same as before {since}"
    else:
        way = "lower" if point.change < 0 else "higher"
        said = f"{amount} {way} than before {since}"
    if minimal_important_change is None:
        return f"{said} (no established clinically important change for this scale)"
    mcid = f"{minimal_important_change:g} points or more"
    if point.important == "better":
        return f"{said}: better, a clinically important change ({mcid})"
    if point.important == "worse":
        return f"{said}: worse, a clinically important change ({mcid})"
    return f"{said}: less than the clinically important change ({mcid})"
