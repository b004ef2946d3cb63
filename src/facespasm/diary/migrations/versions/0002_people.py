"""A diary belongs to a person; clinics' treatments; ratings, measurements and assessments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

- `people`, with the local app's one person (id 1, "default"), created here, and how often each
  wants a rating reminder (`rating_every_days`, 3-7; null: the default); every diary table
  gains `person_id` (deleted with the person), every existing row goes to person 1, and what was
  unique is unique per person: a day is one row per (person, date). Indexes lead with the
  person, since every query is one person's.
- `treatments` gains units by side, units by site (JSON), a medicine's `until` and the person's
  own `reported_onset` and `reported_wear_off` dates.
- New tables: `ratings`; `measurements` and `assessments`, the dated headline of a kept video
  analysis or assessment, each pointing at its whole result in `saved_results`. Results kept
  before this revision get their headline here, read from their JSON by a copy of the rules of
  `measurements.py` and `assessments.py` as they were at this revision (a migration must not
  change when the program does); a result whose JSON lacks what a headline needs keeps no
  headline, and the result itself is kept either way.

The downgrade drops what revision 0001 cannot hold -- the new tables and columns -- and refuses
(before changing anything) when the diary holds any row of a person other than person 1, since
0001 has one diary for everyone and would mix them.

Written out in full, like 0001, so that it stays what it is when the models change; SQLite
alters tables in batch mode (a copy of the table), which keeps their named CHECK constraints.
"""

from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa
from alembic import op

from facespasm.errors import InputError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

PERSON = 1
OLD_TABLES = ("episodes", "day_factors", "treatments", "saved_results")
# Indexes of 0001 and what replaces them: (table, old columns, new columns).
INDEXES = (
    ("episodes", ("occurred_at",), ("person_id", "occurred_at")),
    ("episodes", ("local_date",), ("person_id", "local_date")),
    ("treatments", ("date",), ("person_id", "date")),
    ("saved_results", ("local_date",), ("person_id", "local_date")),
)
_LEVELS = "'self_care', 'see_doctor', 'see_doctor_soon', 'emergency'"


def _name(kind: str, table: str, columns: tuple[str, ...]) -> str:
    return op.f(f"{kind}_{table}_{'_'.join(columns)}")


def _owner() -> sa.Column[int]:
    return sa.Column("person_id", sa.Integer(), nullable=False)


def _owner_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["people.id"], name=op.f(f"fk_{table}_person_id_people"), ondelete="CASCADE"
    )


def _non_negative(table: str, column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"{column} IS NULL OR {column} >= 0", name=op.f(f"ck_{table}_{column}_non_negative")
    )


def upgrade() -> None:
    """People; a person on every row; clinic treatments; ratings, measurements, assessments."""
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rating_every_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
        sa.CheckConstraint("name <> ''", name=op.f("ck_people_name_given")),
        sa.CheckConstraint(
            "rating_every_days IS NULL OR (rating_every_days >= 3 AND rating_every_days <= 7)",
            name=op.f("ck_people_rating_every_days_3_7"),
        ),
    )
    people = sa.table("people", sa.column("id", sa.Integer()), sa.column("name", sa.String()))
    op.bulk_insert(people, [{"id": PERSON, "name": "default"}])
    if op.get_bind().dialect.name == "postgresql":
        # The id was given, so the serial's sequence must be told: the next person is 2.
        op.execute("SELECT setval(pg_get_serial_sequence('people', 'id'), 1)")

    for table in OLD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET person_id = {PERSON}"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                op.f(f"fk_{table}_person_id_people"),
                "people",
                ["person_id"],
                ["id"],
                ondelete="CASCADE",
            )
            if table == "day_factors":
                batch.drop_constraint(op.f("uq_day_factors_date"), type_="unique")
                batch.create_unique_constraint(
                    op.f("uq_day_factors_person_id_date"), ["person_id", "date"]
                )
            if table == "treatments":
                _add_treatment_columns(batch)
    for table, old, new in INDEXES:
        op.drop_index(_name("ix", table, old), table_name=table)
        op.create_index(_name("ix", table, new), table, list(new))

    _create_ratings()
    _create_headline_tables()
    _headlines_of_kept_results()


