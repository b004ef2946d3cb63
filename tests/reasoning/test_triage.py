"""The care level is never below the ⚑ floor of DESIGN.md, and red flags only ever raise it."""

from __future__ import annotations

import pytest
from hypothesis import given

from facespasm import assess
from facespasm.knowledge import KnowledgeBase, load_knowledge
from facespasm.reasoning import Evidence, differential, triage

from .strategies import evidence

LEVELS = ("self_care", "see_doctor", "see_doctor_soon", "emergency")
OTHER_CAUSES = (
    "hemifacial_spasm",
    "blepharospasm",
    "synkinesis",
    "ms_related",
    "structural_lesion",
)


def design_floor(known: Evidence, probabilities: dict[str, float]) -> str:
    """DESIGN.md's floor, written out independently of care.yaml."""
    yes = {item.finding for item in known if item.value is True}
    ruled_out = {item.finding for item in known if item.value is False and not item.hedged}
    if "sudden_weakness" in yes:
        return "emergency"
    soon = {"facial_weakness", "facial_pain", "hearing_change", "other_neuro_symptoms",
            "head_injury", "multiple_sclerosis"}  # fmt: skip
    if yes & soon:
        return "see_doctor_soon"
    duration = known.value("duration_days")
    lasting = isinstance(duration, float) and duration > 21
    # "likely" is read as "the most probable single cause": the floor at its least careful.
    likely_other = max(probabilities, key=lambda c: probabilities[c]) in OTHER_CAUSES
    if lasting or yes & {"spread_to_lower_face", "eye_closes_completely"} or likely_other:
        return "see_doctor"
    # ⚑ Self-care needs every red flag ruled out.
    if not ruled_out >= set(load_knowledge().red_flags):
        return "see_doctor"
    return "self_care"


@given(evidence())
def test_the_care_level_is_never_below_the_design_floor(known: Evidence) -> None:
    knowledge = load_knowledge()
    probabilities = differential(known, knowledge)
    level = triage(known, probabilities, knowledge).level
    assert LEVELS.index(level) >= LEVELS.index(design_floor(known, probabilities))


@given(evidence())
def test_answering_yes_to_a_red_flag_never_lowers_the_care_level(known: Evidence) -> None:
    knowledge = load_knowledge()
    before = assess(known, knowledge).triage.level
    for red_flag in knowledge.red_flags:
        after = assess(known.with_value(red_flag, True), knowledge).triage.level
        assert LEVELS.index(after) >= max(LEVELS.index(before), LEVELS.index("see_doctor_soon"))


def no_red_flags() -> dict[str, object]:
    """Every red flag answered "no": the only way to self-care."""
    return dict.fromkeys(load_knowledge().red_flags, False)


FLOOR_CASES = [
    # (answers, the level DESIGN.md demands)
    ({"sudden_weakness": True}, "emergency"),
    ({"sudden_weakness": True, "small_flicker": True, "duration_days": 1}, "emergency"),
    ({"facial_weakness": True}, "see_doctor_soon"),
    ({"facial_pain": True}, "see_doctor_soon"),
    ({"hearing_change": True}, "see_doctor_soon"),
    ({"other_neuro_symptoms": True}, "see_doctor_soon"),
    ({"head_injury": True}, "see_doctor_soon"),
    ({"multiple_sclerosis": True}, "see_doctor_soon"),
    ({"duration_days": 22, "small_flicker": True, "regions": ["eyelid"]}, "see_doctor"),
    ({"spread_to_lower_face": True}, "see_doctor"),
    ({"eye_closes_completely": True}, "see_doctor"),
    ({"side": "both", "forceful_closure": True, "increased_blinking": True}, "see_doctor"),
    # blinking much more than usual is blepharospasm's commonest first sign, never self-care
    ({"increased_blinking": True, "small_flicker": True, "duration_days": 3,
      "regions": ["eyelid"], **no_red_flags()}, "see_doctor"),
    ({"small_flicker": True, "duration_days": 3, "regions": ["eyelid"], **no_red_flags()},
     "self_care"),
    ({**no_red_flags()}, "self_care"),
    # ⚑ a red flag not ruled out keeps it at see a doctor, however harmless the rest
    ({"small_flicker": True, "duration_days": 3, "regions": ["eyelid"]}, "see_doctor"),
    ({}, "see_doctor"),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "level"), FLOOR_CASES)
def test_each_floor_rule(knowledge: KnowledgeBase, answers: dict[str, object], level: str):
    assert assess(answers, knowledge).triage.level == level


def test_more_careful_than_the_article_after_two_weeks(knowledge: KnowledgeBase) -> None:
    # The article says "more than a few weeks", the NHS 2 weeks: facespasm takes the NHS.
    answers = {"small_flicker": True, "regions": ["eyelid"], **no_red_flags()}
    assert assess({**answers, "duration_days": 14}, knowledge).triage.level == "self_care"
    assert assess({**answers, "duration_days": 15}, knowledge).triage.level == "see_doctor"


def test_every_reason_names_its_rule_level_and_sources(knowledge: KnowledgeBase) -> None:
    result = assess({"facial_pain": True, "duration_days": 30}, knowledge).triage
    assert [reason.rule for reason in result.reasons] == [
        "facial_pain",
        "red_flags_not_ruled_out",  # sudden weakness, hearing... were not asked
        "lasting_weeks",
        "likely_other_cause",  # pain makes myokymia less certain
    ]
    assert all(reason.sources and reason.text for reason in result.reasons)
    assert result.reasons[0].level == "see_doctor_soon"


def test_unanswered_red_flags_are_pending_not_assumed(knowledge: KnowledgeBase) -> None:
    result = assess({"small_flicker": True, "facial_pain": False}, knowledge).triage
    assert result.level == "see_doctor"
    assert not result.complete
    assert "facial_pain" not in result.pending
    # breathing is asked only after a new medicine
    assert set(result.pending) == set(knowledge.red_flags) - {"facial_pain", "breathing_trouble"}
