"""Fixtures for the JSON API: the real app on its own SQLite file, driven by TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facespasm.diary.database import open_database
from facespasm.web.app import create_app
from facespasm.web.settings import Settings


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    """The folder the server writes uploads to while analysing them (empty after each request)."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


@pytest.fixture
def make_client(tmp_path: Path, upload_dir: Path) -> Iterator:
    """Build a client for an app with some settings changed; each on this test's own database."""
    clients: list[TestClient] = []

    url = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    open_database(url, schema="upgrade").dispose()  # as `facespasm db upgrade --db` does

    def make(**changes) -> TestClient:
        settings = Settings(database_url=url, upload_dir=upload_dir, **changes)
        # A loopback name: the server answers to no other host (DNS rebinding).
        client = TestClient(create_app(settings), base_url="http://127.0.0.1")
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    """A client for the app with default settings on this test's own SQLite database."""
    return make_client()


def answer_for(question: dict) -> object:
    """A plausible answer of the right type: no, 30, or the first choice."""
    if question["type"] == "boolean":
        return False
    if question["type"] == "number":
        return 30
    first = question["choices"][0]["value"]
    return first if question["type"] == "choice" else [first]
