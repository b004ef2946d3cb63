"""A clinic's database on the test PostgreSQL server, set up as docs/clinic.md tells a clinic to.

An owner role that owns the database and creates the tables (`facespasm db upgrade`), an app role
that is neither owner nor superuser, given its rights by `grant_app_role` (`facespasm db grant`).
Roles are the server's, not a database's, so each gets a random suffix and both are dropped with
the database afterwards. The server's trust authentication lets them log in without a password.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from facespasm.diary.database import open_database
from facespasm.diary.row_security import grant_app_role

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class Clinic:
    """A clinic's database: its name, its two roles, an engine for each."""

    database: str
    owner_role: str
    app_role: str
    owner: Engine
    app: Engine

    def url(self, role: str, database: str | None = None) -> str:
        """The URL for `role` on this database (or on `database`)."""
        url = self.owner.url.set(username=role, database=database or self.database)
        return url.render_as_string(hide_password=False)


@contextmanager
def clinic_database(server: Engine, tag: str) -> Iterator[Clinic]:
    """Create the roles and the database, upgrade and grant; drop it all afterwards.

    Args:
        server: An AUTOCOMMIT engine on the test server, as its superuser.
        tag: A word naming the database and roles, for whoever reads the server's log.

    Yields:
        The clinic, its schema at HEAD and its app role granted.
    """
    suffix = uuid.uuid4().hex[:10]
    database, owner_role, app_role = (
        f"fs_{tag}_{suffix}",
        f"fs_owner_{suffix}",
        f"fs_app_{suffix}",
    )
    with server.connect() as connection:
        connection.execute(text(f"CREATE ROLE {owner_role} LOGIN"))
        connection.execute(text(f"CREATE ROLE {app_role} LOGIN"))
        connection.execute(text(f"CREATE DATABASE {database} OWNER {owner_role}"))
    engines: list[Engine] = []
    try:
        at = server.url.set(database=database)
        owner = open_database(
            at.set(username=owner_role).render_as_string(hide_password=False), schema="upgrade"
        )
        engines.append(owner)
        grant_app_role(owner, app_role)
        app = open_database(at.set(username=app_role).render_as_string(hide_password=False))
        engines.append(app)
        yield Clinic(database, owner_role, app_role, owner, app)
    finally:
        for engine in engines:
            engine.dispose()
        drop_database(server, database)
        with server.connect() as connection:
            connection.execute(text(f"DROP ROLE IF EXISTS {app_role}"))
            connection.execute(text(f"DROP ROLE IF EXISTS {owner_role}"))


def drop_database(server: Engine, database: str) -> None:
    """Drop a test database, closing any connection still open on it."""
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
