"""The diary's history chart, drawn here as SVG: episodes, injections, wear-off, ratings, measured.

A pure function from the person's records to an HTML fragment (range links, the SVG, a legend and
a summary sentence that is also the chart's text alternative), so the page shows it on first
paint and the display rules live once, in Python, like the report's (`report/html.py`).

Decisions:
- **Ranges**: the last 30 days and the last 6 months one bar a day; the whole diary one bar a day
  up to 6 months, a week beyond, four weeks beyond 5 years -- so 3 years of daily data is 157
  bars, and the fragment stays small whatever the diary's length. A bar over several days is the
  average per *recorded* day (a day without an episode count is not a day without episodes).
- **Injections** (botulinum toxin only) are marked at the top with a line down through every
  panel; each one's relief is a band from the injection to its wear-off as `toxin_cycles`
  estimates it, with the 90% interval as whiskers, to the end of the range while it "still
  works"; the person's own "wearing off" date is a separate marker.
- **Ratings**: the Jankovic Rating Scale total (0-8), where a change of 2 points is clinically
  meaningful (Jankovic et al. 2009, Mov Disord 24:407; `diary/data/ratings.yaml`); the in-house
  impact rating is not charted here (it is on the ratings page, labelled as not validated).
- **Measurements**: spasms per minute of face in view, both sides together, from kept video
  analyses (`diary/measurements.py`).
- Colour is never the only cue: every series has its own shape and a legend entry; no inline
  style attributes (the CSP forbids them): classes in style.css.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal, get_args

from facespasm.diary.cycles import Cycle
from facespasm.diary.records import Day, Measurement, Rating, Treatment
from facespasm.diary.reviewed import load_diary_knowledge
from facespasm.diary.wording import SHORT_MONTHS, short_date

Range = Literal["30d", "6m", "all"]
RANGES: tuple[Range, ...] = get_args(Range)
RANGE_NAMES: dict[Range, str] = {"30d": "30 days", "6m": "6 months", "all": "All"}
RANGE_DAYS: dict[Range, int] = {"30d": 30, "6m": 183}
# The Jankovic Rating Scale's range and clinically important change, and the typical interval
# after which a band for an injection still working (without a due date) stops, are reviewed
# data (diary/data/ratings.yaml, cycles.yaml), not constants of the picture.
_JRS = load_diary_knowledge().ratings.scale("jrs")
JRS_MAXIMUM = int(_JRS.maximum)
JRS_IMPORTANT_CHANGE = _JRS.minimal_important_change
TYPICAL_WEEKS = load_diary_knowledge().cycles.next_due.typical_interval_weeks

# Layout, in SVG user units (the picture scales to the page's width).
WIDTH = 420
LEFT, RIGHT = 36, 10
TITLE_Y = 12
MARKER_TOP, MARKER_HEIGHT = 18, 12
EPISODES_TOP, EPISODES_HEIGHT = 44, 120
PANEL_GAP = 26
RATINGS_HEIGHT = 60
MEASURED_HEIGHT = 60
AXIS_LABELS = 18


@dataclass(frozen=True, slots=True)
class Bin:
    """One bar: `days` calendar days from `start`, their episodes and how many were recorded."""

    start: dt.date
    days: int
    episodes: int
    recorded: int

    @property
    def value(self) -> float | None:
        """Episodes that day, or a day on average over the recorded days (None: none recorded)."""
        if not self.recorded:
            return None
        return float(self.episodes) if self.days == 1 else self.episodes / self.recorded


@dataclass(frozen=True, slots=True)
class Window:
    """The dates a range shows, and the bar width in days."""

    start: dt.date
    end: dt.date
    bin_days: int

    @property
    def span(self) -> int:
        """Days shown, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, date: dt.date) -> bool:
        """Whether the date is shown."""
        return self.start <= date <= self.end


def parse_range(value: str | None) -> Range:
    """A range named in a request; anything else is the last 30 days."""
    for name in RANGES:
        if value == name:
            return name
    return "30d"


