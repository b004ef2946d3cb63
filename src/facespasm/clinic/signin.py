"""Signing in: the password checked, failures counted, a lock-out after too many.

Decisions:
- `MAX_FAILURES` (5) wrong passwords in a row lock the account for `LOCK_MINUTES` (15), counted
  in the database so every worker process agrees (OWASP Authentication Cheat Sheet, "Account
  Lockout"); a right password resets the count. While locked, no password is checked at all.
- Every failure looks the same -- an unknown email, a wrong password, a disabled account, a
  locked one: "wrong email or password" with the lock-out rule -- and costs the same one Argon2
  verification, so neither the answer nor its time says which emails have accounts (OWASP,
  "Authentication and Error Messages"). A lock-out said apart would tell: only an email with an
  account can be locked. `LockedOut` says it to the program (and its tests), never to a caller.
- A hash made with older Argon2 parameters is replaced by one with today's on a right password.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from facespasm.clinic.accounts import Account, account_of, normal_email
from facespasm.clinic.passwords import verify, verify_nothing
from facespasm.clinic.tables import Accounts
from facespasm.diary.database import run_write
from facespasm.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

MAX_FAILURES = 5
LOCK_MINUTES = 15
WRONG = (
    f"wrong email or password ({MAX_FAILURES} wrong in a row lock an account for "
    f"{LOCK_MINUTES} minutes)"
)


class SignInError(InputError):
    """The email and password do not sign anyone in."""


class LockedOut(SignInError):
    """Too many wrong passwords in a row: the account is locked until `until`.

    Its message is `WRONG`'s, like every other failure's.
    """

    def __init__(self, until: dt.datetime) -> None:
        """The lock-out, ending at `until` (UTC)."""
        self.until = until
        super().__init__(WRONG)


def sign_in(
    engine: Engine, email: str, password: str, *, now: dt.datetime | None = None
) -> Account:
    """The account these credentials sign in, counting failures towards a lock-out.

    Args:
        engine: The database's engine.
        email: The email as typed (any case).
        password: The password as typed.
        now: The time of the attempt (default: now).

    Returns:
        The account.

    Raises:
        LockedOut: The account is locked (also when this attempt locked it).
        SignInError: Wrong email or password, or a disabled account.
    """
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    try:
        stored = normal_email(email)
    except InputError:
        verify_nothing()
        raise SignInError(WRONG) from None
    with engine.connect() as connection:
        row = connection.execute(select(Accounts).where(Accounts.email == stored)).first()
    if row is None:
        verify_nothing()
        raise SignInError(WRONG)
    if row.locked_until is not None and row.locked_until > moment:
        verify_nothing()  # as long as an unknown email's answer
        raise LockedOut(row.locked_until)
    matches, new_hash = verify(password, row.password_hash)
    if not matches or row.disabled:
        locked = run_write(engine, lambda c: _count_failure(c, row.id, moment))
        if locked is not None:
            raise LockedOut(locked)
        raise SignInError(WRONG)
    changes: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if new_hash is not None:
        changes["password_hash"] = new_hash
    run_write(
        engine,
        lambda c: c.execute(update(Accounts).where(Accounts.id == row.id).values(**changes)),
    )
    return account_of(row)


def _count_failure(connection: Connection, account_id: int, now: dt.datetime) -> dt.datetime | None:
    # Counted in the database (an UPDATE of the row), so two workers' failures both count.
    connection.execute(
        update(Accounts)
        .where(Accounts.id == account_id)
        .values(failed_logins=Accounts.failed_logins + 1)
    )
    failures = connection.scalar(select(Accounts.failed_logins).where(Accounts.id == account_id))
    if failures is None or failures < MAX_FAILURES:
        return None
    until = now + dt.timedelta(minutes=LOCK_MINUTES)
    connection.execute(
        update(Accounts)
        .where(Accounts.id == account_id)
        .values(failed_logins=0, locked_until=until)
    )
    return until
