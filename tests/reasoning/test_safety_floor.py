"""⚑ Self-care needs every red flag ruled out: unknown, "don't know" and never reached are not "no".

The floor of DESIGN.md and issue 10, as the library states it; the command line, the API and the
pages each have their own tests that they show the same.
"""

from __future__ import annotations

from hypothesis import given

from facespasm import Interview, assess
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.reasoning import Evidence, EvidenceItem, Origin

from .strategies import evidence

HARMLESS = {"side": "one", "regions": ["eyelid"], "small_flicker": True, "duration_days": 3}


def no_red_flags(knowledge: KnowledgeBase) -> dict[str, object]:
    return dict.fromkeys(knowledge.red_flags, False)


@given(evidence())
def test_self_care_only_ever_comes_with_a_complete_triage(known: Evidence) -> None:
    triage = assess(known).triage
    assert triage.complete == (not triage.pending)
    if triage.level == "self_care":
        assert triage.complete
        assert all(known.value(f) is False for f in load_knowledge().red_flags if f in known)


def test_every_red_flag_answered_no_allows_self_care(knowledge: KnowledgeBase) -> None:
    triage = assess({**HARMLESS, **no_red_flags(knowledge)}).triage
    assert (triage.level, triage.complete, triage.pending) == ("self_care", True, ())


def test_one_red_flag_unknown_keeps_it_at_see_a_doctor(knowledge: KnowledgeBase) -> None:
    for red_flag in knowledge.red_flags:
        if red_flag == "breathing_trouble":
            continue  # asked only after a new medicine: see the next test
        if red_flag == "vision_change":
            continue  # "no other nerve symptoms" (vision among them) has ruled it out
        answers = {**HARMLESS, **no_red_flags(knowledge)}
        del answers[red_flag]
        triage = assess(answers).triage
        assert triage.level == "see_doctor", red_flag
        assert triage.pending == (red_flag,)
        floor = triage.reasons[-1]
        assert floor.rule == "red_flags_not_ruled_out"
        assert knowledge.findings[red_flag].label in floor.text  # it names what is open


def test_breathing_is_open_only_once_a_medicine_is_in_the_picture(knowledge: KnowledgeBase):
    answers = {**HARMLESS, **no_red_flags(knowledge)}
    del answers["breathing_trouble"]
    assert assess(answers).triage.level == "self_care"
    with_medicine = assess({**answers, "new_medicine": True}).triage
    assert "breathing_trouble" in with_medicine.pending


def test_a_hedged_red_flag_counts_until_the_person_says_no(knowledge: KnowledgeBase) -> None:
    answers = {**HARMLESS, **no_red_flags(knowledge)}
    del answers["other_neuro_symptoms"]
    hedged = EvidenceItem("other_neuro_symptoms", True, Origin.TEXT, hedged=True)
    known = Evidence.from_answers(answers).merged(Evidence({hedged.finding: hedged}))
    triage = assess(known).triage
    assert triage.level == "see_doctor_soon"
    assert "other_neuro_symptoms" in triage.pending  # and it is asked
    assert triage.reasons[0].uncertain == ("other_neuro_symptoms",)
    cleared = known.with_value("other_neuro_symptoms", False)
    assert assess(cleared).triage.level == "self_care"
    # a hedge is not a value for the causes
    factors = [f.finding for c in assess(known).conditions for f in c.supporting + c.opposing]
    assert "other_neuro_symptoms" not in factors


def test_dont_know_to_a_red_flag_never_ends_in_self_care(knowledge: KnowledgeBase) -> None:
    interview = Interview(knowledge)
    while (question := interview.next_question()) is not None:
        finding = question.finding
        if finding.id == "facial_pain":
            interview.answer(finding.id, None)  # "don't know"
        elif finding.id in HARMLESS:
            interview.answer(finding.id, HARMLESS[finding.id])
        else:
            interview.answer(finding.id, False if finding.type == "boolean" else None)
    triage = interview.result().triage
    assert triage.level == "see_doctor"
    assert triage.pending == ("facial_pain",)


def test_finishing_early_never_ends_in_self_care(knowledge: KnowledgeBase) -> None:
    interview = Interview(knowledge)
    interview.answer("sudden_weakness", False)  # then "Finish now"
    triage = interview.result().triage
    assert triage.level == "see_doctor"
    assert not triage.complete
    assert "facial_weakness" in triage.pending and "sudden_weakness" not in triage.pending
