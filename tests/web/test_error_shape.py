"""Every error the API can give has one shape, and the OpenAPI document says which it gives."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/v1/nowhere", {}, 404),  # an unknown route
        ("DELETE", "/api/v1/assess", {}, 405),  # a method the path does not take
        (
            "POST",
            "/api/v1/read",
            {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
            422,
        ),  # not UTF-8
        ("POST", "/api/v1/read", {"json": {"text": 5}}, 422),  # does not fit the schema
        ("POST", "/api/v1/read", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("GET", "/api/v1/health", {"headers": {"host": "evil.example"}}, 400),
        ("POST", "/api/v1/assess", {"json": {}, "headers": {"origin": "http://evil.example"}}, 403),
    ],
)
def test_one_shape_for_every_error(client, method, path, kwargs, status):
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error"}
    assert set(response.json()["error"]) == {"message"}
    assert response.json()["error"]["message"]


def test_a_405_lists_every_method_of_the_path(client):
    """Two routes share /diary/episodes (GET and POST): the Allow header names both."""
    response = client.request("PATCH", "/api/v1/diary/episodes")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["message"] == "PATCH is not allowed here; use GET or POST"


def test_the_document_lists_the_guards_answers_on_every_operation(client):
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "500"} <= set(responses), (method, path)
            incident = responses["500"]["content"]["application/json"]["schema"]["$ref"]
            assert incident.endswith("/IncidentOut")
            if method in ("post", "put", "patch", "delete"):
                assert "403" in responses, (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), (method, path)
            if "422" in responses:  # our error shape, not FastAPI's list of details
                schema = responses["422"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_answers_schema_names_every_finding(client, knowledge):
    document = client.get("/openapi.json").json()
    body = document["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]
    answers = body["application/json"]["schema"]["properties"]["answers"]
    assert set(answers["properties"]) == set(knowledge.findings)
    assert answers["additionalProperties"] is False
    duration = answers["properties"]["duration_days"]["anyOf"]
    assert {"type": "number", "minimum": 0, "maximum": 36500} in duration
    assert any(option.get("pattern") for option in duration)  # or typed: "3 weeks"
