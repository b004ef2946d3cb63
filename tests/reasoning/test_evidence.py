"""Evidence accepts exactly the ⚑ vocabulary, and says clearly what is wrong with anything else."""

from __future__ import annotations

import pytest

from facespasm import InputError
from facespasm.reasoning import Evidence, EvidenceItem, Origin


def test_answers_become_evidence_in_canonical_form() -> None:
    known = Evidence.from_answers(
        {"age": 34, "regions": ["mouth", "eyelid", "mouth"], "side": "one", "stress": True}
    )
    assert known.answers() == {
        "age": 34.0,
        "regions": ("eyelid", "mouth"),  # the question's order, no repeats
        "side": "one",
        "stress": True,
    }
    assert all(item.origin is Origin.ANSWER for item in known)


def test_null_means_dont_know_and_is_left_out() -> None:
    known = Evidence.from_answers({"facial_pain": None, "stress": False})
    assert "facial_pain" not in known
    assert known.value("stress") is False


BAD = [
    # (answers, words the message must contain)
    ({"eyelid_twitch": True}, "unknown finding 'eyelid_twitch'"),
    ({"small_flickr": True}, "did you mean 'small_flicker'?"),
    ({"stress": "yes"}, "'stress' must be true or false, not \"yes\""),
    ({"stress": 1}, "'stress' must be true or false, not 1"),
    ({"age": -3}, "'age' must be between 1 and 120 years, not -3"),
    ({"age": 430}, "'age' must be between 1 and 120 years, not 430"),
    ({"age": True}, "'age' must be a number of years, not true"),
    ({"age": "34"}, "'age' must be a number of years, not \"34\""),
    ({"age": float("nan")}, "'age' must be a number of years, not NaN"),
    ({"duration_days": 1e9}, "'duration_days' must be between 0 and 36500 days"),
    ({"duration_days": -1}, "'duration_days' must be between 0 and 36500 days, not -1"),
    ({"side": "left"}, "'side' must be one of 'one', 'both', not \"left\""),
    ({"regions": "eyelid"}, "'regions' must be a list drawn from 'eyelid'"),
    ({"regions": ["eyelid", "nose"]}, "'regions' has \"nose\", which is not one of"),
    ({"regions": []}, "'regions' needs at least one of"),
    ({"frequency": 3}, "'frequency' must be one of 'occasional', 'daily', 'constant', not 3"),
]


@pytest.mark.parametrize(("answers", "message"), BAD, ids=[str(a) for a, _ in BAD])
def test_a_bad_answer_is_refused_with_a_message_naming_it(answers: dict, message: str) -> None:
    with pytest.raises(InputError) as refused:
        Evidence.from_answers(answers)
    assert message in str(refused.value)


def test_a_persons_answer_outranks_text_video_and_diary() -> None:
    video = Evidence({"side": EvidenceItem("side", "both", Origin.VIDEO)})
    answer = Evidence({"side": EvidenceItem("side", "one", Origin.ANSWER)})
    diary = Evidence({"stress": EvidenceItem("stress", True, Origin.DIARY)})
    assert video.merged(answer).value("side") == "one"
    assert answer.merged(video).value("side") == "one"
    merged = video.merged(diary)
    assert (merged.value("side"), merged.value("stress")) == ("both", True)


def test_with_value_and_without_leave_the_original_unchanged() -> None:
    known = Evidence.from_answers({"stress": True})
    changed = known.with_value("age", 40.0).without("stress")
    assert known.answers() == {"stress": True}
    assert changed.answers() == {"age": 40.0}
