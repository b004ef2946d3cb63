"""Small print figures of a case report as inline SVG: blink rate, clip timeline, diary.

The blink rate is drawn against its line, the clip's events on a timeline, the diary's 90 days
as a chart.

They are drawn for paper, a few centimetres wide, from the report model alone (`CaseReport`'s
video and diary parts), so the `--html` document and the PDF show the same picture:

- **Presentation attributes, not classes**: the figures are read by WeasyPrint's SVG renderer
  and by browsers alike, without the page's stylesheet.
- **Colour is never the only cue.** The timeline puts each side in its own lane and gives each
  kind of event its own height; the diary marks injections with a triangle and a line, the
  relief with a band, and the JRS points "better" and "worse" by shape as well as colour.
- **An unrecorded day is not a day without twitches** (`diary/days.py`): it has no bar and a
  grey tick on the baseline, so a gap in the diary is seen as a gap.
- Every text is escaped; numbers are written with a fixed number of decimals, so the figures
  of a report are the same bytes on every machine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from html import escape

from markupsafe import Markup

from facespasm.report.case_diary import DiarySection, RatingSeries
from facespasm.report.case_video import BlinkView, VideoSection

FONT = 'font-family="Liberation Sans, DejaVu Sans, sans-serif"'
INK = "#1b1f24"
MUTED = "#4a525c"
GRID = "#d5d9de"
ACCENT = "#0b5cad"
INJECTION = "#6a3fa0"
RELIEF = "#1e7a3a"
RATING = "#a34700"
BETTER = "#1e7a3a"
WORSE = "#b3261e"
INCREASED = "#fde7e5"
# The kinds of event on the timeline: colour and the share of the lane's height they fill.
KIND_STYLE = {
    "spasm": ("#b3261e", 1.0),
    "flicker": ("#e36a00", 0.6),
    "closure": ("#1b1f24", 0.8),
    "blink": ("#8a939c", 0.4),
}
KIND_LEGEND = (
    ("spasm", "spasm"),
    ("flicker", "flicker"),
    ("blink", "blink"),
    ("closure", "both eyes shut"),
)
LANES = (("right", "Right"), ("left", "Left"), ("both", "Both"))
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NORMAL_BLINK_RATE = 17  # a minute at rest (Bentivoglio 1997; case_video.py's rule)


def _svg(width: float, height: float, label: str, parts: Iterable[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="figure" viewBox="0 0 {width:g} '
        f'{height:g}" width="{width:g}" height="{height:g}" role="img" '
        f'aria-label="{escape(label)}" {FONT} font-size="7">' + "".join(parts) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    words: str,
    *,
    anchor: str = "start",
    size: float = 7,
    fill: str = MUTED,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}" '
        f'fill="{fill}"{weight}>{escape(words)}</text>'
    )


def blink_figure(blink: BlinkView) -> Markup:
    """The blink rate as a mark on a 0-to-N scale, the zone above the line shaded."""
    width, height = 250.0, 30.0
    left, right, top, bar = 6.0, 8.0, 10.0, 8.0
    rate = blink.per_minute
    high = max(40.0, 10 * math.ceil(((rate or 0) + 5) / 10))
    scale = (width - left - right) / high

    def x(value: float) -> float:
        return left + min(value, high) * scale

    line = blink.line_per_minute
    parts = [
        f'<rect x="{x(line):.1f}" y="{top}" width="{x(high) - x(line):.1f}" height="{bar}" '
        f'fill="{INCREASED}" stroke="{WORSE}" stroke-width="0.4"/>',
        f'<rect x="{left}" y="{top}" width="{x(line) - left:.1f}" height="{bar}" fill="none" '
        f'stroke="{GRID}" stroke-width="0.6"/>',
        _text(x(line) + 2, top - 2.5, f"increased: above {line:g}/min", fill=WORSE),
        f'<line x1="{x(NORMAL_BLINK_RATE):.1f}" x2="{x(NORMAL_BLINK_RATE):.1f}" y1="{top}" '
        f'y2="{top + bar}" stroke="{MUTED}" stroke-width="0.6" stroke-dasharray="1.5 1"/>',
        _text(x(NORMAL_BLINK_RATE), top - 2.5, f"usual {NORMAL_BLINK_RATE}", anchor="middle"),
    ]
    for tick in range(0, int(high) + 1, 10):
        words = f"{tick}/min" if tick == int(high) else f"{tick}"
        parts.append(_text(x(tick), top + bar + 7.5, words, anchor="middle", size=6))
    if rate is not None:
        mark = x(rate)
        parts.append(
            f'<path d="M{mark - 3.5:.1f},{top - 1:.1f} L{mark + 3.5:.1f},{top - 1:.1f} '
            f'L{mark:.1f},{top + bar / 2:.1f} Z" fill="{INK}"/>'
            f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="{top}" y2="{top + bar}" stroke="{INK}" '
            f'stroke-width="1.6"/>'
        )
    label = blink.text
    return _svg(width, height, label, parts)


def timeline_figure(video: VideoSection) -> Markup:
    """The clip's events in three lanes (right, left, both eyes), against seconds."""
    width, lane = 250.0, 9.0
    left, right, top = 22.0, 6.0, 2.0
    seconds = max(video.clip_seconds, max((e.end_s for e in video.timeline), default=0.0), 1.0)
    scale = (width - left - right) / seconds
    axis = top + lane * len(LANES) + 1
    height = axis + 16

    def x(value: float) -> float:
        return left + value * scale

    parts = []
    # One path per kind of event: WeasyPrint draws an SVG element by element.
    shapes: dict[str, list[str]] = {}
    for n, (side, words) in enumerate(LANES):
        y = top + n * lane
        parts.append(
            f'<rect x="{left}" y="{y:.1f}" width="{width - left - right:.1f}" '
            f'height="{lane - 1:g}" fill="#f3f5f7"/>'
        )
        parts.append(_text(left - 3, y + lane - 2.5, words, anchor="end", size=6.5))
        for event in video.timeline:
            if event.side != side:
                continue
            h = (lane - 1) * KIND_STYLE.get(event.kind, (MUTED, 0.5))[1]
            w = max((event.end_s - event.start_s) * scale, 1.0)
            shapes.setdefault(event.kind, []).append(
                f"M{x(event.start_s):.2f},{y + (lane - 1 - h) / 2:.2f}h{w:.2f}v{h:.2f}h{-w:.2f}z"
            )
    for kind, drawn in shapes.items():
        parts.append(f'<path d="{"".join(drawn)}" fill="{KIND_STYLE.get(kind, (MUTED, 0.5))[0]}"/>')
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{axis}" y2="{axis}" stroke="{MUTED}" '
        'stroke-width="0.5"/>'
    )
    step = _step(seconds, 6)
    tick = 0.0
    while tick <= seconds + 1e-9:
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{axis}" y2="{axis + 2}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
        )
        parts.append(_text(x(tick), axis + 8, f"{tick:g} s", anchor="middle", size=6))
        tick += step
    key_x = left
    for kind, words in KIND_LEGEND:
        colour, share = KIND_STYLE[kind]
        h = 6 * share
        parts.append(
            f'<rect x="{key_x:.1f}" y="{height - 2.5 - h:.1f}" width="4" height="{h:.1f}" '
            f'fill="{colour}"/>'
        )
        parts.append(_text(key_x + 6, height - 2.5, words, size=6))
        key_x += 10 + 3.3 * len(words)
    label = f"Timeline of {video.events_total} events over {seconds:.0f} seconds"
    return _svg(width, height, label, parts)


