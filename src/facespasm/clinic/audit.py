"""The audit log: every read or change of a patient's data by someone other than that patient.

45 CFR 164.312(b) (audit controls): who (account id, with the email and role copied), what (the
HTTP method and the route's template, e.g. "GET /api/v1/patients/{patient_id}/diary/days" --
never a query's values or a body), which patient, when and from which address. The app only
appends (`record`); nothing here updates or deletes an entry.

A patient sees the entries about their own data (`entries_about`), each naming the reader's
email; an administrator sees all (`all_entries`), newest first and paged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.orm import aliased

from facespasm.clinic.accounts import Account
from facespasm.clinic.tables import Accounts, AuditLog
from facespasm.diary.database import run_write

if TYPE_CHECKING:
    from sqlalchemy import Engine, Select

Action = Literal["read", "change"]
MAX_WHAT = 300
MAX_ADDRESS = 64


@dataclass(frozen=True)
class AuditEntry:
    """One entry: who did what to whose data, when, from where."""

    id: int
    at: dt.datetime
    email: str
    role: str
    action: str
    what: str
    patient_id: int | None
    from_address: str | None


def record(
    engine: Engine,
    actor: Account,
    action: Action,
    what: str,
    patient: Account,
    *,
    from_address: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Append an entry: `actor` read or changed `patient`'s data.

    Args:
        engine: The database's engine.
        actor: Who.
        action: "read" or "change".
        what: The method and route template (no values).
        patient: Whose data.
        from_address: The client's address, if known.
        now: When (default: now).
    """
    values = {
        "at": now if now is not None else dt.datetime.now(dt.UTC),
        "actor_account_id": actor.id,
        "actor_email": actor.email,
        "actor_role": actor.role,
        "action": action,
        "what": what[:MAX_WHAT],
        "patient_person_id": patient.person_id,
        "from_address": from_address[:MAX_ADDRESS] if from_address else None,
    }
    run_write(engine, lambda c: c.execute(insert(AuditLog), values))


def _entries() -> Select[AuditLog, int]:
    patient = aliased(Accounts)
    return select(AuditLog, patient.id.label("patient_account")).outerjoin(
        patient, patient.person_id == AuditLog.patient_person_id
    )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        email=row.actor_email,
        role=row.actor_role,
        action=row.action,
        what=row.what,
        patient_id=row.patient_account,
        from_address=row.from_address,
    )


def entries_about(
    engine: Engine, patient: Account, *, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    """Who else read or changed this patient's data, newest first."""
    statement = (
        _entries()
        .where(
            AuditLog.patient_person_id == patient.person_id,
            AuditLog.actor_account_id.is_distinct_from(patient.id),
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as connection:
        return [_entry(row) for row in connection.execute(statement).all()]


def all_entries(engine: Engine, *, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """Every entry, newest first (for an administrator)."""
    statement = (
        _entries().order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    )
    with engine.connect() as connection:
        return [_entry(row) for row in connection.execute(statement).all()]
