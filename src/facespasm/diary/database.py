"""Where the diary lives and how it is opened: any SQLAlchemy URL, SQLite by default.

Decisions:
- The URL comes from `--db`, else `$FACESPASM_DATABASE_URL`, else a SQLite file in the user's
  data directory (platformdirs), so a person needs no set-up and a clinic points at PostgreSQL.
- SQLite is opened in WAL mode with foreign keys on and a 30 s busy timeout, so two processes
  logging at once wait for each other instead of failing or losing writes. Within one process
  (the web server's threads) writers also queue on a lock of the engine's: SQLite's busy
  handler polls with growing sleeps, which under 50 concurrent writers left the unlucky ones
  waiting over a second (p99 1.5 s) while the lock hands over at once (bench/RESULTS.md).
  Transactions that write start with `BEGIN IMMEDIATE` (see `write_transaction`): a deferred
  transaction that read first and then writes could otherwise fail at once in WAL mode when
  another process committed in between, without the busy timeout ever applying.
- **Migrations run by a command**, `facespasm db upgrade [--db URL]`, never as a side effect of
  opening a database someone chose: a clinic's PostgreSQL is migrated when its administrator
  decides (after a backup), not by whichever client connects first. Opening a database whose
  schema is not the one this facespasm needs (`HEAD`) is a one-line `OutdatedDatabaseError`
  saying to run `facespasm db upgrade`. The check is one query of the version table, so
  opening stays cheap and Alembic is imported only to migrate.
- **The default local file is the exception** (`open_configured` without --db or
  $FACESPASM_DATABASE_URL): it is the person's own, only facespasm uses it, and a person should
  need no set-up -- so `make run` and `facespasm diary log` work on a fresh machine and after
  an update. It is created and migrated on first use; the migration runs in one `BEGIN
  IMMEDIATE` transaction, so two commands starting at once migrate it once, and a migration
  that fails leaves it as it was.
- A bad URL or an unreachable database is the user's to fix: `InputError`, one line, with any
  password hidden.
- A diary is personal: a SQLite file facespasm creates is readable by its owner only (0600;
  SQLite gives its WAL and shared-memory files the same mode), and so is the default data
  folder (0700). Engines hide statement parameters (`hide_parameters=True`), so no error
  message, log or traceback ever carries a row's values or a note; `error_line` turns a
  database error into one line without them.
- Writes that conflict on PostgreSQL (a deadlock, a serialisation failure: two imports of the
  same dates at once) are retried a bounded number of times (`run_write`) with a short random
  pause, after the database has rolled the loser back; writers also take row locks in one
  order (imports sort by date), so a deadlock is the exception, not the rule.
"""

from __future__ import annotations

import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from facespasm.errors import InputError, OutdatedDatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

ENV_VAR = "FACESPASM_DATABASE_URL"
# The schema revision this facespasm needs: the newest of `migrations/versions` (a test says so).
HEAD = "0004"
UPGRADE_COMMAND = "facespasm db upgrade"
# Not Alembic's default name, so the diary can share a clinic's database with other applications.
VERSION_TABLE = "facespasm_schema_version"
SQLITE_BUSY_TIMEOUT_S = 30.0
MIGRATIONS = Path(__file__).with_name("migrations")
_IMMEDIATE = "facespasm_begin_immediate"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
# How often a write that lost a deadlock or a serialisation conflict is tried in all, and the
# longest pause before the last try (pauses grow 10, 20, 40, ... ms, each randomised).
WRITE_ATTEMPTS = 6
_RETRY_PAUSE_S = 0.01
# SQLSTATEs of conflicts that a retry resolves: serialization_failure, deadlock_detected.
_RETRYABLE = frozenset({"40001", "40P01"})

Result = TypeVar("Result")
# What opening does with the schema: require it current, migrate it to `HEAD`, or leave it.
Schema = Literal["current", "upgrade", "as_is"]
_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITER_LOCKS_GUARD = threading.Lock()


def default_url() -> str:
    """The default database: `diary.sqlite3` in the user's data directory.

    The folder is created if missing; it and the file are made private to their owner (0700,
    0600), also when an older version of facespasm created them open to other users.

    Returns:
        A SQLAlchemy URL.
    """
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("facespasm", appauthor=False))
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    path = folder / "diary.sqlite3"
    with suppress(OSError):  # not ours to change after all: SQLite will say what is wrong
        folder.chmod(PRIVATE_FOLDER)
        for existing in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            if existing.exists():
                existing.chmod(PRIVATE_FILE)
    return f"sqlite:///{path}"


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


def open_configured(explicit: str | None = None) -> Engine:
    """The diary database the person chose, or the default file, ready for a `Diary`.

    A database named by --db or $FACESPASM_DATABASE_URL must already be at `HEAD`; the default
    file is created and migrated on first use (see the module's decisions).

    Args:
        explicit: A URL given on the command line (--db), or None.

    Returns:
        An Engine.

    Raises:
        InputError: The database cannot be opened (`OutdatedDatabaseError`: not at `HEAD`).
    """
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        return open_database(chosen)
    return open_database(default_url(), schema="upgrade")


