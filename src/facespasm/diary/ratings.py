"""Ratings between toxin visits: scores, trends against injections, reminders, the SMC grade.

What a person on botulinum toxin answers every few days, and the grade of hemifacial spasm
derived from the assessment.
The scales are reviewed data (`data/ratings.yaml`), each item's wording with its source:

- **Jankovic Rating Scale** (Jankovic & Orman 1987, wording as reproduced in Park et al.,
  Craniofacial Muscles, Table 16.2): severity 0-4 plus frequency 0-4, a total of 0-8; a change
  of 2 points is clinically meaningful (Jankovic et al. 2009, Mov Disord 24:407). Both items must
  be answered.
- **No Blepharospasm Disability Index or HFS-7**: their item wording could not be sourced, and the
  BSDI is published with a copyright mark. facespasm's own **impact rating** (driving, reading,
  screens, work, social; 0-4 each, the mean of those answered, "I don't do this" left out) asks
  about the domains where people struggle before re-injection (Fezza 2016: 70.2% driving, 73.7%
  reading) and says on every use that it is not a validated scale. It has no established
  important change, so its changes are shown but never called clinically important.
- **Trend against injections**: each rating is compared with the last rating at most
  `trend.before_days` (14) days before the injection in force -- a rating on the injection day
  counts as before it -- and a change of at least the scale's minimal clinically important
  change is marked better or worse.
- **A rating is due** `interval_days` after the last one, 3-7 days as the person chooses
  (DystoniaDiary prompted every 3 days, Edwards 2023; the Dystonia Coalition's app weekly).
- **SMC grade** (Lee et al. 2012): grade I around the eye only, II spread to other muscles of the
  same side, III vision interfered with by frequent tonic spasms, IV disfiguring asymmetry -- the
  highest whose condition the assessment's answers meet (regions, spread, eyes clamping shut) or
  the grade's own question (disfiguring asymmetry).

Pure functions over records (`records.Rating`, `records.Treatment`): storage keeps what
`score_rating` returns; the CLI, the API and the pages present what these functions say.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from facespasm.diary.records import Rating, Treatment
from facespasm.diary.reviewed import RatingScales, Scale, load_diary_knowledge
from facespasm.errors import InputError

Direction = Literal["better", "worse"]


@dataclass(frozen=True, slots=True)
class Score:
    """A scored rating.

    Attributes:
        scale: the scale's id.
        total: the score: the items' sum, or the mean of those answered.
        maximum: the highest score the scale can give.
        answers: (item, score) pairs in the scale's order: what storage keeps.
        skipped: items answered "I don't do this" (in-house scales only).
        validated: whether the scale is a validated instrument.
    """

    scale: str
    total: float
    maximum: float
    answers: tuple[tuple[str, int], ...]
    skipped: tuple[str, ...]
    validated: bool

    def to_dict(self) -> dict[str, Any]:
        """The score as JSON-ready values."""
        return {
            "scale": self.scale,
            "total": self.total,
            "maximum": self.maximum,
            "answers": dict(self.answers),
            "skipped": list(self.skipped),
            "validated": self.validated,
        }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One rating on the trend, read against the injection in force.

    Attributes:
        date: when it was rated.
        score: its score.
        injection: the latest injection before it (None: none yet).
        days_since_injection: days from that injection.
        reference: the rating just before that injection (None: none within the window).
        change: score - reference (negative: better).
        important: "better" or "worse" when the change reaches the scale's minimal clinically
            important change; None when it does not, or the scale has none, or no reference.
    """

    date: dt.date
    score: float
    injection: dt.date | None
    days_since_injection: int | None
    reference: float | None
    change: float | None
    important: Direction | None


@dataclass(frozen=True, slots=True)
class InjectionEffect:
    """What the ratings say about one injection: the rating before it and the best after it.

    Attributes:
        injection: the injection date.
        before: the last rating at most `trend.before_days` before it (or on its day).
        before_date: its date.
        best: the lowest rating after it, until the next injection.
        best_date: its date.
        change: best - before (negative: better).
        important: "better" or "worse" when the change reaches the minimal important change.
        threshold: the score a rating must reach to count as an important improvement
            (before - the minimal important change): the line a chart draws.
    """

    injection: dt.date
    before: float | None
    before_date: dt.date | None
    best: float | None
    best_date: dt.date | None
    change: float | None
    important: Direction | None
    threshold: float | None


@dataclass(frozen=True, slots=True)
class RatingTrend:
    """A scale's ratings over time, against the injections."""

    scale: str
    name: str
    validated: bool
    note: str | None
    maximum: float
    minimal_important_change: float | None
    points: tuple[TrendPoint, ...]
    injections: tuple[InjectionEffect, ...]

    def to_dict(self) -> dict[str, Any]:
        """The trend as JSON-ready values (dates as ISO strings)."""

        def iso(date: dt.date | None) -> str | None:
            return None if date is None else date.isoformat()

        return {
            "scale": self.scale,
            "name": self.name,
            "validated": self.validated,
            "note": self.note,
            "maximum": self.maximum,
            "minimal_important_change": self.minimal_important_change,
            "points": [
                {
                    "date": p.date.isoformat(),
                    "score": p.score,
                    "injection": iso(p.injection),
                    "days_since_injection": p.days_since_injection,
                    "reference": p.reference,
                    "change": p.change,
                    "important": p.important,
                }
                for p in self.points
            ],
            "injections": [
                {
                    "injection": e.injection.isoformat(),
                    "before": e.before,
                    "before_date": iso(e.before_date),
                    "best": e.best,
                    "best_date": iso(e.best_date),
                    "change": e.change,
                    "important": e.important,
                    "threshold": e.threshold,
                }
                for e in self.injections
            ],
        }


