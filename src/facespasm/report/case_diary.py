"""The diary part of a case report: the last 90 days, injections, cycles, ratings, measurements.

A doctor sees a person every three months or so, about the length of a botulinum toxin cycle
("relief typically lasts three to four months", source article; about 12 weeks, Toxins 2021), so
the report covers the `WINDOW_DAYS` days up to the report's date:

- **Episodes per day**, every day of the window, None where nothing was recorded (a chart must
  not draw an unrecorded day as a day without twitches; `diary/days.py`).
- **Injections** in the window, as a clinic records them: product, units left, right, total.
- **Cycles** (`diary/cycles.toxin_cycles`, fitted over the whole history, as `diary cycles`
  shows them) of the injections in the window, and always the latest one, which carries the
  next due date.
- **Ratings** per scale in the window, with the scale's minimal clinically important change
  where a study established one (JRS: 2 points, Jankovic 2009) and its source; an in-house
  scale says it is not validated.
- **Measured spasms per minute** from kept video analyses (`diary/measurements.py`).
- **Triggers**: the factors the window's days associate with more twitching
  (`diary/triggers.trigger_analysis`, its sentences), or why none could be estimated.

The records are read by the caller (`sharing.make_report`); this module does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facespasm.diary.records import Day, Episode, Measurement, Rating, Treatment
from facespasm.knowledge import KnowledgeBase
from facespasm.report.citations import Cited, Numbering
from facespasm.report.view import percent

if TYPE_CHECKING:
    from facespasm.diary.ratings import TrendPoint

WINDOW_DAYS = 90
TOXIN = "botulinum_toxin"
WORKED_WORDS = {True: "yes", False: "no", None: "cannot tell yet"}


@dataclass(frozen=True)
class DiaryRecords:
    """One person's diary as read for a report: everything, oldest first."""

    days: tuple[Day, ...] = ()
    episodes: tuple[Episode, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    ratings: tuple[Rating, ...] = ()
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class DayCount:
    """Episodes on one day of the window (None: nothing recorded that day)."""

    date: dt.date
    episodes: int | None


@dataclass(frozen=True)
class InjectionView:
    """One botulinum toxin injection as a clinic records it."""

    date: dt.date
    product: str | None
    side: str | None
    units_left: float | None
    units_right: float | None
    units_total: float | None
    text: str


@dataclass(frozen=True)
class CycleView:
    """One injection's cycle: did it work, when did it wear off, the interval, when next."""

    injection: dt.date
    worked: bool | None
    worked_text: str
    wear_off: dt.date | None
    wear_off_days: int | None
    wear_off_status: str
    interval_days: int | None
    next_due: dt.date | None
    next_due_basis: str | None
    summary: str


@dataclass(frozen=True)
class RatingPoint:
    """One rating: its score, and the change against the rating before the injection in force."""

    date: dt.date
    score: float
    change: float | None
    important: str | None
    text: str


@dataclass(frozen=True)
class RatingSeries:
    """A scale's ratings in the window, and what change counts."""

    scale: str
    name: str
    validated: bool
    maximum: float
    minimal_important_change: float | None
    points: tuple[RatingPoint, ...]
    rule: str
    cites: Cited
    note: str | None = None


@dataclass(frozen=True)
class MeasurementPoint:
    """A kept video measurement: spasms per minute by side, blink rate, % time eyes closed."""

    date: dt.date
    spasms_per_min_left: float | None
    spasms_per_min_right: float | None
    blink_rate_per_min: float | None
    eyes_closed_percent: float | None
    text: str


@dataclass(frozen=True)
class DiarySection:
    """The diary over the window `start`..`end` (both included)."""

    start: dt.date
    end: dt.date
    days: tuple[DayCount, ...]
    days_recorded: int
    episodes_total: int
    episode_sides: tuple[tuple[str, int], ...]
    injections: tuple[InjectionView, ...]
    cycles: tuple[CycleView, ...]
    ratings: tuple[RatingSeries, ...]
    measurements: tuple[MeasurementPoint, ...]
    triggers: tuple[str, ...]
    triggers_note: str | None
    text: str


def diary_section(
    records: DiaryRecords, *, today: dt.date, knowledge: KnowledgeBase, cite: Numbering
) -> DiarySection:
    """The diary part of a report for the `WINDOW_DAYS` days up to `today`."""
    start = today - dt.timedelta(days=WINDOW_DAYS - 1)

    def inside(date: dt.date) -> bool:
        return start <= date <= today

    counted = {d.date: d.episodes for d in records.days if inside(d.date)}
    days = tuple(
        DayCount(day, counted.get(day))
        for day in (start + dt.timedelta(days=n) for n in range(WINDOW_DAYS))
    )
    recorded = [d.episodes for d in days if d.episodes is not None]
    sides = Counter(e.side for e in records.episodes if inside(e.local_date))
    from facespasm.diary.triggers import trigger_analysis

    # The window's days only: "in the last 90 days" is what the section says of everything in it.
    triggers = trigger_analysis([d for d in records.days if inside(d.date)], today=today)
    injections = tuple(
        _injection(t) for t in records.treatments if t.kind == TOXIN and inside(t.date)
    )
    return DiarySection(
        start=start,
        end=today,
        days=days,
        days_recorded=len(recorded),
        episodes_total=sum(recorded),
        episode_sides=tuple(sorted(sides.items())),
        injections=injections,
        cycles=_cycles(records, today, inside),
        ratings=_ratings(records, knowledge, cite, inside),
        measurements=tuple(_measurement(m) for m in records.measurements if inside(m.local_date)),
        triggers=tuple(triggers.findings),
        triggers_note=None
        if triggers.findings
        else (triggers.notes[0] if triggers.notes else None),
        text=(
            f"{start.isoformat()} to {today.isoformat()}: {sum(recorded)} episodes on "
            f"{len(recorded)} recorded days of {WINDOW_DAYS}; "
            f"{len(injections)} injection{'' if len(injections) == 1 else 's'}"
        ),
    )


def _injection(treatment: Treatment) -> InjectionView:
    units = []
    for side, amount in (("left", treatment.units_left), ("right", treatment.units_right)):
        if amount is not None:
            units.append(f"{side} {amount:g} U")
    if treatment.dose_units is not None:
        units.append(f"total {treatment.dose_units:g} U")
    product = treatment.name or "botulinum toxin"
    side = f" ({treatment.side})" if treatment.side else ""
    text = f"{treatment.date.isoformat()}: {product}{side}" + (
        f", {', '.join(units)}" if units else ""
    )
    return InjectionView(
        date=treatment.date,
        product=treatment.name,
        side=treatment.side,
        units_left=treatment.units_left,
        units_right=treatment.units_right,
        units_total=treatment.dose_units,
        text=text,
    )


def _cycles(
    records: DiaryRecords, today: dt.date, inside: Callable[[dt.date], bool]
) -> tuple[CycleView, ...]:
    from facespasm.diary.cycles import toxin_cycles

    if not any(t.kind == TOXIN for t in records.treatments):
        return ()
    cycles = toxin_cycles(records.days, records.treatments, today=today)
    shown = [c for c in cycles if inside(c.injection)]
    if cycles and cycles[-1] not in shown:
        shown.append(cycles[-1])
    return tuple(
        CycleView(
            injection=c.injection,
            worked=c.responded,
            worked_text=WORKED_WORDS[c.responded],
            wear_off=c.wear_off,
            wear_off_days=c.wear_off_days,
            wear_off_status=c.wear_off_status,
            interval_days=(
                None if c.next_injection is None else (c.next_injection - c.injection).days
            ),
            next_due=c.next_due,
            next_due_basis=c.next_due_basis,
            summary=c.summary(),
        )
        for c in shown
    )


def _ratings(
    records: DiaryRecords,
    knowledge: KnowledgeBase,
    cite: Numbering,
    inside: Callable[[dt.date], bool],
) -> tuple[RatingSeries, ...]:
    from facespasm.diary.ratings import rating_trend
    from facespasm.diary.reviewed import load_diary_knowledge

    scales = load_diary_knowledge().ratings
    series = []
    for scale in scales.scales:
        if not any(r.scale == scale.id and inside(r.date) for r in records.ratings):
            continue
        trend = rating_trend(records.ratings, records.treatments, scale.id, scales=scales)
        mcid = scale.minimal_important_change
        if mcid is not None:
            rule = f"a change of {mcid:g} points or more is clinically important"
            cites = cite(
                s for s in scale.minimal_important_change_sources if s in knowledge.sources
            )
        else:
            rule = "no change has been established as clinically important for this scale"
            cites = Cited()
        series.append(
            RatingSeries(
                scale=scale.id,
                name=scale.name,
                validated=scale.validated,
                maximum=scale.maximum,
                minimal_important_change=mcid,
                points=tuple(
                    RatingPoint(p.date, p.score, p.change, p.important, _rating_text(p))
                    for p in trend.points
                    if inside(p.date)
                ),
                rule=rule,
                cites=cites,
                note=scale.note,
            )
        )
    return tuple(series)


def _rating_text(point: TrendPoint) -> str:
    text = f"{point.date.isoformat()}: {point.score:g}"
    if point.change is not None and point.injection is not None:
        since = f"since before the injection of {point.injection.isoformat()}"
        text += f" ({point.change:+g} {since}"
        text += f"; clinically important, {point.important})" if point.important else ")"
    return text


def _measurement(m: Measurement) -> MeasurementPoint:
    def rate(value: float | None) -> str:
        return "not measured" if value is None else f"{value:.1f}"

    text = (
        f"{m.local_date.isoformat()}: spasms a minute, left {rate(m.spasms_per_min_left)}, "
        f"right {rate(m.spasms_per_min_right)}; blinks a minute {rate(m.blink_rate_per_min)}"
    )
    if m.eyes_closed_pct is not None:
        text += f"; both eyes shut {percent(m.eyes_closed_pct / 100)} of the time"
    return MeasurementPoint(
        m.local_date,
        _round(m.spasms_per_min_left),
        _round(m.spasms_per_min_right),
        _round(m.blink_rate_per_min),
        _round(m.eyes_closed_pct),
        text,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
