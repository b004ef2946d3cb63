"""PostgreSQL's own guard on each person's rows, beneath the `Diary`'s: row-level security.

Every query a `Diary` makes already names its person (`WHERE person_id = ...`). On PostgreSQL the
database checks it too, so that a forgotten condition, a wrong join or an injected statement in
the app still cannot read or write another person's diary (issue 14, "defence in depth"):

- **A policy on every table that holds a person's entries** (`PERSON_TABLES`, migration 0004):
  a row is visible, and may be written, only when its `person_id` is the transaction's person,
  the setting `facespasm.person` (`USING` and `WITH CHECK`). With the setting unset there is no
  person and no row. Row security is `ENABLE`d and `FORCE`d, so it binds the tables' owner too
  (PostgreSQL otherwise exempts the owner): only a superuser or a role with BYPASSRLS sees past
  it -- which is why the app must connect as neither (`row_security_problems`).
- **The person is set once per transaction, in one place.** `for_person(engine, person)` gives
  the `Diary` an engine whose connections carry the person; a "begin" listener turns it into
  `SET LOCAL facespasm.person = '<id>'` (the same as `set_config(..., true)`) as each
  transaction begins -- reads (which begin on their first statement), writes, and every retry
  of `database.run_write`. LOCAL ends it with the transaction, so a pooled connection never
  carries one request's person into the next. On SQLite (one person's file, or tests) nothing
  changes: there is no row security to key.
- **Which tables are not row-secured, and why.** `people` and the accounts' tables (`accounts`,
  `sessions`, `shares`, `audit_log`) are read before any person is chosen -- signing in, finding
  a clinician to share with, adding a person -- so the application guards them; they hold no
  diary entries. `audit_log` is append-only for the app: its role may SELECT and INSERT there,
  never UPDATE, DELETE or TRUNCATE (`grant_app_role`).
- **The app's role is not the tables' owner** (an owner could switch row security off): the
  tables are created by `facespasm db upgrade` as an owner role, and `facespasm db grant ROLE`
  gives the app's role SELECT, INSERT, UPDATE and DELETE on the diary's and the accounts'
  tables, USAGE on their id sequences, SELECT on the schema version, and only SELECT and INSERT
  on `audit_log`. No TRUNCATE anywhere: TRUNCATE ignores row security. docs/clinic.md says how
  a clinic sets the roles up.
- **What FORCE means for the owner.** Migrations run as the owner: DDL is unaffected, but a
  migration that reads or rewrites people's rows would see none; it must lift FORCE for its own
  transaction (`ALTER TABLE ... NO FORCE ROW LEVEL SECURITY`, then FORCE again before the end --
  DDL is transactional, so no one else ever sees the gap). Backups need a role that sees every
  row: `pg_dump` as a superuser or a BYPASSRLS role, since PostgreSQL refuses to dump a table
  whose rows row security would hide rather than write an empty one (docs/clinic.md).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

__all__ = [
    "APPEND_ONLY_TABLES",
    "APP_TABLES",
    "PERSON_SETTING",
    "PERSON_TABLES",
    "POLICY",
    "for_person",
    "grant_app_role",
    "row_security_problems",
]

# The transaction's person: a custom setting (PostgreSQL's "placeholder" variables need a dot).
PERSON_SETTING = "facespasm.person"
# The tables whose rows are a person's diary entries (each has `person_id`): row-secured.
PERSON_TABLES = (
    "episodes",
    "day_factors",
    "treatments",
    "ratings",
    "saved_results",
    "measurements",
    "assessments",
)
POLICY = "facespasm_person"
# Every table the app reads and writes: the diary's and the accounts'.
APP_TABLES = ("people", *PERSON_TABLES, "accounts", "sessions", "shares")
# Tables the app may read and add to, never change: the audit trail.
APPEND_ONLY_TABLES = ("audit_log",)
_READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"

_PERSON_OPTION = "facespasm_person"
_LISTENING = threading.Lock()
# A PostgreSQL role name as `CREATE ROLE` takes it unquoted: no quoting games in GRANT.
_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")


def for_person(engine: Engine, person: int) -> Engine:
    """The engine a `Diary` uses: on PostgreSQL, each transaction it begins is `person`'s.

    The engine returned shares `engine`'s connection pool; its connections carry the person,
    and a listener on `engine` sets `facespasm.person` for the transaction as each begins. Other
    databases get `engine` itself.

    Args:
        engine: The database's engine (`database.open_database`).
        person: The person whose rows the transactions may see and write.

    Returns:
        An engine for that person's transactions.
    """
    if engine.dialect.name != "postgresql":
        return engine
    from sqlalchemy import event

    with _LISTENING:  # Diaries are made in many threads of a server at once.
        if not event.contains(engine, "begin", _set_person):
            event.listen(engine, "begin", _set_person)
    return engine.execution_options(**{_PERSON_OPTION: person})


def _set_person(connection: Connection) -> None:
    # Runs as a transaction begins, before its first statement (SQLAlchemy's "begin" event).
    person = connection.get_execution_options().get(_PERSON_OPTION)
    if person is None:
        return
    # SET takes no bound parameters; the value is an int, so nothing but digits is written.
    connection.exec_driver_sql(f"SET LOCAL {PERSON_SETTING} = '{int(person)}'")


def row_security_problems(engine: Engine) -> list[str]:
    """Why row security would not protect this database as the engine's role uses it.

    For a server to warn at start: the role is a superuser or has BYPASSRLS (row security does
    not apply to it), owns the diary's tables or may act as their owner (it could switch row
    security off), may TRUNCATE them (TRUNCATE ignores row security), may change or delete the
    audit log, or a diary table has no row security (a database not upgraded). Nothing on SQLite,
    which has no roles. Tables that do not exist are skipped: opening the database checks the
    schema.

    Args:
        engine: An engine connected as the role the app uses.

    Returns:
        One line per problem; empty when row security applies.
    """
    if engine.dialect.name != "postgresql":
        return []
    from sqlalchemy import text

    with engine.connect() as connection:
        role, superuser, bypass = connection.execute(
            text(
                "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        if superuser or bypass:
            what = "a superuser" if superuser else "a role with BYPASSRLS"
            return [
                f"the database role {role} is {what}, so PostgreSQL's row security does not "
                "apply to it: connect the app as a role of its own (facespasm db grant ROLE)"
            ]
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity"
                " AND EXISTS (SELECT 1 FROM pg_policy p"
                "             WHERE p.polrelid = c.oid AND p.polname = :policy),"
                " pg_has_role(current_user, c.relowner, 'MEMBER'),"
                " has_table_privilege(c.oid, 'TRUNCATE'),"
                " has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')"
                " OR has_table_privilege(c.oid, 'TRUNCATE')"
                " FROM unnest(CAST(:tables AS text[])) AS t(name)"
                " JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))"
                " ORDER BY c.relname"
            ),
            {"policy": POLICY, "tables": [*PERSON_TABLES, *APPEND_ONLY_TABLES]},
        ).all()
    unsecured = [name for name, secured, *_ in rows if name in PERSON_TABLES and not secured]
    owned = [name for name, _, owns, *_ in rows if owns]
    truncatable = [
        name
        for name, _, owns, truncate, _ in rows
        if name in PERSON_TABLES and truncate and not owns
    ]
    changeable = [
        name for name, _, owns, _, change in rows if name in APPEND_ONLY_TABLES and change
    ]
    problems = []
    if unsecured:
        problems.append(
            f"row security is off on {', '.join(unsecured)}: run `facespasm db upgrade` "
            "as the tables' owner"
        )
    if owned:
        problems.append(
            f"the database role {role} owns {', '.join(owned)} (or may act as their owner) "
            "and could switch row security off: connect the app as a role of its own "
            "(facespasm db grant ROLE)"
        )
    if truncatable:
        problems.append(
            f"the database role {role} may TRUNCATE {', '.join(truncatable)}, which ignores "
            f"row security: run `facespasm db grant {role}` as the tables' owner"
        )
    if changeable and not set(changeable) <= set(owned):
        problems.append(
            f"the database role {role} may change, delete or truncate entries of the audit log "
            f"({', '.join(changeable)}): run `facespasm db grant {role}` as the tables' owner"
        )
    return problems


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Give the app's PostgreSQL role what it needs, and no more (run as the tables' owner).

    Everything the role held on these tables before is revoked first, so running it again (after
    an upgrade added a table) leaves exactly: SELECT, INSERT, UPDATE, DELETE on `APP_TABLES`;
    SELECT, INSERT on `APPEND_ONLY_TABLES`; USAGE and SELECT on their id sequences; SELECT on the
    schema version; USAGE on the schema when the role lacks it. One transaction: all or nothing.

    Args:
        engine: An engine connected as the tables' owner, at the schema this facespasm needs.
        role: The app's role: an existing login role, neither superuser nor BYPASSRLS, that does
            not own the tables.

    Returns:
        The tables granted on, in the order granted.

    Raises:
        InputError: Not PostgreSQL; a malformed or unknown role, or one row security would not
            bind; the engine's role does not own the tables.
    """
    if engine.dialect.name != "postgresql":
        raise InputError(
            f"grants are for PostgreSQL; a {engine.dialect.name} diary has no database roles"
        )
    if not _ROLE_NAME.fullmatch(role):
        raise InputError(
            f"ROLE must be a plain PostgreSQL role name (letters, digits, _), not {role[:40]!r}"
        )
    from sqlalchemy import text

    from facespasm.diary.database import VERSION_TABLE, write_transaction

    with write_transaction(engine) as connection:
        _check_grantee(connection, role)
        present = [
            name
            for name in (*APP_TABLES, *APPEND_ONLY_TABLES)
            if connection.scalar(text("SELECT to_regclass(quote_ident(:name))"), {"name": name})
        ]
        schema = connection.scalar(text("SELECT current_schema()"))
        usage = "SELECT has_schema_privilege(:role, :schema, 'USAGE')"
        if not connection.scalar(text(usage), {"role": role, "schema": schema}):
            connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        connection.execute(text(f"REVOKE ALL ON {VERSION_TABLE} FROM {role}"))
        connection.execute(text(f"GRANT SELECT ON {VERSION_TABLE} TO {role}"))
        for name in present:
            allowed = "SELECT, INSERT" if name in APPEND_ONLY_TABLES else _READ_WRITE
            connection.execute(text(f"REVOKE ALL ON {name} FROM {role}"))
            connection.execute(text(f"GRANT {allowed} ON {name} TO {role}"))
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(quote_ident(:name), 'id')"), {"name": name}
            )
            if sequence:
                connection.execute(text(f"REVOKE ALL ON SEQUENCE {sequence} FROM {role}"))
                connection.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {role}"))
    return present