def _step(span: float, most: int) -> float:
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120, 300):
        if span / step <= most:
            return float(step)
    return float(math.ceil(span / most))


# The diary figure's layout, in SVG units (it is drawn at the column's width).
DIARY_WIDTH, DIARY_LEFT, DIARY_RIGHT = 250.0, 22.0, 6.0
MARKS_TOP, EPISODES_TOP, EPISODES_HEIGHT = 2.0, 22.0, 44.0
JRS_HEIGHT, MEASURED_HEIGHT, PANEL_GAP = 26.0, 18.0, 13.0


def diary_figure(diary: DiarySection) -> Markup:
    """The diary's window: episodes a day, injections with their relief, JRS, measured spasms."""
    jrs = next((s for s in diary.ratings if s.scale == "jrs" and s.points), None)
    measured = [
        (m.date, sum(r for r in (m.spasms_per_min_left, m.spasms_per_min_right) if r is not None))
        for m in diary.measurements
        if m.spasms_per_min_left is not None or m.spasms_per_min_right is not None
    ]
    drawing = _DiaryDrawing(diary)
    parts = drawing.episodes()
    y = EPISODES_TOP + EPISODES_HEIGHT + PANEL_GAP
    if jrs is not None:
        parts += drawing.jrs(jrs, y)
        y += JRS_HEIGHT + PANEL_GAP
    if measured:
        parts += drawing.measured(measured, y)
        y += MEASURED_HEIGHT + PANEL_GAP
    bottom = y - PANEL_GAP
    parts += drawing.relief() + drawing.injections(bottom) + drawing.time_axis(bottom)
    label = f"Diary from {diary.start.isoformat()} to {diary.end.isoformat()}: {diary.text}"
    return _svg(DIARY_WIDTH, bottom + 10, label, parts)


