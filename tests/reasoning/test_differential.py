"""The differential is a proper probability distribution that moves the way evidence says."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.reasoning import Evidence, differential
from facespasm.reasoning.evidence import parse_value
from facespasm.reasoning.likelihood import probability

from .strategies import evidence, finding_ids, values


@given(evidence())
def test_probabilities_cover_every_cause_and_sum_to_one(known: Evidence) -> None:
    knowledge = load_knowledge()
    probabilities = differential(known, knowledge)
    assert list(probabilities) == list(knowledge.cause_ids)
    assert math.isclose(math.fsum(probabilities.values()), 1.0, abs_tol=1e-9)
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())


def test_with_no_evidence_the_differential_is_the_prior(knowledge: KnowledgeBase) -> None:
    probabilities = differential(Evidence(), knowledge)
    for cause in knowledge.causes:
        assert probabilities[cause.id] == pytest.approx(cause.prior.probability)


@given(evidence(), finding_ids(), st.data())
def test_a_finding_that_favours_a_cause_never_lowers_it(
    known: Evidence, finding_id: str, data: st.DataObject
) -> None:
    knowledge = load_knowledge()
    finding = knowledge.findings[finding_id]
    value = parse_value(knowledge, finding_id, data.draw(values(finding)))
    assert value is not None
    # A finding tied to another known one by `implies` carries no information of its own (it is
    # counted once; test_entailment.py); the property is about findings that stand alone.
    tied = {b for a, b in knowledge.implications if a == finding_id}
    tied |= {a for a, b in knowledge.implications if b == finding_id}
    assume(not tied & set(known.items))
    before = differential(known.without(finding_id), knowledge)
    after = differential(known.without(finding_id).with_value(finding_id, value), knowledge)
    likelihood = {cause: probability(finding, value, cause) for cause in before}
    expected = math.fsum(before[c] * likelihood[c] for c in before)
    for cause in before:
        # "Favours": the answer is at least as likely under this cause as the differential
        # expected it to be overall. Then the cause's probability cannot fall.
        if likelihood[cause] >= expected:
            assert after[cause] >= before[cause] - 1e-12
        else:
            assert after[cause] <= before[cause] + 1e-12


@given(evidence())
def test_unknown_answers_change_nothing(known: Evidence) -> None:
    knowledge = load_knowledge()
    with_unknowns = Evidence.from_answers(
        {**known.answers(), **{f: None for f in knowledge.findings if f not in known}}
    )
    assert differential(with_unknowns, knowledge) == differential(known, knowledge)


@pytest.mark.parametrize(
    ("answers", "cause"),
    [
        ({"prior_facial_palsy": True, "with_voluntary_movement": True}, "synkinesis"),
        ({"side": "both", "forceful_closure": True, "increased_blinking": True}, "blepharospasm"),
        ({"spread_to_lower_face": True, "persists_in_sleep": True}, "hemifacial_spasm"),
        ({"multiple_sclerosis": True}, "ms_related"),
        ({"small_flicker": True, "duration_days": 3}, "myokymia"),
    ],
)
def test_the_hallmark_of_each_cause_makes_it_the_most_likely(
    knowledge: KnowledgeBase, answers: dict[str, object], cause: str
) -> None:
    probabilities = differential(Evidence.from_answers(answers), knowledge)
    assert max(probabilities, key=lambda c: probabilities[c]) == cause


def test_numbers_fall_in_the_right_bin(knowledge: KnowledgeBase) -> None:
    age = knowledge.findings["age"]
    # bins: under 30 | 30–49 | 50–69 | 70 or older (the lower bound belongs to the bin)
    for value, expected_bin in ((1, 0), (29.9, 0), (30, 1), (49, 1), (50, 2), (70, 3), (120, 3)):
        assert age.likelihood is not None
        table = age.likelihood["myokymia"]
        assert isinstance(table, tuple)
        assert probability(age, float(value), "myokymia") == table[expected_bin]
