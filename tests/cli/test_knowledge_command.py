"""`facespasm knowledge` lists what facespasm reasons with."""

from __future__ import annotations

import pytest

from facespasm.knowledge import KnowledgeBase

from .conftest import Run


def test_it_lists_every_cause_finding_rule_and_source(facespasm: Run, knowledge: KnowledgeBase):
    done = facespasm("knowledge", "--width", "250")
    assert done.returncode == 0, done.stderr
    for name in (
        list(knowledge.cause_ids)
        + list(knowledge.findings)
        + [rule.id for rule in knowledge.care_rules]
        + list(knowledge.sources)
    ):
        assert name in done.stdout
    assert f"Knowledge version {knowledge.version}" in done.stdout


@pytest.mark.parametrize(
    ("section", "present", "absent"),
    [
        ("causes", "G51.3", "Care rules"),
        ("findings", "duration_days", "Sources"),
        ("rules", "stroke_signs", "Findings"),
        ("sources", "miller2012.mvd", "Causes"),
    ],
)
def test_one_section(facespasm: Run, section: str, present: str, absent: str) -> None:
    done = facespasm("knowledge", section, "--width", "250")
    assert done.returncode == 0, done.stderr
    assert present in done.stdout
    assert absent not in done.stdout


def test_an_unknown_section_is_a_usage_error(facespasm: Run) -> None:
    done = facespasm("knowledge", "drugs")
    assert done.returncode == 2
    assert "Invalid value" in done.stderr