def _add_treatment_columns(batch: Any) -> None:
    for column in ("units_left", "units_right"):
        batch.add_column(sa.Column(column, sa.Float(), nullable=True))
    batch.add_column(sa.Column("sites", sa.Text(), nullable=True))
    for column in ("until", "reported_onset", "reported_wear_off"):
        batch.add_column(sa.Column(column, sa.Date(), nullable=True))
    for column in ("units_left", "units_right"):
        batch.create_check_constraint(
            op.f(f"ck_treatments_{column}_non_negative"), f"{column} IS NULL OR {column} >= 0"
        )
    for column in ("until", "reported_onset", "reported_wear_off"):
        batch.create_check_constraint(
            op.f(f"ck_treatments_{column}_after_date"), f"{column} IS NULL OR {column} >= date"
        )


def _create_ratings() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        _owner(),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("scale", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        _owner_key("ratings"),
        sa.CheckConstraint("scale <> ''", name=op.f("ck_ratings_scale_given")),
        sa.CheckConstraint("score >= 0", name=op.f("ck_ratings_score_non_negative")),
    )
    op.create_index(op.f("ix_ratings_person_id_date"), "ratings", ["person_id", "date"])


def _headline(table: str, time_column: str, *columns: Any) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        _owner(),
        sa.Column(time_column, sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        *columns,
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        _owner_key(table),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["saved_results.id"],
            name=op.f(f"fk_{table}_result_id_saved_results"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("result_id", name=op.f(f"uq_{table}_result_id")),
    )
    op.create_index(op.f(f"ix_{table}_person_id_{time_column}"), table, ["person_id", time_column])


def _create_headline_tables() -> None:
    rates = ("face_minutes", "blink_rate_per_min", "spasms_per_min_left", "spasms_per_min_right")
    _headline(
        "measurements",
        "measured_at",
        sa.Column("face_minutes", sa.Float(), nullable=False),
        sa.Column("blink_rate_per_min", sa.Float(), nullable=True),
        sa.Column("spasms_per_min_left", sa.Float(), nullable=True),
        sa.Column("spasms_per_min_right", sa.Float(), nullable=True),
        sa.Column("eyes_closed_pct", sa.Float(), nullable=True),
        *(_non_negative("measurements", column) for column in rates),
        sa.CheckConstraint(
            "eyes_closed_pct IS NULL OR (eyes_closed_pct >= 0 AND eyes_closed_pct <= 100)",
            name=op.f("ck_measurements_eyes_closed_0_100"),
        ),
    )
    _headline(
        "assessments",
        "assessed_at",
        sa.Column("care_level", sa.String(length=16), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("top_cause", sa.String(length=64), nullable=True),
        sa.Column("top_probability", sa.Float(), nullable=True),
        sa.CheckConstraint(
            f"care_level IN ({_LEVELS})", name=op.f("ck_assessments_care_level_known")
        ),
        sa.CheckConstraint(
            "top_probability IS NULL OR (top_probability >= 0 AND top_probability <= 1)",
            name=op.f("ck_assessments_top_probability_0_1"),
        ),
    )


def _headlines_of_kept_results() -> None:
    # Times are copied as the database holds them (untyped columns), never re-encoded.
    results = sa.table(
        "saved_results",
        *(sa.column(name) for name in ("id", "person_id", "kind", "created_at", "local_date")),
        sa.column("timezone"),
        sa.column("result"),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(results).order_by(results.c.id)).all()
    for row in rows:
        try:
            result = json.loads(row.result)
        except ValueError:
            continue
        kept = {
            "person_id": row.person_id,
            "local_date": row.local_date,
            "timezone": row.timezone,
            "result_id": row.id,
        }
        if row.kind == "video":
            numbers = _measured(result)
            if numbers is not None:
                values = {**kept, "measured_at": row.created_at, **numbers}
                connection.execute(sa.insert(sa.table("measurements", *_columns(values))), values)
        elif row.kind == "assessment":
            headline = _assessed(result)
            if headline is not None:
                values = {**kept, "assessed_at": row.created_at, **headline}
                connection.execute(sa.insert(sa.table("assessments", *_columns(values))), values)


def _columns(values: dict[str, Any]) -> list[sa.ColumnClause[Any]]:
    return [sa.column(name) for name in values]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _measured(analysis: object) -> dict[str, float | None] | None:
    # measurements.py at revision 0002: spasm events per minute of face time by side, the share
    # of face time with both eyes shut, the blink rate.
    summary = analysis.get("summary") if isinstance(analysis, dict) else None
    if not isinstance(summary, dict):
        return None
    minutes = _number(summary.get("face_minutes"))
    if minutes is None:
        return None
    by_side = summary.get("events_by_side")
    by_side = by_side if isinstance(by_side, dict) else {}
    closed = _number(summary.get("eyes_closed_s"))

    def per_minute(key: str) -> float | None:
        count = _number(by_side.get(key, 0))
        return count / minutes if minutes > 0 and count is not None else None

    return {
        "face_minutes": minutes,
        "blink_rate_per_min": _number(summary.get("blink_rate_per_min")),
        "spasms_per_min_left": per_minute("spasm_left"),
        "spasms_per_min_right": per_minute("spasm_right"),
        "eyes_closed_pct": (
            min(100.0, 100.0 * closed / (minutes * 60.0))
            if minutes > 0 and closed is not None
            else None
        ),
    }


def _assessed(result: object) -> dict[str, Any] | None:
    # assessments.py at revision 0002: the care level, whether it is complete, the top cause.
    triage = result.get("triage") if isinstance(result, dict) else None
    if not isinstance(result, dict) or not isinstance(triage, dict):
        return None
    level = triage.get("level")
    if level not in ("self_care", "see_doctor", "see_doctor_soon", "emergency"):
        return None
    conditions = result.get("conditions")
    top = conditions[0] if isinstance(conditions, list) and conditions else {}
    top = top if isinstance(top, dict) else {}
    cause = top.get("id") if isinstance(top.get("id"), str) else None
    probability = _number(top.get("probability"))
    return {
        "care_level": level,
        "complete": triage.get("complete") is True,
        "top_cause": cause[:64] if cause else None,
        "top_probability": probability if probability is not None and probability <= 1 else None,
    }


def downgrade() -> None:
    """Back to one diary for everyone: refused while anyone but person 1 has a row."""
    connection = op.get_bind()
    for table in (*OLD_TABLES, "ratings", "measurements", "assessments"):
        others = connection.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE person_id <> {PERSON}")
        ).scalar_one()
        if others:
            raise InputError(
                f"cannot go back to revision 0001: {table} holds rows of other people than the "
                "default one, and 0001 keeps one diary for everyone"
            )
    for table in ("assessments", "measurements", "ratings"):
        op.drop_table(table)
    for table, old, new in INDEXES:
        op.drop_index(_name("ix", table, new), table_name=table)
        op.create_index(_name("ix", table, old), table, list(old))
    for table in OLD_TABLES:
        with op.batch_alter_table(table) as batch:
            if table == "treatments":
                for column in ("until", "reported_onset", "reported_wear_off"):
                    batch.drop_constraint(op.f(f"ck_treatments_{column}_after_date"), type_="check")
                for column in ("units_left", "units_right"):
                    batch.drop_constraint(
                        op.f(f"ck_treatments_{column}_non_negative"), type_="check"
                    )
                for column in (
                    "units_left", "units_right", "sites", "until", "reported_onset",
                    "reported_wear_off",
                ):  # fmt: skip
                    batch.drop_column(column)
            if table == "day_factors":
                batch.drop_constraint(op.f("uq_day_factors_person_id_date"), type_="unique")
                batch.create_unique_constraint(op.f("uq_day_factors_date"), ["date"])
            batch.drop_constraint(op.f(f"fk_{table}_person_id_people"), type_="foreignkey")
            batch.drop_column("person_id")
    op.drop_table("people")
