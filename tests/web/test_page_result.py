"""`POST /result`: the body of `/api/v1/assess` in, the report's HTML fragment out."""

from __future__ import annotations

import pytest

from facespasm.case import assess_case
from facespasm.report.html import assessment_html

STROKE = {"answers": {"sudden_weakness": True}}
HEDGED = "my eyelid twitches a lot and maybe my arm feels a bit numb? not sure"


def test_the_fragment_is_the_report_of_the_same_case(client) -> None:
    answers = {"side": "one", "regions": ["eyelid"], "facial_pain": None}
    text = "it started three weeks ago, way too much coffee"
    video = {"small_flicker": True}
    body = {"answers": answers, "text": text, "video_evidence": video}
    response = client.post("/result", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    expected = assess_case(answers, text=text, video=video)
    # The same fragment, dated: "Result of <date>, <time>" as its first line.
    opening, dated, rest = response.text.split("\n", 2)
    assert dated.startswith('<p class="made-at">Result of <time datetime="20'), dated
    assert f"{opening}\n{rest}" == assessment_html(expected)


def test_an_emergency_fragment_calls_and_shows_no_probabilities(client) -> None:
    html = client.post("/result", json=STROKE).text
    assert 'data-level="emergency"' in html and 'href="tel:999"' in html
    assert "%" not in html


def test_a_hedged_red_flag_in_a_description_is_never_self_care(client) -> None:
    html = client.post("/result", json={"text": HEDGED}).text
    assert 'data-level="self_care"' not in html
    assert 'class="pending-question" data-finding="other_neuro_symptoms"' in html


def test_answers_given_on_the_result_page_update_it(client) -> None:
    asked = '<form class="pending-question" data-finding="facial_weakness">'
    open_ = client.post("/result", json={"answers": {"side": "one"}}).text
    assert asked in open_
    answered = client.post("/result", json={"answers": {"side": "one", "facial_weakness": False}})
    assert asked not in answered.text


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "nothing to assess"),  # no case at all
        ({"sudden_weakness": True}, "'sudden_weakness' is an answer"),  # answers out of place
        ({"answers": {"age": 40}, "colour": "red"}, "colour"),  # a field it does not know
        ({"answers": {"duration_days": "soon"}}, "how long it has lasted: 'soon'"),
    ],
)
def test_a_bad_body_is_422_in_the_apis_shape(client, body: dict, named: str) -> None:
    response = client.post("/result", json=body)
    assert response.status_code == 422
    assert named in response.json()["error"]["message"]


def test_the_page_route_is_not_part_of_the_api_schema(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/result" not in paths and "/api/v1/assess" in paths