class _DiaryDrawing:
    """SVG pieces on the diary window's time scale."""

    def __init__(self, diary: DiarySection) -> None:
        self.diary = diary
        self.left, self.right = DIARY_LEFT, DIARY_WIDTH - DIARY_RIGHT
        self.scale = (self.right - self.left) / ((diary.end - diary.start).days + 1)

    def x(self, date: dt.date) -> float:
        """The left edge of a date's day."""
        return self.left + (date - self.diary.start).days * self.scale

    def mid(self, date: dt.date) -> float:
        """The middle of a date's day."""
        return self.x(date) + self.scale / 2

    def inside(self, date: dt.date) -> bool:
        """Whether the date is in the window."""
        return self.diary.start <= date <= self.diary.end

    def episodes(self) -> list[str]:
        """Bars of episodes a day; a grey tick under each day with nothing recorded."""
        counts = [d.episodes for d in self.diary.days if d.episodes is not None]
        ticks = _ticks(max(counts, default=0))
        parts = _y_axis(self.left, self.right, EPISODES_TOP, EPISODES_HEIGHT, ticks)
        parts.append(_text(self.left, EPISODES_TOP - 4, "Episodes a day", size=6.5, fill=INK))
        base = EPISODES_TOP + EPISODES_HEIGHT
        # One path for all the bars and one for the gaps: WeasyPrint draws element by element.
        bars, gaps = [], []
        width = max(self.scale - 0.3, 0.3)
        for day in self.diary.days:
            if day.episodes is None:
                gaps.append(f"M{self.x(day.date):.2f},{base + 1:.1f}h{self.scale:.2f}")
            elif day.episodes:
                h = EPISODES_HEIGHT * day.episodes / ticks[-1]
                left = self.x(day.date) + 0.15
                bars.append(f"M{left:.2f},{base:.2f}v{-h:.2f}h{width:.2f}v{h:.2f}z")
        if bars:
            parts.append(f'<path d="{"".join(bars)}" fill="{ACCENT}"/>')
        if gaps:
            parts.append(
                f'<path d="{"".join(gaps)}" stroke="#b8bfc7" stroke-width="0.8" fill="none"/>'
            )
        return parts

    def jrs(self, jrs: RatingSeries, top: float) -> list[str]:
        """The Jankovic totals: a line through dots, a clinically important change by shape."""
        maximum = jrs.maximum or 8.0
        parts = _y_axis(self.left, self.right, top, JRS_HEIGHT, [0.0, maximum / 2, maximum])
        title = f"JRS total, 0–{maximum:g} (lower is better)"
        parts.append(_text(self.left, top - 4, title, size=6.5, fill=INK))
        points = [
            (self.mid(p.date), top + JRS_HEIGHT * (1 - min(p.score, maximum) / maximum), p)
            for p in jrs.points
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{RATING}" stroke-width="0.9"/>'
            )
        for px, py, point in points:
            if point.important in ("better", "worse"):
                tip = 2.6 if point.important == "better" else -2.6  # down is better
                colour = BETTER if point.important == "better" else WORSE
                parts.append(
                    f'<path d="M{px - 2.6:.1f},{py - tip * 0.6:.1f} L{px + 2.6:.1f},'
                    f'{py - tip * 0.6:.1f} L{px:.1f},{py + tip:.1f} Z" fill="{colour}"/>'
                )
            else:
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="1.7" fill="{RATING}"/>')
            parts.append(_text(px + 3, py - 2, f"{point.score:g}", size=6, fill=RATING))
        return parts

    def measured(self, measured: Sequence[tuple[dt.date, float]], top: float) -> list[str]:
        """Spasms a minute from kept video measurements, as squares."""
        ticks = _ticks(max(rate for _, rate in measured))
        parts = _y_axis(self.left, self.right, top, MEASURED_HEIGHT, [ticks[0], ticks[-1]])
        title = "Spasms a minute, measured by video"
        parts.append(_text(self.left, top - 4, title, size=6.5, fill=INK))
        for date, rate in measured:
            px, py = self.mid(date), top + MEASURED_HEIGHT * (1 - rate / ticks[-1])
            parts.append(
                f'<rect x="{px - 2:.1f}" y="{py - 2:.1f}" width="4" height="4" fill="{WORSE}"/>'
            )
        return parts

    def relief(self) -> list[str]:
        """Each injection's relief as the cycles estimate it: a band to its wear-off."""
        parts = []
        diary, band_y = self.diary, MARKS_TOP + 8
        for cycle in diary.cycles:
            end = cycle.wear_off
            if end is None and cycle.wear_off_status == "still working":
                end = min(diary.end, cycle.next_due or diary.end)
            if end is None or end < diary.start or cycle.injection > diary.end:
                continue
            x1 = max(self.mid(max(cycle.injection, diary.start)), self.left)
            x2 = min(self.mid(min(end, diary.end)), self.right)
            if x2 > x1:
                parts.append(
                    f'<rect x="{x1:.1f}" y="{band_y}" width="{x2 - x1:.1f}" height="3" '
                    f'fill="{RELIEF}"/>'
                )
            if cycle.wear_off is not None and self.inside(cycle.wear_off):
                px = self.mid(cycle.wear_off)
                parts.append(
                    f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{band_y - 1.5}" y2="{band_y + 4.5}" '
                    f'stroke="{RELIEF}" stroke-width="1.2"/>'
                )
        return parts

    def injections(self, bottom: float) -> list[str]:
        """A triangle and a line down for each injection; an open triangle for the next due."""
        parts = []
        for injection in self.diary.injections:
            px = self.mid(injection.date)
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{MARKS_TOP + 7}" y2="{bottom}" '
                f'stroke="{INJECTION}" stroke-width="0.7" stroke-dasharray="2 1.5"/>'
                + _triangle(px, f'fill="{INJECTION}"')
            )
        due = self.diary.cycles[-1].next_due if self.diary.cycles else None
        if due is not None and self.inside(due):
            parts.append(
                _triangle(self.mid(due), f'fill="none" stroke="{INJECTION}" stroke-width="0.8"')
            )
        return parts

    def time_axis(self, bottom: float) -> list[str]:
        """The axis under the lowest panel, the first of each month labelled."""
        parts = [
            f'<line x1="{self.left}" x2="{self.right}" y1="{bottom}" y2="{bottom}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
        ]
        for date in _month_starts(self.diary.start, self.diary.end):
            px = self.x(date)
            parts.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{bottom}" y2="{bottom + 2}" '
                f'stroke="{MUTED}" stroke-width="0.5"/>'
            )
            month = SHORT_MONTHS[date.month - 1]
            parts.append(_text(px, bottom + 8, f"1 {month}", anchor="middle", size=6))
        return parts


def _triangle(px: float, paint: str) -> str:
    return (
        f'<path d="M{px - 3.5:.1f},{MARKS_TOP} L{px + 3.5:.1f},{MARKS_TOP} '
        f'L{px:.1f},{MARKS_TOP + 6.5} Z" {paint}/>'
    )


def _ticks(maximum: float) -> list[float]:
    """0 and two or three round steps up to at least `maximum`."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / 3
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    count = math.ceil(maximum / step)
    return [step * n for n in range(count + 1)]


def _y_axis(
    left: float, right: float, top: float, height: float, ticks: Sequence[float]
) -> list[str]:
    parts = []
    high = ticks[-1] or 1.0
    for tick in ticks:
        ty = top + height * (1 - tick / high)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GRID}" '
            'stroke-width="0.4"/>'
        )
        parts.append(_text(left - 2, ty + 2, f"{tick:g}", anchor="end", size=6))
    return parts


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    first = dt.date(start.year, start.month, 1)
    dates = []
    while first <= end:
        if first >= start:
            dates.append(first)
        first = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return dates
