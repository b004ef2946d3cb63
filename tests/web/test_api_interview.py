"""`POST /api/v1/interview`: the stateless interview, replayed from the answers so far."""

from __future__ import annotations

import json

from facespasm.reasoning.interview import Interview

from .conftest import answer_for


def step(client, answers, **extra) -> dict:
    response = client.post("/api/v1/interview", json={"answers": answers, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_first_question_is_a_red_flag(client):
    body = step(client, [])
    assert body["done"] is False
    assert body["progress"] == 0
    question = body["question"]
    assert question["red_flag"] is True
    assert question["id"] == "sudden_weakness"
    assert question["number"] == 1
    assert set(question) == {
        "id", "question", "help", "type", "choices", "unit", "minimum", "maximum",
        "red_flag", "number", "previous",
    }  # fmt: skip


def test_stroke_signs_end_the_interview_as_an_emergency(client):
    body = step(client, [["sudden_weakness", True]])
    assert body["done"] is True
    assert body["progress"] == 1
    assert body["result"]["triage"]["level"] == "emergency"


def test_red_flags_come_first_and_the_next_question_matches_the_core(client):
    answers: list[list] = []
    interview = Interview()
    seen_ordinary = False
    for _ in range(40):
        body = step(client, answers)
        expected = interview.next_question()
        if body["done"]:
            assert expected is None
            assert body["result"] == json.loads(json.dumps(interview.result().to_dict()))
            break
        question = body["question"]
        assert expected is not None and question["id"] == expected.finding.id
        assert not (seen_ordinary and question["red_flag"]), "a red flag after other questions"
        seen_ordinary = seen_ordinary or not question["red_flag"]
        value = answer_for(question)
        answers.append([question["id"], value])
        interview.answer(question["id"], value)
    else:
        raise AssertionError("the interview never ended")
    assert body["progress"] == len(answers)


def test_back_asks_the_last_question_again_with_its_answer(client):
    body = step(client, [["sudden_weakness", False]], back=True)
    assert body["question"]["id"] == "sudden_weakness"
    assert body["question"]["previous"] is False


def test_dont_know_is_allowed(client):
    body = step(client, [["sudden_weakness", None]])
    assert body["done"] is False
    assert body["question"]["id"] != "sudden_weakness"


def test_a_bad_answer_is_422(client):
    response = client.post("/api/v1/interview", json={"answers": [["sudden_weakness", "maybe"]]})
    assert response.status_code == 422
    assert "'sudden_weakness' must be true or false" in response.json()["error"]["message"]


def test_video_evidence_is_not_asked_again(client):
    body = step(client, [], video_evidence={"sudden_weakness": False})
    assert body["question"]["id"] != "sudden_weakness"


def test_a_typed_duration_is_read_and_nonsense_refused(client):
    body = step(client, [["sudden_weakness", False], ["duration_days", "2 years"]])
    assert body["progress"] == 2
    refused = client.post("/api/v1/interview", json={"answers": [["duration_days", "a while"]]})
    assert refused.status_code == 422
    assert "'a while' is not a length of time" in refused.json()["error"]["message"]
