"""JSON-only where possible: a body in another media type than its route takes is a 415."""

from __future__ import annotations

import json

import pytest

BODY = json.dumps({"text": "my left eye twitches"}).encode()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/read", "text/plain"),  # the "simple request" a foreign page may send unasked
        ("/api/v1/assess", "text/plain;charset=UTF-8"),
        ("/api/v1/interview", "application/x-www-form-urlencoded"),  # a plain HTML form
        ("/api/v1/diary/episodes", "multipart/form-data; boundary=x"),
        ("/api/v1/analyze", "application/json"),  # an upload route takes only its form
        ("/api/v1/diary/import", "text/csv"),
        ("/result", "text/plain"),  # a page's route outside the schema: JSON only
        ("/api/v1/read", ""),  # a body with no type at all
    ],
)
def test_a_body_of_the_wrong_type_is_415(client, path, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(path, content=BODY, headers=headers)
    assert response.status_code == 415
    assert "is not accepted here" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON"],
)
def test_json_is_json_with_or_without_parameters(client, content_type):
    response = client.post("/api/v1/read", content=BODY, headers={"content-type": content_type})
    assert response.status_code == 200, response.text


def test_a_request_without_a_body_is_left_to_the_route(client):
    response = client.post("/api/v1/assess")
    assert response.status_code == 422  # "nothing to assess", not a 415


def test_the_document_says_which_types_each_operation_takes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/read"]["post"]["requestBody"]["content"]) == {"application/json"}
    assert set(paths["/api/v1/analyze"]["post"]["requestBody"]["content"]) == {
        "multipart/form-data"
    }
    assert "415" in paths["/api/v1/read"]["post"]["responses"]
