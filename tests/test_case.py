"""One assessment of a whole case: the person's answers outrank their text, which outranks video.

`assess_case` is the one call the terminal, the API and the result page make (facespasm/case.py);
these are its rules, finding by finding.
"""

from __future__ import annotations

import pytest

from facespasm import InputError
from facespasm.case import Case, assess_case, make_case
from facespasm.knowledge import Finding, KnowledgeBase, load_knowledge
from facespasm.language import Mention, Reading
from facespasm.reasoning import Evidence, Origin

KNOWLEDGE = load_knowledge()


def two_values(finding: Finding) -> tuple[object, object]:
    """Two different valid answers to one finding."""
    if finding.type == "boolean":
        return True, False
    if finding.type == "choice":
        return finding.choice_values[0], finding.choice_values[1]
    if finding.type == "multiple_choice":
        return [finding.choice_values[0]], [finding.choice_values[1]]
    assert finding.minimum is not None and finding.maximum is not None
    return finding.minimum + 1, finding.maximum - 1


def value_of(finding_id: str, raw: object) -> object:
    """An answer as the evidence holds it (numbers as floats, lists as tuples)."""
    return Evidence.from_answers({finding_id: raw}).value(finding_id)


def reading_that_says(finding_id: str, raw: object) -> Reading:
    """A reading whose description states this one finding plainly."""
    value = Evidence.from_answers({finding_id: raw}).value(finding_id)
    assert value is not None
    mention = Mention(finding_id, value, 0, 4, negated=False, hedged=False)
    return Reading("said", (mention,), ())


FINDINGS = sorted(KNOWLEDGE.findings)


@pytest.mark.parametrize("finding_id", FINDINGS)
def test_the_answer_outranks_the_text_and_the_text_outranks_the_video(finding_id: str) -> None:
    said, measured = two_values(KNOWLEDGE.findings[finding_id])
    video = Evidence.from_answers({finding_id: measured}, origin=Origin.VIDEO)
    from_text = Case(reading=reading_that_says(finding_id, said), video=video).evidence()
    assert from_text.items[finding_id].origin is Origin.TEXT
    assert from_text.value(finding_id) == value_of(finding_id, said)
    answered = make_case([(finding_id, measured)], video={finding_id: said}).evidence()
    assert answered.items[finding_id].origin is Origin.ANSWER
    assert answered.value(finding_id) == value_of(finding_id, measured)


@pytest.mark.parametrize("finding_id", FINDINGS)
def test_dont_know_leaves_what_was_measured(finding_id: str) -> None:
    mine, _ = two_values(KNOWLEDGE.findings[finding_id])
    case = make_case([(finding_id, None)], video={finding_id: mine})
    assert case.evidence().items[finding_id].origin is Origin.VIDEO


@pytest.mark.parametrize(
    ("said_no", "measured"),
    [
        # "Has it been getting worse (or spreading)?" No -- whatever a clip measured.
        ("getting_worse", "spread_to_lower_face"),
        # "Does the eye close completely?" No: then it is not squeezed shut either.
        ("eye_closes_completely", "forceful_closure"),
        ("eye_closes_completely", "vision_blocked"),
    ],
)
def test_a_no_rules_out_what_a_video_said_implies_it(said_no: str, measured: str) -> None:
    """The bug of issue 10: a clip's evidence still gave reasons the person had denied."""
    result = assess_case([(said_no, False)], video={measured: True})
    assert result.evidence.value(measured) is False
    reasons = " ".join(reason.text for reason in result.triage.reasons)
    assert "spreading or getting worse" not in reasons
    assert "closes completely" not in reasons


def test_an_answer_is_not_overruled_by_what_a_video_implies() -> None:
    result = assess_case([("spread_to_lower_face", True)], video={"getting_worse": False})
    assert result.evidence.value("getting_worse") is True  # spreading is getting worse


def test_misread_words_are_left_out_and_asked() -> None:
    case = make_case(text="my left eye twitches, too much coffee", wrong=["caffeine"])
    assert "caffeine" not in case.evidence()
    assert case.evidence().value("side") == "one"


def test_nothing_to_assess_is_an_error() -> None:
    with pytest.raises(InputError, match="nothing to assess"):
        assess_case({})


def test_an_unknown_finding_is_named(knowledge: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="unknown finding 'agee'"):
        assess_case({"agee": 4})
    with pytest.raises(InputError, match="video evidence: unknown finding 'blinks'"):
        assess_case({"age": 40}, video={"blinks": 3})
    with pytest.raises(InputError, match="unknown finding 'coffee'"):
        assess_case(text="my eye twitches", wrong=["coffee"])


def test_the_reading_rides_along_in_the_json() -> None:
    result = assess_case(text="my left eye has been jumping for a week")
    document = result.to_dict()
    assert document["text"]["understood"]
    assert document["evidence"]["side"]["origin"] == "text"