def _check_grantee(connection: Connection, role: str) -> None:
    from sqlalchemy import text

    from facespasm.diary.database import HEAD, UPGRADE_COMMAND, schema_revision

    if schema_revision(connection.engine) != HEAD:
        raise InputError(f"the database is not at schema {HEAD}: run `{UPGRADE_COMMAND}` first")
    found = connection.execute(
        text(
            "SELECT r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, c.relowner, 'MEMBER'),"
            " pg_has_role(current_user, c.relowner, 'MEMBER')"
            " FROM pg_roles r, pg_class c"
            " WHERE r.rolname = :role AND c.oid = to_regclass(quote_ident(:table))"
        ),
        {"role": role, "table": PERSON_TABLES[0]},
    ).one_or_none()
    if found is None:
        raise InputError(
            f"there is no database role {role}: create it first "
            f"(CREATE ROLE {role} LOGIN PASSWORD '...'; docs/clinic.md)"
        )
    superuser, bypass, owns, granter_owns = found
    if superuser or bypass:
        what = "a superuser" if superuser else "a role with BYPASSRLS"
        raise InputError(
            f"{role} is {what}: row security would not apply to the app; give it a role of its own"
        )
    if owns:
        raise InputError(
            f"{role} owns the diary's tables (or may act as their owner): the app needs a role "
            "of its own, not the owner's"
        )
    if not granter_owns:
        raise InputError(
            "only the tables' owner can grant on them: run this with --db naming the role that "
            "ran `facespasm db upgrade`"
        )
