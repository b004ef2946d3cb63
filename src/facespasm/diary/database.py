"""Where the diary lives and how it is opened: any SQLAlchemy URL, SQLite by default.

Decisions:
- The URL comes from `--db`, else `$FACESPASM_DATABASE_URL`, else a SQLite file in the user's
  data directory (platformdirs), so a person needs no set-up and a clinic points at PostgreSQL.
- SQLite is opened in WAL mode with foreign keys on and a 30 s busy timeout, so two processes
  logging at once wait for each other instead of failing or losing writes. Transactions that
  write start with `BEGIN IMMEDIATE` (see `write_transaction`): a deferred transaction that read
  first and then writes could otherwise fail at once in WAL mode when another process committed
  in between, without the busy timeout ever applying.
- Opening brings the schema up to date with the packaged Alembic migrations (`upgrade head`),
  so an older diary file keeps working after an upgrade of facespasm.
- A bad URL or an unreachable database is the user's to fix: `InputError`, one line, with any
  password hidden.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facespasm.errors import InputError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

ENV_VAR = "FACESPASM_DATABASE_URL"
# Not Alembic's default name, so the diary can share a clinic's database with other applications.
VERSION_TABLE = "facespasm_schema_version"
SQLITE_BUSY_TIMEOUT_S = 30.0
MIGRATIONS = Path(__file__).with_name("migrations")
_IMMEDIATE = "facespasm_begin_immediate"


def default_url() -> str:
    """The default database: `diary.sqlite3` in the user's data directory (created if missing)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("facespasm", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'diary.sqlite3'}"


def database_url(explicit: str | None = None) -> str:
    """The database URL to use: `explicit` (--db), else $FACESPASM_DATABASE_URL, else the default.

    Args:
        explicit: A URL given on the command line, or None.

    Returns:
        A SQLAlchemy URL.
    """
    if explicit:
        return explicit
    return os.environ.get(ENV_VAR) or default_url()


def open_database(url: str, *, upgrade: bool = True) -> Engine:
    """Open the diary database and bring its schema up to date.

    Args:
        url: A SQLAlchemy URL, e.g. `sqlite:///diary.sqlite3` or
            `postgresql+psycopg://user@host/db`.
        upgrade: Run the Alembic migrations to the newest revision (tests turn this off to
            migrate by hand).

    Returns:
        An Engine for the `facespasm.diary.store` operations.

    Raises:
        InputError: The URL is malformed, names an unknown database or driver, or the database
            cannot be reached or migrated.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"not a database URL: {url!r} (e.g. sqlite:///diary.sqlite3)") from None
    shown = parsed.render_as_string(hide_password=True)
    sqlite = parsed.get_backend_name() == "sqlite"
    connect_args: dict[str, Any] = {}
    if sqlite:
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_S
    elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = 10  # an unreachable server fails, not hangs
    try:
        engine = create_engine(parsed, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError) as error:
        raise InputError(f"cannot use database {shown}: {_first_line(error)}") from None
    except ImportError as error:
        raise InputError(
            f"cannot use database {shown}: its driver is not installed ({error.name})"
        ) from None
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    try:
        if upgrade:
            upgrade_schema(engine)
        else:
            with engine.connect():
                pass
    except SQLAlchemyError as error:
        engine.dispose()
        raise InputError(f"cannot open database {shown}: {_first_line(error)}") from None
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed at the end, rolled back on any exception.

    On SQLite it takes the write lock at its start (`BEGIN IMMEDIATE`), waiting up to the busy
    timeout for another writer; elsewhere it is a plain transaction.

    Args:
        engine: The diary's engine.

    Yields:
        The connection to write with.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema up to `revision` (default: the newest).

    Args:
        engine: The diary's engine.
        revision: An Alembic revision id, or "head".
    """
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade_schema(engine: Engine, revision: str = "base") -> None:
    """Migrate the schema down to `revision` ("base": no diary tables at all).

    Args:
        engine: The diary's engine.
        revision: An Alembic revision id, or "base".
    """
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None: never migrated).

    Args:
        engine: The diary's engine.

    Returns:
        The Alembic revision id, or None.
    """
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit one is deferred and
    # skips DDL); the SQLAlchemy-documented recipe for transactional SQLite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _first_line(error: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0]
