"""Server-side sessions: one random token per sign-in, stored only as an HMAC.

Decisions:
- A token is 32 random bytes (`secrets.token_urlsafe`); the database keeps only its HMAC-SHA256
  under the server's secret key (`FACESPASM_SECRET_KEY`), so a copy of the database signs no
  one in. **Rotating the secret key signs everyone out**: no stored HMAC matches any more.
- A session ends at the first of: its absolute lifetime (`lifetime`, 12 h by default), an idle
  gap longer than `idle` (15 min by default: automatic logoff, 45 CFR 164.312(a)(2)(iii)), its
  revocation (sign-out; the account disabled or its password reset), or the account disabled.
  Each use moves `last_seen_at` on.
- The same sessions back both ways in: the bearer token of `POST /api/v1/auth/token` and the
  pages' cookie.
- The CSRF token of a cookie session is the HMAC of its token's HMAC under the same key
  (`csrf_token`): no state is stored for it, and it changes with every session.
- Ended sessions are kept for `KEEP_ENDED` (when someone signed in, for an administrator's
  questions), then deleted: each sign-in deletes its account's sessions that ended longer ago,
  so the table holds at most a month of sign-ins per account, however long the server runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, or_, select, update

from facespasm.clinic.accounts import ACCOUNT_COLUMNS, Account, account_of, revoke_all
from facespasm.clinic.tables import Accounts, Sessions
from facespasm.diary.database import run_write

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

TOKEN_BYTES = 32
IDLE = dt.timedelta(minutes=15)
LIFETIME = dt.timedelta(hours=12)
KEEP_ENDED = dt.timedelta(days=30)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def token_hash(token: str, secret: bytes) -> str:
    """The HMAC-SHA256 of a session token under the secret key, in hex (what is stored)."""
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def csrf_token(token: str, secret: bytes) -> str:
    """The CSRF token of a cookie session: an HMAC of its stored hash under the secret key."""
    stored = token_hash(token, secret)
    return hmac.new(secret, b"csrf:" + stored.encode(), hashlib.sha256).hexdigest()


def csrf_matches(token: str, secret: bytes, given: str) -> bool:
    """Whether `given` is the session's CSRF token (compared in constant time)."""
    return hmac.compare_digest(csrf_token(token, secret), given)


def start_session(
    engine: Engine,
    account: Account,
    secret: bytes,
    *,
    now: dt.datetime | None = None,
    lifetime: dt.timedelta = LIFETIME,
) -> str:
    """Start a session for a signed-in account (and delete its sessions ended `KEEP_ENDED` ago).

    Args:
        engine: The database's engine.
        account: Who signed in.
        secret: The server's secret key.
        now: When (default: now).
        lifetime: How long the session may last at most.

    Returns:
        The session's token (shown to the client once; only its HMAC is stored).
    """
    moment = _now(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values = {
        "token_hash": token_hash(token, secret),
        "account_id": account.id,
        "created_at": moment,
        "last_seen_at": moment,
        "expires_at": moment + lifetime,
        "revoked_at": None,
    }
    long_ago = moment - KEEP_ENDED

    def sign_in(connection: Connection) -> None:
        connection.execute(
            delete(Sessions).where(
                Sessions.account_id == account.id,
                or_(Sessions.expires_at < long_ago, Sessions.revoked_at < long_ago),
            )
        )
        connection.execute(insert(Sessions), values)

    run_write(engine, sign_in)
    return token


def session_account(
    engine: Engine,
    token: str,
    secret: bytes,
    *,
    now: dt.datetime | None = None,
    idle: dt.timedelta = IDLE,
) -> Account | None:
    """The account a session token signs in, marking the session used; None if it has ended.

    Args:
        engine: The database's engine.
        token: The token the client sent.
        secret: The server's secret key.
        now: When (default: now).
        idle: The longest gap between uses.

    Returns:
        The account, or None: an unknown, revoked, expired or idle session, a disabled account.
    """
    moment = _now(now)
    stored = token_hash(token, secret)

    def use(connection: Connection) -> Account | None:
        row = connection.execute(
            select(
                Sessions.id.label("session_id"),
                Sessions.last_seen_at,
                Sessions.expires_at,
                *ACCOUNT_COLUMNS,
            )
            .join(Accounts, Accounts.id == Sessions.account_id)
            .where(Sessions.token_hash == stored, Sessions.revoked_at.is_(None))
        ).first()
        if row is None or row.disabled:
            return None
        if moment >= row.expires_at or moment - row.last_seen_at > idle:
            connection.execute(
                update(Sessions).where(Sessions.id == row.session_id).values(revoked_at=moment)
            )
            return None
        connection.execute(
            update(Sessions).where(Sessions.id == row.session_id).values(last_seen_at=moment)
        )
        return account_of(row)

    return run_write(engine, use)


def end_session(
    engine: Engine, token: str, secret: bytes, *, now: dt.datetime | None = None
) -> None:
    """Revoke one session (signing out); nothing happens for a token that signs no one in."""
    stored = token_hash(token, secret)
    run_write(
        engine,
        lambda c: c.execute(
            update(Sessions)
            .where(Sessions.token_hash == stored, Sessions.revoked_at.is_(None))
            .values(revoked_at=_now(now))
        ),
    )


def revoke_sessions(engine: Engine, account_id: int, *, now: dt.datetime | None = None) -> None:
    """Revoke every open session of an account (signing it out everywhere)."""
    moment = _now(now)
    run_write(engine, lambda c: revoke_all(c, account_id, moment))
