"""Accounts, sessions, shares and the audit log: the clinic server (issue 14).

- `accounts`: an email (lower-case, unique), a role (patient, clinician, admin), an Argon2id
  password hash, its own person (`people`, unique), disabled, the failed sign-ins in a row and a
  lock-out time, when it was made.
- `sessions`: the HMAC of a session's token, its account, when it started, was last used and
  ends at the latest, and when it was revoked.
- `shares`: a patient's permission for a clinician, until revoked; at most one active share per
  pair (a partial unique index).
- `audit_log`: who (id, email and role copied) read or changed which person's data, what
  (method and route template), when, from which address. No foreign keys, so that no change to
  an account ever touches the log.

Written out in full, like 0001 and 0002, so that it stays what it is when the models change. The
downgrade drops the four tables; the people made for accounts stay (revision 0002 refuses to go
further back while they do).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TIME = sa.DateTime(timezone=True)
_NOT_REVOKED = sa.text("revoked_at IS NULL")


def _account_key(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["accounts.id"], name=op.f(f"fk_{table}_{column}_accounts"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """The four tables of the clinic server."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
        sa.UniqueConstraint("person_id", name=op.f("uq_accounts_person_id")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_accounts_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            "role IN ('patient', 'clinician', 'admin')", name=op.f("ck_accounts_role_known")
        ),
        sa.CheckConstraint("email <> ''", name=op.f("ck_accounts_email_given")),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_accounts_failed_logins_non_negative")
        ),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_seen_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
        _account_key("sessions", "account_id"),
    )
    op.create_index(op.f("ix_sessions_account_id"), "sessions", ["account_id"])
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_account_id", sa.Integer(), nullable=False),
        sa.Column("clinician_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        _account_key("shares", "patient_account_id"),
        _account_key("shares", "clinician_account_id"),
    )
    op.create_index(
        "uq_shares_active_pair",
        "shares",
        ["patient_account_id", "clinician_account_id"],
        unique=True,
        sqlite_where=_NOT_REVOKED,
        postgresql_where=_NOT_REVOKED,
    )
    op.create_index(op.f("ix_shares_clinician_account_id"), "shares", ["clinician_account_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("patient_person_id", sa.Integer(), nullable=True),
        sa.Column("from_address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.CheckConstraint("action IN ('read', 'change')", name=op.f("ck_audit_log_action_known")),
    )
    op.create_index(
        op.f("ix_audit_log_patient_person_id_at"), "audit_log", ["patient_person_id", "at"]
    )


def downgrade() -> None:
    """Drop the clinic's tables (the people made for accounts stay)."""
    for table in ("audit_log", "shares", "sessions", "accounts"):
        op.drop_table(table)
