"""Unexpected failures: a JSON 500 with an incident id, and a log that holds no personal data."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from facespasm.web.deps import EngineDep

NOTE = "my secret note about Dr Jones and my left eye"


def server_log(caplog) -> str:
    """What the server logged (the test client's own log of the URLs it called left out)."""
    return "\n".join(
        caplog.handler.format(record)
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    )


@pytest.fixture
def failing_app(make_client) -> FastAPI:
    """The real app with two routes that fail as a bug would: a plain exception, and a database
    error whose SQLAlchemy message carries the statement's parameters (a diary note)."""
    app: FastAPI = make_client().app

    @app.get("/api/v1/broken")
    def broken() -> None:
        raise RuntimeError(f"a bug that quotes what it was given: {NOTE}")

    @app.post("/api/v1/broken-note")
    def broken_note(body: dict, engine: EngineDep) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO no_such_table VALUES (:note)"), body)

    return app


@pytest.fixture
def failing(failing_app: FastAPI) -> TestClient:
    """A client that gets the server's answer to a failure rather than the exception."""
    return TestClient(failing_app, base_url="http://127.0.0.1", raise_server_exceptions=False)


def test_a_failure_is_a_json_500_with_an_incident(failing):
    response = failing.get("/api/v1/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"  # never Starlette's text/plain
    error = response.json()["error"]
    assert re.fullmatch(r"[0-9a-f]{12}", error["incident"])
    assert error["incident"] in error["message"]
    assert NOTE not in response.text  # nothing of what failed is shown either
    assert response.headers["x-content-type-options"] == "nosniff"  # the headers hold on a 500


def test_incidents_are_opaque_and_distinct(failing):
    incidents = {failing.get("/api/v1/broken").json()["error"]["incident"] for _ in range(5)}
    assert len(incidents) == 5


def test_the_log_names_the_incident_and_the_failure_not_the_data(failing, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    response = failing.post("/api/v1/broken-note", json={"note": NOTE})
    assert response.status_code == 500
    incident = response.json()["error"]["incident"]
    logged = server_log(caplog) + "".join(capfd.readouterr())
    assert f"incident {incident}" in logged
    assert "sqlalchemy.exc.OperationalError" in logged  # the class, for whoever fixes it
    assert "driver error sqlite3.OperationalError" in logged
    assert "POST /api/v1/broken-note" in logged  # the route, not the values
    assert NOTE not in logged
    assert "secret" not in logged


def test_a_route_path_value_stays_out_of_the_log(failing_app, failing, caplog):
    @failing_app.get("/api/v1/broken/{date}")
    def broken_day(date: str) -> None:
        raise ValueError(date)

    caplog.set_level(logging.DEBUG)
    failing.get("/api/v1/broken/1984-02-29")
    assert "/api/v1/broken/{date}" in server_log(caplog)
    assert "1984-02-29" not in server_log(caplog)


def test_sanitized_traceback_keeps_classes_and_code_lines_only():
    from facespasm.web.incidents import sanitized_traceback

    def fail(value: str) -> None:
        raise KeyError(value)

    try:
        try:
            fail(NOTE)
        except KeyError as error:
            raise RuntimeError(f"while storing {NOTE}") from error
    except RuntimeError as error:
        shown = sanitized_traceback(error)
    assert shown.splitlines()[0] == "builtins.RuntimeError"
    assert "builtins.KeyError" in shown  # the cause is listed too
    assert "raise KeyError(value)" in shown  # the source line: code, not data
    assert NOTE not in shown
