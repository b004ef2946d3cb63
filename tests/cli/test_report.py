"""The terminal report: care level first, causes with bars, reasons, sources, disclaimer last."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from facespasm import assess
from facespasm.cli.render import render_assessment

from .conftest import ANSWERS, Run


def report_for(name: str, width: int = 100) -> str:
    answers = json.loads((ANSWERS / f"{name}.json").read_text())
    output = io.StringIO()
    console = Console(file=output, width=width, color_system=None, highlight=False)
    render_assessment(assess(answers), console)
    return output.getvalue()


@pytest.mark.parametrize("name", ["hemifacial_spasm", "exam_stress", "stroke_signs"])
def test_the_report_at_a_fixed_width_is_stable(name: str, golden) -> None:
    golden(f"report_{name}.txt", report_for(name))


def test_the_report_reads_in_order_of_what_a_worried_person_needs() -> None:
    text = report_for("hemifacial_spasm")
    order = ["SEE A DOCTOR", "Likely causes", "Why Hemifacial spasm", "What to do next",
             "Treatments a doctor may discuss", "Self-care", "Sources", "not a diagnosis"]  # fmt: skip
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
    for distraction in ("Likely causes", "Harmless twitch", "Self-care", "Treatments"):
        assert distraction not in text
    assert text.rstrip().endswith("contact a doctor.")
