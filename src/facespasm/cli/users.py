"""`facespasm users ...`: a clinic server's accounts -- add, list, disable, enable, reset.

A password is read from standard input only (`--password-stdin`, its first line), never from
an argument (which other users of the machine could see in the process list) and never echoed,
printed or logged. Bad input -- a malformed email, an unknown role, a short password, an email
taken or unknown -- is one line and exit 2. The database is `--db`'s (else
$FACESPASM_DATABASE_URL, else the local file), at the schema this facespasm needs
(`facespasm db upgrade`). The work is `facespasm.clinic`'s.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from facespasm.cli.diary_options import AsJson, Db
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from facespasm.clinic import Account

Result = TypeVar("Result")

users_app = typer.Typer(
    help="A clinic server's accounts: add, list, disable, enable, reset a password.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Email = Annotated[str, typer.Argument(help="The account's email address.", metavar="EMAIL")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input (its first line)."
    ),
]


def _on_database(db: str | None, work: Callable[[Engine], Result]) -> Result:
    """`work` done on the database of --db (closed afterwards, whatever happens)."""
    from facespasm.diary.database import open_configured

    engine = open_configured(db)
    try:
        return work(engine)
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        raise InputError(
            "give the password on standard input with --password-stdin "
            "(never as an argument, where others could see it)"
        )
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def add_command(
    email: Email,
    role: Annotated[str, typer.Option("--role", help="patient, clinician or admin.")],
    password_stdin: PasswordStdin = False,
    db: Db = None,
) -> None:
    """Add an account (with a diary of its own); the password comes from standard input."""
    from facespasm.clinic import add_account
    from facespasm.clinic.accounts import check_role, normal_email

    normal_email(email)
    check_role(role)
    password = _password(password_stdin)
    account = _on_database(db, lambda engine: add_account(engine, email, role, password))
    typer.echo(f"Added {account.role} {account.email} (account {account.id}).")


@users_app.command("list")
def list_command(as_json: AsJson = False, db: Db = None) -> None:
    """List the accounts: email, role, whether disabled."""
    from facespasm.clinic import list_accounts

    accounts = _on_database(db, list_accounts)
    if as_json:
        typer.echo(json.dumps([_as_dict(account) for account in accounts], indent=2))
        return
    if not accounts:
        typer.echo("No accounts yet; add one with `facespasm users add EMAIL --role ...`.")
        return
    for account in accounts:
        state = "  (disabled)" if account.disabled else ""
        typer.echo(f"{account.id:>5}  {account.role:<9}  {account.email}{state}")


def _as_dict(account: Account) -> dict[str, object]:
    return {
        "id": account.id,
        "email": account.email,
        "role": account.role,
        "disabled": account.disabled,
        "created_at": account.created_at.isoformat(),
    }


@users_app.command("disable")
def disable_command(email: Email, db: Db = None) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once."""
    from facespasm.clinic import set_disabled

    account = _on_database(db, lambda engine: set_disabled(engine, email, True))
    typer.echo(f"Disabled {account.email}; its sessions are revoked.")


@users_app.command("enable")
def enable_command(email: Email, db: Db = None) -> None:
    """Enable a disabled account again."""
    from facespasm.clinic import set_disabled

    account = _on_database(db, lambda engine: set_disabled(engine, email, False))
    typer.echo(f"Enabled {account.email}.")


@users_app.command("reset")
def reset_command(email: Email, password_stdin: PasswordStdin = False, db: Db = None) -> None:
    """Give an account a new password (from standard input); its sessions end at once."""
    from facespasm.clinic import reset_password

    password = _password(password_stdin)
    account = _on_database(db, lambda engine: reset_password(engine, email, password))
    typer.echo(f"New password set for {account.email}; its sessions are revoked.")
