"""The Jankovic Rating Scale over time as a small SVG, drawn on the server.

Totals (0-8, lower is better) as points joined by a line, each botulinum toxin injection as a
vertical dashed line, and after each injection that had a rating in the two weeks before it, the
score a clinically important improvement reaches (the rating before, less the scale's minimal
clinically important change: 2 points, Jankovic 2009) as a dashed horizontal line until the next
injection. The page's legend names each mark; the SVG's title and description say the same in
words for a screen reader.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from markupsafe import Markup

from facespasm.diary.ratings import RatingTrend
from facespasm.diary.wording import short_date

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 14, 36


def trend_chart(trend: RatingTrend, *, chart_id: str = "jrs-chart") -> Markup | None:
    """The trend as an inline SVG (None: no rating to draw).

    Args:
        trend: A scale's trend (`rating_trend`).
        chart_id: The id the SVG's title and description are named from.

    Returns:
        The SVG markup, safe to insert in a page.
    """
    if not trend.points:
        return None
    dates = [p.date for p in trend.points] + [e.injection for e in trend.injections]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    top = trend.maximum

    def x(date: dt.date) -> float:
        return round(LEFT + (date - first).days / span * (WIDTH - LEFT - RIGHT), 1)

    def y(score: float) -> float:
        return round(TOP + (1 - score / top) * (HEIGHT - TOP - BOTTOM), 1)

    parts: list[str] = []
    step = 2 if top >= 4 else 1
    for tick in range(0, int(top) + 1, step):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>'
        )
    days = sorted({first, first + (last - first) / 2, last}) if span > 1 else [first]
    for index, day in enumerate(days):
        anchor = "start" if index == 0 else "end" if day == last else "middle"
        parts.append(
            f'<text class="tick" x="{x(day)}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="{anchor}">{short_date(day)}</text>'
        )
    for k, effect in enumerate(trend.injections):
        if not first <= effect.injection <= last:
            continue
        parts.append(
            f'<line class="injection" x1="{x(effect.injection)}" x2="{x(effect.injection)}" '
            f'y1="{TOP}" y2="{HEIGHT - BOTTOM}"><title>Injection on '
            f"{short_date(effect.injection)}</title></line>"
        )
        if effect.threshold is not None and effect.threshold >= 0:
            following = trend.injections[k + 1].injection if k + 1 < len(trend.injections) else last
            end = max(x(following), x(effect.injection) + 8)
            parts.append(
                f'<line class="threshold" x1="{x(effect.injection)}" x2="{end}" '
                f'y1="{y(effect.threshold)}" y2="{y(effect.threshold)}"><title>A clinically '
                f"important improvement after this injection: {effect.threshold:g} or lower"
                "</title></line>"
            )
    line = " ".join(f"{x(p.date)},{y(p.score)}" for p in trend.points)
    parts.append(f'<polyline class="scores" points="{line}"/>')
    for point in trend.points:
        mark = f" ({point.important})" if point.important else ""
        parts.append(
            f'<circle class="score {point.important or ""}" cx="{x(point.date)}" '
            f'cy="{y(point.score)}" r="4"><title>{short_date(point.date)}: {point.score:g}{mark}'
            "</title></circle>"
        )
    summary = _summary(trend)
    return Markup(
        f'<svg class="rating-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(trend.name)} totals over time</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
        f'<text class="axis" x="4" y="{TOP - 2}">0–{top:g}</text>' + "".join(parts) + "</svg>"
    )


def _summary(trend: RatingTrend) -> str:
    first, last = trend.points[0], trend.points[-1]
    said = [
        f"{len(trend.points)} ratings from {short_date(first.date)} ({first.score:g}) to "
        f"{short_date(last.date)} ({last.score:g}), lower is better."
    ]
    for effect in trend.injections:
        if effect.before is None or effect.best is None:
            said.append(f"Injection on {short_date(effect.injection)}.")
            continue
        marked = f", {effect.important}" if effect.important else ""
        said.append(
            f"Injection on {short_date(effect.injection)}: {effect.before:g} before, best "
            f"{effect.best:g} after{marked}."
        )
    return " ".join(said)
