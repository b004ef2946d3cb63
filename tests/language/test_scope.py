"""Scope: how far a negation, a hedge or "my mother has" reaches, NegEx-style."""

from __future__ import annotations

import pytest

from facespasm.language import Mention, read
from facespasm.reasoning import Value


def said(text: str) -> dict[str, Value]:
    return read(text).evidence().answers()


def mention(text: str, finding: str) -> Mention:
    found = [m for m in read(text).mentions if m.finding == finding]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a terminator ends the negation: the stress is denied, the exhaustion is not
        ("not stressed but exhausted", {"stress": False, "poor_sleep": True}),
        # a list under one negation: both denied
        ("no pain or numbness", {"facial_pain": False, "other_neuro_symptoms": False}),
        ("no weakness or numbness", {"facial_weakness": False, "other_neuro_symptoms": False}),
        ("denies pain, numbness, tingling", {"facial_pain": False, "other_neuro_symptoms": False}),
        (
            "no sign of weakness nor numbness",
            {"facial_weakness": False, "other_neuro_symptoms": False},
        ),
        # "but" ends it
        ("I don't drink coffee but I smoke", {"caffeine": False, "nicotine": True}),
        # "and" with a new subject opens a new clause
        ("I don't smoke and I drink a lot of coffee", {"nicotine": False, "caffeine": True}),
        # the same in texting with no punctuation: a new subject after the denied finding
        ("dont smoke i drink loads of coffee", {"nicotine": False, "caffeine": True}),
        (
            "no pain my eye just twitches all day",
            {"regions": ("eyelid",), "frequency": "constant", "facial_pain": False},
        ),
        # ... but not before any finding: "my face" is still under "haven't noticed"
        ("I haven't noticed my face drooping", {"facial_weakness": False}),
        # a negation does not cross a sentence
        (
            "No pain. Numbness in my cheek.",
            {"regions": ("cheek",), "facial_pain": False, "other_neuro_symptoms": True},
        ),
        # a denial listed after a comma is its own statement, not a denied denial
        ("Not stressed, sleeping well", {"stress": False, "poor_sleep": False}),
        # a new cue after a comma starts its own clause
        ("no pain, maybe a bit numb?", {"facial_pain": False}),
        # contractions and curly apostrophes negate like "not"
        ("it doesn’t hurt", {"facial_pain": False}),
        ("I haven't had any numbness", {"other_neuro_symptoms": False}),
        ("without any numbness", {"other_neuro_symptoms": False}),
        ("free of pain", {"facial_pain": False}),
        # a gap inside a phrase still carries its negation
        ("touching my face doesn't help", {"sensory_trick": False}),
        # a habit given up is no habit now
        ("I quit smoking last year", {"nicotine": False}),
        # "until" ends it too
        ("I never thought much of it until my ear started ringing", {"hearing_change": True}),
    ],
)
def test_pre_negation_reaches_to_the_end_of_its_clause(
    text: str, expected: dict[str, Value]
) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my hearing is fine", {"hearing_change": False}),
        ("Hearing's fine.", {"hearing_change": False}),
        ("pain - none", {"facial_pain": False}),
        ("balance normal, sleep is ok", {"other_neuro_symptoms": False, "poor_sleep": False}),
        (
            "my hearing is ok and my balance and vision are normal",
            {"vision_blocked": False, "hearing_change": False, "other_neuro_symptoms": False},
        ),
        ("the pain isn't there", {"facial_pain": False}),
        ("stress free", {"stress": False}),
        # only at the end of a clause: "a fine flicker" denies nothing
        ("a fine flicker of my eyelid", {"regions": ("eyelid",), "small_flicker": True}),
        # "than normal" is not a denial of the blinking
        ("I blink more than normal", {"increased_blinking": True}),
    ],
)
def test_post_negation_covers_the_clause_before_it(text: str, expected: dict[str, Value]) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("I think it's getting worse", "getting_worse"),
        ("maybe stress", "stress"),
        ("it might be spreading", "getting_worse"),
        ("possibly a flutter", "small_flicker"),
        ("perhaps a flutter", "small_flicker"),
        ("I guess it's a flicker", "small_flicker"),
        ("it's kind of a flutter", "small_flicker"),
        ("not sure if it's getting worse", "getting_worse"),
        ("not sure whether it's spreading", "getting_worse"),
        ("is it stress?", "stress"),  # a question is hedged as a whole
        ("getting worse, I think", "getting_worse"),  # a hedge at the end covers what came before
    ],
)
def test_hedges_mark_their_mentions_but_keep_them(text: str, finding: str) -> None:
    found = mention(text, finding)
    assert found.hedged
    assert finding in read(text).evidence()  # not a red flag: the hedged mention counts


def test_a_hedged_denial_is_both() -> None:
    found = mention("I don't think it's getting worse", "getting_worse")
    assert (found.value, found.negated, found.hedged) == (False, True, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my mum has MS", {}),  # someone else's history is not the writer's
        ("my dad had Bell's palsy and I drink coffee", {"caffeine": True}),
        ("MS runs in my family", {}),
        ("family history of MS", {}),
        # a relative who only reports is not a cue
        ("my husband says it carries on in my sleep", {"persists_in_sleep": True}),
        ("my wife has noticed it twitches in my sleep", {"persists_in_sleep": True}),
    ],
)
def test_what_is_said_of_someone_else_is_left_out(text: str, expected: dict[str, Value]) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not just my eye, my cheek too", {"regions": ("eyelid", "cheek")}),
        ("not only at night", {}),
        ("no idea why it twitches", {}),
    ],
)
def test_pseudo_negations_deny_nothing(text: str, expected: dict[str, Value]) -> None:
    assert said(text) == expected


def test_a_negated_mention_quotes_its_negation() -> None:
    text = "twitching eye, no pain, hearing is fine, maybe a bit numb"
    reading = read(text)
    quotes = {m.finding: text[m.start : m.end] for m in reading.mentions}
    assert quotes["facial_pain"] == "no pain"
    assert quotes["hearing_change"] == "hearing is fine"
    assert quotes["other_neuro_symptoms"] == "maybe a bit numb"
