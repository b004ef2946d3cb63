"""Pictures of the diary: episodes over time, and the trigger analysis as a forest plot.

matplotlib is imported inside the functions (it costs a few hundred milliseconds, and most
commands draw nothing), and figures are drawn on their own `Figure` with the Agg renderer, never
through pyplot, so nothing global (the backend, open figures) is touched and plots can be drawn
from any thread.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from facespasm.diary.bounds import analysable, date_problem
from facespasm.diary.records import FACTORS, Day, Measurement, Rating, Treatment
from facespasm.diary.triggers import PREVIOUS_DAY, TriggerReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from facespasm.diary.cycles import Cycle

_FACTOR_LABELS = {
    "sleep_hours": "sleep (h)",
    "caffeine_drinks": "caffeine",
    "alcohol_drinks": "alcohol",
    "stress_0_10": "stress",
    "screen_hours": "screen (h)",
    "nicotine": "nicotine",
}
_TREATMENT_STYLE = {
    "botulinum_toxin": ("tab:red", "-", "botulinum toxin"),
    "medication": ("tab:purple", ":", "medication"),
    "microvascular_decompression": ("black", "--", "MVD surgery"),
}


def plot_history(
    days: Sequence[Day],
    treatments: Sequence[Treatment],
    path: str | os.PathLike[str],
    *,
    cycles: Sequence[Cycle] | None = None,
    ratings: Sequence[Rating] = (),
    measurements: Sequence[Measurement] = (),
) -> Path:
    """Write the history chart (`history_figure`) as a PNG.

    Returns:
        The path written.
    """
    return _save(
        history_figure(days, treatments, cycles=cycles, ratings=ratings, measurements=measurements),
        path,
    )


def history_figure(
    days: Sequence[Day],
    treatments: Sequence[Treatment],
    *,
    cycles: Sequence[Cycle] | None = None,
    ratings: Sequence[Rating] = (),
    measurements: Sequence[Measurement] = (),
) -> Figure:
    """The history chart: twitches a day, treatments, wear-offs, ratings and measurements.

    The top panel has the daily twitches, each treatment as a line and each injection's
    estimated wear-off (dashed) with its 90% range (shaded); below come a panel of Jankovic
    Rating Scale totals, one of kept video measurements and one per recorded factor, where the
    diary has them. Treatments and wear-offs are marked on every panel.

    Args:
        days: the diary, in any order.
        treatments: treatments to mark (vertical lines on every panel).
        cycles: the toxin cycles whose wear-offs to mark (None: worked out from days and
            treatments by `toxin_cycles`).
        ratings: rated scales; the JRS totals (0-8) are drawn.
        measurements: kept video analyses; spasms a minute on each side are drawn.

    Returns:
        The figure (not yet written anywhere).
    """
    from matplotlib.figure import Figure

    usable = analysable(days, treatments)  # matplotlib's dates end at 9999: leave odd ones out
    days, treatments = usable.days, usable.treatments
    if cycles is None:
        from facespasm.diary.cycles import toxin_cycles

        cycles = toxin_cycles(days, treatments)
    jrs = sorted((r for r in ratings if r.scale == "jrs" and date_problem(r.date) is None),
                 key=lambda r: r.date)  # fmt: skip
    measured = sorted(
        (m for m in measurements if date_problem(m.local_date) is None and _spasm_rates(m)),
        key=lambda m: m.local_date,
    )
    span = [
        *(d.date for d in days),
        *(t.date for t in treatments),
        *(r.date for r in jrs),
        *(m.local_date for m in measured),
    ]
    ordered = sorted(days, key=lambda d: d.date)
    recorded = [f for f in FACTORS if any(getattr(d, f) is not None for d in ordered)]
    panels = ["twitches"] + ["jrs"] * bool(jrs) + ["video"] * bool(measured) + recorded
    heights = [3.0] + [1.4 if p in ("jrs", "video") else 1.0 for p in panels[1:]]
    fig = Figure(figsize=(10, 3 + 1.1 * (len(panels) - 1)), layout="constrained")
    axes = fig.subplots(len(heights), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
    by_panel = dict(zip(panels, axes, strict=False))
    top = axes[0]
    with_counts = [d for d in ordered if d.episodes is not None]
    top.bar(
        [d.date for d in with_counts],
        [d.episodes or 0 for d in with_counts],
        width=1.0,
        color="tab:blue",
        label="twitches a day",
    )
    top.set_ylabel("twitches a day")
    top.set_title("Twitch diary")
    if not ordered:
        top.text(
            0.5, 0.5, "No diary entries yet", ha="center", va="center", transform=top.transAxes
        )
    if jrs:
        _draw_jrs(by_panel["jrs"], jrs)
    if measured:
        _draw_measurements(by_panel["video"], measured)
    for factor in recorded:
        ax = by_panel[factor]
        dates = [d.date for d in ordered]
        values = [_as_float(getattr(d, factor)) for d in ordered]
        ax.plot(dates, values, marker=".", markersize=3, linewidth=0.8, color="tab:gray")
        ax.set_ylabel(_FACTOR_LABELS[factor], rotation=0, ha="right", va="center")
    seen: set[str] = set()
    for treatment in treatments:
        colour, style, label = _TREATMENT_STYLE.get(treatment.kind, ("black", "--", "treatment"))
        for ax in axes:
            ax.axvline(
                treatment.date,
                color=colour,
                linestyle=style,
                linewidth=1.2,
                label=label if ax is top and label not in seen else None,
            )
        seen.add(label)
    _draw_wear_offs(list(axes), cycles)
    if span:
        # A margin of a day keeps a one-day diary from giving matplotlib an empty range.
        top.set_xlim(min(span) - dt.timedelta(days=1), max(span) + dt.timedelta(days=1))
    axes[-1].tick_params(axis="x", labelrotation=30)
    if with_counts or treatments:
        top.legend(loc="upper left", fontsize="small")
    return fig


def _draw_jrs(ax: Axes, ratings: Sequence[Rating]) -> None:
    """JRS totals on their 0-8 scale."""
    ax.plot([_x(r.date) for r in ratings], [r.score for r in ratings], marker="o", markersize=4,
            linewidth=1.0, color="tab:green", label="JRS total")  # fmt: skip
    ax.set_ylim(-0.5, 8.5)
    ax.set_yticks([0, 2, 4, 6, 8])
    ax.set_ylabel("Jankovic Rating\nScale total (0–8)", rotation=0, ha="right", va="center")


def _draw_measurements(ax: Axes, measurements: Sequence[Measurement]) -> None:
    """Spasms a minute on each side, from kept video analyses."""
    for side, attribute, marker in (
        ("left side", "spasms_per_min_left", "o"),
        ("right side", "spasms_per_min_right", "s"),
    ):
        points = [(m.local_date, getattr(m, attribute)) for m in measurements]
        points = [(date, value) for date, value in points if value is not None]
        if points:
            ax.plot([_x(p[0]) for p in points], [p[1] for p in points], marker=marker,
                    markersize=4, linewidth=1.0, label=f"{side} (video)")  # fmt: skip
    highest = max(
        value
        for m in measurements
        for value in (m.spasms_per_min_left, m.spasms_per_min_right)
        if value is not None
    )
    ax.set_ylim(0, max(highest, 0.1) * 1.25)
    ax.set_ylabel("spasms a minute\n(video)", rotation=0, ha="right", va="center")
    ax.legend(loc="upper left", fontsize="small")


def _draw_wear_offs(axes: Sequence[Axes], cycles: Sequence[Cycle]) -> None:
    """Each estimated wear-off as a dashed line on every panel, its 90% range shaded."""
    labelled = False
    for cycle in cycles:
        if cycle.wear_off is None:
            continue
        for ax in axes:
            first = ax is axes[0] and not labelled
            if cycle.wear_off_low is not None and cycle.wear_off_high is not None:
                ax.axvspan(
                    _x(cycle.wear_off_low),
                    _x(cycle.wear_off_high + dt.timedelta(days=1)),
                    color="tab:orange",
                    alpha=0.2,
                    linewidth=0,
                    label="wear-off, 90% range" if first else None,
                )
            ax.axvline(_x(cycle.wear_off), color="tab:orange", linestyle="--", linewidth=1.2,
                       label="injection wore off (estimate)" if first else None)  # fmt: skip
        labelled = True


def _x(date: dt.date) -> float:
    """A date as matplotlib's x coordinate (days since its epoch)."""
    from matplotlib.dates import date2num

    return float(date2num(date))  # type: ignore[no-untyped-call]


