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

from facespasm.diary.bounds import analysable
from facespasm.diary.records import FACTORS, Day, Treatment
from facespasm.diary.triggers import TriggerReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
    days: Sequence[Day], treatments: Sequence[Treatment], path: str | os.PathLike[str]
) -> Path:
    """Draw daily episodes over time, a small panel per recorded factor, treatments as lines.

    Args:
        days: the diary, in any order.
        treatments: treatments to mark (vertical lines on every panel).
        path: the PNG to write.

    Returns:
        The path written.
    """
    from matplotlib.figure import Figure

    usable = analysable(days, treatments)  # matplotlib's dates end at 9999: leave odd ones out
    days, treatments = usable.days, usable.treatments
    ordered = sorted(days, key=lambda d: d.date)
    recorded = [f for f in FACTORS if any(getattr(d, f) is not None for d in ordered)]
    heights = [3.0] + [1.0] * len(recorded)
    fig = Figure(figsize=(10, 3 + 1.1 * len(recorded)), layout="constrained")
    axes = fig.subplots(len(heights), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
    top = axes[0]
    with_counts = [d for d in ordered if d.episodes is not None]
    top.bar(
        [d.date for d in with_counts],
        [d.episodes or 0 for d in with_counts],
        width=1.0,
        color="tab:blue",
        label="episodes",
    )
    top.set_ylabel("episodes a day")
    top.set_title("Twitch diary")
    if not ordered:
        top.text(
            0.5, 0.5, "No diary entries yet", ha="center", va="center", transform=top.transAxes
        )
    for ax, factor in zip(axes[1:], recorded, strict=True):
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
    span = [d.date for d in ordered] + [t.date for t in treatments]
    if span:
        # A margin of a day keeps a one-day diary from giving matplotlib an empty range.
        top.set_xlim(min(span) - dt.timedelta(days=1), max(span) + dt.timedelta(days=1))
    axes[-1].tick_params(axis="x", labelrotation=30)
    if with_counts or treatments:
        top.legend(loc="upper left", fontsize="small")
    return _save(fig, path)


def plot_triggers(report: TriggerReport, path: str | os.PathLike[str]) -> Path:
    """Draw the rate ratios with their intervals as a forest plot (log scale, 1 marked).

    Args:
        report: the trigger analysis; without estimates, the plot shows why.
        path: the PNG to write.

    Returns:
        The path written.
    """
    from matplotlib.figure import Figure

    effects = report.factors
    fig = Figure(figsize=(8, 1.5 + 0.4 * max(len(effects), 2)), layout="constrained")
    ax = fig.subplots()
    if not effects:
        reason = report.notes[0] if report.notes else "No estimates."
        ax.text(0.5, 0.5, _wrap(reason), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _save(fig, path)
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
    ax.set_xscale("log")
    low = min([e.ci_low for e in effects] + [1.0])
    high = max([e.ci_high for e in effects] + [1.0])
    ax.set_xlim(low / 1.25, high * 1.25)
    ax.set_yticks(rows, [e.factor for e in effects])
    ax.set_ylim(-0.7, len(effects) - 0.3)
    ax.set_xlabel("rate ratio per unit (log scale); red: significant after Holm correction")
    ax.set_title(f"Triggers ({report.model} model, {report.days_used} days)")
    return _save(fig, path)


def _as_float(value: float | bool | None) -> float:
    return float("nan") if value is None else float(value)


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    fig.savefig(out, format="png", dpi=100)
    return out
