"""Accounts: who may sign in, with which role, and their own diary.

Decisions:
- An email is one account whatever its case: stored stripped and lower-case, at most 254
  characters (RFC 5321's path limit), one `@` with something on each side, no spaces.
- Every account gets a person of its own (`diary.people.add_person`), named by a random
  identifier rather than the email, so no personal data sits in `people`.
- Disabling an account or resetting its password revokes all its sessions in the same
  transaction, so whoever held them is signed out at their next request; a reset also lifts a
  lock-out.
- Roles are a closed vocabulary (`ROLES`): patient, clinician, admin.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from facespasm.clinic.passwords import hash_password
from facespasm.clinic.tables import MAX_EMAIL_LENGTH, Accounts, Sessions
from facespasm.diary.database import run_write
from facespasm.diary.models import People
from facespasm.diary.people import add_person
from facespasm.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

Role = Literal["patient", "clinician", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True)
class Account:
    """An account as the program sees it (never its password hash)."""

    id: int
    email: str
    role: Role
    person_id: int
    disabled: bool
    created_at: dt.datetime


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def normal_email(email: str) -> str:
    """The email as stored: stripped, lower-case, checked.

    Args:
        email: An email address as typed.

    Returns:
        The stored form.

    Raises:
        InputError: Not an email address, or longer than 254 characters.
    """
    stored = email.strip().lower()
    if len(stored) > MAX_EMAIL_LENGTH:
        raise InputError(f"an email address has at most {MAX_EMAIL_LENGTH} characters")
    local, at, domain = stored.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or not c.isprintable() for c in stored):
        raise InputError("not an email address (e.g. someone@clinic.example)")
    return stored


def check_role(role: str) -> Role:
    """The role, if it is one.

    Raises:
        InputError: Not patient, clinician or admin.
    """
    for known in ROLES:
        if role == known:
            return known
    raise InputError(f"unknown role {role[:20]!r}; use {', '.join(ROLES)}")


def account_of(row: Any) -> Account:
    """An `Account` from a row with the accounts table's columns."""
    return Account(
        id=int(row.id),
        email=str(row.email),
        role=check_role(str(row.role)),
        person_id=int(row.person_id),
        disabled=bool(row.disabled),
        created_at=row.created_at,
    )


ACCOUNT_COLUMNS = (
    Accounts.id,
    Accounts.email,
    Accounts.role,
    Accounts.person_id,
    Accounts.disabled,
    Accounts.created_at,
)


def add_account(
    engine: Engine, email: str, role: str, password: str, *, now: dt.datetime | None = None
) -> Account:
    """Add an account, with a person (a diary) of its own.

    Args:
        engine: The database's engine (at schema 0003 or later).
        email: Its email address (stored lower-case).
        role: "patient", "clinician" or "admin".
        password: Its password, at least 12 characters.
        now: The time it is made (default: now).

    Returns:
        The new account.

    Raises:
        InputError: A malformed email, an unknown role, a short password, or an email taken.
    """
    stored = normal_email(email)
    known_role = check_role(role)
    password_hash = hash_password(password)
    if _find(engine, stored) is not None:
        raise InputError(f"there is already an account for {stored}")
    person = add_person(engine, f"account {uuid.uuid4().hex}")
    values = {
        "email": stored,
        "role": known_role,
        "password_hash": password_hash,
        "person_id": person,
        "disabled": False,
        "failed_logins": 0,
        "locked_until": None,
        "created_at": _now(now),
    }

    def write(connection: Connection) -> int:
        statement = insert(Accounts).returning(Accounts.id)
        return int(connection.execute(statement, values).scalar_one())

    try:
        account_id = run_write(engine, write)
    except IntegrityError:
        # Another process added the same email in between: give back the person made for it.
        run_write(engine, lambda c: c.execute(delete(People).where(People.id == person)))
        raise InputError(f"there is already an account for {stored}") from None
    return account_by_id(engine, account_id)


def _find(engine: Engine, stored_email: str) -> Account | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(*ACCOUNT_COLUMNS).where(Accounts.email == stored_email)
        ).first()
    return None if row is None else account_of(row)


def find_account(engine: Engine, email: str) -> Account:
    """The account of this email.

    Raises:
        NotFoundError: No account has it.
    """
    stored = normal_email(email)
    found = _find(engine, stored)
    if found is None:
        raise NotFoundError(f"no account for {stored}")
    return found


def account_by_id(engine: Engine, account_id: int) -> Account:
    """The account of this id.

    Raises:
        NotFoundError: No account has it.
    """
    with engine.connect() as connection:
        row = connection.execute(select(*ACCOUNT_COLUMNS).where(Accounts.id == account_id)).first()
    if row is None:
        raise NotFoundError(f"no account {account_id}")
    return account_of(row)


def list_accounts(engine: Engine) -> list[Account]:
    """Every account, by email."""
    with engine.connect() as connection:
        rows = connection.execute(select(*ACCOUNT_COLUMNS).order_by(Accounts.email)).all()
    return [account_of(row) for row in rows]


def set_disabled(
    engine: Engine, email: str, disabled: bool, *, now: dt.datetime | None = None
) -> Account:
    """Disable an account (revoking its sessions) or enable it again.

    Args:
        engine: The database's engine.
        email: The account's email.
        disabled: True to disable, False to enable.
        now: When (the sessions' revocation time; default: now).

    Returns:
        The account as it is now.

    Raises:
        NotFoundError: No account has this email.
    """
    account = find_account(engine, email)
    moment = _now(now)

    def write(connection: Connection) -> None:
        connection.execute(
            update(Accounts).where(Accounts.id == account.id).values(disabled=disabled)
        )
        if disabled:
            revoke_all(connection, account.id, moment)

    run_write(engine, write)
    return account_by_id(engine, account.id)


def reset_password(
    engine: Engine, email: str, password: str, *, now: dt.datetime | None = None
) -> Account:
    """Give an account a new password: its sessions are revoked and any lock-out lifted.

    Raises:
        InputError: The password is too short or too long.
        NotFoundError: No account has this email.
    """
    account = find_account(engine, email)
    password_hash = hash_password(password)
    moment = _now(now)

    def write(connection: Connection) -> None:
        connection.execute(
            update(Accounts)
            .where(Accounts.id == account.id)
            .values(password_hash=password_hash, failed_logins=0, locked_until=None)
        )
        revoke_all(connection, account.id, moment)

    run_write(engine, write)
    return account


def revoke_all(connection: Connection, account_id: int, now: dt.datetime) -> None:
    """Revoke every open session of an account, within the caller's transaction."""
    connection.execute(
        update(Sessions)
        .where(Sessions.account_id == account_id, Sessions.revoked_at.is_(None))
        .values(revoked_at=now)
    )
