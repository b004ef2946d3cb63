"""The diary's history chart (`web/diary_chart.py`): bins, ranges, markers, labels, size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from facespasm.diary.cycles import toxin_cycles
from facespasm.diary.records import Day, Measurement, Rating, Treatment
from facespasm.web.diary_chart import (
    Window,
    bins,
    date_ticks,
    history_chart,
    nice_ticks,
    parse_range,
    window,
)

TODAY = dt.date(2026, 11, 30)
SVG = "{http://www.w3.org/2000/svg}"


def days_back(n: int, episodes: int = 3, *, end: dt.date = TODAY) -> list[Day]:
    return [Day(end - dt.timedelta(days=k), episodes) for k in range(n)]


def injection(date: dt.date, **more: object) -> Treatment:
    return Treatment(date, "botulinum_toxin", side="left", dose_units=25.0, **more)  # type: ignore[arg-type]


def svg_of(html: str) -> ET.Element:
    found = re.search(r"<svg.*</svg>", html, re.S)
    assert found, html
    text = found.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(text)


def summary_of(html: str) -> str:
    found = re.search(r'<p id="history-summary"[^>]*>(.*?)</p>', html)
    assert found
    return found.group(1)


def bars(html: str) -> list[ET.Element]:
    return [r for r in svg_of(html).iter(f"{SVG}rect") if r.get("class") == "bar-rect"]


def test_an_empty_diary_draws_axes_and_says_so() -> None:
    html = history_chart(chosen="30d", today=TODAY, days=[])
    assert summary_of(html) == "0 episodes in the last 30 days (0 days recorded)."
    assert bars(html) == []
    labels = [t.text for t in svg_of(html).iter(f"{SVG}text")]
    assert "Episodes a day" in labels
    assert "0" in labels and "1" in labels  # an axis from 0 even with nothing to show
    assert 'aria-current="true"' in html and 'data-range="30d" aria-current' in html


def test_the_30_days_have_a_bar_a_day_and_readable_dates() -> None:
    days = [
        Day(TODAY, 2),
        Day(TODAY - dt.timedelta(days=3), 5),
        Day(TODAY - dt.timedelta(days=40), 9),
    ]
    html = history_chart(chosen="30d", today=TODAY, days=days)
    assert summary_of(html) == "7 episodes in the last 30 days (2 days recorded)."
    drawn = bars(html)
    assert [b.get("data-date") for b in drawn] == ["2026-11-27", "2026-11-30"]
    titles = [b.find(f"{SVG}title").text for b in drawn]  # type: ignore[union-attr]
    assert titles == ["27 Nov 2026: 5 episodes", "30 Nov 2026: 2 episodes"]
    ticks = [label for _, label in date_ticks(window("30d", TODAY))]
    assert ticks == ["2 Nov", "9 Nov", "16 Nov", "23 Nov", "30 Nov"]
    assert "_" not in " ".join(t.text or "" for t in svg_of(html).iter(f"{SVG}text"))


def test_six_months_is_daily_and_all_is_weekly_beyond_six_months() -> None:
    six = window("6m", TODAY)
    assert (six.start, six.end, six.bin_days) == (TODAY - dt.timedelta(days=182), TODAY, 1)
    short = window("all", TODAY, days_back(100))
    assert short.bin_days == 1 and short.start == TODAY - dt.timedelta(days=99)
    year = window("all", TODAY, days_back(400))
    assert year.bin_days == 7 and year.start.weekday() == 0
    decade = window("all", TODAY, days_back(3700))
    assert decade.bin_days == 28


def test_a_bin_is_the_average_over_recorded_days() -> None:
    monday = dt.date(2026, 11, 2)
    shown = Window(monday, monday + dt.timedelta(days=13), 7)
    days = [
        Day(monday, 10),
        Day(monday + dt.timedelta(days=1), 4),
        Day(monday + dt.timedelta(days=2)),
    ]
    first, second = bins(days, shown)
    assert (first.episodes, first.recorded, first.value) == (14, 2, 7.0)
    assert second.value is None  # nothing recorded is not zero episodes


def test_parse_range_defaults_to_30_days() -> None:
    assert [parse_range(v) for v in ("30d", "6m", "all", "1y", None)] == [
        "30d", "6m", "all", "30d", "30d",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [(0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (33, [0, 10, 20, 30, 40])],
)
def test_nice_ticks(maximum: float, expected: list[float]) -> None:
    assert nice_ticks(maximum) == expected


def three_years() -> tuple[list[Day], list[Treatment], list[Rating], list[Measurement]]:
    start = TODAY - dt.timedelta(days=3 * 365)
    injections = [start + dt.timedelta(days=30 + 91 * k) for k in range(12)]

    def rate(date: dt.date) -> int:
        return 2 if any(5 <= (date - d).days < 70 for d in injections) else 8

    days = [
        Day(start + dt.timedelta(days=k), rate(start + dt.timedelta(days=k)))
        for k in range(3 * 365 + 1)
    ]
    treatments = [injection(d, reported_wear_off=d + dt.timedelta(days=68)) for d in injections]
    ratings = [
        Rating(start + dt.timedelta(days=k), "jrs", (("severity", 2), ("frequency", 1)), 3.0)
        for k in range(0, 3 * 365, 5)
    ] + [Rating(TODAY, "impact", (("driving", 2),), 2.0)]
    measured = [
        Measurement(
            dt.datetime.combine(start + dt.timedelta(days=k), dt.time(9), tzinfo=dt.UTC),
            start + dt.timedelta(days=k),
            "UTC",
            0.5,
            17.0,
            4.0,
            None,
            2.0,
        )
        for k in range(0, 3 * 365, 60)
    ]
    return days, treatments, ratings, measured


def test_three_years_are_weekly_bars_with_every_series_and_stay_small() -> None:
    days, treatments, ratings, measured = three_years()
    cycles = toxin_cycles(days, treatments, today=TODAY)
    html = history_chart(
        chosen="all", today=TODAY, days=days, treatments=treatments, cycles=cycles,
        ratings=ratings, measurements=measured,
    )  # fmt: skip
    svg = svg_of(html)
    assert svg.get("data-bin-days") == "7"
    assert 150 <= len(bars(html)) <= 160
    assert len(html) < 80_000
    classes = [e.get("class") for e in svg.iter()]
    assert classes.count("injection-mark") == 12
    reported = [t for t in treatments if t.reported_wear_off and t.reported_wear_off <= TODAY]
    assert classes.count("reported-mark") == len(reported) == 11  # the last one is ahead
    assert classes.count("relief-band") >= 11
    assert classes.count("rating-dot") == len([r for r in ratings if r.scale == "jrs"])
    assert classes.count("measured-dot") == len(measured)
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Episodes a day, weekly average" in labels
    assert "Jankovic rating (0–8)" in labels
    assert "Spasms a minute (video)" in labels
    assert [label for _, label in date_ticks(window("all", TODAY, days))] == [
        "2024",
        "2025",
        "2026",
    ]
    summary = summary_of(html)
    total = sum(d.episodes or 0 for d in days)
    assert summary.startswith(f"{total} episodes from ")
    assert " to 30 Nov 2026 (1096 days recorded)." in summary
    assert "12 botulinum toxin injections, the latest on" in summary
    assert "Jankovic ratings, the latest 3 of 8" in summary
    assert "a change of 2 points is clinically meaningful" in html
    assert "video measurements, the latest 4.0 spasms a minute" in summary


def test_wear_off_is_drawn_with_its_interval_and_explained() -> None:
    days, treatments, _, _ = three_years()
    cycles = toxin_cycles(days, treatments, today=TODAY)
    worn = [c for c in cycles if c.wear_off and c.wear_off_low and c.wear_off_high]
    assert worn, "the simulated diary shows wear-offs"
    html = history_chart(chosen="all", today=TODAY, days=days, treatments=treatments, cycles=cycles)
    titles = [
        t.text or ""
        for e in svg_of(html).iter()
        if e.get("class") == "relief-band"
        for t in e.iter(f"{SVG}title")
    ]
    first = worn[0]
    assert first.wear_off is not None
    assert any(
        f"estimated to have worn off around {first.wear_off.day} " in t and "90% interval" in t
        for t in titles
    )
    whiskers = [e for e in svg_of(html).iter() if e.get("class") == "wear-off-interval"]
    assert len(whiskers) == 3 * len(worn)
    assert "Relief until the estimated wear-off" in html


def test_an_injection_still_working_is_banded_for_12_weeks_at_most() -> None:
    days, treatments, _, _ = three_years()
    old = dataclasses.replace(
        toxin_cycles(days, treatments, today=TODAY)[0],
        wear_off=None, wear_off_low=None, wear_off_high=None,
        wear_off_status="still working", next_due=None,
    )  # fmt: skip
    html = history_chart(chosen="all", today=TODAY, days=days, treatments=treatments, cycles=[old])
    (band,) = [e for e in svg_of(html).iter() if e.get("class") == "relief-band"]
    per_day = (420 - 36 - 10) / window("all", TODAY, days, treatments).span
    assert float(band.get("width") or 0) == pytest.approx(84 * per_day, abs=0.2)
    assert "still working as far as the diary shows" in html
    unknown = dataclasses.replace(old, wear_off_status="unknown")
    html = history_chart(chosen="all", today=TODAY, days=days, cycles=[unknown])
    assert "relief-band" not in html and "Relief until" not in html


def test_the_30_day_range_only_marks_what_falls_in_it() -> None:
    days, treatments, ratings, measured = three_years()
    cycles = toxin_cycles(days, treatments, today=TODAY)
    html = history_chart(
        chosen="30d", today=TODAY, days=days, treatments=treatments, cycles=cycles,
        ratings=ratings, measurements=measured,
    )  # fmt: skip
    svg = svg_of(html)
    classes = [e.get("class") for e in svg.iter()]
    in_range = [t for t in treatments if t.date > TODAY - dt.timedelta(days=30)]
    assert classes.count("injection-mark") == len(in_range)
    recent = [r for r in ratings if r.scale == "jrs" and r.date > TODAY - dt.timedelta(days=30)]
    assert classes.count("rating-dot") == len(recent) > 0
    assert len(bars(html)) == 30
    total = sum(d.episodes or 0 for d in days if d.date > TODAY - dt.timedelta(days=30))
    assert summary_of(html).startswith(f"{total} episodes in the last 30 days (30 days recorded).")


def test_text_is_escaped() -> None:
    html = history_chart(
        chosen="all", today=TODAY, days=days_back(3),
        treatments=[injection(TODAY - dt.timedelta(days=1), name="<b>Botox & co</b>")],
    )  # fmt: skip
    assert "<b>" not in html
    assert "&lt;b&gt;Botox &amp; co&lt;/b&gt;" in html
    svg_of(html)  # well-formed


def test_the_page_embeds_the_chart_and_the_fragment_route_serves_each_range(client) -> None:
    today = dt.date.today()
    rows = "\n".join(f"{today - dt.timedelta(days=k)},{k % 4},,,,,," for k in range(400))
    header = (
        "date,episodes,sleep_hours,caffeine_drinks,alcohol_drinks,stress_0_10,screen_hours,nicotine"
    )
    imported = client.post(
        "/api/v1/diary/import", files={"file": ("d.csv", f"{header}\n{rows}\n", "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    added = client.post(
        "/api/v1/diary/treatments",
        json={"kind": "botulinum_toxin", "date": str(today - dt.timedelta(days=10))},
    )
    assert added.status_code == 201, added.text

    page = client.get("/diary").text
    assert 'aria-current="page">Log &amp; history' in page
    assert "in the last 30 days (30 days recorded)." in page
    assert page.count('<option value="') >= 11 + 3  # severity 0-10, and nicotine
    assert '<option value="0">0 – barely</option>' in page
    assert '<option value="10">10 – the worst</option>' in page
    assert 'href="/diary/treatments"' in page
    assert 'id="cycles"' not in page

    for chosen, bin_days in (("30d", "1"), ("6m", "1"), ("all", "7")):
        fragment = client.get(f"/diary/history?range={chosen}")
        assert fragment.status_code == 200
        assert fragment.headers["content-type"].startswith("text/html")
        svg = svg_of(fragment.text)
        assert svg.get("data-range") == chosen and svg.get("data-bin-days") == bin_days
        assert "injection-mark" in fragment.text
    assert 'data-range="all"' in client.get("/diary?range=all").text
    unknown = client.get("/diary/history?range=<script>")
    assert unknown.status_code == 200 and 'data-range="30d"' in unknown.text
    assert "<script>" not in unknown.text
