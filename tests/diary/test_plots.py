"""Diary plots are real PNG files, for typical diaries and for the edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from facespasm.diary.plots import plot_history, plot_triggers
from facespasm.diary.records import Day, Treatment
from facespasm.diary.triggers import FactorEffect, TriggerReport, trigger_analysis
from tests.diary.test_triggers import PLANTED, simulate

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
