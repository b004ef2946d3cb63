"""`facespasm db ...`: the diary database's schema, migrated when its keeper decides.

`upgrade` brings a database to the schema this facespasm needs (a new database gets its tables);
`downgrade` takes it back to an older revision for an older facespasm, dropping what that one
cannot hold, and refuses while it would mix several people's diaries. Only the default local
file is migrated without asking (`database.open_configured`).

On PostgreSQL a clinic runs the app as a role that does not own the tables, so that row
security binds it (`diary/row_security.py`, docs/clinic.md): `grant ROLE`, run as the owner,
gives that role what the app needs and no more; `check`, run as the app's role, says whether
row security applies to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from facespasm.cli.diary_options import Db
from facespasm.errors import InputError

db_app = typer.Typer(
    help="The diary database: create it or migrate it to this version of facespasm.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@db_app.command("upgrade")
def upgrade_command(db: Db = None) -> None:
    """Create the diary's tables, or migrate them to the schema this facespasm needs."""
    from facespasm.diary.database import (
        HEAD,
        database_url,
        open_database,
        schema_revision,
        upgrade_schema,
    )

    engine = open_database(database_url(db), schema="as_is")
    try:
        before = schema_revision(engine)
        if before == HEAD:
            typer.echo(f"The diary database is up to date (schema {HEAD}).")
            return
        _migrate(lambda: upgrade_schema(engine))
        was = f"from schema {before}" if before else "new"
        typer.echo(f"The diary database is at schema {HEAD} ({was}).")
    finally:
        engine.dispose()


@db_app.command("downgrade")
def downgrade_command(
    revision: Annotated[
        str, typer.Argument(help="The schema to go back to, e.g. 0001.", metavar="REVISION")
    ],
    db: Db = None,
) -> None:
    """Go back to an older schema, for an older facespasm: what it cannot hold is dropped."""
    from facespasm.diary.database import database_url, downgrade_schema, open_database

    if not revision.isascii() or not revision.isdigit() or len(revision) != 4:
        raise InputError(f"REVISION must be a schema number like 0001, not {revision[:40]!r}")
    engine = open_database(database_url(db), schema="as_is")
    try:
        _migrate(lambda: downgrade_schema(engine, revision))
    finally:
        engine.dispose()
    typer.echo(f"The diary database is at schema {revision}.")


def _migrate(run: Callable[[], None]) -> None:
    # A revision Alembic does not know is said in one line; a migration that refuses says so
    # itself (InputError), and a database failure is main()'s to report.
    from alembic.util import CommandError

    try:
        run()
    except CommandError as error:
        raise InputError(str(error).splitlines()[0]) from None


@db_app.command("grant")
def grant_command(
    role: Annotated[
        str,
        typer.Argument(
            help="The app's PostgreSQL role (not the tables' owner), e.g. facespasm_app.",
            metavar="ROLE",
        ),
    ],
    db: Db = None,
) -> None:
    """Give the app's PostgreSQL role its rights (run as the tables' owner; after each upgrade)."""
    from facespasm.diary.database import database_url, open_database
    from facespasm.diary.row_security import APPEND_ONLY_TABLES, grant_app_role

    engine = open_database(database_url(db), schema="as_is")
    try:
        tables = grant_app_role(engine, role)
    finally:
        engine.dispose()
    written = [name for name in tables if name not in APPEND_ONLY_TABLES]
    added = [name for name in tables if name in APPEND_ONLY_TABLES]
    also = f", and read and add to (never change) {', '.join(added)}" if added else ""
    typer.echo(
        f"{role} may now read and write {len(written)} tables of the diary and accounts, "
        f"under row security{also}."
    )


@db_app.command("check")
def check_command(db: Db = None) -> None:
    """Say whether PostgreSQL's row security applies to the role of --db (the app's)."""
    from facespasm.diary.database import database_url, open_database
    from facespasm.diary.row_security import row_security_problems

    engine = open_database(database_url(db))
    try:
        if engine.dialect.name != "postgresql":
            typer.echo(f"{engine.dialect.name} has no row security: a file is one person's diary.")
            return
        problems = row_security_problems(engine)
    finally:
        engine.dispose()
    for problem in problems:
        typer.echo(f"problem: {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("Row security applies to this role: each transaction sees one person's diary.")
