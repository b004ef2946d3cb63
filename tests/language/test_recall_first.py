"""Red flags read however they are put: recall first, hedged, never a "no" (issue 10, part 4).

The phrases here are the test's own, written for it; the blind evaluation sets (tests/blind/)
measure how the reader does on words nobody here wrote.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facespasm import assess
from facespasm.language import read
from facespasm.reasoning import Evidence

TODAY = dt.date(2026, 11, 30)


def read_evidence(text: str) -> Evidence:
    return read(text, today=TODAY).evidence()


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a body function changing, in words no list of symptoms holds
        ("the corner of my lip has gone all lopsided", "facial_weakness"),
        ("my soup keeps leaking out of one side of my mouth", "facial_weakness"),
        ("when I try to whistle nothing happens on the left", "facial_weakness"),
        ("the skin on my chin feels like rubber", "other_neuro_symptoms"),
        ("my right hand keeps dropping my pen and feels heavy", "other_neuro_symptoms"),
        ("music sounds tinny and distant in my left ear", "hearing_change"),
        ("the road signs have a shadow copy next to them", "vision_change"),
        ("I keep seeing two of the telly", "vision_change"),
        ("I walloped my forehead on the shelf last week", "head_injury"),
        ("she gets her Ocrevus infusion in spring", "multiple_sclerosis"),
        ("my eyelid is hanging lower than the other one", "drooping_eyelid"),
        ("the lashes are crusty and the eye is bloodshot", "red_eye"),
    ],
)
def test_a_changed_body_function_is_caught(text: str, finding: str) -> None:
    item = read_evidence(text).items.get(finding)
    assert item is not None and item.value is True, read(text, today=TODAY).mentions


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("my arm won't do what I tell it", "other_neuro_symptoms"),  # "won't" is the symptom
        ("I can't feel the toothbrush on my gums", "other_neuro_symptoms"),
        ("my eye stays open when I blink on that side", "facial_weakness"),
    ],
)
def test_a_not_that_is_the_symptom_does_not_deny_it(text: str, finding: str) -> None:
    assert read_evidence(text).value(finding) is True


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("nothing feels numb and my face is not lopsided", "facial_weakness"),
        ("my face looks totally even, nothing is tingly", "other_neuro_symptoms"),
        ("no ringing or whooshing in my ears", "hearing_change"),
    ],
)
def test_a_denial_around_the_words_is_never_turned_into_a_yes(text: str, finding: str) -> None:
    assert read_evidence(text).value(finding) in (False, None)


def test_a_reading_found_only_by_recall_is_hedged_and_counts_for_the_level() -> None:
    evidence = read_evidence("my cheek feels fizzy like sherbet since Monday")
    item = evidence.items["other_neuro_symptoms"]
    assert item.hedged  # asked, and counted until the person says no
    assert assess(evidence).triage.level == "see_doctor_soon"


def test_a_body_part_and_a_change_across_a_comma_are_not_one_statement() -> None:
    text = "my face twitches under the eye, my legs are fine, nothing is heavy"
    assert "facial_weakness" not in read_evidence(text)


def test_a_face_giving_way_now_is_a_stroke_sign_and_long_ago_is_history() -> None:
    now = read_evidence("twenty minutes ago my smile went crooked and my arm felt heavy")
    assert now.value("sudden_weakness") is True
    past = read_evidence("Ten years ago half my face was paralysed for a month")
    assert "facial_weakness" not in past and "sudden_weakness" not in past
    assert past.value("prior_facial_palsy") is True


def test_words_going_wrong_are_a_stroke_sign_whenever_they_happened() -> None:
    assert (
        read_evidence("on Friday my words came out jumbled for a while").value("sudden_weakness")
        is True
    )


def test_a_locked_jaw_is_a_reaction_only_after_a_medicine() -> None:
    after = read_evidence("I was given metoclopramide. Now my jaw keeps locking to one side")
    assert after.value("drug_reaction") is True
    assert after.value("new_medicine") is True
    assert assess(after).triage.level in ("see_doctor_soon", "emergency")
    plain = read_evidence("my jaw keeps locking to one side when I yawn")
    assert "drug_reaction" not in plain


def test_a_stated_diagnosis_is_evidence_and_a_feared_one_is_not() -> None:
    said = read_evidence("my neurologist says it is blepharospasm")
    assert said.value("known_diagnosis") == "blepharospasm"
    feared = read_evidence("I am worried it is blepharospasm")
    assert "known_diagnosis" not in feared


def test_a_description_about_someone_else_reads_their_symptoms() -> None:
    text = "My dad is 81. His left eye has twitched for months and his speech is garbled today"
    evidence = read_evidence(text)
    assert evidence.value("age") == 81
    assert evidence.value("sudden_weakness") is True
    assert evidence.value("regions") == ("eyelid",)


def test_someone_elses_illness_in_a_first_person_description_is_not_the_writers() -> None:
    evidence = read_evidence("My eye twitches. My mum has MS and my son is 7")
    assert "multiple_sclerosis" not in evidence
    assert "age" not in evidence
