"""The people whose diaries a database keeps.

The local app has one person and no login: `DEFAULT_PERSON_ID`, created by migration 0002 (which
also gave it every row written before people existed). A server for several people -- a
clinic's, with accounts to come -- adds a person per account and opens `Diary(engine, person)`
for whoever is signed in; nothing else in the diary needs to know how the person was chosen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from facespasm.diary.bounds import MAX_NAME_LENGTH, check_text
from facespasm.diary.database import run_write
from facespasm.diary.models import DEFAULT_PERSON_ID, DEFAULT_PERSON_NAME, People
from facespasm.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

__all__ = ["DEFAULT_PERSON_ID", "DEFAULT_PERSON_NAME", "add_person", "person_named"]


def add_person(engine: Engine, name: str) -> int:
    """Add a person (a diary of their own) to the database.

    Args:
        engine: The diary's engine.
        name: A name unique in this database (an account's, say), one line, up to 200
            characters.

    Returns:
        The new person's id.

    Raises:
        InputError: An empty name, one that cannot be stored, or one already taken.
    """
    check_text(name, "name", max_length=MAX_NAME_LENGTH, line_breaks=False)
    if not name.strip():
        raise InputError("a person needs a name")

    def write(connection: Connection) -> int:
        taken = connection.scalar(select(People.id).where(People.name == name))
        if taken is not None:
            raise InputError(f"there is already a person called {name[:40]!r}")
        statement = insert(People).returning(People.id)
        return int(connection.execute(statement, {"name": name}).scalar_one())

    return run_write(engine, write)


def person_named(engine: Engine, name: str) -> int:
    """The id of the person of this name.

    Args:
        engine: The diary's engine.
        name: Their name.

    Returns:
        Their id.

    Raises:
        NotFoundError: No one is called that.
    """
    with engine.connect() as connection:
        found = connection.scalar(select(People.id).where(People.name == name))
    if found is None:
        raise NotFoundError(f"no person called {name[:40]!r} in this database")
    return int(found)