def _spasm_rates(measurement: Measurement) -> bool:
    return (
        measurement.spasms_per_min_left is not None or measurement.spasms_per_min_right is not None
    )


def plot_triggers(report: TriggerReport, path: str | os.PathLike[str]) -> Path:
    """Write the forest plot of the trigger analysis (`triggers_figure`) as a PNG.

    Returns:
        The path written.
    """
    return _save(triggers_figure(report), path)


def triggers_figure(report: TriggerReport) -> Figure:
    """The rate ratios with their intervals as a forest plot (log scale, 1 marked).

    Factors are named as people say them ("sleep (h)"), not by their CSV columns; the log axis
    is labelled in plain numbers (0.5, 1, 2, 5), not powers of ten.

    Args:
        report: the trigger analysis; without estimates, the plot shows why.

    Returns:
        The figure (not yet written anywhere).
    """
    from matplotlib.figure import Figure

    effects = report.factors
    fig = Figure(figsize=(8, 1.5 + 0.4 * max(len(effects), 2)), layout="constrained")
    ax = fig.subplots()
    if not effects:
        reason = report.notes[0] if report.notes else "No estimates."
        ax.text(0.5, 0.5, _wrap(reason), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    rows = list(range(len(effects)))[::-1]
    for row, effect in zip(rows, effects, strict=True):
        colour = "tab:red" if effect.significant else "tab:gray"
        ax.errorbar(
            [effect.rate_ratio],
            [row],
            xerr=[[effect.rate_ratio - effect.ci_low], [effect.ci_high - effect.rate_ratio]],
            fmt="o",
            color=colour,
            capsize=3,
        )
    ax.axvline(1.0, color="black", linewidth=0.8)
    low = min([e.ci_low for e in effects] + [1.0]) / 1.25
    high = max([e.ci_high for e in effects] + [1.0]) * 1.25
    _plain_log_axis(ax, low, high)
    ax.set_yticks(rows, [_term_label(e.factor) for e in effects])
    ax.set_ylim(-0.7, len(effects) - 0.3)
    ax.set_xlabel(
        "times as many twitches per unit more (log scale; 1: no change)\n"
        "red: significant after Holm correction"
    )
    ax.set_title(f"Triggers ({report.model} model, {report.days_used} days)")
    return fig


def _term_label(term: str) -> str:
    """A trigger term in words: "caffeine", "caffeine, the day before".

    A row's sleep is already the night before its date, so its previous-day term is "the night
    before last".
    """
    if term.endswith(PREVIOUS_DAY):
        column = term.removesuffix(PREVIOUS_DAY)
        before = "the night before last" if column == "sleep_hours" else "the day before"
        return f"{_FACTOR_LABELS.get(column, column.replace('_', ' '))}, {before}"
    return _FACTOR_LABELS.get(term, term.replace("_", " "))


def _plain_log_axis(ax: Axes, low: float, high: float) -> None:
    """A log x axis from low to high, ticked at 1, 2 and 5 times powers of ten, written plainly."""
    import math

    from matplotlib.ticker import NullFormatter, NullLocator

    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = [
        m * 10.0**e
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
        if low <= m * 10.0**e <= high
    ]
    if len(ticks) > 9:  # a very wide range: powers of ten only
        ticks = [t for t in ticks if f"{t:g}".lstrip("0.").startswith("1")]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def _as_float(value: float | bool | None) -> float:
    return float("nan") if value is None else float(value)


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    fig.savefig(out, format="png", dpi=100)
    return out
