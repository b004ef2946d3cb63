"""The first diary schema: episodes, day factors, treatments and saved results.

Revision ID: 0001
Revises:
Create Date: 2026-05-20

Written out in full (not built from the models) so that it stays what it was when later
revisions change the models; constraint names are final (`op.f`), matching the models' naming
convention.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_SIDES = "'left', 'right', 'both'"


def upgrade() -> None:
    """Create the four tables with their range checks and indexes."""
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("regions", sa.String(length=64), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
        sa.CheckConstraint(f"side IN ({_SIDES})", name=op.f("ck_episodes_side_known")),
        sa.CheckConstraint("regions <> ''", name=op.f("ck_episodes_regions_given")),
        sa.CheckConstraint(
            "severity IS NULL OR (severity >= 0 AND severity <= 10)",
            name=op.f("ck_episodes_severity_0_10"),
        ),
        sa.CheckConstraint(
            "duration_s IS NULL OR duration_s >= 0", name=op.f("ck_episodes_duration_non_negative")
        ),
    )
    op.create_index(op.f("ix_episodes_occurred_at"), "episodes", ["occurred_at"])
    op.create_index(op.f("ix_episodes_local_date"), "episodes", ["local_date"])

    op.create_table(
        "day_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("caffeine_drinks", sa.Float(), nullable=True),
        sa.Column("alcohol_drinks", sa.Float(), nullable=True),
        sa.Column("stress_0_10", sa.Float(), nullable=True),
        sa.Column("screen_hours", sa.Float(), nullable=True),
        sa.Column("nicotine", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_factors")),
        sa.UniqueConstraint("date", name=op.f("uq_day_factors_date")),
        sa.CheckConstraint(
            "episodes IS NULL OR episodes >= 0", name=op.f("ck_day_factors_episodes_non_negative")
        ),
        sa.CheckConstraint(
            "sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)",
            name=op.f("ck_day_factors_sleep_0_24"),
        ),
        sa.CheckConstraint(
            "caffeine_drinks IS NULL OR caffeine_drinks >= 0",
            name=op.f("ck_day_factors_caffeine_non_negative"),
        ),
        sa.CheckConstraint(
            "alcohol_drinks IS NULL OR alcohol_drinks >= 0",
            name=op.f("ck_day_factors_alcohol_non_negative"),
        ),
        sa.CheckConstraint(
            "stress_0_10 IS NULL OR (stress_0_10 >= 0 AND stress_0_10 <= 10)",
            name=op.f("ck_day_factors_stress_0_10"),
        ),
        sa.CheckConstraint(
            "screen_hours IS NULL OR (screen_hours >= 0 AND screen_hours <= 24)",
            name=op.f("ck_day_factors_screen_0_24"),
        ),
    )

    op.create_table(
        "treatments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=True),
        sa.Column("dose_units", sa.Float(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatments")),
        sa.CheckConstraint(
            "kind IN ('botulinum_toxin', 'medication', 'microvascular_decompression')",
            name=op.f("ck_treatments_kind_known"),
        ),
        sa.CheckConstraint(
            f"side IS NULL OR side IN ({_SIDES})", name=op.f("ck_treatments_side_known")
        ),
        sa.CheckConstraint(
            "dose_units IS NULL OR dose_units >= 0", name=op.f("ck_treatments_dose_non_negative")
        ),
    )
    op.create_index(op.f("ix_treatments_date"), "treatments", ["date"])

    op.create_table(
        "saved_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_results")),
        sa.CheckConstraint(
            "kind IN ('assessment', 'video')", name=op.f("ck_saved_results_kind_known")
        ),
    )
    op.create_index(op.f("ix_saved_results_local_date"), "saved_results", ["local_date"])


def downgrade() -> None:
    """Drop everything the upgrade created."""
    op.drop_index(op.f("ix_saved_results_local_date"), table_name="saved_results")
    op.drop_table("saved_results")
    op.drop_index(op.f("ix_treatments_date"), table_name="treatments")
    op.drop_table("treatments")
    op.drop_table("day_factors")
    op.drop_index(op.f("ix_episodes_local_date"), table_name="episodes")
    op.drop_index(op.f("ix_episodes_occurred_at"), table_name="episodes")
    op.drop_table("episodes")
