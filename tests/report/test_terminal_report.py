"""A case report in the terminal: what to do first, the case, sources numbered once, disclaimer."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from facespasm.report.case_report import CaseReport
from facespasm.report.terminal import render_case
from facespasm.sharing import make_report

from .cases import HEMIFACIAL, NOW, clip_analysis, planted_diary

WIDTH = 100


def text_of(report: CaseReport) -> str:
    """The report as a terminal of `WIDTH` columns shows it, without colour."""
    output = io.StringIO()
    render_case(report, Console(file=output, width=WIDTH, color_system=None, highlight=False))
    return output.getvalue()


@pytest.fixture(scope="module")
def with_video() -> CaseReport:
    """Hemifacial spasm with a clip of left-sided spasms and a typed name."""
    answers = {**HEMIFACIAL, "facial_weakness": False, "head_injury": None}
    video = clip_analysis(seconds=60, spasms_left=4, blinks=20)
    return make_report(
        answers, text="maybe a bit numb in my arm?", video=video, name="Ann Smith", now=NOW
    )


@pytest.fixture(scope="module")
def with_diary(tmp_path_factory: pytest.TempPathFactory) -> CaseReport:
    """Hemifacial spasm with six months of diary: counts, injections, JRS, measurements."""
    diary = planted_diary(tmp_path_factory.mktemp("diary") / "diary.db")
    return make_report(HEMIFACIAL, diary=diary, now=NOW)


@pytest.fixture(scope="module")
def emergency() -> CaseReport:
    """Stroke signs beside a typical hemifacial spasm."""
    return make_report({**HEMIFACIAL, "sudden_weakness": True}, now=NOW)


@pytest.mark.parametrize(
    "case",
    [
        "with_video",  # the assessment, history, red flags, the video, side-specific codes
        "with_diary",  # the 90-day chart with injections, cycles, JRS, measurements
        "emergency",  # what to do now first; the case after it for the doctor
    ],
)
def test_the_case_report_at_a_fixed_width_is_stable(
    case: str, request: pytest.FixtureRequest, golden
) -> None:
    golden(f"report_case_{case}.txt", text_of(request.getfixturevalue(case)))


def test_the_case_report_reads_in_order(with_video: CaseReport) -> None:
    text = text_of(with_video)
    order = [
        "Facial twitching: a summary for the doctor",
        "30 November 2026, 09:15 UTC · Ann Smith",
        "How urgently to see a doctor",
        "Likely causes",
        "Key history",
        "Warning signs asked about",
        "The video",
        "Codes",
        "Sources",
        "information, not a diagnosis",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)


def test_no_name_is_shown_unless_one_was_typed() -> None:
    text = text_of(make_report(HEMIFACIAL, now=NOW))
    assert text.splitlines()[1].strip() == "30 November 2026, 09:15 UTC"


def test_an_emergency_shows_what_to_do_before_anything_else(emergency: CaseReport) -> None:
    text = text_of(emergency)
    assert text.index("Call ") < text.index("Key history")
    assert "Likely causes" not in text


def cited(text: str) -> set[int]:
    """Every source number cited as [3], [1, 4] or [8–10] (the list's own "[n]" excepted)."""
    numbers: set[int] = set()
    for group in re.findall(r"(?<!^)\[([\d,– ]+)\]", text, flags=re.MULTILINE):
        for part in group.split(","):
            low, _, high = part.strip().partition("–")
            numbers.update(range(int(low), int(high or low) + 1))
    return numbers


@pytest.mark.parametrize("case", ["with_video", "with_diary"])
def test_every_number_cited_is_listed_once_under_sources(
    case: str, request: pytest.FixtureRequest
) -> None:
    report: CaseReport = request.getfixturevalue(case)
    text = text_of(report)
    listed = [int(n) for n in re.findall(r"^\[(\d+)\]", text, flags=re.MULTILINE)]
    assert listed == list(range(1, len(report.sources) + 1))
    assert cited(text) <= set(listed)


def test_the_diary_chart_has_a_day_a_character_and_marks_the_injection(
    with_diary: CaseReport,
) -> None:
    lines = text_of(with_diary).splitlines()
    chart = lines.index("The diary") + 2
    assert len(lines[chart].rstrip()) == 90
    marks = lines[chart + 1]
    assert marks.index("▲") == 28  # 2026-09-30 is the 29th day from 2026-09-02
