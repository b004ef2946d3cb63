"""The terminal report: care level and what to do first, then causes with bars, reasons,
treatments, self-care, what was used and sources; the disclaimer last."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from facespasm import assess
from facespasm.report.terminal import render_assessment

from .conftest import ANSWERS, Run


def report_for(name: str, width: int = 100) -> str:
    answers = json.loads((ANSWERS / f"{name}.json").read_text())
    output = io.StringIO()
    console = Console(file=output, width=width, color_system=None, highlight=False)
    render_assessment(assess(answers), console)
    return output.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "hemifacial_spasm",  # see a doctor: causes explained, treatments, open safety questions
        "exam_stress",  # a harmless twitch, but no safety question answered: see a doctor
        "exam_stress_ruled_out",  # the same with every red flag answered "no": self-care
        "stroke_signs",  # emergency: only what to do now
    ],
)
def test_the_report_at_a_fixed_width_is_stable(name: str, golden) -> None:
    golden(f"report_{name}.txt", report_for(name))


def test_the_report_reads_in_order_of_what_a_worried_person_needs() -> None:
    text = report_for("hemifacial_spasm")
    order = ["SEE A DOCTOR", "What to do next", "Likely causes", "Why Hemifacial spasm",
             "Treatments a doctor may discuss", "Self-care", "What we used", "Sources",
             "not a diagnosis"]  # fmt: skip
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert text.rstrip().endswith("contact a doctor.")


def cited_numbers(text: str) -> set[int]:
    """Every source number cited as [3], [1, 4] or [8–10]."""
    numbers: set[int] = set()
    for group in re.findall(r"\[([\d,– ]+)\]", text):
        for part in group.split(","):
            low, _, high = part.strip().partition("–")
            numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def test_every_citation_number_in_the_report_is_listed_under_sources() -> None:
    text = report_for("hemifacial_spasm")
    body, sources = text.split("\nSources\n")
    listed = {int(n) for n in re.findall(r"^\[(\d+)\]", sources, flags=re.MULTILINE)}
    assert cited_numbers(body) and cited_numbers(body) <= listed
    assert listed == set(range(1, len(listed) + 1))


def test_the_cli_prints_the_same_report(facespasm: Run) -> None:
    done = facespasm("assess", "--answers", str(ANSWERS / "exam_stress.json"), "--width", "100")
    assert done.returncode == 0, done.stderr
    assert done.stdout == report_for("exam_stress")


def test_an_emergency_report_shows_only_what_to_do() -> None:
    text = report_for("stroke_signs")
    assert "EMERGENCY" in text and "Call your emergency number now" in text
    assert "Call 999 (UK)" in text and "Face: has it dropped" in text
    for distraction in ("Likely causes", "Harmless twitch", "Self-care", "Treatments", "%"):
        assert distraction not in text
    assert text.rstrip().endswith("contact a doctor.")


def test_self_care_needs_every_safety_question_answered_no() -> None:
    open_ = report_for("exam_stress")
    assert "SEE A DOCTOR" in open_ and "Safety questions not yet answered" in open_
    ruled_out = report_for("exam_stress_ruled_out")
    assert "SELF-CARE" in ruled_out and "Safety questions not yet answered" not in ruled_out


def test_the_terminal_and_the_page_number_the_same_sources() -> None:
    """Both render one view: the citation numbers and the source list agree."""
    from facespasm.report import report_view

    answers = json.loads((ANSWERS / "hemifacial_spasm.json").read_text())
    view = report_view(assess(answers))
    text = report_for("hemifacial_spasm")
    listed = re.findall(r"^\[(\d+)\]\s+(.{20})", text.split("\nSources\n")[1], re.MULTILINE)
    assert [(int(n), start) for n, start in listed] == [
        (s.number, s.citation[:20]) for s in view.sources
    ]
