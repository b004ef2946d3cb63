"""The clinic's tables: accounts, their sessions, shares with clinicians, and the audit log.

They join the diary's `MetaData` (`facespasm.diary.models.Base`), so Alembic's environment and
the test that compares the models with the migrations see them; migration 0003 creates them.

Decisions:
- **Every account has a diary of its own**: `person_id` is unique and points at `people`, made
  with `diary.people.add_person` when the account is added. A patient's records are that
  person's rows; clinicians and administrators have a person too (so the row-security policies
  need no special case) but no diary routes of their own.
- Emails are stored lower-case, so one address is one account whatever its case.
- A session stores only an HMAC of its token (`sessions.py`), never the token itself.
- At most one active share per (patient, clinician): a unique index on the pair, partial to
  the rows not revoked (SQLite and PostgreSQL both have partial indexes).
- The audit log copies the reader's email and role, so an entry still names who read after
  their account changes; the app only inserts into it (PostgreSQL: helper B's grants).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from facespasm.diary.models import Base, UTCDateTime

ROLES = ("patient", "clinician", "admin")
ACTIONS = ("read", "change")
MAX_EMAIL_LENGTH = 254
_NOT_REVOKED = text("revoked_at IS NULL")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _account() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"))


class Accounts(Base):
    """A person who signs in: a patient, a clinician or an administrator."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role_known"),
        CheckConstraint("email <> ''", name="email_given"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("people.id", ondelete="RESTRICT"), unique=True
    )
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Sessions(Base):
    """A signed-in session: the HMAC of its token, its account, and when it ends."""

    __tablename__ = "sessions"
    __table_args__ = (Index(None, "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = _account()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Shares(Base):
    """A patient's permission for a clinician to read their diary, until revoked."""

    __tablename__ = "shares"
    __table_args__ = (
        Index(
            "uq_shares_active_pair",
            "patient_account_id",
            "clinician_account_id",
            unique=True,
            sqlite_where=_NOT_REVOKED,
            postgresql_where=_NOT_REVOKED,
        ),
        Index(None, "clinician_account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_account_id: Mapped[int] = _account()
    clinician_account_id: Mapped[int] = _account()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditLog(Base):
    """Who read or changed which patient's data, when and from where (append-only)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_one_of("action", ACTIONS), name="action_known"),
        Index(None, "patient_person_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8))
    what: Mapped[str] = mapped_column(String(300))
    patient_person_id: Mapped[int | None] = mapped_column(Integer)
    from_address: Mapped[str | None] = mapped_column(String(64))
