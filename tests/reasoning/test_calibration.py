"""The numbers agree with each other and with the epidemiology they cite (issue 10, part 7).

Calibration on principle, not on cases: these tests check what the priors and likelihoods imply
about the people who ask, and that hemifacial spasm outranks synkinesis when nobody said
anything about a facial palsy -- because the numbers say so, not because a case was fitted.
"""

from __future__ import annotations

import math

from facespasm import Interview, assess
from facespasm.knowledge import KnowledgeBase
from facespasm.reasoning.likelihood import probability


def implied_share(knowledge: KnowledgeBase, finding_id: str) -> float:
    """P(yes) among everyone who asks: sum over causes of prior x P(yes | cause)."""
    finding = knowledge.findings[finding_id]
    return math.fsum(
        cause.prior.probability * probability(finding, True, cause.id) for cause in knowledge.causes
    )


def test_the_priors_imply_a_plausible_share_with_an_earlier_facial_palsy(knowledge) -> None:
    # Lifetime Bell's palsy is 1-2%; people left with after-effects ask a little more often.
    assert 0.01 <= implied_share(knowledge, "prior_facial_palsy") <= 0.04


def test_the_synkinesis_prior_is_palsy_times_synkinesis_after_palsy(knowledge) -> None:
    # causes.yaml: about 3% of people asking had a palsy; 21% of those have synkinesis.
    assert math.isclose(knowledge.cause("synkinesis").prior.probability, 0.03 * 0.21, rel_tol=0.15)


TYPICAL_HFS = {
    "age": 55,
    "side": "one",
    "regions": ["eyelid", "cheek", "mouth"],
    "spread_to_lower_face": True,
    "duration_days": 400,
    "frequency": "daily",
}


def test_hemifacial_spasm_outranks_synkinesis_when_the_palsy_is_unknown() -> None:
    result = assess(TYPICAL_HFS)
    probabilities = {c.id: c.probability for c in result.conditions}
    assert result.top.id == "hemifacial_spasm"
    assert probabilities["hemifacial_spasm"] > 3 * probabilities["synkinesis"]


def test_an_earlier_palsy_still_makes_it_synkinesis() -> None:
    after_palsy = {**TYPICAL_HFS, "prior_facial_palsy": True, "with_voluntary_movement": True}
    assert assess(after_palsy).top.id == "synkinesis"


def test_the_interview_asks_about_a_palsy_before_synkinesis_may_lead(knowledge) -> None:
    interview = Interview(knowledge)
    for red_flag in knowledge.red_flags:
        interview.answer(red_flag, False)
    # the eye closes with a smile, never in sleep, never spread: synkinesis leads...
    for finding_id, value in [
        ("with_voluntary_movement", True),
        ("side", "one"),
        ("regions", ["eyelid", "mouth"]),
        ("duration_days", 500),
        ("persists_in_sleep", False),
        ("spread_to_lower_face", False),
    ]:
        interview.answer(finding_id, value)
    assert interview.result().top.id == "synkinesis"
    # ... on a history nobody has asked for yet: that comes next, whatever else is informative
    asked: list[str] = []
    while (question := interview.next_question()) is not None and len(asked) < 40:
        asked.append(question.finding.id)
        if question.finding.id == "prior_facial_palsy":
            break
        interview.answer(question.finding.id, None)
    assert asked == ["prior_facial_palsy"]
