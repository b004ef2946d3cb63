"""Storage fixtures: every storage test runs on SQLite (a real file) and on PostgreSQL (a real server).

PostgreSQL comes from `scripts/postgres-for-tests`, which `make test` runs and whose URL it
passes in $FACESPASM_TEST_POSTGRES_URL. Without it the PostgreSQL cases fail, saying how to get
one, unless FACESPASM_SKIP_POSTGRES=1 says to skip them on purpose. Each PostgreSQL test gets a
schema of its own (dropped afterwards), so tests never share a live database. The server itself
is `postgres_server` (tests/conftest.py), shared with the clinic tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from facespasm.diary.database import open_database
from facespasm.diary.models import Base
from facespasm.diary.people import add_person
from facespasm.diary.store import Diary

if TYPE_CHECKING:
    from sqlalchemy import Engine


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'diary.sqlite3'}"
        return
    server: Engine = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema travels in the URL, so subprocesses given this URL use it too.
    url = server.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty diary database, its schema migrated to the newest revision."""
    engine = open_database(db_url, schema="upgrade")
    yield engine
    engine.dispose()


@pytest.fixture
def diary(engine: Engine) -> Diary:
    """The local person's empty diary."""
    return Diary(engine)


@pytest.fixture
def other(engine: Engine) -> Diary:
    """Another person's empty diary, in the same database."""
    return Diary(engine, add_person(engine, "someone else"))


@pytest.fixture
def backend(db_url: str) -> str:
    """Which database the test runs on: "sqlite" or "postgresql"."""
    return make_url(db_url).get_backend_name()


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every diary table, in a stable order: to show that nothing changed."""
    with engine.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)).all())
            for table in Base.metadata.sorted_tables
        }