def window(
    chosen: Range,
    today: dt.date,
    days: Sequence[Day] = (),
    treatments: Sequence[Treatment] = (),
    ratings: Sequence[Rating] = (),
    measurements: Sequence[Measurement] = (),
) -> Window:
    """The dates a range shows: the last 30 days, 6 months, or everything in the diary."""
    if chosen != "all":
        return Window(today - dt.timedelta(days=RANGE_DAYS[chosen] - 1), today, 1)
    dates = [
        *(d.date for d in days if d.episodes is not None),
        *(t.date for t in treatments if t.kind == "botulinum_toxin"),
        *(r.date for r in ratings),
        *(m.local_date for m in measurements),
    ]
    start = min([*dates, today - dt.timedelta(days=RANGE_DAYS["30d"] - 1)])
    end = max([*dates, today])
    span = (end - start).days + 1
    if span <= RANGE_DAYS["6m"]:
        return Window(start, end, 1)
    bin_days = 7 if span <= 5 * 366 else 28
    start -= dt.timedelta(days=start.weekday())  # weeks from Monday
    return Window(start, end, bin_days)


def bins(days: Sequence[Day], shown: Window) -> list[Bin]:
    """The episode counts of the range, `shown.bin_days` days to a bar, oldest first."""
    count = math.ceil(shown.span / shown.bin_days)
    episodes = [0] * count
    recorded = [0] * count
    for day in days:
        if day.episodes is None or not shown.contains(day.date):
            continue
        k = (day.date - shown.start).days // shown.bin_days
        episodes[k] += day.episodes
        recorded[k] += 1
    return [
        Bin(
            shown.start + dt.timedelta(days=k * shown.bin_days),
            min(shown.bin_days, shown.span - k * shown.bin_days),
            episodes[k],
            recorded[k],
        )
        for k in range(count)
    ]


def nice_ticks(maximum: float, most: int = 4) -> list[float]:
    """Round axis values from 0 to at least `maximum`: 0, 2, 4 ... at most `most` + 1 of them."""
    top = max(maximum, 1.0)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= most:
            return [float(step * k) for k in range(math.ceil(top / step - 1e-9) + 1)]
    step = 10 ** math.ceil(math.log10(top / most))
    return [float(step * k) for k in range(math.ceil(top / step) + 1)]


