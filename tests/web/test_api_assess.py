"""`POST /api/v1/assess`: the ⚑ assessment JSON, exactly what `facespasm.assess` gives."""

from __future__ import annotations

import json

import pytest

import facespasm
from facespasm import Evidence, Origin
from facespasm.knowledge import load_knowledge

TYPICAL = {
    "age": 45,
    "side": "one",
    "regions": ["eyelid"],
    "small_flicker": True,
    "duration_days": 10,
    "stress": True,
    "caffeine": True,
}


def core(evidence) -> dict:
    """The core's assessment as JSON decodes it (tuples become lists)."""
    return json.loads(json.dumps(facespasm.assess(evidence).to_dict()))


def test_assess_equals_the_core(client):
    response = client.post("/api/v1/assess", json={"answers": TYPICAL})
    assert response.status_code == 200
    assert response.json() == core(TYPICAL)


def test_nothing_to_assess_is_refused(client):
    response = client.post("/api/v1/assess", json={})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("nothing to assess")


def test_every_red_flag_unknown_is_never_self_care(client):
    """⚑ The one-shot API: "null" to every red flag is "don't know", not "no"."""
    answers = {"side": "one", "regions": ["eyelid"], "small_flicker": True, "duration_days": 2}
    red_flags = dict.fromkeys(load_knowledge().red_flags)
    response = client.post("/api/v1/assess", json={"answers": {**answers, **red_flags}})
    triage = response.json()["triage"]
    assert triage["level"] == "see_doctor"
    assert triage["complete"] is False
    # every red flag of the article's floor is open; none but red flags are
    floor = {"sudden_weakness", "facial_weakness", "facial_pain", "hearing_change",
             "other_neuro_symptoms", "head_injury", "multiple_sclerosis"}  # fmt: skip
    assert floor <= set(triage["pending"]) <= set(red_flags)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        # answers put at the top level instead of inside "answers"
        ({"sudden_weakness": True, "facial_weakness": True}, "'sudden_weakness' is an answer"),
        ({"answers": {"age": 40}, "colour": "red"}, "colour"),  # an unknown field
        ({"answers": {"agee": 40}}, "unknown finding 'agee'"),  # an unknown finding
    ],
)
def test_what_is_not_understood_is_refused_by_name(client, body, named):
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 422
    assert named in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("answers", "mentions"),
    [
        ({"twitchy": True}, "unknown finding 'twitchy'"),  # not in the vocabulary
        ({"stress": "yes"}, "'stress' must be true or false"),  # wrong type
        ({"age": -3}, "'age' must be between"),  # negative age
        ({"regions": ["knee"]}, "'regions'"),  # a choice that does not exist
    ],
)
def test_bad_answers_are_422_with_a_message(client, answers, mentions):
    response = client.post("/api/v1/assess", json={"answers": answers})
    assert response.status_code == 422
    assert mentions in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",  # malformed JSON
        b"[1, 2]",  # JSON, but not an object
        b'{"answers": [1, 2]}',  # answers not an object
        b"",  # nothing at all
    ],
)
def test_malformed_bodies_are_422_never_500(client, body):
    response = client.post(
        "/api/v1/assess", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_video_evidence_joins_below_the_answers(client):
    video = {"increased_blinking": True, "small_flicker": False}
    response = client.post("/api/v1/assess", json={"answers": TYPICAL, "video_evidence": video})
    assert response.status_code == 200
    expected = Evidence.from_answers(TYPICAL).merged(
        Evidence.from_answers(video, origin=Origin.VIDEO)
    )
    body = response.json()
    assert body == core(expected)
    # The person's answer outranks the video where both speak.
    assert body["evidence"]["small_flicker"] == {"value": True, "origin": "answer"}
    assert body["evidence"]["increased_blinking"]["origin"] == "video"


def test_bad_video_evidence_is_named(client):
    response = client.post("/api/v1/assess", json={"video_evidence": {"blinks": 3}})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("video evidence: unknown finding")


def test_unknown_routes_answer_in_the_same_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": {"message": "nothing at /api/v1/nothing-here"}}


def test_openapi_documents_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assess",
        "/api/v1/interview",
        "/api/v1/analyze",
        "/api/v1/diary/triggers",
    ):
        assert path in paths
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("typed", "days"),
    [("3 weeks", 21), ("2 years", 730), ("10", 10)],  # as the terminal reads them
)
def test_a_duration_may_be_sent_as_typed(client, typed: str, days: float) -> None:
    response = client.post("/api/v1/assess", json={"answers": {"duration_days": typed}})
    assert response.status_code == 200, response.text
    assert response.json()["evidence"]["duration_days"]["value"] == days


@pytest.mark.parametrize(
    ("answers", "mentions"),
    [
        ({"duration_days": "soon"}, "how long it has lasted: 'soon' is not a length of time"),
        ({"duration_days": "200 years"}, "is not between 0 and 36500 days"),
        ({"age": "56 weeks"}, "age: '56 weeks' is not a number of years"),
    ],
)
def test_text_that_is_no_amount_is_422_in_words(client, answers: dict, mentions: str) -> None:
    response = client.post("/api/v1/assess", json={"answers": answers})
    assert response.status_code == 422
    assert mentions in response.json()["error"]["message"]


def test_the_schema_says_a_number_may_be_typed(client) -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]
    described = body["application/json"]["schema"]["properties"]["answers"]["description"]
    assert "'3 weeks'" in described and "422" in described
