"""A description in the person's own words over HTTP: `/read` shows what was understood, and
`/assess` and `/interview` take it as evidence below the answers."""

from __future__ import annotations

import pytest

from .conftest import answer_for

DESCRIPTION = (
    "my left eye has been jumping for three weeks, I'm drinking way too much coffee, "
    "it doesn't hurt"
)
HEDGED = "my right eyelid twitches and maybe my face feels a little numb?"


def interview(client, body: dict) -> list[str]:
    """Answer "no" to every question until the result; the findings asked, in order."""
    asked: list[str] = []
    for _ in range(40):
        step = client.post("/api/v1/interview", json=body).json()
        if step["done"]:
            return asked
        asked.append(step["question"]["id"])
        body["answers"].append([step["question"]["id"], answer_for(step["question"])])
    raise AssertionError("the interview did not end")


def test_read_shows_each_finding_with_the_words_it_came_from(client) -> None:
    response = client.post("/api/v1/read", json={"text": DESCRIPTION})
    assert response.status_code == 200, response.text
    understood = {item["finding"]: item for item in response.json()["understood"]}
    assert understood["caffeine"]["value"] is True
    assert understood["facial_pain"]["value"] is False
    assert understood["side"]["value"] == "one"
    for item in understood.values():
        for start, end in item["spans"]:
            assert DESCRIPTION[start:end] in item["quote"]
        assert item["text"]


def test_a_hedged_red_flag_is_to_be_asked_not_assumed(client) -> None:
    body = client.post("/api/v1/read", json={"text": HEDGED}).json()
    assert [item["finding"] for item in body["to_ask"]] == ["other_neuro_symptoms"]
    assert "other_neuro_symptoms" not in {item["finding"] for item in body["understood"]}
    assert body["to_ask"][0]["question"].endswith("?")


def test_assess_uses_the_text_below_the_answers_and_returns_the_reading(client) -> None:
    body = {"answers": {"caffeine": False}, "text": DESCRIPTION}
    result = client.post("/api/v1/assess", json=body).json()
    assert result["evidence"]["caffeine"] == {"value": False, "origin": "answer"}
    pain = result["evidence"]["facial_pain"]
    assert pain["origin"] == "text" and pain["value"] is False
    assert pain["spans"] and DESCRIPTION[slice(*pain["spans"][0])] in pain["detail"]
    assert {item["finding"] for item in result["text"]["understood"]} >= {"side", "facial_pain"}


def test_what_the_person_marks_wrong_is_left_out_and_asked(client) -> None:
    asked = interview(client, {"answers": [], "text": DESCRIPTION, "wrong": ["facial_pain"]})
    assert "facial_pain" in asked
    assert "caffeine" not in asked  # read from the text, not asked again


def test_the_interview_asks_a_hedged_red_flag(client) -> None:
    asked = interview(client, {"answers": [], "text": HEDGED})
    assert "other_neuro_symptoms" in asked


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/read", {"text": "x" * 10_001}),
        ("/api/v1/read", {}),
        ("/api/v1/read", {"text": 12}),
        ("/api/v1/assess", {"text": "x" * 10_001}),
        ("/api/v1/interview", {"text": ["not", "text"]}),
    ],
    ids=["too-long", "missing", "not-text", "assess-too-long", "interview-not-text"],
)
def test_bad_text_is_422_with_a_message(client, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"]
