"""Each cause comes with the findings for and against it, their weight, and their sources."""

from __future__ import annotations

import pytest

from facespasm import assess
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning import Evidence
from facespasm.reasoning.explain import MEANINGFUL_RATIO, describe, explain


def test_findings_for_and_against_a_cause_are_ranked_by_weight(knowledge: KnowledgeBase):
    evidence = Evidence.from_answers(
        {"side": "both", "forceful_closure": True, "small_flicker": True, "stress": True}
    )
    supporting, opposing = explain("blepharospasm", evidence, knowledge)
    assert [f.finding for f in supporting] == ["forceful_closure", "side"]
    assert [f.finding for f in opposing] == ["small_flicker", "stress"]
    assert supporting[0].likelihood_ratio > supporting[1].likelihood_ratio > MEANINGFUL_RATIO
    assert all(f.sources for f in supporting + opposing)


def test_every_condition_of_a_result_carries_its_reasons(knowledge: KnowledgeBase) -> None:
    result = assess({"prior_facial_palsy": True, "with_voluntary_movement": True}, knowledge)
    synkinesis = result.top
    assert synkinesis.id == "synkinesis"
    assert {f.finding for f in synkinesis.supporting} == {
        "prior_facial_palsy",
        "with_voluntary_movement",
    }
    myokymia = next(c for c in result.conditions if c.id == "myokymia")
    assert {f.finding for f in myokymia.opposing} == {
        "prior_facial_palsy",
        "with_voluntary_movement",
    }


@pytest.mark.parametrize(
    ("finding", "value", "text"),
    [
        ("forceful_closure", True, "eyelids squeeze shut on their own"),
        ("forceful_closure", False, "not: eyelids squeeze shut on their own"),
        ("side", "both", "side of the face: both sides"),
        ("regions", ("eyelid", "cheek"), "where it twitches: eyelid or around the eye, cheek"),
        ("duration_days", 30.0, "how long it has lasted: 30 days (3 weeks to 3 months)"),
    ],
)
def test_findings_are_described_in_plain_words(knowledge, finding, value, text) -> None:
    assert describe(knowledge.findings[finding], value) == text
