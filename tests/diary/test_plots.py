"""Diary plots are real PNG files, for typical diaries and for the edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from facespasm.diary.cycles import Cycle, toxin_cycles
from facespasm.diary.plots import history_figure, plot_history, plot_triggers, triggers_figure
from facespasm.diary.records import Day, Measurement, Rating, Treatment
from facespasm.diary.triggers import FactorEffect, TriggerReport, trigger_analysis
from tests.diary.simulated_cycles import SimulatedDiary, issue_12_diary
from tests.diary.test_triggers import PLANTED, simulate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = dt.date(2024, 1, 1)


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000


@pytest.fixture(scope="module")
def diary() -> list[Day]:
    """Four months of simulated diary with two planted triggers."""
    return simulate(np.random.default_rng(1), 120, PLANTED)


def test_history_with_factors_and_treatments(diary: list[Day], tmp_path: Path) -> None:
    treatments = [
        Treatment(START + dt.timedelta(days=30), "botulinum_toxin", side="left", dose_units=20),
        Treatment(START + dt.timedelta(days=60), "medication", name="clonazepam"),
    ]
    written = plot_history(diary, treatments, tmp_path / "history.png")
    assert written == tmp_path / "history.png"
    assert_png(written)


@pytest.mark.parametrize(
    "case",
    [
        "no_treatments",  # nothing to mark
        "single_day",  # a one-day axis must not collapse
        "no_days",  # an empty diary still gives a picture that says so
        "counts_only",  # no factor ever recorded: no factor panels
        "gaps",  # missing counts and factors on some days
    ],
)
def test_history_edge_cases(case: str, diary: list[Day], tmp_path: Path) -> None:
    treatments: list[Treatment] = []
    days: list[Day]
    if case == "no_treatments":
        days = diary
    elif case == "single_day":
        days = [diary[0]]
        treatments = [Treatment(START, "botulinum_toxin")]
    elif case == "no_days":
        days = []
    elif case == "counts_only":
        days = [Day(d.date, d.episodes) for d in diary]
    else:
        days = [
            dataclasses.replace(d, episodes=None, sleep_hours=None) if i % 5 == 0 else d
            for i, d in enumerate(diary)
        ]
    assert_png(plot_history(days, treatments, tmp_path / f"{case}.png"))


def test_forest_plot_of_a_trigger_analysis(diary: list[Day], tmp_path: Path) -> None:
    report = trigger_analysis(diary)
    assert report.factors
    assert_png(plot_triggers(report, tmp_path / "triggers.png"))


def test_forest_plot_without_estimates_says_why(tmp_path: Path) -> None:
    report = trigger_analysis([Day(START, 3)])
    assert report.factors == []
    assert_png(plot_triggers(report, tmp_path / "empty.png"))


def test_forest_plot_with_extreme_intervals(tmp_path: Path) -> None:
    report = TriggerReport(
        factors=[
            FactorEffect("nicotine", 25.0, 1.5, 400.0, 0.01, True),
            FactorEffect("sleep_hours", 0.5, 0.01, 0.99, 0.04, True),
        ],
        days_used=20,
        model="poisson",
        notes=[],
        findings=[],
    )
    assert_png(plot_triggers(report, tmp_path / "wide.png"))


# What the history chart shows: read off the figure's artists and labels, not its pixels.

RAW_COLUMNS = {"episodes", "sleep_hours", "caffeine_drinks", "alcohol_drinks", "stress_0_10",
               "screen_hours", "spasms_per_min_left", "spasms_per_min_right", "jrs"}  # fmt: skip


def texts(figure: Figure) -> list[str]:
    """Every label, title, tick label and legend entry on the figure."""
    found = []
    for ax in figure.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    return [text for text in found if text]


def legend_entries(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def as_date(x: object) -> dt.date:
    """An x coordinate (a date, or matplotlib's days since its epoch) as a date."""
    from matplotlib.dates import num2date

    if isinstance(x, dt.date):
        return x
    return num2date(float(x)).date()  # type: ignore[no-untyped-call,arg-type]


def vertical_lines_at(ax: Axes, label: str | None = None) -> list[dt.date]:
    """The dates of the axis's vertical lines (with that legend label, when given)."""
    dates = []
    for line in ax.get_lines():
        xs = list(np.asarray(line.get_xdata()))
        if len(xs) == 2 and xs[0] == xs[1] and (label is None or line.get_label() == label):
            dates.append(as_date(xs[0]))
    return dates


Year = tuple[SimulatedDiary, list[Cycle], list[Rating], list[Measurement]]


def measurement(date: dt.date, left: float | None, right: float | None) -> Measurement:
    at = dt.datetime.combine(date, dt.time(9), tzinfo=dt.UTC)
    return Measurement(at, date, "UTC", face_minutes=2.0, blink_rate_per_min=15.0,
                       spasms_per_min_left=left, spasms_per_min_right=right, eyes_closed_pct=4.0)  # fmt: skip


@pytest.fixture(scope="module")
def treated_year() -> Year:
    """Issue 12's year (each effect 10 weeks) with JRS ratings and two kept video measurements."""
    simulated = issue_12_diary(np.random.default_rng(12), wear_off_days=70.0)
    cycles = toxin_cycles(simulated.days, simulated.treatments)
    ratings = [
        Rating(START + dt.timedelta(days=d), "jrs", (("severity", s), ("frequency", s)), 2.0 * s)
        for d, s in ((30, 3), (75, 1), (125, 3), (160, 1))
    ] + [Rating(START + dt.timedelta(days=40), "impact", (("driving", 2),), 2.0)]
    measured = [
        measurement(dt.date(2024, 2, 20), 6.0, 10.0),
        measurement(dt.date(2024, 3, 20), 1.0, 3.0),
        measurement(dt.date(2024, 4, 1), None, None),
    ]  # no face in view: nothing to draw
    return simulated, cycles, ratings, measured


def test_history_marks_injections_and_each_wear_off_with_its_range(treated_year: Year) -> None:
    simulated, cycles, _, _ = treated_year
    figure = history_figure(simulated.days, simulated.treatments, cycles=cycles)
    top = figure.axes[0]
    injections = [t.date for t in simulated.treatments]
    assert vertical_lines_at(top, "botulinum toxin") == injections[:1]  # labelled once
    assert set(vertical_lines_at(top)) >= set(injections)
    wear_offs = [c.wear_off for c in cycles]
    assert None not in wear_offs
    estimated = [d for d in vertical_lines_at(top) if d not in injections]
    assert estimated == wear_offs
    spans = [patch for patch in top.patches if patch.get_alpha() == 0.2]  # not the bars
    assert len(spans) == 3
    for span, cycle in zip(spans, cycles, strict=True):
        from matplotlib.patches import Rectangle

        assert isinstance(span, Rectangle)
        assert cycle.wear_off_low is not None and cycle.wear_off_high is not None
        assert as_date(span.get_x()) == cycle.wear_off_low
        assert as_date(span.get_x() + span.get_width()) == cycle.wear_off_high + dt.timedelta(1)
    assert legend_entries(top) == ["botulinum toxin", "wear-off, 90% range",
                                   "injection wore off (estimate)", "twitches a day"]  # fmt: skip


def test_history_has_jrs_totals_and_kept_measurements_in_their_own_panels(
    treated_year: Year,
) -> None:
    simulated, cycles, ratings, measured = treated_year
    figure = history_figure(simulated.days, simulated.treatments, cycles=cycles,
                            ratings=ratings, measurements=measured)  # fmt: skip
    labels = [ax.get_ylabel() for ax in figure.axes]
    assert labels[:3] == ["twitches a day", "Jankovic Rating\nScale total (0–8)",
                          "spasms a minute\n(video)"]  # fmt: skip
    jrs, video = figure.axes[1], figure.axes[2]
    (line,) = [drawn for drawn in jrs.get_lines() if drawn.get_label() == "JRS total"]
    assert list(np.asarray(line.get_ydata())) == [
        6.0,
        2.0,
        6.0,
        2.0,
    ]  # the impact rating is not drawn
    assert jrs.get_ylim() == (-0.5, 8.5)
    sides = {
        str(side.get_label()): list(np.asarray(side.get_ydata()))
        for side in video.get_lines()
        if "video" in str(side.get_label())
    }
    assert sides == {"left side (video)": [6.0, 1.0], "right side (video)": [10.0, 3.0]}
    for ax in figure.axes:  # injections and wear-offs on every panel
        assert set(vertical_lines_at(ax)) >= {t.date for t in simulated.treatments}


def test_history_labels_are_words_not_column_names(diary: list[Day], treated_year: Year) -> None:
    _, _, ratings, measured = treated_year
    treatments = [Treatment(START + dt.timedelta(days=30), "botulinum_toxin")]
    figure = history_figure(diary, treatments, ratings=ratings, measurements=measured)
    shown = texts(figure)
    assert "sleep (h)" in shown and "caffeine" in shown
    assert not RAW_COLUMNS & set(shown)
    assert not [text for text in shown if "_" in text]


def test_history_without_cycles_works_them_out(treated_year: Year) -> None:
    simulated, cycles, _, _ = treated_year
    figure = history_figure(simulated.days, simulated.treatments)
    assert vertical_lines_at(figure.axes[0], "injection wore off (estimate)") == [
        cycles[0].wear_off
    ]


def test_forest_plot_names_factors_in_words_with_a_plain_log_axis(diary: list[Day]) -> None:
    report = TriggerReport(
        factors=[
            FactorEffect("caffeine_drinks", 1.4, 1.2, 1.7, 0.001, True),
            FactorEffect("sleep_hours", 0.8, 0.6, 1.05, 0.1, False),
        ],
        days_used=120,
        model="poisson",
        notes=[],
        findings=[],
    )
    ax = triggers_figure(report).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["caffeine", "sleep (h)"]
    assert ax.get_xscale() == "log"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["0.5", "1", "2"]
    assert not [t for t in ax.get_xticklabels(minor=True) if t.get_text()]


def test_forest_plot_over_many_decades_ticks_powers_of_ten() -> None:
    report = TriggerReport(
        factors=[FactorEffect("nicotine", 25.0, 1.5, 400.0, 0.01, True),
                 FactorEffect("sleep_hours", 0.5, 0.01, 0.99, 0.04, True)],
        days_used=20, model="poisson", notes=[], findings=[],
    )  # fmt: skip
    ticks = [t.get_text() for t in triggers_figure(report).axes[0].get_xticklabels()]
    assert ticks == ["0.01", "0.1", "1", "10", "100"]


def test_forest_plot_names_previous_day_terms_in_words(diary: list[Day]) -> None:
    ax = triggers_figure(trigger_analysis(diary)).axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert "caffeine, the day before" in shown
    assert "sleep (h), the night before last" in shown
    assert not [text for text in shown if "_" in text]
