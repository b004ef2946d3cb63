"""`facespasm db ...`: the diary database's schema, migrated when its keeper decides.

`upgrade` brings a database to the schema this facespasm needs (a new database gets its tables);
`downgrade` takes it back to an older revision for an older facespasm, dropping what that one
cannot hold, and refuses while it would mix several people's diaries. Only the default local
file is migrated without asking (`database.open_configured`).
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