def open_database(url: str, *, schema: Schema = "current") -> Engine:
    """Open a diary database.

    Args:
        url: A SQLAlchemy URL, e.g. `sqlite:///diary.sqlite3` or
            `postgresql+psycopg://user@host/db`.
        schema: "current": refuse a schema that is not at `HEAD`; "upgrade": run the Alembic
            migrations up to `HEAD` first (`facespasm db upgrade`); "as_is": neither (to migrate
            by hand).

    Returns:
        An Engine for a `Diary`.

    Raises:
        InputError: The URL is malformed, names an unknown database or driver, or the database
            cannot be reached or migrated.
        OutdatedDatabaseError: The schema is not at `HEAD` (with "current").
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
    if sqlite:
        _create_private(parsed.database)
    try:
        engine = create_engine(parsed, connect_args=connect_args, hide_parameters=True)
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
        revision = schema_revision(engine)
        if schema == "upgrade" and revision != HEAD:
            upgrade_schema(engine)
        elif schema == "current" and revision != HEAD:
            raise OutdatedDatabaseError(_outdated(shown, revision))
    except SQLAlchemyError as error:
        engine.dispose()
        raise InputError(f"cannot open database {shown}: {_first_line(error)}") from None
    except InputError:
        engine.dispose()
        raise
    return engine


def _outdated(shown: str, revision: str | None) -> str:
    again = f"run `{UPGRADE_COMMAND}` with the same --db or ${ENV_VAR}"
    if revision is None:
        return f"the database {shown} holds no diary yet: to create one, {again}"
    if revision < HEAD:
        return (
            f"the diary in {shown} is at schema {revision} and this facespasm needs {HEAD}: "
            f"to migrate it, {again}"
        )
    return (
        f"the diary in {shown} is at schema {revision}, newer than this facespasm knows ({HEAD}): "
        "use the newer facespasm that migrated it"
    )


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
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection, connection.begin():
            yield connection
        return
    with _writer_lock(engine), engine.connect() as connection:
        connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection


def _writer_lock(engine: Engine) -> threading.Lock:
    # One per engine (SQLite has one writer at a time; this process's writers queue here).
    with _WRITER_LOCKS_GUARD:
        lock = _WRITER_LOCKS.get(engine)
        if lock is None:
            lock = _WRITER_LOCKS[engine] = threading.Lock()
        return lock


def run_write(
    engine: Engine, work: Callable[[Connection], Result], *, attempts: int = WRITE_ATTEMPTS
) -> Result:
    """Run `work` in a write transaction, again when it loses a deadlock or a serialisation race.

    `work` must do nothing outside the database that cannot be repeated: it may run more than
    once, each time in a fresh transaction (the failed one was rolled back by the database).

    Args:
        engine: The diary's engine.
        work: What to do with the connection; its result is returned.
        attempts: How often to try in all.

    Returns:
        What `work` returned.

    Raises:
        sqlalchemy.exc.DBAPIError: The last attempt failed too, or failed for another reason.
    """
    from sqlalchemy.exc import DBAPIError

    for attempt in range(1, attempts + 1):
        try:
            with write_transaction(engine) as connection:
                return work(connection)
        except DBAPIError as error:
            if attempt == attempts or not is_conflict(error):
                raise
        # Randomised, growing pauses, so that two writers that collided do not collide again.
        time.sleep(_RETRY_PAUSE_S * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover


def is_conflict(error: BaseException) -> bool:
    """Whether a database error is a deadlock or serialisation failure that a retry resolves.

    Args:
        error: An exception from a database operation.

    Returns:
        True for PostgreSQL's SQLSTATE 40001 and 40P01.
    """
    cause = getattr(error, "orig", None) or error
    return getattr(cause, "sqlstate", None) in _RETRYABLE


def error_line(error: BaseException) -> str:
    """A database error in one line a person can read, without statement, values or rows.

    PostgreSQL's message puts the failing row in a second line (`DETAIL: Failing row contains
    (...)`); only the first line is kept, and SQLAlchemy's statement and parameters never.

    Args:
        error: An exception from a database operation.

    Returns:
        e.g. "the database refused the change: new row for relation "episodes" violates check
        constraint "ck_episodes_severity_0_10"".
    """
    from sqlalchemy.exc import IntegrityError, OperationalError

    text = _first_line(error)
    if len(text) > 200:
        text = text[:197] + "..."
    if isinstance(error, IntegrityError):
        return f"the database refused the change: {text}"
    if isinstance(error, OperationalError):
        return f"the database failed: {text}"
    return f"database error ({type(error).__name__}): {text}"


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema up to `revision` (default: the newest), in one write transaction.

    Args:
        engine: The diary's engine.
        revision: An Alembic revision id, or "head".
    """
    from alembic import command

    with write_transaction(engine) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade_schema(engine: Engine, revision: str = "base") -> None:
    """Migrate the schema down to `revision` ("base": no diary tables at all).

    Args:
        engine: The diary's engine.
        revision: An Alembic revision id, or "base".
    """
    from alembic import command

    with write_transaction(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None: never migrated).

    One query (two on a database without the version table); Alembic is not imported.

    Args:
        engine: The diary's engine.

    Returns:
        The Alembic revision id, or None.
    """
    from sqlalchemy import column, inspect, select, table

    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = table(VERSION_TABLE, column("version_num"))
        found = connection.execute(select(versions.c.version_num)).scalars().all()
    return str(found[0]) if len(found) == 1 else None


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _create_private(database: str | None) -> None:
    # A new SQLite file, created empty with owner-only permissions before SQLite opens it (an
    # existing file keeps its mode: it is the owner's to set).
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        descriptor = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except OSError:
        return  # it exists, or cannot be created: SQLite says which, as ever
    os.close(descriptor)


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