@dataclass(frozen=True, slots=True)
class RatingDue:
    """Whether a rating is due today.

    Attributes:
        due: whether it is due (today or earlier).
        due_on: the day it is (or was) due.
        interval_days: the person's chosen interval.
        days_overdue: days since it fell due (0 when not due or due today).
    """

    due: bool
    due_on: dt.date
    interval_days: int
    days_overdue: int

    def to_dict(self) -> dict[str, Any]:
        """The reminder as JSON-ready values."""
        return {
            "due": self.due,
            "due_on": self.due_on.isoformat(),
            "interval_days": self.interval_days,
            "days_overdue": self.days_overdue,
        }


@dataclass(frozen=True, slots=True)
class DerivedGrade:
    """A grade derived from answers, e.g. SMC grade II.

    Attributes:
        grade_id: the grade's id ("smc").
        name: its name.
        grade: the level (1 for I).
        numeral: the level as written ("II").
        wording: the level's published wording.
        because: the answers that met its condition.
    """

    grade_id: str
    name: str
    grade: int
    numeral: str
    wording: str
    because: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The grade as JSON-ready values."""
        return {
            "grade_id": self.grade_id,
            "name": self.name,
            "grade": self.grade,
            "numeral": self.numeral,
            "wording": self.wording,
            "because": list(self.because),
        }


def score_rating(
    scale_id: str, answers: Mapping[str, int | None], *, scales: RatingScales | None = None
) -> Score:
    """Score one rating as the scale says.

    Args:
        scale_id: "jrs" or "impact" (the ids of `data/ratings.yaml`).
        answers: item id -> score; None (or leaving an item out) answers "I don't do this",
            which only an in-house scale's items allow.
        scales: the scales (None: the reviewed ones).

    Returns:
        The score, and the answers as storage keeps them.

    Raises:
        InputError: an unknown scale or item, a score the item does not have, a required item
            left out, or nothing answered.
    """
    scale = _scale(scale_id, scales)
    known = {item.id for item in scale.items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise InputError(
            f"{scale.short_name} has no item '{unknown[0]}' (its items: {', '.join(sorted(known))})"
        )
    given: list[tuple[str, int]] = []
    skipped: list[str] = []
    for item in scale.items:
        value = answers.get(item.id)
        if value is None:
            if item.not_applicable is None:
                raise InputError(f"{scale.short_name} needs an answer to '{item.id}'")
            skipped.append(item.id)
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.scores:
            low, high = min(item.scores), max(item.scores)
            raise InputError(
                f"{scale.short_name} '{item.id}': {value!r} is not a whole number from {low} to "
                f"{high}"
            )
        given.append((item.id, value))
    if not given:
        raise InputError(f"{scale.short_name}: answer at least one item")
    values = [value for _, value in given]
    total = float(sum(values)) if scale.total == "sum" else round(sum(values) / len(values), 2)
    return Score(scale.id, total, scale.maximum, tuple(given), tuple(skipped), scale.validated)


def rating_trend(
    ratings: Sequence[Rating],
    treatments: Sequence[Treatment],
    scale_id: str,
    *,
    scales: RatingScales | None = None,
) -> RatingTrend:
    """A scale's ratings against the botulinum toxin injections, important changes marked.

    Args:
        ratings: the person's ratings (of any scale; only `scale_id`'s are used).
        treatments: their treatments (only botulinum toxin injections are used).
        scale_id: the scale to follow.
        scales: the scales (None: the reviewed ones).

    Returns:
        The trend: every rating with the change since the injection in force, and each
        injection's best rating against the one before it.

    Raises:
        InputError: an unknown scale.
    """
    reviewed = scales or load_diary_knowledge().ratings
    scale = _scale(scale_id, reviewed)
    window = dt.timedelta(days=reviewed.trend.before_days)
    mcid = scale.minimal_important_change
    own = sorted((r for r in ratings if r.scale == scale.id), key=lambda r: r.date)
    injections = sorted({t.date for t in treatments if t.kind == "botulinum_toxin"})

    def before(injection: dt.date) -> Rating | None:
        earlier = [r for r in own if injection - window <= r.date <= injection]
        return earlier[-1] if earlier else None

    references = {injection: before(injection) for injection in injections}
    points = []
    for rating in own:
        in_force = [i for i in injections if i < rating.date]
        injection = in_force[-1] if in_force else None
        reference = references[injection] if injection is not None else None
        change = None if reference is None else round(rating.score - reference.score, 2)
        points.append(
            TrendPoint(
                date=rating.date,
                score=rating.score,
                injection=injection,
                days_since_injection=None if injection is None else (rating.date - injection).days,
                reference=None if reference is None else reference.score,
                change=change,
                important=_important(change, mcid),
            )
        )
    effects = []
    for k, injection in enumerate(injections):
        following = injections[k + 1] if k + 1 < len(injections) else dt.date.max
        after = [r for r in own if injection < r.date <= following]
        reference = references[injection]
        best = min(after, key=lambda r: (r.score, r.date)) if after else None
        change = (
            None if reference is None or best is None else round(best.score - reference.score, 2)
        )
        effects.append(
            InjectionEffect(
                injection=injection,
                before=None if reference is None else reference.score,
                before_date=None if reference is None else reference.date,
                best=None if best is None else best.score,
                best_date=None if best is None else best.date,
                change=change,
                important=_important(change, mcid),
                threshold=None if reference is None or mcid is None else reference.score - mcid,
            )
        )
    return RatingTrend(
        scale=scale.id,
        name=scale.name,
        validated=scale.validated,
        note=scale.note,
        maximum=scale.maximum,
        minimal_important_change=mcid,
        points=tuple(points),
        injections=tuple(effects),
    )


def rating_due(
    last_rated: dt.date | None,
    *,
    today: dt.date,
    interval_days: int | None = None,
    scales: RatingScales | None = None,
) -> RatingDue:
    """Whether a rating is due, given the last one and the person's chosen interval.

    Args:
        last_rated: the date of the last rating (None: never rated: due today).
        today: the person's today (the clock is the caller's).
        interval_days: every how many days the person wants to rate (None: the default, 3).
        scales: the scales (None: the reviewed ones), whose `reminder` bounds the interval.

    Returns:
        When it is due and whether that is today or past.

    Raises:
        InputError: an interval outside the allowed days (3-7).
    """
    reminder = (scales or load_diary_knowledge().ratings).reminder
    interval = reminder.default_days if interval_days is None else interval_days
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int)
        or not reminder.min_days <= interval <= reminder.max_days
    ):
        bounds = f"{reminder.min_days} to {reminder.max_days} days"
        raise InputError(f"a rating interval is {bounds}, not {interval!r}")
    due_on = today if last_rated is None else last_rated + dt.timedelta(days=interval)
    overdue = max((today - due_on).days, 0)
    return RatingDue(due_on <= today, due_on, interval, overdue)


def derive_grade(
    grade_id: str, answers: Mapping[str, Any], *, scales: RatingScales | None = None
) -> DerivedGrade | None:
    """A grade from the assessment's answers (⚑ evidence vocabulary) and the grade's own.

    Args:
        grade_id: the grade ("smc").
        answers: finding id -> value, e.g. {"regions": ["eyelid", "cheek"],
            "vision_blocked": True, "disfiguring_asymmetry": False}; a missing or None answer is
            unknown and meets no condition.
        scales: the scales and grades (None: the reviewed ones).

    Returns:
        The highest level whose condition the answers meet; None when none is met (too little
        is known to grade).

    Raises:
        InputError: an unknown grade.
    """
    reviewed = scales or load_diary_knowledge().ratings
    try:
        grade = reviewed.grade(grade_id)
    except KeyError:
        raise InputError(f"unknown grade '{grade_id}'") from None
    for level in sorted(grade.levels, key=lambda level: -level.grade):
        met = []
        for test in level.when_any:
            value = answers.get(test.finding)
            if value is None:
                continue
            equal = test.equals is not None and value == test.equals
            includes = (
                test.includes_any is not None
                and isinstance(value, list | tuple | set)
                and any(choice in value for choice in test.includes_any)
            )
            if equal or includes:
                met.append(test.finding)
        if met:
            return DerivedGrade(
                grade.id, grade.name, level.grade, level.numeral, level.wording, tuple(met)
            )
    return None


def smc_grade(
    answers: Mapping[str, Any], *, scales: RatingScales | None = None
) -> DerivedGrade | None:
    """The Samsung Medical Center grade of hemifacial spasm from the answers (`derive_grade`).

    Args:
        answers: finding id -> value (⚑ evidence vocabulary, plus "disfiguring_asymmetry").
        scales: the scales and grades (None: the reviewed ones).

    Returns:
        Grade I-IV, or None when the answers do not say enough.
    """
    return derive_grade("smc", answers, scales=scales)


def _scale(scale_id: str, scales: RatingScales | None) -> Scale:
    reviewed = scales or load_diary_knowledge().ratings
    try:
        return reviewed.scale(scale_id)
    except KeyError:
        known = ", ".join(scale.id for scale in reviewed.scales)
        raise InputError(f"unknown rating scale '{scale_id}' (known: {known})") from None


def _important(change: float | None, mcid: float | None) -> Direction | None:
    if change is None or mcid is None or math.isclose(change, 0.0):
        return None
    if change <= -mcid:
        return "better"
    if change >= mcid:
        return "worse"
    return None
