"""What every `facespasm diary ...` command shares: the options, opening the diary, dates typed.

The diary is the local app's person's `Diary` in the database of `--db` (else
$FACESPASM_DATABASE_URL, else the default file, created and migrated on first use;
`database.open_configured`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facespasm.errors import InputError

if TYPE_CHECKING:
    from facespasm.diary.store import Diary

Db = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (SQLAlchemy); default: $FACESPASM_DATABASE_URL or a local file."
    ),
]
Timezone = Annotated[
    str | None,
    typer.Option(help="Your IANA time zone, e.g. Europe/London (default: this computer's)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (for other programs).")]


def open_diary(db: str | None) -> Diary:
    """The local person's diary in the database of --db.

    Raises:
        InputError: the database cannot be opened, or is not at the schema this facespasm needs.
    """
    from facespasm.diary.database import open_configured
    from facespasm.diary.store import Diary

    return Diary(open_configured(db))


def local_timezone() -> str:
    """This computer's IANA time zone name ($TZ, then /etc/localtime), or UTC."""
    if os.environ.get("TZ"):
        return os.environ["TZ"]
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def parse_date(text: str, option: str | None = None) -> dt.date:
    """A date typed as YYYY-MM-DD (for `option`, named in the message).

    Raises:
        InputError: it is not one.
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        where = f"{option}: " if option else ""
        raise InputError(f"{where}not a date (YYYY-MM-DD): {text[:40]!r}") from None


def parse_datetime(text: str) -> dt.datetime:
    """A date and time typed in ISO form (2026-11-24T08:30).

    Raises:
        InputError: it is not one.
    """
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date and time (e.g. 2026-11-24T08:30): {text[:40]!r}") from None


def show_value(value: object) -> str:
    """A value as a table cell shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
