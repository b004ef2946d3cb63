"""The reader: a person's own description becomes ⚑ evidence, by the conventions of DESIGN.md.

Each table is one convention of the reader's specification, a couple of examples per row.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import facespasm.language
from facespasm import assess
from facespasm.errors import InputError
from facespasm.knowledge import KnowledgeBase
from facespasm.language import MAX_CHARS, Mention, Reading, read
from facespasm.reasoning import Evidence, Origin, Value
from facespasm.reasoning.evidence import parse_value

TODAY = dt.date(2026, 11, 24)


def said(text: str) -> dict[str, Value]:
    return read(text, today=TODAY).evidence().answers()


def test_the_public_api() -> None:
    assert sorted(facespasm.language.__all__) == ["MAX_CHARS", "Mention", "Reading", "read"]


def test_a_description_becomes_evidence() -> None:
    text = "my left eye has been jumping for three weeks, way too much coffee, no pain"
    assert said(text) == {
        "side": "one",
        "regions": ("eyelid",),
        "small_flicker": True,
        "duration_days": 21.0,
        "facial_pain": False,
        "caffeine": True,
    }


def check(text: str, expected: dict[str, Value | None]) -> None:
    answers = said(text)
    assert {key: answers.get(key) for key in expected} == expected, answers


# -- what it looks like ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("my left eye twitches", "one"),
        ("right cheek", "one"),
        ("only on one side", "one"),
        ("only one eye", "one"),
        ("it's not both eyes", "one"),  # "not both" is one
        ("both eyes", "both"),
        ("both sides of my face", "both"),
        ("my left eye and my right eye", "both"),  # left and right make both
        ("started in the left eye, now the other eye too", "both"),
        ("my eye twitches", None),  # a bare "my eye" names no side
        # the side of an old palsy is not a second side of the twitching
        ("Bell's palsy on the left side in 2010. Now my right eye twitches", "one"),
    ],
)
def test_side(text: str, side: Value | None) -> None:
    check(text, {"side": side})


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("my eyelid", ("eyelid",)),
        ("under my eye", ("eyelid",)),
        ("my upper lid and lower lid", ("eyelid",)),
        ("eye lid", ("eyelid",)),
        ("my eyebrow", ("brow",)),
        ("my forehead", ("brow",)),
        ("my cheek", ("cheek",)),
        ("the corner of my mouth", ("mouth",)),
        ("lip and chin", ("mouth",)),
        ("my jaw", ("mouth",)),
        ("my neck", ("neck",)),
        ("my chin and my eye", ("eyelid", "mouth")),  # the question's order, not the text's
        ("it pulls my mouth to the side", ("mouth",)),
        ("not in my cheek, just the eye", ("eyelid",)),  # a denied place names nothing
        ("I need eye drops", None),  # eye words that are not where it twitches
        ("I rubbed my neck and my eye twitches", ("eyelid",)),
    ],
)
def test_regions(text: str, regions: Value | None) -> None:
    check(text, {"regions": regions})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a flicker", {"small_flicker": True}),
        ("it flutters", {"small_flicker": True}),
        ("like a ripple under the skin", {"small_flicker": True}),
        ("my eye keeps jumping", {"small_flicker": True}),
        ("a small twitch of the lid", {"small_flicker": True}),
        ("a facial tic", {"small_flicker": True}),
        ("my eyes clamp shut", {"forceful_closure": True}),
        ("they squeeze shut", {"forceful_closure": True}),
        ("screws shut", {"forceful_closure": True}),
        ("forced shut", {"forceful_closure": True}),
        ("I can't open my eyes when it happens", {"vision_blocked": True}),
        ("I can't see for a few seconds", {"vision_blocked": True}),
        ("blinking a lot", {"increased_blinking": True}),
        ("I blink all the time", {"increased_blinking": True}),
        ("my eye shuts completely", {"eye_closes_completely": True}),
        ("it closes all the way", {"eye_closes_completely": True}),
        ("my eye closes when I smile", {"with_voluntary_movement": True}),
        ("when I eat my eye shuts", {"with_voluntary_movement": True}),
        ("my mouth pulls when I blink", {"with_voluntary_movement": True, "regions": ("mouth",)}),
        ("bright light sets it off", {"light_sensitivity": True}),
        ("bright light bothers me", {"light_sensitivity": True}),
        ("touching my face helps", {"sensory_trick": True}),
        ("humming helps", {"sensory_trick": True}),
        ("singing makes it stop", {"sensory_trick": True}),
    ],
)
def test_what_it_looks_like(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


# -- its course ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # began at the eye, now lower: spread, and the regions named
        (
            "twitch started in my lower lid 2 months ago and now my cheek pulls up",
            {"spread_to_lower_face": True, "regions": ("eyelid", "cheek")},
        ),
        (
            "started at my eye, now in my cheek",
            {"spread_to_lower_face": True, "regions": ("eyelid", "cheek")},
        ),
        ("it has spread to my mouth", {"spread_to_lower_face": True, "getting_worse": True}),
        ("it hasn't spread", {"spread_to_lower_face": False}),
        ("getting worse", {"getting_worse": True}),
        ("it happens more often now", {"getting_worse": True}),
        ("getting stronger", {"getting_worse": True}),
        ("it's spreading", {"getting_worse": True}),
        ("not getting worse", {"getting_worse": False}),
        ("same as ever", {"getting_worse": False}),
        ("it carries on in my sleep", {"persists_in_sleep": True}),
        ("it twitches when I'm asleep", {"persists_in_sleep": True}),
        ("it stops when I'm asleep", {"persists_in_sleep": False}),
        # worse when tired is a trigger, not a report of getting worse or of stress lately
        (
            "worse when tired",
            {"worse_with_stress_or_fatigue": True, "getting_worse": None, "stress": None},
        ),
        (
            "it gets worse when I'm stressed",
            {"worse_with_stress_or_fatigue": True, "getting_worse": None, "stress": None},
        ),
        ("constant, all day", {"frequency": "constant"}),
        ("it never stops", {"frequency": "constant"}),
        ("non-stop, every few seconds all day", {"frequency": "constant"}),
        ("every day", {"frequency": "daily"}),
        ("several times a day", {"frequency": "daily"}),
        ("now and then", {"frequency": "occasional"}),
        ("it comes and goes", {"frequency": "occasional"}),
        ("a few times a week", {"frequency": "occasional"}),
        ("comes and goes, but lately all day", {"frequency": "constant"}),  # the most frequent
        ("I drink coffee every day", {"frequency": None}),  # the habit's, not the twitching's
        # after a comma "every day" is how often, and "a month" stays how long
        (
            "the left eye, for about a month, every day",
            {"duration_days": 30.0, "frequency": "daily"},
        ),
    ],
)
def test_course(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


# -- the person ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm 52", {"age": 52.0}),
        ("I’m 52 and worried", {"age": 52.0}),
        ("52-year-old", {"age": 52.0}),
        ("age 52", {"age": 52.0}),
        ("52 yo", {"age": 52.0}),
        ("aged 52", {"age": 52.0}),
        ("in my fifties", {"age": 50.0}),
        ("I'm 3 weeks into this", {"age": None}),  # a time, not an age
        ("I'm a 45-year-old man", {"age": 45.0, "sex": "male"}),
        ("as a woman", {"sex": "female"}),
        ("I (F, 34) have a twitch", {"sex": "female", "age": 34.0}),
        ("34F", {"sex": "female", "age": 34.0}),
        ("my husband says it's worse at night", {"sex": None}),  # says nothing of the writer
        ("my 8 year old son", {"age": None, "sex": None}),
    ],
)
def test_age_and_sex(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("way too much coffee", {"caffeine": True}),
        ("espresso and energy drinks", {"caffeine": True, "alcohol": None}),
        ("lots of cola and tea", {"caffeine": True}),
        ("I don't drink coffee", {"caffeine": False, "alcohol": None}),
        ("decaf only", {"caffeine": False}),
        ("I smoke", {"nicotine": True}),
        ("vaping", {"nicotine": True}),
        ("I don't smoke", {"nicotine": False}),
        ("a glass of wine most nights", {"alcohol": True}),
        ("beer and booze", {"alcohol": True}),
        ("I don't drink", {"alcohol": False}),
        ("exams", {"stress": True}),
        ("deadlines and anxiety", {"stress": True}),
        ("I'm worried", {"stress": True}),
        ("not stressed", {"stress": False}),
        ("not sleeping", {"poor_sleep": True}),
        ("insomnia", {"poor_sleep": True}),
        ("new baby", {"poor_sleep": True}),
        ("night shifts", {"poor_sleep": True}),
        ("exhausted from no sleep", {"poor_sleep": True}),
        ("sleeping fine", {"poor_sleep": False}),
        ("I haven't slept well", {"poor_sleep": True}),
        ("screens all day", {"screen_time": True, "frequency": None}),
        ("gaming", {"screen_time": True}),
        ("reading a lot", {"screen_time": True}),
        ("skipping meals", {"poor_diet": True}),
        ("not drinking water", {"poor_diet": True, "alcohol": None}),
        ("dehydrated", {"poor_diet": True}),
        ("low magnesium", {"poor_diet": True}),
    ],
)
def test_lifestyle(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I had Bell's palsy", {"prior_facial_palsy": True}),
        ("bells palsey years ago", {"prior_facial_palsy": True}),
        ("facial paralysis in the past", {"prior_facial_palsy": True}),
        ("never had Bell's palsy", {"prior_facial_palsy": False}),
        ("diagnosed with MS", {"multiple_sclerosis": True}),
        ("I don't have MS", {"multiple_sclerosis": False}),
        ("it started after hitting my head", {"head_injury": True, "facial_pain": None}),
        ("a car accident with a head injury", {"head_injury": True}),
        ("I had a concussion", {"head_injury": True}),
        ("no head injury", {"head_injury": False}),
    ],
)
def test_history(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


# -- red flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my face feels weak", {"facial_weakness": True}),
        ("one side is drooping", {"facial_weakness": True}),
        ("my smile is lopsided", {"facial_weakness": True}),
        ("I can't close my eye, it's weak", {"facial_weakness": True}),
        (
            "sudden droop and my arm is weak",
            {"sudden_weakness": True, "facial_weakness": True, "other_neuro_symptoms": True},
        ),
        ("slurred speech", {"sudden_weakness": True}),
        ("trouble speaking", {"sudden_weakness": True}),
        ("it hurts", {"facial_pain": True}),
        ("pain around my eye", {"facial_pain": True}),
        ("my face aches", {"facial_pain": True}),
        ("hearing loss", {"hearing_change": True}),
        ("ringing in my ear", {"hearing_change": True}),
        ("buzzing in my ears", {"hearing_change": True}),
        ("tinnitus", {"hearing_change": True}),
        ("my ear feels blocked", {"hearing_change": True}),
        ("numbness", {"other_neuro_symptoms": True}),
        ("tingling", {"other_neuro_symptoms": True}),
        ("pins and needles", {"other_neuro_symptoms": True}),
        ("double vision", {"other_neuro_symptoms": True}),
        ("trouble with my balance", {"other_neuro_symptoms": True}),
        ("I feel dizzy and unsteady", {"other_neuro_symptoms": True}),
        ("weakness in my leg", {"other_neuro_symptoms": True, "facial_weakness": None}),
        # a "not" that states the problem, not a denial of it
        ("my hearing isn't what it was", {"hearing_change": True}),
        ("my hearing is not as good as it used to be", {"hearing_change": True}),
        ("my balance is not great", {"other_neuro_symptoms": True}),
        ("I can't smile properly on the left", {"facial_weakness": True}),
        ("I can't lift my arm", {"other_neuro_symptoms": True}),
        ("the right side doesn't lift as much when I smile", {"facial_weakness": True}),
        ("my eye doesn't close properly when I wash", {"facial_weakness": True}),
        ("my balance has been off", {"other_neuro_symptoms": True}),
        # the hearing is what got worse, not the twitching
        ("my hearing on the left is worse", {"hearing_change": True, "getting_worse": None}),
        ("neck pain", {"facial_pain": None}),  # pain elsewhere is not facial pain
        ("headaches", {"facial_pain": None}),
    ],
)
def test_red_flags(text: str, expected: dict[str, Value | None]) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("maybe a bit numb?", "other_neuro_symptoms"),
        ("I think my face is drooping a bit", "facial_weakness"),
        ("possibly some tingling", "other_neuro_symptoms"),
        ("not sure if my hearing has changed", "hearing_change"),
        ("is my face weaker?", "facial_weakness"),
        ("no numbness, maybe some tingling", "other_neuro_symptoms"),  # denied, then hedged
    ],
)
def test_a_hedged_red_flag_counts_for_the_level_and_is_asked(text: str, flag: str) -> None:
    reading = read(text, today=TODAY)
    assert flag in reading.uncertain
    item = reading.evidence().items[flag]
    assert item.hedged and item.value is True  # present for the care level ...
    assert flag not in reading.evidence().answers()  # ... but not a value for the differential
    assert assess(reading.evidence()).triage.level in ("see_doctor_soon", "emergency")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I don't think there is any weakness", "facial_weakness"),  # a hedged denial
        # a fear or a rumour is not a symptom, but it is asked
        ("my mate said it's a sign of a stroke", "sudden_weakness"),
        ("worried it might be MS", "multiple_sclerosis"),
    ],
)
def test_a_hedged_denial_or_a_fear_is_asked_not_counted(text: str, flag: str) -> None:
    reading = read(text, today=TODAY)
    assert flag in reading.uncertain
    assert flag not in reading.evidence()
    assert flag in assess(reading.evidence()).triage.pending


def test_a_red_flag_stated_and_denied_is_true() -> None:
    reading = read("No pain at first, but now it hurts around my eye", today=TODAY)
    assert reading.evidence().value("facial_pain") is True
    assert reading.uncertain == ()
    item = reading.evidence().items["facial_pain"]
    assert [reading.text[s:e] for s, e in item.spans] == ["hurts"]


def test_a_red_flag_stated_plainly_and_hedged_is_true() -> None:
    reading = read("my face is drooping, maybe my hearing too?", today=TODAY)
    assert reading.evidence().value("facial_weakness") is True
    assert "facial_weakness" not in reading.uncertain


def test_a_red_flag_only_denied_is_false() -> None:
    assert said("no pain, no numbness")["facial_pain"] is False


def test_another_yes_no_finding_takes_its_last_mention() -> None:
    assert said("it was getting worse, now it's the same as ever")["getting_worse"] is False
    assert said("maybe stress")["stress"] is True  # hedged, but not a red flag: it counts


# -- spelling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("twiching left eye", {"side": "one", "regions": ("eyelid",)}),
        ("too much caffiene", {"caffeine": True}),
        ("numbnes in my cheek", {"other_neuro_symptoms": True}),
        ("bells pallsy", {"prior_facial_palsy": True}),
        ("very stresed", {"stress": True}),
        ("my face was paralysed", {"prior_facial_palsy": True}),
        ("my face was paralyzed", {"prior_facial_palsy": True}),
        ("my eye lid twitches", {"regions": ("eyelid",)}),
        ("I don’t smoke and it’s not painful", {"nicotine": False, "facial_pain": False}),
        ("EXHAUSTED AND STRESSED", {"poor_sleep": True, "stress": True}),
    ],
)
def test_misspellings_british_american_and_apostrophes(
    text: str, expected: dict[str, Value | None]
) -> None:
    check(text, expected)


def test_lowercase_run_on_texting() -> None:
    text = (
        "my left eye twitches all the time im so stressed and i dont sleep and i drink like "
        "6 coffees a day no pain no numbness its been going on for 2 weeks"
    )
    assert said(text) == {
        "side": "one",
        "regions": ("eyelid",),
        "duration_days": 14.0,
        "frequency": "constant",
        "facial_pain": False,
        "other_neuro_symptoms": False,
        "stress": True,
        "poor_sleep": True,
        "caffeine": True,
    }


# -- mentions and evidence -------------------------------------------------------------------


def test_mentions_quote_their_words_in_text_order() -> None:
    text = "Left eye flickering since Monday. No pain; hearing is fine. Maybe a bit numb?"
    reading = read(text, today=TODAY)
    quoted = [(m.finding, text[m.start : m.end], m.negated, m.hedged) for m in reading.mentions]
    assert quoted == [
        ("side", "Left eye", False, False),
        ("regions", "eye", False, False),
        ("small_flicker", "flickering", False, False),
        ("duration_days", "since Monday", False, False),
        ("facial_pain", "No pain", True, False),
        ("hearing_change", "hearing is fine", True, False),
        ("other_neuro_symptoms", "Maybe a bit numb", False, True),
    ]
    assert reading.uncertain == ("other_neuro_symptoms",)


def test_evidence_items_come_from_the_text_with_every_span() -> None:
    text = "twitching in my left eye and my cheek, the left side only"
    evidence = read(text, today=TODAY).evidence()
    side = evidence.items["side"]
    assert side.origin is Origin.TEXT
    assert [text[s:e] for s, e in side.spans] == ["left eye", "left side"]
    assert side.detail == '"left eye", "left side"'
    regions = evidence.items["regions"]
    assert regions.value == ("eyelid", "cheek")
    assert [text[s:e] for s, e in regions.spans] == ["eye", "cheek"]


@pytest.mark.parametrize(
    "text",
    [
        "my left eye has been jumping for three weeks, way too much coffee, no pain",
        "I'm a 58 year old woman. For the past year my right eye has been closing on its own "
        "and now the right side of my mouth pulls up. It's getting worse. No head injury.",
        "both eyes clamp shut in bright light, humming helps, blinking a lot, since March",
    ],
)
def test_evidence_passes_the_answers_check(text: str, knowledge: KnowledgeBase) -> None:
    evidence = read(text, today=TODAY).evidence()
    for item in evidence:
        assert parse_value(knowledge, item.finding, _raw(item.value)) == item.value
    assert Evidence.from_answers({k: _raw(v) for k, v in evidence.answers().items()}).answers() == (
        evidence.answers()
    )


def _raw(value: Value) -> object:
    return list(value) if isinstance(value, tuple) else value


def test_the_reading_as_json_says_what_was_understood_and_what_to_ask() -> None:
    text = "left eye jumping, no pain, maybe a bit numb?"
    document = read(text, today=TODAY).to_dict()
    understood = {item["finding"]: item for item in document["understood"]}
    assert understood["facial_pain"]["value"] is False
    assert understood["facial_pain"]["quote"] == "no pain"
    assert understood["facial_pain"]["text"] == "not: pain in the face or eye"
    assert understood["regions"]["value"] == ["eyelid"]
    assert [item["finding"] for item in document["to_ask"]] == ["other_neuro_symptoms"]
    assert document["to_ask"][0]["quote"] == "maybe a bit numb"
    assert document["to_ask"][0]["question"].startswith("Have you had other new nerve symptoms")


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_description_reads_as_nothing(text: str) -> None:
    reading = read(text)
    assert reading == Reading(text, (), ())
    assert len(reading.evidence()) == 0


@pytest.mark.parametrize("text", [None, 42, b"my eye", ["my eye"]])
def test_a_description_must_be_text(text: object) -> None:
    with pytest.raises(InputError, match="a description must be text"):
        read(text)  # type: ignore[arg-type]


def test_a_description_over_the_limit_is_refused() -> None:
    assert read("eye " * (MAX_CHARS // 4)).mentions  # exactly at the limit is read
    with pytest.raises(InputError, match=r"^description is too long \(10,001 characters"):
        read("x" * (MAX_CHARS + 1))


@given(st.text(max_size=2000))
def test_any_text_reads_quickly_with_every_span_inside_it(text: str) -> None:
    begin = time.perf_counter()
    reading = read(text, today=TODAY)
    evidence = reading.evidence()
    assert time.perf_counter() - begin < 1.0
    for found in reading.mentions:
        assert isinstance(found, Mention)
        assert 0 <= found.start < found.end <= len(text)
    assert [m.start for m in reading.mentions] == sorted(m.start for m in reading.mentions)
    for item in evidence:
        assert all(0 <= s < e <= len(text) for s, e in item.spans)
    assert not set(reading.uncertain) & set(evidence.items)


@given(
    st.lists(
        st.sampled_from(
            [
                "no",
                "not",
                "maybe",
                "pain",
                "left",
                "eye",
                "both",
                "since",
                "a",
                "few",
                "weeks",
                "?",
                ",",
                ".",
                "and",
                "i",
                "my",
                "drink",
                "coffee",
                "spread",
                "cheek",
                "when",
                "smile",
                "worse",
                "numb",
                "52",
                "year",
                "old",
                "but",
                "fine",
                "hearing",
            ]
        ),
        max_size=300,
    )
)
def test_any_mix_of_lexicon_words_reads_without_error(words: list[str]) -> None:
    text = " ".join(words)
    reading = read(text, today=TODAY)
    for found in reading.mentions:
        assert text[found.start : found.end].strip() == text[found.start : found.end]
    reading.evidence()
    reading.to_dict()


def test_remembering_is_not_doubting() -> None:
    reading = read("No pain... well, now that I think about it my cheek aches a bit", today=TODAY)
    assert reading.evidence().value("facial_pain") is True
    assert reading.uncertain == ()