def date_ticks(shown: Window, most: int = 5) -> list[tuple[dt.date, str]]:
    """Dates to label on the time axis, at most `most`, each with its readable label."""
    if shown.span <= 45:
        step = 7
        first = shown.end - dt.timedelta(days=step * ((shown.span - 1) // step))
        days = [first + dt.timedelta(days=step * k) for k in range((shown.span - 1) // step + 1)]
        return [(d, f"{d.day} {SHORT_MONTHS[d.month - 1]}") for d in days]
    for months in (1, 2, 3, 6, 12, 24, 60):
        firsts = _month_starts(shown, months)
        if len(firsts) <= most:
            break
    if months >= 12:
        return [(d, str(d.year)) for d in firsts]
    labelled = []
    for k, d in enumerate(firsts):
        year = k == 0 or d.month <= months
        month = SHORT_MONTHS[d.month - 1]
        labelled.append((d, f"{month} {d.year}" if year else month))
    return labelled


def _month_starts(shown: Window, months: int) -> list[dt.date]:
    found: list[dt.date] = []
    year, month = shown.start.year, shown.start.month
    while True:
        first = dt.date(year, month, 1)
        if first > shown.end:
            return found
        if first >= shown.start and (year * 12 + month - 1) % months == 0:
            found.append(first)
        month += 1
        if month > 12:
            year, month = year + 1, 1


def history_chart(
    *,
    chosen: Range,
    today: dt.date,
    days: Sequence[Day],
    treatments: Sequence[Treatment] = (),
    cycles: Sequence[Cycle] = (),
    ratings: Sequence[Rating] = (),
    measurements: Sequence[Measurement] = (),
    page: str = "/diary",
) -> str:
    """The history as an HTML fragment: range links, the chart, its legend and its summary.

    Args:
        chosen: the range shown ("30d", "6m" or "all").
        today: the last day of the 30-day and 6-month ranges.
        days: the diary's days (their episode counts: counted, else logged).
        treatments: the treatments; botulinum toxin injections are marked.
        cycles: `toxin_cycles(days, treatments)`: each injection's estimated wear-off.
        ratings: the ratings; the Jankovic Rating Scale's are charted.
        measurements: kept video measurements.
        page: the page the range links open (a clinician's view of a patient: theirs).

    Returns:
        HTML text, safe to insert (every value is escaped).
    """
    shown = window(chosen, today, days, treatments, ratings, measurements)
    drawn = _Drawing(shown)
    bars = bins(days, shown)
    jrs = sorted((r for r in ratings if r.scale == "jrs" and shown.contains(r.date)), key=_date)
    measured = [
        (m.local_date, rate)
        for m in sorted(measurements, key=lambda m: m.measured_at)
        if shown.contains(m.local_date) and (rate := _spasm_rate(m)) is not None
    ]
    injections = sorted(
        (t for t in treatments if t.kind == "botulinum_toxin" and shown.contains(t.date)),
        key=_date,
    )
    in_view = [c for c in cycles if _cycle_in_view(c, shown)]
    reported = sorted(
        {
            t.reported_wear_off
            for t in treatments
            if t.kind == "botulinum_toxin"
            and t.reported_wear_off is not None
            and shown.contains(t.reported_wear_off)
        }
    )

    y = EPISODES_TOP + EPISODES_HEIGHT + PANEL_GAP
    panels: list[tuple[str, int, int]] = []
    if jrs:
        panels.append(("ratings", y, RATINGS_HEIGHT))
        y += RATINGS_HEIGHT + PANEL_GAP
    if measured:
        panels.append(("measured", y, MEASURED_HEIGHT))
        y += MEASURED_HEIGHT + PANEL_GAP
    bottom = y - PANEL_GAP
    height = bottom + AXIS_LABELS + 4

    parts: list[str] = []
    parts += drawn.episodes_panel(bars)
    for name, top, panel_height in panels:
        if name == "ratings":
            parts += drawn.ratings_panel(jrs, top, panel_height)
        else:
            parts += drawn.measured_panel(measured, top, panel_height)
    parts += drawn.time_axis(bottom)
    bands = drawn.relief(in_view)
    parts += bands
    parts += drawn.injections(injections, bottom)
    parts += drawn.reported(reported)

    summary = _summary(chosen, shown, bars, injections, in_view, jrs, measured)
    svg = (
        f'<svg class="history-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="history-summary" data-range="{chosen}" '
        f'data-bin-days="{shown.bin_days}">' + "".join(parts) + "</svg>"
    )
    return (
        _range_links(chosen, page)
        + f'<p id="history-summary" class="history-summary">{escape(summary)}</p>'
        + svg
        + _legend(bars, shown, bool(injections), bool(bands), bool(reported), jrs, measured)
    )


def _date(record: Rating | Treatment) -> dt.date:
    return record.date


def _spasm_rate(measurement: Measurement) -> float | None:
    sides = [
        r
        for r in (measurement.spasms_per_min_left, measurement.spasms_per_min_right)
        if r is not None
    ]
    return sum(sides) if sides else None


def _relief_end(cycle: Cycle, shown: Window) -> dt.date | None:
    """Where an injection's relief band ends (None: no band).

    Its wear-off; while it still works, today or its next due date, whichever is first; the next
    injection, if that came while it worked; otherwise the diary cannot say, and none is drawn.
    """
    if cycle.wear_off is not None:
        return cycle.wear_off
    if cycle.wear_off_status == "still working":
        due = cycle.next_due or cycle.injection + dt.timedelta(weeks=TYPICAL_WEEKS)
        return min(shown.end, due)
    if cycle.wear_off_status == "next injection came first":
        return cycle.next_injection
    return None


def _cycle_in_view(cycle: Cycle, shown: Window) -> bool:
    end = cycle.wear_off_high or _relief_end(cycle, shown)
    return end is not None and cycle.injection <= shown.end and end >= shown.start


def _range_links(chosen: Range, page: str = "/diary") -> str:
    current = ' aria-current="true"'
    links = "".join(
        f'<li><a class="range-link" href="{escape(page)}?range={name}#history-title" '
        f'data-range="{name}"{current if name == chosen else ""}>'
        f"{RANGE_NAMES[name]}</a></li>"
        for name in RANGES
    )
    return f'<nav class="history-ranges" aria-label="History range"><ul>{links}</ul></nav>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _summary(
    chosen: Range,
    shown: Window,
    bars: Sequence[Bin],
    injections: Sequence[Treatment],
    cycles: Sequence[Cycle],
    jrs: Sequence[Rating],
    measured: Sequence[tuple[dt.date, float]],
) -> str:
    total = sum(b.episodes for b in bars)
    recorded = sum(b.recorded for b in bars)
    when = (
        f"in the last {RANGE_NAMES[chosen]}"
        if chosen != "all"
        else f"from {short_date(shown.start)} to {short_date(shown.end)}"
    )
    text = f"{_plural(total, 'episode')} {when} ({_plural(recorded, 'day')} recorded)."
    if injections:
        dates = {t.date for t in injections}
        text += f" {_plural(len(dates), 'botulinum toxin injection')}"
        latest = max(dates)
        text += f", the latest on {short_date(latest)}"
        cycle = next((c for c in cycles if c.injection == latest), None)
        if cycle is not None and cycle.wear_off is not None:
            text += f", estimated to have worn off around {short_date(cycle.wear_off)}"
        elif cycle is not None and cycle.wear_off_status == "still working":
            text += ", still working as far as the diary shows"
        text += "."
    if jrs:
        last = jrs[-1]
        text += (
            f" {_plural(len(jrs), 'Jankovic rating')}, the latest {last.score:g} of "
            f"{JRS_MAXIMUM} on {short_date(last.date)}."
        )
    if measured:
        date, rate = measured[-1]
        text += (
            f" {_plural(len(measured), 'video measurement')}, the latest {rate:.1f} spasms a "
            f"minute on {short_date(date)}."
        )
    return text


def _legend(
    bars: Sequence[Bin],
    shown: Window,
    injections: bool,
    relief: bool,
    reported: bool,
    jrs: Sequence[Rating],
    measured: Sequence[tuple[dt.date, float]],
) -> str:
    what = "Episodes a day" if shown.bin_days == 1 else _average_label(shown)
    items = [("bar", what)]
    if injections:
        items.append(("injection", "Botulinum toxin injection"))
    if relief:
        items.append(("relief", "Relief until the estimated wear-off (whiskers: 90% interval)"))
    if reported:
        items.append(("reported", "Wearing off, as you reported it"))
    if jrs:
        items.append(
            (
                "rating",
                f"Jankovic Rating Scale total, 0–{JRS_MAXIMUM} (lower is better; a change of "
                f"{JRS_IMPORTANT_CHANGE:g} points is clinically meaningful)",
            )
        )
    if measured:
        items.append(("measured", "Spasms a minute, measured from your videos"))
    entries = "".join(
        f'<li><span class="key key-{kind}" aria-hidden="true"></span>{escape(text)}</li>'
        for kind, text in items
    )
    return f'<ul class="legend history-legend">{entries}</ul>'


def _average_label(shown: Window) -> str:
    return "Episodes a day, " + ("weekly" if shown.bin_days == 7 else "4-weekly") + " average"


class _Drawing:
    """SVG pieces on one window's time scale."""

    def __init__(self, shown: Window) -> None:
        self.shown = shown
        self.scale = (WIDTH - LEFT - RIGHT) / shown.span

    def x(self, date: dt.date) -> float:
        """The left edge of a date's day."""
        return LEFT + (date - self.shown.start).days * self.scale

    def mid(self, date: dt.date) -> float:
        """The middle of a date's day."""
        return self.x(date) + self.scale / 2

    def clamp(self, value: float) -> float:
        """An x kept inside the plot."""
        return min(max(value, LEFT), WIDTH - RIGHT)

    def y_axis(
        self, top: int, height: int, ticks: Sequence[float], label: str, title_y: int | None = None
    ) -> list[str]:
        """Gridlines and labels for a panel's vertical axis, and the panel's title."""
        title = top - 8 if title_y is None else title_y
        parts = [f'<text class="panel-title" x="{LEFT}" y="{title}">{escape(label)}</text>']
        high = ticks[-1] or 1.0
        for tick in ticks:
            ty = top + height * (1 - tick / high)
            parts.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
                f'<text class="tick" x="{LEFT - 5}" y="{ty + 4:.1f}" text-anchor="end">'
                f"{tick:g}</text>"
            )
        return parts

    def episodes_panel(self, bars: Sequence[Bin]) -> list[str]:
        """The bars: episodes a day, or a day on average."""
        values = [b.value for b in bars if b.value is not None]
        ticks = nice_ticks(max(values, default=0.0))
        label = "Episodes a day" if self.shown.bin_days == 1 else _average_label(self.shown)
        parts = self.y_axis(EPISODES_TOP, EPISODES_HEIGHT, ticks, label, TITLE_Y)
        base = EPISODES_TOP + EPISODES_HEIGHT
        for b in bars:
            value = b.value
            if not value:
                continue
            h = EPISODES_HEIGHT * value / ticks[-1]
            gap = min(1.0, self.scale * b.days * 0.2)
            width = max(self.scale * b.days - gap, 0.5)
            if b.days == 1:
                what = f"{short_date(b.start)}: {_plural(b.episodes, 'episode')}"
            else:
                last = b.start + dt.timedelta(days=b.days - 1)
                what = (
                    f"{short_date(b.start)} to {short_date(last)}: {value:.1f} episodes a day "
                    f"({_plural(b.recorded, 'day')} recorded)"
                )
            parts.append(
                f'<rect class="bar-rect" x="{self.x(b.start) + gap / 2:.2f}" y="{base - h:.2f}" '
                f'width="{width:.2f}" height="{h:.2f}" data-date="{b.start.isoformat()}">'
                f"<title>{escape(what)}</title></rect>"
            )
        return parts

    def ratings_panel(self, jrs: Sequence[Rating], top: int, height: int) -> list[str]:
        """The Jankovic Rating Scale totals, a line through dots."""
        parts = self.y_axis(
            top, height, [0.0, 4.0, float(JRS_MAXIMUM)], f"Jankovic rating (0–{JRS_MAXIMUM})"
        )
        points = [
            (self.mid(r.date), top + height * (1 - min(r.score, JRS_MAXIMUM) / JRS_MAXIMUM), r)
            for r in jrs
        ]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
        parts.append(f'<polyline class="rating-line" points="{path}"/>')
        for px, py, r in points:
            parts.append(
                f'<circle class="rating-dot" cx="{px:.1f}" cy="{py:.1f}" r="2.2">'
                f"<title>{short_date(r.date)}: Jankovic rating {r.score:g} of {JRS_MAXIMUM}</title>"
                "</circle>"
            )
        return parts

    def measured_panel(
        self, measured: Sequence[tuple[dt.date, float]], top: int, height: int
    ) -> list[str]:
        """Measured spasms a minute, as squares."""
        ticks = nice_ticks(max(rate for _, rate in measured), most=2)
        parts = self.y_axis(top, height, ticks, "Spasms a minute (video)")
        for date, rate in measured:
            px = self.mid(date)
            py = top + height * (1 - rate / ticks[-1])
            parts.append(
                f'<rect class="measured-dot" x="{px - 2.5:.1f}" y="{py - 2.5:.1f}" width="5" '
                f'height="5"><title>{short_date(date)}: {rate:.1f} spasms a minute measured</title>'
                "</rect>"
            )
        return parts

    def time_axis(self, bottom: int) -> list[str]:
        """The time axis under the lowest panel, with readable dates."""
        parts = [
            f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>'
        ]
        for date, label in date_ticks(self.shown):
            tx = self.mid(date) if self.shown.bin_days == 1 else self.x(date)
            anchor = "middle"
            if tx < LEFT + 20:
                anchor = "start"
            elif tx > WIDTH - RIGHT - 20:
                anchor = "end"
            parts.append(
                f'<line class="axis" x1="{tx:.1f}" x2="{tx:.1f}" y1="{bottom}" y2="{bottom + 4}"/>'
                f'<text class="tick" x="{tx:.1f}" y="{bottom + 15}" text-anchor="{anchor}">'
                f"{label}</text>"
            )
        return parts

    def relief(self, cycles: Sequence[Cycle]) -> list[str]:
        """Each injection's relief, to its estimated wear-off, with the interval as whiskers."""
        parts = []
        y = MARKER_TOP + MARKER_HEIGHT + 3
        for cycle in cycles:
            end = _relief_end(cycle, self.shown)
            if end is None:
                continue
            x1 = self.clamp(self.mid(cycle.injection))
            x2 = self.clamp(self.mid(end))
            if x2 <= x1:
                continue
            what = f"Injection on {short_date(cycle.injection)}: "
            if cycle.wear_off is not None:
                what += f"estimated to have worn off around {short_date(cycle.wear_off)}"
                if cycle.wear_off_low and cycle.wear_off_high:
                    low, high = short_date(cycle.wear_off_low), short_date(cycle.wear_off_high)
                    what += f" (90% interval {low} to {high})"
            elif cycle.wear_off_status == "still working":
                what += "still working as far as the diary shows"
            else:
                what += "the next injection came while it was still working"
            parts.append(
                f'<rect class="relief-band" x="{x1:.1f}" y="{y}" width="{x2 - x1:.1f}" '
                f'height="4"><title>{escape(what)}</title></rect>'
            )
            if cycle.wear_off is not None and cycle.wear_off_low and cycle.wear_off_high:
                lo = self.clamp(self.mid(cycle.wear_off_low))
                hi = self.clamp(self.mid(cycle.wear_off_high))
                parts.append(
                    f'<line class="wear-off-interval" x1="{lo:.1f}" x2="{hi:.1f}" '
                    f'y1="{y + 2}" y2="{y + 2}"/>'
                    f'<line class="wear-off-interval" x1="{lo:.1f}" x2="{lo:.1f}" y1="{y - 1}" '
                    f'y2="{y + 5}"/><line class="wear-off-interval" x1="{hi:.1f}" '
                    f'x2="{hi:.1f}" y1="{y - 1}" y2="{y + 5}"/>'
                )
        return parts

    def injections(self, injections: Sequence[Treatment], bottom: int) -> list[str]:
        """A triangle at the top and a line down through the panels for each injection date."""
        parts = []
        by_date: dict[dt.date, list[Treatment]] = {}
        for t in injections:
            by_date.setdefault(t.date, []).append(t)
        for date, session in by_date.items():
            px = self.mid(date)
            doses = [t.dose_units for t in session]
            dose = f", {sum(d for d in doses if d is not None):g} units" if any(doses) else ""
            names = sorted({t.name for t in session if t.name})
            product = f", {', '.join(names)}" if names else ""
            what = f"Botulinum toxin injection on {short_date(date)}{dose}{product}"
            top = MARKER_TOP
            parts.append(
                f'<line class="injection-line" x1="{px:.1f}" x2="{px:.1f}" '
                f'y1="{top + MARKER_HEIGHT}" y2="{bottom}"/>'
                f'<path class="injection-mark" d="M{px - 5:.1f},{top} L{px + 5:.1f},{top} '
                f'L{px:.1f},{top + 9} Z" data-date="{date.isoformat()}">'
                f"<title>{escape(what)}</title></path>"
            )
        return parts

    def reported(self, dates: Sequence[dt.date]) -> list[str]:
        """The person's own "wearing off" dates, as diamonds."""
        y = MARKER_TOP + 5
        return [
            f'<path class="reported-mark" d="M{px:.1f},{y - 5} L{px + 4:.1f},{y} L{px:.1f},'
            f'{y + 5} L{px - 4:.1f},{y} Z"><title>You reported it wearing off on '
            f"{short_date(date)}</title></path>"
            for date in dates
            for px in (self.mid(date),)
        ]
