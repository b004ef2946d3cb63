"""The video part of a case report: what a clinician would count by eye, in numbers and words.

From a `VideoAnalysis` (its ⚑ summary and events), decided once for every renderer:

- **Blink rate against the 27-a-minute line.** A rest rate above 27/min (with rest above
  conversation) separates blepharospasm from normal blinking, sensitivity 92%, specificity 82%
  (Bentivoglio 2006); normal is about 17/min at rest (Bentivoglio 1997). The line is the video
  detector's own (`video/pattern.INCREASED_BLINK_RATE`), so the report and the evidence cannot
  disagree, and the sources are the knowledge base's entries (`BLINK_LINE_SOURCES`). A rate from
  less than half a minute of face (`MIN_MINUTES_FOR_RATE`) is shown but not compared.
- **Events per minute of face in view** (not of clip), by side and by region, as
  `diary/measurements.py` counts them.
- **% of time both eyes were shut**, the measurement's rule, written with `percent`.
- **Spasms per minute on each side** are always shown (a spasm on one side only is hemifacial
  spasm's sign); flickers and events on both sides only where the clip had any.
- **The timeline** lists the first `TIMELINE_SHOWN` closures, spasms and flickers (blinks are
  in the blink rate); the rest are counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from facespasm.knowledge import KnowledgeBase
from facespasm.report.citations import Cited, Numbering
from facespasm.report.view import percent

if TYPE_CHECKING:
    # The video modules pull in scipy (half a second), which a report without a video never
    # needs: only the type here, and the detector's lines where a video is drawn (`_blink`).
    from facespasm.video.analysis import VideoAnalysis

# The sources of the 27-a-minute line and of the normal rate, as the knowledge base names them.
BLINK_LINE_SOURCES = ("bentivoglio2006", "bentivoglio1997")
TIMELINE_SHOWN = 40
# Blinks are counted in the blink rate; the timeline shows what is not a blink.
TIMELINE_KINDS = ("closure", "spasm", "flicker")
SIDE_ORDER = ("left", "right", "both")
KIND_WORDS = {
    "blink": ("blink", "blinks"),
    "closure": ("closure of both eyes", "closures of both eyes"),
    "spasm": ("spasm", "spasms"),
    "flicker": ("flicker", "flickers"),
}
REGION_WORDS = {
    "eyelid": "eyelid",
    "brow": "brow",
    "cheek": "cheek",
    "mouth": "mouth corner",
    "neck": "neck",
}


@dataclass(frozen=True)
class BlinkView:
    """The blink rate against the line above which blinking counts as increased.

    `above` is None when the rate is missing or came from too little face time to compare.
    """

    per_minute: float | None
    line_per_minute: float
    above: bool | None
    text: str
    cites: Cited


@dataclass(frozen=True)
class RateView:
    """Events of one kind on one side or in one region, per minute of face in view."""

    kind: str
    side: str | None
    region: str | None
    count: int
    per_minute: float | None
    text: str


@dataclass(frozen=True)
class OpeningView:
    """The usual opening of one eye (palpebral fissure height), in millimetres."""

    side: str
    mm: float | None
    text: str


@dataclass(frozen=True)
class TimelineEvent:
    """One event of the clip: when, what, which side, where."""

    start_s: float
    end_s: float
    kind: str
    side: str
    regions: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class VideoSection:
    """What the clip showed, measured."""

    clip_seconds: float
    face_minutes: float
    face_text: str
    blink: BlinkView
    by_side: tuple[RateView, ...]
    by_region: tuple[RateView, ...]
    eyes_closed_percent: float | None
    eyes_closed_text: str
    lid_opening: tuple[OpeningView, ...]
    timeline: tuple[TimelineEvent, ...]
    events_total: int
    timeline_note: str | None
    warnings: tuple[str, ...]


def video_section(
    analysis: VideoAnalysis, knowledge: KnowledgeBase, cite: Numbering, *, made_at: datetime
) -> VideoSection:
    """The video part of a report (sources numbered with `cite`, after the assessment's)."""
    from facespasm.diary.measurements import measurement_of

    summary = analysis.summary.to_dict()
    minutes = float(_number(summary.get("face_minutes")) or 0.0)
    clip = float(_number(analysis.video.get("duration_s")) or 0.0)
    measured = measurement_of(
        analysis.to_dict(), measured_at=made_at, local_date=made_at.date(), timezone="UTC"
    )
    closed = measured.eyes_closed_pct
    events = [e for e in analysis.events if e.kind in TIMELINE_KINDS]
    shown = events[:TIMELINE_SHOWN]
    return VideoSection(
        clip_seconds=clip,
        face_minutes=minutes,
        face_text=f"{clip:.0f} s of video, the face in view for {60 * minutes:.0f} s",
        blink=_blink(_number(summary.get("blink_rate_per_min")), minutes, knowledge, cite),
        by_side=_by_side(summary.get("events_by_side"), minutes),
        by_region=_by_region(summary.get("events_by_region"), minutes),
        eyes_closed_percent=None if closed is None else round(closed, 1),
        eyes_closed_text=(
            "not measured (no face in view)"
            if closed is None
            else f"both eyes shut {percent(closed / 100)} of the time the face was in view"
        ),
        lid_opening=_openings(summary.get("usual_aperture_mm")),
        timeline=tuple(_event(e.start_s, e.end_s, e.kind, e.side, e.regions) for e in shown),
        events_total=len(events),
        timeline_note=(
            f"the first {TIMELINE_SHOWN} of {len(events)} closures, spasms and flickers"
            if len(events) > TIMELINE_SHOWN
            else None
        ),
        warnings=analysis.warnings,
    )


def _blink(
    rate: float | None, minutes: float, knowledge: KnowledgeBase, cite: Numbering
) -> BlinkView:
    from facespasm.video.thresholds import thresholds

    limits = thresholds()
    line = limits.increased_blink_rate
    cites = cite(s for s in BLINK_LINE_SOURCES if s in knowledge.sources)
    rule = f"above {line:g} a minute at rest counts as increased; normal is about 17"
    if rate is None:
        return BlinkView(None, line, None, f"Blink rate not measured ({rule})", cites)
    above = rate > line
    seconds = 60 * minutes
    # As the evidence reads it (video/pattern.py): "above" needs less face time than "not above".
    if seconds < (limits.min_seconds_for_increase if above else limits.min_seconds_for_rate):
        text = (
            f"{rate:.0f} blinks a minute, from only {seconds:.0f} s of face: too little "
            f"to compare ({rule})"
        )
        return BlinkView(rate, line, None, text, cites)
    where = "above" if above else "not above"
    text = f"{rate:.0f} blinks a minute: {where} the {line:g}-a-minute line ({rule})"
    return BlinkView(rate, line, above, text, cites)


def _by_side(counts: object, minutes: float) -> tuple[RateView, ...]:
    found = _counts(counts)
    rows = []
    for kind in ("spasm", "flicker"):
        for side in SIDE_ORDER:
            count = found.get(f"{kind}_{side}", 0)
            if count or (kind == "spasm" and side != "both"):
                rate = _rate(count, minutes)
                words = KIND_WORDS[kind][1].capitalize()
                rows.append(
                    RateView(kind, side, None, count, rate, f"{words}, {side}: {_per(rate, count)}")
                )
    return tuple(rows)


def _by_region(counts: object, minutes: float) -> tuple[RateView, ...]:
    found = _counts(counts)
    rows = []
    for region, words in REGION_WORDS.items():
        count = found.get(region, 0)
        if count:
            rate = _rate(count, minutes)
            text = f"Spasms and flickers at the {words}: {_per(rate, count)}"
            rows.append(RateView("spasm_or_flicker", None, region, count, rate, text))
    return tuple(rows)


def _openings(opening: object) -> tuple[OpeningView, ...]:
    given: Mapping[str, Any] = opening if isinstance(opening, Mapping) else {}
    views = []
    for side in ("right", "left"):
        mm = _number(given.get(side))
        text = f"{side} eye {mm:.1f} mm" if mm is not None else f"{side} eye not measured"
        views.append(OpeningView(side, mm, text))
    return tuple(views)


def _event(
    start: float, end: float, kind: str, side: str, regions: tuple[str, ...]
) -> TimelineEvent:
    where = ", ".join(REGION_WORDS.get(r, r) for r in regions)
    what = KIND_WORDS.get(kind, (kind, kind))[0]
    text = f"{start:.1f}–{end:.1f} s: {what}, {side}" + (f" ({where})" if where else "")
    return TimelineEvent(round(start, 3), round(end, 3), kind, side, regions, text)


def _per(rate: float | None, count: int) -> str:
    if rate is None:
        return f"{count} seen"
    return f"{rate:.1f} a minute ({count} seen)"


def _rate(count: int, minutes: float) -> float | None:
    return round(count / minutes, 2) if minutes > 0 else None


def _counts(counts: object) -> dict[str, int]:
    if not isinstance(counts, Mapping):
        return {}
    return {str(k): int(v) for k, v in counts.items() if isinstance(v, int | float)}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
