"""Row-level security on PostgreSQL: each person's diary rows, for that person's transactions only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14

On every table of a person's diary entries (those with `person_id`: episodes, day_factors,
treatments, ratings, saved_results, measurements, assessments) row security is enabled and
forced -- it binds the tables' owner too -- with one policy, `facespasm_person`: a row is seen,
inserted, changed or deleted only when its `person_id` is the transaction's person, the setting
`facespasm.person` that a `Diary` sets at the start of each transaction
(`diary/row_security.py`). Unset, the setting names no one and no row is visible: after a
transaction-local setting ends PostgreSQL leaves an empty string, not NULL, hence the NULLIF.

Nothing on SQLite, which has no row security (a SQLite diary is one person's file). No data is
read or written here, so FORCE does not hinder this migration; the downgrade removes the policy
and the row security, leaving the tables as 0003 had them.

Written out in full, with its own list of tables, so that it stays what it is when the program
changes.
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = (
    "episodes",
    "day_factors",
    "treatments",
    "ratings",
    "saved_results",
    "measurements",
    "assessments",
)
POLICY = "facespasm_person"
PERSON = "NULLIF(current_setting('facespasm.person', true), '')::integer"


def upgrade() -> None:
    """Enable and force row security on each diary table, with the person's policy."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON {table} "
            f"USING (person_id = {PERSON}) WITH CHECK (person_id = {PERSON})"
        )


def downgrade() -> None:
    """Drop the policy and row security again."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
