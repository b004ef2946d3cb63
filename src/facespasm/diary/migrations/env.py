"""Alembic environment, run from `facespasm.diary.database` with an open connection.

No alembic.ini is read: the caller puts the SQLAlchemy connection in
`config.attributes["connection"]`. Batch mode is on for SQLite, whose ALTER TABLE cannot drop or
change columns and constraints (Alembic then copies the table), so every migration runs on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from facespasm.diary.database import VERSION_TABLE
from facespasm.diary.models import Base


def run_migrations_online() -> None:
    """Run the migrations on the connection the caller handed over."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run the diary migrations through facespasm.diary.database")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - the program never renders SQL scripts
    raise RuntimeError("the diary migrations run online only")
run_migrations_online()
