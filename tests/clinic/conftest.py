"""Clinic fixtures: one database per module and backend, its accounts made once (Argon2 is slow).

Each module gets a SQLite file and a PostgreSQL schema of its own (`FACESPASM_TEST_POSTGRES_URL`,
as the diary's storage tests); tests in a module share its accounts, so each uses its own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from facespasm.diary.database import open_database

PASSWORD = "correct horse battery"
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
SECRET = b"k" * 32


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clinic_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database for this module: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('clinic') / 'clinic.sqlite3'}"
        open_database(url, schema="upgrade").dispose()
        yield url
        return
    server: Engine = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    address = server.url.update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = address.render_as_string(hide_password=False)
    open_database(rendered, schema="upgrade").dispose()
    yield rendered
    with server.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="module")
def clinic_engine(clinic_url: str) -> Iterator[Engine]:
    """An engine on this module's clinic database."""
    engine = open_database(clinic_url)
    yield engine
    engine.dispose()


def unique_email(name: str) -> str:
    """An email no other test of the module uses."""
    return f"{name}-{uuid.uuid4().hex[:8]}@clinic.example"
